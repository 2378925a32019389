#include "ocirt/linux/exec_init.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/linux/identity.hpp"
#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/terminal.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::linux_ {
namespace {

// Whether the namespace fd is the one this process is in already.
bool already_in(int fd, const char* self) {
    struct stat a, b;
    return ::fstat(fd, &a) == 0 && ::stat(self, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void run(const ExecContext& ctx) {
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) throw_errno("sigprocmask");
    // ocirt's own image is about to run inside the container's namespaces:
    // no process there may open it through /proc/PID/exe (CVE-2019-5736 class).
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    if (::setsid() < 0) throw_errno("setsid");

    std::vector<int> keep = {ctx.setup.sync->fd(), ctx.console_socket, log::fd()};
    for (const auto& [type, fd] : ctx.namespaces) keep.push_back(fd);
    close_fds_except(ctx.setup.preserve_fds, keep);

    ctx.setup.sync->wait_go();

    bool user_ns = false;
    for (const auto& [type, fd] : ctx.namespaces) {
        // Rootless, the intermediate that cloned us joined it already (spawn.hpp).
        if (type == spec::NamespaceType::user && already_in(fd, "/proc/self/ns/user")) {
            user_ns = true;
            continue;
        }
        if (::setns(fd, static_cast<int>(clone_flag(type))) != 0)
            throw_errno(std::string("join the container's ") + proc_ns_name(type) + " namespace");
        user_ns |= type == spec::NamespaceType::user;
    }
    if (user_ns) become_userns_root();
    const spec::Process& p = *ctx.setup.process;
    if (p.terminal) setup_terminal(ctx.console_socket, p.console_size, p.user.uid, /*bind_console=*/false);
    ReadyProcess ready = prepare_process(ctx.setup);
    finish_process(ctx.setup, ready);
}

}  // namespace

void exec_init(const ExecContext& ctx) { run(ctx); }

}  // namespace ocirt::linux_
