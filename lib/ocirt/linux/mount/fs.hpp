#pragma once
// A new filesystem for a mounts[] entry that is not a bind mount, made with
// fsopen/fsconfig/fsmount as a detached mount for the caller to attach. Each
// filesystem option goes to the filesystem on its own, so a rejected option
// is named by its index, with the kernel's own message:
//   mounts[3].options[2]: "foo": tmpfs: Unknown parameter 'foo'
// iversion and silent/loud have no fsconfig form and are not passed (the
// filesystems that track i_version do so whatever the mount says).
#include <string>

#include "ocirt/linux/mount/options.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// `copy_from`: for tmpcopyup, the directory whose content the tmpfs starts
// with (else unused). `where` is "mounts[3]".
Fd make_fs_mount(const spec::Mount& m, const MountOptions& o, int copy_from, const std::string& where);

}  // namespace ocirt::linux_
