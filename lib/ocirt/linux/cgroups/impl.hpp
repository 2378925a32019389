#pragma once
// The implementations behind open(); nothing else should need these.
#include <map>
#include <memory>

#include "ocirt/linux/cgroups/manager.hpp"

namespace ocirt::cgroups {

// v1 and hybrid: controllers are v1; on hybrid the cgroup2 hierarchy only
// holds the container's dir (and gives the clone3 fd).
std::unique_ptr<Manager> make_v1(Mode mode, std::string path, std::vector<Hierarchy> hierarchies,
                                 std::vector<std::string> created);
std::unique_ptr<Manager> make_v2(std::string path, std::vector<Hierarchy> hierarchies,
                                 std::vector<std::string> created);

// --systemd-cgroup: path is a unit's (systemd_path.hpp, unit_from_path);
// annotations give the org.systemd.property.* the unit starts with.
std::unique_ptr<Manager> make_systemd(const std::string& path, const Paths& paths, std::vector<std::string> created,
                                      std::map<std::string, std::string> annotations);
// No cgroup at all (rootless without a writable one, none.cpp); `why` says
// why in its errors.
std::unique_ptr<Manager> make_none(Mode mode, std::string path, std::string why);

// The O_PATH directory fd clone3(CLONE_INTO_CGROUP) takes; errors name dir.
Fd open_cgroup_dir(const std::string& dir);

}  // namespace ocirt::cgroups
