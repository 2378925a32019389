#pragma once
// The last steps of the init: find the executable (before `create` returns,
// so a missing binary is a create error that engines can classify), wait on
// exec.fifo for `start`, and execve.
#include <string>
#include <vector>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// The executable for args[0]: as is when it has a '/', else searched in the
// PATH of `env`. Errors read like runc's ("exec: \"x\": executable file not
// found in $PATH"), which podman maps to exit codes 127 and 126.
std::string find_executable(const std::string& arg0, const std::vector<std::string>& env);

// Blocks until `start` opens exec.fifo for reading, and returns the fifo
// open for writing. `fifo` is an O_PATH fd of the fifo and `proc_fd_dir` an
// fd of /proc/self/fd, both opened before the root changed (the fifo is
// outside the container).
Fd wait_for_start(int fifo, int proc_fd_dir);
// The byte `start` waits for: the container's process is about to exec.
void confirm_start(const Fd& fifo);
// Instead of that byte: why the process will not run ('E' and the message),
// so `start` can say it.
void report_start_failure(const Fd& fifo, const std::string& message);

[[noreturn]] void exec_process(const std::string& path, const std::vector<std::string>& args,
                               const std::vector<std::string>& env);

}  // namespace ocirt::linux_
