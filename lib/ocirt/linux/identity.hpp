#pragma once
// process.user: supplementary groups, gid, uid (keeping capabilities across
// the switch), umask; and the HOME a process gets when its env has none.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

void switch_user(const spec::User& user);
// HOME from the container's /etc/passwd for `uid`, or "/" (as runc does).
std::string home_for(uint32_t uid);

}  // namespace ocirt::linux_
