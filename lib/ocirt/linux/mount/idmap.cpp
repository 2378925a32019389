#include "ocirt/linux/mount/idmap.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "ocirt/linux/child.hpp"
#include "ocirt/linux/mount/attr.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

std::string render(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps)
        out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
               std::to_string(m.size) + "\n";
    return out;
}

// A child that unshares a user namespace, says which /proc/<pid> is its own
// (the pid as this /proc counts it: the caller may be in another pid
// namespace than its /proc), then waits until `release` is closed.
class UsernsChild {
public:
    UsernsChild() {
        int report[2], hold[2];
        if (::pipe2(report, O_CLOEXEC) != 0) throw_errno("pipe");
        Fd report_r(report[0]), report_w(report[1]);
        if (::pipe2(hold, O_CLOEXEC) != 0) throw_errno("pipe");
        Fd hold_r(hold[0]);
        release_.reset(hold[1]);
        pid_t pid = ::fork();
        if (pid < 0) throw_errno("fork");
        // The child makes only async-signal-safe calls and cannot throw.
        if (pid == 0) child(report_w.get(), hold_r.get(), release_.get());
        child_ = ChildGuard(pid);
        report_w.reset();
        hold_r.reset();
        char buf[64];
        size_t len = 0;
        for (;;) {
            ssize_t n = ::read(report_r.get(), buf + len, sizeof buf - 1 - len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            len += static_cast<size_t>(n);
        }
        std::string got(buf, len);
        if (got.empty() || got[0] == 'E') {
            int err = got.empty() ? ECHILD : std::atoi(got.c_str() + 1);
            throw Error(err, "new user namespace");
        }
        proc_ = "/proc/" + got;
    }
    ~UsernsChild() { release_.reset(); }  // then child_ kills and reaps it
    UsernsChild(const UsernsChild&) = delete;
    UsernsChild& operator=(const UsernsChild&) = delete;

    const std::string& proc() const { return proc_; }

private:
    // Only async-signal-safe calls after fork.
    [[noreturn]] static void child(int report, int hold, int release) {
        ::close(release);
        char buf[64];
        if (::unshare(CLONE_NEWUSER) != 0) {
            int err = errno, n = 0;
            char digits[16];
            do digits[n++] = static_cast<char>('0' + err % 10);
            while ((err /= 10) > 0 && n < 15);
            buf[0] = 'E';
            for (int i = 0; i < n; ++i) buf[1 + i] = digits[n - 1 - i];
            (void)!::write(report, buf, static_cast<size_t>(n + 1));
            ::_exit(1);
        }
        ssize_t n = ::readlink("/proc/self", buf, sizeof buf);
        if (n > 0) (void)!::write(report, buf, static_cast<size_t>(n));
        ::close(report);
        char c;
        while (::read(hold, &c, 1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }

    ChildGuard child_;
    Fd release_;
    std::string proc_;
};

const spec::Namespace* user_namespace(const spec::Config& c) {
    if (!c.linux) return nullptr;
    for (const auto& ns : c.linux->namespaces)
        if (ns.type == spec::NamespaceType::user) return &ns;
    return nullptr;
}

}  // namespace

Fd make_userns(const std::vector<spec::IdMapping>& uids, const std::vector<spec::IdMapping>& gids,
               const std::string& uid_field, const std::string& gid_field) {
    UsernsChild child;
    // One write(2) each: the kernel takes a map only once.
    with_context(uid_field, [&] { write_existing(child.proc() + "/uid_map", render(uids)); });
    with_context(gid_field, [&] { write_existing(child.proc() + "/gid_map", render(gids)); });
    Fd ns(::open((child.proc() + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw_errno("open " + child.proc() + "/ns/user");
    return ns;
}

Fd mount_userns(const spec::Mount& m, const spec::Config& c, const std::string& where) {
    if (!m.uid_mappings.empty())
        return make_userns(m.uid_mappings, m.gid_mappings, where + ".uidMappings", where + ".gidMappings");
    const spec::Namespace* user = user_namespace(c);
    if (!user) throw Error(where + ".options: idmap needs uidMappings and gidMappings or a user namespace");
    if (!user->path.empty()) {
        Fd ns(::open(user->path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!ns) throw_errno(where + ": the container's user namespace " + user->path);
        return ns;
    }
    return make_userns(c.linux->uid_mappings, c.linux->gid_mappings, "linux.uidMappings",
                       "linux.gidMappings");
}

Fd open_idmapped_tree(const std::string& source, const MountOptions& o, int userns_fd,
                      const std::string& where) {
    unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.recursive_bind() ? AT_RECURSIVE : 0);
    Fd tree(::open_tree(AT_FDCWD, source.c_str(), flags));
    if (!tree) throw_errno(where + ".source: " + source);
    try {
        set_mount_idmap(tree.get(), userns_fd, o.idmap_recursive, where + ": idmap " + source);
    } catch (const Error& e) {
        if (e.code() != EINVAL) throw;
        throw Error(EINVAL,
                    where + ": idmap " + source +
                        " (a filesystem that does not support idmapped mounts, or a mapping it refuses)");
    }
    return tree;
}

}  // namespace ocirt::linux_
