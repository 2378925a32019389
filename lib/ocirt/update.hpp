#pragma once
// The write step of Container::update, apart so that it can be tested against
// a fake cgroupfs.
#include <string>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt {

// Writes `merged` (the limits alone: never the device rules) to `cg`. When a
// write fails, writes `stored` back and rethrows. When that fails too, the
// error says both, and that `cgroup_path` now holds values `config_path`
// (which still has `stored`) does not record.
void apply_or_restore(cgroups::Manager& cg, const spec::Resources& merged, const spec::Resources& stored,
                      const std::string& cgroup_path, const std::string& config_path);

}  // namespace ocirt
