#include "ocirt/spec/validate.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ocirt/linux/rlimits.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::spec {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
    throw Error(path + ": " + msg);
}

// A string as a JSON literal, for messages; never throws on bad UTF-8.
std::string quote(const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string at(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

void require_absolute(const std::string& value, const std::string& path) {
    if (value.empty() || value[0] != '/') {
        fail(path, "must be an absolute path, got " + quote(value));
    }
}

template <typename T, size_t N>
bool one_of(const T& value, const T (&allowed)[N]) {
    return std::find(std::begin(allowed), std::end(allowed), value) != std::end(allowed);
}

// The schema lists the first four; the r* forms are accepted as runc does.
const std::string_view kPropagations[] = {
    "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
};

void check_rlimits(const std::vector<Rlimit>& rlimits, const std::string& path) {
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const Rlimit& r = rlimits[i];
        std::string p = at(path, i);
        if (linux_::rlimit_resource(r.type) < 0) {  // the one name table
            fail(p + ".type", "unknown resource limit " + quote(r.type));
        }
        for (size_t k = 0; k < i; ++k) {
            if (rlimits[k].type == r.type) {
                fail(p + ".type", "duplicate " + quote(r.type) + " (also " + at(path, k) + ")");
            }
        }
        if (r.soft > r.hard) {
            fail(p + ".soft", "must not exceed hard (" + std::to_string(r.soft) + " > " +
                                  std::to_string(r.hard) + ")");
        }
    }
}

// Each id mapping: size > 0, no wrap past 2^32-1 (the kernel refuses it),
// and no two entries overlapping on either side.
void check_mappings(const std::vector<IdMapping>& maps, const std::string& path) {
    auto overlap = [](uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
        return a < b + b_size && b < a + a_size;
    };
    for (size_t i = 0; i < maps.size(); ++i) {
        const IdMapping& m = maps[i];
        if (m.size == 0) fail(at(path, i) + ".size", "must be greater than 0");
        if (uint64_t{m.container_id} + m.size > UINT32_MAX) {
            fail(at(path, i), "containerID + size exceeds the 32-bit id range");
        }
        if (uint64_t{m.host_id} + m.size > UINT32_MAX) {
            fail(at(path, i), "hostID + size exceeds the 32-bit id range");
        }
        for (size_t k = 0; k < i; ++k) {
            if (overlap(m.container_id, m.size, maps[k].container_id, maps[k].size)) {
                fail(at(path, i), "container ids overlap " + at(path, k));
            }
            if (overlap(m.host_id, m.size, maps[k].host_id, maps[k].size)) {
                fail(at(path, i), "host ids overlap " + at(path, k));
            }
        }
    }
}

bool has_option(const Mount& m, std::string_view opt) {
    return std::find(m.options.begin(), m.options.end(), opt) != m.options.end();
}

const Namespace* find_ns(const Config& c, NamespaceType t) {
    if (!c.linux) return nullptr;
    for (const Namespace& ns : c.linux->namespaces) {
        if (ns.type == t) return &ns;
    }
    return nullptr;
}

void check_mounts(const Config& c) {
    bool userns = find_ns(c, NamespaceType::user) != nullptr;
    for (size_t i = 0; i < c.mounts.size(); ++i) {
        const Mount& m = c.mounts[i];
        std::string p = at("mounts", i);
        // v1.2 still allows a relative destination on Linux, deprecated; ocirt
        // refuses it, as v1.1 did (docs/conformance.md): a relative path in a
        // config is almost always a mistake, and runc resolves it differently.
        if (m.destination.empty()) fail(p + ".destination", "must not be empty");
        if (m.destination[0] != '/')
            fail(p + ".destination", "must be an absolute path, got \"" + m.destination + "\"");
        // config.md: each of uidMappings and gidMappings needs the other.
        if (!m.uid_mappings.empty() && m.gid_mappings.empty()) {
            fail(p + ".gidMappings", "required with uidMappings");
        }
        if (!m.gid_mappings.empty() && m.uid_mappings.empty()) {
            fail(p + ".uidMappings", "required with gidMappings");
        }
        check_mappings(m.uid_mappings, p + ".uidMappings");
        check_mappings(m.gid_mappings, p + ".gidMappings");
        // config.md, idmap/ridmap: no mappings and no user namespace is an error.
        if ((has_option(m, "idmap") || has_option(m, "ridmap")) && m.uid_mappings.empty() &&
            !userns) {
            fail(p + ".options", "idmap needs uidMappings and gidMappings or a user namespace");
        }
    }
}

void check_hooks(const Hooks& hooks) {
    const std::pair<const std::vector<Hook>*, const char*> lists[] = {
        {&hooks.prestart, "hooks.prestart"},
        {&hooks.create_runtime, "hooks.createRuntime"},
        {&hooks.create_container, "hooks.createContainer"},
        {&hooks.start_container, "hooks.startContainer"},
        {&hooks.poststart, "hooks.poststart"},
        {&hooks.poststop, "hooks.poststop"},
    };
    for (const auto& [list, name] : lists) {
        for (size_t i = 0; i < list->size(); ++i) {
            const Hook& h = (*list)[i];
            require_absolute(h.path, at(name, i) + ".path");
            if (h.timeout && *h.timeout <= 0) {
                fail(at(name, i) + ".timeout", "must be greater than 0");
            }
        }
    }
}

void check_namespaces(const Config& c) {
    const Linux& l = *c.linux;
    std::set<NamespaceType> seen;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        const Namespace& ns = l.namespaces[i];
        std::string p = at("linux.namespaces", i);
        if (!seen.insert(ns.type).second) {
            fail(p + ".type", std::string("duplicate namespace type \"") + to_string(ns.type) + "\"");
        }
        if (!ns.path.empty()) require_absolute(ns.path, p + ".path");
    }

    // A new user namespace needs both maps; mappings need a user namespace.
    // Joining one with a path takes its maps: extra mappings are not refused.
    const Namespace* user = find_ns(c, NamespaceType::user);
    for (const auto& [maps, name] : {std::pair{&l.uid_mappings, "linux.uidMappings"},
                                     std::pair{&l.gid_mappings, "linux.gidMappings"}}) {
        if (!user && !maps->empty()) fail(name, "requires a user namespace");
        if (user && user->path.empty() && maps->empty()) {
            fail(name, "must not be empty with a new user namespace");
        }
        check_mappings(*maps, name);
    }

    // Clock offsets can only be written into a time namespace nobody has
    // entered yet, so they need a new one.
    if (!l.time_offsets.empty()) {
        const Namespace* time = find_ns(c, NamespaceType::time);
        if (!time) fail("linux.timeOffsets", "requires a time namespace");
        if (!time->path.empty()) {
            fail("linux.timeOffsets", "cannot be set when joining an existing time namespace");
        }
    }
    for (const auto& [clock, offset] : l.time_offsets) {
        std::string p = "linux.timeOffsets[" + quote(clock) + "]";
        if (clock != "monotonic" && clock != "boottime") {
            fail(p, "unknown clock (want \"monotonic\" or \"boottime\")");
        }
        if (offset.nanosecs >= 1000000000) fail(p + ".nanosecs", "must be less than 1000000000");
    }
}


