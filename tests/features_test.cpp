// `ocirt features` lists what the code recognizes: each name it reports goes
// through the same parser or table the runtime uses, and the output has the
// runtime-spec v1.3 shape.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ocirt/features.hpp"
#include "ocirt/linux/capabilities.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/version.hpp"

using namespace ocirt;
using nlohmann::json;

namespace {

// A minimal config with `extra` merged in, through the real parser.
spec::Config parse_with(const json& extra) {
    json j = {{"ociVersion", "1.2.0"}, {"root", {{"path", "rootfs"}}}};
    j.merge_patch(extra);
    return spec::parse_config(j);
}

}  // namespace

TEST_CASE("features: top-level shape and versions", "[features]") {
    auto f = features();
    std::vector<std::string> keys;
    for (const auto& [k, _] : f.items()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux",
                                           "annotations", "potentiallyUnsafeConfigAnnotations"});
    CHECK(f["ociVersionMin"] == "1.0.0");
    CHECK(f["ociVersionMax"] == kSpecVersion);
    // From a criu check on this host: either answer, and a reason with "false".
    const std::string cp = f["annotations"]["io.github.ocirt.checkpoint.enabled"];
    CHECK((cp == "true" || cp == "false"));
    if (cp == "false") CHECK(!f["annotations"]["io.github.ocirt.checkpoint.reason"].get<std::string>().empty());
    CHECK(f["annotations"]["io.github.ocirt.version"] == kVersion);
}

TEST_CASE("features: every mount option is one the parser knows, not a filesystem option", "[features]") {
    auto names = linux_::mount_option_names();
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    for (const std::string& o : names) {
        INFO(o);
        CHECK(linux_::parse_mount_options({o}, "mounts[0].options").data.empty());
    }
    for (const char* o : {"ro", "rbind", "rro", "rshared", "idmap", "ridmap", "tmpcopyup", "nosymfollow"})
        CHECK(std::find(names.begin(), names.end(), o) != names.end());
    // Filesystem data options are not listed.
    CHECK(std::find(names.begin(), names.end(), "mode") == names.end());
    CHECK(linux_::parse_mount_options({"acl"}, "m").data.size() == 1);
    CHECK(std::find(names.begin(), names.end(), "acl") == names.end());
}

TEST_CASE("features: every namespace and hook kind is read by the config parser", "[features]") {
    auto f = features();
    for (const auto& n : f["linux"]["namespaces"]) {
        const std::string ns = n.get<std::string>();
        INFO(ns);
        spec::Config c = parse_with({{"linux", {{"namespaces", {{{"type", ns}}}}}}});
        REQUIRE(c.linux->namespaces.size() == 1);
        CHECK(spec::to_string(c.linux->namespaces[0].type) == ns);
    }
    CHECK(f["linux"]["namespaces"].size() == 8);
    size_t i = 0;
    for (const auto& k : f["hooks"]) {
        const std::string kind = k.get<std::string>();
        INFO(kind);
        spec::Config c = parse_with({{"hooks", {{kind, {{{"path", "/bin/true"}}}}}}});
        REQUIRE(c.hooks);
        CHECK((c.hooks.value().*spec::kHookKinds[i].list).size() == 1);
        ++i;
    }
    CHECK(i == 6);
}

TEST_CASE("features: capability names, in number order", "[features]") {
    auto caps = linux_::capability_names();
    REQUIRE(caps.size() >= 38);
    CHECK(caps[0] == "CAP_CHOWN");
    CHECK(caps[21] == "CAP_SYS_ADMIN");
    CHECK(std::find(caps.begin(), caps.end(), "CAP_CHECKPOINT_RESTORE") != caps.end());
}

TEST_CASE("features: supported and unsupported things are reported so", "[features]") {
    auto f = features();
    CHECK(f["linux"]["intelRdt"]["enabled"] == true);
    CHECK(f["linux"]["intelRdt"]["schemata"] == true);
    CHECK(f["linux"]["intelRdt"]["monitoring"] == true);
    CHECK(f["linux"]["netDevices"]["enabled"] == true);
    CHECK(f["linux"]["cgroup"]["systemd"] == true);
    CHECK(f["linux"]["cgroup"]["systemdUser"] == true);
    CHECK(f["linux"]["cgroup"]["v1"] == true);
    CHECK(f["linux"]["mountExtensions"]["idmap"]["enabled"] == true);
    CHECK(f["linux"]["seccomp"]["enabled"] == true);
    CHECK(f["potentiallyUnsafeConfigAnnotations"] == json::array());
}

TEST_CASE("features: memoryPolicy (1.3) lists every mode and flag create accepts, and only those", "[features]") {
    auto f = features();
    const auto& mp = f["linux"]["memoryPolicy"];
    REQUIRE(mp["modes"].size() == 7);
    REQUIRE(mp["flags"].size() == 3);
    for (const auto& m : mp["modes"]) {
        INFO(m);
        spec::Config c = parse_with({{"linux", {{"memoryPolicy", {{"mode", m}}}}}});
        CHECK_NOTHROW(linux_::check_process_attrs(c));
        for (const auto& fl : mp["flags"]) {
            INFO(fl);
            c = parse_with({{"linux", {{"memoryPolicy", {{"mode", m}, {"flags", {fl}}}}}}});
            CHECK_NOTHROW(linux_::check_process_attrs(c));
        }
    }
    spec::Config bad = parse_with({{"linux", {{"memoryPolicy", {{"mode", "MPOL_NOPE"}}}}}});
    CHECK_THROWS_WITH(linux_::check_process_attrs(bad), Catch::Contains("linux.memoryPolicy.mode"));
}
