#pragma once
// `ocirt ps`: the host's ps(1) output, filtered to the container's processes
// (as runc does: the PID column of each line is looked up in the cgroup).
#include <sys/types.h>

#include <string>
#include <vector>

namespace ocirt {

// Runs `ps ARGS` (default -ef, done as `ps -f -q PIDS`) and returns its header plus the lines
// whose PID is in `pids`. Errors name the ps command when it fails or has no PID column.
std::string ps_table(const std::vector<pid_t>& pids, const std::vector<std::string>& args);

}  // namespace ocirt
