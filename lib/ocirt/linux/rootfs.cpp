#include "ocirt/linux/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sstream>

#include "ocirt/linux/devices.hpp"
#include "ocirt/linux/mount_options.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

// The mount point under which `path` lives, and whether it is shared or
// unbindable: either stops the rootfs from being bind-mounted and pivoted to.
bool parent_mount_needs_private(const std::string& path, std::string& mountpoint) {
    std::istringstream in(read_file("/proc/self/mountinfo"));
    std::string line;
    bool shared = false;
    size_t best = 0;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, mp, opts, field;
        f >> id >> parent >> devno >> root >> mp >> opts;
        bool is_shared = false;
        while (f >> field && field != "-")
            if (field.rfind("shared:", 0) == 0 || field == "unbindable") is_shared = true;
        bool under = path == mp || mp == "/" ||
                     (path.rfind(mp, 0) == 0 && path.size() > mp.size() && path[mp.size()] == '/');
        if (under && mp.size() >= best) {
            best = mp.size();
            mountpoint = mp;
            shared = is_shared;
        }
    }
    return shared;
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

    create_devices(root.get(), devices_to_create(*ctx.config), ctx.new_user_ns);
    create_dev_symlinks(root.get());
}

void enter_rootfs(const RootfsContext& ctx) {
    if (ctx.no_pivot) {
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

static void mask_paths(const std::vector<std::string>& paths) {
    for (size_t i = 0; i < paths.size(); ++i) {
        const std::string& p = paths[i];
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            throw_errno("linux.maskedPaths[" + std::to_string(i) + "]: " + p);
        }
        int r = S_ISDIR(st.st_mode)
                    ? ::mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, nullptr)
                    : ::mount("/dev/null", p.c_str(), nullptr, MS_BIND, nullptr);
        if (r != 0) throw_errno("linux.maskedPaths[" + std::to_string(i) + "]: mask " + p);
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
