// Which controllers a linux.resources object needs: only the parts that write
// something (resources.hpp).
#include <algorithm>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ocirt/linux/cgroups/resources.hpp"

namespace ocirt::cgroups {
namespace {

// The controller each field of a section writes to on v1 and on v2 ("": none,
// the field is ignored, or refused on v2 by check_v2_fields), and whether 0
// (false) means unset. One entry per field of config.hpp's list, in its order.
struct Ctl {
    std::string_view field, v1, v2;
    bool zero_unset;
};

constexpr Ctl kMemory[] = {
    {"limit", "memory", "memory", true},   {"reservation", "memory", "memory", true},
    {"swap", "memory", "memory", true},    {"kernel", "", "", false},  // deprecated, ignored
    {"kernelTCP", "memory", "", false},    {"swappiness", "memory", "", false},
    {"disableOOMKiller", "memory", "", true}, {"useHierarchy", "memory", "", false},
    {"checkBeforeUpdate", "", "", false},  // a check before limit and swap
};
constexpr Ctl kCpu[] = {
    {"shares", "cpu", "cpu", true},          {"quota", "cpu", "cpu", true},
    {"burst", "cpu", "cpu", false},          {"period", "cpu", "cpu", true},
    {"realtimeRuntime", "cpu", "", true},    {"realtimePeriod", "cpu", "", true},
    {"cpus", "cpuset", "cpuset", false},     {"mems", "cpuset", "cpuset", false},
    {"idle", "cpu", "cpu", false},
};
constexpr Ctl kPids[] = {{"limit", "pids", "pids", false}};
constexpr Ctl kBlockIo[] = {
    {"weight", "blkio", "io", true},
    {"leafWeight", "blkio", "io", true},
    {"weightDevice", "blkio", "io", true},  // an entry with a non-zero weight
    {"throttleReadBpsDevice", "blkio", "io", false},
    {"throttleWriteBpsDevice", "blkio", "io", false},
    {"throttleReadIOPSDevice", "blkio", "io", false},
    {"throttleWriteIOPSDevice", "blkio", "io", false},
};
constexpr Ctl kNetwork[] = {{"classID", "net_cls", "", true}, {"priorities", "net_prio", "", false}};

// A new field in config.hpp's list without its controller here fails to compile.
template <spec::Described S, size_t N>
constexpr bool covers(const Ctl (&table)[N]) {
    size_t i = 0;
    bool same = std::tuple_size_v<decltype(spec::Fields<S>::list)> == N;
    spec::for_each_field<S>([&](const auto& f) { same = same && i < N && table[i++].field == f.name; });
    return same;
}
static_assert(covers<spec::MemoryResources>(kMemory));
static_assert(covers<spec::CpuResources>(kCpu));
static_assert(covers<spec::PidsResources>(kPids));
static_assert(covers<spec::BlockIoResources>(kBlockIo));
static_assert(covers<spec::NetworkResources>(kNetwork));

// Whether a value writes something: set, and not 0 where 0 means unset; a list
// of entries when one of their optional members does (weightDevice).
template <typename T>
bool is_set(const T& v, bool zero_unset) {
    if constexpr (std::is_arithmetic_v<T>) {
        return !zero_unset || v != T{};
    } else if constexpr (requires { v.has_value(); }) {
        return v.has_value() && is_set(*v, zero_unset);
    } else if constexpr (spec::Described<typename T::value_type>) {
        using E = typename T::value_type;
        return std::any_of(v.begin(), v.end(), [&](const E& e) {
            if (!zero_unset) return true;
            bool any = false;
            spec::for_each_field<E>([&](const auto& f) { any = any || (!f.required && is_set(e.*f.member, true)); });
            return any;
        });
    } else {
        return !v.empty();
    }
}

// Whether a section writes to a controller on v1 or v2.
template <spec::Described S, size_t N>
bool writes(const S& s, const Ctl (&table)[N], bool v2, std::string_view controller) {
    size_t i = 0;
    bool any = false;
    spec::for_each_field<S>([&](const auto& f) {
        const Ctl& c = table[i++];
        if ((v2 ? c.v2 : c.v1) == controller && is_set(s.*f.member, c.zero_unset)) any = true;
    });
    return any;
}

// The first field of a section that writes to any controller, as "prefix.name".
template <spec::Described S, size_t N>
std::optional<std::string> first_set(const S& s, const Ctl (&table)[N], const std::string& prefix) {
    size_t i = 0;
    std::optional<std::string> found;
    spec::for_each_field<S>([&](const auto& f) {
        const Ctl& c = table[i++];
        if (!found && (!c.v1.empty() || !c.v2.empty()) && is_set(s.*f.member, c.zero_unset))
            found = prefix + "." + std::string(f.name);
    });
    return found;
}

void add(std::vector<Need>& out, const std::string& controller, const std::string& field) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const Need& n) { return n.controller == controller; });
    if (!seen) out.push_back(Need{controller, field});
}

}  // namespace

