#include "ocirt/linux/process_setup.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "ocirt/linux/capabilities.hpp"
#include "ocirt/linux/exec.hpp"
#include "ocirt/linux/identity.hpp"
#include "ocirt/linux/lsm.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/rlimits.hpp"
#include "ocirt/linux/safe_path.hpp"
#include "ocirt/linux/signals.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

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

// Loads the filter. With a notify listener, the profile may trap any syscall
// (close, read, write, sendmsg, ...), the init's own included, and a trapped
// syscall blocks until the agent answers: so nothing may trap before the agent
// has the fd. Sending the fd (sendmsg), or even announcing it (write), after
// the load could deadlock. Instead the init announces, before the load, the fd
// number the listener will get (the lowest free one: this process is single-
// threaded and the load allocates nothing else), loads, and then makes no
// syscall of its own until the parent has taken the fd with pidfd_getfd(2)
// (which needs nothing from the init) and handed it to the agent. The wait for
// the parent's `go` may itself trap; the agent answers it by then.
void load_filter(const ProcessSetup& ctx, const SeccompProgram& filter) {
    if (!filter.uses_notify) {
        with_context("linux.seccomp: load the filter", [&] { return load_seccomp(filter); });
        return;
    }
    Fd probe(::fcntl(ctx.sync->fd(), F_DUPFD_CLOEXEC, 0));
    if (!probe) throw_errno("linux.seccomp: find a free fd for the listener");
    const int next = probe.get();
    probe.reset();
    ctx.sync->seccomp_fd(next);
    Fd listener = with_context("linux.seccomp: load the filter", [&] { return load_seccomp(filter); });
    // From here every syscall may trap: none until the parent has the fd.
    ctx.sync->wait_go();
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

// Everything but stdio and --preserve-fds is closed by the execve; fds the
// runtime still needs until then are already O_CLOEXEC.
}  // namespace

void mark_fds_cloexec(int preserve) {
    for (int fd = 3; fd < 3 + preserve; ++fd) {
        int fl = ::fcntl(fd, F_GETFD);
        if (fl < 0 && errno == EBADF) continue;  // not open: nothing to pass on
        if (fl < 0 || ::fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) != 0)
            throw_errno("pass fd " + std::to_string(fd) + " on (--preserve-fds, LISTEN_FDS)");
    }
    if (::syscall(SYS_close_range, 3 + preserve, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        throw_errno("mark fds close-on-exec");
}


void close_fds_except(int passed, std::vector<int> keep) {
    for (int fd = 0; fd < 3 + passed; ++fd) keep.push_back(fd);
    std::sort(keep.begin(), keep.end());
    // A security step (nothing of the caller's may stay open): a failure is an error.
    auto close_range = [](unsigned first, unsigned last) {
        if (::syscall(SYS_close_range, first, last, 0) != 0) throw_errno("close the caller's fds (close_range)");
    };
    unsigned next = 0;
    for (int fd : keep) {
        if (fd < 0) continue;
        if (static_cast<unsigned>(fd) > next) close_range(next, static_cast<unsigned>(fd) - 1);
        next = static_cast<unsigned>(fd) + 1;
    }
    close_range(next, ~0U);
}

ReadyProcess prepare_process(const ProcessSetup& s) {
    const spec::Process& p = *s.process;
    const SeccompProgram* filter = s.seccomp;
    const bool nnp = p.no_new_privileges;
    ReadyProcess r;
    apply_rlimits(p.rlimits);
    apply_process_labels(p);
    // Kernel attributes the process inherits; some need CAP_SYS_NICE.
    if (s.linux && s.linux->personality) apply_personality(*s.linux->personality);
    if (p.scheduler) apply_scheduler(*p.scheduler);
    if (p.io_priority) apply_io_priority(*p.io_priority);
    if (s.linux && s.linux->memory_policy) apply_memory_policy(*s.linux->memory_policy);
    apply_final_cpu_affinity(p.exec_cpu_affinity);
    CapabilitySets caps = resolve_capabilities(p.capabilities);
    enter_cwd(p.cwd);
    r.env = process_env(p, s.listen_fds);
    r.exe = find_executable(p.args[0], r.env);  // as root, as runc does
    mark_fds_cloexec(s.listen_fds + s.preserve_fds);  // what is opened after this is O_CLOEXEC
    if (filter && !nnp) load_filter(s, *filter);
    apply_bounding_set(caps);
    switch_user(p.user);
    apply_capability_sets(caps);
    if (nnp && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("process.noNewPrivileges");
    if (filter && nnp && filter->uses_notify) load_filter(s, *filter);
    r.filter_pending = filter && nnp && !filter->uses_notify;
    return r;
}

void load_pending_filter(const ProcessSetup& s, ReadyProcess& r) {
    if (!r.filter_pending) return;
    load_filter(s, *s.seccomp);
    r.filter_pending = false;
}

void finish_process(const ProcessSetup& s, const ReadyProcess& r) {
    // Before any late filter: rt_sigaction is the runtime's call.
    if (!reset_signals()) throw_errno("reset signal dispositions and mask");
    if (r.filter_pending) load_filter(s, *s.seccomp);
    exec_process(r.exe, s.process->args, r.env);
}

}  // namespace ocirt::linux_
