#include "ocirt/util/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::log {
namespace {

const char* level_name(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace: return "trace";
        case spdlog::level::debug: return "debug";
        case spdlog::level::info: return "info";
        case spdlog::level::warn: return "warning";
        case spdlog::level::err: return "error";
        case spdlog::level::critical: return "fatal";
        default: return "info";
    }
}

std::string rfc3339(spdlog::log_clock::time_point tp) {
    auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(tp - secs).count();
    std::time_t t = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(ns));
    return out;
}

// One line per message, written with a single write(2) so lines from the
// runtime and from its init child never interleave within a line.
class FdSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    FdSink(Fd fd, Format format, bool stderr_style)
        : fd_(std::move(fd)), format_(format), stderr_style_(stderr_style) {}
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!fd_) return;  // after close_sink()
        std::string text(msg.payload.data(), msg.payload.size());
        std::string line;
        if (format_ == Format::json) {
            nlohmann::ordered_json j;
            j["level"] = level_name(msg.level);
            j["msg"] = text;
            j["time"] = rfc3339(msg.time);
            line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else if (stderr_style_) {
            line = std::string("ocirt: ") + level_name(msg.level) + ": " + text;
        } else {
            line = "time=\"" + rfc3339(msg.time) + "\" level=" + level_name(msg.level) +
                   " msg=" + nlohmann::json(text).dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace);
        }
        line += '\n';
        ssize_t n;
        do n = ::write(fd_.get(), line.data(), line.size());
        while (n < 0 && errno == EINTR);
    }
    void flush_() override {}

private:
    Fd fd_;
    Format format_;
    bool stderr_style_;
};

int g_fd = -1;
std::shared_ptr<FdSink> g_sink;

}  // namespace

int fd() { return g_fd; }

void close_sink() {
    if (g_sink) g_sink->close();
    g_fd = -1;
}

void init(const std::string& file, Format format, bool debug) {
    std::shared_ptr<spdlog::sinks::sink> sink;
    if (file.empty()) {
        sink = std::make_shared<FdSink>(Fd(::fcntl(2, F_DUPFD_CLOEXEC, 3)), format,
                                        format == Format::text);
    } else {
        Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        if (!fd) throw_errno("open log file " + file);
        sink = std::make_shared<FdSink>(std::move(fd), format, false);
    }
    g_sink = std::static_pointer_cast<FdSink>(sink);
    g_fd = g_sink->fd();
    auto logger = std::make_shared<spdlog::logger>("ocirt", sink);
    logger->set_level(debug ? spdlog::level::debug
                            : (file.empty() ? spdlog::level::warn : spdlog::level::info));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

}  // namespace ocirt::log
