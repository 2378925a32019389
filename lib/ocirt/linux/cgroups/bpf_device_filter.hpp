#pragma once
// linux.resources.devices on cgroup v2: an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE, assembled here from the rules, attached to the
// container's cgroup2 dir.
//
// What the program decides, for a request (type, major, minor, access bits):
// - everything is denied, then the rules apply in order, a later rule
//   overriding an earlier one where both match;
// - each requested access bit (r, w, m) is decided on its own by the last
//   rule that matches the device and names that bit; the request is allowed
//   only when every bit is. So "allow c 1:3 r" does not allow a request "rw"
//   (as in cgroup v1), "allow c 1:3 r" then "allow c 1:3 w" does (v1 merges
//   them), and "allow c 1:3 rwm" then "deny c 1:3 w" denies "rw", allows "r";
// - a rule matches a device when its type is "a" (or empty) or equals the
//   device's, and its major and minor are absent (*) or equal.
// Where this differs from the v1 kernel (which the v1 manager writes to):
// - a deny narrower than an earlier allow ("allow c 1:* rwm", "deny c 1:3
//   rwm") denies 1:3 here; v1 only removes identical rules, so 1:3 stays open;
// - bits allowed by different rules combine ("allow c 1:* r", "allow c 1:3
//   w": "rw" on 1:3 is allowed here, denied by v1);
// - type "a" with a major, minor or partial access is that rule for both
//   block and char devices here; v1 reads any "a ..." as "a *:* rwm".
// Majors and minors above 2^32-1 are an error (as v1's parser); values the
// kernel cannot give a device (above 2^31-1) never match.
#include <linux/bpf.h>

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::cgroups {

// The program's name in the kernel (bpftool prog, BPF_OBJ_GET_INFO_BY_FD):
// set_device_filter replaces only programs of this name.
inline constexpr char kDeviceFilterName[] = "ocirt_devices";

// The instructions for `rules` (linux.resources.devices plus whatever the
// runtime appends, in order). An empty list denies every device. Throws
// naming linux.resources.devices on a bad rule.
std::vector<bpf_insn> device_filter_program(const std::vector<spec::DeviceRule>& rules);

// The entry point for create and update: loads the program for `rules` and
// makes it the only ocirt device filter on cgroup2_dir (an absolute path of a
// cgroup2 directory). The new program is attached before the old ones go
// (BPF_F_REPLACE when there is exactly one, else attach then detach), so
// there is never a moment without a filter; while both are attached an access
// needs both to allow it. Programs attached by others are left alone (they
// still apply: every program must allow). Errors name the dir and keep errno.
void set_device_filter(const std::string& cgroup2_dir, const std::vector<spec::DeviceRule>& rules);

}  // namespace ocirt::cgroups
