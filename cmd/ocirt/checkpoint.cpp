// checkpoint and restore: runc's flags are accepted, so an engine gets the
// reason instead of a usage error, and both fail (see ocirt/checkpoint.hpp).
#include "cli.hpp"
#include "ocirt/checkpoint.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

// The flags runc's checkpoint and restore share.
std::vector<Flag> criu_flags() {
    return {
        {{"image-path"}, true, "value", "path for the criu image files"},
        {{"work-path"}, true, "value", "path for saving work files and logs"},
        {{"tcp-established"}, false, "", "allow open tcp connections"},
        {{"ext-unix-sk"}, false, "", "allow external unix sockets"},
        {{"shell-job"}, false, "", "allow shell jobs"},
        {{"file-locks"}, false, "", "handle file locks, for safety"},
        {{"manage-cgroups-mode"}, true, "value", "cgroups mode: 'soft' (default), 'full' and 'strict'"},
        {{"empty-ns"}, true, "value", "create a namespace, but don't restore its properties"},
        {{"auto-dedup"}, false, "", "enable auto deduplication of memory images"},
        {{"lazy-pages"}, false, "", "use userfaultfd to lazily restore memory pages"},
    };
}

Command not_supported(std::string name, std::string summary, std::vector<Flag> own) {
    Command c;
    c.name = name;
    c.args_usage = "<container-id>";
    c.summary = std::move(summary) + " (not supported by ocirt)";
    c.flags = criu_flags();
    c.flags.insert(c.flags.end(), own.begin(), own.end());
    c.min_args = c.max_args = 1;
    c.run = [name](const GlobalOptions&, const Args&) -> int {
        throw Error(name + " is not supported: " + kCheckpointNotSupported);
    };
    return c;
}

}  // namespace

Command checkpoint_command() {
    return not_supported(
        "checkpoint", "checkpoint a running container",
        {
            {{"parent-path"}, true, "value", "path for previous criu image files in pre-dump"},
            {{"leave-running"}, false, "", "leave the process running after checkpointing"},
            {{"status-fd"}, true, "value", "criu writes \\0 to this FD once lazy-pages is ready"},
            {{"page-server"}, true, "value", "ADDRESS:PORT of the page server"},
            {{"pre-dump"}, false, "", "dump container's memory information only"},
        });
}

Command restore_command() {
    return not_supported(
        "restore", "restore a container from a previous checkpoint",
        {
            {{"console-socket"}, true, "value", "path to an AF_UNIX socket for the console's pty master"},
            {{"bundle", "b"}, true, "value", "path to the root of the bundle directory"},
            {{"detach", "d"}, false, "", "detach from the container's process"},
            {{"pid-file"}, true, "value", "specify the file to write the process id to"},
            {{"no-subreaper"}, false, "", "disable the use of the subreaper"},
            {{"no-pivot"}, false, "", "do not use pivot root to jail process inside rootfs"},
            {{"lsm-profile"}, true, "value", "LSM profile to be used during restore, TYPE:NAME"},
            {{"lsm-mount-context"}, true, "value", "LSM mount context to be used during restore"},
        });
}

}  // namespace ocirt::cli
