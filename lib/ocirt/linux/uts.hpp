#pragma once
// hostname and domainname, set in the container's uts namespace.
#include <string>

namespace ocirt::linux_ {
void set_hostname(const std::string& hostname, const std::string& domainname);
}
