#include "ocirt/linux/console_relay.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace ocirt::linux_ {
namespace {

bool copy_some(int from, int to) {
    char buf[8192];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;  // EIO on the master: the slave side is gone
    ssize_t off = 0;
    while (off < n) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return false;
        off += w;
    }
    return true;
}

}  // namespace

ConsoleRelay::ConsoleRelay(Fd master) : master_(std::move(master)) {
    if (::isatty(0)) {
        if (::tcgetattr(0, &saved_) == 0) {
            termios raw = saved_;
            ::cfmakeraw(&raw);
            raw_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
        }
        copy_window_size();
    }
}

ConsoleRelay::~ConsoleRelay() {
    if (raw_) ::tcsetattr(0, TCSANOW, &saved_);
}

bool ConsoleRelay::pump_master_to_stdout() { return copy_some(master_.get(), 1); }

void ConsoleRelay::pump_stdin_to_master() {
    if (!copy_some(0, master_.get())) stdin_open_ = false;
}

void ConsoleRelay::copy_window_size() {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master_.get(), TIOCSWINSZ, &ws);
}

}  // namespace ocirt::linux_
