// root_mount.hpp: the rootfs bind for CRIU's restore root.
#include "ocirt/linux/criu/root_mount.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_::criu {

RootMount::RootMount(const std::string& rootfs, const std::string& where) : path_(where) {
    if (::mkdir(path_.c_str(), 0755) != 0) throw_errno("mkdir " + path_);
    made_ = true;
    if (::mount(rootfs.c_str(), path_.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        const int err = errno;
        undo();
        throw Error(err, "bind the rootfs " + rootfs + " on " + path_);
    }
    mounted_ = true;
}

RootMount::~RootMount() { undo(); }

void remove_leftover_root(const std::string& state_dir) {
    const std::string path = state_dir + "/" + kRootMountName;
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        throw_errno("umount " + path);
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) throw_errno("rmdir " + path);
}

void RootMount::undo() noexcept {
    if (mounted_ && ::umount2(path_.c_str(), MNT_DETACH) != 0) spdlog::warn("umount {}: {}", path_, std::strerror(errno));
    mounted_ = false;
    if (made_ && ::rmdir(path_.c_str()) != 0) spdlog::warn("rmdir {}: {}", path_, std::strerror(errno));
    made_ = false;
}

}  // namespace ocirt::linux_::criu
