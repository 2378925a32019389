// Process identity: a pid counts as the container's only with the start
// time recorded at create, and a zombie counts as exited.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ocirt/linux/pidfd.hpp"

using namespace ocirt::linux_;

TEST_CASE("a live process is recognised only with its own start time", "[pidfd]") {
    pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    REQUIRE(child > 0);
    uint64_t start = process_start_time(child);
    REQUIRE(start > 0);
    CHECK(process_alive(child, start));
    // Same pid, another start time: a reused pid, not the container.
    CHECK_FALSE(process_alive(child, start + 1));
    CHECK_FALSE(PidFd::open(child, start + 1).valid());

    PidFd p = PidFd::open(child, start);
    REQUIRE(p.valid());
    CHECK_FALSE(p.wait_exit(0));
    CHECK(p.signal(SIGKILL));
    CHECK(p.wait_exit(5000));
    // Exited but not reaped: a zombie is stopped.
    CHECK_FALSE(process_alive(child, start));
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    CHECK_FALSE(process_alive(child, start));
    CHECK(process_start_time(child) == 0);
}

TEST_CASE("pid 0 and negative pids are never alive", "[pidfd]") {
    CHECK_FALSE(process_alive(0, 0));
    CHECK_FALSE(process_alive(-1, 0));
    CHECK_FALSE(PidFd::open(0, 0).valid());
}
