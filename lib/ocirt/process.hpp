#pragma once
// Process: what a container process runs and how its I/O is wired, for the
// init (spec from config.json's process, filled in by create) and for exec
// (spec from --process or exec's flags).
#include <optional>
#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt {

struct Process {
    std::optional<spec::Process> spec;  // absent: a container created without a process
    std::string console_socket;  // --console-socket: where the pty master is sent
    int console_fd = -1;         // a connected socket to send it on instead (run -t in the foreground)
    int listen_fds = 0;          // socket activation: fds 3..3+N-1 passed on with LISTEN_FDS=N
    int preserve_fds = 0;        // --preserve-fds: the N fds after those are passed on too
    std::string pid_file;        // --pid-file
    std::string pidfd_socket;    // --pidfd-socket: where the process' pidfd is sent

    bool terminal() const { return spec && spec->terminal; }
};

// Socket activation (sd_listen_fds): N when LISTEN_PID is this process and
// LISTEN_FDS=N, else 0. runc passes those fds on and tells the container.
int listen_fds_from_env();

}  // namespace ocirt
