#pragma once
// The process half of a container's setup, shared by the init and by exec:
// rlimits, LSM labels, scheduling and memory attributes, cwd, env and the
// executable, the fd sweep, the seccomp filter, the capability sets, the user
// switch and no_new_privs, then execve.
//
// When the filter goes in (seccomp(2) needs no_new_privs or CAP_SYS_ADMIN):
// without no_new_privs, before the capabilities are dropped, as runc does;
// with it, as late as possible, just before execve; a filter with a notify
// listener, before the runtime stops listening for its fd. startContainer
// hooks run after the filter, as in runc: when there are any, the late filter
// goes in before them (load_pending_filter), so the hooks (children of the
// init) and the rest of the init's way to execve run under it. The runtime's own
// lookups (openat2, getcwd, faccessat2, close_range) all come before any
// filter: they are the runtime's syscalls, not the container's.
#include <string>
#include <vector>

#include "ocirt/linux/seccomp.hpp"
#include "ocirt/linux/channel.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

struct ProcessSetup {
    const spec::Process* process = nullptr;
    const spec::Linux* linux = nullptr;  // personality, memoryPolicy; may be null
    const SeccompProgram* seccomp = nullptr;
    ChildChannel* sync = nullptr;  // a notify listener fd is handed to the parent here
    int listen_fds = 0;          // socket activation fds, announced in the env
    int preserve_fds = 0;
};

struct ReadyProcess {
    std::string exe;
    std::vector<std::string> env;
    bool filter_pending = false;  // loaded by finish_process
};

// Marks every fd from 3 + keep on close-on-exec; 3..3+keep-1 are passed on.
void mark_fds_cloexec(int keep);
// Closes every fd but stdio, 3..3+passed-1 and those in `keep`: a process that
// is inside the container's namespaces holds nothing of its caller's (a
// process there with CAP_SYS_PTRACE could reach them through /proc).
void close_fds_except(int passed, std::vector<int> keep);

ReadyProcess prepare_process(const ProcessSetup& s);
// Loads the filter now if it is still pending (before startContainer hooks).
void load_pending_filter(const ProcessSetup& s, ReadyProcess& r);
[[noreturn]] void finish_process(const ProcessSetup& s, const ReadyProcess& r);

}  // namespace ocirt::linux_
