#include "ocirt/linux/signals.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

void reset_signals() {
    // The kernel's struct sigaction: glibc's sigaction() refuses the signals it
    // reserves for itself (32 and 33), so the syscall is used directly.
    struct KernelSigaction {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)();
        uint64_t mask;
    } dfl{SIG_DFL, 0, nullptr, 0};
    for (int sig = 1; sig <= 64; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(uint64_t)) != 0)
            throw_errno("reset the handler of signal " + std::to_string(sig));
    }
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) throw_errno("unblock signals");
}

}  // namespace ocirt::linux_
