#pragma once
// The config.json that `ocirt spec` writes: the same as `runc spec` (and
// `runc spec --rootless`), with ociVersion 1.3.0.
#include <nlohmann/json.hpp>

namespace ocirt::spec {

// rootless: no network namespace, a user namespace mapping root in the
// container to the caller's euid/egid, /sys bind-mounted from the host (a
// fresh sysfs needs a network namespace of one's own), no gid=5 on devpts and
// no cgroup device rules.
nlohmann::json default_spec(bool rootless);

}  // namespace ocirt::spec
