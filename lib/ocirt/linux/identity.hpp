#pragma once
// process.user: supplementary groups, gid, uid (keeping capabilities across
// the switch), umask; and the HOME a process gets when its env has none.
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

void switch_user(const spec::User& user);
// In a user namespace just made or joined: become its root to set up the
// rest. A namespace that maps no uid or gid 0 (EINVAL) leaves us as we are.
void become_userns_root();
// HOME from the container's /etc/passwd for `uid`, or "/" (as runc does).
std::string home_for(uint32_t uid);

}  // namespace ocirt::linux_
