#pragma once
// `exec`: a new process in a running container. It joins every namespace and
// the cgroup of the container's init, and gets the container's seccomp filter
// plus its own process settings (capabilities, user, rlimits, no_new_privs,
// labels, terminal). With `detach` the caller returns once it runs;
// otherwise it stays with it as `run` does and returns its exit code.
#include <string>

#include "ocirt/container.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt {

struct ExecOptions {
    spec::Process process;
    std::string console_socket;  // --console-socket, for a detached process with a terminal
    std::string pid_file;
    int preserve_fds = 0;
    bool detach = false;
    bool ignore_paused = false;
};

int exec_in_container(const Container& c, const ExecOptions& o);

}  // namespace ocirt
