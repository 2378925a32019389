// The managers against a fake cgroupfs (fake_cgroupfs.hpp). Fake cgroup.procs
// only ever hold pids above pid_max (4194304): no test here may signal a real
// process.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "device_rule.hpp"
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/mountinfo.hpp"
#include "ocirt/util/error.hpp"
#include "fake_cgroupfs.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {


}  // namespace

TEST_CASE("mountinfo: cgroup mounts under the root, controllers from super options", "[cgroups]") {
    const std::string text =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:5 - cgroup cgroup rw,cpu,cpuacct\n"
        "33 31 0:30 / /sys/fs/cgroup/my\\040dir rw,relatime - cgroup cgroup rw,clone_children,pids\n"
        "34 31 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"
        "35 31 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
        "36 23 0:33 / /elsewhere/memory rw - cgroup cgroup rw,memory\n"
        "37 31 0:34 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
        "38 37 0:35 / /sys/fs/cgroup/blkio rw - tmpfs tmpfs rw\n";  // hides blkio
    auto m = parse_cgroup_mounts(text, "/sys/fs/cgroup");
    REQUIRE(m.size() == 4);
    CHECK(m[0].mountpoint == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(m[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK(m[1].mountpoint == "/sys/fs/cgroup/my dir");
    CHECK(m[1].controllers == std::vector<std::string>{"pids"});
    CHECK(m[2].controllers == std::vector<std::string>{"name=systemd"});
    CHECK(m[3].unified);
    CHECK(m[3].controllers.empty());
}

TEST_CASE("probe tells v1, hybrid and v2 apart", "[cgroups]") {
    SECTION("v1") {
        FakeTree t;
        t.host_like(false);
        auto layout = discover(t.paths());
        CHECK(layout.mode == Mode::v1);
        REQUIRE(layout.hierarchies.size() == 5);
        CHECK(layout.hierarchies[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
        CHECK(layout.hierarchies[4].controllers == std::vector<std::string>{"name=systemd"});
        CHECK(probe(t.paths()) == Mode::v1);
    }
    SECTION("hybrid") {
        FakeTree t;
        t.host_like(true);
        auto layout = discover(t.paths());
        CHECK(layout.mode == Mode::hybrid);
        REQUIRE(layout.hierarchies.size() == 6);
        CHECK(layout.hierarchies.back().unified);
        CHECK(layout.hierarchies.back().mountpoint == t.root() + "/unified");
    }
    SECTION("v2") {
        FakeTree t;
        t.v2("");
        auto layout = discover(t.paths());
        CHECK(layout.mode == Mode::v2);
        REQUIRE(layout.hierarchies.size() == 1);
        CHECK(layout.hierarchies[0].mountpoint == t.root());
        CHECK(layout.hierarchies[0].unified);
    }
    SECTION("nothing mounted") {
        FakeTree t;
        CHECK_THROWS_WITH(probe(t.paths()), Contains("no cgroup"));
    }
    SECTION("missing mountinfo names the file") {
        CHECK_THROWS_WITH(probe(Paths{"/sys/fs/cgroup", "/nonexistent/mountinfo"}),
                          Contains("/nonexistent/mountinfo"));
    }
}

TEST_CASE("create makes the dirs, destroy removes exactly those", "[cgroups]") {
    FakeTree t;
    t.host_like(true);
    // /ocirt already exists in the memory hierarchy: someone else's, keep it.
    fs::create_directories(t.root() + "/memory/ocirt");

    auto m = open("/ocirt/c1", t.paths());
    CHECK(m->mode() == Mode::hybrid);
    CHECK(m->path() == "/ocirt/c1");
    m->create();
    for (const auto& h : m->hierarchies()) {
        INFO(h.mountpoint);
        CHECK(m->dir(h) == h.mountpoint + "/ocirt/c1");
        CHECK(fs::is_directory(m->dir(h)));
    }
    // 6 hierarchies x 2 levels, minus the pre-existing memory/ocirt.
    CHECK(m->created().size() == 11);
    CHECK(std::find(m->created().begin(), m->created().end(), t.root() + "/memory/ocirt") ==
          m->created().end());

    SECTION("destroy in the same process") {
        m->destroy();
    }
    SECTION("destroy in a later process, from the recorded list") {
        auto later = open("/ocirt/c1", t.paths(), m->created());
        later->destroy();
    }
    for (const auto& h : m->hierarchies()) {
        CHECK_FALSE(fs::exists(m->dir(h)));
        if (h.has("memory")) CHECK(fs::is_directory(h.mountpoint + "/ocirt"));
        else CHECK_FALSE(fs::exists(h.mountpoint + "/ocirt"));
    }
    m->destroy();  // idempotent
}

TEST_CASE("to_create names the missing dirs before create, and a half-made cgroup is destroyed from it",
          "[cgroups]") {
    FakeTree t;
    t.host_like(true);
    fs::create_directories(t.root() + "/memory/ocirt");
    auto m = open("/ocirt/c1", t.paths());
    const auto planned = m->to_create();
    CHECK(planned.size() == 11);  // as created() after create(), below
    CHECK(std::find(planned.begin(), planned.end(), t.root() + "/memory/ocirt") == planned.end());
    for (size_t i = 0; i < planned.size(); ++i)  // parents before children
        for (size_t j = i + 1; j < planned.size(); ++j) CHECK(planned[j] + "/" != planned[i].substr(0, planned[j].size() + 1));
    m->create();
    CHECK(m->created() == planned);
    CHECK(m->to_create().empty());

    SECTION("killed before any dir was made: destroy from the plan is fine") {
        m->destroy();
        open("/ocirt/c1", t.paths(), planned)->destroy();
    }
    SECTION("killed half way: some planned dirs missing") {
        fs::remove(planned.back());
        open("/ocirt/c1", t.paths(), planned)->destroy();
    }
    SECTION("killed after create") {
        open("/ocirt/c1", t.paths(), planned)->destroy();
    }
    for (const auto& d : planned) CHECK_FALSE(fs::exists(d));
    CHECK(fs::is_directory(t.root() + "/memory/ocirt"));
}

TEST_CASE("create into an existing dir records nothing and destroy keeps it", "[cgroups]") {
    FakeTree t;
    t.v1("memory", "memory");
    fs::create_directories(t.root() + "/memory/ocirt/c1");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    CHECK(m->created().empty());
    m->destroy();
    CHECK(fs::is_directory(t.root() + "/memory/ocirt/c1"));
}

TEST_CASE("a failed create leaves nothing behind", "[cgroups]") {
    FakeTree t;
    t.v1("memory", "memory");
    t.v1("pids", "pids");
    // A file where the pids hierarchy needs the dir /ocirt.
    FakeTree::touch(t.root() + "/pids/ocirt");
    auto m = open("/ocirt/c1", t.paths());
    CHECK_THROWS_WITH(m->create(), Contains(t.root() + "/pids/ocirt"));
    CHECK(m->created().empty());
    CHECK_FALSE(fs::exists(t.root() + "/memory/ocirt"));
}

TEST_CASE("open rejects recorded dirs outside the container's path", "[cgroups]") {
    FakeTree t;
    t.v1("memory", "memory");
    const auto mem = t.root() + "/memory";
    CHECK_NOTHROW(open("/ocirt/c1", t.paths(), {mem + "/ocirt", mem + "/ocirt/c1"}));
    for (const auto& bad : {mem, mem + "/other", mem + "/ocirt/c1/sub", std::string("/etc"),
                            mem + "/ocirt/c10"}) {
        INFO(bad);
        CHECK_THROWS_WITH(open("/ocirt/c1", t.paths(), {bad}), Contains("is not part of cgroup"));
    }
    CHECK_THROWS(open("ocirt/c1", t.paths()));
    CHECK_THROWS(open("/", t.paths()));
}

TEST_CASE("apply on v1 writes devices.deny a, then the rules in order", "[cgroups]") {
    FakeTree t;
    t.host_like(false);
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string dev = t.root() + "/devices/ocirt/c1";
    spec::Resources r;
    r.devices = {rule(false, "", std::nullopt, std::nullopt, ""), rule(true, "c", 1, 3, "rwm"),
                 rule(true, "c", 136, std::nullopt, "rwm"), rule(false, "c", 5, 1, "rw")};

    SECTION("each file gets its lines") {
        FakeTree::touch(dev + "/devices.allow");
        FakeTree::touch(dev + "/devices.deny");
        m->apply(r);
        CHECK(FakeTree::lines(dev + "/devices.deny") ==
              std::vector<std::string>{"a", "a *:* rwm", "c 5:1 rw"});
        CHECK(FakeTree::lines(dev + "/devices.allow") ==
              std::vector<std::string>{"c 1:3 rwm", "c 136:* rwm"});
    }
    SECTION("in this order overall") {
        // Both files are links to one log: it shows the interleaving.
        FakeTree::touch(dev + "/log");
        fs::create_symlink(dev + "/log", dev + "/devices.allow");
        fs::create_symlink(dev + "/log", dev + "/devices.deny");
        m->apply(r);
        CHECK(FakeTree::lines(dev + "/log") ==
              std::vector<std::string>{"a", "a *:* rwm", "c 1:3 rwm", "c 136:* rwm", "c 5:1 rw"});
    }
    SECTION("a bad rule writes nothing") {
        FakeTree::touch(dev + "/devices.allow");
        FakeTree::touch(dev + "/devices.deny");
        r.devices.push_back(rule(true, "z", 1, 1, "rwm"));
        CHECK_THROWS_WITH(m->apply(r), Contains("linux.resources.devices"));
        CHECK(FakeTree::lines(dev + "/devices.deny").empty());
    }
    SECTION("no rules, no writes") {
        m->apply(spec::Resources{});
    }
}

TEST_CASE("apply without a devices hierarchy fails", "[cgroups]") {
    FakeTree t;
    t.v1("memory", "memory");
    auto m = open("/ocirt/c1", t.paths());
    spec::Resources r;
    r.devices = {rule(false, "", std::nullopt, std::nullopt, "")};
    CHECK_THROWS_WITH(m->apply(r), Contains("devices cgroup is not mounted"));
}

TEST_CASE("apply on v2 hands device rules to the eBPF filter, and no rules to nothing", "[cgroups]") {
    // The filter itself is tested on a real cgroup2 dir (cgroups_bpf_host_test):
    // here the fake dir is no cgroup, so attaching it must fail, naming it.
    FakeTree t;
    t.v2("");
    auto m = open("/ocirt/c1", t.paths());
    spec::Resources r;
    CHECK_NOTHROW(m->apply(r));
    r.devices = default_device_rules();
    r.devices.insert(r.devices.begin(), rule(false, "", std::nullopt, std::nullopt, "rwm"));
    CHECK_THROWS_WITH(m->apply(r), Contains("/ocirt/c1") && Contains("device filter"));
}

TEST_CASE("pids lists the cgroup and its sub-cgroups once each, sorted", "[cgroups]") {
    FakeTree t;
    t.host_like(true);
    auto m = open("/ocirt/c1", t.paths());
    CHECK(m->pids().empty());  // not created: nothing, no error
    m->create();
    const std::string fz = t.root() + "/freezer/ocirt/c1";
    fs::create_directories(fz + "/sub");
    FakeTree::touch(fz + "/cgroup.procs", "5000003\n5000001\n");
    FakeTree::touch(fz + "/sub/cgroup.procs", "5000002\n5000001\n");
    CHECK(m->pids() == std::vector<pid_t>{5000001, 5000002, 5000003});
    // No destroy(): it would signal the listed pids. FakeTree removes the tree.
}

TEST_CASE("v2 freeze writes cgroup.freeze and reads cgroup.events", "[cgroups]") {
    FakeTree t;
    t.v2("");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/ocirt/c1";
    FakeTree::touch(d + "/cgroup.freeze");
    FakeTree::touch(d + "/cgroup.events", "populated 1\nfrozen 0\n");
    CHECK_FALSE(m->frozen());
    FakeTree::touch(d + "/cgroup.events", "populated 1\nfrozen 1\n");  // the kernel's answer
    m->freeze();
    CHECK(m->frozen());
    CHECK(FakeTree::lines(d + "/cgroup.freeze") == std::vector<std::string>{"1"});
}

TEST_CASE("v1 freeze and frozen use the freezer hierarchy", "[cgroups]") {
    FakeTree t;
    t.host_like(false);
    auto m = open("/ocirt/c1", t.paths());
    CHECK_FALSE(m->frozen());  // no dir yet
    m->create();
    const std::string state = t.root() + "/freezer/ocirt/c1/freezer.state";
    FakeTree::touch(state);  // empty: a fake file then reads back what we wrote
    m->freeze();
    CHECK(m->frozen());
    CHECK(FakeTree::lines(state) == std::vector<std::string>{"FROZEN"});
}

TEST_CASE("the clone3 cgroup fd exists only with cgroup2", "[cgroups]") {
    SECTION("v1") {
        FakeTree t;
        t.host_like(false);
        auto m = open("/ocirt/c1", t.paths());
        m->create();
        CHECK_FALSE(m->fd_for_clone_into_cgroup().valid());
        m->destroy();
    }
    SECTION("hybrid: the unified dir") {
        FakeTree t;
        t.host_like(true);
        auto m = open("/ocirt/c1", t.paths());
        CHECK_THROWS_WITH(m->fd_for_clone_into_cgroup(), Contains(t.root() + "/unified/ocirt/c1"));
        m->create();
        Fd fd = m->fd_for_clone_into_cgroup();
        REQUIRE(fd.valid());
        struct stat a {}, b {};
        REQUIRE(::fstat(fd.get(), &a) == 0);
        REQUIRE(::stat((t.root() + "/unified/ocirt/c1").c_str(), &b) == 0);
        CHECK(a.st_ino == b.st_ino);
        fd.reset();
        m->destroy();
    }
    SECTION("v2") {
        FakeTree t;
        t.v2("");
        auto m = open("/ocirt/c1", t.paths());
        m->create();
        CHECK(m->fd_for_clone_into_cgroup().valid());
        m->destroy();
    }
}
