#pragma once
// A container's resource usage read from its cgroup: the data of `ocirt events`
// stats. The fields mirror runc's events "stats" (runc's types.Stats), in
// runc's units (nanoseconds, bytes). A file the host does not have (a
// controller that is not mounted, a kernel without swap accounting) leaves its
// fields at zero: never an error. Malformed content is an error naming the file.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ocirt::cgroups {

class Manager;

struct CpuUsage {
    uint64_t total = 0;                    // cpuacct.usage; v2 cpu.stat usage_usec
    std::vector<uint64_t> percpu;          // cpuacct.usage_percpu (v1 only)
    std::vector<uint64_t> percpu_kernel;   // cpuacct.usage_all, "system" column
    std::vector<uint64_t> percpu_user;     // cpuacct.usage_all, "user" column
    uint64_t kernel = 0;                   // cpuacct.stat system; v2 system_usec
    uint64_t user = 0;                     // cpuacct.stat user; v2 user_usec
};

struct Throttling {
    uint64_t periods = 0;            // cpu.stat nr_periods
    uint64_t throttled_periods = 0;  // nr_throttled
    uint64_t throttled_time = 0;     // throttled_time (v2: throttled_usec), ns
};

struct CpuSet {  // v1 cpuset.* files; zero on v2, as in runc
    std::vector<unsigned> cpus, mems;
    uint64_t cpu_exclusive = 0, mem_hardwall = 0, mem_exclusive = 0, memory_migrate = 0,
             memory_spread_page = 0, memory_spread_slab = 0, memory_pressure = 0,
             sched_load_balance = 0;
    int64_t sched_relax_domain_level = 0;
};

struct MemoryEntry {
    uint64_t limit = 0;
    uint64_t usage = 0;
    uint64_t max = 0;  // the highest usage seen (max_usage_in_bytes, v2 memory.peak)
    uint64_t failcnt = 0;
};

struct Memory {
    uint64_t cache = 0;  // memory.stat "cache" (v2: "file")
    MemoryEntry usage;
    MemoryEntry swap;  // memory + swap, as v1's memsw (v2 adds memory.current to swap.current)
    MemoryEntry kernel;
    MemoryEntry kernel_tcp;
    std::map<std::string, uint64_t> raw;  // memory.stat, every key
};

struct Pids {
    uint64_t current = 0;
    uint64_t limit = 0;  // 0: no limit ("max")
};

struct BlkioEntry {
    uint64_t major = 0, minor = 0;
    std::string op;  // "Read", "Write", ...; empty for files without one
    uint64_t value = 0;
};

struct Blkio {
    std::vector<BlkioEntry> io_service_bytes_recursive, io_serviced_recursive, io_queued_recursive,
        io_service_time_recursive, io_wait_time_recursive, io_merged_recursive, io_time_recursive,
        sectors_recursive;
};

struct Hugetlb {
    uint64_t usage = 0, max = 0, failcnt = 0;
};

struct Stats {
    CpuUsage cpu_usage;
    Throttling throttling;
    CpuSet cpuset;
    Memory memory;
    Pids pids;
    Blkio blkio;
    std::map<std::string, Hugetlb> hugetlb;  // by page size as the kernel names it: "2MB", "1GB"
};

// The container's stats from its cgroup in the host's layout (hybrid: the v1
// controllers; the unified hierarchy there has none of ours).
Stats read_stats(const Manager& m);

// The readers behind read_stats. v1: the dir of each mounted controller
// ("cpuacct" -> /sys/fs/cgroup/cpuacct/<path>); a missing one reads as zero.
Stats read_stats_v1(const std::map<std::string, std::string>& controller_dirs);
Stats read_stats_v2(const std::string& dir);

}  // namespace ocirt::cgroups
