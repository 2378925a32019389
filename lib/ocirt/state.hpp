#pragma once
// State: what `create` persists in <root>/<id>/state.json, and the OCI state
// view that `state` and `list` print. The status is never read from disk: it
// is derived from the live process by Container::status().
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ocirt {

enum class Status { creating, created, running, paused, stopped };
const char* to_string(Status s);

struct State {
    std::string oci_version;  // of the config the container was created from
    std::string id;
    pid_t pid = 0;
    uint64_t pid_start_time = 0;  // guards against pid reuse
    std::string bundle;
    std::string rootfs;
    std::string created;  // RFC 3339, UTC, nanoseconds
    std::string owner;
    std::map<std::string, std::string> annotations;
    std::string cgroup_path;  // resolved cgroupsPath
    std::vector<std::string> cgroup_created;  // dirs create made (delete removes only those)
    bool has_process = true;  // config.json had a process (start needs one)
    bool systemd_cgroup = false;
    bool has_hooks = false;
    // linux.intelRdt: the tasks file exec adds its process to, and the resctrl
    // dirs create made that delete removes (recovery.json: those it will make).
    std::string intel_rdt_tasks;
    std::vector<std::string> intel_rdt_created;  // config.json has hooks (start and delete then read it)
    // A record create writes before it makes anything (recovery.json): the
    // container may be half-made; cgroup_created lists the dirs create will make.
    bool creating = false;

    nlohmann::json to_json() const;
    static State from_json(const nlohmann::json& j);
};

// The state as `ocirt state` prints it: the spec's fields plus runc's
// rootfs, created and owner, in runc's order.
nlohmann::ordered_json oci_state_view(const State& s, Status status);

// Reads and writes state.json in a container's state dir. A state.json that
// cannot be read as a state throws an Error with code EBADMSG naming the file.
State load_state(const std::string& state_dir);
void save_state(const std::string& state_dir, const State& s);

// recovery.json: what delete needs to finish a container whose create was
// killed, or whose state.json was lost (cgroup path and the dirs create makes,
// the init's pid and start time). Written by create before the cgroup is made
// and again once the init's pid is known; kept for the container's life.
inline constexpr const char* kRecoveryFile = "recovery.json";
State load_recovery(const std::string& state_dir);  // EBADMSG as load_state
void save_recovery(const std::string& state_dir, const State& s);

std::string now_rfc3339();

// The state hooks get on stdin (runtime-spec state.md); pid 0 is left out.
std::string hook_state_json(const std::string& id, Status status, pid_t pid, const std::string& bundle,
                            const std::map<std::string, std::string>& annotations);

}  // namespace ocirt
