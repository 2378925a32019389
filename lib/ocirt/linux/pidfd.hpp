#pragma once
// Process identity and signalling that survive pid reuse: a process is the
// container's only if its start time (field 22 of /proc/PID/stat) matches the
// one recorded at create; signals go through a pidfd.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// Start time in clock ticks since boot, or 0 if the process does not exist.
uint64_t process_start_time(pid_t pid);
// The process exists, is not a zombie, and started at `start_time`.
bool process_alive(pid_t pid, uint64_t start_time);

// --pidfd-socket (runc 1.2+): a pidfd of `pid` (a child of the caller, not yet
// reaped, so the pid is that process) sent over the connected unix socket `sock`
// with SCM_RIGHTS; the data is `kind`, as runc's: "standard" for a container's
// init, "setns" for an exec'd process.
void send_pidfd(int sock, pid_t pid, const std::string& kind);

class PidFd {
public:
    // Opens a pidfd for `pid` and checks it is still the process that started
    // at `start_time`; invalid() if it has gone.
    static PidFd open(pid_t pid, uint64_t start_time);
    bool valid() const { return fd_.valid(); }
    int get() const { return fd_.get(); }
    // Sends `sig`; false if the process is already gone (ESRCH).
    bool signal(int sig) const;
    // Waits up to timeout_ms for the process to exit (zombies count as exited).
    bool wait_exit(int timeout_ms) const;

private:
    Fd fd_;
};

}  // namespace ocirt::linux_
