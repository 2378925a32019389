#pragma once
// linux.sysctl, written under /proc/sys in the container's namespaces.
#include <map>
#include <string>

namespace ocirt::linux_ {
void apply_sysctl(const std::map<std::string, std::string>& sysctl);
}
