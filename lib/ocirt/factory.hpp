#pragma once
// Factory: the state root (default /run/ocirt, or --root) where each
// container has its dir; creates containers from bundles and loads them.
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "ocirt/container.hpp"
#include "ocirt/process.hpp"

namespace ocirt {

struct CreateOptions {
    std::string bundle;  // absolute or relative to the cwd
    bool no_pivot = false;
    bool systemd_cgroup = false;
    Process io;  // console socket, preserve fds, pid file (create fills spec from config.json)
};

struct CheckedBundle;  // create_check.hpp
namespace cgroups {
class Manager;
}

// What restore's step in place of create's launch works with (checkpoint.cpp).
struct RestoreTarget {
    const CheckedBundle& bundle;
    const std::string& dir;    // the state dir, taken and locked
    cgroups::Manager& cgroup;  // made, linux.resources applied
};
// Brings the init back (criu restore) and returns its pid: a child of this
// process, killed and reaped if a later step fails.
using InitRestorer = std::function<pid_t(const RestoreTarget&)>;

class Factory {
public:
    explicit Factory(std::string root);

    // Runs the whole `create` (create.cpp): on success the init waits on
    // exec.fifo; on any failure nothing is left (no state dir, cgroup,
    // process or mount).
    Container create(const std::string& id, const CreateOptions& opts);
    // `restore`: create's steps (check the bundle, take the id, make the
    // cgroup, save the state) with `restore_init` in place of the launch; no
    // exec.fifo, so the container is running from the start. Any failure
    // leaves nothing, as create.
    Container create_restored(const std::string& id, const CreateOptions& opts, const InitRestorer& restore_init);
    // Throws `container "ID" does not exist` when there is no such container.
    // A state dir without state.json is a half-made container (its create was
    // killed, or is still running): loaded from recovery.json, or with its id
    // alone when create was stopped before writing it. A corrupt state.json
    // throws an Error with code EBADMSG naming the file.
    Container load(const std::string& id, bool lock = true) const;
    // For delete --force when state.json is corrupt: the container as far as
    // recovery.json (else the config copy) tells. `problems` gets what could
    // not be recovered, for the caller to report.
    Container load_damaged(const std::string& id, std::vector<std::string>& problems) const;
    // The id has a state dir (whole or half-made).
    bool exists(const std::string& id) const;
    // Every state dir whose name is a valid id, half-made ones included.
    std::vector<std::string> list() const;

    const std::string& root() const { return root_; }

    // Ids as runc accepts them: [A-Za-z0-9_+.-]+, but not "." or "..".
    static void validate_id(const std::string& id);

private:
    std::string root_;
};

}  // namespace ocirt
