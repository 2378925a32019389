// linux.resources on cgroup v2: the spec's v1-shaped values converted to the
// v2 files (convert.hpp) in the container's one cgroup, after the controllers
// are enabled above it (subtree_control.cpp).
#include <spdlog/spdlog.h>

#include <cerrno>
#include <sstream>

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

[[noreturn]] void no_v2(const std::string& field, const std::string& why) {
    throw Error(field + ": not available on cgroup v2 (" + why + ")");
}

// What v2 has no file for. Refused rather than dropped (docs/conformance.md).
void check_v2_fields(const spec::Resources& r) {
    if (r.network && (r.network->class_id.value_or(0) != 0 || !r.network->priorities.empty()))
        no_v2("linux.resources.network", "no net_cls or net_prio controller; use eBPF");
    if (r.cpu) {
        if (nz(r.cpu->realtime_runtime)) no_v2(kCpu + ".realtimeRuntime", "no realtime group scheduling files");
        if (nz(r.cpu->realtime_period)) no_v2(kCpu + ".realtimePeriod", "no realtime group scheduling files");
    }
    if (r.memory) {
        const auto& m = *r.memory;
        if (m.swappiness) no_v2(kMem + ".swappiness", "no per-cgroup swappiness");
        if (m.kernel_tcp) no_v2(kMem + ".kernelTCP", "kernel TCP memory is part of memory.max");
        if (m.disable_oom_killer.value_or(false))
            no_v2(kMem + ".disableOOMKiller", "the OOM killer cannot be disabled");
        if (m.use_hierarchy && !*m.use_hierarchy) no_v2(kMem + ".useHierarchy", "accounting is always hierarchical");
    }
    if (r.block_io) {
        if (nz(r.block_io->leaf_weight)) no_v2(kBlkio + ".leafWeight", "no leaf weights");
        for (size_t i = 0; i < r.block_io->weight_device.size(); ++i)
            if (nz(r.block_io->weight_device[i].leaf_weight))
                no_v2(kBlkio + ".weightDevice[" + std::to_string(i) + "].leafWeight", "no leaf weights");
    }
    for (const auto& [key, value] : r.unified) {
        if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
            throw Error("linux.resources.unified[\"" + key + "\"]: must be a file name in the container's cgroup");
    }
}

void apply_memory(const std::string& d, const spec::MemoryResources& m) {
    const int64_t limit = nz(m.limit), swap = nz(m.swap);
    // v2 lets a lower memory.max through and OOM-kills instead; the spec's
    // checkBeforeUpdate asks for v1's refusal.
    if (m.check_before_update.value_or(false) && (limit > 0 || swap > 0)) {
        uint64_t usage = read_number(kMem + ".checkBeforeUpdate", join(d, "memory.current"));
        if (swap > 0 && static_cast<uint64_t>(swap) <= usage)
            throw Error(kMem + ".swap: " + std::to_string(swap) + " is not above the current usage " +
                        std::to_string(usage) + " (checkBeforeUpdate)");
        if (limit > 0 && static_cast<uint64_t>(limit) <= usage)
            throw Error(kMem + ".limit: " + std::to_string(limit) + " is not above the current usage " +
                        std::to_string(usage) + " (checkBeforeUpdate)");
    }
    if (auto swap_max = memory_swap_max(limit, swap)) {
        const std::string path = join(d, "memory.swap.max");
        // Without swap accounting there is no file: only "no limit" and "no
        // swap" mean the same as no file at all (runc).
        if (exists(path) || (*swap_max != "max" && *swap_max != "0")) write_field(kMem + ".swap", path, *swap_max);
    }
    if (limit != 0) write_field(kMem + ".limit", join(d, "memory.max"), memory_v2(limit));
    if (nz(m.reservation) != 0) write_field(kMem + ".reservation", join(d, "memory.low"), memory_v2(*m.reservation));
}

