// checkpoint and restore: runc's flags to ocirt/checkpoint.hpp.
#include <cerrno>

#include "cli.hpp"
#include "ocirt/checkpoint.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

// The flags runc's checkpoint and restore share.
std::vector<Flag> criu_flags() {
    return {
        {{"image-path"}, true, "value", "path for the criu image files (default ./checkpoint)"},
        {{"work-path"}, true, "value", "path for saving work files and logs (default: the image path)"},
        {{"tcp-established"}, false, "", "allow open tcp connections"},
        {{"ext-unix-sk"}, false, "", "allow external unix sockets"},
        {{"shell-job"}, false, "", "allow shell jobs"},
        {{"file-locks"}, false, "", "handle file locks, for safety"},
        {{"manage-cgroups-mode"}, true, "value", "cgroups mode: soft (default), full, strict or ignore"},
        {{"empty-ns"}, true, "value", "create a namespace, but don't restore its properties (network)"},
        {{"auto-dedup"}, false, "", "enable auto deduplication of memory images"},
        {{"lazy-pages"}, false, "", "use userfaultfd to lazily restore memory pages"},
    };
}

linux_::criu::Options criu_options(const Args& a) {
    linux_::criu::Options o;
    o.image_path = a.get("image-path");
    o.work_path = a.get("work-path");
    o.parent_path = a.get("parent-path");
    o.leave_running = a.has("leave-running");
    o.tcp_established = a.has("tcp-established");
    o.ext_unix_sk = a.has("ext-unix-sk");
    o.shell_job = a.has("shell-job");
    o.file_locks = a.has("file-locks");
    o.pre_dump = a.has("pre-dump");
    o.auto_dedup = a.has("auto-dedup");
    o.lazy_pages = a.has("lazy-pages");
    o.status_fd = a.get_int("status-fd", -1);
    o.cgroups_mode = linux_::criu::parse_cgroups_mode(a.get("manage-cgroups-mode"));
    o.empty_ns = a.get("empty-ns");
    if (a.has("page-server")) throw Error(ENOTSUP, "--page-server is not supported by ocirt");
    if (a.has("lsm-profile") || a.has("lsm-mount-context"))
        throw Error(ENOTSUP, "--lsm-profile and --lsm-mount-context are not supported by ocirt");
    return o;
}

Command criu_command(std::string name, std::string summary, std::vector<Flag> own) {
    Command c;
    c.name = std::move(name);
    c.args_usage = "<container-id>";
    c.summary = std::move(summary);
    c.flags = criu_flags();
    c.flags.insert(c.flags.end(), own.begin(), own.end());
    c.min_args = c.max_args = 1;
    return c;
}

}  // namespace

Command checkpoint_command() {
    Command c = criu_command(
        "checkpoint", "checkpoint a running container",
        {
            {{"parent-path"}, true, "value", "path for previous criu image files in pre-dump"},
            {{"leave-running"}, false, "", "leave the process running after checkpointing"},
            {{"status-fd"}, true, "value", "criu writes \\0 to this FD once lazy-pages is ready"},
            {{"page-server"}, true, "value", "ADDRESS:PORT of the page server (not supported)"},
            {{"pre-dump"}, false, "", "dump container's memory information only"},
        });
    c.run = [](const GlobalOptions& g, const Args& a) {
        const linux_::criu::Options o = criu_options(a);
        Factory(g.root).load(a.positional()[0]).checkpoint(o);
        return 0;
    };
    return c;
}

Command restore_command() {
    Command c = criu_command(
        "restore", "restore a container from a previous checkpoint",
        {
            {{"console-socket"}, true, "value", "path to an AF_UNIX socket for the console's pty master"},
            {{"bundle", "b"}, true, "value", "path to the root of the bundle directory"},
            {{"detach", "d"}, false, "", "detach from the container's process"},
            {{"pid-file"}, true, "value", "specify the file to write the process id to"},
            {{"no-subreaper"}, false, "", "disable the use of the subreaper"},
            {{"no-pivot"}, false, "", "do not use pivot root to jail process inside rootfs"},
            {{"lsm-profile"}, true, "value", "LSM profile to be used during restore (not supported)"},
            {{"lsm-mount-context"}, true, "value", "LSM mount context to be used during restore (not supported)"},
        });
    c.run = [](const GlobalOptions& g, const Args& a) {
        RestoreOptions o;
        o.criu = criu_options(a);
        o.create.bundle = a.get("bundle", ".");
        o.create.no_pivot = a.has("no-pivot");
        o.create.systemd_cgroup = g.systemd_cgroup;
        o.create.io.console_socket = a.get("console-socket");
        o.create.io.pid_file = a.get("pid-file");
        o.detach = a.has("detach");
        o.no_subreaper = a.has("no-subreaper");
        Factory f(g.root);
        return restore_container(f, a.positional()[0], o);
    };
    return c;
}

}  // namespace ocirt::cli
