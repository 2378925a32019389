#pragma once
// Container: one container's operations on its state dir <root>/<id>, which
// holds state.json and, until `start`, exec.fifo. Mutating operations hold
// an exclusive flock on the state dir.
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"
#include "ocirt/state.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt {

namespace cgroups {
class Manager;
}

struct ExecOptions;
namespace linux_::criu {
struct Options;
}

class Container {
public:
    // The container `id` under the state root `root` (its dir is root/id).
    Container(const std::string& root, const std::string& id, State state, Fd lock);

    const State& state() const { return state_; }
    const std::string& id() const { return state_.id; }
    const std::string& dir() const { return dir_; }
    const std::string& root() const { return root_; }

    // Lets other ocirt processes operate on it (run holds it while it waits).
    void unlock() { lock_.reset(); }

    // The config.json the container was created from (a copy in the state dir).
    spec::Config config() const;

    // The user owning the state dir, by name (runc's OWNER in `list`).
    std::string owner() const;

    // Derived from the live process (pid and its start time), never from disk alone.
    // A half-made container (state().creating) is `creating` while another
    // process (its create) holds the state dir's lock, else `stopped`.
    // Throws (naming the file) when the cgroup's freezer cannot be read.
    Status status() const;
    // The init's pid is not known (load_damaged without recovery.json): delete
    // then kills every process in the container's cgroup instead.
    void mark_pid_unknown() { pid_unknown_ = true; }

    // Lets the init exec process.args; only a created container with a process.
    // Then the poststart hooks: one that fails stops the container and fails start.
    void start();
    // A new process in the running container (exec.cpp): it joins the
    // namespaces and the cgroup of the init. With `detach` returns once it
    // runs; otherwise stays with it as `run` does and returns its exit code.
    int exec(const ExecOptions& o) const;
    // Signals the init, or with `all` every process in the container's cgroup.
    void signal(int sig, bool all);
    // Removes the container: only a stopped one, unless `force` (then kills it).
    // A half-made one is finished off: its init (if recorded) and whatever is
    // in the cgroup dirs its create made are killed, those dirs and the state
    // dir removed.
    void destroy(bool force);
    // Freezes / thaws every process of the container (its cgroup's freezer).
    void pause();
    void resume();
    // Every pid in the container's cgroup, as the host sees them.
    std::vector<pid_t> pids() const;
    // `ocirt update`: merges `resources` into the stored linux.resources
    // (spec/resources_merge.hpp), writes the result to the cgroup and keeps it
    // in the config copy. Not on a stopped container. When a write fails the
    // stored resources are written back and nothing is kept; if that fails
    // too, the error says both and that the cgroup now differs from the copy.
    void update(const spec::Resources& resources);
    // `checkpoint` (checkpoint.cpp): CRIU dumps the running (or paused)
    // container into o.image_path. A full dump without o.leave_running kills
    // it, and the container is then deleted (runc does the same).
    void checkpoint(const linux_::criu::Options& o);

private:
    std::unique_ptr<cgroups::Manager> cgroup() const;
    void kill_and_wait(std::optional<bool> paused);  // nullopt: not known
    void run_poststart_hooks();
    void remove_resources();
    void destroy_half_made();
    std::vector<spec::Hook> poststop_hooks() const;

    std::string root_;
    std::string dir_;
    State state_;
    Fd lock_;
    bool pid_unknown_ = false;
};

}  // namespace ocirt
