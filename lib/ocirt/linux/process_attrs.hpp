#pragma once
// Per-process kernel attributes of process and linux: personality,
// scheduler (sched_setattr), ioPriority (ioprio_set), execCPUAffinity
// (sched_setaffinity) and memoryPolicy (set_mempolicy). Each is applied by
// the init to itself, so the container's process inherits it across execve.
#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

void apply_personality(const spec::Personality& p);
void apply_scheduler(const spec::Scheduler& s);
void apply_io_priority(const spec::IoPriority& p);
// "initial" or "final" of execCPUAffinity (`which` names the field).
void apply_cpu_affinity(const std::string& cpus, const std::string& which);
void apply_memory_policy(const spec::MemoryPolicy& m);

// Checked by create before anything is made; the apply_* functions check too.
void check_process_attrs(const spec::Config& c);

}  // namespace ocirt::linux_
