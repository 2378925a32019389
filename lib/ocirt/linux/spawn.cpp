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

// clone3 into the cgroup2 dir when there is one; a cgroup that refuses it
// (controllers that forbid it, a user namespace without the right to) is
// joined later by add_process instead.
pid_t clone_into(uint64_t flags, int cgroup_fd) {
    pid_t pid = clone3_fork(flags, cgroup_fd);
    if (pid < 0 && cgroup_fd >= 0 && errno != ENOMEM) pid = clone3_fork(flags, -1);
    return pid;
}

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

pid_t spawn_in(const Fd& pid_ns, const Fd& time_ns, int cgroup_fd, const std::function<void()>& child) {
    ForChildren in_pid(pid_ns, CLONE_NEWPID, "pid");
    ForChildren in_time(time_ns, CLONE_NEWTIME, "time");
    pid_t pid = clone_into(0, cgroup_fd);
    if (pid < 0) throw_errno("clone the exec process");
    if (pid == 0) child();
    ChildGuard guard(pid);
    in_time.leave();
    in_pid.leave();
    return guard.release();
}

namespace {

// In the intermediate: joins the cgroup and the namespaces, clones the child
// as a sibling (CLONE_PARENT: it is the caller's child) and returns its pid.
pid_t clone_from_intermediate(const NamespacePlan& plan, const CgroupBirth& cg, bool join_thread,
                              const std::function<void()>& child, const char* what) {
    if (join_thread) cg.join_thread();
    join_namespaces(plan, /*for_children_only=*/true);
    unshare_time_with_offsets(plan);
    pid_t pid = clone_into(plan.clone_flags | CLONE_PARENT, cg.fd);
    if (pid < 0) throw_errno(what);
    if (pid == 0) child();
    return pid;
}

}  // namespace

pid_t spawn_init(const NamespacePlan& plan, const CgroupBirth& cg, ParentChannel& parent_sock,
                 ChildChannel& child_sock, const std::function<void()>& child) {
    const char* what = "clone the container init";
    if (cg.join_thread) {
        try {
            return via_intermediate(parent_sock, child_sock,
                                    [&] { return clone_from_intermediate(plan, cg, true, child, what); });
        } catch (const Error& e) {
            // A pids limit counts the intermediate too, and may leave no room
            // for the init beside it: then the init joins after its clone.
            if (e.code() != EAGAIN) throw;
        }
    }
    if (!plan.needs_intermediate()) {
        pid_t pid = clone_into(plan.clone_flags, cg.fd);
        if (pid < 0) throw_errno(what);
        if (pid == 0) child();
        return pid;
    }
    return via_intermediate(parent_sock, child_sock,
                            [&] { return clone_from_intermediate(plan, cg, false, child, what); });
}

pid_t spawn_in_via_intermediate(const Fd& user_ns, const Fd& pid_ns, const Fd& time_ns, const CgroupBirth& cg,
                                ParentChannel& parent_sock, ChildChannel& child_sock,
                                const std::function<void()>& child) {
    auto attempt = [&](bool join_thread) {
        return via_intermediate(parent_sock, child_sock, [&] {
            if (join_thread) cg.join_thread();
            // The user namespace first: it owns the others, and gives the
            // capabilities their setns needs.
            if (user_ns && ::setns(user_ns.get(), CLONE_NEWUSER) != 0)
                throw_errno("join the container's user namespace");
            if (pid_ns && ::setns(pid_ns.get(), CLONE_NEWPID) != 0) throw_errno("enter the container's pid namespace");
            if (time_ns && ::setns(time_ns.get(), CLONE_NEWTIME) != 0)
                throw_errno("enter the container's time namespace");
            pid_t pid = clone_into(CLONE_PARENT, cg.fd);
            if (pid < 0) throw_errno("clone the exec process");
            if (pid == 0) child();
            return pid;
        });
    };
    if (cg.join_thread) {
        try {
            return attempt(true);
        } catch (const Error& e) {
            if (e.code() != EAGAIN) throw;  // a full pids limit counted the intermediate: join after
        }
    }
    return attempt(false);
}

}  // namespace ocirt::linux_