bool sets_memory_v2(const spec::MemoryResources& m) { return writes(m, kMemory, true, "memory"); }
bool sets_memory_v1(const spec::MemoryResources& m) { return writes(m, kMemory, false, "memory"); }
bool sets_cpu(const spec::CpuResources& c) { return writes(c, kCpu, false, "cpu"); }
bool sets_cpuset(const spec::CpuResources& c) { return writes(c, kCpu, false, "cpuset"); }
bool sets_block_io(const spec::BlockIoResources& b) { return writes(b, kBlockIo, false, "blkio"); }

std::optional<std::string> first_limit(const spec::Resources& r) {
    std::optional<std::string> f;
    if (r.memory && (f = first_set(*r.memory, kMemory, "linux.resources.memory"))) return f;
    if (r.cpu && (f = first_set(*r.cpu, kCpu, "linux.resources.cpu"))) return f;
    if (r.pids && (f = first_set(*r.pids, kPids, "linux.resources.pids"))) return f;
    if (r.block_io && (f = first_set(*r.block_io, kBlockIo, "linux.resources.blockIO"))) return f;
    if (!r.hugepage_limits.empty()) return "linux.resources.hugepageLimits";
    if (r.network && (f = first_set(*r.network, kNetwork, "linux.resources.network"))) return f;
    if (!r.rdma.empty()) return "linux.resources.rdma";
    if (!r.unified.empty()) return "linux.resources.unified[\"" + r.unified.begin()->first + "\"]";
    return std::nullopt;
}

std::vector<Need> v1_needs(const spec::Resources& r) {
    std::vector<Need> out;
    if (r.cpu && sets_cpuset(*r.cpu))
        add(out, "cpuset", r.cpu->cpus.empty() ? "linux.resources.cpu.mems" : "linux.resources.cpu.cpus");
    if (r.memory && sets_memory_v1(*r.memory)) add(out, "memory", "linux.resources.memory");
    if (r.cpu && sets_cpu(*r.cpu)) add(out, "cpu", "linux.resources.cpu");
    if (r.pids && writes(*r.pids, kPids, false, "pids")) add(out, "pids", "linux.resources.pids");
    if (r.block_io && sets_block_io(*r.block_io)) add(out, "blkio", "linux.resources.blockIO");
    if (!r.hugepage_limits.empty()) add(out, "hugetlb", "linux.resources.hugepageLimits");
    if (r.network && writes(*r.network, kNetwork, false, "net_cls"))
        add(out, "net_cls", "linux.resources.network.classID");
    if (r.network && writes(*r.network, kNetwork, false, "net_prio"))
        add(out, "net_prio", "linux.resources.network.priorities");
    if (!r.rdma.empty()) add(out, "rdma", "linux.resources.rdma");
    return out;
}

std::vector<Need> v2_needs(const spec::Resources& r, const std::vector<std::string>& known) {
    std::vector<Need> out;
    if (r.memory && sets_memory_v2(*r.memory)) add(out, "memory", "linux.resources.memory");
    if (r.cpu && sets_cpu(*r.cpu)) add(out, "cpu", "linux.resources.cpu");
    if (r.cpu && sets_cpuset(*r.cpu))
        add(out, "cpuset", r.cpu->cpus.empty() ? "linux.resources.cpu.mems" : "linux.resources.cpu.cpus");
    if (r.pids && writes(*r.pids, kPids, false, "pids")) add(out, "pids", "linux.resources.pids");
    if (r.block_io && sets_block_io(*r.block_io)) add(out, "io", "linux.resources.blockIO");
    if (!r.hugepage_limits.empty()) add(out, "hugetlb", "linux.resources.hugepageLimits");
    if (!r.rdma.empty()) add(out, "rdma", "linux.resources.rdma");
    for (const auto& [key, value] : r.unified) {
        std::string c = key.substr(0, key.find('.'));
        if (c != key && std::find(known.begin(), known.end(), c) != known.end())
            add(out, c, "linux.resources.unified[\"" + key + "\"]");
    }
    return out;
}

}  // namespace ocirt::cgroups
