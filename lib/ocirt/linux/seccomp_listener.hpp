#pragma once
// linux.seccomp.listenerPath: the runtime connects to the agent's unix socket
// and sends the "container process state" (runtime-spec state.md) as JSON with
// the seccomp notify fd attached (SCM_RIGHTS), listed in "fds" as "seccompFd".
#include <sys/types.h>

#include <map>
#include <string>

namespace ocirt::linux_ {

struct ListenerState {
    std::string oci_version;  // the runtime's spec version
    std::string id;
    pid_t pid = 0;
    std::string bundle;
    std::string status = "creating";
    std::map<std::string, std::string> annotations;
};

void send_to_seccomp_listener(const std::string& listener_path, const std::string& metadata,
                              const ListenerState& state, int notify_fd);

}  // namespace ocirt::linux_
