#pragma once
// exec --cgroup (runc 1.2+): run the exec'd process in a sub-cgroup of the container's.
//   --cgroup PATH                  PATH in every hierarchy (the cgroup v2 form); once only
//   --cgroup CTRL[,CTRL...]:PATH   v1: PATH in the hierarchy of each controller named, the
//                                  container's own cgroup in the others; may repeat
// PATH is relative to the container's cgroup ("/" or "" is the container's cgroup itself)
// and may not leave it. The sub-cgroup must exist: exec makes none.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocirt::cgroups {

// Controller -> path; the key "" stands for every hierarchy.
using SubCgroups = std::map<std::string, std::string>;

// The --cgroup arguments, checked as runc does; errors name the argument.
SubCgroups parse_sub_cgroups(const std::vector<std::string>& args);

// `base` (the container's dir in one hierarchy) joined with `sub`, normalized; nullopt
// when the result is not `base` or below it ("..", "a/../../b").
std::optional<std::string> sub_cgroup_dir(const std::string& base, const std::string& sub);

}  // namespace ocirt::cgroups
