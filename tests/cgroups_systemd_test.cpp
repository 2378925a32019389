// The systemd cgroup driver's pure parts: cgroupsPath parsing and slice
// expansion, and linux.resources / annotations as unit properties. No bus.
#include <catch2/catch.hpp>

#include "ocirt/linux/cgroups/systemd_path.hpp"
#include "ocirt/linux/cgroups/systemd_props.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
using namespace ocirt::cgroups::systemd;
using Catch::Matchers::Contains;

namespace {

const Property* find(const std::vector<Property>& props, const std::string& name) {
    for (const auto& p : props)
        if (p.name == name) return &p;
    return nullptr;
}

uint64_t number(const std::vector<Property>& props, const std::string& name) {
    const Property* p = find(props, name);
    REQUIRE(p);
    return std::get<Number>(p->value).bits;
}

spec::DeviceRule rule(bool allow, std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                      std::string access) {
    return spec::DeviceRule{allow, std::move(type), major, minor, std::move(access)};
}

}  // namespace

TEST_CASE("systemd: slices nest by their dashes", "[cgroups][systemd]") {
    CHECK(expand_slice("system.slice") == "/system.slice");
    CHECK(expand_slice("a-b-c.slice") == "/a.slice/a-b.slice/a-b-c.slice");
    CHECK(expand_slice("user-1000.slice") == "/user.slice/user-1000.slice");
    CHECK(expand_slice("-.slice") == "");
    for (const char* bad : {"system", ".slice", "-a.slice", "a-.slice", "a--b.slice", "a/b.slice", "a b.slice"})
        CHECK_THROWS_AS(expand_slice(bad), Error);
}

TEST_CASE("systemd: cgroupsPath slice:prefix:name", "[cgroups][systemd]") {
    auto u = parse_cgroups_path("system.slice:docker:abc", "id", false);
    CHECK(u.slice == "system.slice");
    CHECK(u.unit == "docker-abc.scope");
    CHECK(u.path == "/system.slice/docker-abc.scope");
    CHECK_FALSE(u.is_slice());

    // Empty: ":ocirt:<id>"; an empty slice is system.slice, user.slice rootless.
    CHECK(parse_cgroups_path(std::nullopt, "c1", false).path == "/system.slice/ocirt-c1.scope");
    CHECK(parse_cgroups_path(std::string(), "c1", false).path == "/system.slice/ocirt-c1.scope");
    CHECK(parse_cgroups_path(":ocirt:c1", "c1", true).path == "/user.slice/ocirt-c1.scope");
    // Nested slices, the root slice, an empty prefix.
    CHECK(parse_cgroups_path("machine-web.slice:libpod:x", "id", false).path ==
          "/machine.slice/machine-web.slice/libpod-x.scope");
    CHECK(parse_cgroups_path("-.slice:p:x", "id", false).path == "/p-x.scope");
    CHECK(parse_cgroups_path("system.slice::x", "id", false).unit == "x.scope");

    // A name ending in .slice is the unit itself (prefix ignored), placed by its dashes.
    auto s = parse_cgroups_path("kubepods.slice:ignored:kubepods-pod1.slice", "id", false);
    CHECK(s.is_slice());
    CHECK(s.unit == "kubepods-pod1.slice");
    CHECK(s.slice == "kubepods.slice");
    CHECK(s.path == "/kubepods.slice/kubepods-pod1.slice");
    CHECK(parse_cgroups_path("::top.slice", "id", false).path == "/top.slice");
    CHECK_THROWS_WITH(parse_cgroups_path("system.slice::other-x.slice", "id", false),
                      Contains("is not a child of \"system.slice\""));
}

