// linux.resources on cgroup v1 (and hybrid hosts, whose controllers are v1):
// the spec's values go to the v1 files mostly as they are.
#include <spdlog/spdlog.h>

#include <cerrno>

#include "ocirt/linux/cgroups/convert.hpp"
#include "ocirt/linux/cgroups/field_write.hpp"
#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

const std::string& kMem = kMemField;
const std::string& kCpu = kCpuField;
const std::string& kBlkio = kBlkioField;

void set_memory_limit(const std::string& d, int64_t limit) {
    const std::string path = join(d, "memory.limit_in_bytes");
    const std::string value = std::to_string(limit);
    int err = try_write_field(kMem + ".limit", path, value);
    if (err == 0) return;
    if (err != EBUSY) write_failed(kMem + ".limit", path, value, err);
    // The kernel could not reclaim enough to get under the new limit.
    throw Error(EBUSY, kMem + ".limit: cannot set " + path + " to " + value + " (usage " +
                           std::to_string(read_number(kMem + ".limit", join(d, "memory.usage_in_bytes"))) +
                           ", peak " +
                           std::to_string(read_number(kMem + ".limit", join(d, "memory.max_usage_in_bytes"))) + ")");
}

void set_memsw(const std::string& d, int64_t swap) {
    write_field(kMem + ".swap", join(d, "memory.memsw.limit_in_bytes"), std::to_string(swap));
}

void apply_memory(const std::string& d, const spec::MemoryResources& m) {
    int64_t limit = nz(m.limit), swap = nz(m.swap);
    // Unlimited memory with no swap value: unlimited memory+swap too (runc).
    if (limit == -1 && swap == 0 && exists(join(d, "memory.memsw.limit_in_bytes"))) swap = -1;
    // The kernel keeps limit <= memsw at every step: pick the order that does.
    if (limit != 0 && swap != 0 &&
        memsw_first(read_number(kMem + ".limit", join(d, "memory.limit_in_bytes")), swap)) {
        set_memsw(d, swap);
        set_memory_limit(d, limit);
    } else {
        if (limit != 0) set_memory_limit(d, limit);
        if (swap != 0) set_memsw(d, swap);
    }
    if (nz(m.reservation) != 0)
        write_field(kMem + ".reservation", join(d, "memory.soft_limit_in_bytes"), std::to_string(*m.reservation));
    if (m.kernel_tcp)
        write_field(kMem + ".kernelTCP", join(d, "memory.kmem.tcp.limit_in_bytes"), std::to_string(*m.kernel_tcp));
    if (m.swappiness) write_field(kMem + ".swappiness", join(d, "memory.swappiness"), std::to_string(*m.swappiness));
    if (m.disable_oom_killer.value_or(false))
        write_field(kMem + ".disableOOMKiller", join(d, "memory.oom_control"), "1");
    if (m.use_hierarchy)
        write_field(kMem + ".useHierarchy", join(d, "memory.use_hierarchy"), *m.use_hierarchy ? "1" : "0");
}

void apply_cpu(const std::string& d, const spec::CpuResources& c) {
    if (uint64_t shares = nz(c.shares)) {
        const std::string path = join(d, "cpu.shares");
        write_field(kCpu + ".shares", path, std::to_string(shares));
        // The kernel clamps out-of-range shares silently: say so instead.
        uint64_t got = read_number(kCpu + ".shares", path);
        if (got != shares)
            throw Error(kCpu + ".shares: " + std::to_string(shares) + " is out of range (the kernel set " +
                        std::to_string(got) + ")");
    }
    const bool quota = nz(c.quota) != 0;
    std::string period_later, burst_later;
    if (uint64_t period = nz(c.period))
        period_later = write_or_defer(kCpu + ".period", join(d, "cpu.cfs_period_us"), std::to_string(period), quota);
    if (c.burst)
        burst_later = write_or_defer(kCpu + ".burst", join(d, "cpu.cfs_burst_us"), std::to_string(*c.burst), quota);
    if (quota) {
        write_field(kCpu + ".quota", join(d, "cpu.cfs_quota_us"), std::to_string(*c.quota));
        if (!period_later.empty()) write_field(kCpu + ".period", join(d, "cpu.cfs_period_us"), period_later);
        if (!burst_later.empty()) write_field(kCpu + ".burst", join(d, "cpu.cfs_burst_us"), burst_later);
    }
    if (c.idle) write_field(kCpu + ".idle", join(d, "cpu.idle"), std::to_string(*c.idle));

    // Realtime: the same dance between period and runtime.
    const bool runtime = nz(c.realtime_runtime) != 0;
    std::string rt_period_later;
    if (uint64_t period = nz(c.realtime_period))
        rt_period_later = write_or_defer(kCpu + ".realtimePeriod", join(d, "cpu.rt_period_us"),
                                         std::to_string(period), runtime);
    if (runtime) {
        write_field(kCpu + ".realtimeRuntime", join(d, "cpu.rt_runtime_us"), std::to_string(*c.realtime_runtime));
        if (!rt_period_later.empty())
            write_field(kCpu + ".realtimePeriod", join(d, "cpu.rt_period_us"), rt_period_later);
    }
}

