#pragma once
// uid_map and gid_map of a new user namespace, written by the parent (which
// holds the privileges on the host) before the init goes on.
#include <sys/types.h>

#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {
void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uids,
                   const std::vector<spec::IdMapping>& gids);
}
