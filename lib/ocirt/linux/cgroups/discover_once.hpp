#pragma once
// DiscoverOnce: while one lives, cgroups::discover() reads and parses each mountinfo once and
// returns that layout again. For a command that opens the cgroups of many containers (list:
// the freezer state of each), where the host's cgroup mounts do not change meanwhile; reading
// /proc/self/mountinfo alone cost ~0.3 ms of kernel time per container.
namespace ocirt::cgroups {

class DiscoverOnce {
public:
    DiscoverOnce();
    ~DiscoverOnce();
    DiscoverOnce(const DiscoverOnce&) = delete;
    DiscoverOnce& operator=(const DiscoverOnce&) = delete;
};

}  // namespace ocirt::cgroups
