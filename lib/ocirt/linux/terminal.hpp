#pragma once
// process.terminal: the init opens a pty in the container's own devpts,
// makes the slave its stdio and controlling terminal and /dev/console, and
// sends the master over the console socket (SCM_RIGHTS), where `run` or the
// engine's --console-socket receiver picks it up.
#include <sys/types.h>

#include <optional>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// Runs in the init after the root changed. `console_sock` is connected.
// `owner`: process.user.uid, which gets the slave (its group stays the one
// devpts gave it, the tty group with "gid=5"), as runc does.
// bind_console: make it /dev/console too (the init; not an exec'd process).
void setup_terminal(int console_sock, const std::optional<spec::ConsoleSize>& size, uid_t owner,
                    bool bind_console = true);

}  // namespace ocirt::linux_
