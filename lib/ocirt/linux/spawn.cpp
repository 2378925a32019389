#include "ocirt/linux/spawn.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "ocirt/linux/child.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

pid_t clone3_fork(uint64_t flags, int cgroup_fd) {
    clone_args args;
    std::memset(&args, 0, sizeof args);
    args.flags = flags;
    if (!(flags & CLONE_PARENT)) args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

namespace {

// Enters `target` for the children of this process until leave().
class ForChildren {
public:
    ForChildren(const Fd& target, int type, const char* name) : type_(type), name_(name) {
        if (!target) return;
        saved_.reset(::open((std::string("/proc/self/ns/") + name).c_str(), O_RDONLY | O_CLOEXEC));
        if (!saved_) throw_errno(std::string("open our own ") + name + " namespace");
        if (::setns(target.get(), type) != 0) {
            saved_.reset();
            throw_errno(std::string("enter the container's ") + name + " namespace");
        }
    }
    void leave() {
        if (!saved_) return;
        Fd saved = std::move(saved_);
        if (::setns(saved.get(), type_) != 0)
            throw_errno(std::string("go back to our own ") + name_ + " namespace");
    }
    // On an error path only: the error already on its way says more.
    ~ForChildren() {
        if (saved_) (void)::setns(saved_.get(), type_);
    }

private:
    int type_;
    const char* name_;
    Fd saved_;
};

// Forks an intermediate that runs `body` (which clones the real child with
// CLONE_PARENT, so it is our child, and returns its pid), reports that pid on
// child_sock and exits; returns the pid as read from parent_sock.
pid_t via_intermediate(ParentChannel& parent_sock, ChildChannel& child_sock, const std::function<pid_t()>& body) {
    pid_t mid = static_cast<pid_t>(::fork());
    if (mid < 0) throw_errno("fork the namespace-joining intermediate");
    if (mid == 0) run_in_child(child_sock, 1, [&] { child_sock.child_pid(body()); });
    int status = 0;
    pid_t w;
    do w = ::waitpid(mid, &status, 0);
    while (w < 0 && errno == EINTR);
    if (w < 0) throw_errno("wait for the namespace-joining intermediate");
    // It is gone: whatever it sent is queued. Without a message its status says why.
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && !parent_sock.pending())
        throw Error("namespace-joining intermediate failed (" + describe_wait_status(status) + ")");
    return parent_sock.child_pid();
}

}  // namespace

pid_t spawn_in(const Fd& pid_ns, const Fd& time_ns, const std::function<void()>& child) {
    ForChildren in_pid(pid_ns, CLONE_NEWPID, "pid");
    ForChildren in_time(time_ns, CLONE_NEWTIME, "time");
    pid_t pid = clone3_fork(0, -1);
    if (pid < 0) throw_errno("clone the exec process");
    if (pid == 0) child();
    ChildGuard guard(pid);
    in_time.leave();
    in_pid.leave();
    return guard.release();
}

pid_t spawn_init(const NamespacePlan& plan, int cgroup_fd, ParentChannel& parent_sock,
                 ChildChannel& child_sock, const std::function<void()>& child) {
    if (!plan.needs_intermediate()) {
        pid_t pid = clone3_fork(plan.clone_flags, cgroup_fd);
        if (pid < 0 && cgroup_fd >= 0 && errno != ENOMEM) {
            // e.g. a cgroup with controllers that forbid it: join it later instead.
            pid = clone3_fork(plan.clone_flags, -1);
        }
        if (pid < 0) throw_errno("clone the container init");
        if (pid == 0) child();
        return pid;
    }

    return via_intermediate(parent_sock, child_sock, [&] {
        join_namespaces(plan, /*for_children_only=*/true);
        unshare_time_with_offsets(plan);
        pid_t pid = clone3_fork(plan.clone_flags | CLONE_PARENT, -1);
        if (pid < 0) throw_errno("clone the container init");
        if (pid == 0) child();
        return pid;
    });
}

pid_t spawn_in_userns(const Fd& user_ns, const Fd& pid_ns, const Fd& time_ns, ParentChannel& parent_sock,
                      ChildChannel& child_sock, const std::function<void()>& child) {
    return via_intermediate(parent_sock, child_sock, [&] {
        // The user namespace first: it owns the others, and gives the
        // capabilities their setns needs.
        if (user_ns && ::setns(user_ns.get(), CLONE_NEWUSER) != 0)
            throw_errno("join the container's user namespace");
        if (pid_ns && ::setns(pid_ns.get(), CLONE_NEWPID) != 0) throw_errno("enter the container's pid namespace");
        if (time_ns && ::setns(time_ns.get(), CLONE_NEWTIME) != 0)
            throw_errno("enter the container's time namespace");
        pid_t pid = clone3_fork(CLONE_PARENT, -1);
        if (pid < 0) throw_errno("clone the exec process");
        if (pid == 0) child();
        return pid;
    });
}

}  // namespace ocirt::linux_
