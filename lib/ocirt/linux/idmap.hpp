#pragma once
// uid_map and gid_map of a new user namespace, written by the parent (which
// holds the privileges on the host) before the init goes on.
//
// Rootless (euid != 0, rootless.hpp), three ways:
//   - a map of one id, the caller's own euid (egid): written directly, the
//     gid map after "deny" to setgroups (the kernel's rule for it);
//   - anything else: newuidmap / newgidmap (setuid helpers of the uidmap
//     package), which check the ranges against /etc/subuid and /etc/subgid;
//     checked here first, so a missing helper or an ungranted range is an
//     error naming the field, the file and the range.
// Root of a user namespace that does not own the host (rootless podman)
// writes any map of ids its namespace has, directly, as on the host.
#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uids,
                   const std::vector<spec::IdMapping>& gids);

// Whether `maps` is one range of size 1 onto `own` (writable without help).
bool maps_only_own_id(const std::vector<spec::IdMapping>& maps, uint32_t own);

// The ranges of `maps` that are neither `own` nor inside a range granted to
// `name` or `id` by a /etc/subuid-format text; "" when all are granted, else
// the first one as "hostID N size M".
std::string ungranted_range(const std::vector<spec::IdMapping>& maps, uint32_t own,
                            const std::string& subid_text, const std::string& name, uint32_t id);

// Whether setgroups(2) may work in this process's user namespace: "allow" in
// /proc/self/setgroups (a gid map written without newgidmap says "deny").
bool setgroups_allowed();

}  // namespace ocirt::linux_
