#pragma once
// The parent's half of `create` (the init's half is linux/init.cpp): read
// and check the bundle, take the state dir, make the cgroup, clone the init,
// map its ids, put it in its cgroup, wait for it to be ready, persist state.
#include <string>

#include "ocirt/container.hpp"

namespace ocirt {

struct CreateOptions;
Container create_container(const std::string& root, const std::string& id, const CreateOptions& opts);

}  // namespace ocirt
