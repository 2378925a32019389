// discover/probe: which cgroup layout the host has, from mountinfo alone (a
// fake mountinfo is enough to test every layout).
#include <algorithm>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/mountinfo.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {

const char* to_string(Mode m) {
    switch (m) {
        case Mode::v1: return "v1";
        case Mode::hybrid: return "hybrid";
        case Mode::v2: return "v2";
    }
    return "?";
}

bool Hierarchy::has(const std::string& controller) const {
    return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

Layout discover(const Paths& paths) {
    std::string root = paths.mount_root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    auto mounts = with_context("cgroup: discover hierarchies",
                               [&] { return read_cgroup_mounts(paths.mountinfo, root); });

    Layout layout;
    for (const auto& m : mounts) {
        if (m.unified && m.mountpoint == root) {
            // Pure v2: one hierarchy, whatever else might be mounted below it.
            layout.mode = Mode::v2;
            layout.hierarchies = {Hierarchy{root, {}, true}};
            return layout;
        }
    }
    const CgroupMount* unified = nullptr;
    for (const auto& m : mounts) {
        if (m.unified) {
            if (!unified) unified = &m;
            continue;
        }
        if (m.controllers.empty()) continue;  // nothing we could use
        // Controllers co-mounted (cpu,cpuacct) are one hierarchy; the same
        // hierarchy mounted twice is used once.
        bool dup = std::any_of(layout.hierarchies.begin(), layout.hierarchies.end(),
                               [&](const Hierarchy& h) { return h.controllers == m.controllers; });
        if (!dup) layout.hierarchies.push_back(Hierarchy{m.mountpoint, m.controllers, false});
    }
    if (layout.hierarchies.empty())
        throw Error("cgroup: no cgroup v1 hierarchy and no cgroup2 mount at " + root + " in " +
                    paths.mountinfo);
    if (unified) {
        // As runc does on hybrid hosts, the container gets a dir there too.
        layout.mode = Mode::hybrid;
        layout.hierarchies.push_back(Hierarchy{unified->mountpoint, {}, true});
    }
    return layout;
}

Mode probe(const Paths& paths) { return discover(paths).mode; }

}  // namespace ocirt::cgroups
