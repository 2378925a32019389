#pragma once
// Talking to CRIU as runc does: `criu swrk FD` is started as ocirt's child
// with one end of a SOCK_SEQPACKET socketpair; ocirt sends one request
// (protobuf, criu_rpc.proto), answers the notifications CRIU sends while it
// works (network lock/unlock, setup-namespaces, post-restore, ...) and reads
// the final response. CRIU's own log goes to the work dir (Request::log_file).
#include <sys/types.h>

#include <functional>
#include <string>

#include "ocirt/linux/criu/request.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_::criu {

// The criu binary: $OCIRT_CRIU, else "criu" searched in PATH. Throws
// (ENOENT) "criu not found ..." when there is none.
std::string criu_binary();

struct Notification {
    std::string script;  // "network-lock", "setup-namespaces", "post-restore", ...
    pid_t pid = 0;       // the restored init's pid, where CRIU tells it
    Fd fd;               // sent with it: orphan-pts-master's pty master
};

struct Response {
    bool success = false;
    int cr_errno = 0;
    std::string errmsg;  // CRIU's cr_errmsg, if any
    pid_t restored_pid = 0;
};

struct Session {
    // Called with criu's pid once it runs, before the request is sent
    // (restore puts it in the container's cgroup here).
    std::function<void(pid_t)> on_spawn;
    // Each notification; throwing fails the request (CRIU is told, and undoes its work).
    std::function<void(Notification&)> on_notify;
};

// Runs one request. images_fd and work_fd are ocirt's fds of the image and
// work dirs (CRIU opens them through /proc). Fds without FD_CLOEXEC are
// inherited by criu (Request::inherit_fds name them). Throws when criu
// cannot be started or the conversation breaks; CRIU's own failure comes back
// as a Response with success false. A notification handler's exception is
// rethrown after criu has exited.
Response run(const Request& r, int images_fd, int work_fd, const Session& s);

// `criu check`: whether CRIU can work on this kernel; `output` gets what it
// printed (its reasons). Throws when criu cannot be started.
bool check(std::string& output);

}  // namespace ocirt::linux_::criu
