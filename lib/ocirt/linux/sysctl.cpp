#include "ocirt/linux/sysctl.hpp"

#include <algorithm>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {

void apply_sysctl(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        if (key.find("..") != std::string::npos || key.find('/') == 0)
            throw Error("linux.sysctl." + key + ": invalid key");
        std::string path = key;
        std::replace(path.begin(), path.end(), '.', '/');
        with_context("linux.sysctl." + key, [&] { write_existing("/proc/sys/" + path, value); });
    }
}

}  // namespace ocirt::linux_
