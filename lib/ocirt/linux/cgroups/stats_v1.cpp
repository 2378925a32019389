// Statistics from v1 controllers, each in its own hierarchy (co-mounted ones
// share a dir). What runc 1.1 reads, with the same units.
#include <unistd.h>

#include "ocirt/linux/cgroups/stats_parse.hpp"
#include "ocirt/util/int_list.hpp"

namespace ocirt::cgroups {
namespace {

StatDir controller(const std::map<std::string, std::string>& dirs, const std::string& name) {
    auto it = dirs.find(name);
    return StatDir(it == dirs.end() ? "" : it->second);
}

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

void read_cpuacct(const StatDir& d, CpuUsage& u) {
    u.total = d.uint("cpuacct.usage");
    if (auto t = d.text("cpuacct.usage_percpu")) u.percpu = parse_uint_list(*t, d.path("cpuacct.usage_percpu"));
    if (auto t = d.text("cpuacct.usage_all"))
        parse_usage_all(*t, d.path("cpuacct.usage_all"), u.percpu_user, u.percpu_kernel);
    // cpuacct.stat counts USER_HZ ticks.
    auto ticks = d.keyed("cpuacct.stat");
    const uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    u.user = value_or_zero(ticks, "user") * ns_per_tick;
    u.kernel = value_or_zero(ticks, "system") * ns_per_tick;
}

void read_cpu(const StatDir& d, Throttling& t) {
    auto s = d.keyed("cpu.stat");
    t.periods = value_or_zero(s, "nr_periods");
    t.throttled_periods = value_or_zero(s, "nr_throttled");
    t.throttled_time = value_or_zero(s, "throttled_time");
}

std::vector<unsigned> cpu_list(const StatDir& d, const std::string& name) {
    auto t = d.text(name);
    if (!t) return {};
    while (!t->empty() && (t->back() == '\n' || t->back() == ' ')) t->pop_back();
    return t->empty() ? std::vector<unsigned>{} : parse_int_list(*t, d.path(name));
}

void read_cpuset(const StatDir& d, CpuSet& c) {
    c.cpus = cpu_list(d, "cpuset.cpus");
    c.mems = cpu_list(d, "cpuset.mems");
    c.cpu_exclusive = d.uint("cpuset.cpu_exclusive");
    c.mem_hardwall = d.uint("cpuset.mem_hardwall");
    c.mem_exclusive = d.uint("cpuset.mem_exclusive");
    c.memory_migrate = d.uint("cpuset.memory_migrate");
    c.memory_spread_page = d.uint("cpuset.memory_spread_page");
    c.memory_spread_slab = d.uint("cpuset.memory_spread_slab");
    c.memory_pressure = d.uint("cpuset.memory_pressure");
    c.sched_load_balance = d.uint("cpuset.sched_load_balance");
    if (auto t = d.text("cpuset.sched_relax_domain_level"))
        c.sched_relax_domain_level = parse_int(*t, d.path("cpuset.sched_relax_domain_level"));
}

// prefix "memory", "memory.memsw", "memory.kmem", "memory.kmem.tcp"
MemoryEntry memory_entry(const StatDir& d, const std::string& prefix) {
    MemoryEntry e;
    e.usage = d.uint(prefix + ".usage_in_bytes");
    e.max = d.uint(prefix + ".max_usage_in_bytes");
    e.failcnt = d.uint(prefix + ".failcnt");
    e.limit = d.uint(prefix + ".limit_in_bytes");
    return e;
}

void read_memory(const StatDir& d, Memory& m) {
    m.raw = d.keyed("memory.stat");
    m.cache = value_or_zero(m.raw, "cache");
    m.usage = memory_entry(d, "memory");
    m.swap = memory_entry(d, "memory.memsw");
    m.kernel = memory_entry(d, "memory.kmem");
    m.kernel_tcp = memory_entry(d, "memory.kmem.tcp");
}

void read_pids(const StatDir& d, Pids& p) {
    p.current = d.uint("pids.current");
    p.limit = d.uint("pids.max");
    if (p.limit == UINT64_MAX) p.limit = 0;  // "max": no limit, which runc shows as 0
}

// Which blkio files hold the statistics depends on the I/O scheduler and the
// kernel. Like runc, the first set whose first file has entries is used.
using BlkioField = std::vector<BlkioEntry> Blkio::*;
struct BlkioFile {
    const char* name;
    BlkioField field;
};

void read_blkio(const StatDir& d, Blkio& b) {
    static const std::vector<std::vector<BlkioFile>> sets = {
        {{"blkio.bfq.sectors_recursive", &Blkio::sectors_recursive},
         {"blkio.bfq.io_service_time_recursive", &Blkio::io_service_time_recursive},
         {"blkio.bfq.io_wait_time_recursive", &Blkio::io_wait_time_recursive},
         {"blkio.bfq.io_merged_recursive", &Blkio::io_merged_recursive},
         {"blkio.bfq.io_queued_recursive", &Blkio::io_queued_recursive},
         {"blkio.bfq.time_recursive", &Blkio::io_time_recursive},
         {"blkio.bfq.io_serviced_recursive", &Blkio::io_serviced_recursive},
         {"blkio.bfq.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
        {{"blkio.bfq.io_serviced_recursive", &Blkio::io_serviced_recursive},
         {"blkio.bfq.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
        {{"blkio.sectors_recursive", &Blkio::sectors_recursive},
         {"blkio.io_service_time_recursive", &Blkio::io_service_time_recursive},
         {"blkio.io_wait_time_recursive", &Blkio::io_wait_time_recursive},
         {"blkio.io_merged_recursive", &Blkio::io_merged_recursive},
         {"blkio.io_queued_recursive", &Blkio::io_queued_recursive},
         {"blkio.time_recursive", &Blkio::io_time_recursive},
         {"blkio.io_serviced_recursive", &Blkio::io_serviced_recursive},
         {"blkio.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
        {{"blkio.throttle.io_serviced_recursive", &Blkio::io_serviced_recursive},
         {"blkio.throttle.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
        {{"blkio.throttle.io_serviced", &Blkio::io_serviced_recursive},
         {"blkio.throttle.io_service_bytes", &Blkio::io_service_bytes_recursive}},
    };
    auto entries = [&](const char* name) {
        auto t = d.text(name);
        return t ? parse_blkio(*t, d.path(name)) : std::vector<BlkioEntry>{};
    };
    for (const auto& set : sets) {
        auto first = entries(set[0].name);
        if (first.empty()) continue;
        b.*set[0].field = std::move(first);
        for (size_t i = 1; i < set.size(); ++i) b.*set[i].field = entries(set[i].name);
        return;
    }
}

void read_hugetlb(const StatDir& d, std::map<std::string, Hugetlb>& out) {
    for (const auto& size : d.names_between("hugetlb.", ".usage_in_bytes")) {
        const std::string p = "hugetlb." + size;
        out[size] = Hugetlb{d.uint(p + ".usage_in_bytes"), d.uint(p + ".max_usage_in_bytes"),
                            d.uint(p + ".failcnt")};
    }
}

}  // namespace

Stats read_stats_v1(const std::map<std::string, std::string>& dirs) {
    Stats s;
    read_cpuacct(controller(dirs, "cpuacct"), s.cpu_usage);
    read_cpu(controller(dirs, "cpu"), s.throttling);
    read_cpuset(controller(dirs, "cpuset"), s.cpuset);
    read_memory(controller(dirs, "memory"), s.memory);
    read_pids(controller(dirs, "pids"), s.pids);
    read_blkio(controller(dirs, "blkio"), s.blkio);
    read_hugetlb(controller(dirs, "hugetlb"), s.hugetlb);
    return s;
}

}  // namespace ocirt::cgroups
