#include "ocirt/features.hpp"

#include <string>

#include "ocirt/checkpoint.hpp"
#include "ocirt/commit.hpp"
#include "ocirt/linux/capabilities.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/seccomp.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/version.hpp"

namespace ocirt {
namespace {

using json = nlohmann::ordered_json;

// Whether check_supported lets a config with `set` applied through: the one
// table of fields ocirt does not apply yet decides.
template <typename F>
bool config_supported(F set) {
    spec::Config c;
    c.linux.emplace();
    set(*c.linux);
    try {
        spec::check_supported(c);
        return true;
    } catch (const Error&) {
        return false;
    }
}

bool systemd_cgroup_supported() {
    try {
        cgroups::resolve_path(std::nullopt, "features", true);
        return true;
    } catch (const Error&) {
        return false;
    }
}

json seccomp_section() {
    linux_::SeccompFeatures s = linux_::seccomp_features();
    return {
        {"enabled", true},          {"actions", s.actions},
        {"operators", s.operators}, {"archs", s.archs},
        {"knownFlags", s.known_flags}, {"supportedFlags", s.supported_flags},
    };
}

}  // namespace

json features() {
    json hooks = json::array();
    for (const spec::HookKind& k : spec::kHookKinds) hooks.push_back(k.name);
    json namespaces = json::array();
    for (spec::NamespaceType t : spec::kNamespaceTypes) namespaces.push_back(spec::to_string(t));

    const bool systemd = systemd_cgroup_supported();
    json linux = {
        {"namespaces", namespaces},
        {"capabilities", linux_::capability_names()},
        {"cgroup",
         {
             {"v1", true},
             {"v2", true},
             {"systemd", systemd},
             // Rootless: the user's own instance over its bus, the scope below
             // its delegated cgroup (cgroups/systemd.cpp, make_systemd).
             {"systemdUser", systemd},
             {"rdma", config_supported([](spec::Linux& l) {
                  l.resources.emplace().rdma["features"] = {};
              })},
         }},
        {"seccomp", seccomp_section()},
        // Applied when the host has the LSM, ignored (debug) when it has not (linux/lsm.hpp).
        {"apparmor", {{"enabled", true}}},
        {"selinux", {{"enabled", true}}},
        // Whether ocirt applies them, whatever the host has (resctrl, an interface).
        {"intelRdt",
         {
             {"enabled", config_supported([](spec::Linux& l) { l.intel_rdt.emplace(); })},
             {"schemata", config_supported([](spec::Linux& l) { l.intel_rdt.emplace().schemata = {"L3:0=f"}; })},
             {"monitoring", config_supported([](spec::Linux& l) { l.intel_rdt.emplace().enable_monitoring = true; })},
         }},
        {"mountExtensions", {{"idmap", {{"enabled", true}}}}},
        // runtime-spec 1.3: the names linux.memoryPolicy accepts (linux/process_attrs).
        {"memoryPolicy",
         {{"modes", linux_::memory_policy_modes()}, {"flags", linux_::memory_policy_flags()}}},
        {"netDevices", {{"enabled", config_supported([](spec::Linux& l) { l.net_devices["eth0"] = {}; })}}},
    };

    json annotations = json::object();
    // From a `criu check` now: CRIU installed and able to work on this kernel.
    std::string no_checkpoint;
    const bool checkpoint = checkpoint_usable(&no_checkpoint);
    annotations["io.github.ocirt.checkpoint.enabled"] = checkpoint ? "true" : "false";
    if (!checkpoint) annotations["io.github.ocirt.checkpoint.reason"] = no_checkpoint;
    if (*kCommit) annotations["io.github.ocirt.commit"] = kCommit;
    annotations["io.github.ocirt.version"] = kVersion;
    annotations["io.github.seccomp.libseccomp.version"] = linux_::libseccomp_version();

    return {
        {"ociVersionMin", "1.0.0"},
        {"ociVersionMax", kSpecVersion},
        {"hooks", hooks},
        {"mountOptions", linux_::mount_option_names()},
        {"linux", linux},
        {"annotations", annotations},
        // ocirt reads no annotation of config.json: none can change what it does.
        {"potentiallyUnsafeConfigAnnotations", json::array()},
    };
}

}  // namespace ocirt
