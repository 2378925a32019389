#pragma once
// Which namespaces a container gets: new ones are created by the clone of
// the init (or unshared by it), joined ones are entered with setns. pid and
// time only apply to children, and a joined user namespace must own what is
// created after it, so those three are entered by an intermediate process
// before the init is cloned (see spawn.hpp).
#include <sched.h>

#include <cstdint>
#include <string>
#include <map>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

uint64_t clone_flag(spec::NamespaceType t);
// The name under /proc/PID/ns/ ("net" for network, "mnt" for mount).
const char* proc_ns_name(spec::NamespaceType t);

struct NamespacePlan {
    uint64_t clone_flags = 0;  // new namespaces created by clone3
    bool new_user = false;
    bool new_cgroup = false;   // unshared by the init once it is in its cgroup
    bool new_mount = false;
    bool new_uts = false;
    bool has(spec::NamespaceType t) const;
    std::vector<spec::Namespace> joins;  // by path
    // linux.timeOffsets: set in a time namespace that no process has entered
    // yet, so the intermediate unshares it, writes them, then clones the init.
    std::map<std::string, spec::TimeOffset> time_offsets;
    std::vector<spec::NamespaceType> all;

    // A join that must happen in an intermediate process (user, pid, time).
    bool needs_intermediate() const;
};

NamespacePlan plan_namespaces(const spec::Config& c);

// Enters the joined namespaces (user first): those that only apply to
// children (and the user namespace) when for_children_only, else the rest.
// Errors name the path.
void join_namespaces(const NamespacePlan& plan, bool for_children_only);

// In the intermediate: a new time namespace for the init, with the offsets.
void unshare_time_with_offsets(const NamespacePlan& plan);

}  // namespace ocirt::linux_
