// parse_config / parse_process / parse_resources / load_config.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt::spec;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using nlohmann::json;

namespace {

// Every field of config.md and config-linux.md (v1.2, plus v1.3 additions).
const char* kFull = R"({
  "ociVersion": "1.2.0",
  "root": {"path": "rootfs", "readonly": true},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "none", "source": "/vol", "options": ["rbind", "idmap"],
     "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
     "gidMappings": [{"containerID": 1, "hostID": 2000, "size": 20}]}
  ],
  "process": {
    "terminal": true,
    "consoleSize": {"height": 25, "width": 80},
    "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [5, 6], "username": "u"},
    "args": ["sh", "-c", "true"],
    "commandLine": "cmd.exe",
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/root",
    "capabilities": {
      "bounding": ["CAP_KILL"], "effective": ["CAP_CHOWN"], "inheritable": [],
      "permitted": ["CAP_KILL", "CAP_CHOWN"], "ambient": ["CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096},
                {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}],
    "noNewPrivileges": true,
    "apparmorProfile": "acme",
    "oomScoreAdj": -500,
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 3,
                  "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 100, "deadline": 200, "period": 300},
    "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0",
    "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
    "execCPUAffinity": {"initial": "7", "final": "0-3,7"}
  },
  "hostname": "slartibartfast",
  "domainname": "example.test",
  "hooks": {
    "prestart": [{"path": "/bin/pre", "args": ["pre", "a"], "env": ["K=V"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/cr"}],
    "createContainer": [{"path": "/bin/cc"}],
    "startContainer": [{"path": "/bin/sc"}],
    "poststart": [{"path": "/bin/ps"}, {"path": "/bin/ps2"}],
    "poststop": [{"path": "/bin/stop"}]
  },
  "annotations": {"com.example.key": "value", "empty": ""},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/a"},
                   {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "user"},
                   {"type": "cgroup"}, {"type": "time"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}],
    "timeOffsets": {"monotonic": {"secs": -172800, "nanosecs": 5}, "boottime": {"secs": 604800}},
    "devices": [
      {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 3},
      {"type": "p", "path": "/dev/fifo"}
    ],
    "netDevices": {"eth0": {"name": "ctr0"}, "eth1": {}},
    "cgroupsPath": "/myRuntime/myContainer",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
      "memory": {"limit": 536870912, "reservation": 1, "swap": -1, "kernel": -1, "kernelTCP": 2,
                 "swappiness": 60, "disableOOMKiller": true, "useHierarchy": false,
                 "checkBeforeUpdate": true},
      "cpu": {"shares": 1024, "quota": -1, "burst": 5, "period": 100000, "realtimeRuntime": 950000,
              "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7", "idle": 1},
      "pids": {"limit": 32771},
      "blockIO": {"weight": 10, "leafWeight": 20,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300},
                                   {"major": 8, "minor": 16, "weight": 400}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 1, "rate": 601}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 2, "rate": 602}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 9223372036854772000}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "rxe3": {"hcaObjects": 7}},
      "unified": {"io.max": "259:0 rbps=2097152", "memory.high": "max"}
    },
    "rootfsPropagation": "rslave",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/agent.sock", "listenerMetadata": "meta",
      "syscalls": [
        {"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 255, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]}
      ]
    },
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0",
    "personality": {"domain": "LINUX32", "flags": []},
    "intelRdt": {"closID": "guaranteed", "l3CacheSchema": "L3:0=7f0", "memBwSchema": "MB:0=20",
                 "schemata": ["L2:0=f"], "enableCMT": true, "enableMBM": true,
                 "enableMonitoring": true},
    "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "2-3", "flags": ["MPOL_F_STATIC_NODES"]}
  }
})";

// The minimal valid document, as a base for one-field changes.
json minimal() {
    return json::parse(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
        "process": {"args": ["sh"], "cwd": "/"}})");
}

// Parses `j` after setting the value at JSON pointer `ptr`.
Config parse_with(const std::string& ptr, const json& value) {
    json j = minimal();
    j[json::json_pointer(ptr)] = value;
    return parse_config(j);
}

std::string temp_file(const std::string& content) {
    char name[] = "/tmp/ocirt-spec-test-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(name) << content;
    return name;
}

}  // namespace

