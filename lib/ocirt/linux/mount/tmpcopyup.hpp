#pragma once
// tmpcopyup: a new tmpfs starts with a copy of what the rootfs has at its
// destination. The copy goes into the detached tmpfs before it is attached.
#include <string>

namespace ocirt::linux_ {

// Copies the tree under directory `src` into directory `dst`: files, dirs,
// symlinks, fifos and device nodes (sockets are skipped), hard links kept,
// with owner, mode, times and extended attributes (as far as the target
// filesystem takes them). Nothing is followed: a symlink is copied as one.
// `src` and `dst` may be O_PATH fds. `name` is the source path in errors.
struct CopyUpRoot {    // what `dst` itself takes from `src` (not what mount options set)
    bool uid = true;   // no uid= option
    bool gid = true;   // no gid= option
    bool mode = true;  // no mode= option
};
void copy_up(int src, int dst, const CopyUpRoot& root, const std::string& name);

}  // namespace ocirt::linux_
