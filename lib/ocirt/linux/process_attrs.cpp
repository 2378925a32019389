#include "ocirt/linux/process_attrs.hpp"

#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>

#include "ocirt/util/error.hpp"
#include "ocirt/util/int_list.hpp"

namespace ocirt::linux_ {
namespace {

template <typename T>
T lookup(const std::map<std::string, T>& table, const std::string& key, const std::string& where) {
    auto it = table.find(key);
    if (it == table.end()) throw Error(where + ": unknown value \"" + key + "\"");
    return it->second;
}

// struct sched_attr of sched_setattr(2); glibc 2.36 has no wrapper.
struct SchedAttr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

const std::map<std::string, uint32_t> kPolicies = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},     {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
const std::map<std::string, uint64_t> kSchedFlags = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},   {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
const std::map<std::string, int> kIoClasses = {
    {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}};
const std::map<std::string, int> kMemPolicyModes = {
    {"MPOL_DEFAULT", 0},    {"MPOL_PREFERRED", 1},      {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4},          {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
const std::map<std::string, int> kMemPolicyFlags = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13}, {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

SchedAttr sched_attr(const spec::Scheduler& s) {
    const std::string where = "process.scheduler";
    SchedAttr a{};
    a.size = sizeof a;
    a.sched_policy = lookup(kPolicies, s.policy, where + ".policy");
    for (size_t i = 0; i < s.flags.size(); ++i)
        a.sched_flags |= lookup(kSchedFlags, s.flags[i], where + ".flags[" + std::to_string(i) + "]");
    if (s.nice && (*s.nice < -20 || *s.nice > 19))
        throw Error(where + ".nice: must be between -20 and 19");
    a.sched_nice = s.nice.value_or(0);
    a.sched_priority = static_cast<uint32_t>(s.priority.value_or(0));
    a.sched_runtime = s.runtime.value_or(0);
    a.sched_deadline = s.deadline.value_or(0);
    a.sched_period = s.period.value_or(0);
    return a;
}

int io_priority_value(const spec::IoPriority& p) {
    int cls = lookup(kIoClasses, p.io_class, "process.ioPriority.class");
    if (p.priority < 0 || p.priority > 7) throw Error("process.ioPriority.priority: must be between 0 and 7");
    return (cls << 13) | p.priority;
}

unsigned long personality_value(const spec::Personality& p) {
    static const std::map<std::string, unsigned long> domains = {{"LINUX", PER_LINUX},
                                                                 {"LINUX32", PER_LINUX32}};
    unsigned long d = lookup(domains, p.domain, "linux.personality.domain");
    // The spec defines no flag values yet.
    if (!p.flags.empty()) throw Error("linux.personality.flags[0]: unknown flag \"" + p.flags[0] + "\"");
    return d;
}

cpu_set_t cpu_set(const std::string& cpus, const std::string& where) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned c : parse_int_list(cpus, where)) {
        if (c >= CPU_SETSIZE) throw Error(where + ": cpu " + std::to_string(c) + " is out of range");
        CPU_SET(c, &set);
    }
    return set;
}

// set_mempolicy's mode (with flags) and node mask.
int mempolicy_args(const spec::MemoryPolicy& m, std::vector<unsigned long>& mask) {
    const std::string where = "linux.memoryPolicy";
    int mode = lookup(kMemPolicyModes, m.mode, where + ".mode");
    for (size_t i = 0; i < m.flags.size(); ++i)
        mode |= lookup(kMemPolicyFlags, m.flags[i], where + ".flags[" + std::to_string(i) + "]");
    mask.clear();
    if (!m.nodes.empty()) {
        for (unsigned n : parse_int_list(m.nodes, where + ".nodes")) {
            size_t word = n / (8 * sizeof(unsigned long));
            if (mask.size() <= word) mask.resize(word + 1, 0);
            mask[word] |= 1UL << (n % (8 * sizeof(unsigned long)));
        }
    }
    return mode;
}

}  // namespace

void apply_personality(const spec::Personality& p) {
    if (::personality(personality_value(p)) < 0)
        throw_errno("linux.personality: personality(" + p.domain + ")");
}

void apply_scheduler(const spec::Scheduler& s) {
    SchedAttr a = sched_attr(s);
    if (::syscall(SYS_sched_setattr, 0, &a, 0) != 0) throw_errno("process.scheduler: sched_setattr");
}

void apply_io_priority(const spec::IoPriority& p) {
    const int who_process = 1;
    if (::syscall(SYS_ioprio_set, who_process, 0, io_priority_value(p)) != 0)
        throw_errno("process.ioPriority: ioprio_set");
}

void apply_cpu_affinity(const std::string& cpus, const std::string& which) {
    const std::string where = "process.execCPUAffinity." + which;
    cpu_set_t set = cpu_set(cpus, where);
    if (::sched_setaffinity(0, sizeof set, &set) != 0) throw_errno(where + ": sched_setaffinity " + cpus);
}

void reset_cpu_affinity() {
    // Every CPU the kernel could have (runc's 8192): sched_setaffinity keeps those of the
    // task's cpuset, and CPUs added to the cpuset later stay usable.
    // On the stack: this runs before every container's execve, an allocation is not needed.
    constexpr size_t kMaxCpus = 8192;
    cpu_set_t set[kMaxCpus / (8 * sizeof(cpu_set_t))];
    std::memset(set, 0xff, sizeof set);
    const int r = ::sched_setaffinity(0, sizeof set, set);
    const int err = errno;
    // EPERM: a runtime confined (seccomp, LSM) from changing affinities; the process
    // keeps the runtime's, as it would without this step.
    if (r != 0 && err != EPERM) {
        errno = err;
        throw_errno("reset the CPU affinity to the container's cpuset (sched_setaffinity)");
    }
}

void apply_final_cpu_affinity(const std::optional<spec::ExecCpuAffinity>& a) {
    if (a && !a->final_.empty()) apply_cpu_affinity(a->final_, "final");
    else if (!a || a->initial.empty()) reset_cpu_affinity();
    // Only `initial`: the process keeps it (execCPUAffinity.final omitted: unchanged).
}

void apply_memory_policy(const spec::MemoryPolicy& m) {
    std::vector<unsigned long> mask;
    int mode = mempolicy_args(m, mask);
    unsigned long maxnode = mask.empty() ? 0 : mask.size() * 8 * sizeof(unsigned long) + 1;
    if (::syscall(SYS_set_mempolicy, mode, mask.empty() ? nullptr : mask.data(), maxnode) != 0)
        throw_errno("linux.memoryPolicy: set_mempolicy " + m.mode);
}

std::vector<std::string> memory_policy_modes() {
    std::vector<std::string> out;
    for (const auto& [name, value] : kMemPolicyModes) out.push_back(name);
    return out;
}

std::vector<std::string> memory_policy_flags() {
    std::vector<std::string> out;
    for (const auto& [name, value] : kMemPolicyFlags) out.push_back(name);
    return out;
}

void check_process_attrs(const spec::Config& c) {
    if (c.process) {
        const auto& p = *c.process;
        if (p.scheduler) sched_attr(*p.scheduler);
        if (p.io_priority) io_priority_value(*p.io_priority);
        if (const auto& a = p.exec_cpu_affinity) {
            if (!a->initial.empty()) cpu_set(a->initial, "process.execCPUAffinity.initial");
            if (!a->final_.empty()) cpu_set(a->final_, "process.execCPUAffinity.final");
        }
    }
    if (c.linux && c.linux->personality) personality_value(*c.linux->personality);
    if (c.linux && c.linux->memory_policy) {
        std::vector<unsigned long> mask;
        mempolicy_args(*c.linux->memory_policy, mask);
    }
}

}  // namespace ocirt::linux_