TEST_CASE("a config with every field parses into the model", "[spec][parse]") {
    Config c = parse_config(json::parse(kFull));

    CHECK(c.oci_version == "1.2.0");
    REQUIRE(c.root);
    CHECK(c.root->path == "rootfs");
    CHECK(c.root->readonly);
    CHECK(c.hostname == "slartibartfast");
    CHECK(c.domainname == "example.test");
    CHECK(c.annotations == std::map<std::string, std::string>{{"com.example.key", "value"}, {"empty", ""}});
    CHECK(c.other_platforms.empty());

    SECTION("mounts") {
        REQUIRE(c.mounts.size() == 2);
        CHECK(c.mounts[0].destination == "/proc");
        CHECK(c.mounts[0].type == "proc");
        CHECK(c.mounts[0].source == "proc");
        CHECK(c.mounts[0].options.empty());
        const Mount& m = c.mounts[1];
        CHECK(m.options == std::vector<std::string>{"rbind", "idmap"});
        REQUIRE(m.uid_mappings.size() == 1);
        CHECK(m.uid_mappings[0].container_id == 0);
        CHECK(m.uid_mappings[0].host_id == 1000);
        CHECK(m.uid_mappings[0].size == 10);
        REQUIRE(m.gid_mappings.size() == 1);
        CHECK(m.gid_mappings[0].container_id == 1);
        CHECK(m.gid_mappings[0].host_id == 2000);
        CHECK(m.gid_mappings[0].size == 20);
    }

    SECTION("process") {
        REQUIRE(c.process);
        const Process& p = *c.process;
        CHECK(p.terminal);
        REQUIRE(p.console_size);
        CHECK(p.console_size->height == 25);
        CHECK(p.console_size->width == 80);
        CHECK(p.user.uid == 1);
        CHECK(p.user.gid == 2);
        CHECK(p.user.umask == 18u);
        CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 6});
        CHECK(p.user.username == "u");
        CHECK(p.args == std::vector<std::string>{"sh", "-c", "true"});
        CHECK(p.command_line == "cmd.exe");
        CHECK(p.env == std::vector<std::string>{"PATH=/bin", "TERM=xterm"});
        CHECK(p.cwd == "/root");
        REQUIRE(p.capabilities);
        CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_KILL"});
        CHECK(p.capabilities->effective == std::vector<std::string>{"CAP_CHOWN"});
        REQUIRE(p.capabilities->inheritable);  // present but empty is not absent
        CHECK(p.capabilities->inheritable->empty());
        CHECK(p.capabilities->permitted == std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"});
        CHECK(p.capabilities->ambient == std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
        REQUIRE(p.rlimits.size() == 2);
        CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
        CHECK(p.rlimits[0].soft == 1024);
        CHECK(p.rlimits[0].hard == 4096);
        CHECK(p.rlimits[1].hard == UINT64_MAX);
        CHECK(p.no_new_privileges);
        CHECK(p.apparmor_profile == "acme");
        CHECK(p.oom_score_adj == -500);
        REQUIRE(p.scheduler);
        CHECK(p.scheduler->policy == "SCHED_DEADLINE");
        CHECK(p.scheduler->nice == -5);
        CHECK(p.scheduler->priority == 3);
        CHECK(p.scheduler->flags == std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK"});
        CHECK(p.scheduler->runtime == 100u);
        CHECK(p.scheduler->deadline == 200u);
        CHECK(p.scheduler->period == 300u);
        CHECK(p.selinux_label == "system_u:system_r:svirt_lxc_net_t:s0");
        REQUIRE(p.io_priority);
        CHECK(p.io_priority->io_class == "IOPRIO_CLASS_IDLE");
        CHECK(p.io_priority->priority == 4);
        REQUIRE(p.exec_cpu_affinity);
        CHECK(p.exec_cpu_affinity->initial == "7");
        CHECK(p.exec_cpu_affinity->final_ == "0-3,7");
    }

    SECTION("hooks") {
        REQUIRE(c.hooks);
        const Hooks& h = *c.hooks;
        REQUIRE(h.prestart.size() == 1);
        CHECK(h.prestart[0].path == "/bin/pre");
        CHECK(h.prestart[0].args == std::vector<std::string>{"pre", "a"});
        CHECK(h.prestart[0].env == std::vector<std::string>{"K=V"});
        CHECK(h.prestart[0].timeout == 5);
        REQUIRE(h.create_runtime.size() == 1);
        CHECK(h.create_runtime[0].path == "/bin/cr");
        CHECK_FALSE(h.create_runtime[0].timeout);
        REQUIRE(h.create_container.size() == 1);
        CHECK(h.create_container[0].path == "/bin/cc");
        REQUIRE(h.start_container.size() == 1);
        CHECK(h.start_container[0].path == "/bin/sc");
        REQUIRE(h.poststart.size() == 2);
        CHECK(h.poststart[1].path == "/bin/ps2");
        REQUIRE(h.poststop.size() == 1);
        CHECK(h.poststop[0].path == "/bin/stop");
    }

    SECTION("linux: namespaces, mappings, devices, paths") {
        REQUIRE(c.linux);
        const Linux& l = *c.linux;
        REQUIRE(l.namespaces.size() == 8);
        const NamespaceType order[] = {NamespaceType::pid, NamespaceType::network,
                                       NamespaceType::mount, NamespaceType::ipc,
                                       NamespaceType::uts, NamespaceType::user,
                                       NamespaceType::cgroup, NamespaceType::time};
        for (size_t i = 0; i < 8; ++i) CHECK(l.namespaces[i].type == order[i]);
        CHECK(l.namespaces[0].path.empty());
        CHECK(l.namespaces[1].path == "/var/run/netns/a");
        REQUIRE(l.uid_mappings.size() == 1);
        CHECK(l.uid_mappings[0].host_id == 100000);
        CHECK(l.uid_mappings[0].size == 65536);
        REQUIRE(l.gid_mappings.size() == 1);
        CHECK(l.gid_mappings[0].host_id == 200000);
        REQUIRE(l.time_offsets.size() == 2);
        CHECK(l.time_offsets.at("monotonic").secs == -172800);
        CHECK(l.time_offsets.at("monotonic").nanosecs == 5);
        CHECK(l.time_offsets.at("boottime").secs == 604800);
        CHECK(l.time_offsets.at("boottime").nanosecs == 0);
        REQUIRE(l.devices.size() == 2);
        CHECK(l.devices[0].type == "c");
        CHECK(l.devices[0].path == "/dev/fuse");
        CHECK(l.devices[0].major == 10);
        CHECK(l.devices[0].minor == 229);
        CHECK(l.devices[0].file_mode == 438u);
        CHECK(l.devices[0].uid == 0u);
        CHECK(l.devices[0].gid == 3u);
        CHECK(l.devices[1].type == "p");
        CHECK_FALSE(l.devices[1].file_mode);
        REQUIRE(l.net_devices.size() == 2);
        CHECK(l.net_devices.at("eth0").name == "ctr0");
        CHECK(l.net_devices.at("eth1").name.empty());
        CHECK(l.cgroups_path == "/myRuntime/myContainer");
        CHECK(l.rootfs_propagation == "rslave");
        CHECK(l.sysctl == std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"}});
        CHECK(l.masked_paths == std::vector<std::string>{"/proc/kcore"});
        CHECK(l.readonly_paths == std::vector<std::string>{"/proc/sys"});
        CHECK(l.mount_label == "system_u:object_r:svirt_sandbox_file_t:s0");
        REQUIRE(l.personality);
        CHECK(l.personality->domain == "LINUX32");
        CHECK(l.personality->flags.empty());
        REQUIRE(l.intel_rdt);
        CHECK(l.intel_rdt->clos_id == "guaranteed");
        CHECK(l.intel_rdt->l3_cache_schema == "L3:0=7f0");
        CHECK(l.intel_rdt->mem_bw_schema == "MB:0=20");
        CHECK(l.intel_rdt->schemata == std::vector<std::string>{"L2:0=f"});
        CHECK(l.intel_rdt->enable_cmt);
        CHECK(l.intel_rdt->enable_mbm);
        CHECK(l.intel_rdt->enable_monitoring);
        REQUIRE(l.memory_policy);
        CHECK(l.memory_policy->mode == "MPOL_INTERLEAVE");
        CHECK(l.memory_policy->nodes == "2-3");
        CHECK(l.memory_policy->flags == std::vector<std::string>{"MPOL_F_STATIC_NODES"});
    }

    SECTION("linux.resources") {
        REQUIRE(c.linux);
        REQUIRE(c.linux->resources);
        const Resources& r = *c.linux->resources;
        REQUIRE(r.devices.size() == 2);
        CHECK_FALSE(r.devices[0].allow);
        CHECK(r.devices[0].type.empty());
        CHECK_FALSE(r.devices[0].major);
        CHECK(r.devices[0].access == "rwm");
        CHECK(r.devices[1].allow);
        CHECK(r.devices[1].type == "c");
        CHECK(r.devices[1].major == 10);
        CHECK(r.devices[1].minor == 229);
        REQUIRE(r.memory);
        CHECK(r.memory->limit == 536870912);
        CHECK(r.memory->reservation == 1);
        CHECK(r.memory->swap == -1);
        CHECK(r.memory->kernel == -1);
        CHECK(r.memory->kernel_tcp == 2);
        CHECK(r.memory->swappiness == 60u);
        CHECK(r.memory->disable_oom_killer == true);
        CHECK(r.memory->use_hierarchy == false);
        CHECK(r.memory->check_before_update == true);
        REQUIRE(r.cpu);
        CHECK(r.cpu->shares == 1024u);
        CHECK(r.cpu->quota == -1);
        CHECK(r.cpu->burst == 5u);
        CHECK(r.cpu->period == 100000u);
        CHECK(r.cpu->realtime_runtime == 950000);
        CHECK(r.cpu->realtime_period == 1000000u);
        CHECK(r.cpu->cpus == "2-3");
        CHECK(r.cpu->mems == "0-7");
        CHECK(r.cpu->idle == 1);
        REQUIRE(r.pids);
        CHECK(r.pids->limit == 32771);
        REQUIRE(r.block_io);
        CHECK(r.block_io->weight == 10);
        CHECK(r.block_io->leaf_weight == 20);
        REQUIRE(r.block_io->weight_device.size() == 2);
        CHECK(r.block_io->weight_device[0].major == 8);
        CHECK(r.block_io->weight_device[0].weight == 500);
        CHECK(r.block_io->weight_device[0].leaf_weight == 300);
        CHECK_FALSE(r.block_io->weight_device[1].leaf_weight);
        REQUIRE(r.block_io->throttle_read_bps_device.size() == 1);
        CHECK(r.block_io->throttle_read_bps_device[0].rate == 600);
        REQUIRE(r.block_io->throttle_write_bps_device.size() == 1);
        CHECK(r.block_io->throttle_write_bps_device[0].minor == 1);
        CHECK(r.block_io->throttle_write_bps_device[0].rate == 601);
        REQUIRE(r.block_io->throttle_read_iops_device.size() == 1);
        CHECK(r.block_io->throttle_read_iops_device[0].rate == 602);
        REQUIRE(r.block_io->throttle_write_iops_device.size() == 1);
        CHECK(r.block_io->throttle_write_iops_device[0].minor == 16);
        CHECK(r.block_io->throttle_write_iops_device[0].rate == 300);
        REQUIRE(r.hugepage_limits.size() == 1);
        CHECK(r.hugepage_limits[0].page_size == "2MB");
        CHECK(r.hugepage_limits[0].limit == 9223372036854772000u);
        REQUIRE(r.network);
        CHECK(r.network->class_id == 1048577u);
        REQUIRE(r.network->priorities.size() == 1);
        CHECK(r.network->priorities[0].name == "eth0");
        CHECK(r.network->priorities[0].priority == 500);
        REQUIRE(r.rdma.size() == 2);
        CHECK(r.rdma.at("mlx5_1").hca_handles == 3u);
        CHECK(r.rdma.at("mlx5_1").hca_objects == 10000u);
        CHECK_FALSE(r.rdma.at("rxe3").hca_handles);
        CHECK(r.unified.at("io.max") == "259:0 rbps=2097152");
        CHECK(r.unified.at("memory.high") == "max");
    }

    SECTION("linux.seccomp") {
        REQUIRE(c.linux);
        REQUIRE(c.linux->seccomp);
        const Seccomp& s = *c.linux->seccomp;
        CHECK(s.default_action == "SCMP_ACT_ERRNO");
        CHECK(s.default_errno_ret == 1u);
        CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
        CHECK(s.flags == std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
        CHECK(s.listener_path == "/run/agent.sock");
        CHECK(s.listener_metadata == "meta");
        REQUIRE(s.syscalls.size() == 2);
        CHECK(s.syscalls[0].names == std::vector<std::string>{"getcwd", "chmod"});
        CHECK(s.syscalls[0].action == "SCMP_ACT_ALLOW");
        CHECK_FALSE(s.syscalls[0].errno_ret);
        CHECK(s.syscalls[1].errno_ret == 38u);
        REQUIRE(s.syscalls[1].args.size() == 2);
        CHECK(s.syscalls[1].args[0].index == 0);
        CHECK(s.syscalls[1].args[0].value == 8);
        CHECK_FALSE(s.syscalls[1].args[0].value_two);
        CHECK(s.syscalls[1].args[0].op == "SCMP_CMP_EQ");
        CHECK(s.syscalls[1].args[1].index == 1);
        CHECK(s.syscalls[1].args[1].value_two == 4u);
        CHECK(s.syscalls[1].args[1].op == "SCMP_CMP_MASKED_EQ");
    }
}

TEST_CASE("absent optional fields take their defaults", "[spec][parse]") {
    Config c = parse_config(json::parse(R"({"ociVersion": "1.0.0"})"));
    CHECK(c.oci_version == "1.0.0");
    CHECK_FALSE(c.root);
    CHECK_FALSE(c.process);
    CHECK_FALSE(c.hooks);
    CHECK_FALSE(c.linux);
    CHECK(c.mounts.empty());
    CHECK(c.hostname.empty());
    CHECK(c.annotations.empty());

    Process p = parse_process(json::parse(R"({"cwd": "/"})"));
    CHECK_FALSE(p.terminal);
    CHECK_FALSE(p.console_size);
    CHECK(p.user.uid == 0);
    CHECK_FALSE(p.user.umask);
    CHECK(p.args.empty());
    CHECK_FALSE(p.capabilities);
    CHECK_FALSE(p.oom_score_adj);
    CHECK_FALSE(p.no_new_privileges);

    Config l = parse_with("/linux", json::object());
    REQUIRE(l.linux);
    CHECK_FALSE(l.linux->cgroups_path);
    CHECK_FALSE(l.linux->resources);
    CHECK_FALSE(l.linux->seccomp);
}

TEST_CASE("null in an optional field counts as absent", "[spec][parse]") {
    json j = json::parse(R"({
      "ociVersion": "1.2.0", "root": null, "mounts": null, "hooks": null, "hostname": null,
      "annotations": null,
      "process": {"cwd": "/", "terminal": null, "user": null, "args": null, "env": null,
                  "capabilities": {"bounding": null, "effective": ["CAP_KILL"]},
                  "oomScoreAdj": null, "consoleSize": null},
      "linux": {"namespaces": null, "cgroupsPath": null, "resources": {"memory": null,
                "pids": {"limit": null}}, "seccomp": null, "sysctl": null}
    })");
    Config c = parse_config(j);
    CHECK_FALSE(c.root);
    CHECK(c.mounts.empty());
    CHECK_FALSE(c.hooks);
    REQUIRE(c.process);
    CHECK_FALSE(c.process->terminal);
    CHECK(c.process->args.empty());
    REQUIRE(c.process->capabilities);
    CHECK_FALSE(c.process->capabilities->bounding);
    CHECK(c.process->capabilities->effective == std::vector<std::string>{"CAP_KILL"});
    CHECK_FALSE(c.process->oom_score_adj);
    REQUIRE(c.linux);
    CHECK_FALSE(c.linux->cgroups_path);
    REQUIRE(c.linux->resources);
    CHECK_FALSE(c.linux->resources->memory);
    REQUIRE(c.linux->resources->pids);
    CHECK_FALSE(c.linux->resources->pids->limit);
    CHECK_FALSE(c.linux->seccomp);
}

TEST_CASE("unknown properties are ignored", "[spec][parse]") {
    json j = minimal();
    j["someFutureField"] = {{"a", 1}};
    j["process"]["unknownProcessField"] = 5;
    j["root"]["x"] = nullptr;
    j["linux"] = {{"namespaces", {{{"type", "pid"}, {"extra", true}}}},
                  {"resources", {{"newController", {{"limit", "x"}}}}}};
    Config c;
    REQUIRE_NOTHROW(c = parse_config(j));
    REQUIRE(c.linux);
    REQUIRE(c.linux->namespaces.size() == 1);
    CHECK(c.linux->namespaces[0].type == NamespaceType::pid);
}

TEST_CASE("other platform sections are recorded", "[spec][parse]") {
    json j = minimal();
    j["windows"] = {{"layerFolders", {"C:\\a"}}};
    j["zos"] = json::object();
    j["solaris"] = nullptr;  // null is absent
    Config c = parse_config(j);
    CHECK(c.other_platforms == std::vector<std::string>{"windows", "zos"});
    CHECK(parse_with("/vm", json::object()).other_platforms == std::vector<std::string>{"vm"});
}

TEST_CASE("type errors name the JSON path", "[spec][parse]") {
    // {JSON pointer to set, value, expected message}
    struct Case {
        const char* ptr;
        json value;
        const char* message;
    };
    const Case cases[] = {
        {"/ociVersion", 1, "ociVersion: expected string, got number"},
        {"/root", "rootfs", "root: expected object, got string"},
        {"/root/readonly", "yes", "root.readonly: expected boolean, got string"},
        {"/process/args", 5, "process.args: expected array of strings, got number"},
        {"/process/args", json::parse(R"(["sh", 1])"), "process.args[1]: expected string, got number"},
        {"/process/args/0", nullptr, "process.args[0]: expected string, got null"},
        {"/process/env", json::object(), "process.env: expected array of strings, got object"},
        {"/process/terminal", 1, "process.terminal: expected boolean, got number"},
        {"/process/cwd", nullptr, "process.cwd: expected string, got null"},
        {"/process/user/uid", -1, "process.user.uid: expected unsigned 32-bit integer, got -1"},
        {"/process/user/uid", 4294967296, "process.user.uid: expected unsigned 32-bit integer, got 4294967296"},
        {"/process/user/gid", "0", "process.user.gid: expected unsigned 32-bit integer, got string"},
        {"/process/user/uid", 1.5, "process.user.uid: expected unsigned 32-bit integer, got 1.5"},
        {"/process/user/additionalGids", json::parse("[1, -2]"),
         "process.user.additionalGids[1]: expected unsigned 32-bit integer, got -2"},
        {"/process/user/additionalGids", 1, "process.user.additionalGids: expected array of integers, got number"},
        {"/process/oomScoreAdj", 2147483648, "process.oomScoreAdj: expected 32-bit integer, got 2147483648"},
        {"/process/oomScoreAdj", true, "process.oomScoreAdj: expected 32-bit integer, got boolean"},
        {"/process/consoleSize", json::parse(R"({"height": 1})"), "process.consoleSize.width: required"},
        {"/process/capabilities/bounding", json::parse(R"(["CAP_KILL", []])"),
         "process.capabilities.bounding[1]: expected string, got array"},
        {"/process/rlimits", json::parse(R"([{"type": "RLIMIT_CORE", "soft": 1, "hard": -1}])"),
         "process.rlimits[0].hard: expected unsigned integer, got -1"},
        {"/process/rlimits", json::parse(R"([{"type": "RLIMIT_CORE", "hard": 1}])"),
         "process.rlimits[0].soft: required"},
        {"/process/ioPriority", json::parse(R"({"priority": 1})"), "process.ioPriority.class: required"},
        {"/process/scheduler", json::parse(R"({"policy": "SCHED_RR", "nice": "1"})"),
         "process.scheduler.nice: expected 32-bit integer, got string"},
        {"/mounts", json::object(), "mounts: expected array, got object"},
        {"/mounts", json::parse(R"([{"destination": "/a"}, {"destination": "/b"}, {"destination": null}])"),
         "mounts[2].destination: expected string, got null"},
        {"/mounts", json::parse(R"([{"source": "x"}])"), "mounts[0].destination: required"},
        {"/mounts", json::parse("[null]"), "mounts[0]: expected object, got null"},
        {"/mounts", json::parse(R"([{"destination": "/a", "options": "ro"}])"),
         "mounts[0].options: expected array of strings, got string"},
        {"/mounts", json::parse(R"([{"destination": "/a", "uidMappings": [{"containerID": 0, "hostID": 1}]}])"),
         "mounts[0].uidMappings[0].size: required"},
        {"/hooks/poststop", json::parse(R"([{"path": "/a"}, {"path": "/b", "timeout": "5"}])"),
         "hooks.poststop[1].timeout: expected 32-bit integer, got string"},
        {"/hooks/createRuntime", json::parse(R"([{"args": []}])"), "hooks.createRuntime[0].path: required"},
        {"/annotations", json::parse(R"({"a": 1})"), "annotations[\"a\"]: expected string, got number"},
        {"/hostname", false, "hostname: expected string, got boolean"},
        {"/linux", json::array(), "linux: expected object, got array"},
        {"/linux/namespaces", json::parse(R"([{"type": "pid"}, {"type": "foo"}])"),
         "linux.namespaces[1].type: unknown namespace type \"foo\""},
        {"/linux/namespaces", json::parse(R"([{"path": "/proc/1/ns/pid"}])"), "linux.namespaces[0].type: required"},
        {"/linux/namespaces", json::parse(R"([{"type": "net"}])"), "linux.namespaces[0].type: unknown namespace type \"net\""},
        {"/linux/uidMappings", json::parse(R"([{"containerID": 0, "hostID": -5, "size": 1}])"),
         "linux.uidMappings[0].hostID: expected unsigned 32-bit integer, got -5"},
        {"/linux/timeOffsets", json::parse(R"({"monotonic": {"secs": "1"}})"),
         "linux.timeOffsets[\"monotonic\"].secs: expected integer, got string"},
        {"/linux/devices", json::parse(R"([{"type": "c", "path": "/dev/x", "minor": 1}])"),
         "linux.devices[0].major: required"},
        {"/linux/devices", json::parse(R"([{"type": "p", "path": "/dev/x", "fileMode": -1}])"),
         "linux.devices[0].fileMode: expected unsigned 32-bit integer, got -1"},
        {"/linux/cgroupsPath", 1, "linux.cgroupsPath: expected string, got number"},
        {"/linux/sysctl", json::parse(R"({"net.ipv4.ip_forward": 1})"),
         "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got number"},
        {"/linux/sysctl", json::array(), "linux.sysctl: expected object, got array"},
        {"/linux/maskedPaths", json::parse(R"(["/a", null])"), "linux.maskedPaths[1]: expected string, got null"},
        {"/linux/resources/memory/limit", "1G", "linux.resources.memory.limit: expected integer, got string"},
        {"/linux/resources/memory/limit", 1e30, "linux.resources.memory.limit: expected integer, got 1e+30"},
        {"/linux/resources/memory/limit", 9223372036854775808ull,
         "linux.resources.memory.limit: expected integer, got 9223372036854775808"},
        {"/linux/resources/memory/swappiness", -1,
         "linux.resources.memory.swappiness: expected unsigned integer, got -1"},
        {"/linux/resources/memory/disableOOMKiller", 0,
         "linux.resources.memory.disableOOMKiller: expected boolean, got number"},
        {"/linux/resources/cpu/cpus", 3, "linux.resources.cpu.cpus: expected string, got number"},
        {"/linux/resources/devices", json::parse(R"([{"allow": true}, {"access": "r"}])"),
         "linux.resources.devices[1].allow: required"},
        {"/linux/resources/devices", json::parse(R"([{"allow": "yes"}])"),
         "linux.resources.devices[0].allow: expected boolean, got string"},
        {"/linux/resources/blockIO/weight", 65536,
         "linux.resources.blockIO.weight: expected unsigned 16-bit integer, got 65536"},
        {"/linux/resources/blockIO/throttleWriteIOPSDevice",
         json::parse(R"([{"major": 8, "minor": 0, "rate": 1}, {"major": 8, "minor": 1}])"),
         "linux.resources.blockIO.throttleWriteIOPSDevice[1].rate: required"},
        {"/linux/resources/hugepageLimits", json::parse(R"([{"pageSize": "2MB", "limit": -1}])"),
         "linux.resources.hugepageLimits[0].limit: expected unsigned integer, got -1"},
        {"/linux/resources/rdma", json::parse(R"({"mlx5_1": {"hcaHandles": -3}})"),
         "linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected unsigned 32-bit integer, got -3"},
        {"/linux/resources/unified", json::parse(R"({"memory.max": 5})"),
         "linux.resources.unified[\"memory.max\"]: expected string, got number"},
        {"/linux/seccomp", json::parse(R"({"architectures": []})"), "linux.seccomp.defaultAction: required"},
        {"/linux/seccomp",
         json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": -1, "op": "SCMP_CMP_EQ"}]}]})"),
         "linux.seccomp.syscalls[0].args[1].value: expected unsigned integer, got -1"},
        {"/linux/netDevices", json::parse(R"({"eth0": {"name": 1}})"),
         "linux.netDevices[\"eth0\"].name: expected string, got number"},
        {"/linux/personality", json::parse(R"({"flags": []})"), "linux.personality.domain: required"},
        {"/linux/intelRdt/enableMonitoring", "true", "linux.intelRdt.enableMonitoring: expected boolean, got string"},
        {"/linux/memoryPolicy", json::parse(R"({"nodes": "0"})"), "linux.memoryPolicy.mode: required"},
    };
    for (const Case& tc : cases) {
        CAPTURE(tc.ptr, tc.value.dump());
        REQUIRE_THROWS_WITH(parse_with(tc.ptr, tc.value), Equals(tc.message));
    }
}

TEST_CASE("required top-level fields and document shape", "[spec][parse]") {
    REQUIRE_THROWS_WITH(parse_config(json::parse("{}")), Equals("ociVersion: required"));
    REQUIRE_THROWS_WITH(parse_config(json::parse("[]")), Equals("expected object, got array"));
    REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"ociVersion": "1", "process": {}})")),
                        Equals("process.cwd: required"));
    REQUIRE_THROWS_WITH(parse_config(json::parse(R"({"ociVersion": "1", "root": {}})")),
                        Equals("root.path: required"));
    // Errors are ocirt::Error, with no errno.
    try {
        parse_config(json::parse("{}"));
        FAIL("no error");
    } catch (const ocirt::Error& e) {
        CHECK(e.code() == 0);
    }
}

