#include "ocirt/linux/init.hpp"
#include "ocirt/linux/rootless.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "ocirt/linux/exec.hpp"
#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/identity.hpp"
#include "ocirt/linux/mount/prepare.hpp"
#include "ocirt/state.hpp"
#include "ocirt/linux/process_setup.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/linux/sysctl.hpp"
#include "ocirt/linux/terminal.hpp"
#include "ocirt/linux/uts.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::linux_ {
namespace {

// A missing cwd is created, as runc does: after the root changed (so its
// mounts are in place and /proc is the container's) and before root.readonly.
void make_cwd(const std::string& cwd) {
    Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open /");
    with_context("process.cwd", [&] { open_in_root(root.get(), cwd, Create::dir); });
}

Fd open_proc_fd_dir() {
    Fd dir(::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_errno("open /proc/self/fd in the container (a /proc mount is needed)");
    return dir;
}

// The init is PID 1 of its pid namespace, and the kernel drops signals to
// such a process unless it handles them: without handlers, `kill` of a
// created container (the default SIGTERM) would do nothing. execve resets
// them to the default for the container's process.
void die_on_signal(int sig) { ::_exit(128 + sig); }

void handle_terminating_signals() {
    struct sigaction sa {};
    sa.sa_handler = die_on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM})
        if (::sigaction(sig, &sa, nullptr) != 0) throw_errno("sigaction " + std::to_string(sig));
}

// After the mounts, before pivot_root: prestart and createRuntime run in the
// runtime's namespaces (the parent runs them and answers), then
// createContainer here, in the container's.
void run_create_hooks(const InitContext& ctx) {
    const spec::Hooks& h = *ctx.config->hooks;
    if (!h.prestart.empty() || !h.create_runtime.empty()) {
        ctx.sync->run_hooks();
    }
    // runtime.md: the path is resolved in the runtime's mount namespace, the hook runs in the
    // container's, its cwd the container's root (the rootfs, not yet pivoted to).
    run_hooks(h.create_container, "createContainer",
              hook_state_json(ctx.id, Status::creating, ::getpid(), ctx.rootfs.bundle, ctx.config->annotations),
              ctx.rootfs.rootfs);
}

void run(const InitContext& ctx) {
    const spec::Config& c = *ctx.config;
    // `run` blocks the signals it forwards; the container starts with none blocked.
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) throw_errno("sigprocmask");
    handle_terminating_signals();
    // The runtime runs inside the container's namespaces from here on: keep
    // container processes from opening it through /proc/PID/exe or ptrace.
    // Rootless, the parent (no CAP_SYS_PTRACE) writes our id maps through
    // /proc/PID, which non-dumpable makes root's: that waits until `go`,
    // which comes after the maps; no container process exists before it.
    const bool maps_by_user = ctx.namespaces.new_user && running_rootless();
    if (!maps_by_user && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    // A session of its own (a terminal needs it to become the controlling one).
    if (::setsid() < 0) throw_errno("setsid");

    // execCPUAffinity.initial: before the parent moves the init into its cgroup.
    if (c.process && c.process->exec_cpu_affinity && !c.process->exec_cpu_affinity->initial.empty())
        apply_cpu_affinity(c.process->exec_cpu_affinity->initial, "initial");

    std::vector<int> keep = {ctx.sync->fd(), ctx.fifo, ctx.console_socket, log::fd()};
    if (ctx.rootfs.prepared)
        for (int fd : ctx.rootfs.prepared->fds()) keep.push_back(fd);
    close_fds_except(ctx.listen_fds + ctx.preserve_fds, keep);

    ctx.sync->wait_go();
    if (maps_by_user && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    // The init logs (through the log fd it kept) only until `ready`: after it the fd is not
    // the runtime's to write to any more.
    spdlog::debug("init: go received; joining namespaces");

    if (ctx.namespaces.new_user) {
        become_userns_root();
    }
    join_namespaces(ctx.namespaces, /*for_children_only=*/false);
    if (ctx.namespaces.new_cgroup && ::unshare(CLONE_NEWCGROUP) != 0)
        throw_errno("linux.namespaces: new cgroup namespace");
    if (ctx.namespaces.has(spec::NamespaceType::uts)) set_hostname(c.hostname, c.domainname);

    spdlog::debug("init: preparing the rootfs {}", ctx.rootfs.rootfs);
    prepare_rootfs(ctx.rootfs);
    if (c.hooks) run_create_hooks(ctx);
    // Without a mount namespace of its own the rootfs has no /proc of the
    // container's: exec.fifo is reopened through the caller's, opened here.
    Fd proc_fd_dir;
    if (!ctx.rootfs.own_mount_ns) proc_fd_dir = open_proc_fd_dir();
    enter_rootfs(ctx.rootfs);
    spdlog::debug("init: root changed ({})", ctx.rootfs.no_pivot ? "move + chroot" : "pivot_root");
    if (c.process && !c.process->cwd.empty()) make_cwd(c.process->cwd);
    if (c.process && c.process->terminal)
        setup_terminal(ctx.console_socket, c.process->console_size, c.process->user.uid,
                       /*bind_console=*/ctx.rootfs.own_mount_ns);
    // Before the read-only paths (/proc/sys is one in the default config).
    if (c.linux) apply_sysctl(c.linux->sysctl);
    finalize_rootfs(ctx.rootfs);
    // exec.fifo is reopened through the container's own /proc: nothing of the
    // host's procfs is held while the init waits for start.
    if (!proc_fd_dir) proc_fd_dir = open_proc_fd_dir();

    ProcessSetup setup;
    setup.process = c.process ? &*c.process : nullptr;
    setup.linux = c.linux ? &*c.linux : nullptr;
    setup.seccomp = ctx.seccomp;
    setup.sync = ctx.sync;
    setup.listen_fds = ctx.listen_fds;
    setup.preserve_fds = ctx.preserve_fds;
    ReadyProcess ready;
    if (c.process) ready = prepare_process(setup);
    spdlog::debug("init: process set up; ready, waiting for start");
    if (!c.process) mark_fds_cloexec(ctx.listen_fds + ctx.preserve_fds);
    // The init outlives `create`: of the caller's fds it keeps only the
    // container's stdio (none with a terminal), or a caller reading create's
    // output through a pipe would wait for the container to exit. Before
    // `ready`, so the log fd is gone by the time create returns; a failure
    // after this goes to `start` (startContainer) or to the container's stderr.
    log::close_sink();
    ctx.sync->ready();
    ctx.sync->close();

    Fd started = wait_for_start(ctx.fifo, proc_fd_dir.get());
    if (!c.process) ::_exit(0);
    // In the container, before its process: a failure stops it before it
    // runs, and `start` sees the init exit instead of its byte. After the
    // seccomp filter, as in runc: the hooks are children of the init and
    // inherit it (a late filter is loaded now; exec.fifo and the start byte
    // then go through it too).
    if (c.hooks && !c.hooks->start_container.empty()) {
        try {
            load_pending_filter(setup, ready);
            run_hooks(c.hooks->start_container, "startContainer",
                      hook_state_json(ctx.id, Status::created, ::getpid(), ctx.rootfs.bundle, c.annotations));
        } catch (const Error& e) {
            report_start_failure(started, e.what());
            throw;
        }
    }
    confirm_start(started);
    started.reset();
    finish_process(setup, ready);
}

}  // namespace

void container_init(const InitContext& ctx) { run(ctx); }

}  // namespace ocirt::linux_
