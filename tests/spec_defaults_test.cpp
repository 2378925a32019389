// default_spec(): what `ocirt spec [--rootless]` writes.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ocirt/spec/defaults.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/validate.hpp"

using namespace ocirt::spec;
using nlohmann::json;

TEST_CASE("default spec parses, validates and is supported", "[spec][defaults]") {
    for (bool rootless : {false, true}) {
        CAPTURE(rootless);
        json j = default_spec(rootless);
        Config c = parse_config(j);
        REQUIRE_NOTHROW(validate(c));
        REQUIRE_NOTHROW(check_supported(c));
        CHECK(c.oci_version == "1.3.0");
        REQUIRE(c.process);
        CHECK(c.process->terminal);
        CHECK(c.process->args == std::vector<std::string>{"sh"});
        CHECK(c.process->cwd == "/");
        CHECK(c.process->no_new_privileges);
        REQUIRE(c.process->capabilities);
        CHECK(c.process->capabilities->bounding ==
              std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
        CHECK_FALSE(c.process->capabilities->inheritable);
        REQUIRE(c.process->rlimits.size() == 1);
        CHECK(c.process->rlimits[0].type == "RLIMIT_NOFILE");
        CHECK(c.process->rlimits[0].soft == 1024);
        REQUIRE(c.root);
        CHECK(c.root->path == "rootfs");
        CHECK(c.root->readonly);
        CHECK(c.hostname == "runc");
        REQUIRE(c.mounts.size() == 7);
        CHECK(c.mounts[0].destination == "/proc");
        CHECK(c.mounts[6].destination == "/sys/fs/cgroup");
        REQUIRE(c.linux);
        CHECK(c.linux->masked_paths.size() == 10);
        CHECK(c.linux->readonly_paths.size() == 5);
    }
}

TEST_CASE("default spec, root: network namespace and device rules", "[spec][defaults]") {
    json j = default_spec(false);
    CHECK(j["linux"]["namespaces"] == json::parse(R"([{"type":"pid"},{"type":"network"},
        {"type":"ipc"},{"type":"uts"},{"type":"mount"}])"));
    CHECK(j["linux"]["resources"] == json::parse(R"({"devices":[{"allow":false,"access":"rwm"}]})"));
    CHECK_FALSE(j["linux"].contains("uidMappings"));
    CHECK(j["mounts"][2]["options"].back() == "gid=5");
    CHECK(j["mounts"][5] == json::parse(R"({"destination":"/sys","type":"sysfs","source":"sysfs",
        "options":["nosuid","noexec","nodev","ro"]})"));
}

TEST_CASE("default spec, rootless: user namespace mapping the caller", "[spec][defaults]") {
    json j = default_spec(true);
    CHECK(j["linux"]["namespaces"] == json::parse(R"([{"type":"pid"},{"type":"ipc"},
        {"type":"uts"},{"type":"mount"},{"type":"user"}])"));
    CHECK_FALSE(j["linux"].contains("resources"));
    CHECK(j["linux"]["uidMappings"] ==
          json::array({{{"containerID", 0}, {"hostID", ::geteuid()}, {"size", 1}}}));
    CHECK(j["linux"]["gidMappings"] ==
          json::array({{{"containerID", 0}, {"hostID", ::getegid()}, {"size", 1}}}));
    CHECK(j["mounts"][2]["options"] ==
          json({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}));
    CHECK(j["mounts"][5] == json::parse(R"({"destination":"/sys","type":"none","source":"/sys",
        "options":["rbind","nosuid","noexec","nodev","ro"]})"));
}
