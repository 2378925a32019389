#pragma once
// process.capabilities with libcap-ng. The bounding set is reduced while the
// init is still root; the other sets are applied after the user switch (the
// init keeps its permitted set across setuid with PR_SET_KEEPCAPS).
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

struct CapabilitySets {
    std::vector<unsigned> bounding, effective, inheritable, permitted, ambient;
};

// Names to numbers. Per the runtime-spec (v1.1+), a name that maps to no
// capability, or one this runtime cannot grant (not in its own bounding set),
// is a warning naming it, and the container still runs. Absent = no caps.
CapabilitySets resolve_capabilities(const std::optional<spec::Capabilities>& caps);

// The names resolve_capabilities recognizes ("CAP_CHOWN", ...), in number
// order: every capability up to the CAP_LAST_CAP ocirt was built with that
// libcap-ng names. For `ocirt features`.
std::vector<std::string> capability_names();

void apply_bounding_set(const CapabilitySets& sets);  // before the user switch
void apply_capability_sets(const CapabilitySets& sets);  // after it

}  // namespace ocirt::linux_
