#pragma once
// /proc/PID/mountinfo, parsed once for everyone who reads it (the rootfs
// set-up, --no-pivot and the cgroup probe).
#include <string>
#include <vector>

namespace ocirt::linux_ {

struct MountInfo {
    std::string root;        // the mounted subtree of its filesystem
    std::string mountpoint;  // unescaped
    std::vector<std::string> optional;  // shared:N, master:N, unbindable, ...
    std::string fstype;
    std::string source;
    std::string super_options;

    bool has_optional_prefix(const std::string& prefix) const;
};

// Lines that do not have the fields a mountinfo line must have are skipped.
std::vector<MountInfo> parse_mountinfo(const std::string& text);
// Reads and parses the file; errors name it.
std::vector<MountInfo> read_mountinfo(const std::string& path = "/proc/self/mountinfo");

// `path` is `dir` or below it (by whole components).
bool path_at_or_below(const std::string& path, const std::string& dir);

}  // namespace ocirt::linux_
