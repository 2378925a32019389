#pragma once
// Paths inside the container's rootfs, resolved with openat2(RESOLVE_IN_ROOT)
// so that a symlink in the image (even an absolute one, or "..") can never
// lead outside the rootfs. Mount targets are then named /proc/self/fd/N.
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

enum class Create { none, dir, file };

// Opens `path` (absolute as the container sees it) under `root_fd` as an
// O_PATH fd; creates missing parent dirs and the last component as asked.
// Errors name the path as the container sees it.
Fd open_in_root(int root_fd, const std::string& path, Create create, mode_t mode = 0755);

// "/proc/self/fd/N": the name mount(2) and friends use for an O_PATH fd.
std::string fd_path(int fd);

}  // namespace ocirt::linux_
