#include "ocirt/linux/mount/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "ocirt/linux/devices.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/linux/mount/mountinfo.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

// The mount point under which `path` lives, and whether it is shared or
// unbindable: either stops the rootfs from being bind-mounted and pivoted to.
bool parent_mount_needs_private(const std::string& path, std::string& mountpoint) {
    bool shared = false;
    size_t best = 0;
    for (const MountInfo& m : read_mountinfo()) {
        if (path_at_or_below(path, m.mountpoint) && m.mountpoint.size() >= best) {
            best = m.mountpoint.size();
            mountpoint = m.mountpoint;
            shared = m.has_optional_prefix("shared:") || m.has_optional_prefix("unbindable");
        }
    }
    return shared;
}

// --no-pivot: after the move and chroot the host's mounts would stay in this
// mount namespace, out of sight but there, and a full procfs or sysfs among
// them lets a nested user namespace mount a fresh one (the kernel only checks
// that one is mounted somewhere in the namespace). Every mount that is neither
// the rootfs, below it, nor above it (holding it) is detached, deepest first;
// one that cannot be (locked in a user namespace) is covered with a tmpfs if
// it is a procfs or sysfs.
void detach_host_mounts(const std::string& rootfs) {
    std::vector<MountInfo> entries;
    for (MountInfo& m : read_mountinfo())
        if (!path_at_or_below(m.mountpoint, rootfs) && !path_at_or_below(rootfs, m.mountpoint))
            entries.push_back(std::move(m));
    auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
    std::stable_sort(entries.begin(), entries.end(),
                     [&](const MountInfo& a, const MountInfo& b) { return depth(a.mountpoint) > depth(b.mountpoint); });
    for (const auto& e : entries) {
        const char* p = e.mountpoint.c_str();
        // Never let the unmount reach the host's peers.
        if (::mount(nullptr, p, nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
            if (errno == ENOENT || errno == EINVAL) continue;  // gone with a parent
            throw_errno("--no-pivot: make " + e.mountpoint + " a slave");
        }
        if (::umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
        if (errno != EINVAL && errno != EPERM) throw_errno("--no-pivot: detach " + e.mountpoint);
        if ((e.fstype == "proc" || e.fstype == "sysfs") &&
            ::mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
            throw_errno("--no-pivot: cover " + e.mountpoint);
    }
}

unsigned long root_propagation(const RootfsContext& ctx) {
    unsigned long p = ctx.config->linux
                          ? parse_propagation(ctx.config->linux->rootfs_propagation,
                                              "linux.rootfsPropagation")
                          : 0;
    return p;
}

}  // namespace

void prepare_rootfs(const RootfsContext& ctx) {
    if (!ctx.own_mount_ns) return;  // nothing may be mounted in the caller's namespace
    // Nothing done in this namespace may propagate back to the host.
    // The requested propagation of the container's / is set again after the
    // root changed (finalize_rootfs); unbindable would only stop the host's
    // mounts from being bind-mounted in, so setup runs rslave then.
    unsigned long prop = root_propagation(ctx);
    unsigned long first = prop && !(prop & MS_UNBINDABLE) ? prop : (MS_SLAVE | MS_REC);
    if (::mount(nullptr, "/", nullptr, first, nullptr) != 0) throw_errno("make / rslave");
    // pivot_root refuses a new root whose parent mount is shared, and an
    // unbindable one (rootfsPropagation "unbindable") cannot be bind-mounted.
    std::string parent;
    if (parent_mount_needs_private(ctx.rootfs, parent) &&
        ::mount(nullptr, parent.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
        throw_errno("make " + parent + " private");
    if (::mount(ctx.rootfs.c_str(), ctx.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        throw_errno("root.path: bind " + ctx.rootfs);

    Fd root(::open(ctx.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("root.path: " + ctx.rootfs);
    const auto& mounts = ctx.config->mounts;
    for (size_t i = 0; i < mounts.size(); ++i) mount_entry(root.get(), mounts[i], i, ctx);

    // mknod needs the host's CAP_MKNOD: in a user namespace, and rootless (a
    // rootless podman's namespace), the host's nodes are bound in instead.
    create_devices(root.get(), devices_to_create(*ctx.config), ctx.new_user_ns || running_rootless());
    create_dev_symlinks(root.get());
}

void enter_rootfs(const RootfsContext& ctx) {
    if (!ctx.own_mount_ns) {
        if (::chroot(ctx.rootfs.c_str()) != 0) throw_errno("chroot " + ctx.rootfs);
        if (::chdir("/") != 0) throw_errno("chdir /");
        return;
    }
    if (ctx.no_pivot) {
        detach_host_mounts(ctx.rootfs);
        if (::chdir(ctx.rootfs.c_str()) != 0) throw_errno("chdir " + ctx.rootfs);
        if (::mount(ctx.rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
            throw_errno("move " + ctx.rootfs + " to /");
        if (::chroot(".") != 0) throw_errno("chroot " + ctx.rootfs);
        if (::chdir("/") != 0) throw_errno("chdir /");
        return;
    }
    Fd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    Fd new_root(::open(ctx.rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!old_root || !new_root) throw_errno("open / or " + ctx.rootfs);
    if (::fchdir(new_root.get()) != 0) throw_errno("chdir " + ctx.rootfs);
    // pivot_root(".", ".") stacks the old root on top of the new one; it is
    // then detached without ever naming a path inside the container.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root " + ctx.rootfs);
    if (::fchdir(old_root.get()) != 0) throw_errno("chdir to the old root");
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) throw_errno("make old root rslave");
    if (::umount2(".", MNT_DETACH) != 0) throw_errno("detach the old root");
    if (::chdir("/") != 0) throw_errno("chdir /");
}

// Files are covered by /dev/null; directories by one read-only tmpfs, mounted on the
// first and bind-mounted onto the others: one superblock for all (Kubernetes masks
// dozens of per-CPU dirs, and a superblock each contends on the kernel's locks when
// many containers start). Nothing can be written to it, so sharing it shares nothing.
static void mask_paths(const std::vector<std::string>& paths) {
    std::string shared_tmpfs;  // the first masked dir: where the tmpfs is
    for (size_t i = 0; i < paths.size(); ++i) {
        const std::string& p = paths[i];
        const std::string where = "linux.maskedPaths[" + std::to_string(i) + "]: ";
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            throw_errno(where + p);
        }
        int r;
        if (!S_ISDIR(st.st_mode)) {
            r = ::mount("/dev/null", p.c_str(), nullptr, MS_BIND, nullptr);
        } else if (shared_tmpfs.empty()) {
            r = ::mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, nullptr);
            if (r == 0) shared_tmpfs = p;
        } else {
            // A bind keeps the read-only flag of the mount it copies.
            r = ::mount(shared_tmpfs.c_str(), p.c_str(), nullptr, MS_BIND, nullptr);
        }
        if (r != 0) throw_errno(where + "mask " + p);
    }
}

static void readonly_paths(const std::vector<std::string>& paths) {
    for (size_t i = 0; i < paths.size(); ++i) {
        const std::string& p = paths[i];
        const std::string where = "linux.readonlyPaths[" + std::to_string(i) + "]: " + p;
        if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
            if (errno == ENOENT) continue;
            throw_errno(where);
        }
        struct statvfs sv;
        if (::statvfs(p.c_str(), &sv) != 0) throw_errno(where);
        unsigned long keep = 0;
        if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
        if (::mount(nullptr, p.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | keep,
                    nullptr) != 0)
            throw_errno(where + ": remount read-only");
    }
}

void finalize_rootfs(const RootfsContext& ctx) {
    if (!ctx.own_mount_ns) return;  // create refused every field that needs it
    remount_deferred_readonly(*ctx.config);
    if (const auto& l = ctx.config->linux) {
        mask_paths(l->masked_paths);
        readonly_paths(l->readonly_paths);
    }
    if (ctx.config->root && ctx.config->root->readonly) {
        struct statvfs sv;
        if (::statvfs("/", &sv) != 0) throw_errno("statvfs /");
        unsigned long keep = 0;
        if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) keep |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
        if (::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) != 0)
            throw_errno("root.readonly: remount / read-only");
    }
    if (unsigned long prop = root_propagation(ctx)) {
        if (::mount(nullptr, "/", nullptr, prop, nullptr) != 0)
            throw_errno("linux.rootfsPropagation: set on /");
    }
}

}  // namespace ocirt::linux_