TEST_CASE("a pipe device needs no major/minor", "[spec][parse]") {
    Config c = parse_with("/linux", json::parse(R"({"devices": [{"type": "p", "path": "/dev/p"}]})"));
    REQUIRE(c.linux->devices.size() == 1);
    CHECK(c.linux->devices[0].major == 0);
}

TEST_CASE("integer limits of each width are accepted", "[spec][parse]") {
    Config c = parse_with("/linux", json::parse(R"({"resources": {
        "memory": {"limit": 9223372036854775807, "swap": -9223372036854775808,
                   "swappiness": 18446744073709551615},
        "blockIO": {"weight": 65535}}})"));
    const Resources& r = *c.linux->resources;
    CHECK(r.memory->limit == INT64_MAX);
    CHECK(r.memory->swap == INT64_MIN);
    CHECK(r.memory->swappiness == UINT64_MAX);
    CHECK(r.block_io->weight == 65535);
    CHECK(parse_with("/process/user/uid", 4294967295u).process->user.uid == 4294967295u);
    CHECK(parse_with("/process/oomScoreAdj", -2147483648ll).process->oom_score_adj == INT32_MIN);
    // A float with an integral value is still not an integer.
    REQUIRE_THROWS_WITH(parse_with("/process/user/uid", 1.0),
                        Equals("process.user.uid: expected unsigned 32-bit integer, got 1.0"));
}

