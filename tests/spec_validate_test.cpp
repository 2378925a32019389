// validate(), validate_process(), validate_resources() and check_supported().
#include <string>

#include <catch2/catch.hpp>

#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/validate.hpp"

using namespace ocirt::spec;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using nlohmann::json;

namespace {

// A valid config with new namespaces of every kind but user and time.
json base() {
    return json::parse(R"({
      "ociVersion": "1.2.0",
      "root": {"path": "rootfs"},
      "process": {"args": ["sh"], "cwd": "/"},
      "hostname": "box",
      "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
      "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
                               {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]}
    })");
}

// A user-namespaced variant of base().
json userns() {
    json j = base();
    j["linux"]["namespaces"].push_back({{"type", "user"}});
    j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    j["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    return j;
}

// base() (or `j`) with the value at JSON pointer `ptr` replaced, then validated.
void validate_with(const std::string& ptr, const json& value, json j = base()) {
    j[json::json_pointer(ptr)] = value;
    validate(parse_config(j));
}

void supported_with(const std::string& ptr, const json& value) {
    json j = base();
    j[json::json_pointer(ptr)] = value;
    check_supported(parse_config(j));
}

}  // namespace

TEST_CASE("valid configs pass", "[spec][validate]") {
    REQUIRE_NOTHROW(validate(parse_config(base())));
    REQUIRE_NOTHROW(validate(parse_config(userns())));
    // No process: only `start` needs one.
    json j = base();
    j.erase("process");
    REQUIRE_NOTHROW(validate(parse_config(j)));
    // Joining existing namespaces by path.
    REQUIRE_NOTHROW(validate_with("/linux/namespaces/1/path", "/var/run/netns/x"));
    json joined = base();
    joined["linux"]["namespaces"].push_back({{"type", "user"}, {"path", "/proc/1/ns/user"}});
    REQUIRE_NOTHROW(validate(parse_config(joined)));
    // hostname with a joined uts namespace (pods share the sandbox's).
    REQUIRE_NOTHROW(validate_with("/linux/namespaces/3/path", "/proc/1/ns/uts"));
    // Relative mount destinations are deprecated in v1.2; ocirt refuses them.
    REQUIRE_THROWS_WITH(validate_with("/mounts/0/destination", "proc"),
                        Contains("mounts[0].destination: must be an absolute path"));
    // Every propagation, r-forms included.
    for (const char* p : {"shared", "slave", "private", "unbindable", "rshared", "rslave",
                          "rprivate", "runbindable", ""}) {
        REQUIRE_NOTHROW(validate_with("/linux/rootfsPropagation", p));
    }
}

TEST_CASE("validate: root", "[spec][validate]") {
    json j = base();
    j.erase("root");
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("root: required on linux"));
    REQUIRE_THROWS_WITH(validate_with("/root/path", ""), Equals("root.path: must not be empty"));
}

TEST_CASE("validate: other platforms", "[spec][validate]") {
    REQUIRE_THROWS_WITH(validate_with("/windows", json::object()),
                        Equals("windows: not supported on linux"));
    REQUIRE_THROWS_WITH(validate_with("/solaris", json::object()),
                        Equals("solaris: not supported on linux"));
}

TEST_CASE("validate: process", "[spec][validate]") {
    REQUIRE_THROWS_WITH(validate_with("/process/args", json::array()),
                        Equals("process.args: must have at least one element"));
    json j = base();
    j["process"].erase("args");
    REQUIRE_THROWS_WITH(validate(parse_config(j)),
                        Equals("process.args: must have at least one element"));
    REQUIRE_THROWS_WITH(validate_with("/process/cwd", "x"),
                        Equals("process.cwd: must be an absolute path, got \"x\""));
    REQUIRE_THROWS_WITH(validate_with("/process/cwd", ""),
                        Equals("process.cwd: must be an absolute path, got \"\""));
    REQUIRE_THROWS_WITH(validate_with("/process/oomScoreAdj", 1001),
                        Equals("process.oomScoreAdj: must be between -1000 and 1000, got 1001"));
    REQUIRE_NOTHROW(validate_with("/process/oomScoreAdj", -1000));
}

