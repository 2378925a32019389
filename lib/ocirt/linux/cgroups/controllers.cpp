// Which controllers a linux.resources object needs: only the parts that write
// something (resources.hpp).
#include <algorithm>

#include "ocirt/linux/cgroups/resources.hpp"

namespace ocirt::cgroups {
namespace {

template <typename T>
bool nonzero(const std::optional<T>& v) {
    return v && *v != 0;
}

void add(std::vector<Need>& out, const std::string& controller, const std::string& field) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const Need& n) { return n.controller == controller; });
    if (!seen) out.push_back(Need{controller, field});
}

}  // namespace

bool sets_memory_v2(const spec::MemoryResources& m) {
    return nonzero(m.limit) || nonzero(m.reservation) || nonzero(m.swap);
}

bool sets_memory_v1(const spec::MemoryResources& m) {
    return sets_memory_v2(m) || m.kernel_tcp || m.swappiness || m.disable_oom_killer.value_or(false) ||
           m.use_hierarchy;
}

bool sets_cpu(const spec::CpuResources& c) {
    return nonzero(c.shares) || nonzero(c.quota) || nonzero(c.period) || c.burst || c.idle ||
           nonzero(c.realtime_runtime) || nonzero(c.realtime_period);
}

bool sets_cpuset(const spec::CpuResources& c) { return !c.cpus.empty() || !c.mems.empty(); }

bool sets_block_io(const spec::BlockIoResources& b) {
    bool weights = std::any_of(b.weight_device.begin(), b.weight_device.end(), [](const spec::WeightDevice& w) {
        return nonzero(w.weight) || nonzero(w.leaf_weight);
    });
    return nonzero(b.weight) || nonzero(b.leaf_weight) || weights || !b.throttle_read_bps_device.empty() ||
           !b.throttle_write_bps_device.empty() || !b.throttle_read_iops_device.empty() ||
           !b.throttle_write_iops_device.empty();
}

std::vector<Need> v1_needs(const spec::Resources& r) {
    std::vector<Need> out;
    if (r.cpu && sets_cpuset(*r.cpu))
        add(out, "cpuset", r.cpu->cpus.empty() ? "linux.resources.cpu.mems" : "linux.resources.cpu.cpus");
    if (r.memory && sets_memory_v1(*r.memory)) add(out, "memory", "linux.resources.memory");
    if (r.cpu && sets_cpu(*r.cpu)) add(out, "cpu", "linux.resources.cpu");
    if (r.pids && r.pids->limit) add(out, "pids", "linux.resources.pids");
    if (r.block_io && sets_block_io(*r.block_io)) add(out, "blkio", "linux.resources.blockIO");
    if (!r.hugepage_limits.empty()) add(out, "hugetlb", "linux.resources.hugepageLimits");
    if (r.network && nonzero(r.network->class_id)) add(out, "net_cls", "linux.resources.network.classID");
    if (r.network && !r.network->priorities.empty())
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
    if (r.pids && r.pids->limit) add(out, "pids", "linux.resources.pids");
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
