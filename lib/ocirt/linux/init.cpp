#include "ocirt/linux/init.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/linux/capabilities.hpp"
#include "ocirt/linux/exec.hpp"
#include "ocirt/linux/identity.hpp"
#include "ocirt/linux/lsm.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/rlimits.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/linux/sysctl.hpp"
#include "ocirt/linux/terminal.hpp"
#include "ocirt/linux/uts.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

// Everything but stdio and --preserve-fds is closed by the execve; fds the
// runtime still needs until then are already O_CLOEXEC.
void mark_fds_cloexec(int preserve) {
    for (int fd = 3; fd < 3 + preserve; ++fd) {
        int fl = ::fcntl(fd, F_GETFD);
        if (fl >= 0) ::fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
    if (::syscall(SYS_close_range, 3 + preserve, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        throw_errno("mark fds close-on-exec");
}

std::vector<std::string> process_env(const spec::Process& p, int listen_fds) {
    std::vector<std::string> env = p.env;
    if (listen_fds > 0) {
        // The fds now belong to the container's process, which is its PID 1.
        env.push_back("LISTEN_FDS=" + std::to_string(listen_fds));
        env.push_back("LISTEN_PID=1");
    }
    bool has_home = false;
    for (const auto& e : env) has_home |= e.rfind("HOME=", 0) == 0;
    if (!has_home) env.push_back("HOME=" + home_for(p.user.uid));
    return env;
}

// Loads the filter; a notify listener fd goes to the parent, which hands it to
// linux.seccomp.listenerPath.
void load_filter(const InitContext& ctx, const SeccompProgram& filter) {
    Fd listener = with_context("linux.seccomp: load the filter", [&] { return load_seccomp(filter); });
    if (!listener) return;
    ctx.sync->send(MsgType::seccomp_fd);
    send_fd(ctx.sync->fd(), listener.get(), {});
}

// The process's cwd, resolved inside the new root without following magic
// links: "/proc/self/fd/N" could name a runtime fd still open here and put the
// process outside its root (the runc CVE-2024-21626 class).
void enter_cwd(const std::string& cwd) {
    Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open /");
    Fd dir = with_context("process.cwd", [&] { return open_in_root(root.get(), cwd.empty() ? "/" : cwd, Create::none); });
    if (::fchdir(dir.get()) != 0) throw_errno("process.cwd: chdir " + cwd);
    char buf[4096];
    // getcwd fails (ENOENT) or reports "(unreachable)" for a cwd outside the root.
    if (!::getcwd(buf, sizeof buf) || buf[0] != '/')
        throw Error("process.cwd: " + cwd + " is outside the container's root");
}

// A missing cwd is created, as runc does: after the root changed (so its
// mounts are in place and /proc is the container's) and before root.readonly.
void make_cwd(const std::string& cwd) {
    Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open /");
    with_context("process.cwd", [&] { open_in_root(root.get(), cwd, Create::dir); });
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
        ::sigaction(sig, &sa, nullptr);
}

void run(const InitContext& ctx) {
    const spec::Config& c = *ctx.config;
    // `run` blocks the signals it forwards; the container starts with none blocked.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    handle_terminating_signals();
    // The runtime runs inside the container's namespaces from here on: keep
    // container processes from opening it through /proc/PID/exe or ptrace.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    // A session of its own (a terminal needs it to become the controlling one).
    if (::setsid() < 0) throw_errno("setsid");

    // execCPUAffinity.initial: before the parent moves the init into its cgroup.
    if (c.process && c.process->exec_cpu_affinity && !c.process->exec_cpu_affinity->initial.empty())
        apply_cpu_affinity(c.process->exec_cpu_affinity->initial, "initial");

    Message go = ctx.sync->recv();
    if (go.type != MsgType::go) ::_exit(1);  // the parent gave up

    if (ctx.namespaces.new_user) {
        // Become the namespace's root (if mapped) to set up the rest.
        ::setresgid(0, 0, 0);
        ::setresuid(0, 0, 0);
    }
    join_namespaces(ctx.namespaces, /*for_children_only=*/false);
    if (ctx.namespaces.new_cgroup && ::unshare(CLONE_NEWCGROUP) != 0)
        throw_errno("linux.namespaces: new cgroup namespace");
    if (ctx.namespaces.has(spec::NamespaceType::uts)) set_hostname(c.hostname, c.domainname);

    Fd proc_fd_dir(::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!proc_fd_dir) throw_errno("open /proc/self/fd");
    prepare_rootfs(ctx.rootfs);
    enter_rootfs(ctx.rootfs);
    if (c.process && !c.process->cwd.empty()) make_cwd(c.process->cwd);
    if (c.process && c.process->terminal)
        setup_terminal(ctx.console_socket, c.process->console_size);
    // Before the read-only paths (/proc/sys is one in the default config).
    if (c.linux) apply_sysctl(c.linux->sysctl);
    finalize_rootfs(ctx.rootfs);

    std::string exe;
    std::vector<std::string> env;
    // When the filter goes in (seccomp(2) needs no_new_privs or CAP_SYS_ADMIN):
    // without no_new_privs, before the capabilities are dropped, as runc does;
    // with it, as late as possible, just before execve; and a filter with a
    // notify listener while `create` still listens for its fd.
    const SeccompProgram* filter = c.process ? ctx.seccomp : nullptr;
    const bool nnp = c.process && c.process->no_new_privileges;
    const bool load_early = filter && !nnp;
    const bool load_before_ready = filter && nnp && filter->uses_notify;
    if (c.process) {
        const spec::Process& p = *c.process;
        apply_rlimits(p.rlimits);
        apply_process_labels(p);
        // Kernel attributes the process inherits; some need CAP_SYS_NICE.
        if (c.linux && c.linux->personality) apply_personality(*c.linux->personality);
        if (p.scheduler) apply_scheduler(*p.scheduler);
        if (p.io_priority) apply_io_priority(*p.io_priority);
        if (c.linux && c.linux->memory_policy) apply_memory_policy(*c.linux->memory_policy);
        if (p.exec_cpu_affinity && !p.exec_cpu_affinity->final_.empty())
            apply_cpu_affinity(p.exec_cpu_affinity->final_, "final");
        CapabilitySets caps = resolve_capabilities(p.capabilities);
        // Before any filter: a profile may deny what these use (openat2,
        // getcwd, faccessat2, close_range), and they are the runtime's
        // syscalls, not the container's. The executable is looked up as root, as runc does.
        enter_cwd(p.cwd);
        env = process_env(p, ctx.listen_fds);
        exe = find_executable(p.args[0], env);
        mark_fds_cloexec(ctx.listen_fds + ctx.preserve_fds);  // what is opened after this is O_CLOEXEC
        if (load_early) load_filter(ctx, *filter);
        apply_bounding_set(caps);
        switch_user(p.user);
        apply_capability_sets(caps);
        if (nnp && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("process.noNewPrivileges");
        if (load_before_ready) load_filter(ctx, *filter);
    }
    if (!c.process) mark_fds_cloexec(ctx.listen_fds + ctx.preserve_fds);
    ctx.sync->send(MsgType::ready);
    ctx.sync->close();

    wait_for_start(ctx.fifo, proc_fd_dir.get());
    if (!c.process) ::_exit(0);
    if (filter && nnp && !filter->uses_notify) load_filter(ctx, *filter);
    exec_process(exe, c.process->args, env);
}

}  // namespace

void container_init(const InitContext& ctx) {
    try {
        run(ctx);
    } catch (const Error& e) {
        try {
            ctx.sync->send(MsgType::error, e.code(), e.what());
        } catch (...) {
        }
        // After `ready` nobody listens on the socket: stderr is the container's.
        if (ctx.sync->fd() < 0) {
            std::string line = std::string("ocirt: ") + e.what() + "\n";
            (void)!::write(2, line.data(), line.size());
        }
    } catch (const std::exception& e) {
        try {
            ctx.sync->send(MsgType::error, 0, e.what());
        } catch (...) {
        }
    }
    ::_exit(127);
}

}  // namespace ocirt::linux_
