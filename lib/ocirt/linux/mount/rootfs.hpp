#pragma once
// The container's filesystem view, built by the init in its new mount
// namespace: propagation and the rootfs bind, the configured mounts, the
// devices, then pivot_root (or move + chroot with --no-pivot), then the
// masked and read-only paths and root.readonly.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// One cgroup hierarchy to show under the config's cgroup mount.
struct CgroupMount {
    std::string name;      // subdir: "memory", "cpu,cpuacct", "systemd", "unified"; "" on pure v2
    std::string fstype;    // "cgroup" or "cgroup2"
    std::string options;   // controllers for cgroup v1 ("memory", "name=systemd"); "" for cgroup2
    std::string host_dir;  // the container's cgroup dir on the host
};

struct PreparedMounts;  // mount/prepare.hpp

struct RootfsContext {
    const spec::Config* config = nullptr;
    std::string rootfs;  // absolute host path
    std::string bundle;  // absolute host path (relative mount sources resolve here)
    bool no_pivot = false;
    // false: the caller's mount namespace; nothing is mounted, the init only
    // chroots into the rootfs (create refuses what would need mounts).
    bool own_mount_ns = true;
    bool new_user_ns = false;
    bool new_cgroup_ns = false;
    std::vector<CgroupMount> cgroups;
    // Mounts the runtime made before the clone (idmapped binds in a user
    // namespace), taken by the init as it attaches them; null: none.
    PreparedMounts* prepared = nullptr;
};

void prepare_rootfs(const RootfsContext& ctx);   // before the root changes
void enter_rootfs(const RootfsContext& ctx);     // pivot_root or move + chroot
void finalize_rootfs(const RootfsContext& ctx);  // after: masks, read-only, propagation

// Used by prepare_rootfs for each mounts[] entry; root_fd is the rootfs.
void mount_entry(int root_fd, const spec::Mount& m, size_t index, const RootfsContext& ctx);

// mounts[index] is read-only, yet later entries mount below it, or it is
// /dev, where the devices, symlinks and /dev/console are made: it is mounted
// read-write, and finalize_rootfs makes it read-only (as runc does for /dev).
bool readonly_deferred(const spec::Config& c, size_t index);
// After the root changed: the read-only remount of those entries.
void remount_deferred_readonly(const spec::Config& c);

}  // namespace ocirt::linux_
