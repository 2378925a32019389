#pragma once
// Starting a container process, the parent's side, for create (the init) and
// exec alike: the channel (linux/channel.hpp), the clone (a caller-given
// cloner: spawn_init or spawn_in), the child entry behind run_in_child, the
// kill-and-reap guard, oom_score_adj, the conversation up to `ready` (create)
// or the execve (exec), the seccomp listener hand-off, and the pid file.
// The callers keep what differs: create the cgroup and the id maps, exec the
// namespaces it opened.
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "ocirt/linux/channel.hpp"
#include "ocirt/linux/child.hpp"
#include "ocirt/linux/seccomp_listener.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

struct Launch {
    std::string what;                 // "create ID", "exec ID": for the debug log
    std::string child_name = "init";  // "init", "process": in messages
    // Clones the child, which runs `entry` (it never returns); returns its pid.
    std::function<pid_t(ParentChannel&, ChildChannel&, const std::function<void()>& entry)> clone;
    // The child's work (container_init, exec_init), run under run_in_child
    // once the parent's end is closed. Any throw becomes an `error` message.
    std::function<void(ChildChannel&)> child;
    // In the parent, between the clone and `go`: the ids, the cgroup, closing
    // what only the child needed.
    std::function<void(pid_t)> after_clone;
    std::optional<int> oom_score_adj;  // process.oomScoreAdj
    // The parent's part of run_hooks (create); empty: the message is unexpected.
    std::function<void(pid_t)> run_hooks;
    // linux.seccomp, for a notify listener; the state sent with the fd (the pid
    // and the spec version are filled in here).
    const spec::Seccomp* seccomp = nullptr;
    ListenerState listener_state;
    // The end of the conversation: `ready` (the init waits for start) or `eof`
    // (exec's child reached execve, which closed its end).
    Msg done = Msg::ready;
};

// Starts the child and holds the conversation to its end. Returns the guard of
// the running child, for the caller to release once its own steps are done;
// any failure kills and reaps it before the error goes up.
ChildGuard launch(const Launch& l);

// --pid-file: the pid, written atomically; a relative path is from the cwd. Empty: none.
void write_pid_file(const std::string& path, pid_t pid);

}  // namespace ocirt::linux_
