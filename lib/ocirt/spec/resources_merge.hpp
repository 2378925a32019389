#pragma once
// `ocirt update`: the container's stored linux.resources with an update's
// values merged in. What the update gives replaces what was stored; what it
// leaves out stays:
//   - each scalar given replaces; cpu.cpus/mems when not empty;
//   - blockIO weightDevice and throttle lists: per device (major:minor), as
//     runc's update; hugepageLimits per pageSize; network.priorities per
//     name; rdma per device; unified per key;
//   - devices are never changed by an update (runc: SkipDevices).
// runc's two fix-ups: memory.limit -1 without a swap value drops the stored
// swap (unlimited memory means unlimited memory+swap), and cpu.idle without
// shares drops the stored shares (v2 refuses a weight on an idle cgroup).
#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

Resources merge_resources(Resources stored, const Resources& update);

}  // namespace ocirt::spec
