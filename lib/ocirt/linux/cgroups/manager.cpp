// open(): the manager for the host's layout.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool delegated_to(const std::string& dir, uid_t euid) {
    struct stat d, procs;
    const std::string p = dir + "/cgroup.procs";
    return ::stat(dir.c_str(), &d) == 0 && ::stat(p.c_str(), &procs) == 0 && d.st_uid == euid &&
           procs.st_uid == euid && ::faccessat(AT_FDCWD, dir.c_str(), W_OK, AT_EACCESS) == 0 &&
           ::faccessat(AT_FDCWD, p.c_str(), W_OK, AT_EACCESS) == 0;
}

std::unique_ptr<Manager> open_rootless(const std::string& resolved_path, const Paths& paths, uid_t euid) {
    if (resolve_path(resolved_path, "", false) != resolved_path)
        throw Error("cgroup: path \"" + resolved_path + "\" is not absolute and clean");
    auto layout = discover(paths);
    if (layout.mode != Mode::v2)
        return make_none(layout.mode, resolved_path,
                         std::string("rootless on cgroup ") + (layout.mode == Mode::v1 ? "v1" : "v1 (hybrid)") +
                             ": no cgroup is delegated to the user");
    const std::string mount = layout.hierarchies.front().mountpoint;
    // The nearest dir that exists: the container's own (a later create into
    // an existing one), else the ancestor its dirs would be made in.
    std::string dir = mount + resolved_path;
    struct stat st;
    while (dir.size() > mount.size() && ::stat(dir.c_str(), &st) != 0) dir.erase(dir.rfind('/'));
    if (!delegated_to(dir, euid))
        return make_none(layout.mode, resolved_path,
                         "rootless on cgroup v2: " + dir + " is not delegated to uid " + std::to_string(euid) +
                             " (not owned by it, or not writable)");
    return make_v2(resolved_path, std::move(layout.hierarchies), {});
}

}  // namespace ocirt::cgroups
