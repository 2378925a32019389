// The events loop: a stats event every interval, an oom event as soon as the
// kernel reports one, until the container stops or SIGINT/SIGTERM. One poll(2)
// over a timerfd, the init's pidfd, the OOM watch and a signalfd; no threads.
#include "ocirt/events.hpp"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <optional>

#include "ocirt/container.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/oom.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/linux/supervise.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::events {
namespace {

Error not_running(const Container& c) { return Error("container with id " + c.id() + " is not running"); }

// One write(2) per line where the pipe allows: readers see whole lines.
void write_line(int out, const nlohmann::ordered_json& event) {
    const std::string line = event.dump() + "\n";
    size_t done = 0;
    while (done < line.size()) {
        ssize_t n = ::write(out, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("write events");
        done += static_cast<size_t>(n);
    }
}

Fd interval_timer(std::chrono::nanoseconds interval) {
    Fd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!fd) throw_errno("timerfd_create");
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(interval);
    timespec ts{static_cast<time_t>(secs.count()), static_cast<long>((interval - secs).count())};
    itimerspec spec{ts, ts};
    if (::timerfd_settime(fd.get(), 0, &spec, nullptr) != 0) throw_errno("timerfd_settime");
    return fd;
}

std::unique_ptr<cgroups::Manager> cgroup_of(const Container& c) {
    const State& s = c.state();
    if (s.cgroup_path.empty()) throw Error("container \"" + c.id() + "\" has no cgroup");
    return cgroups::open(s.cgroup_path, {}, s.cgroup_created,
                         s.systemd_cgroup ? cgroups::Driver::systemd : cgroups::Driver::cgroupfs);
}

// Reads a non-blocking fd (the timerfd's expiration count) until it is empty.
void drain(int fd) {
    char buf[64];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
}

}  // namespace

int run(const Container& c, const Options& opts, int out) {
    if (c.status() == Status::stopped || c.status() == Status::creating) throw not_running(c);
    auto cgroup = cgroup_of(c);
    if (opts.once) {
        write_line(out, stats_event(c.id(), cgroups::read_stats(*cgroup)));
        return 0;
    }

    linux_::BlockedSignals signals({SIGINT, SIGTERM});
    auto init = linux_::PidFd::open(c.state().pid, c.state().pid_start_time);
    if (!init.valid()) throw not_running(c);
    auto oom = cgroups::OomWatch::open(*cgroup);
    if (!oom.active()) spdlog::debug("events {}: no memory cgroup to watch, no oom events", c.id());
    Fd timer = interval_timer(opts.interval);
    auto report_ooms = [&] {
        for (unsigned n = oom.take(); n > 0; --n) write_line(out, oom_event(c.id()));
    };

    while (true) {
        pollfd fds[4] = {{signals.fd(), POLLIN, 0}, {init.get(), POLLIN, 0}, {timer.get(), POLLIN, 0},
                         {oom.fd(), POLLIN, 0}};
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (fds[3].revents) {
            report_ooms();
            if (oom.gone()) break;
        }
        if (fds[2].revents) {
            drain(timer.get());  // ticks missed while busy make one event, as in runc
            std::optional<cgroups::Stats> stats;
            try {
                stats = cgroups::read_stats(*cgroup);
            } catch (const Error& e) {
                if (!init.wait_exit(0)) spdlog::error("events {}: {}", c.id(), e.what());  // runc goes on too
            }
            if (init.wait_exit(0)) break;  // what was read came from a cgroup being emptied
            if (stats) write_line(out, stats_event(c.id(), *stats));
        }
        if (fds[1].revents) break;  // the init exited: the container stopped
        if (fds[0].revents) {
            signalfd_siginfo si{};
            if (::read(signals.fd(), &si, sizeof si) == sizeof si) return static_cast<int>(si.ssi_signo);
        }
    }
    // The kernel counts an OOM kill before the victim dies: a last look finds
    // the one that stopped the container.
    report_ooms();
    return 0;
}

}  // namespace ocirt::events
