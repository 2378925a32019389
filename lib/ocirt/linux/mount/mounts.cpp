// mounts[]: each entry mounted onto a target resolved inside the rootfs.
// Bind mounts: mount(2) MS_BIND of the host path, or the attach of an
// idmapped tree; new filesystems: a detached mount from fsopen (mount/fs.*)
// moved onto the target. Then, on the new mount: the plain flags (a bind
// remount that keeps the flags the options do not change), the recursive
// attributes (mount_setattr with AT_RECURSIVE), and the propagation.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ocirt/linux/mount/attr.hpp"
#include "ocirt/linux/mount/fs.hpp"
#include "ocirt/linux/mount/idmap.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/mount/prepare.hpp"
#include "ocirt/linux/mount/rootfs.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000  // statfs(2) f_flags, Linux 5.10
#endif

namespace ocirt::linux_ {
namespace {

const unsigned long kAtime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

// The per-mount flags `target` has now, atime mode included, as MS_* flags.
// A bind remount must keep them: in a user namespace the kernel refuses to
// drop the locked ones, and elsewhere they are what the options left alone.
unsigned long current_flags(const std::string& target) {
    struct statvfs sv;
    if (::statvfs(target.c_str(), &sv) != 0) throw_errno("statvfs " + target);
    unsigned long f = 0;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_NOSYMFOLLOW) f |= MS_NOSYMFOLLOW;
    if (sv.f_flag & ST_NOATIME)
        f |= MS_NOATIME;
    else if (sv.f_flag & ST_RELATIME)
        f |= MS_RELATIME;
    else
        f |= MS_STRICTATIME;
    return f;
}

void do_mount(const char* src, const std::string& target, const char* type, unsigned long flags,
              const std::string& data, const std::string& what) {
    if (::mount(src, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0)
        throw_errno(what);
}

// Moves the detached mount `tree` onto the O_PATH fd `target`.
void attach(int tree, int target, const std::string& what) {
    if (::move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        throw_errno(what);
}

// After mounting, the O_PATH fd still names the dentry under the new mount:
// re-resolve so remounts and propagation changes hit the new mount.
Fd reopen(int root_fd, const std::string& dest) {
    return open_in_root(root_fd, dest, Create::none);
}

void apply_propagation(int root_fd, const std::string& dest, const MountOptions& o,
                       const std::string& where) {
    if (o.propagation.empty()) return;
    Fd t = reopen(root_fd, dest);
    for (unsigned long p : o.propagation)
        do_mount(nullptr, fd_path(t.get()), nullptr, p, {}, where + ": set propagation");
}

void apply_recursive(int root_fd, const std::string& dest, const MountOptions& o, const std::string& where) {
    if (o.recursive.empty()) return;
    Fd t = reopen(root_fd, dest);
    set_mount_attr(t.get(), o.recursive, true, where + ": set recursive mount attributes");
}

void bind_remount(int root_fd, const std::string& dest, const MountOptions& o, const std::string& where) {
    const unsigned long changeable =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | MS_NOSYMFOLLOW | kAtime;
    if (!((o.flags | o.clear) & changeable)) return;
    Fd t = reopen(root_fd, dest);
    std::string target = fd_path(t.get());
    unsigned long current = current_flags(target);
    if (o.atime_given) current &= ~kAtime;  // the options choose the atime mode
    unsigned long flags = (current & ~o.clear) | (o.flags & changeable);
    // "atime" or "norelatime" alone: the kernel's default, not what was there.
    if (!(flags & kAtime)) flags |= MS_RELATIME;
    do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | flags, {}, where + ": remount");
}

// The detached tree the runtime made for entry `index` before the clone
// (RootfsContext::prepared, see mount/prepare.hpp), handed over; empty if none.
template <typename Ctx>
Fd prepared_tree(const Ctx& ctx, size_t index) {
    if constexpr (requires { ctx.prepared->take(index); })
        return ctx.prepared ? ctx.prepared->take(index) : Fd();
    else
        return Fd();
}

void mount_bind(int root_fd, const spec::Mount& m, size_t index, const MountOptions& o,
                const RootfsContext& ctx, const std::string& where) {
    const std::string src = bind_source(m, ctx.bundle);
    Fd own_tree = prepared_tree(ctx, index);
    struct stat st;
    if (!o.idmap && own_tree) {
        // A clone of the source the runtime made before the clone: used only
        // if this user namespace cannot reach the source itself.
        if (::stat(src.c_str(), &st) == 0 || (errno != EACCES && errno != EPERM)) own_tree.reset();
    }
    if (o.idmap && !own_tree) {
        // In a user namespace the init lacks the privileges: the runtime
        // makes these trees before the clone (prepare_mounts).
        if (ctx.new_user_ns)
            throw Error(where + ": an idmapped mount in a user namespace needs the runtime to prepare it "
                                "before the clone, and it did not");
        Fd userns = mount_userns(m, *ctx.config, where);
        own_tree = open_idmapped_tree(src, o, userns.get(), where);
    }
    const int tree = own_tree.get();
    // The destination is made a file or a directory as the source is.
    if (tree >= 0 ? ::fstat(tree, &st) != 0 : ::stat(src.c_str(), &st) != 0)
        throw_errno(where + ".source: " + src);
    Fd target = open_in_root(root_fd, m.destination, S_ISDIR(st.st_mode) ? Create::dir : Create::file);
    if (tree >= 0)
        attach(tree, target.get(), where + ": attach the tree of " + src + " on " + m.destination);
    else
        do_mount(src.c_str(), fd_path(target.get()), nullptr, MS_BIND | (o.flags & MS_REC), {},
                 where + ": bind " + src + " on " + m.destination);
    bind_remount(root_fd, m.destination, o, where);
}

// "remount" of a filesystem that is not a bind: mount(2) MS_REMOUNT of what
// is mounted at the destination, with the flags and data as given.
void mount_remount(int root_fd, const spec::Mount& m, const MountOptions& o, const std::string& where) {
    Fd target = open_in_root(root_fd, m.destination, Create::none);
    std::string src = m.source.empty() ? m.type : m.source;
    do_mount(src.c_str(), fd_path(target.get()), m.type.empty() ? nullptr : m.type.c_str(), o.flags,
             o.data_string(), where + ": remount " + m.destination);
}

void mount_new(int root_fd, const spec::Mount& m, const MountOptions& o, const std::string& where) {
    Fd target = open_in_root(root_fd, m.destination, Create::dir);
    Fd mnt = make_fs_mount(m, o, target.get(), where);
    attach(mnt.get(), target.get(), where + ": mount " + m.type + " on " + m.destination);
}

// The config's cgroup mount: the host's hierarchies, each as its own mount
// under a tmpfs on v1/hybrid, or the cgroup2 root on pure v2. With a cgroup
// namespace the kernel shows the container's cgroup as the root; without one
// the container's own cgroup dirs are bind-mounted.
void mount_cgroups(int root_fd, const spec::Mount& m, const MountOptions& o, const RootfsContext& ctx,
                   const std::string& where) {
    const unsigned long base = o.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
    auto mount_one = [&](const CgroupMount& cg, const std::string& dest) {
        Fd t = open_in_root(root_fd, dest, Create::dir);
        std::string target = fd_path(t.get());
        if (ctx.new_cgroup_ns) {
            if (::mount("cgroup", target.c_str(), cg.fstype.c_str(), base,
                        cg.options.empty() ? nullptr : cg.options.c_str()) == 0)
                return;
            if (errno != EPERM && errno != EBUSY) throw_errno(where + ": mount " + cg.fstype + " on " + dest);
        }
        do_mount(cg.host_dir.c_str(), target, nullptr, MS_BIND | MS_REC, {},
                 where + ": bind " + cg.host_dir + " on " + dest);
    };
    std::vector<std::string> mounted;
    if (ctx.cgroups.size() == 1 && ctx.cgroups[0].name.empty()) {
        mount_one(ctx.cgroups[0], m.destination);
        mounted.push_back(m.destination);
    } else {
        Fd t = open_in_root(root_fd, m.destination, Create::dir);
        do_mount("tmpfs", fd_path(t.get()), "tmpfs", base, "mode=755",
                 where + ": mount tmpfs on " + m.destination);
        for (const auto& cg : ctx.cgroups) {
            std::string dest = join_path(m.destination, cg.name);
            mount_one(cg, dest);
            mounted.push_back(dest);
        }
        mounted.push_back(m.destination);
    }
    if (o.flags & MS_RDONLY) {
        for (const auto& dest : mounted) {
            Fd t = reopen(root_fd, dest);
            std::string target = fd_path(t.get());
            do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | current_flags(target), {},
                     where + ": remount " + dest + " read-only");
        }
    }
}

}  // namespace

