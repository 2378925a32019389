#pragma once
// The hooks of config.json (config.md "POSIX-platform Hooks"). Each hook is
// forked and exec'd in the calling process's namespaces (so the caller picks
// the runtime or the container namespace by where it calls these), with:
//   argv   hook.args, or [hook.path] when args is absent or empty (execv: args[0] is argv[0])
//   env    exactly hook.env (nothing inherited; none when absent)
//   stdin  the container's state JSON (a memfd holding it, offset 0: any size, and a hook that
//          never reads it cannot block or SIGPIPE the runtime)
//   stdout and stderr  one pipe, read while the hook runs; the last 4 KiB go into the error
//   fds    nothing but 0, 1, 2 (every other fd is closed in the child before exec)
//   signals  an empty mask and default dispositions (`run` blocks signals, the init handles some)
// The runner waits for the hook itself (a pidfd), not for processes it leaves behind: once the
// hook has exited, what is already readable from the pipe is kept and the rest is not waited
// for. After hook.timeout seconds the hook is SIGKILLed and reaped. The cwd is `cwd` when given
// (createContainer: the container's root, runtime.md), else the caller's.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// Runs each hook in order and throws ocirt::Error on the first failure; later hooks do not
// run. `kind` is the hook list's JSON name ("createRuntime", ...). Messages:
//   hooks.createRuntime[1] /usr/bin/x: exited with status 3: <captured output>
//   hooks.prestart[0] /x: timed out after 2s
//   hooks.poststop[0] /nope: exec: No such file or directory
//   hooks.poststart[0] /x: killed by signal 9 (SIGKILL)
// For prestart, createRuntime, createContainer, startContainer and poststart (a failure
// stops the container: runtime.md "Lifecycle"; poststart since runtime-spec 1.3).
void run_hooks(const std::vector<spec::Hook>& hooks, const std::string& kind, const std::string& state_json,
               const std::string& cwd = {});

// The same, but a failure is logged as a warning (spdlog::warn, same text) and the next hook
// still runs. For poststop.
void run_hooks_warn(const std::vector<spec::Hook>& hooks, const std::string& kind,
                    const std::string& state_json);

}  // namespace ocirt::linux_
