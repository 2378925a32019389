#include "ocirt/linux/cgroups/oom.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include <cerrno>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/stats_parse.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

// A key of a flat keyed file; nullopt once the file (or its cgroup) is gone.
std::optional<uint64_t> keyed_value(const std::string& dir, const std::string& file, const std::string& key) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(join(dir, file));
    } catch (const Error& e) {
        if (e.code() == ENODEV) return std::nullopt;  // open file of a removed cgroup
        throw;
    }
    if (!text) return std::nullopt;
    auto values = parse_flat_keyed(*text, join(dir, file));
    auto it = values.find(key);
    return it == values.end() ? 0 : it->second;
}

}  // namespace

OomWatch OomWatch::open(const Manager& m) {
    for (const auto& h : m.hierarchies()) {
        if (m.mode() == Mode::v2 && h.unified) return open_v2(m.dir(h));
        if (m.mode() != Mode::v2 && h.has("memory")) return open_v1(m.dir(h));
    }
    return OomWatch{};
}

OomWatch OomWatch::open_v1(const std::string& dir) {
    OomWatch w;
    const std::string oom_control = join(dir, "memory.oom_control");
    w.control_.reset(::open(oom_control.c_str(), O_RDONLY | O_CLOEXEC));
    if (!w.control_) {
        if (errno == ENOENT) return OomWatch{};
        throw_errno("open " + oom_control);
    }
    w.fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!w.fd_) throw_errno("eventfd");
    write_file(join(dir, "cgroup.event_control"),
               std::to_string(w.fd_.get()) + " " + std::to_string(w.control_.get()));
    w.kind_ = Kind::v1;
    w.dir_ = dir;
    return w;
}

OomWatch OomWatch::open_v2(const std::string& dir) {
    OomWatch w;
    auto kills = keyed_value(dir, "memory.events", "oom_kill");
    if (!kills) return OomWatch{};  // memory controller not enabled for this cgroup
    w.fd_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!w.fd_) throw_errno("inotify_init1");
    for (const char* file : {"memory.events", "cgroup.events"}) {
        const std::string path = join(dir, file);
        if (::inotify_add_watch(w.fd_.get(), path.c_str(), IN_MODIFY) < 0) throw_errno("inotify_add_watch " + path);
    }
    w.kind_ = Kind::v2;
    w.dir_ = dir;
    // Read after the watches exist: a kill in between is then seen by take().
    w.oom_kills_ = keyed_value(dir, "memory.events", "oom_kill").value_or(*kills);
    return w;
}

unsigned OomWatch::take() {
    if (kind_ == Kind::none || gone_) return 0;
    if (kind_ == Kind::v1) {
        uint64_t count = 0;
        if (::read(fd_.get(), &count, sizeof count) != static_cast<ssize_t>(sizeof count)) {
            if (errno == EAGAIN || errno == EINTR) return 0;
            throw_errno("read oom eventfd of " + dir_);
        }
        // The kernel signals the eventfd when the cgroup is removed, too.
        if (!exists(join(dir_, "cgroup.event_control"))) {
            gone_ = true;
            return 0;
        }
        return static_cast<unsigned>(count);
    }
    // v2: the events only say "changed"; the counters say what.
    char buf[4096];
    while (::read(fd_.get(), buf, sizeof buf) > 0) {
    }
    auto kills = keyed_value(dir_, "memory.events", "oom_kill");
    auto populated = keyed_value(dir_, "cgroup.events", "populated");
    unsigned n = 0;
    if (kills && *kills > oom_kills_) n = static_cast<unsigned>(*kills - oom_kills_);
    if (kills) oom_kills_ = *kills;
    if (!kills || !populated || *populated == 0) gone_ = true;
    return n;
}

}  // namespace ocirt::cgroups
