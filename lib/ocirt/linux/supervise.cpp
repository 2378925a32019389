#include "ocirt/linux/supervise.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

BlockedSignals::BlockedSignals() {
    sigfillset(&set_);
    for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS}) sigdelset(&set_, s);
    block();
}

BlockedSignals::BlockedSignals(std::initializer_list<int> only) {
    sigemptyset(&set_);
    for (int s : only) sigaddset(&set_, s);
    block();
}

void BlockedSignals::block() {
    if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0) throw_errno("block signals");
    fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw_errno("signalfd");
}

BlockedSignals::~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

ConsoleReceiver::ConsoleReceiver() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("console socketpair");
    near_.reset(sv[0]);
    far_.reset(sv[1]);
}

std::optional<ConsoleRelay> ConsoleReceiver::take_relay() {
    pollfd p{near_.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) return std::optional<ConsoleRelay>(recv_fd(near_.get()));
    return std::nullopt;
}

static int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

int supervise(pid_t pid, const BlockedSignals& signals, std::optional<ConsoleRelay>& relay) {
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
    // What the process wrote last is still in the pty.
    while (master_open) {
        pollfd p{relay->master(), POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) break;
        master_open = relay->pump_master_to_stdout();
    }
    return exit_code(status);
}

}  // namespace ocirt::linux_
