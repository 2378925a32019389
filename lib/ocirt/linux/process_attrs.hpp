#pragma once
// Per-process kernel attributes of process and linux: personality,
// scheduler (sched_setattr), ioPriority (ioprio_set), execCPUAffinity
// (sched_setaffinity) and memoryPolicy (set_mempolicy). Each is applied by
// the init to itself, so the container's process inherits it across execve.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

void apply_personality(const spec::Personality& p);
void apply_scheduler(const spec::Scheduler& s);
void apply_io_priority(const spec::IoPriority& p);
// "initial" or "final" of execCPUAffinity (`which` names the field).
void apply_cpu_affinity(const std::string& cpus, const std::string& which);
// The affinity the process execs with, once it is in the container's cgroup: `final`
// when given; the runtime's own otherwise never (runc#4814: `taskset -c 0 runtime run`
// must not pin the container): without execCPUAffinity, or with neither field, it is
// reset to every CPU of the cgroup's cpuset; with `initial` alone, `initial` stays.
void apply_final_cpu_affinity(const std::optional<spec::ExecCpuAffinity>& a);
void reset_cpu_affinity();
void apply_memory_policy(const spec::MemoryPolicy& m);

// The linux.memoryPolicy mode and flag names ocirt knows (features' memoryPolicy).
std::vector<std::string> memory_policy_modes();
std::vector<std::string> memory_policy_flags();

// Checked by create before anything is made; the apply_* functions check too.
void check_process_attrs(const spec::Config& c);

}  // namespace ocirt::linux_
