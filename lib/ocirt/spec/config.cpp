#include "ocirt/spec/config.hpp"

namespace ocirt::spec {

// The name config.json uses for the type ("network", not "net").
const char* to_string(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return "pid";
        case NamespaceType::network: return "network";
        case NamespaceType::mount: return "mount";
        case NamespaceType::ipc: return "ipc";
        case NamespaceType::uts: return "uts";
        case NamespaceType::user: return "user";
        case NamespaceType::cgroup: return "cgroup";
        case NamespaceType::time: return "time";
    }
    return "unknown";
}

}  // namespace ocirt::spec
