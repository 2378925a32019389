#include "ocirt/linux/rlimits.hpp"

#include <sys/resource.h>

#include <map>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {

int rlimit_resource(const std::string& name) {
    static const std::map<std::string, int> table = {
        {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
    };
    auto it = table.find(name);
    return it == table.end() ? -1 : it->second;
}

void apply_rlimits(const std::vector<spec::Rlimit>& rlimits) {
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const auto& r = rlimits[i];
        std::string where = "process.rlimits[" + std::to_string(i) + "] " + r.type;
        int res = rlimit_resource(r.type);
        if (res < 0) throw Error(where + ": unknown rlimit type");
        rlimit lim{r.soft, r.hard};
        if (::setrlimit(static_cast<__rlimit_resource>(res), &lim) != 0)
            throw_errno(where + ": setrlimit soft " + std::to_string(r.soft) + " hard " +
                        std::to_string(r.hard));
    }
}

}  // namespace ocirt::linux_
