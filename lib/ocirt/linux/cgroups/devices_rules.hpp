#pragma once
// Device cgroup rules: the defaults every container gets, and their text form
// for the v1 devices.allow / devices.deny files.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::cgroups {

// The allow rules runc appends after the config's rules, so engines see the
// same behaviour: mknod of any c/b device, null, random, full, tty, zero,
// urandom, /dev/pts/* (136:*), ptmx (5:2) and tun (10:200, kept by runc for
// compatibility). The runtime appends them; the managers never add them.
std::vector<spec::DeviceRule> default_device_rules();

// "c 1:3 rwm", "a *:* rwm": empty type is "a", absent major/minor is "*",
// empty access is "rwm". Throws naming linux.resources.devices on a bad type
// or access string.
std::string render_v1(const spec::DeviceRule& rule);

// What V1 writes for the rule: render_v1, except that an "a" rule limited to
// numbers or access becomes its "c" and "b" rules (the kernel would read the
// "a" line as every device, rwm).
std::vector<std::string> render_v1_lines(const spec::DeviceRule& rule);

// Same rule after the defaults above are filled in (type "a", access "rwm"), its access
// reduced to the letters r, w, m in that order (spec::device_access_letters).
spec::DeviceRule normalised(const spec::DeviceRule& rule);

}  // namespace ocirt::cgroups