// A sysctl is only the container's own if it belongs to a namespace the
// container has: writing any other would change the host (as runc decides).
void check_sysctl(const Config& c) {
    static const char* ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                     "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                     "kernel.shm_rmid_forced"};
    for (const auto& [key, value] : c.linux->sysctl) {
        std::string p = "linux.sysctl[" + quote(key) + "]";
        bool ipc = key.rfind("fs.mqueue.", 0) == 0;
        for (const char* k : ipc_keys) ipc |= key == k;
        if (ipc) {
            if (!find_ns(c, NamespaceType::ipc)) fail(p, "requires an ipc namespace in linux.namespaces");
        } else if (key.rfind("net.", 0) == 0) {
            if (!find_ns(c, NamespaceType::network))
                fail(p, "requires a network namespace in linux.namespaces");
        } else if (key == "kernel.domainname") {
            if (!find_ns(c, NamespaceType::uts)) fail(p, "requires a uts namespace in linux.namespaces");
        } else if (key == "kernel.hostname") {
            fail(p, "use the hostname field instead");
        } else {
            fail(p, "is not namespaced: setting it would change the host");
        }
    }
}

// linux.netDevices: names the kernel takes (dev_valid_name: at most 15
// bytes, no '/', ':' or blank, not "." or ".."); a network namespace of the
// container's own to move them into (ocirt checks at create that a joined one
// is not the runtime's).
bool valid_interface_name(const std::string& n) {
    if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
    return std::none_of(n.begin(), n.end(), [](char ch) {
        return ch == '/' || ch == ':' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
               ch == '\v' || ch == '\f';
    });
}