TEST_CASE("validate: rlimits", "[spec][validate]") {
    auto rl = [](const char* type, uint64_t soft, uint64_t hard) {
        return json{{"type", type}, {"soft", soft}, {"hard", hard}};
    };
    REQUIRE_NOTHROW(validate_with("/process/rlimits",
                                  {rl("RLIMIT_NOFILE", 1024, 4096), rl("RLIMIT_CORE", 0, 0)}));
    REQUIRE_THROWS_WITH(validate_with("/process/rlimits", {rl("RLIMIT_NOFILE", 1, 1), rl("RLIMIT_FOO", 1, 1)}),
                        Equals("process.rlimits[1].type: unknown resource limit \"RLIMIT_FOO\""));
    REQUIRE_THROWS_WITH(validate_with("/process/rlimits", json::array({rl("nofile", 1, 1)})),
                        Equals("process.rlimits[0].type: unknown resource limit \"nofile\""));
    REQUIRE_THROWS_WITH(
        validate_with("/process/rlimits",
                      {rl("RLIMIT_NOFILE", 1, 1), rl("RLIMIT_CORE", 1, 1), rl("RLIMIT_NOFILE", 2, 2)}),
        Equals("process.rlimits[2].type: duplicate \"RLIMIT_NOFILE\" (also process.rlimits[0])"));
    REQUIRE_THROWS_WITH(validate_with("/process/rlimits", json::array({rl("RLIMIT_NOFILE", 10, 5)})),
                        Equals("process.rlimits[0].soft: must not exceed hard (10 > 5)"));
}

TEST_CASE("validate_process checks an exec process on its own", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_process(parse_process(json::parse(R"({"args": ["ls"], "cwd": "/"})"))));
    REQUIRE_THROWS_WITH(validate_process(parse_process(json::parse(R"({"args": ["ls"], "cwd": "tmp"})"))),
                        Equals("process.cwd: must be an absolute path, got \"tmp\""));
    REQUIRE_THROWS_WITH(
        validate_process(parse_process(json::parse(R"({"cwd": "/"})")), "exec process"),
        Equals("exec process.args: must have at least one element"));
}

TEST_CASE("validate: mounts", "[spec][validate]") {
    json j = base();
    j["mounts"] = json::parse(R"([{"destination": "/a"}, {"destination": "/b"}, {"destination": "/c"},
                                  {"destination": ""}])");
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("mounts[3].destination: must not be empty"));

    json m = json::parse(R"({"destination": "/data", "source": "/v", "options": ["rbind"],
                             "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]})");
    REQUIRE_THROWS_WITH(validate_with("/mounts/0", m), Equals("mounts[0].gidMappings: required with uidMappings"));
    m["gidMappings"] = m["uidMappings"];
    REQUIRE_NOTHROW(validate_with("/mounts/0", m));
    m.erase("uidMappings");
    REQUIRE_THROWS_WITH(validate_with("/mounts/0", m), Equals("mounts[0].uidMappings: required with gidMappings"));
    m["uidMappings"] = json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 0}])");
    REQUIRE_THROWS_WITH(validate_with("/mounts/0", m), Equals("mounts[0].uidMappings[0].size: must be greater than 0"));

    // idmap with neither mount mappings nor a user namespace (config.md).
    json idmap = json::parse(R"({"destination": "/data", "source": "/v", "options": ["rbind", "idmap"]})");
    REQUIRE_THROWS_WITH(validate_with("/mounts/0", idmap), Contains("mounts[0].options: idmap needs"));
    REQUIRE_NOTHROW(validate_with("/mounts/0", idmap, userns()));
}

TEST_CASE("validate: hooks", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_with("/hooks/poststart", json::parse(R"([{"path": "/bin/true", "timeout": 1}])")));
    REQUIRE_THROWS_WITH(validate_with("/hooks/createRuntime", json::parse(R"([{"path": "/a"}, {"path": "hook"}])")),
                        Equals("hooks.createRuntime[1].path: must be an absolute path, got \"hook\""));
    REQUIRE_THROWS_WITH(validate_with("/hooks/poststop", json::parse(R"([{"path": "/a", "timeout": 0}])")),
                        Equals("hooks.poststop[0].timeout: must be greater than 0"));
}

