#pragma once
// `exec`'s options (Container::exec, in exec.cpp): a new process in a running
// container. It joins every namespace and the cgroup of the container's init,
// and gets the container's seccomp filter plus its own process settings
// (capabilities, user, rlimits, no_new_privs, labels, terminal).
#include "ocirt/linux/cgroups/sub_cgroups.hpp"
#include "ocirt/process.hpp"

namespace ocirt {

struct ExecOptions {
    Process process;  // spec: from --process or the flags; console_socket, pid_file, preserve_fds
    bool detach = false;
    bool ignore_paused = false;
    cgroups::SubCgroups sub_cgroups;  // --cgroup: a sub-cgroup of the container's to join
};

}  // namespace ocirt
