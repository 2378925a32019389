#include "ocirt/linux/spawn.hpp"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

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

[[noreturn]] static void run_child(const std::function<void()>& child) {
    child();
    ::_exit(127);
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
        if (pid == 0) run_child(child);
        return pid;
    }

    pid_t mid = static_cast<pid_t>(::fork());
    if (mid < 0) throw_errno("fork the namespace-joining intermediate");
    if (mid == 0) {
        try {
            join_namespaces(plan, /*for_children_only=*/true);
            unshare_time_with_offsets(plan);
            pid_t pid = clone3_fork(plan.clone_flags | CLONE_PARENT, -1);
            if (pid < 0) throw_errno("clone the container init");
            if (pid == 0) run_child(child);
            child_sock.child_pid(pid);
            ::_exit(0);
        } catch (const Error& e) {
            try {
                child_sock.error(e.code(), e.what());
            } catch (...) {
            }
            ::_exit(1);
        }
    }
    int status = 0;
    while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {
    }
    return parent_sock.child_pid();
}

}  // namespace ocirt::linux_
