#pragma once
// The barrier of a child cloned without exec (fork semantics): it shares the
// parent's image, so an exception escaping its entry would unwind into the
// frames the parent was in at the clone and run their destructors in the
// child: create's rollback would remove the cgroup and the state dir the
// parent still uses, a test runner would go on running tests. run_in_child is
// the only way into a child: it catches everything, reports it, and _exits.
#include <functional>
#include <string>

#include "ocirt/linux/channel.hpp"

namespace ocirt::linux_ {

// The exit status of an init or exec child that failed before its execve.
inline constexpr int kChildFailed = 127;

// Runs `body` in the child and _exits: 0 if it returns; `failure_status` if it
// throws, after sending the error on `ch` (ocirt's Error with its errno, any
// other std::exception with its what(), anything else as "unknown exception").
// Once `ch` is closed (the init after `ready`), the message goes to stderr
// instead, which is the container's by then.
[[noreturn]] void run_in_child(ChildChannel& ch, int failure_status, const std::function<void()>& body) noexcept;

// "exit status N" or "killed by <signal>", for a waitpid status.
std::string describe_wait_status(int status);

}  // namespace ocirt::linux_
