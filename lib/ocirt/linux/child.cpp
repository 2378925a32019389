#include "ocirt/linux/child.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <exception>
#include <string>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

void report(ChildChannel& ch, int err, const char* text) noexcept {
    try {
        if (!ch.closed()) {
            ch.error(err, text);
            return;
        }
        std::string line = std::string("ocirt: ") + text + "\n";
        (void)!::write(2, line.data(), line.size());
    } catch (...) {
        // The parent is gone or stopped listening: nobody to tell.
    }
}

}  // namespace

void run_in_child(ChildChannel& ch, int failure_status, const std::function<void()>& body) noexcept {
    try {
        body();
        ::_exit(0);
    } catch (const Error& e) {
        report(ch, e.code(), e.what());
    } catch (const std::exception& e) {
        report(ch, 0, e.what());
    } catch (...) {
        report(ch, 0, "unknown exception in the child");
    }
    ::_exit(failure_status);
}

ChildGuard& ChildGuard::operator=(ChildGuard&& o) noexcept {
    if (this != &o) {
        kill_and_reap();
        pid_ = o.release();
    }
    return *this;
}

pid_t ChildGuard::release() noexcept {
    pid_t p = pid_;
    pid_ = -1;
    return p;
}

std::string ChildGuard::reap_if_exited() {
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return "";
    pid_ = -1;
    return " (" + describe_wait_status(status) + ")";
}

void ChildGuard::kill_and_reap() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace ocirt::linux_
