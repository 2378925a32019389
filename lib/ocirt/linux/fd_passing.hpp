#pragma once
// Passing an fd over a unix socket (SCM_RIGHTS) with `data` as the message:
// the pty master with its name for a --console-socket, a seccomp listener with
// the state JSON for listenerPath, the relay's end for run/exec -t.
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// A stream socket connected to the unix socket at `path` (--console-socket,
// linux.seccomp.listenerPath); errors start with `what`.
Fd connect_unix(const std::string& path, const std::string& what);

void send_fd(int sock, int fd, const std::string& data);
Fd recv_fd(int sock);

}  // namespace ocirt::linux_
