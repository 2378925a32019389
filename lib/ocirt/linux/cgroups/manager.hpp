#pragma once
// The container's cgroup: where it lives in every mounted hierarchy, and the
// operations the lifecycle needs (create, join, limit, list, freeze, destroy).
// One interface, one implementation per host layout (v1, hybrid, v2); open()
// picks it from /proc/self/mountinfo.
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/linux/cgroups/sub_cgroups.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::cgroups {

// v1: only v1 hierarchies; hybrid: v1 hierarchies plus a cgroup2 mount below
// the root (systemd's "unified", no controllers of ours); v2: the root is cgroup2.
enum class Mode { v1, hybrid, v2 };
const char* to_string(Mode m);

// One mounted hierarchy the container has a cgroup in.
struct Hierarchy {
    std::string mountpoint;                // /sys/fs/cgroup/memory, /sys/fs/cgroup/unified
    std::vector<std::string> controllers;  // {"memory"}, {"cpu","cpuacct"}, {"name=systemd"}; empty for cgroup2
    bool unified = false;                  // cgroup2

    bool has(const std::string& controller) const;
};

// Where to look; tests point both at a fake tree.
struct Paths {
    std::string mount_root = "/sys/fs/cgroup";
    std::string mountinfo = "/proc/self/mountinfo";
};

// What the host has mounted under Paths::mount_root.
struct Layout {
    Mode mode = Mode::v1;
    std::vector<Hierarchy> hierarchies;  // mountinfo order; the cgroup2 one last in hybrid
};

class Manager {
public:
    virtual ~Manager();

    virtual Mode mode() const = 0;
    // The resolved cgroupsPath, e.g. "/ocirt/abc" (see resolve_path).
    virtual const std::string& path() const = 0;
    virtual const std::vector<Hierarchy>& hierarchies() const = 0;
    // Absolute dir of the container's cgroup in that hierarchy: mountpoint + path().
    virtual std::string dir(const Hierarchy& h) const = 0;

    // mkdir -p in every hierarchy. Remembers the dirs it made (created()) so
    // destroy() removes exactly those; on failure removes what it made and throws.
    // v1: a new cpuset dir gets its parent's cpuset.cpus/mems (else joining fails).
    // Refuses (EBUSY, naming the dir) a cgroup that is frozen or freezing, its
    // own freezer or an ancestor's (v1 freezer.state; cgroup2 cgroup.freeze or
    // cgroup.events, also systemd's on hybrid); warns when a dir that already
    // existed holds processes, and goes on (runc 1.1 does both).
    virtual void create() = 0;
    // The dirs create() made, absolute, parents before children. Persist them
    // (state.json) and pass them to open() in a later process that destroys.
    virtual const std::vector<std::string>& created() const = 0;
    // The dirs create() would make now (those missing), absolute, parents
    // first: create records them before making any, so a create killed half
    // way leaves a list delete can finish from.
    virtual std::vector<std::string> to_create() const = 0;

    // Writes pid to cgroup.procs in every hierarchy it is not in already (as
    // /proc/PID/cgroup shows): a process born in the cgroup (CLONE_INTO_CGROUP,
    // join_calling_thread) costs no write, and so no wait for the kernel's
    // lock (see join_calling_thread).
    virtual void add_process(pid_t pid) = 0;
    // exec --cgroup: the same, into existing sub-cgroups (sub_cgroups.hpp). An empty map
    // is add_process(pid). A controller no hierarchy has: "unknown controller X"; on v2
    // a controller prefix is refused (one hierarchy: the path alone); a path out of the
    // container's cgroup: "bad sub cgroup path"; a missing sub-cgroup: the write's ENOENT.
    virtual void add_process(pid_t pid, const SubCgroups& sub) = 0;

    // Writes the resources to the container's cgroup (call after create()).
    // Devices: empty rules change nothing (update passes none). v1: "a" to
    // devices.deny, then each rule in order to devices.allow or devices.deny
    // (render_v1_lines). v2: the eBPF filter (bpf_device_filter.hpp).
    // Every other field: resources.hpp (apply_v1 on v1 and hybrid, apply_v2
    // with the controllers enabled in the dirs create() made). Errors name
    // the field: "linux.resources.memory.limit: ...".
    virtual void apply(const spec::Resources& resources) = 0;

    // Every pid in the container's cgroup and its sub-cgroups, sorted, no
    // duplicates; empty when the cgroup is gone. For kill --all and ps.
    virtual std::vector<pid_t> pids() const = 0;

    // v1: freezer.state, waits until FROZEN (thaws back and throws if it stays
    // FREEZING ~2 s). v2: cgroup.freeze, waits for "frozen 1" in cgroup.events.
    virtual void freeze() = 0;
    virtual void thaw() = 0;
    virtual bool frozen() const = 0;

    // Kills what is left and removes the dirs create() made, deepest first.
    // Only where this container created its own cgroup dir does it SIGKILL the
    // pids there (v2: cgroup.kill when present; v1: then thaws the freezer so
    // frozen tasks can die) and remove sub-cgroups the container made; a
    // pre-existing dir is never emptied nor removed. Waits up to ~2 s, then
    // throws naming the busy dir. Idempotent; missing dirs are fine.
    virtual void destroy() = 0;

    // An O_PATH|O_DIRECTORY|O_CLOEXEC fd of the container's cgroup2 dir, for
    // clone3(CLONE_INTO_CGROUP); the caller owns it. Invalid Fd on v1 (no
    // cgroup2). Call after create().
    virtual Fd fd_for_clone_into_cgroup() const = 0;

    // v1 (and hybrid's v1 hierarchies): a function that moves the thread
    // calling it, alone, into the container's cgroup of each v1 hierarchy
    // ("0" to `tasks`), so that a process it then clones is born there and
    // add_process has nothing left to write. Why: a write of another pid to
    // cgroup.procs takes the kernel's cgroup_threadgroup_rwsem for writing,
    // and the first such write after a pause waits a whole RCU grace period
    // (7-12 ms here; bench/ANALYSIS.md), while since Linux 6.2 a thread moving
    // itself takes no global lock. Meant for a short-lived intermediate (it
    // stays in the cgroup until it exits; spawn.hpp's CgroupBirth). Empty
    // where there is no v1 hierarchy to join this way (v2, systemd, none).
    virtual std::function<void()> calling_thread_join() const { return {}; }
};

// Who makes the container's cgroup: ocirt in cgroupfs, or systemd
// (--systemd-cgroup, a transient unit; systemd.cpp).
enum class Driver { cgroupfs, systemd };

// Resolves linux.cgroupsPath to the path used in every hierarchy:
//   absent or ""  -> "/ocirt/<id>"
//   "/a/b"        -> "/a/b"
//   "a/b"         -> "/a/b" (under the hierarchy root, not under our own cgroup)
// Rejects "..", ".", empty components ("a//b", trailing "/"), NUL and the root
// "/" itself, naming linux.cgroupsPath. Without systemd_cgroup a ':' is an
// ordinary character ("system.slice:x:y" is one dir), as in runc. With it
// (--systemd-cgroup) the value is "slice:prefix:name" and the result the
// unit's cgroup, "/system.slice/prefix-name.scope" (systemd_path.hpp; the
// default slice is user.slice when not root).
std::string resolve_path(const std::optional<std::string>& cgroups_path, const std::string& id,
                         bool systemd_cgroup);

// Reads Paths::mountinfo. v2 if mount_root itself is a cgroup2 mount; hybrid if
// there are v1 hierarchies and a cgroup2 mount below mount_root; v1 if only v1
// hierarchies. Throws when there is no cgroup mount at all.
Layout discover(const Paths& paths = {});
Mode probe(const Paths& paths = {});

// The manager for the host's layout. `created` is what an earlier create()
// reported (created()); each must be the container's dir or an ancestor of it
// inside one hierarchy, else this throws. Driver::systemd: the path is a
// unit's, and create() talks to systemd; `annotations` are the config's, whose
// org.systemd.property.* the unit is started with. Rootless, a path without a
// user manager's cgroup before it (create's) gets that manager's ControlGroup
// prepended (path() returns the whole path, which create records).
std::unique_ptr<Manager> open(const std::string& resolved_path, const Paths& paths = {},
                              std::vector<std::string> created = {}, Driver driver = Driver::cgroupfs,
                              std::map<std::string, std::string> annotations = {});

// Rootless (linux/rootless.hpp): the v2 manager when the container's dir, or
// its nearest existing ancestor, is a delegated one (owned by `euid` and
// writable, as is cgroup.procs there: systemd's user@.service delegation);
// else a manager without a cgroup, which refuses every limit naming the field
// (v1, hybrid, and v2 without delegation). Only create decides: later verbs
// find an empty cgroup path in the state when it chose none.
std::unique_ptr<Manager> open_rootless(const std::string& resolved_path, const Paths& paths, uid_t euid);

// Whether `dir` (a cgroup2 dir) is delegated to `euid`: see open_rootless.
bool delegated_to(const std::string& dir, uid_t euid);

}  // namespace ocirt::cgroups
