// The managers on this host's real cgroupfs, as root. Everything lives under
// /ocirt-test-<pid>-<name> and is removed by a guard even when a check fails;
// only our own children are signalled. Skipped (with a warning) when not root
// or when the host lacks the hierarchy a test needs.
#include <linux/sched.h>  // struct clone_args, CLONE_INTO_CGROUP
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Kills and reaps our child and removes our test dirs, whatever the test did.
class Guard {
public:
    Guard(std::string top, std::vector<Hierarchy> hs) : top_(std::move(top)), hs_(std::move(hs)) {}
    ~Guard() {
        if (child_ > 0) {
            for (const auto& h : hs_) {
                // A frozen child would not die: thaw our own dirs first.
                std::string leaf = h.mountpoint + top_ + "/c1";
                if (h.has("freezer") && fs::exists(leaf)) std::ofstream(leaf + "/freezer.state") << "THAWED";
                if (h.unified && fs::exists(leaf)) std::ofstream(leaf + "/cgroup.freeze") << "0";
            }
            ::kill(child_, SIGKILL);
            ::waitpid(child_, nullptr, 0);
        }
        for (const auto& h : hs_) {
            ::rmdir((h.mountpoint + top_ + "/c1").c_str());
            ::rmdir((h.mountpoint + top_).c_str());
        }
    }
    // A child that sleeps until killed; `fd` >= 0: born in that cgroup2 dir.
    pid_t spawn(int fd = -1) {
        if (fd < 0) {
            child_ = ::fork();
        } else {
            clone_args args{};
            args.flags = CLONE_INTO_CGROUP;
            args.exit_signal = SIGCHLD;
            args.cgroup = static_cast<uint64_t>(fd);
            child_ = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
        }
        if (child_ == 0) {
            for (;;) ::pause();
        }
        return child_;
    }
    // Reaps the child; returns the wait status.
    int reap() {
        int status = 0;
        ::waitpid(child_, &status, 0);
        child_ = -1;
        return status;
    }

private:
    std::string top_;
    std::vector<Hierarchy> hs_;
    pid_t child_ = -1;
};

bool can_run(const Paths& paths, Mode want_at_least_one_of_v1_or_v2) {
    if (::geteuid() != 0) {
        WARN("skipped: needs root");
        return false;
    }
    try {
        Mode m = probe(paths);
        if (want_at_least_one_of_v1_or_v2 == Mode::v2 ? m == Mode::v2 : m != Mode::v2) return true;
        WARN(std::string("skipped: cgroup layout is ") + to_string(m));
    } catch (const Error& e) {
        WARN(std::string("skipped: ") + e.what());
    }
    return false;
}

std::string test_top(const char* name) {
    return "/ocirt-test-" + std::to_string(::getpid()) + "-" + name;
}

}  // namespace

TEST_CASE("host v1/hybrid: create, join, devices, freeze, destroy", "[cgroups][root]") {
    if (!fs::exists("/sys/fs/cgroup/memory") || !can_run(Paths{}, Mode::v1)) {
        if (!fs::exists("/sys/fs/cgroup/memory")) WARN("skipped: no /sys/fs/cgroup/memory");
        return;
    }
    const std::string top = test_top("v1");
    auto m = open(top + "/c1");
    Guard guard(top, m->hierarchies());

    m->create();
    CHECK(m->created().size() == 2 * m->hierarchies().size());
    pid_t child = guard.spawn();
    REQUIRE(child > 0);
    m->add_process(child);

    // Every hierarchy, cpuset included (create copied its cpus and mems).
    const std::string cg = slurp("/proc/" + std::to_string(child) + "/cgroup");
    INFO(cg);
    CHECK(cg.find(":memory:" + top + "/c1\n") != std::string::npos);
    CHECK(cg.find(":freezer:" + top + "/c1\n") != std::string::npos);
    if (fs::exists("/sys/fs/cgroup/cpuset")) CHECK(cg.find(":cpuset:" + top + "/c1\n") != std::string::npos);
    if (m->mode() == Mode::hybrid) CHECK(cg.find("0::" + top + "/c1\n") != std::string::npos);
    CHECK(m->pids() == std::vector<pid_t>{child});

    spec::Resources r;
    spec::DeviceRule deny_all;
    r.devices = {deny_all};
    for (const auto& d : default_device_rules()) r.devices.push_back(d);
    m->apply(r);
    const std::string list = slurp("/sys/fs/cgroup/devices" + top + "/c1/devices.list");
    INFO(list);
    CHECK(list.find("c 1:3 rwm") != std::string::npos);
    CHECK(list.find("c 136:* rwm") != std::string::npos);
    CHECK(list.find("a *:* rwm") == std::string::npos);

    CHECK_FALSE(m->frozen());
    m->freeze();
    CHECK(m->frozen());
    CHECK(slurp("/sys/fs/cgroup/freezer" + top + "/c1/freezer.state") == "FROZEN\n");
    m->thaw();
    CHECK_FALSE(m->frozen());

    // Destroy kills even a frozen child, from a manager opened later.
    m->freeze();
    auto later = open(top + "/c1", Paths{}, m->created());
    later->destroy();
    int status = guard.reap();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    for (const auto& h : m->hierarchies()) {
        INFO(h.mountpoint);
        CHECK_FALSE(fs::exists(h.mountpoint + top));
    }
    later->destroy();  // idempotent
}

TEST_CASE("host cgroup2: clone3 into the cgroup, freeze, cgroup.kill", "[cgroups][root]") {
    // On this hybrid host the cgroup2 mount is systemd's "unified"; treating
    // it as the root gives a pure v2 manager to test against.
    std::string root = fs::exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
                                                                      : "/sys/fs/cgroup/unified";
    Paths paths{root, "/proc/self/mountinfo"};
    if (!can_run(paths, Mode::v2)) return;
    const std::string top = test_top("v2");
    auto m = open(top + "/c1", paths);
    Guard guard(top, m->hierarchies());

    m->create();
    Fd fd = m->fd_for_clone_into_cgroup();
    REQUIRE(fd.valid());
    pid_t child = guard.spawn(fd.get());
    if (child < 0 && errno == ENOSYS) {
        WARN("clone3 not available, joining with cgroup.procs instead");
        child = guard.spawn();
        m->add_process(child);
    }
    REQUIRE(child > 0);
    const std::string cg = slurp("/proc/" + std::to_string(child) + "/cgroup");
    INFO(cg);
    CHECK(cg.find("0::" + top + "/c1\n") != std::string::npos);
    m->add_process(child);  // what the runtime does after clone3 on hybrid: harmless
    CHECK(m->pids() == std::vector<pid_t>{child});

    m->freeze();
    CHECK(m->frozen());
    m->thaw();
    CHECK_FALSE(m->frozen());

    m->freeze();
    m->destroy();
    int status = guard.reap();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK_FALSE(fs::exists(root + top));
}