TEST_CASE("systemd: malformed cgroupsPath names the field and the form", "[cgroups][systemd]") {
    for (const char* bad : {"/a/b", "a:b", "a:b:c:d", "system.slice:p:", "nosuffix:p:n", "a--b.slice:p:n",
                            "system.slice:p:a/b", "system.slice:p/q:n"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parse_cgroups_path(std::string(bad), "id", false), Contains("linux.cgroupsPath"));
    }
    CHECK_THROWS_WITH(parse_cgroups_path("/a/b", "id", false), Contains("slice:prefix:name"));
    CHECK_THROWS_WITH(parse_cgroups_path(std::string("s.slice:p:a\0b", 12), "id", false), Contains("\\0"));
    CHECK_THROWS_WITH(parse_cgroups_path("system.slice:p:" + std::string(300, 'x'), "id", false),
                      Contains("longer than 255"));
}

TEST_CASE("systemd: a recorded path gives back its unit", "[cgroups][systemd]") {
    auto u = unit_from_path("/system.slice/ocirt-c1.scope");
    CHECK(u.slice == "system.slice");
    CHECK(u.unit == "ocirt-c1.scope");
    // The cgroup every later verb reads, kills in and freezes: never the root.
    CHECK(u.path == "/system.slice/ocirt-c1.scope");
    CHECK(unit_from_path("/a.slice/a-b.slice/x.scope").slice == "a-b.slice");
    CHECK(unit_from_path("/p-x.scope").slice == "-.slice");
    CHECK(unit_from_path("/kubepods.slice/kubepods-pod1.slice").unit == "kubepods-pod1.slice");
    // a user manager's unit: its cgroup is below the manager's own
    auto user = unit_from_path("/user.slice/user-1000.slice/user@1000.service/user.slice/ocirt-c1.scope");
    CHECK(user.base == "/user.slice/user-1000.slice/user@1000.service");
    CHECK(user.slice == "user.slice");
    CHECK(user.unit == "ocirt-c1.scope");
    CHECK(user.path == "/user.slice/user-1000.slice/user@1000.service/user.slice/ocirt-c1.scope");
    CHECK(unit_from_path("/system.slice/ocirt-c1.scope").base.empty());
    for (const char* bad : {"/x.service/ocirt/c1", "/user@1000.service/", "/ocirt/c1", "/system.slice/x", "/a.slice/b.slice/x.scope", "/system.slice/../x.scope", ""})
        CHECK_THROWS_AS(unit_from_path(bad), Error);
}

TEST_CASE("systemd: CPU quota per second rounds up to 10ms steps", "[cgroups][systemd]") {
    CHECK(cpu_quota_per_sec_usec(50000, 100000) == 500000);  // half a CPU
    CHECK(cpu_quota_per_sec_usec(200000, 0) == 2000000);     // default period 100ms
    CHECK(cpu_quota_per_sec_usec(12345, 100000) == 130000);  // 123450 -> next 10ms step
    CHECK(cpu_quota_per_sec_usec(1000, 1000000) == 10000);   // 1000us/s -> 1%
    CHECK(cpu_quota_per_sec_usec(-1, 100000) == kInfinity);
    CHECK(cpu_quota_per_sec_usec(0, 50000) == kInfinity);
}

TEST_CASE("systemd: cpu lists as AllowedCPUs bitmasks", "[cgroups][systemd]") {
    CHECK(cpu_mask("0", "f") == std::vector<uint8_t>{0x01});
    CHECK(cpu_mask("0-3,8", "f") == std::vector<uint8_t>{0x0f, 0x01});
    CHECK(cpu_mask("1,3, 5-6", "f") == std::vector<uint8_t>{0x6a});
    for (const char* bad : {"", "a", "3-1", "1,,2", "-1", "1-"}) CHECK_THROWS_WITH(cpu_mask(bad, "linux.resources.cpu.cpus"), Contains("linux.resources.cpu.cpus"));
}

