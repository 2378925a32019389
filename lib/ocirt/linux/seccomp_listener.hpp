#pragma once
// linux.seccomp.listenerPath: the runtime connects to the agent's unix socket
// and sends the "container process state" (runtime-spec state.md) as JSON with
// the seccomp notify fd attached (SCM_RIGHTS), listed in "fds" as "seccompFd".
#include <sys/types.h>

#include <map>
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

class ParentChannel;

struct ListenerState {
    std::string oci_version;  // the runtime's spec version
    std::string id;
    pid_t pid = 0;
    std::string bundle;
    std::string status = "creating";
    std::map<std::string, std::string> annotations;
};

// Takes fd number `fd_in_child` out of process `pid` once it is a seccomp
// listener. Until then the process is a few syscalls away from the load:
// waits (1 ms polls) unless `sock` brings its error or it exits. Needs Linux 5.6.
Fd take_seccomp_listener(pid_t pid, ParentChannel& sock, int fd_in_child);

void send_to_seccomp_listener(const std::string& listener_path, const std::string& metadata,
                              const ListenerState& state, int notify_fd);

}  // namespace ocirt::linux_