void check_net_devices(const Config& c) {
    const Linux& l = *c.linux;
    for (const auto& [host, dev] : l.net_devices) {
        std::string p = "linux.netDevices[" + quote(host) + "]";
        if (!valid_interface_name(host)) fail(p, "not a network interface name");
        if (!dev.name.empty() && !valid_interface_name(dev.name))
            fail(p + ".name", "not a network interface name: " + quote(dev.name));
    }
    if (!l.net_devices.empty() && !find_ns(c, NamespaceType::network))
        fail("linux.netDevices", "needs a network namespace of the container's own (linux.namespaces has no \"network\" entry)");
}

// linux.intelRdt: closID names a directory of the resctrl root ("/" is the
// root, the default CLOS); a schemata line is one line.
void check_intel_rdt(const IntelRdt& r) {
    const std::string p = "linux.intelRdt";
    if (!r.clos_id.empty() && r.clos_id != "/" &&
        (r.clos_id == "." || r.clos_id == ".." || r.clos_id.find('/') != std::string::npos ||
         r.clos_id.find('\n') != std::string::npos))
        fail(p + ".closID", "must be \"/\" or the name of a directory of the resctrl root, got " + quote(r.clos_id));
    if (!r.l3_cache_schema.empty() && r.l3_cache_schema.find('\n') != std::string::npos)
        fail(p + ".l3CacheSchema", "must not contain a newline");
    if (!r.mem_bw_schema.empty()) {
        if (r.mem_bw_schema.find('\n') != std::string::npos) fail(p + ".memBwSchema", "must not contain a newline");
        if (!r.mem_bw_schema.starts_with("MB:")) fail(p + ".memBwSchema", "must start with \"MB:\", got " + quote(r.mem_bw_schema));
    }
    for (size_t i = 0; i < r.schemata.size(); ++i) {
        if (r.schemata[i].find('\n') != std::string::npos) fail(at(p + ".schemata", i), "must not contain a newline");
        if (r.schemata[i].empty()) fail(at(p + ".schemata", i), "must not be empty");
    }
}

void check_linux(const Config& c) {
    const Linux& l = *c.linux;
    check_namespaces(c);
    check_net_devices(c);
    if (l.intel_rdt) check_intel_rdt(*l.intel_rdt);

    for (size_t i = 0; i < l.devices.size(); ++i) {
        const Device& d = l.devices[i];
        std::string p = at("linux.devices", i);
        if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p") {
            fail(p + ".type", "unknown device type " + quote(d.type) + " (want c, b, u or p)");
        }
        require_absolute(d.path, p + ".path");
    }

    if (l.resources) validate_resources(*l.resources, "linux.resources");

    if (!l.rootfs_propagation.empty() &&
        !one_of(std::string_view(l.rootfs_propagation), kPropagations)) {
        fail("linux.rootfsPropagation", "unknown propagation " + quote(l.rootfs_propagation));
    }
    if (l.sysctl.count("")) fail("linux.sysctl", "keys must not be empty");
    check_sysctl(c);
    for (size_t i = 0; i < l.masked_paths.size(); ++i) {
        require_absolute(l.masked_paths[i], at("linux.maskedPaths", i));
    }
    for (size_t i = 0; i < l.readonly_paths.size(); ++i) {
        require_absolute(l.readonly_paths[i], at("linux.readonlyPaths", i));
    }

    if (l.seccomp) {
        const Seccomp& s = *l.seccomp;
        if (!s.listener_metadata.empty() && s.listener_path.empty()) {
            fail("linux.seccomp.listenerMetadata", "requires listenerPath");
        }
        for (size_t i = 0; i < s.syscalls.size(); ++i) {
            if (s.syscalls[i].names.empty()) {
                fail(at("linux.seccomp.syscalls", i) + ".names", "must have at least one element");
            }
        }
    }
}

}  // namespace

