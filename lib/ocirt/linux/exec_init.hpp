#pragma once
// The child of `exec`: joins the namespaces of the container's init (the
// parent already entered its pid and time namespaces for its children, and
// put the child in the container's cgroup), then sets the process up as the
// init's was and execs it. Success closes the (close-on-exec) sync socket;
// any failure is sent on it first.
#include <utility>
#include <vector>

#include "ocirt/linux/process_setup.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

struct ExecContext {
    ProcessSetup setup;  // process, linux, seccomp, sync, preserve_fds
    // Namespaces to join, the user namespace first; fds opened by the parent
    // from /proc/<init>/ns.
    std::vector<std::pair<spec::NamespaceType, int>> namespaces;
    int console_socket = -1;  // connected, when process.terminal
};

// Runs in the child under run_in_child (linux/launch.cpp): it execs or throws.
void exec_init(const ExecContext& ctx);

}  // namespace ocirt::linux_
