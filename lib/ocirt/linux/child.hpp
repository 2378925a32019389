#pragma once
// The barrier of a child cloned without exec (fork semantics): it shares the
// parent's image, so an exception escaping its entry would unwind into the
// frames the parent was in at the clone and run their destructors in the
// child: create's rollback would remove the cgroup and the state dir the
// parent still uses, a test runner would go on running tests. run_in_child is
// the only way into a child: it catches everything, reports it, and _exits.
#include <sys/types.h>

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

// Kills (SIGKILL) and reaps a child on the way out unless released: a child
// the parent gave up on is never left behind, and a reaped one never killed
// (its pid may be another process's by then).
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid = -1) noexcept : pid_(pid) {}
    ChildGuard(ChildGuard&& o) noexcept : pid_(o.release()) {}
    ChildGuard& operator=(ChildGuard&& o) noexcept;
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ~ChildGuard() { kill_and_reap(); }

    pid_t pid() const noexcept { return pid_; }
    // If the child has exited: reaps it and says how (" (exit status 1)"); else "".
    std::string reap_if_exited();
    pid_t release() noexcept;

private:
    void kill_and_reap() noexcept;
    pid_t pid_;
};

// "exit status N" or "killed by <signal>", for a waitpid status.
std::string describe_wait_status(int status);

}  // namespace ocirt::linux_
