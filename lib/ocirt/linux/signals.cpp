#include "ocirt/linux/signals.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace ocirt::linux_ {

bool reset_signals() noexcept {
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
        if (::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(uint64_t)) != 0) return false;
    }
    sigset_t none;
    sigemptyset(&none);
    return ::sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
}

}  // namespace ocirt::linux_
