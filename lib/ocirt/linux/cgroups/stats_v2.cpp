// Statistics from one cgroup2 dir, in the units and v1-compatible shapes runc
// reports (nanoseconds, memory+swap as "swap", io.stat as blkio tables).
#include <limits>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/stats_parse.hpp"

namespace ocirt::cgroups {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

// cpu.stat exists even without the cpu controller (usage only).
void read_cpu(const StatDir& d, CpuUsage& u, Throttling& t) {
    auto s = d.keyed("cpu.stat");
    u.total = value_or_zero(s, "usage_usec") * 1000;
    u.user = value_or_zero(s, "user_usec") * 1000;
    u.kernel = value_or_zero(s, "system_usec") * 1000;
    t.periods = value_or_zero(s, "nr_periods");
    t.throttled_periods = value_or_zero(s, "nr_throttled");
    t.throttled_time = value_or_zero(s, "throttled_usec") * 1000;
}

void read_memory(const StatDir& d, Memory& m) {
    m.raw = d.keyed("memory.stat");
    m.cache = value_or_zero(m.raw, "file");
    m.usage.usage = d.uint("memory.current");
    m.usage.limit = d.uint("memory.max");
    m.usage.max = d.uint("memory.peak");  // kernel 5.19+
    // The times usage was about to go over memory.max: v1's failcnt.
    m.usage.failcnt = value_or_zero(d.keyed("memory.events"), "max");
    // v1 reports memory+swap; cgroup2 counts swap alone. Add up, as runc does.
    if (d.text("memory.swap.current")) {
        m.swap.usage = d.uint("memory.swap.current") + m.usage.usage;
        uint64_t swap_max = d.uint("memory.swap.max");
        m.swap.limit = swap_max == kMax || m.usage.limit == kMax || swap_max > kMax - m.usage.limit
                           ? kMax
                           : swap_max + m.usage.limit;
    }
}

void read_pids_stats(const StatDir& d, Pids& p) {
    if (auto current = d.text("pids.current")) {
        p.current = parse_uint(*current, d.path("pids.current"));
        p.limit = d.uint("pids.max");
        if (p.limit == kMax) p.limit = 0;
        return;
    }
    // Without the pids controller: count the processes, as runc does.
    if (d.present()) p.current = read_pids(d.path("cgroup.procs")).size();
}

void read_io(const StatDir& d, Blkio& b) {
    auto t = d.text("io.stat");
    if (!t) return;
    for (const auto& line : parse_nested_keyed(*t, d.path("io.stat"))) {
        for (const auto& [key, text] : line.values) {
            std::vector<BlkioEntry>* table = nullptr;
            std::string op;
            if (key == "rbytes" || key == "wbytes") table = &b.io_service_bytes_recursive;
            if (key == "rios" || key == "wios") table = &b.io_serviced_recursive;
            if (!table) continue;  // dbytes, dios: no v1 table to put them in
            table->push_back(BlkioEntry{line.major, line.minor, key[0] == 'r' ? "Read" : "Write",
                                        parse_uint(text, d.path("io.stat"))});
        }
    }
}

void read_hugetlb(const StatDir& d, std::map<std::string, Hugetlb>& out) {
    for (const auto& size : d.names_between("hugetlb.", ".current")) {
        const std::string p = "hugetlb." + size;
        Hugetlb h;
        h.usage = d.uint(p + ".current");
        h.failcnt = value_or_zero(d.keyed(p + ".events"), "max");
        out[size] = h;  // no peak usage file on cgroup2: max stays 0, as in runc
    }
}

}  // namespace

Stats read_stats_v2(const std::string& dir) {
    StatDir d(dir);
    Stats s;
    read_cpu(d, s.cpu_usage, s.throttling);
    read_memory(d, s.memory);
    read_pids_stats(d, s.pids);
    read_io(d, s.blkio);
    read_hugetlb(d, s.hugetlb);
    return s;
}

}  // namespace ocirt::cgroups