TEST_CASE("parse_process and parse_resources prefix their own path", "[spec][parse]") {
    Process p = parse_process(json::parse(R"({"args": ["ls"], "cwd": "/tmp", "terminal": true,
                                              "user": {"uid": 7}})"));
    CHECK(p.args == std::vector<std::string>{"ls"});
    CHECK(p.cwd == "/tmp");
    CHECK(p.terminal);
    CHECK(p.user.uid == 7);
    REQUIRE_THROWS_WITH(parse_process(json::parse(R"({"args": 1, "cwd": "/"})")),
                        Equals("process.args: expected array of strings, got number"));
    REQUIRE_THROWS_WITH(parse_process(json::parse(R"({"args": [], "cwd": 1})"), "p.json"),
                        Equals("p.json.cwd: expected string, got number"));
    REQUIRE_THROWS_WITH(parse_process(json::parse("null")), Equals("process: expected object, got null"));

    Resources r = parse_resources(json::parse(R"({"pids": {"limit": 10}, "memory": {"limit": -1}})"));
    CHECK(r.pids->limit == 10);
    CHECK(r.memory->limit == -1);
    REQUIRE_THROWS_WITH(parse_resources(json::parse(R"({"memory": {"limit": "1"}})")),
                        Equals("linux.resources.memory.limit: expected integer, got string"));
    REQUIRE_THROWS_WITH(parse_resources(json::parse(R"({"cpu": []})"), "resources"),
                        Equals("resources.cpu: expected object, got array"));
}

