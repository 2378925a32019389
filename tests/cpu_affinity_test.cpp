// The CPU affinity a container process execs with (process_attrs.hpp): the runtime's own is
// never passed on unless execCPUAffinity asks for it. Each case runs in a forked child, which
// pins itself to one CPU first (as `taskset -c 0 ocirt run` would) and reports its affinity.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>

#include "ocirt/linux/process_attrs.hpp"

using namespace ocirt;

namespace {

int allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
    return CPU_COUNT(&set);
}

// The number of CPUs the child is allowed after pinning itself to CPU 0 and applying `a`.
int cpus_after(const std::optional<spec::ExecCpuAffinity>& a) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(p[0]);
        cpu_set_t zero;
        CPU_ZERO(&zero);
        CPU_SET(0, &zero);
        int n = -1;
        try {
            if (::sched_setaffinity(0, sizeof zero, &zero) == 0) {
                linux_::apply_final_cpu_affinity(a);
                cpu_set_t set;
                CPU_ZERO(&set);
                if (::sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
            }
        } catch (...) {
        }
        (void)!::write(p[1], &n, sizeof n);
        ::_exit(0);
    }
    ::close(p[1]);
    int n = -2;
    REQUIRE(::read(p[0], &n, sizeof n) == sizeof n);
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return n;
}

}  // namespace

TEST_CASE("CPU affinity: the caller's pinning is reset unless execCPUAffinity says otherwise", "[process_attrs]") {
    const int all = allowed_cpus();
    if (all < 2) {
        WARN("skipped: needs 2 CPUs this process may use");
        return;
    }
    CHECK(cpus_after(std::nullopt) == all);
    CHECK(cpus_after(spec::ExecCpuAffinity{}) == all);       // neither field
    CHECK(cpus_after(spec::ExecCpuAffinity{"0", ""}) == 1);  // initial alone stays
    CHECK(cpus_after(spec::ExecCpuAffinity{"", "1"}) == 1);  // final
}
