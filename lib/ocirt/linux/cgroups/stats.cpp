// read_stats: the reader for the host's layout.
#include "ocirt/linux/cgroups/stats.hpp"

#include "ocirt/linux/cgroups/manager.hpp"

namespace ocirt::cgroups {

Stats read_stats(const Manager& m) {
    if (m.mode() == Mode::v2) {
        for (const auto& h : m.hierarchies())
            if (h.unified) return read_stats_v2(m.dir(h));
        return Stats{};
    }
    // v1 and hybrid: systemd's unified hierarchy on hybrid has none of our controllers.
    std::map<std::string, std::string> dirs;
    for (const auto& h : m.hierarchies())
        if (!h.unified)
            for (const auto& c : h.controllers) dirs[c] = m.dir(h);
    return read_stats_v1(dirs);
}

}  // namespace ocirt::cgroups
