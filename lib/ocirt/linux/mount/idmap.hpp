#pragma once
// Idmapped bind mounts (mounts[].options idmap/ridmap, mounts[].uidMappings
// and gidMappings): a detached clone of the source from open_tree(2),
// idmapped with mount_setattr(MOUNT_ATTR_IDMAP) through a user namespace that
// carries the mappings, then attached onto the target by the caller.
//
// Idmapping a mount of a host filesystem needs CAP_SYS_ADMIN in the initial
// user namespace: in a container with its own user namespace the init cannot
// do it, so the runtime makes these trees before the clone (mount/prepare.hpp)
// and the init only attaches them.
#include <string>
#include <vector>

#include "ocirt/linux/mount/options.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// A new user namespace with these mappings, held by its fd (no process stays
// in it). `field` names the mappings in errors ("mounts[2]").
Fd make_userns(const std::vector<spec::IdMapping>& uids, const std::vector<spec::IdMapping>& gids,
               const std::string& uid_field, const std::string& gid_field);

// The user namespace whose mappings idmap mount `m`: its own mappings, else
// the container's (the namespace it joins, or one with linux.uidMappings and
// gidMappings).
Fd mount_userns(const spec::Mount& m, const spec::Config& c, const std::string& where);

// A detached, idmapped clone of `source` (recursive for rbind; idmapped
// recursively for ridmap). `where` is "mounts[2]".
Fd open_idmapped_tree(const std::string& source, const MountOptions& o, int userns_fd,
                      const std::string& where);

}  // namespace ocirt::linux_
