#include "ocirt/linux/pidfd.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

// Fields after the command name, which may itself contain spaces and ')'.
bool read_stat(pid_t pid, char& state, uint64_t& start) {
    std::string s;
    try {
        s = read_file("/proc/" + std::to_string(pid) + "/stat");
    } catch (const Error&) {
        return false;
    }
    auto close = s.rfind(')');
    if (close == std::string::npos || close + 2 >= s.size()) return false;
    const char* p = s.c_str() + close + 2;
    state = *p;
    // field 3 is state; start time is field 22: skip 19 more fields.
    for (int field = 3; field < 22; ++field) {
        p = std::strchr(p, ' ');
        if (!p) return false;
        ++p;
    }
    start = std::strtoull(p, nullptr, 10);
    return true;
}

}  // namespace

uint64_t process_start_time(pid_t pid) {
    char state;
    uint64_t start;
    return read_stat(pid, state, start) ? start : 0;
}

bool process_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return false;
    char state;
    uint64_t start;
    if (!read_stat(pid, state, start)) return false;
    if (state == 'Z' || state == 'X') return false;
    return start_time == 0 || start == start_time;
}

PidFd PidFd::open(pid_t pid, uint64_t start_time) {
    PidFd p;
    if (pid <= 0) return p;
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) {
        if (errno == ESRCH) return p;
        throw_errno("pidfd_open " + std::to_string(pid));
    }
    p.fd_.reset(fd);
    // Checked after opening: from here on the pidfd pins this process.
    char state;
    uint64_t start;
    if (!read_stat(pid, state, start) || (start_time != 0 && start != start_time)) p.fd_.reset();
    return p;
}

void send_pidfd(int sock, pid_t pid, const std::string& kind) {
    Fd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) throw_errno("--pidfd-socket: pidfd_open " + std::to_string(pid));
    with_context("--pidfd-socket", [&] { send_fd(sock, fd.get(), kind); });
}

bool PidFd::signal(int sig) const {
    if (::syscall(SYS_pidfd_send_signal, fd_.get(), sig, nullptr, 0) == 0) return true;
    if (errno == ESRCH) return false;
    throw_errno("send signal " + std::to_string(sig));
}

bool PidFd::wait_exit(int timeout_ms) const {
    pollfd p{fd_.get(), POLLIN, 0};
    for (;;) {
        int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw_errno("poll pidfd");
        return r > 0;
    }
}

}  // namespace ocirt::linux_
