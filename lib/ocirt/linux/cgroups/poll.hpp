#pragma once
// Bounded waiting for cgroupfs state that the kernel updates asynchronously
// (freezing, tasks exiting, a dir becoming removable). No threads, no inotify:
// short sleeps, growing from 1 ms to 20 ms.
#include <algorithm>
#include <chrono>
#include <thread>

namespace ocirt::cgroups {

using Clock = std::chrono::steady_clock;

// How long freeze and destroy wait before giving up.
inline constexpr std::chrono::milliseconds kWaitLimit{2000};

// Calls done() until it returns true (-> true) or the deadline passes (-> false).
template <typename F>
bool poll_until(Clock::time_point deadline, F&& done) {
    auto pause = std::chrono::milliseconds(1);
    while (true) {
        if (done()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
}

}  // namespace ocirt::cgroups
