// cgroup v2: a controller's files exist in a cgroup only when every ancestor
// enabled it in cgroup.subtree_control. ocirt enables it in the dirs it
// created and never touches a dir it did not (another manager's, or the root).
#include <algorithm>
#include <sstream>

#include "ocirt/linux/cgroups/field_write.hpp"
#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

// "cpu memory pids"; a leading '+' is dropped (a fake tree in tests keeps
// the "+memory" written to it).
std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w[0] == '+' ? w.substr(1) : w);
    return out;
}

bool has(const std::vector<std::string>& list, const std::string& w) {
    return std::find(list.begin(), list.end(), w) != list.end();
}

}  // namespace

void enable_controllers(const V2Target& t, const std::vector<Need>& needs) {
    if (needs.empty()) return;
    // The mountpoint and each dir below it down to the leaf's parent.
    std::vector<std::string> dirs{t.mountpoint};
    for (size_t pos = t.mountpoint.size() + 1; (pos = t.leaf.find('/', pos)) != std::string::npos; ++pos)
        dirs.push_back(t.leaf.substr(0, pos));

    for (const auto& d : dirs) {
        const std::string control = join(d, "cgroup.subtree_control");
        const auto enabled = words(read_file(control));
        std::vector<std::string> available;
        for (const auto& n : needs) {
            if (has(enabled, n.controller)) continue;
            if (!t.made(d))
                throw Error(n.field + ": the " + n.controller + " controller is not enabled in " + control +
                            " (ocirt only enables controllers in cgroups it created)");
            if (available.empty()) available = words(read_file(join(d, "cgroup.controllers")));
            if (!has(available, n.controller))
                throw Error(n.field + ": the " + n.controller + " controller is not available in " + d);
            write_field(n.field, control, "+" + n.controller);
        }
    }
}

}  // namespace ocirt::cgroups
