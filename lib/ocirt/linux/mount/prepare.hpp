#pragma once
// Mounts the runtime makes before the clone, for the init to attach, in a
// container with a user namespace: the idmapped bind mounts (idmapping a host
// filesystem needs privileges the init no longer has there; see
// mount/idmap.hpp), and a clone of every other bind source, which the init
// attaches only when the namespace cannot reach the source path itself (a
// bind it makes of a reachable path keeps the kernel's locks on the source's
// flags; a clone made here would not have them). The init inherits the fds
// with the rest of the fd table.
#include <cstddef>
#include <map>
#include <vector>

#include "ocirt/linux/mount/rootfs.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

struct PreparedMounts {
    std::map<size_t, Fd> trees;  // mounts[] index -> detached mount tree

    // The tree for mounts[index], handed over (closed once attached); empty if none.
    Fd take(size_t index);
    // Their fds, for the init to keep when it closes what it inherited.
    std::vector<int> fds() const;
    // The parent drops its copies once the init is cloned: a detached tree
    // held open keeps its source busy.
    void clear() { trees.clear(); }
};

// Empty unless the init will be in a user namespace. Errors name the field.
PreparedMounts prepare_mounts(const RootfsContext& ctx);

}  // namespace ocirt::linux_
