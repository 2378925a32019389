// resolve_path and the device rule helpers: pure functions, no filesystem.
#include <catch2/catch.hpp>

#include "device_rule.hpp"

#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
using Catch::Matchers::Contains;

TEST_CASE("resolve_path defaults, absolute and relative paths", "[cgroups]") {
    CHECK(resolve_path(std::nullopt, "abc", false) == "/ocirt/abc");
    CHECK(resolve_path(std::string(), "abc", false) == "/ocirt/abc");
    CHECK(resolve_path("/a/b", "abc", false) == "/a/b");
    // Relative is under the hierarchy root, not under our own cgroup.
    CHECK(resolve_path("a/b", "abc", false) == "/a/b");
    // Without --systemd-cgroup a ':' is an ordinary character, as in runc.
    CHECK(resolve_path("system.slice:docker:abc", "abc", false) == "/system.slice:docker:abc");
}

TEST_CASE("resolve_path rejects paths that are not clean", "[cgroups]") {
    for (const char* bad : {"/a/../b", "..", "/a/./b", "/a//b", "a/b/", "/", "//"}) {
        INFO(bad);
        CHECK_THROWS_WITH(resolve_path(std::string(bad), "abc", false), Contains("linux.cgroupsPath"));
    }
    CHECK_THROWS_WITH(resolve_path(std::string("a\0b", 3), "abc", false), Contains("NUL"));
    CHECK_THROWS_WITH(resolve_path(std::nullopt, "..", false), Contains("linux.cgroupsPath"));
}

TEST_CASE("resolve_path with --systemd-cgroup gives the unit's cgroup", "[cgroups]") {
    CHECK(resolve_path("system.slice:docker:abc", "abc", true) == "/system.slice/docker-abc.scope");
    CHECK_THROWS_WITH(resolve_path("/a/b", "abc", true), Contains("linux.cgroupsPath"));
}

namespace {
}  // namespace

TEST_CASE("device rules render for v1 devices files", "[cgroups]") {
    CHECK(render_v1(rule(true, "c", 1, 3, "rwm")) == "c 1:3 rwm");
    CHECK(render_v1(rule(false, "", std::nullopt, std::nullopt, "")) == "a *:* rwm");
    CHECK(render_v1(rule(true, "c", 136, std::nullopt, "rw")) == "c 136:* rw");
    CHECK(render_v1(rule(true, "b", std::nullopt, 0, "m")) == "b *:0 m");
    // The kernel refuses a letter other than r, w, m and reads only three: the letters alone.
    CHECK(render_v1(rule(true, "c", 1, 3, "wr")) == "c 1:3 rw");
    CHECK(render_v1(rule(true, "c", 1, 3, "rwa")) == "c 1:3 rw");
    CHECK(render_v1(rule(true, "c", 1, 3, "mmrw")) == "c 1:3 rwm");
    CHECK_THROWS_WITH(render_v1(rule(true, "c", 1, 3, "a")), Contains("linux.resources.devices"));
    // "mrw" is every access: one "a" line, not a c and a b line.
    CHECK(render_v1_lines(rule(true, "a", std::nullopt, std::nullopt, "mrw")) ==
          std::vector<std::string>{"a *:* rwm"});
    CHECK_THROWS_WITH(render_v1(rule(true, "x", 1, 3, "rwm")), Contains("linux.resources.devices"));
    // the kernel reads "a 1:3 r" as "a *:* rwm": V1 writes the c and b rules instead
    using L = std::vector<std::string>;
    CHECK(render_v1_lines(rule(true, "a", 1, 3, "r")) == L{"c 1:3 r", "b 1:3 r"});
    CHECK(render_v1_lines(rule(true, "", std::nullopt, std::nullopt, "m")) == L{"c *:* m", "b *:* m"});
    CHECK(render_v1_lines(rule(false, "a", std::nullopt, std::nullopt, "")) == L{"a *:* rwm"});
    CHECK(render_v1_lines(rule(true, "c", 1, 3, "rw")) == L{"c 1:3 rw"});
    CHECK(render_v1(rule(true, "c", 1, 3, "rwx")) == "c 1:3 rw");
    CHECK_THROWS_WITH(render_v1(rule(true, "c", 1, 3, "x")), Contains("linux.resources.devices"));
}

TEST_CASE("default device rules are runc's allow list", "[cgroups]") {
    std::vector<std::string> got;
    for (const auto& r : default_device_rules()) {
        CHECK(r.allow);
        got.push_back(render_v1(r));
    }
    for (const char* want : {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                             "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"}) {
        INFO(want);
        CHECK(std::find(got.begin(), got.end(), want) != got.end());
    }
    CHECK(got.size() == 11);
}