void apply_cpuset(const std::string& d, const spec::CpuResources& c) {
    if (!c.cpus.empty()) write_field(kCpu + ".cpus", join(d, "cpuset.cpus"), c.cpus);
    if (!c.mems.empty()) write_field(kCpu + ".mems", join(d, "cpuset.mems"), c.mems);
}

void apply_block_io(const std::string& d, const spec::BlockIoResources& b) {
    // Without CFQ (gone since 5.0) there is no blkio.weight; BFQ has its own
    // files with the same meaning (as runc does).
    std::string weight = "blkio.weight", weight_device = "blkio.weight_device";
    if (!exists(join(d, weight)) && exists(join(d, "blkio.bfq.weight"))) {
        weight = "blkio.bfq.weight";
        weight_device = "blkio.bfq.weight_device";
    }
    if (uint16_t w = b.weight.value_or(0)) write_field(kBlkio + ".weight", join(d, weight), std::to_string(w));
    if (uint16_t w = b.leaf_weight.value_or(0))
        write_field(kBlkio + ".leafWeight", join(d, "blkio.leaf_weight"), std::to_string(w));
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& wd = b.weight_device[i];
        const std::string field = kBlkio + ".weightDevice[" + std::to_string(i) + "]";
        if (uint16_t w = wd.weight.value_or(0))
            write_field(field + ".weight", join(d, weight_device), device_line(wd.major, wd.minor, w));
        if (uint16_t w = wd.leaf_weight.value_or(0))
            write_field(field + ".leafWeight", join(d, "blkio.leaf_weight_device"), device_line(wd.major, wd.minor, w));
    }
    auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* name, const char* file) {
        for (size_t i = 0; i < list.size(); ++i)
            write_field(kBlkio + "." + name + "[" + std::to_string(i) + "]", join(d, file),
                        device_line(list[i].major, list[i].minor, list[i].rate));
    };
    throttle(b.throttle_read_bps_device, "throttleReadBpsDevice", "blkio.throttle.read_bps_device");
    throttle(b.throttle_write_bps_device, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device");
    throttle(b.throttle_read_iops_device, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device");
    throttle(b.throttle_write_iops_device, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device");
}

void apply_hugetlb(const std::string& d, const std::vector<spec::HugepageLimit>& limits) {
    for (size_t i = 0; i < limits.size(); ++i) {
        const auto& l = limits[i];
        const std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        const std::string prefix = join(d, "hugetlb." + l.page_size);
        write_field(field, prefix + ".limit_in_bytes", std::to_string(l.limit));
        // Reservation accounting where the kernel has it (5.7+), as the spec asks.
        if (exists(prefix + ".rsvd.limit_in_bytes"))
            write_field(field, prefix + ".rsvd.limit_in_bytes", std::to_string(l.limit));
    }
}

}  // namespace

void apply_v1(const spec::Resources& r, const V1Dirs& dir_of) {
    if (!r.unified.empty())
        throw Error("linux.resources.unified: needs cgroup v2, and this host's controllers are cgroup v1");
    // Every controller first: a missing one must not leave the others half-written.
    for (const auto& n : v1_needs(r))
        if (!dir_of(n.controller))
            throw Error(n.field + ": the " + n.controller + " controller is not available (not mounted)");
    auto dir = [&](const char* controller) { return *dir_of(controller); };

    if (r.memory && r.memory->kernel)
        spdlog::warn("linux.resources.memory.kernel is deprecated and ignored");
    if (r.cpu && sets_cpuset(*r.cpu)) apply_cpuset(dir("cpuset"), *r.cpu);
    if (r.memory && sets_memory_v1(*r.memory)) apply_memory(dir("memory"), *r.memory);
    if (r.cpu && sets_cpu(*r.cpu)) apply_cpu(dir("cpu"), *r.cpu);
    if (r.pids && r.pids->limit)
        write_field("linux.resources.pids.limit", join(dir("pids"), "pids.max"), pids_max(*r.pids->limit));
    if (r.block_io && sets_block_io(*r.block_io)) apply_block_io(dir("blkio"), *r.block_io);
    if (!r.hugepage_limits.empty()) apply_hugetlb(dir("hugetlb"), r.hugepage_limits);
    if (r.network && r.network->class_id.value_or(0) != 0)
        write_field("linux.resources.network.classID", join(dir("net_cls"), "net_cls.classid"),
                    std::to_string(*r.network->class_id));
    if (r.network) {
        const auto& prios = r.network->priorities;
        for (size_t i = 0; i < prios.size(); ++i)
            write_field("linux.resources.network.priorities[" + std::to_string(i) + "]",
                        join(dir("net_prio"), "net_prio.ifpriomap"),
                        prios[i].name + " " + std::to_string(prios[i].priority));
    }
    for (const auto& [device, limit] : r.rdma)
        write_field("linux.resources.rdma[\"" + device + "\"]", join(dir("rdma"), "rdma.max"),
                    rdma_max_line(device, limit));
}

}  // namespace ocirt::cgroups