TEST_CASE("systemd: linux.resources as v2 unit properties", "[cgroups][systemd]") {
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 64 << 20;
    r.memory->swap = 96 << 20;
    r.memory->reservation = 32 << 20;
    r.pids.emplace();
    r.pids->limit = 100;
    r.cpu.emplace();
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 200000;
    r.cpu->cpus = "0-1";
    r.cpu->mems = "0";
    r.block_io.emplace();
    r.block_io->weight = 500;
    auto p = resource_properties(r, Mode::v2);
    CHECK(number(p, "MemoryMax") == 64u << 20);
    CHECK(number(p, "MemoryLow") == 32u << 20);
    CHECK(number(p, "MemorySwapMax") == 32u << 20);  // swap is memory+swap in the spec
    CHECK(number(p, "TasksMax") == 100);
    CHECK(number(p, "CPUWeight") == 39);  // as cpu.weight on cgroupfs: 1 + (1022*9999)/262142
    CHECK(number(p, "CPUQuotaPeriodUSec") == 200000);
    CHECK(number(p, "CPUQuotaPerSecUSec") == 250000);
    CHECK(std::get<std::vector<uint8_t>>(find(p, "AllowedCPUs")->value) == std::vector<uint8_t>{0x03});
    CHECK(std::get<std::vector<uint8_t>>(find(p, "AllowedMemoryNodes")->value) == std::vector<uint8_t>{0x01});
    CHECK(number(p, "IOWeight") == 4950);  // as io.weight: 1 + 490*9999/990
    CHECK(find(p, "MemoryMax")->field == "linux.resources.memory.limit");
    CHECK_FALSE(find(p, "MemoryLimit"));
    CHECK_FALSE(find(p, "CPUShares"));

    // Unlimited is infinity; pids 0 is left to pids.max (systemd refuses TasksMax=0).
    spec::Resources u;
    u.memory.emplace();
    u.memory->limit = -1;
    u.pids.emplace();
    u.pids->limit = 0;
    auto q = resource_properties(u, Mode::v2);
    CHECK(number(q, "MemoryMax") == kInfinity);
    CHECK(number(q, "MemorySwapMax") == kInfinity);
    CHECK_FALSE(find(q, "TasksMax"));
    // The cgroupfs writer's errors, with the field.
    spec::Resources bad;
    bad.memory.emplace();
    bad.memory->limit = 100;
    bad.memory->swap = 50;
    CHECK_THROWS_WITH(resource_properties(bad, Mode::v2), Contains("linux.resources.memory.swap"));
}

TEST_CASE("systemd: linux.resources as v1 unit properties", "[cgroups][systemd]") {
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 1 << 20;
    r.memory->swap = 2 << 20;
    r.cpu.emplace();
    r.cpu->shares = 512;
    r.cpu->quota = 10000;
    r.cpu->cpus = "0";
    r.block_io.emplace();
    r.block_io->weight = 300;
    r.pids.emplace();
    r.pids->limit = -1;
    auto p = resource_properties(r, Mode::hybrid);
    CHECK(number(p, "MemoryLimit") == 1u << 20);
    CHECK(number(p, "CPUShares") == 512);
    CHECK(number(p, "CPUQuotaPerSecUSec") == 100000);
    CHECK_FALSE(find(p, "CPUQuotaPeriodUSec"));
    CHECK(number(p, "BlockIOWeight") == 300);
    CHECK(number(p, "TasksMax") == kInfinity);
    for (const char* v2_only : {"MemoryMax", "MemorySwapMax", "CPUWeight", "AllowedCPUs", "IOWeight"})
        CHECK_FALSE(find(p, v2_only));
}

