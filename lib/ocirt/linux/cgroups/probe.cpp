// discover/probe: which cgroup layout the host has, from mountinfo alone (a
// fake mountinfo is enough to test every layout).
#include <algorithm>
#include <optional>

#include "ocirt/linux/cgroups/discover_once.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/mountinfo.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

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

namespace {

Layout layout_of(const std::vector<CgroupMount>& mounts, const std::string& root, const Paths& paths);

// `list` opens one manager per container: the same mountinfo text gives the same layout, so the
// last one is kept instead of parsing the host's mountinfo again (two thirds of list's
// instructions per container before; bench/ANALYSIS.md, "Cost as the work grows").
struct LastLayout {
    std::string root, mountinfo, text;
    Layout layout;
};
std::optional<LastLayout> last;
int once_scopes = 0;  // DiscoverOnce objects alive

}  // namespace

DiscoverOnce::DiscoverOnce() { ++once_scopes; }
DiscoverOnce::~DiscoverOnce() { --once_scopes; }

Layout discover(const Paths& paths) {
    std::string root = paths.mount_root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (once_scopes > 0 && last && last->root == root && last->mountinfo == paths.mountinfo) return last->layout;
    std::string text = with_context("cgroup: discover hierarchies", [&] { return read_file(paths.mountinfo); });
    if (last && last->root == root && last->text == text) return last->layout;
    auto mounts = with_context("cgroup: discover hierarchies", [&] { return parse_cgroup_mounts(text, root); });
    Layout layout = layout_of(mounts, root, paths);
    last = LastLayout{root, paths.mountinfo, std::move(text), layout};
    return layout;
}

namespace {

Layout layout_of(const std::vector<CgroupMount>& mounts, const std::string& root, const Paths& paths) {
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

}  // namespace

Mode probe(const Paths& paths) { return discover(paths).mode; }

}  // namespace ocirt::cgroups
