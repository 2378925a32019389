#include "ocirt/linux/capabilities.hpp"

#include <cap-ng.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sys/prctl.h>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

int cap_number(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n.rfind("cap_", 0) != 0) return -1;  // the spec's names all start with CAP_
    return capng_name_to_capability(n.c_str() + 4);
}

std::vector<unsigned> resolve_set(const std::optional<std::vector<std::string>>& names,
                                  const char* set, const std::vector<bool>& grantable) {
    std::vector<unsigned> out;
    if (!names) return out;
    for (size_t i = 0; i < names->size(); ++i) {
        const std::string& name = (*names)[i];
        int cap = cap_number(name);
        std::string field = std::string("process.capabilities.") + set + "[" + std::to_string(i) + "]";
        if (cap < 0) {
            spdlog::warn("{}: unknown capability \"{}\", ignored", field, name);
            continue;
        }
        if (static_cast<size_t>(cap) >= grantable.size() || !grantable[cap]) {
            spdlog::warn("{}: {} is not in the runtime's bounding set, ignored", field, name);
            continue;
        }
        out.push_back(static_cast<unsigned>(cap));
    }
    return out;
}

}  // namespace

std::vector<std::string> capability_names() {
    std::vector<std::string> names;
    for (unsigned c = 0; c <= CAP_LAST_CAP; ++c) {
        const char* n = capng_capability_to_name(c);
        if (!n) continue;
        std::string name = std::string("CAP_") + n;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::toupper(ch); });
        if (cap_number(name) == static_cast<int>(c)) names.push_back(std::move(name));
    }
    return names;
}

CapabilitySets resolve_capabilities(const std::optional<spec::Capabilities>& caps) {
    CapabilitySets s;
    if (!caps) return s;
    capng_get_caps_process();
    std::vector<bool> grantable(CAP_LAST_CAP + 1);
    for (unsigned c = 0; c <= CAP_LAST_CAP; ++c)
        grantable[c] = capng_have_capability(CAPNG_BOUNDING_SET, c) == 1;
    s.bounding = resolve_set(caps->bounding, "bounding", grantable);
    s.effective = resolve_set(caps->effective, "effective", grantable);
    s.inheritable = resolve_set(caps->inheritable, "inheritable", grantable);
    s.permitted = resolve_set(caps->permitted, "permitted", grantable);
    s.ambient = resolve_set(caps->ambient, "ambient", grantable);
    return s;
}

void apply_bounding_set(const CapabilitySets& sets) {
    capng_get_caps_process();
    capng_clear(CAPNG_SELECT_BOUNDS);
    for (unsigned c : sets.bounding) capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, c);
    if (capng_apply(CAPNG_SELECT_BOUNDS) != 0)
        throw Error(errno, "process.capabilities.bounding: apply the bounding set");
}

void apply_capability_sets(const CapabilitySets& sets) {
    capng_clear(CAPNG_SELECT_CAPS);
    for (unsigned c : sets.effective) capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, c);
    for (unsigned c : sets.permitted) capng_update(CAPNG_ADD, CAPNG_PERMITTED, c);
    for (unsigned c : sets.inheritable) capng_update(CAPNG_ADD, CAPNG_INHERITABLE, c);
    if (capng_apply(CAPNG_SELECT_CAPS) != 0)
        throw Error(errno, "process.capabilities: apply effective, permitted and inheritable sets");
    // The kernel takes an ambient capability only if it is also permitted and
    // inheritable; runc's default config lists ambient ones without
    // inheritable, so, like runc, a refused one is logged and skipped.
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        throw Error(errno, "process.capabilities.ambient: clear the ambient set");
    for (unsigned c : sets.ambient) {
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) {
            const char* name = capng_capability_to_name(c);
            spdlog::debug("process.capabilities.ambient: cannot raise cap_{} (it must also be "
                          "permitted and inheritable): {}", name ? name : "?", std::strerror(errno));
        }
    }
}

}  // namespace ocirt::linux_
