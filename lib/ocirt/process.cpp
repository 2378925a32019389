#include "ocirt/process.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace ocirt {

int listen_fds_from_env() {
    const char* pid = std::getenv("LISTEN_PID");
    const char* fds = std::getenv("LISTEN_FDS");
    if (!pid || !fds || std::to_string(::getpid()) != pid) return 0;
    char* end = nullptr;
    long n = std::strtol(fds, &end, 10);
    if (*end || n <= 0 || n > 1 << 16) return 0;
    return static_cast<int>(n);
}

}  // namespace ocirt
