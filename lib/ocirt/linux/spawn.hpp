#pragma once
// Starts the container's init: a clone3 of this process (no re-exec: the
// child goes on in the same image, so the parent must be single-threaded)
// into the namespaces of the plan. Joins of user, pid and time namespaces go
// through a short-lived intermediate that enters them and clones the init
// with CLONE_PARENT, so the init is still our child.
#include <sys/types.h>

#include <functional>

#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/channel.hpp"

namespace ocirt::linux_ {

// Where a clone's child is born, so that it need not join its cgroup after
// (cgroups/manager.hpp, join_calling_thread, says why that matters): `fd`, a
// cgroup2 dir for CLONE_INTO_CGROUP (-1: none); `join_thread`, if set, runs in
// a short-lived intermediate before it clones the child (the v1 hierarchies).
// Whatever fails over is left to the caller's add_process.
struct CgroupBirth {
    int fd = -1;
    std::function<void()> join_thread;
};

// `child` runs in the init and does not return (launch.cpp gives it run_in_child).
// `child_sock` is the init's end of the sync socket: the intermediate reports
// the init's pid on it. Returns the init's pid as this process sees it.
pid_t spawn_init(const NamespacePlan& plan, const CgroupBirth& cgroup, ParentChannel& parent_sock,
                 ChildChannel& child_sock, const std::function<void()>& child);

// exec's clone: the child is born in the pid and time namespaces of `pid_ns`
// and `time_ns` (fds of the init's; an invalid one: stay in ours), which this
// process enters for its children and leaves again (failing to leave is an
// error: the child is killed), and in the cgroup2 dir `cgroup_fd` (-1: none).
// `child` runs in it and does not return.
pid_t spawn_in(const Fd& pid_ns, const Fd& time_ns, int cgroup_fd, const std::function<void()>& child);

// exec's clone through an intermediate, which joins the cgroup (cg, as
// spawn_init's), then the container's user namespace (when there is one: it
// gives the capabilities the next setns needs), then the pid and time
// namespaces (optional fds) and clones the process with CLONE_PARENT; its pid
// comes back on the channel as spawn_init's. No one has to come back: rootless
// may not setns back into a pid namespace the host's user namespace owns
// (rootless podman's case).
pid_t spawn_in_via_intermediate(const Fd& user_ns, const Fd& pid_ns, const Fd& time_ns, const CgroupBirth& cg,
                                ParentChannel& parent_sock, ChildChannel& child_sock,
                                const std::function<void()>& child);

// Raw clone3 with fork semantics (no new stack); -1 and errno on failure.
pid_t clone3_fork(uint64_t flags, int cgroup_fd);

}  // namespace ocirt::linux_