void validate_process(const Process& p, const std::string& path) {
    if (p.args.empty()) fail(path + ".args", "must have at least one element");
    require_absolute(p.cwd, path + ".cwd");
    check_rlimits(p.rlimits, path + ".rlimits");
    for (size_t i = 0; i < p.env.size(); ++i) {
        // KEY=VALUE with a non-empty key; execve would pass anything else on
        // to a program that cannot make sense of it.
        if (p.env[i].find('=') == std::string::npos || p.env[i][0] == '=')
            fail(at(path + ".env", i), "must be KEY=VALUE, got " + quote(p.env[i]));
    }
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000)) {
        fail(path + ".oomScoreAdj", "must be between -1000 and 1000, got " +
                                        std::to_string(*p.oom_score_adj));
    }
}

namespace {

// A name that becomes part of a control file's name or of one line written to
// one: no path separator, no blanks (the kernel splits lines on them).
bool plain_name(const std::string& s) {
    return !s.empty() && s.find_first_of("/ \t\n") == std::string::npos;
}

// "2MB", "64KB", "1GB": the <hugepagesize> of hugetlb.<hugepagesize>.* files.
bool page_size(const std::string& s) {
    size_t digits = s.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string::npos) return false;
    std::string unit = s.substr(digits);
    if (unit == "B") return true;
    return unit.size() == 2 && unit[1] == 'B' && std::string_view("KMGTPE").find(unit[0]) != std::string_view::npos;
}

void check_memory(const MemoryResources& m, const std::string& path) {
    for (auto [name, value] : {std::pair{"limit", m.limit}, std::pair{"reservation", m.reservation},
                               std::pair{"swap", m.swap}, std::pair{"kernel", m.kernel},
                               std::pair{"kernelTCP", m.kernel_tcp}}) {
        if (value && *value < -1)
            fail(path + "." + name, "must be -1 (unlimited) or a number of bytes, got " + std::to_string(*value));
    }
    if (m.swappiness && *m.swappiness > 100)
        fail(path + ".swappiness", "must be between 0 and 100, got " + std::to_string(*m.swappiness));
    if (m.limit && m.swap && *m.limit > 0 && *m.swap > 0 && *m.swap < *m.limit)
        fail(path + ".swap", "memory+swap " + std::to_string(*m.swap) + " is below limit " + std::to_string(*m.limit));
}

void check_cgroup_names(const Resources& r, const std::string& path) {
    if (r.block_io) {
        const auto& wd = r.block_io->weight_device;
        for (size_t i = 0; i < wd.size(); ++i)
            if (!wd[i].weight && !wd[i].leaf_weight)
                fail(at(path + ".blockIO.weightDevice", i), "needs weight or leafWeight");
    }
    for (size_t i = 0; i < r.hugepage_limits.size(); ++i) {
        const std::string& size = r.hugepage_limits[i].page_size;
        if (!page_size(size))
            fail(at(path + ".hugepageLimits", i) + ".pageSize", "must be like \"2MB\" or \"64KB\", got " + quote(size));
    }
    if (r.network) {
        const auto& prios = r.network->priorities;
        for (size_t i = 0; i < prios.size(); ++i)
            if (!plain_name(prios[i].name))
                fail(at(path + ".network.priorities", i) + ".name", "not an interface name: " + quote(prios[i].name));
    }
    for (const auto& [device, limit] : r.rdma) {
        std::string p = path + ".rdma[" + quote(device) + "]";
        if (!plain_name(device)) fail(p, "not a device name");
        if (!limit.hca_handles && !limit.hca_objects) fail(p, "needs hcaHandles or hcaObjects");
    }
    for (const auto& [key, value] : r.unified) {
        if (!plain_name(key) || key == "." || key == "..")
            fail(path + ".unified[" + quote(key) + "]", "must be the name of a file in the container's cgroup");
    }
}

