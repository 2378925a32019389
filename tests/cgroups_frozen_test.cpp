// create() and a cgroupsPath that already exists: frozen is refused before any
// process could join, populated is shared (with a warning). Against the fake
// cgroupfs (fake_cgroupfs.hpp); fake cgroup.procs hold pids above pid_max.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fake_cgroupfs.hpp"
#include "ocirt/linux/cgroups/manager.hpp"

using namespace ocirt::cgroups;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("v2 create refuses a frozen cgroup, naming it, and leaves it as it was", "[cgroups]") {
    FakeTree t;
    t.v2("");
    const std::string d = t.root() + "/ocirt/c1";
    fs::create_directories(d);
    auto m = open("/ocirt/c1", t.paths());
    SECTION("frozen itself (cgroup.freeze)") {
        FakeTree::touch(d + "/cgroup.freeze", "1\n");
        FakeTree::touch(d + "/cgroup.events", "populated 0\nfrozen 1\n");
        CHECK_THROWS_WITH(m->create(), Contains(d) && Contains("is frozen"));
    }
    SECTION("freezing: asked, not yet frozen") {
        FakeTree::touch(d + "/cgroup.freeze", "1\n");
        FakeTree::touch(d + "/cgroup.events", "populated 1\nfrozen 0\n");
        CHECK_THROWS_WITH(m->create(), Contains(d) && Contains("is frozen"));
    }
    SECTION("frozen by an ancestor (cgroup.events only)") {
        FakeTree::touch(d + "/cgroup.freeze", "0\n");
        FakeTree::touch(d + "/cgroup.events", "populated 0\nfrozen 1\n");
        CHECK_THROWS_WITH(m->create(), Contains(d) && Contains("is frozen"));
    }
    CHECK(m->created().empty());
    CHECK(fs::is_directory(d));
}

TEST_CASE("v2 create goes on with a thawed or new cgroup", "[cgroups]") {
    FakeTree t;
    t.v2("");
    const std::string d = t.root() + "/ocirt/c1";
    SECTION("existing, thawed") {
        fs::create_directories(d);
        FakeTree::touch(d + "/cgroup.freeze", "0\n");
        FakeTree::touch(d + "/cgroup.events", "populated 0\nfrozen 0\n");
        auto m = open("/ocirt/c1", t.paths());
        CHECK_NOTHROW(m->create());
        CHECK(m->created().empty());
    }
    SECTION("new") {
        auto m = open("/ocirt/c1", t.paths());
        CHECK_NOTHROW(m->create());
        CHECK(m->created().size() == 2);
    }
}

TEST_CASE("v2 create shares a cgroup that already holds processes (a warning, no error)", "[cgroups]") {
    FakeTree t;
    t.v2("");
    const std::string d = t.root() + "/ocirt/c1";
    fs::create_directories(d);
    FakeTree::touch(d + "/cgroup.procs", "4194400\n4194401\n");
    auto m = open("/ocirt/c1", t.paths());
    CHECK_NOTHROW(m->create());
    CHECK(m->created().empty());
    CHECK(m->pids().size() == 2);
}

TEST_CASE("v1 create refuses a frozen or freezing freezer cgroup", "[cgroups]") {
    FakeTree t;
    t.host_like(false);
    const std::string d = t.root() + "/freezer/ocirt/c1";
    fs::create_directories(d);
    auto m = open("/ocirt/c1", t.paths());
    SECTION("FROZEN") { FakeTree::touch(d + "/freezer.state", "FROZEN\n"); }
    SECTION("FREEZING") { FakeTree::touch(d + "/freezer.state", "FREEZING\n"); }
    CHECK_THROWS_WITH(m->create(), Contains(d) && Contains("is frozen"));
    // The dirs made in the other hierarchies are gone again.
    CHECK(m->created().empty());
    CHECK_FALSE(fs::exists(t.root() + "/memory/ocirt"));
}
