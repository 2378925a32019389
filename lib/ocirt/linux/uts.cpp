#include "ocirt/linux/uts.hpp"

#include <unistd.h>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

void set_hostname(const std::string& hostname, const std::string& domainname) {
    if (!hostname.empty() && ::sethostname(hostname.data(), hostname.size()) != 0)
        throw_errno("hostname: sethostname \"" + hostname + "\"");
    if (!domainname.empty() && ::setdomainname(domainname.data(), domainname.size()) != 0)
        throw_errno("domainname: setdomainname \"" + domainname + "\"");
}

}  // namespace ocirt::linux_
