// open(): the manager for the host's layout.
#include <fcntl.h>

#include "ocirt/linux/cgroups/impl.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {

Manager::~Manager() = default;

Fd open_cgroup_dir(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_errno("cgroup: open " + dir);
    return fd;
}

std::unique_ptr<Manager> open(const std::string& resolved_path, const Paths& paths,
                              std::vector<std::string> created, Driver driver,
                              std::map<std::string, std::string> annotations) {
    if (driver == Driver::systemd)
        return make_systemd(resolved_path, paths, std::move(created), std::move(annotations));
    // Only what resolve_path returns: absolute, clean, never the root.
    if (resolve_path(resolved_path, "", false) != resolved_path)
        throw Error("cgroup: path \"" + resolved_path + "\" is not absolute and clean");
    auto layout = discover(paths);
    if (layout.mode == Mode::v2)
        return make_v2(resolved_path, std::move(layout.hierarchies), std::move(created));
    return make_v1(layout.mode, resolved_path, std::move(layout.hierarchies), std::move(created));
}

}  // namespace ocirt::cgroups