TEST_CASE("load_config reads a file and names it in errors", "[spec][parse]") {
    SECTION("a good file") {
        std::string path = temp_file(minimal().dump());
        Config c = load_config(path);
        CHECK(c.process->args == std::vector<std::string>{"sh"});
        std::remove(path.c_str());
    }
    SECTION("a missing file") {
        try {
            load_config("/nonexistent/ocirt/config.json");
            FAIL("no error");
        } catch (const ocirt::Error& e) {
            CHECK(e.code() == ENOENT);
            CHECK_THAT(e.what(), Contains("/nonexistent/ocirt/config.json"));
            CHECK_THAT(e.what(), Contains("No such file or directory"));
        }
    }
    SECTION("invalid JSON") {
        std::string path = temp_file("{\n  \"ociVersion\": \"1.2.0\",\n  oops\n}");
        REQUIRE_THROWS_WITH(load_config(path), Contains(path + ": invalid JSON: ") && Contains("line 3"));
        REQUIRE_THROWS_WITH(load_config(path), !Contains("json.exception"));
        std::remove(path.c_str());
    }
    SECTION("an empty file") {
        std::string path = temp_file("");
        REQUIRE_THROWS_WITH(load_config(path), Contains(path + ": invalid JSON: "));
        std::remove(path.c_str());
    }
    SECTION("a bad field") {
        std::string path = temp_file(R"({"ociVersion": "1.2.0", "mounts": [{"destination": 3}]})");
        REQUIRE_THROWS_WITH(load_config(path),
                            Equals(path + ": mounts[0].destination: expected string, got number"));
        std::remove(path.c_str());
    }
}

