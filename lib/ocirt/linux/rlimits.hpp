#pragma once
// process.rlimits with setrlimit(2).
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// RLIMIT_* name to its resource number, or -1.
int rlimit_resource(const std::string& name);
void apply_rlimits(const std::vector<spec::Rlimit>& rlimits);

}  // namespace ocirt::linux_
