#include "ocirt/linux/identity.hpp"

#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "ocirt/linux/idmap.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

void switch_user(const spec::User& user) {
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    if (::setgroups(groups.size(), groups.data()) != 0) {
        // EPERM: a user namespace with setgroups denied and nothing asked for.
        if (errno == EPERM && !groups.empty() && !setgroups_allowed())
            throw Error("process.user.additionalGids: setgroups is denied in this user namespace (a rootless "
                        "gid map of the caller's own gid only; map ranges from /etc/subgid, written by newgidmap)");
        if (!(errno == EPERM && groups.empty())) throw_errno("process.user.additionalGids: setgroups");
    }
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS)");
    if (::setresgid(user.gid, user.gid, user.gid) != 0)
        throw_errno("process.user.gid: setgid " + std::to_string(user.gid));
    if (::setresuid(user.uid, user.uid, user.uid) != 0)
        throw_errno("process.user.uid: setuid " + std::to_string(user.uid));
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_KEEPCAPS)");
    ::umask(user.umask.value_or(022));  // cannot fail
}

void become_userns_root() {
    if (::setresgid(0, 0, 0) != 0 && errno != EINVAL) throw_errno("become root of the user namespace: setresgid");
    if (::setresuid(0, 0, 0) != 0 && errno != EINVAL) throw_errno("become root of the user namespace: setresuid");
}

std::string home_for(uint32_t uid) {
    std::ifstream in("/etc/passwd");
    std::string line;
    while (std::getline(in, line)) {
        // name:password:uid:gid:gecos:home:shell
        std::vector<std::string> f;
        size_t i = 0;
        for (;;) {
            size_t j = line.find(':', i);
            f.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
            if (j == std::string::npos) break;
            i = j + 1;
        }
        if (f.size() >= 6 && f[2] == std::to_string(uid) && !f[5].empty()) return f[5];
    }
    return "/";
}

}  // namespace ocirt::linux_
