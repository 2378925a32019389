#include "ocirt/foreground.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "ocirt/linux/console_relay.hpp"
#include "ocirt/linux/sync.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt {
namespace {

// Blocks every asynchronous signal for the lifetime of the object; they are
// read from a signalfd instead. The init unblocks them for itself.
class BlockedSignals {
public:
    BlockedSignals() {
        sigfillset(&set_);
        for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS}) sigdelset(&set_, s);
        if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0) throw_errno("block signals");
        fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
        if (!fd_) throw_errno("signalfd");
    }
    ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
    int fd() const { return fd_.get(); }

private:
    sigset_t set_, old_;
    Fd fd_;
};

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace

int run_in_foreground(Factory& factory, const std::string& id, CreateOptions opts, bool keep) {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) throw_errno("become a subreaper");
    BlockedSignals signals;

    // The init sends a pty master here if process.terminal is true.
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("console socketpair");
    Fd console_here(sv[0]), console_there(sv[1]);
    opts.io.console_fd = console_there.get();

    Container c = factory.create(id, opts);
    console_there.reset();
    const pid_t pid = c.state().pid;
    std::optional<linux_::ConsoleRelay> relay;
    pollfd probe{console_here.get(), POLLIN, 0};
    if (::poll(&probe, 1, 0) == 1 && (probe.revents & POLLIN)) relay.emplace(linux_::recv_fd(console_here.get()));
    c.start();
    c.unlock();

    int status = 0;
    bool exited = false;
    bool master_open = relay.has_value();
    while (!exited) {
        pollfd fds[3] = {{signals.fd(), POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
        if (master_open) fds[1].fd = relay->master();
        if (relay && relay->stdin_open()) fds[2].fd = 0;
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno("poll");
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) master_open = relay->pump_master_to_stdout();
        if (fds[2].revents & (POLLIN | POLLHUP)) relay->pump_stdin_to_master();
        if (!(fds[0].revents & POLLIN)) continue;
        signalfd_siginfo si;
        while (::read(signals.fd(), &si, sizeof si) == sizeof si) {
            int sig = static_cast<int>(si.ssi_signo);
            if (sig == SIGCHLD) {
                int st;
                pid_t r;
                while ((r = ::waitpid(-1, &st, WNOHANG)) > 0)
                    if (r == pid) {
                        status = st;
                        exited = true;
                    }
            } else if (sig == SIGWINCH) {
                if (relay) relay->copy_window_size();
            } else {
                ::kill(pid, sig);
            }
        }
    }
    while (master_open) {
        pollfd p{relay->master(), POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) break;
        master_open = relay->pump_master_to_stdout();
    }
    relay.reset();
    if (!keep) factory.load(id).destroy(/*force=*/true);
    return exit_code(status);
}

}  // namespace ocirt