void check_resources(const Resources& r, const std::string& path) {
    if (r.memory) check_memory(*r.memory, path + ".memory");
    check_cgroup_names(r, path);
}

// runc drops what is not r, w or m without a word; a typo ("rwn") should be seen.
// Only at create: update re-checks the stored rules every time.
void warn_ignored_access(const std::vector<DeviceRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
        const std::string& a = rules[i].access;
        if (a.find_first_not_of("rwm") != std::string::npos)
            spdlog::warn("linux.resources.devices[{}].access: {} read as {} (only r, w and m mean something)",
                         i, quote(a), quote(device_access_letters(a)));
    }
}

}  // namespace

std::string device_access_letters(const std::string& access) {
    std::string out;
    for (char letter : {'r', 'w', 'm'})
        if (access.find(letter) != std::string::npos) out += letter;
    return out;
}

void validate_resources(const Resources& r, const std::string& path) {
    check_resources(r, path);
    for (size_t i = 0; i < r.devices.size(); ++i) {
        const DeviceRule& d = r.devices[i];
        std::string p = at(path + ".devices", i);
        if (!d.type.empty() && d.type != "a" && d.type != "c" && d.type != "b") {
            fail(p + ".type", "unknown device type " + quote(d.type) + " (want a, c or b)");
        }
        if (!d.access.empty() && device_access_letters(d.access).empty()) {
            fail(p + ".access", "no access in " + quote(d.access) + " (want letters of \"rwm\")");
        }
    }
}

void validate(const Config& c) {
    // A config written for another platform fails here, with its name,
    // rather than on whatever Linux field it lacks.
    if (!c.other_platforms.empty()) fail(c.other_platforms.front(), "not supported on linux");
    if (!c.root) fail("root", "required on linux");
    if (c.root->path.empty()) fail("root.path", "must not be empty");
    check_mounts(c);
    if (c.process) validate_process(*c.process, "process");
    if (c.hooks) check_hooks(*c.hooks);
    if (c.annotations.count("")) fail("annotations", "keys must not be empty");

    // Without a uts namespace of its own (new or joined) the container would
    // rename the host. config.md does not forbid it; ocirt refuses it.
    for (const auto& [name, value] : {std::pair{"hostname", &c.hostname},
                                      std::pair{"domainname", &c.domainname}}) {
        if (!value->empty() && !find_ns(c, NamespaceType::uts)) {
            fail(name, "requires a uts namespace");
        }
    }
    if (c.linux) check_linux(c);
    if (c.linux && c.linux->resources) warn_ignored_access(c.linux->resources->devices);
}

// ---- check_supported -------------------------------------------------------

namespace {

// A view that is empty when the section is absent, to keep the table short.
[[maybe_unused]] const Linux& lin(const Config& c) {
    static const Linux none;
    return c.linux ? *c.linux : none;
}

[[maybe_unused]] std::string if_set(bool set, const char* field) { return set ? field : ""; }

// Each probe returns the name of a field ocirt does not apply yet when `c`
// sets it, else "". One line per feature: delete its line when it lands.
using Probe = std::string (*)(const Config&);
// None at present (linux.intelRdt and linux.netDevices landed with spec 1.3).
const std::array<Probe, 0> kNotSupportedYet{};

}  // namespace

void check_supported(const Config& c) {
    for (Probe probe : kNotSupportedYet) {
        if (std::string field = probe(c); !field.empty()) {
            throw Error(field + " is not supported yet");
        }
    }
}

void check_supported(const Process& p) {
    Config c;
    c.process = p;
    check_supported(c);
}

}  // namespace ocirt::spec
