// resolve_path: linux.cgroupsPath -> the path of the container's cgroup
// relative to every hierarchy root.
#include <unistd.h>

#include <string_view>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/systemd_path.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

[[noreturn]] void bad(const std::string& value, const std::string& why) {
    std::string shown;  // a NUL would end the message early
    for (char c : value) shown += c == '\0' ? std::string("\\0") : std::string(1, c);
    throw Error("linux.cgroupsPath: \"" + shown + "\": " + why);
}

// Checks every component instead of cleaning the path lexically: a ".." that
// silently changed which cgroup we use (and later kill) is worse than an error.
std::string normalise(const std::string& value) {
    if (value.find('\0') != std::string::npos) bad(value, "contains a NUL byte");
    std::string_view rest(value);
    if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    if (rest.empty()) bad(value, "is the root cgroup");
    std::string out;
    while (true) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        if (part.empty()) bad(value, "empty path component");
        if (part == "." || part == "..") bad(value, "\"" + std::string(part) + "\" is not allowed");
        out += '/';
        out += part;
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return out;
}

}  // namespace

std::string resolve_path(const std::optional<std::string>& cgroups_path, const std::string& id,
                         bool systemd_cgroup) {
    if (systemd_cgroup) return systemd::parse_cgroups_path(cgroups_path, id, linux_::running_rootless()).path;
    if (!cgroups_path || cgroups_path->empty()) return normalise("/ocirt/" + id);
    return normalise(*cgroups_path);
}

}  // namespace ocirt::cgroups
