// mounts[]: each entry mounted onto a target resolved inside the rootfs.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "ocirt/linux/mount_options.hpp"
#include "ocirt/linux/rootfs.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

// Flags a bind remount must keep: in a user namespace the kernel refuses to
// drop the locked ones, and elsewhere they are what the user did not change.
unsigned long current_flags(const std::string& target) {
    struct statvfs sv;
    if (::statvfs(target.c_str(), &sv) != 0) throw_errno("statvfs " + target);
    unsigned long f = 0;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

void do_mount(const char* src, const std::string& target, const char* type, unsigned long flags,
              const std::string& data, const std::string& what) {
    if (::mount(src, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0)
        throw_errno(what);
}

// After mounting, the O_PATH fd still names the dentry under the new mount:
// re-resolve so remounts and propagation changes hit the new mount.
Fd reopen(int root_fd, const std::string& dest) { return open_in_root(root_fd, dest, Create::none); }

void apply_propagation(int root_fd, const std::string& dest, const MountOptions& o,
                       const std::string& where) {
    if (o.propagation.empty()) return;
    Fd t = reopen(root_fd, dest);
    for (unsigned long p : o.propagation)
        do_mount(nullptr, fd_path(t.get()), nullptr, p, {}, where + ": set propagation");
}

void bind_remount(int root_fd, const std::string& dest, const MountOptions& o, const std::string& where) {
    const unsigned long changeable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                     MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
    if (!((o.flags | o.clear) & changeable)) return;
    Fd t = reopen(root_fd, dest);
    std::string target = fd_path(t.get());
    unsigned long flags = (current_flags(target) & ~o.clear) | (o.flags & changeable);
    do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | flags, {}, where + ": remount");
}

std::string host_source(const std::string& source, const RootfsContext& ctx) {
    if (source.empty() || source[0] == '/') return source;
    return join_path(ctx.bundle, source);
}

void mount_bind(int root_fd, const spec::Mount& m, const MountOptions& o, const RootfsContext& ctx,
                const std::string& where) {
    std::string src = host_source(m.source, ctx);
    if (src.empty()) throw Error(where + ".source: required for a bind mount");
    struct stat st;
    if (::stat(src.c_str(), &st) != 0) throw_errno(where + ".source: " + src);
    Fd target = open_in_root(root_fd, m.destination, S_ISDIR(st.st_mode) ? Create::dir : Create::file);
    do_mount(src.c_str(), fd_path(target.get()), nullptr, MS_BIND | (o.flags & MS_REC), {},
             where + ": bind " + src + " on " + m.destination);
    bind_remount(root_fd, m.destination, o, where);
    apply_propagation(root_fd, m.destination, o, where);
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
            do_mount(nullptr, target, nullptr,
                     MS_BIND | MS_REMOUNT | MS_RDONLY | current_flags(target), {},
                     where + ": remount " + dest + " read-only");
        }
    }
}

}  // namespace

void mount_entry(int root_fd, const spec::Mount& m, size_t index, const RootfsContext& ctx) {
    const std::string where = "mounts[" + std::to_string(index) + "]";
    if (m.destination.empty() || m.destination[0] != '/')
        throw Error(where + ".destination: must be an absolute path, got \"" + m.destination + "\"");
    MountOptions o = parse_mount_options(m.options, where + ".options");

    if (m.type == "bind" || o.bind()) return mount_bind(root_fd, m, o, ctx, where);
    if ((m.type == "cgroup" || m.type == "cgroup2") && !ctx.cgroups.empty())
        return mount_cgroups(root_fd, m, o, ctx, where);

    Fd target = open_in_root(root_fd, m.destination, Create::dir);
    std::string src = m.source.empty() ? m.type : m.source;
    unsigned long flags = o.flags & ~MS_REMOUNT;
    if (o.flags & MS_REMOUNT) flags |= MS_REMOUNT;
    do_mount(src.c_str(), fd_path(target.get()), m.type.empty() ? nullptr : m.type.c_str(), flags,
             o.data, where + ": mount " + (m.type.empty() ? "" : m.type + " ") + "on " + m.destination);
    apply_propagation(root_fd, m.destination, o, where);
}

}  // namespace ocirt::linux_
