#pragma once
// /dev inside the container: the default devices (null, zero, full, random,
// urandom, tty) plus linux.devices, made with mknod, or bind-mounted from the
// host where mknod is not allowed (in a user namespace); and the standard
// symlinks (/dev/fd, /dev/std*, /dev/ptmx, /dev/core).
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// linux.devices plus every default device the config does not list.
std::vector<spec::Device> devices_to_create(const spec::Config& c);

void create_devices(int root_fd, const std::vector<spec::Device>& devices, bool bind_from_host);
void create_dev_symlinks(int root_fd);

}  // namespace ocirt::linux_
