#include "ocirt/linux/mount/attr.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

void setattr(int fd, mount_attr& attr, bool recursive, const std::string& what) {
    unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (::mount_setattr(fd, "", flags, &attr, sizeof attr) != 0) throw_errno(what);
}

}  // namespace

unsigned int mount_attr_flags(unsigned long ms) {
    unsigned int a = 0;
    if (ms & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV) a |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
    if (ms & MS_NOSYMFOLLOW) a |= MOUNT_ATTR_NOSYMFOLLOW;
    // As mount(2) does for a new mount: noatime, else strictatime, else relatime.
    if (ms & MS_NOATIME)
        a |= MOUNT_ATTR_NOATIME;
    else if (ms & MS_STRICTATIME)
        a |= MOUNT_ATTR_STRICTATIME;
    return a;
}

void set_mount_attr(int fd, const MountAttrChange& change, bool recursive, const std::string& what) {
    if (change.empty()) return;
    mount_attr attr{};
    attr.attr_set = change.set;
    attr.attr_clr = change.clr;
    setattr(fd, attr, recursive, what);
}

void set_mount_idmap(int fd, int userns_fd, bool recursive, const std::string& what) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns_fd);
    setattr(fd, attr, recursive, what);
}

}  // namespace ocirt::linux_