TEST_CASE("validate: annotations", "[spec][validate]") {
    REQUIRE_THROWS_WITH(validate_with("/annotations", json::parse(R"({"": "x"})")),
                        Equals("annotations: keys must not be empty"));
}

TEST_CASE("validate: namespaces", "[spec][validate]") {
    json j = base();
    j["linux"]["namespaces"].push_back({{"type", "pid"}});
    REQUIRE_THROWS_WITH(validate(parse_config(j)),
                        Equals("linux.namespaces[6].type: duplicate namespace type \"pid\""));
    REQUIRE_THROWS_WITH(validate_with("/linux/namespaces/1/path", "netns/x"),
                        Equals("linux.namespaces[1].path: must be an absolute path, got \"netns/x\""));
}

TEST_CASE("validate: hostname and domainname need a uts namespace", "[spec][validate]") {
    json j = base();
    j["linux"]["namespaces"].erase(3);  // uts
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("hostname: requires a uts namespace"));
    j["hostname"] = "";
    REQUIRE_NOTHROW(validate(parse_config(j)));
    j["domainname"] = "example.test";
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("domainname: requires a uts namespace"));
    j.erase("linux");
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("domainname: requires a uts namespace"));
}

TEST_CASE("validate: user namespace mappings", "[spec][validate]") {
    json j = base();
    j["linux"]["uidMappings"] = userns()["linux"]["uidMappings"];
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("linux.uidMappings: requires a user namespace"));
    j["linux"].erase("uidMappings");
    j["linux"]["gidMappings"] = userns()["linux"]["gidMappings"];
    REQUIRE_THROWS_WITH(validate(parse_config(j)), Equals("linux.gidMappings: requires a user namespace"));

    json u = userns();
    u["linux"].erase("uidMappings");
    REQUIRE_THROWS_WITH(validate(parse_config(u)),
                        Equals("linux.uidMappings: must not be empty with a new user namespace"));
    u = userns();
    u["linux"]["gidMappings"] = json::array();
    REQUIRE_THROWS_WITH(validate(parse_config(u)),
                        Equals("linux.gidMappings: must not be empty with a new user namespace"));

    auto map = [](uint32_t c, uint32_t h, uint32_t s) {
        return json{{"containerID", c}, {"hostID", h}, {"size", s}};
    };
    REQUIRE_NOTHROW(validate_with("/linux/uidMappings", {map(0, 1000, 1), map(1, 100000, 65536)}, userns()));
    REQUIRE_THROWS_WITH(validate_with("/linux/uidMappings", {map(0, 1000, 1), map(1, 5000, 0)}, userns()),
                        Equals("linux.uidMappings[1].size: must be greater than 0"));
    REQUIRE_THROWS_WITH(
        validate_with("/linux/uidMappings", {map(0, 1000, 10), map(20, 2000, 5), map(9, 3000, 2)}, userns()),
        Equals("linux.uidMappings[2]: container ids overlap linux.uidMappings[0]"));
    REQUIRE_THROWS_WITH(validate_with("/linux/gidMappings", {map(0, 1000, 10), map(10, 1005, 5)}, userns()),
                        Equals("linux.gidMappings[1]: host ids overlap linux.gidMappings[0]"));
    REQUIRE_THROWS_WITH(validate_with("/linux/uidMappings", json::array({map(4294967290u, 0, 10)}), userns()),
                        Equals("linux.uidMappings[0]: containerID + size exceeds the 32-bit id range"));
    REQUIRE_THROWS_WITH(validate_with("/linux/uidMappings", json::array({map(0, 4294967295u, 1)}), userns()),
                        Equals("linux.uidMappings[0]: hostID + size exceeds the 32-bit id range"));
}