TEST_CASE("a string with a NUL byte is refused, naming its field", "[spec][parse]") {
    using namespace std::string_literals;
    const std::string nul = "/mnt/a\0/../../etc"s;
    struct Case {
        const char* ptr;
        json value;
        const char* message;
    };
    const std::vector<Case> cases = {
        {"/mounts", json::array({{{"destination", nul}, {"type", "bind"}}}),
         "mounts[0].destination: contains a NUL byte"},
        {"/mounts", json::array({{{"destination", "/m"}, {"type", "tmp\0fs"s}}}),
         "mounts[0].type: contains a NUL byte"},
        {"/mounts", json::array({{{"destination", "/m"}, {"source", nul}}}),
         "mounts[0].source: contains a NUL byte"},
        {"/mounts", json::array({{{"destination", "/m"}, {"options", {"ro", "no\0exec"s}}}}),
         "mounts[0].options[1]: contains a NUL byte"},
        {"/linux/readonlyPaths", json::array({"/proc/sys", nul}),
         "linux.readonlyPaths[1]: contains a NUL byte"},
        {"/process/capabilities", {{"bounding", {"CAP_KILL\0CAP_SYS_ADMIN"s}}},
         "process.capabilities.bounding[0]: contains a NUL byte"},
        {"/process/args", json::array({"sh", "-c\0x"s}), "process.args[1]: contains a NUL byte"},
        {"/root/path", "root\0fs"s, "root.path: contains a NUL byte"},
        {"/annotations", {{"k", "v\0w"s}}, "annotations[\"k\"]: contains a NUL byte"},
        {"/annotations", {{"k\0x"s, "v"}}, "annotations[\"k\\u0000x\"]: key contains a NUL byte"},
    };
    for (const auto& tc : cases) {
        INFO(tc.ptr);
        REQUIRE_THROWS_WITH(parse_with(tc.ptr, tc.value), Equals(tc.message));
    }
    // A process.json of exec goes through the same reader.
    json p = json::parse(R"({"args": ["sh"], "cwd": "/"})");
    p["cwd"] = "/\0x"s;
    REQUIRE_THROWS_WITH(parse_process(p), Equals("process.cwd: contains a NUL byte"));
}
