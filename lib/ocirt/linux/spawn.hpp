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

// `child` runs in the init and does not return (launch.cpp gives it run_in_child).
// `child_sock` is the init's end of the sync socket: the intermediate reports
// the init's pid on it. Returns the init's pid as this process sees it.
pid_t spawn_init(const NamespacePlan& plan, int cgroup_fd, ParentChannel& parent_sock,
                 ChildChannel& child_sock, const std::function<void()>& child);

// exec's clone: the child is born in the pid and time namespaces of `pid_ns`
// and `time_ns` (fds of the init's; an invalid one: stay in ours), which this
// process enters for its children and leaves again (failing to leave is an
// error: the child is killed). `child` runs in it and does not return.
pid_t spawn_in(const Fd& pid_ns, const Fd& time_ns, const std::function<void()>& child);

// exec's clone for a rootless caller: an intermediate joins the container's
// user namespace first (when there is one: it gives the capabilities the
// next setns needs), then enters the pid and time namespaces (optional fds)
// and clones the process with CLONE_PARENT; its pid comes back on the channel
// as spawn_init's. No one has to come back: rootless may not setns back into
// a pid namespace the host's user namespace owns (rootless podman's case).
pid_t spawn_in_userns(const Fd& user_ns, const Fd& pid_ns, const Fd& time_ns, ParentChannel& parent_sock,
                      ChildChannel& child_sock, const std::function<void()>& child);

// Raw clone3 with fork semantics (no new stack); -1 and errno on failure.
pid_t clone3_fork(uint64_t flags, int cgroup_fd);

}  // namespace ocirt::linux_