TEST_CASE("validate: time offsets", "[spec][validate]") {
    json offsets = json::parse(R"({"monotonic": {"secs": 10}})");
    REQUIRE_THROWS_WITH(validate_with("/linux/timeOffsets", offsets),
                        Equals("linux.timeOffsets: requires a time namespace"));
    json j = base();
    j["linux"]["namespaces"].push_back({{"type", "time"}});
    REQUIRE_NOTHROW(validate_with("/linux/timeOffsets", offsets, j));
    REQUIRE_THROWS_WITH(validate_with("/linux/timeOffsets", json::parse(R"({"realtime": {"secs": 1}})"), j),
                        Equals("linux.timeOffsets[\"realtime\"]: unknown clock (want \"monotonic\" or \"boottime\")"));
    REQUIRE_THROWS_WITH(validate_with("/linux/timeOffsets", json::parse(R"({"boottime": {"nanosecs": 1000000000}})"), j),
                        Equals("linux.timeOffsets[\"boottime\"].nanosecs: must be less than 1000000000"));
    j["linux"]["namespaces"].back()["path"] = "/proc/1/ns/time";
    REQUIRE_THROWS_WITH(validate_with("/linux/timeOffsets", offsets, j),
                        Equals("linux.timeOffsets: cannot be set when joining an existing time namespace"));
}

TEST_CASE("validate: devices", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_with("/linux/devices", json::parse(R"([
        {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229},
        {"type": "b", "path": "/dev/sda", "major": 8, "minor": 0},
        {"type": "u", "path": "/dev/u", "major": 1, "minor": 1},
        {"type": "p", "path": "/dev/fifo"}])")));
    REQUIRE_THROWS_WITH(validate_with("/linux/devices", json::parse(R"([{"type": "x", "path": "/dev/x"}])")),
                        Equals("linux.devices[0].type: unknown device type \"x\" (want c, b, u or p)"));
    REQUIRE_THROWS_WITH(
        validate_with("/linux/devices", json::parse(R"([{"type": "c", "path": "dev/x", "major": 1, "minor": 3}])")),
        Equals("linux.devices[0].path: must be an absolute path, got \"dev/x\""));
}

TEST_CASE("validate: cgroup device rules", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_with("/linux/resources/devices", json::parse(R"([
        {"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"},
        {"allow": true, "type": "a"}, {"allow": true, "type": "b", "access": "m"}])")));
    REQUIRE_THROWS_WITH(validate_with("/linux/resources/devices", json::parse(R"([{"allow": true, "type": "p"}])")),
                        Equals("linux.resources.devices[0].type: unknown device type \"p\" (want a, c or b)"));
    // runc's reading: r, w, m in any order, repeated; other characters dropped ("rwa" is "rw").
    for (const char* access : {"rwa", "wr", "mrw", "rrw", "rx", "m", "rwmrwm"}) {
        INFO(access);
        REQUIRE_NOTHROW(validate_with("/linux/resources/devices",
                                      json{{{"allow", false}}, {{"allow", true}, {"type", "c"}, {"access", access}}}));
    }
    // A non-empty access without any of the letters allows nothing: refused, as runc's create fails.
    for (const char* access : {"a", "x", "A", "RWM", " "}) {
        INFO(access);
        REQUIRE_THROWS_WITH(validate_with("/linux/resources/devices",
                                          json{{{"allow", false}}, {{"allow", true}, {"access", access}}}),
                            Equals(std::string("linux.resources.devices[1].access: no access in \"") + access +
                                   "\" (want letters of \"rwm\")"));
    }
    // validate_resources on its own, for `update -r`.
    REQUIRE_THROWS_WITH(
        validate_resources(parse_resources(json::parse(R"({"devices": [{"allow": true, "type": "z"}]})"))),
        Equals("linux.resources.devices[0].type: unknown device type \"z\" (want a, c or b)"));
}

TEST_CASE("device_access_letters: the letters r, w, m in that order", "[spec][validate]") {
    CHECK(device_access_letters("rwa") == "rw");
    CHECK(device_access_letters("mrw") == "rwm");
    CHECK(device_access_letters("wr") == "rw");
    CHECK(device_access_letters("mmr") == "rm");
    CHECK(device_access_letters("rwmx") == "rwm");
    CHECK(device_access_letters("a").empty());
    CHECK(device_access_letters("").empty());
}

