#include "ocirt/linux/cgroups/sub_cgroups.hpp"

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {

SubCgroups parse_sub_cgroups(const std::vector<std::string>& args) {
    SubCgroups out;
    for (const std::string& arg : args) {
        const auto colon = arg.find(':');
        if (colon == std::string::npos) {
            if (args.size() != 1)
                throw Error("invalid --cgroup argument: " + arg +
                            " (missing <controller>: prefix; a bare path is given once, alone)");
            out[""] = arg;
            continue;
        }
        const std::string path = arg.substr(colon + 1);
        const std::string controllers = arg.substr(0, colon);
        size_t start = 0;
        for (;;) {
            const auto comma = controllers.find(',', start);
            const std::string c = controllers.substr(start, comma == std::string::npos ? comma : comma - start);
            if (c.empty()) throw Error("invalid --cgroup argument: " + arg + " (empty <controller> prefix)");
            if (!out.emplace(c, path).second)
                throw Error("invalid --cgroup argument(s): controller " + c + " specified multiple times");
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

std::optional<std::string> sub_cgroup_dir(const std::string& base, const std::string& sub) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= sub.size()) {
        auto slash = sub.find('/', start);
        if (slash == std::string::npos) slash = sub.size();
        const std::string p = sub.substr(start, slash - start);
        start = slash + 1;
        if (p.empty() || p == ".") continue;
        if (p == "..") {
            if (parts.empty()) return std::nullopt;  // above the container's cgroup
            parts.pop_back();
            continue;
        }
        parts.push_back(p);
    }
    std::string dir = base;
    for (const auto& p : parts) dir += "/" + p;
    return dir;
}

}  // namespace ocirt::cgroups
