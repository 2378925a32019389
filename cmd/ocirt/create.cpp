#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

// Flags create and run share.
std::vector<Flag> create_flags() {
    return {
        {{"bundle", "b"}, true, "value", "path to the root of the bundle directory, defaults to the current directory"},
        {{"console-socket"}, true, "value", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
        {{"pidfd-socket"}, true, "value", "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"},
        {{"pid-file"}, true, "value", "specify the file to write the process id to"},
        {{"no-pivot"}, false, "", "do not use pivot root to jail process inside rootfs"},
        {{"no-new-keyring"}, false, "", "do not create a new session keyring for the container"},
        {{"preserve-fds"}, true, "value", "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
    };
}

CreateOptions create_options(const GlobalOptions& g, const Args& a) {
    CreateOptions o;
    o.bundle = a.get("bundle", ".");
    o.no_pivot = a.has("no-pivot");
    o.systemd_cgroup = g.systemd_cgroup;
    o.io.console_socket = a.get("console-socket");
    o.io.pid_file = a.get("pid-file");
    o.io.pidfd_socket = a.get("pidfd-socket");
    o.io.preserve_fds = a.get_int("preserve-fds", 0);
    o.io.listen_fds = listen_fds_from_env();
    return o;
}

Command create_command() {
    Command c;
    c.name = "create";
    c.args_usage = "<container-id>";
    c.summary = "create a container";
    c.flags = create_flags();
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory(g.root).create(a.positional()[0], create_options(g, a));
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