TEST_CASE("validate: a sysctl must belong to a namespace of the container", "[spec][validate]") {
    json j = json::parse(R"({"ociVersion": "1.2.0", "root": {"path": "r"},
        "linux": {"namespaces": [{"type": "mount"}]}})");
    auto with = [&](const char* key, const char* ns) {
        json k = j;
        k["linux"]["sysctl"] = {{key, "1"}};
        if (ns) k["linux"]["namespaces"].push_back({{"type", ns}});
        validate(parse_config(k));
    };
    REQUIRE_THROWS_WITH(with("net.ipv4.ip_forward", nullptr),
                        Equals("linux.sysctl[\"net.ipv4.ip_forward\"]: requires a network namespace in linux.namespaces"));
    REQUIRE_NOTHROW(with("net.ipv4.ip_forward", "network"));
    REQUIRE_THROWS_WITH(with("kernel.shmmax", nullptr), Contains("requires an ipc namespace"));
    REQUIRE_NOTHROW(with("kernel.shmmax", "ipc"));
    REQUIRE_NOTHROW(with("fs.mqueue.msg_max", "ipc"));
    REQUIRE_THROWS_WITH(with("kernel.domainname", nullptr), Contains("requires a uts namespace"));
    REQUIRE_NOTHROW(with("kernel.domainname", "uts"));
    REQUIRE_THROWS_WITH(with("kernel.hostname", "uts"), Contains("use the hostname field instead"));
    REQUIRE_THROWS_WITH(with("vm.overcommit_memory", "network"),
                        Equals("linux.sysctl[\"vm.overcommit_memory\"]: is not namespaced: setting it would change the host"));
}

TEST_CASE("validate: rootfs propagation, sysctl, masked and readonly paths", "[spec][validate]") {
    REQUIRE_THROWS_WITH(validate_with("/linux/rootfsPropagation", "rshared2"),
                        Equals("linux.rootfsPropagation: unknown propagation \"rshared2\""));
    REQUIRE_THROWS_WITH(validate_with("/linux/sysctl", json::parse(R"({"": "1"})")),
                        Equals("linux.sysctl: keys must not be empty"));
    REQUIRE_NOTHROW(validate_with("/linux/sysctl", json::parse(R"({"net.ipv4.ip_forward": "1"})")));
    REQUIRE_THROWS_WITH(validate_with("/linux/maskedPaths", json::parse(R"(["/proc/kcore", "proc/keys"])")),
                        Equals("linux.maskedPaths[1]: must be an absolute path, got \"proc/keys\""));
    REQUIRE_THROWS_WITH(validate_with("/linux/readonlyPaths", json::parse(R"([""])")),
                        Equals("linux.readonlyPaths[0]: must be an absolute path, got \"\""));
}

TEST_CASE("validate: seccomp shape", "[spec][validate]") {
    REQUIRE_THROWS_WITH(
        validate_with("/linux/seccomp", json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "m"})")),
        Equals("linux.seccomp.listenerMetadata: requires listenerPath"));
    REQUIRE_THROWS_WITH(
        validate_with("/linux/seccomp", json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": [], "action": "SCMP_ACT_ALLOW"}]})")),
        Equals("linux.seccomp.syscalls[1].names: must have at least one element"));
}

TEST_CASE("check_supported accepts what ocirt applies", "[spec][supported]") {
    json j = userns();
    j["process"] = json::parse(R"({
      "terminal": true, "consoleSize": {"height": 24, "width": 80},
      "user": {"uid": 1, "gid": 1, "umask": 18, "additionalGids": [5]},
      "args": ["sh"], "env": ["A=b"], "cwd": "/",
      "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_NOT_A_CAP"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}],
      "noNewPrivileges": true, "oomScoreAdj": 5, "apparmorProfile": "", "selinuxLabel": ""})");
    j["domainname"] = "example.test";
    j["annotations"] = {{"a", "b"}};
    j["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
    j["linux"]["devices"] = json::parse(R"([{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229}])");
    j["linux"]["rootfsPropagation"] = "rslave";
    j["linux"]["resources"] = json::parse(R"({"devices": [{"allow": false, "access": "rwm"}],
        "memory": {"limit": 1}, "cpu": {"shares": 2}, "pids": {"limit": 10}, "blockIO": {"weight": 10},
        "hugepageLimits": [{"pageSize": "2MB", "limit": 1}], "network": {"classID": 1},
        "rdma": {"mlx5_1": {"hcaHandles": 1}}, "unified": {"memory.max": "1"}})");
    j["linux"]["cgroupsPath"] = "/a/b";
    j["linux"]["maskedPaths"] = {"/proc/kcore"};
    j["linux"]["readonlyPaths"] = {"/proc/sys"};
    j["linux"]["mountLabel"] = "";
    j["hooks"] = json::parse(R"({"prestart": [], "poststop": []})");  // empty lists ask nothing
    Config c = parse_config(j);
    REQUIRE_NOTHROW(validate(c));
    REQUIRE_NOTHROW(check_supported(c));
}

