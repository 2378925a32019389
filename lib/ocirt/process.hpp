#pragma once
// Process: what a container runs and how its I/O is wired. Built from
// config.json's process for the init (and, later, from --process for exec).
#include <optional>
#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt {

struct Process {
    std::optional<spec::Process> spec;  // absent: a container created without a process
    std::string console_socket;  // --console-socket: where the pty master is sent
    int console_fd = -1;         // a connected socket to send it on instead (run -t in the foreground)
    int preserve_fds = 0;        // --preserve-fds: fds 3..3+N-1 are passed on
    std::string pid_file;        // --pid-file

    bool terminal() const { return spec && spec->terminal; }
};

}  // namespace ocirt
