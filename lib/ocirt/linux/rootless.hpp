#pragma once
// Rootless operation: ocirt run by an unprivileged user (euid != 0), or as
// root of a user namespace that does not own the host (rootless podman runs
// the runtime inside its own user namespace). There ocirt holds no privilege
// on the host: id maps go through newuidmap/newgidmap (idmap.cpp), cgroups are
// used only where delegated (cgroups/manager.cpp), the read-only binary is
// made inside a user namespace of its own (readonly_exe.cpp).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::linux_ {

// One line of /proc/PID/uid_map or gid_map: inside, outside, count.
struct MapRange {
    uint32_t inside = 0;
    uint32_t outside = 0;
    uint32_t count = 0;
    bool operator==(const MapRange&) const = default;
};

// Parses a uid_map/gid_map text; throws naming `what` on a malformed line.
std::vector<MapRange> parse_id_map(const std::string& text, const std::string& what);

// Whether a uid_map text is the initial user namespace's identity map
// ("0 0 4294967295"): only then does its root own the host.
bool is_host_map(const std::vector<MapRange>& map);

// rootless from the effective uid and the caller's uid_map text (tests pass both).
bool detect_rootless(uid_t euid, const std::string& uid_map_text);

// For this process: euid and /proc/self/uid_map, read once.
bool running_rootless();

// The default --root: $XDG_RUNTIME_DIR/ocirt when rootless and the variable
// is set (as runc: root of a user namespace honours it unless USER=root),
// else /run/ocirt.
std::string default_state_root();

// One line of /etc/subuid or /etc/subgid: "name-or-id:start:count".
struct SubRange {
    std::string owner;
    uint32_t start = 0;
    uint32_t count = 0;
};
std::vector<SubRange> parse_subid(const std::string& text);

}  // namespace ocirt::linux_