TEST_CASE("linux.netDevices and linux.intelRdt are supported", "[spec][supported]") {
    REQUIRE_NOTHROW(supported_with("/linux/netDevices", {{"eth0", {{"name", "ctr0"}}}}));
    REQUIRE_NOTHROW(supported_with("/linux/intelRdt", json::parse(R"({"closID": "g", "schemata": ["L3:0=f"],
        "enableMonitoring": true})")));
}

TEST_CASE("linux.netDevices: names and the network namespace", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_with("/linux/netDevices", {{"dummy0", json::object()}, {"eth1", {{"name", "c%d"}}}}));
    REQUIRE_THROWS_WITH(validate_with("/linux/netDevices", {{"a/b", json::object()}}),
                        Equals("linux.netDevices[\"a/b\"]: not a network interface name"));
    REQUIRE_THROWS_WITH(validate_with("/linux/netDevices", {{"eth0", {{"name", "0123456789abcdef"}}}}),
                        Equals("linux.netDevices[\"eth0\"].name: not a network interface name: \"0123456789abcdef\""));
    REQUIRE_THROWS_WITH(validate_with("/linux/netDevices", {{"eth0", {{"name", "a b"}}}}),
                        Contains("linux.netDevices[\"eth0\"].name: not a network interface name"));
    json j = base();
    j["linux"]["namespaces"].erase(1);  // the network namespace
    REQUIRE_THROWS_WITH(validate_with("/linux/netDevices", {{"eth0", json::object()}}, j),
                        Contains("linux.netDevices: needs a network namespace of the container's own"));
}

TEST_CASE("linux.intelRdt: closID and schemata lines", "[spec][validate]") {
    REQUIRE_NOTHROW(validate_with("/linux/intelRdt", json::parse(R"({"closID": "/", "memBwSchema": "MB:0=20"})")));
    REQUIRE_THROWS_WITH(validate_with("/linux/intelRdt", {{"closID", "a/b"}}),
                        Contains("linux.intelRdt.closID: must be \"/\" or the name of a directory"));
    REQUIRE_THROWS_WITH(validate_with("/linux/intelRdt", {{"closID", ".."}}), Contains("linux.intelRdt.closID"));
    REQUIRE_THROWS_WITH(validate_with("/linux/intelRdt", {{"memBwSchema", "L3:0=f"}}),
                        Equals("linux.intelRdt.memBwSchema: must start with \"MB:\", got \"L3:0=f\""));
    REQUIRE_THROWS_WITH(validate_with("/linux/intelRdt", {{"l3CacheSchema", "L3:0=f\nMB:0=1"}}),
                        Equals("linux.intelRdt.l3CacheSchema: must not contain a newline"));
    REQUIRE_THROWS_WITH(validate_with("/linux/intelRdt", {{"schemata", {"L3:0=f", "L2:0=1\n"}}}),
                        Equals("linux.intelRdt.schemata[1]: must not contain a newline"));
}

TEST_CASE("check_supported on an exec process", "[spec][supported]") {
    REQUIRE_NOTHROW(check_supported(parse_process(json::parse(R"({"args": ["ls"], "cwd": "/"})"))));
    // Every process field is applied now.
    REQUIRE_NOTHROW(check_supported(parse_process(json::parse(
        R"({"args": ["ls"], "cwd": "/", "execCPUAffinity": {"final": "1"}, "scheduler": {"policy": "SCHED_OTHER"}})"))));
}