void mount_entry(int root_fd, const spec::Mount& m, size_t index, const RootfsContext& ctx) {
    const std::string where = "mounts[" + std::to_string(index) + "]";
    if (m.destination.empty() || m.destination[0] != '/')
        throw Error(where + ".destination: must be an absolute path, got \"" + m.destination + "\"");
    MountOptions o = parse_mount(m, where);
    if (readonly_deferred(*ctx.config, index)) o.flags &= ~MS_RDONLY;

    if (o.is_bind) {
        mount_bind(root_fd, m, index, o, ctx, where);
    } else if ((m.type == "cgroup" || m.type == "cgroup2") && !ctx.cgroups.empty()) {
        mount_cgroups(root_fd, m, o, ctx, where);
    } else if (m.type == "cgroup" || m.type == "cgroup2") {
        // No container cgroup: rootless without a delegated one (cgroups/none.cpp).
        // Its user namespace may not mount a cgroup hierarchy; the host's tree
        // is bound in, read-only, as what the user sees anyway.
        spdlog::debug("{}: no container cgroup; binding the host's /sys/fs/cgroup", where);
        Fd target = open_in_root(root_fd, m.destination, Create::dir);
        do_mount("/sys/fs/cgroup", fd_path(target.get()), nullptr, MS_BIND | MS_REC, {},
                 where + ": bind the host's /sys/fs/cgroup on " + m.destination);
        bind_remount(root_fd, m.destination, o, where);
    } else if (o.flags & MS_REMOUNT) {
        mount_remount(root_fd, m, o, where);
    } else {
        try {
            mount_new(root_fd, m, o, where);
        } catch (const Error& e) {
            // A user namespace may mount sysfs only with a network namespace of its
            // own; without one the host's /sys is bound in instead (as runc 1.2 does).
            if (m.type != "sysfs" || !ctx.new_user_ns || e.code() != EPERM) throw;
            spdlog::debug("{}: sysfs refused in this user namespace; binding the host's /sys", where);
            Fd target = open_in_root(root_fd, m.destination, Create::dir);
            do_mount("/sys", fd_path(target.get()), nullptr, MS_BIND | MS_REC, {},
                     where + ": bind the host's /sys on " + m.destination);
            bind_remount(root_fd, m.destination, o, where);
        }
    }
    apply_recursive(root_fd, m.destination, o, where);
    apply_propagation(root_fd, m.destination, o, where);
}

