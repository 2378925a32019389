#include "ocirt/linux/cgroups/mountinfo.hpp"

#include <algorithm>
#include <sstream>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(s);
    while (std::getline(in, item, sep))
        if (!item.empty()) out.push_back(item);
    return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// Super options of a v1 mount minus the ones that are not controllers.
std::vector<std::string> controllers_of(const std::string& super_options) {
    std::vector<std::string> out;
    for (auto& opt : split(super_options, ',')) {
        if (opt == "rw" || opt == "ro" || opt == "none" || opt == "noprefix" ||
            opt == "clone_children" || opt == "xattr" || opt == "cpuset_v2_mode")
            continue;
        if (opt.find('=') != std::string::npos && opt.rfind("name=", 0) != 0)
            continue;  // release_agent=..., but name=systemd is a hierarchy name
        out.push_back(opt);
    }
    return out;
}

bool at_or_below(const std::string& path, const std::string& root) {
    if (root == "/") return true;
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            path[root.size()] == '/');
}

}  // namespace

std::vector<CgroupMount> parse_cgroup_mounts(const std::string& text, const std::string& mount_root) {
    struct Entry {
        std::string mountpoint, fstype, super_options;
    };
    std::vector<Entry> entries;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        // id parent maj:min root mountpoint options [optional...] - fstype source super
        auto f = split(line, ' ');
        auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 5 || dash == f.end() || f.end() - dash < 4) continue;
        entries.push_back({unescape(f[4]), *(dash + 1), *(dash + 3)});
    }
    std::vector<CgroupMount> out;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.fstype != "cgroup" && e.fstype != "cgroup2") continue;
        if (!at_or_below(e.mountpoint, mount_root)) continue;
        // A later mount on the same mountpoint or above it hides this one.
        bool hidden = std::any_of(entries.begin() + static_cast<long>(i) + 1, entries.end(),
                                  [&](const Entry& o) { return at_or_below(e.mountpoint, o.mountpoint); });
        if (hidden) continue;
        CgroupMount m{e.mountpoint, e.fstype == "cgroup2", {}};
        if (!m.unified) m.controllers = controllers_of(e.super_options);
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<CgroupMount> read_cgroup_mounts(const std::string& mountinfo_path,
                                            const std::string& mount_root) {
    return parse_cgroup_mounts(read_file(mountinfo_path), mount_root);
}

}  // namespace ocirt::cgroups
