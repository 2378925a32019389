#pragma once
// What `ocirt features` prints (runtime-spec features.md and features-linux.md,
// the v1.2 shape): what this build of ocirt recognizes, not what the host
// offers. Every list comes from the table the code itself uses (mount options,
// hook kinds, namespace types, capability names, seccomp tables), and each
// "enabled" from the code path that would refuse it, so the output cannot
// drift from what create accepts. The one host-dependent field is
// seccomp.supportedFlags, which the spec defines as the flags this kernel takes.
#include <nlohmann/json.hpp>

namespace ocirt {

nlohmann::ordered_json features();

}  // namespace ocirt