void apply_io(const std::string& d, const spec::BlockIoResources& b) {
    // io.weight (1..10000) takes the converted value; BFQ's io.bfq.weight
    // (1..1000) takes blkio's as is.
    const bool bfq = !exists(join(d, "io.weight")) && exists(join(d, "io.bfq.weight"));
    const std::string file = join(d, bfq ? "io.bfq.weight" : "io.weight");
    auto weight = [&](uint64_t w) { return bfq ? w : io_weight_from_blkio(w); };
    if (uint16_t w = nz(b.weight)) write_field(kBlkio + ".weight", file, std::to_string(weight(w)));
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& wd = b.weight_device[i];
        if (uint16_t w = nz(wd.weight))
            write_field(kBlkio + ".weightDevice[" + std::to_string(i) + "].weight", file,
                        device_line(wd.major, wd.minor, weight(w)));
    }
    for (const auto& line : io_max_lines(b)) write_field(kBlkio + " (throttles)", join(d, "io.max"), line);
}

void apply_cpu(const std::string& d, const spec::CpuResources& c) {
    if (c.idle) write_field(kCpu + ".idle", join(d, "cpu.idle"), std::to_string(*c.idle));
    if (uint64_t shares = nz(c.shares))
        write_field(kCpu + ".shares", join(d, "cpu.weight"), std::to_string(cpu_weight_from_shares(shares)));
    const bool max = nz(c.quota) != 0 || nz(c.period) != 0;
    std::string burst_later;
    if (c.burst) burst_later = write_or_defer(kCpu + ".burst", join(d, "cpu.max.burst"), std::to_string(*c.burst), max);
    if (max) {
        write_field(nz(c.quota) ? kCpu + ".quota" : kCpu + ".period", join(d, "cpu.max"),
                    cpu_max(nz(c.quota), nz(c.period)));
        if (!burst_later.empty()) write_field(kCpu + ".burst", join(d, "cpu.max.burst"), burst_later);
    }
}

void apply_hugetlb(const std::string& d, const std::vector<spec::HugepageLimit>& limits) {
    for (size_t i = 0; i < limits.size(); ++i) {
        const auto& l = limits[i];
        const std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        const std::string prefix = join(d, "hugetlb." + l.page_size);
        write_field(field, prefix + ".max", std::to_string(l.limit));
        if (exists(prefix + ".rsvd.max")) write_field(field, prefix + ".rsvd.max", std::to_string(l.limit));
    }
}

}  // namespace

void apply_v2(const spec::Resources& r, const V2Target& t) {
    check_v2_fields(r);
    if (r.memory && r.memory->kernel) spdlog::warn("linux.resources.memory.kernel is deprecated and ignored");
    // The controllers the hierarchy has, to tell "memory.high" from "cgroup.max.depth".
    std::vector<std::string> known;
    if (!r.unified.empty()) {
        std::istringstream text(read_file(join(t.mountpoint, "cgroup.controllers")));
        for (std::string w; text >> w;) known.push_back(w);
    }
    enable_controllers(t, v2_needs(r, known));

    const std::string& d = t.leaf;
    if (r.pids && r.pids->limit)
        write_field("linux.resources.pids.limit", join(d, "pids.max"), pids_max(*r.pids->limit));
    if (r.memory && sets_memory_v2(*r.memory)) apply_memory(d, *r.memory);
    if (r.block_io && sets_block_io(*r.block_io)) apply_io(d, *r.block_io);
    if (r.cpu && sets_cpu(*r.cpu)) apply_cpu(d, *r.cpu);
    if (r.cpu && !r.cpu->cpus.empty()) write_field(kCpu + ".cpus", join(d, "cpuset.cpus"), r.cpu->cpus);
    if (r.cpu && !r.cpu->mems.empty()) write_field(kCpu + ".mems", join(d, "cpuset.mems"), r.cpu->mems);
    if (!r.hugepage_limits.empty()) apply_hugetlb(d, r.hugepage_limits);
    for (const auto& [device, limit] : r.rdma)
        write_field("linux.resources.rdma[\"" + device + "\"]", join(d, "rdma.max"), rdma_max_line(device, limit));
    // Last, so they override what the fields above wrote.
    for (const auto& [key, value] : r.unified)
        write_field_lines("linux.resources.unified[\"" + key + "\"]", join(d, key), value);
}

}  // namespace ocirt::cgroups
