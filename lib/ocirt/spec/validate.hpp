#pragma once
// Checks on a parsed config that the JSON shape alone cannot express: rules
// between fields (config.md, config-linux.md) and the fields ocirt does not
// apply yet. Each throws ocirt::Error naming the field:
//   "process.cwd: must be an absolute path, got \"tmp\""
//   "linux.uidMappings: requires a user namespace"
//   "linux.seccomp is not supported yet"
#include <string>

#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

// Semantic rules of the spec for running `c` on Linux.
void validate(const Config& c);

// The process rules alone, for `exec --process`: args, cwd, rlimits, ...
void validate_process(const Process& p, const std::string& path = "process");

// The resources rules alone, for `update -r`.
void validate_resources(const Resources& r, const std::string& path = "linux.resources");

// linux.resources.devices[].access as runc reads it: the letters r, w and m in
// any order, repeated or not; any other character means nothing and is
// dropped ("rwa" is "rw", "mr" is "rm"). Returns the letters present, in "rwm"
// order: what devices.allow and the eBPF filter are given. "" when there is
// none (an empty access means "rwm"; a non-empty one without a letter is
// refused by validate).
std::string device_access_letters(const std::string& access);

// Refuses fields that ocirt parses but does not apply yet, naming the first
// one present: "hooks.prestart is not supported yet". Running a container
// without a setting it asked for would be worse than not running it.
void check_supported(const Config& c);

// The same for the process of `exec --process`.
void check_supported(const Process& p);

}  // namespace ocirt::spec
