#include "ocirt/spec/resources_merge.hpp"

#include <algorithm>

namespace ocirt::spec {
namespace {

template <typename T>
void take(std::optional<T>& into, const std::optional<T>& from) {
    if (from) into = from;
}

void take(std::string& into, const std::string& from) {
    if (!from.empty()) into = from;
}

// Replaces the entry that `same` matches (the last one, as the kernel keeps
// the last line written for a device), or appends.
template <typename T, typename Same, typename Update>
void upsert(std::vector<T>& list, const T& entry, Same same, Update update) {
    auto it = std::find_if(list.rbegin(), list.rend(), [&](const T& e) { return same(e, entry); });
    if (it == list.rend()) list.push_back(entry);
    else update(*it, entry);
}

template <typename T>
bool same_device(const T& a, const T& b) {
    return a.major == b.major && a.minor == b.minor;
}

void merge_memory(MemoryResources& m, const MemoryResources& u) {
    take(m.limit, u.limit);
    take(m.reservation, u.reservation);
    if (u.limit == -1 && !u.swap) m.swap.reset();
    take(m.swap, u.swap);
    take(m.kernel, u.kernel);
    take(m.kernel_tcp, u.kernel_tcp);
    take(m.swappiness, u.swappiness);
    take(m.disable_oom_killer, u.disable_oom_killer);
    take(m.use_hierarchy, u.use_hierarchy);
    take(m.check_before_update, u.check_before_update);
}

void merge_cpu(CpuResources& c, const CpuResources& u) {
    if (u.idle && !u.shares) c.shares.reset();
    take(c.shares, u.shares);
    take(c.quota, u.quota);
    take(c.burst, u.burst);
    take(c.period, u.period);
    take(c.realtime_runtime, u.realtime_runtime);
    take(c.realtime_period, u.realtime_period);
    take(c.cpus, u.cpus);
    take(c.mems, u.mems);
    take(c.idle, u.idle);
}

void merge_block_io(BlockIoResources& b, const BlockIoResources& u) {
    take(b.weight, u.weight);
    take(b.leaf_weight, u.leaf_weight);
    for (const auto& wd : u.weight_device)
        upsert(b.weight_device, wd, same_device<WeightDevice>, [](WeightDevice& into, const WeightDevice& from) {
            take(into.weight, from.weight);
            take(into.leaf_weight, from.leaf_weight);
        });
    for (auto [into, from] : {std::pair{&b.throttle_read_bps_device, &u.throttle_read_bps_device},
                              std::pair{&b.throttle_write_bps_device, &u.throttle_write_bps_device},
                              std::pair{&b.throttle_read_iops_device, &u.throttle_read_iops_device},
                              std::pair{&b.throttle_write_iops_device, &u.throttle_write_iops_device}}) {
        for (const auto& t : *from)
            upsert(*into, t, same_device<ThrottleDevice>,
                   [](ThrottleDevice& i, const ThrottleDevice& f) { i.rate = f.rate; });
    }
}

void merge_network(NetworkResources& n, const NetworkResources& u) {
    take(n.class_id, u.class_id);
    for (const auto& p : u.priorities)
        upsert(
            n.priorities, p, [](const NetworkPriority& a, const NetworkPriority& b) { return a.name == b.name; },
            [](NetworkPriority& i, const NetworkPriority& f) { i.priority = f.priority; });
}

// Merges an optional section: absent in the update leaves it, new creates it.
template <typename T, typename Merge>
void section(std::optional<T>& into, const std::optional<T>& from, Merge merge) {
    if (!from) return;
    if (!into) into = T{};
    merge(*into, *from);
}

}  // namespace

Resources merge_resources(Resources stored, const Resources& u) {
    section(stored.memory, u.memory, merge_memory);
    section(stored.cpu, u.cpu, merge_cpu);
    section(stored.pids, u.pids, [](PidsResources& p, const PidsResources& f) { take(p.limit, f.limit); });
    section(stored.block_io, u.block_io, merge_block_io);
    section(stored.network, u.network, merge_network);
    for (const auto& h : u.hugepage_limits)
        upsert(
            stored.hugepage_limits, h,
            [](const HugepageLimit& a, const HugepageLimit& b) { return a.page_size == b.page_size; },
            [](HugepageLimit& i, const HugepageLimit& f) { i.limit = f.limit; });
    for (const auto& [device, limit] : u.rdma) {
        auto& into = stored.rdma[device];
        take(into.hca_handles, limit.hca_handles);
        take(into.hca_objects, limit.hca_objects);
    }
    for (const auto& [key, value] : u.unified) stored.unified[key] = value;
    return stored;
}

}  // namespace ocirt::spec
