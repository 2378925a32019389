#pragma once
// The OCI runtime-spec configuration (config.md, config-linux.md, v1.2) as
// typed C++ structs. Absent optional fields are std::nullopt; absent arrays
// and maps are empty. Parsing lives in parse.hpp, defaults in defaults.hpp.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#ifdef linux
#error "compile with -std=c++20, not gnu++20: the macro `linux` hides Config::linux"
#endif

namespace ocirt::spec {

struct Root {
    std::string path;
    bool readonly = false;
};

// linux.uidMappings / gidMappings and mounts[].uidMappings / gidMappings.
struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct Mount {
    std::string destination;
    std::string source;  // empty when absent
    std::string type;    // empty when absent
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
};

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
};

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::string username;  // windows only
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE", ...
    uint64_t soft = 0;
    uint64_t hard = 0;
};

struct Capabilities {
    std::optional<std::vector<std::string>> bounding;
    std::optional<std::vector<std::string>> effective;
    std::optional<std::vector<std::string>> inheritable;
    std::optional<std::vector<std::string>> permitted;
    std::optional<std::vector<std::string>> ambient;
};

struct Scheduler {
    std::string policy;  // "SCHED_OTHER", ...
    std::optional<int32_t> nice;
    std::optional<int32_t> priority;
    std::vector<std::string> flags;
    std::optional<uint64_t> runtime;
    std::optional<uint64_t> deadline;
    std::optional<uint64_t> period;
};

struct IoPriority {
    std::string io_class;  // JSON "class": "IOPRIO_CLASS_RT", ...
    int32_t priority = 0;
};

struct ExecCpuAffinity {
    std::string initial;
    std::string final_;  // JSON "final"
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::string command_line;  // windows only
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::string apparmor_profile;
    std::optional<int32_t> oom_score_adj;
    std::optional<Scheduler> scheduler;
    std::string selinux_label;
    std::optional<IoPriority> io_priority;
    std::optional<ExecCpuAffinity> exec_cpu_affinity;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int32_t> timeout;  // seconds, > 0
};