TEST_CASE("systemd: device rules as DevicePolicy and DeviceAllow", "[cgroups][systemd]") {
    auto names = [](char type, int64_t major) -> std::optional<std::string> {
        if (type == 'c' && major == 136) return "pts";
        return std::nullopt;
    };
    std::vector<spec::DeviceRule> rules = {
        rule(false, "a", std::nullopt, std::nullopt, "rwm"),  // deny all first, as engines do
        rule(true, "c", 1, 3, "rwm"),                          // /dev/null
        rule(true, "c", 136, std::nullopt, "rwm"),             // /dev/pts/*
        rule(true, "c", std::nullopt, std::nullopt, "m"),      // mknod of any char device
        rule(true, "b", 8, 0, "r"),
        rule(true, "c", 10, 200, "rwm"),
        rule(false, "c", 10, 200, "w"),  // a later deny narrows the earlier allow
        rule(true, "c", 99, std::nullopt, "r"),  // no name in /proc/devices: not passed
    };
    auto p = device_properties(rules, names);
    REQUIRE(p.size() == 2);
    CHECK(std::get<std::string>(find(p, "DevicePolicy")->value) == "strict");
    auto allow = std::get<DeviceAllow>(find(p, "DeviceAllow")->value);
    CHECK(allow == DeviceAllow{{"/dev/char/1:3", "rwm"},
                               {"char-pts", "rwm"},
                               {"char-*", "m"},
                               {"/dev/block/8:0", "r"},
                               {"/dev/char/10:200", "rm"}});

    // Allow everything: policy auto, no list; a later deny-all is strict and empty.
    auto all = device_properties({rule(true, "", std::nullopt, std::nullopt, "")}, names);
    CHECK(std::get<std::string>(find(all, "DevicePolicy")->value) == "auto");
    auto none = device_properties({rule(true, "a", std::nullopt, std::nullopt, "rwm"),
                                   rule(false, "a", std::nullopt, std::nullopt, "rwm")},
                                  names);
    CHECK(std::get<std::string>(find(none, "DevicePolicy")->value) == "strict");
    CHECK(std::get<DeviceAllow>(find(none, "DeviceAllow")->value).empty());
    // An "a" rule with numbers is the char and the block device.
    auto both = device_properties({rule(true, "a", 7, 1, "r")}, names);
    CHECK(std::get<DeviceAllow>(find(both, "DeviceAllow")->value) ==
          DeviceAllow{{"/dev/char/7:1", "r"}, {"/dev/block/7:1", "r"}});
    // update passes no rules: nothing to change.
    CHECK(device_properties({}, names).empty());
}

TEST_CASE("systemd: org.systemd.property.* annotations in GVariant text", "[cgroups][systemd]") {
    auto p = annotation_properties({{"org.systemd.property.TimeoutStopUSec", "uint64 123456789"},
                                    {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                                    {"org.systemd.property.SendSIGHUP", "true"},
                                    {"org.systemd.property.CPUWeight", "@t 50"},
                                    {"org.systemd.property.Nice", "-5"},
                                    {"other.annotation", "ignored"}});
    REQUIRE(p.size() == 5);
    CHECK(to_string(*find(p, "TimeoutStopUSec")) == "@t 123456789");
    CHECK(to_string(*find(p, "CollectMode")) == "'inactive-or-failed'");
    CHECK(to_string(*find(p, "SendSIGHUP")) == "true");
    CHECK(to_string(*find(p, "CPUWeight")) == "@t 50");
    CHECK(to_string(*find(p, "Nice")) == "@i -5");  // GVariant's untyped number is int32
    CHECK(find(p, "CollectMode")->field == "annotations[\"org.systemd.property.CollectMode\"]");
    CHECK(to_string(parse_annotation("org.systemd.property.X", "\"a\\\"b\"")) == "'a\"b'");

    for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"org.systemd.property.", "1"},
             {"org.systemd.property.lower", "1"},
             {"org.systemd.property.Bad-Name", "1"},
             {"org.systemd.property.X", "['a']"},
             {"org.systemd.property.X", "uint64 -1"},
             {"org.systemd.property.X", "byte 256"},
             {"org.systemd.property.X", "3000000000"},
             {"org.systemd.property.X", "'unterminated"},
         }) {
        INFO(key << "=" << value);
        CHECK_THROWS_WITH(parse_annotation(key, value), Contains("annotations[\"" + key + "\"]"));
    }
}
