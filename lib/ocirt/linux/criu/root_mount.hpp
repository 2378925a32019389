#pragma once
// CRIU restores the container's mounts on top of a root it is given as a
// mount: the rootfs bind-mounted (recursively) at a dir of the state dir for
// the time of the restore (the restored mount namespace keeps its own copy).
#include <string>

namespace ocirt::linux_::criu {

// The name of the mount point in the state dir.
inline constexpr const char* kRootMountName = "criu-root";

// What a restore killed during `criu restore` left in its state dir: the bind
// unmounted (lazily) and the dir removed, so removing the state dir never
// walks into the rootfs. Nothing there: nothing done.
void remove_leftover_root(const std::string& state_dir);

class RootMount {
public:
    // Makes `where` (it must not exist) and binds `rootfs` on it.
    RootMount(const std::string& rootfs, const std::string& where);
    // Unmounts (lazily) and removes the dir; failures are warnings.
    ~RootMount();
    RootMount(const RootMount&) = delete;
    RootMount& operator=(const RootMount&) = delete;
    const std::string& path() const { return path_; }

private:
    void undo() noexcept;
    std::string path_;
    bool made_ = false, mounted_ = false;
};

}  // namespace ocirt::linux_::criu
