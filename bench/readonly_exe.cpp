// The cost of the rootless read-only views of the binary (linux/readonly_exe.hpp), per call:
// a detached read-only bind made in a user+mount namespace of its own, and a sealed memfd
// copy. Run as the user whose case it is (an unprivileged one for the rootless forms):
//   build/ocirt-bench-readonly-exe [ROUNDS] [BINARY]      (defaults: 200, build/ocirt)
// Prints the mean and median in microseconds. A benchmark, never a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "ocirt/linux/readonly_exe.hpp"

namespace {

void measure(const char* name, int rounds, const std::function<ocirt::Fd()>& make) {
    std::vector<double> us;
    for (int i = 0; i < rounds; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        ocirt::Fd fd = make();
        auto t1 = std::chrono::steady_clock::now();
        if (!fd) {
            std::printf("%-28s unavailable here\n", name);
            return;
        }
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    double sum = 0;
    for (double v : us) sum += v;
    std::printf("%-28s mean %8.1f us  median %8.1f us  (%d rounds)\n", name, sum / us.size(), us[us.size() / 2],
                rounds);
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
    std::string exe = argc > 2 ? argv[2] : "build/ocirt";
    measure("userns read-only bind", rounds, [&] { return ocirt::linux_::readonly_view_in_own_userns(exe); });
    measure("sealed memfd copy", rounds, [&] { return ocirt::linux_::sealed_memfd_copy(exe); });
    return 0;
}