namespace {

// `path` is `dir` or below it (both as mounts[] destinations: absolute).
bool is_under(const std::string& path, const std::string& dir) {
    std::string p = clean_path(path), d = clean_path(dir);
    if (d == "/") return true;
    return p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 && p[d.size()] == '/');
}

}  // namespace

bool readonly_deferred(const spec::Config& c, size_t index) {
    const spec::Mount& m = c.mounts[index];
    MountOptions o = parse_mount(m, "mounts[" + std::to_string(index) + "]");
    if (!(o.flags & MS_RDONLY) || (o.flags & MS_REMOUNT)) return false;
    if (m.type == "cgroup" || m.type == "cgroup2") return false;  // mount_cgroups makes it read-only
    if (clean_path(m.destination) == "/dev") return true;
    for (size_t j = index + 1; j < c.mounts.size(); ++j) {
        const std::string& d = c.mounts[j].destination;
        if (is_under(d, m.destination) && clean_path(d) != clean_path(m.destination)) return true;
    }
    return false;
}

void remount_deferred_readonly(const spec::Config& c) {
    Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open /");
    for (size_t i = 0; i < c.mounts.size(); ++i) {
        if (!readonly_deferred(c, i)) continue;
        const std::string where = "mounts[" + std::to_string(i) + "]";
        Fd t = with_context(where, [&] { return open_in_root(root.get(), c.mounts[i].destination, Create::none); });
        std::string target = fd_path(t.get());
        do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | current_flags(target), {},
                 where + ": remount " + c.mounts[i].destination + " read-only");
    }
}

}  // namespace ocirt::linux_
