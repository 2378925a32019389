// exec --cgroup: the argument forms (runc's), the sub-cgroup path rules, and the
// joins against the fake cgroupfs (fake_cgroupfs.hpp; pids above pid_max).
#include <catch2/catch.hpp>
#include <filesystem>

#include "fake_cgroupfs.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/sub_cgroups.hpp"

using namespace ocirt::cgroups;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("--cgroup arguments: a path alone, or controllers and a path", "[cgroups][exec]") {
    CHECK(parse_sub_cgroups({}).empty());
    CHECK(parse_sub_cgroups({"sub"}) == SubCgroups{{"", "sub"}});
    CHECK(parse_sub_cgroups({"memory:m", "cpu,cpuacct:c"}) ==
          SubCgroups{{"memory", "m"}, {"cpu", "c"}, {"cpuacct", "c"}});
    CHECK(parse_sub_cgroups({"name=systemd:/x"}) == SubCgroups{{"name=systemd", "/x"}});
    CHECK_THROWS_WITH(parse_sub_cgroups({"a", "b"}), Contains("missing <controller>: prefix"));
    CHECK_THROWS_WITH(parse_sub_cgroups({"memory:a", "b"}), Contains("missing <controller>: prefix"));
    CHECK_THROWS_WITH(parse_sub_cgroups({":a"}), Contains("empty <controller> prefix"));
    CHECK_THROWS_WITH(parse_sub_cgroups({"cpu,:a"}), Contains("empty <controller> prefix"));
    CHECK_THROWS_WITH(parse_sub_cgroups({"memory:a", "memory:b"}), Contains("controller memory specified multiple times"));
}

TEST_CASE("sub-cgroup paths stay at or below the container's cgroup", "[cgroups][exec]") {
    const std::string b = "/sys/fs/cgroup/memory/c1";
    CHECK(sub_cgroup_dir(b, "") == b);
    CHECK(sub_cgroup_dir(b, "/") == b);
    CHECK(sub_cgroup_dir(b, "a/b") == b + "/a/b");
    CHECK(sub_cgroup_dir(b, "/a//./b/") == b + "/a/b");
    CHECK(sub_cgroup_dir(b, "a/..") == b);
    CHECK(sub_cgroup_dir(b, "a/../b") == b + "/b");
    CHECK_FALSE(sub_cgroup_dir(b, ".."));
    CHECK_FALSE(sub_cgroup_dir(b, "/../c2"));
    CHECK_FALSE(sub_cgroup_dir(b, "a/../../c2"));
}

TEST_CASE("add_process with sub-cgroups on v1: per controller, co-mounted, all", "[cgroups][exec]") {
    FakeTree t;
    t.host_like(false);
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string r = t.root();
    for (const auto* d : {"/memory/ocirt/c1/m", "/cpu,cpuacct/ocirt/c1/c", "/memory/ocirt/c1/all",
                          "/cpu,cpuacct/ocirt/c1/all", "/devices/ocirt/c1/all", "/freezer/ocirt/c1/all",
                          "/systemd/ocirt/c1/all"})
        fs::create_directories(r + d);
    for (const auto& h : m->hierarchies()) {
        FakeTree::touch(m->dir(h) + "/cgroup.procs");
        if (fs::exists(m->dir(h) + "/all")) FakeTree::touch(m->dir(h) + "/all/cgroup.procs");
    }
    FakeTree::touch(r + "/memory/ocirt/c1/m/cgroup.procs");
    FakeTree::touch(r + "/cpu,cpuacct/ocirt/c1/c/cgroup.procs");

    m->add_process(5000001, parse_sub_cgroups({"memory:m", "cpu,cpuacct:c"}));
    CHECK(FakeTree::lines(r + "/memory/ocirt/c1/m/cgroup.procs") == std::vector<std::string>{"5000001"});
    CHECK(FakeTree::lines(r + "/cpu,cpuacct/ocirt/c1/c/cgroup.procs") == std::vector<std::string>{"5000001"});
    // the hierarchies no controller was named for: the container's own cgroup
    CHECK(FakeTree::lines(r + "/devices/ocirt/c1/cgroup.procs") == std::vector<std::string>{"5000001"});
    CHECK(FakeTree::lines(r + "/memory/ocirt/c1/cgroup.procs").empty());

    m->add_process(5000002, parse_sub_cgroups({"all"}));
    for (const auto& h : m->hierarchies())
        CHECK(FakeTree::lines(m->dir(h) + "/all/cgroup.procs") == std::vector<std::string>{"5000002"});

    m->add_process(5000003, parse_sub_cgroups({"/"}));
    // (the fake appends: 5000001 went there first, freezer being no controller it named)
    CHECK(FakeTree::lines(r + "/freezer/ocirt/c1/cgroup.procs") == std::vector<std::string>{"5000001", "5000003"});

    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"whaaat:/"})), Contains("unknown controller whaaat"));
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({".."})), Contains("bad sub cgroup path: .."));
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"cpu:a", "cpuacct:b"})),
                      Contains("co-mounted controllers share one cgroup"));
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"memory:nonexistent"})),
                      Contains(r + "/memory/ocirt/c1/nonexistent"));
    // No destroy(): it would signal the listed pids. FakeTree removes the tree.
}

TEST_CASE("add_process with a sub-cgroup on v2: the path alone", "[cgroups][exec]") {
    FakeTree t;
    t.v2("");
    FakeTree::touch_all(t.root(), {"cgroup.controllers", "cgroup.subtree_control"});
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string c1 = t.root() + "/ocirt/c1";
    fs::create_directories(c1 + "/foobar");
    FakeTree::touch(c1 + "/foobar/cgroup.procs");
    m->add_process(5000001, parse_sub_cgroups({"foobar"}));
    CHECK(FakeTree::lines(c1 + "/foobar/cgroup.procs") == std::vector<std::string>{"5000001"});
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"memory:foobar"})), Contains("cgroup v2 has one hierarchy"));
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"../c2"})), Contains("bad sub cgroup path"));
    CHECK_THROWS_WITH(m->add_process(1, parse_sub_cgroups({"nonexistent"})), Contains(c1 + "/nonexistent"));
}
