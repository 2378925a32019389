#pragma once
// Mount attributes through mount_setattr(2): the per-mount flags of an
// attached mount or of a detached tree, optionally for every mount below it
// (AT_RECURSIVE), and the idmapping of a detached tree.
#include <string>

#include "ocirt/linux/mount/options.hpp"

namespace ocirt::linux_ {

// MOUNT_ATTR_* for fsmount(2) from the per-mount MS_* flags of a new mount
// (ro, nosuid, nodev, noexec, nodiratime, nosymfollow and the atime mode).
unsigned int mount_attr_flags(unsigned long ms_flags);

// mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE]); `what` names it in errors.
void set_mount_attr(int fd, const MountAttrChange& change, bool recursive, const std::string& what);

// Idmaps the detached mount `fd` (from open_tree(OPEN_TREE_CLONE)) with the
// mappings of the user namespace `userns_fd`.
void set_mount_idmap(int fd, int userns_fd, bool recursive, const std::string& what);

}  // namespace ocirt::linux_
