#pragma once
// AppArmor profile and SELinux labels (process.apparmorProfile,
// process.selinuxLabel, linux.mountLabel). Applied when the LSM is enabled on
// the host; when it is not, they are ignored with a debug message, as runc and
// crun do, so the same config runs on hosts with and without the LSM.
#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

bool apparmor_enabled();
bool selinux_enabled();

// In the init, before execve: the labels take effect at the exec.
void apply_process_labels(const spec::Process& p);
// The mount label, when SELinux is enabled: refused for now (not applied yet);
// ignored with a debug message when SELinux is off.
void check_mount_label(const std::string& mount_label);

}  // namespace ocirt::linux_
