#pragma once
// The container's init, from the clone to the execve of process.args. It runs
// in the cloned child, in the same image as the runtime; every failure goes
// back to the parent over the sync socket (run_in_child) and the init exits.
#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/mount/rootfs.hpp"
#include "ocirt/linux/seccomp.hpp"
#include "ocirt/linux/channel.hpp"

namespace ocirt::linux_ {

struct InitContext {
    const spec::Config* config = nullptr;
    std::string id;  // for the state the hooks get
    RootfsContext rootfs;
    NamespacePlan namespaces;
    ChildChannel* sync = nullptr;  // the init's end
    int fifo = -1;               // O_PATH fd of exec.fifo
    int console_socket = -1;     // connected; -1 without a terminal
    int listen_fds = 0;          // socket activation: fds 3..3+N-1, announced in the env
    int preserve_fds = 0;        // --preserve-fds: the next N fds are passed on too
    const SeccompProgram* seccomp = nullptr;  // compiled by the parent; null: none
};

// Runs in the child under run_in_child (linux/launch.cpp): it execs, _exits,
// or throws, never returns.
void container_init(const InitContext& ctx);

}  // namespace ocirt::linux_
