#include "ocirt/linux/cgroups/mountinfo.hpp"

#include <algorithm>
#include <sstream>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/mount/mountinfo.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep))
        if (!item.empty()) out.push_back(item);
    return out;
}

// Super options of a v1 mount minus the ones that are not controllers.
std::vector<std::string> controllers_of(const std::string& super_options) {
    std::vector<std::string> out;
    for (auto& opt : split(super_options, ',')) {
        if (opt == "rw" || opt == "ro" || opt == "none" || opt == "noprefix" ||
            opt == "clone_children" || opt == "xattr" || opt == "cpuset_v2_mode")
            continue;
        if (opt.find('=') != std::string::npos && opt.rfind("name=", 0) != 0)
            continue;  // release_agent=..., but name=systemd is a hierarchy name
        out.push_back(opt);
    }
    return out;
}

}  // namespace

std::vector<CgroupMount> parse_cgroup_mounts(const std::string& text, const std::string& mount_root) {
    const std::vector<linux_::MountInfo> entries = linux_::parse_mountinfo(text);
    std::vector<CgroupMount> out;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.fstype != "cgroup" && e.fstype != "cgroup2") continue;
        if (!linux_::path_at_or_below(e.mountpoint, mount_root)) continue;
        // A later mount on the same mountpoint or above it hides this one.
        bool hidden = std::any_of(entries.begin() + static_cast<long>(i) + 1, entries.end(),
                                  [&](const linux_::MountInfo& o) { return linux_::path_at_or_below(e.mountpoint, o.mountpoint); });
        if (hidden) continue;
        CgroupMount m{e.mountpoint, e.fstype == "cgroup2", {}};
        if (!m.unified) m.controllers = controllers_of(e.super_options);
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<CgroupMount> read_cgroup_mounts(const std::string& mountinfo_path,
                                            const std::string& mount_root) {
    return parse_cgroup_mounts(read_file(mountinfo_path), mount_root);
}

}  // namespace ocirt::cgroups
