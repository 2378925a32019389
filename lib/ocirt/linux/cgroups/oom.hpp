#pragma once
// Notification of the OOM killer acting in a container's cgroup, and of the
// cgroup going away. v1: an eventfd registered on memory.oom_control through
// cgroup.event_control (the kernel also signals it when the cgroup is
// removed); v2: inotify on memory.events (its oom_kill counter) and
// cgroup.events ("populated 0": no process left).
#include <cstdint>
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::cgroups {

class Manager;

class OomWatch {
public:
    // The container's memory cgroup in the host's layout (hybrid: v1 memory).
    // Inactive (fd() == -1) when there is no memory controller to watch.
    static OomWatch open(const Manager& m);
    static OomWatch open_v1(const std::string& memory_dir);
    static OomWatch open_v2(const std::string& dir);

    bool active() const { return fd_.valid(); }
    // Readable (POLLIN) when something happened: then call take().
    int fd() const { return fd_.get(); }
    // Without blocking: how many OOM kills happened since the last call (or
    // since open). Notices the cgroup going away (gone()), which is no OOM.
    unsigned take();
    bool gone() const { return gone_; }

private:
    enum class Kind { none, v1, v2 };
    Kind kind_ = Kind::none;
    Fd fd_;        // v1: the eventfd; v2: the inotify fd
    Fd control_;   // v1: memory.oom_control, open while registered
    std::string dir_;
    uint64_t oom_kills_ = 0;  // v2: memory.events oom_kill seen last
    bool gone_ = false;
};

}  // namespace ocirt::cgroups
