#pragma once
// The cgroup mounts visible under a root, read from /proc/self/mountinfo.
#include <string>
#include <vector>

namespace ocirt::cgroups {

struct CgroupMount {
    std::string mountpoint;
    bool unified = false;                  // fstype cgroup2
    std::vector<std::string> controllers;  // v1 only: from the super options
};

// Mounts of type cgroup/cgroup2 at or below mount_root, in mountinfo order.
// When several mounts share a mountpoint only the last (the visible) counts.
std::vector<CgroupMount> parse_cgroup_mounts(const std::string& mountinfo_text,
                                             const std::string& mount_root);

// Reads the file and parses it; errors name the file.
std::vector<CgroupMount> read_cgroup_mounts(const std::string& mountinfo_path,
                                            const std::string& mount_root);

}  // namespace ocirt::cgroups