struct Hooks {
    std::vector<Hook> prestart;  // deprecated by the spec, still run
    std::vector<Hook> create_runtime;
    std::vector<Hook> create_container;
    std::vector<Hook> start_container;
    std::vector<Hook> poststart;
    std::vector<Hook> poststop;
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

struct Namespace {
    NamespaceType type = NamespaceType::pid;
    std::string path;  // empty: create a new one
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Device {
    std::string type;  // "c", "b", "u", "p"
    std::string path;
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

// linux.resources.devices[]
struct DeviceRule {
    bool allow = false;
    std::string type;  // "a", "c", "b"; empty means "a"
    std::optional<int64_t> major;  // absent means any (*)
    std::optional<int64_t> minor;
    std::string access;  // subset of "rwm"; empty means "rwm"
};

struct MemoryResources {
    std::optional<int64_t> limit;
    std::optional<int64_t> reservation;
    std::optional<int64_t> swap;
    std::optional<int64_t> kernel;  // deprecated in the spec
    std::optional<int64_t> kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer;
    std::optional<bool> use_hierarchy;
    std::optional<bool> check_before_update;
};

struct CpuResources {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::string cpus;
    std::string mems;
    std::optional<int64_t> idle;
};

struct PidsResources {
    std::optional<int64_t> limit;
};

struct WeightDevice {
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
};

struct ThrottleDevice {
    int64_t major = 0;
    int64_t minor = 0;
    uint64_t rate = 0;
};

struct BlockIoResources {
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps_device;
    std::vector<ThrottleDevice> throttle_write_bps_device;
    std::vector<ThrottleDevice> throttle_read_iops_device;
    std::vector<ThrottleDevice> throttle_write_iops_device;
};

struct HugepageLimit {
    std::string page_size;  // "2MB"
    uint64_t limit = 0;
};

struct NetworkPriority {
    std::string name;
    uint32_t priority = 0;
};

struct NetworkResources {
    std::optional<uint32_t> class_id;
    std::vector<NetworkPriority> priorities;
};

struct RdmaLimit {
    std::optional<uint32_t> hca_handles;
    std::optional<uint32_t> hca_objects;
};

struct Resources {
    std::vector<DeviceRule> devices;
    std::optional<MemoryResources> memory;
    std::optional<CpuResources> cpu;
    std::optional<PidsResources> pids;
    std::optional<BlockIoResources> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<NetworkResources> network;
    std::map<std::string, RdmaLimit> rdma;
    std::map<std::string, std::string> unified;
};

// linux.resources described once: each struct's JSON members, in the order
// config-linux.md lists them. parse, resources_to_json, merge_resources and the
// cgroup controller map walk these, so a new field is one line here (plus its
// writer in linux/cgroups). `required` members must be present in the JSON.
template <typename S, typename M>
struct Field {
    const char* name;
    M S::*member;
    bool required;
};
template <typename S, typename M>
constexpr Field<S, M> field(const char* name, M S::*member) { return {name, member, false}; }
template <typename S, typename M>
constexpr Field<S, M> required(const char* name, M S::*member) { return {name, member, true}; }

template <typename S>
struct Fields;  // specialised below for each described struct

template <typename S>
concept Described = requires { Fields<S>::list; };

// Calls f(field) for each field of S, in order.
template <Described S, typename F>
constexpr void for_each_field(F&& f) {
    std::apply([&](const auto&... each) { (f(each), ...); }, Fields<S>::list);
}

template <> struct Fields<DeviceRule> {
    static constexpr auto list = std::tuple{
        required("allow", &DeviceRule::allow), field("type", &DeviceRule::type),
        field("major", &DeviceRule::major),    field("minor", &DeviceRule::minor),
        field("access", &DeviceRule::access),
    };
};
template <> struct Fields<MemoryResources> {
    using M = MemoryResources;
    static constexpr auto list = std::tuple{
        field("limit", &M::limit),
        field("reservation", &M::reservation),
        field("swap", &M::swap),
        field("kernel", &M::kernel),
        field("kernelTCP", &M::kernel_tcp),
        field("swappiness", &M::swappiness),
        field("disableOOMKiller", &M::disable_oom_killer),
        field("useHierarchy", &M::use_hierarchy),
        field("checkBeforeUpdate", &M::check_before_update),
    };
};
template <> struct Fields<CpuResources> {
    using C = CpuResources;
    static constexpr auto list = std::tuple{
        field("shares", &C::shares),
        field("quota", &C::quota),
        field("burst", &C::burst),
        field("period", &C::period),
        field("realtimeRuntime", &C::realtime_runtime),
        field("realtimePeriod", &C::realtime_period),
        field("cpus", &C::cpus),
        field("mems", &C::mems),
        field("idle", &C::idle),
    };
};
template <> struct Fields<PidsResources> {
    // REQUIRED before v1.3, OPTIONAL since.
    static constexpr auto list = std::tuple{field("limit", &PidsResources::limit)};
};
template <> struct Fields<WeightDevice> {
    static constexpr auto list = std::tuple{
        required("major", &WeightDevice::major), required("minor", &WeightDevice::minor),
        field("weight", &WeightDevice::weight),  field("leafWeight", &WeightDevice::leaf_weight),
    };
};
template <> struct Fields<ThrottleDevice> {
    static constexpr auto list = std::tuple{
        required("major", &ThrottleDevice::major),
        required("minor", &ThrottleDevice::minor),
        required("rate", &ThrottleDevice::rate),
    };
};
template <> struct Fields<BlockIoResources> {
    using B = BlockIoResources;
    static constexpr auto list = std::tuple{
        field("weight", &B::weight),
        field("leafWeight", &B::leaf_weight),
        field("weightDevice", &B::weight_device),
        field("throttleReadBpsDevice", &B::throttle_read_bps_device),
        field("throttleWriteBpsDevice", &B::throttle_write_bps_device),
        field("throttleReadIOPSDevice", &B::throttle_read_iops_device),
        field("throttleWriteIOPSDevice", &B::throttle_write_iops_device),
    };
};
template <> struct Fields<HugepageLimit> {
    static constexpr auto list = std::tuple{
        required("pageSize", &HugepageLimit::page_size),
        required("limit", &HugepageLimit::limit),
    };
};
template <> struct Fields<NetworkPriority> {
    static constexpr auto list = std::tuple{
        required("name", &NetworkPriority::name),
        required("priority", &NetworkPriority::priority),
    };
};
template <> struct Fields<NetworkResources> {
    static constexpr auto list = std::tuple{
        field("classID", &NetworkResources::class_id),
        field("priorities", &NetworkResources::priorities),
    };
};
template <> struct Fields<RdmaLimit> {
    static constexpr auto list = std::tuple{
        field("hcaHandles", &RdmaLimit::hca_handles),
        field("hcaObjects", &RdmaLimit::hca_objects),
    };
};
template <> struct Fields<Resources> {
    using R = Resources;
    static constexpr auto list = std::tuple{
        field("devices", &R::devices),
        field("memory", &R::memory),
        field("cpu", &R::cpu),
        field("pids", &R::pids),
        field("blockIO", &R::block_io),
        field("hugepageLimits", &R::hugepage_limits),
        field("network", &R::network),
        field("rdma", &R::rdma),
        field("unified", &R::unified),
    };
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    std::optional<uint64_t> value_two;
    std::string op;  // "SCMP_CMP_EQ", ...
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;  // "SCMP_ACT_ALLOW", ...
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct Personality {
    std::string domain;  // "LINUX", "LINUX32"
    std::vector<std::string> flags;
};

struct IntelRdt {
    std::string clos_id;
    std::string l3_cache_schema;
    std::string mem_bw_schema;
    std::vector<std::string> schemata;
    bool enable_cmt = false;
    bool enable_mbm = false;
    bool enable_monitoring = false;
};

struct NetDevice {
    std::string name;  // name inside the container; empty keeps the host name
};

struct MemoryPolicy {
    std::string mode;  // "MPOL_DEFAULT", ...
    std::string nodes;
    std::vector<std::string> flags;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
    std::vector<Device> devices;
    std::optional<std::string> cgroups_path;
    std::optional<Resources> resources;
    std::string rootfs_propagation;
    std::optional<Seccomp> seccomp;
    std::map<std::string, std::string> sysctl;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::string mount_label;
    std::optional<Personality> personality;
    std::optional<IntelRdt> intel_rdt;
    std::map<std::string, NetDevice> net_devices;
    std::optional<MemoryPolicy> memory_policy;
};

struct Config {
    std::string oci_version;
    std::optional<Root> root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::string hostname;
    std::string domainname;
    std::optional<Hooks> hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
    // Top-level platform sections present in the file that are not linux
    // ("windows", "solaris", "vm", "zos"): kept so validation can name them.
    std::vector<std::string> other_platforms;
};

const char* to_string(NamespaceType t);

// Every namespace type config.json can name, in the enum's order.
inline constexpr NamespaceType kNamespaceTypes[] = {
    NamespaceType::pid,  NamespaceType::network, NamespaceType::mount,  NamespaceType::ipc,
    NamespaceType::uts,  NamespaceType::user,    NamespaceType::cgroup, NamespaceType::time,
};

// Every hook list of config.json: its JSON name and its member of Hooks, in
// lifecycle order. The parser reads, and `features` reports, exactly these.
struct HookKind {
    const char* name;
    std::vector<Hook> Hooks::*list;
};
inline constexpr HookKind kHookKinds[] = {
    {"prestart", &Hooks::prestart},   {"createRuntime", &Hooks::create_runtime},
    {"createContainer", &Hooks::create_container}, {"startContainer", &Hooks::start_container},
    {"poststart", &Hooks::poststart}, {"poststop", &Hooks::poststop},
};

}  // namespace ocirt::spec
