#include "ocirt/spec/parse.hpp"

#include <concepts>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::spec {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
    throw Error(path.empty() ? msg : path + ": " + msg);
}

// A string as a JSON literal, for messages; never throws on bad UTF-8.
std::string quote(const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// The JSON type of a value as messages name it.
std::string type_name(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "boolean";
        case json::value_t::string: return "string";
        case json::value_t::array: return "array";
        case json::value_t::object: return "object";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: return "number";
        default: return "invalid value";
    }
}

[[noreturn]] void expected(const json& j, const std::string& path, const std::string& what) {
    fail(path, "expected " + what + ", got " + type_name(j));
}

// Paths: "linux.namespaces[1].type", "linux.sysctl[\"net.ipv4.ip_forward\"]".
std::string member(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string element(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}
std::string entry(const std::string& path, const std::string& key) {
    return path + "[" + quote(key) + "]";
}

// One `read` per target type. All are declared before the templates that
// call them, so that overload resolution sees every one of them.
void read(const json& j, const std::string& path, std::string& out);
void read(const json& j, const std::string& path, bool& out);
void read(const json& j, const std::string& path, Root& out);
void read(const json& j, const std::string& path, IdMapping& out);
void read(const json& j, const std::string& path, Mount& out);
void read(const json& j, const std::string& path, ConsoleSize& out);
void read(const json& j, const std::string& path, User& out);
void read(const json& j, const std::string& path, Rlimit& out);
void read(const json& j, const std::string& path, Capabilities& out);
void read(const json& j, const std::string& path, Scheduler& out);
void read(const json& j, const std::string& path, IoPriority& out);
void read(const json& j, const std::string& path, ExecCpuAffinity& out);
void read(const json& j, const std::string& path, Process& out);
void read(const json& j, const std::string& path, Hook& out);
void read(const json& j, const std::string& path, Hooks& out);
void read(const json& j, const std::string& path, NamespaceType& out);
void read(const json& j, const std::string& path, Namespace& out);
void read(const json& j, const std::string& path, TimeOffset& out);
void read(const json& j, const std::string& path, Device& out);
void read(const json& j, const std::string& path, SeccompArg& out);
void read(const json& j, const std::string& path, SeccompSyscall& out);
void read(const json& j, const std::string& path, Seccomp& out);
void read(const json& j, const std::string& path, Personality& out);
void read(const json& j, const std::string& path, IntelRdt& out);
void read(const json& j, const std::string& path, NetDevice& out);
void read(const json& j, const std::string& path, MemoryPolicy& out);
void read(const json& j, const std::string& path, Linux& out);
void read(const json& j, const std::string& path, Config& out);

template <typename T>
concept Integer = std::integral<T> && !std::same_as<T, bool>;
template <Integer T>
void read(const json& j, const std::string& path, T& out);
template <Described T>
void read(const json& j, const std::string& path, T& out);
template <typename T>
void read(const json& j, const std::string& path, std::optional<T>& out);
template <typename T>
void read(const json& j, const std::string& path, std::vector<T>& out);
template <typename T>
void read(const json& j, const std::string& path, std::map<std::string, T>& out);

// "integer" (int64), "32-bit integer", "unsigned 16-bit integer", ...
template <Integer T>
std::string integer_name() {
    std::string name = std::is_signed_v<T> ? "" : "unsigned ";
    if (sizeof(T) < 8) name += std::to_string(sizeof(T) * 8) + "-bit ";
    return name + "integer";
}

template <Integer T>
void read(const json& j, const std::string& path, T& out) {
    if (j.is_number_unsigned()) {
        auto v = j.get<uint64_t>();
        if (std::in_range<T>(v)) {
            out = static_cast<T>(v);
            return;
        }
    } else if (j.is_number_integer()) {
        auto v = j.get<int64_t>();
        if (std::in_range<T>(v)) {
            out = static_cast<T>(v);
            return;
        }
    } else if (!j.is_number_float()) {
        expected(j, path, integer_name<T>());
    }
    // Out of range, or not a whole number: show the value itself.
    fail(path, "expected " + integer_name<T>() + ", got " + j.dump());
}

template <typename T>
void read(const json& j, const std::string& path, std::optional<T>& out) {
    T v{};
    read(j, path, v);
    out = std::move(v);
}

template <typename T>
void read(const json& j, const std::string& path, std::vector<T>& out) {
    if (!j.is_array()) {
        if constexpr (std::is_same_v<T, std::string>) expected(j, path, "array of strings");
        else if constexpr (Integer<T>) expected(j, path, "array of integers");
        else expected(j, path, "array");
    }
    out.clear();
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
        T v{};
        read(j[i], element(path, i), v);
        out.push_back(std::move(v));
    }
}

template <typename T>
void read(const json& j, const std::string& path, std::map<std::string, T>& out) {
    if (!j.is_object()) expected(j, path, "object");
    out.clear();
    for (const auto& [key, value] : j.items()) {
        // Keys are names too (annotations, sysctl, unified files).
        if (key.find('\0') != std::string::npos) fail(entry(path, key), "key contains a NUL byte");
        T v{};
        read(value, entry(path, key), v);
        out.emplace(key, std::move(v));
    }
}

// An object being read: finds its members and names them in errors.
class Obj {
public:
    Obj(const json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) expected(j, path_, "object");
    }

    // An optional member: absent or null leaves `out` as it is.
    template <typename T>
    void opt(const char* key, T& out) const {
        if (const json* v = find(key)) read(*v, member(path_, key), out);
    }

    // A required member. An explicit null is a type error ("got null").
    template <typename T>
    void req(const char* key, T& out) const {
        auto it = j_.find(key);
        if (it == j_.end()) fail(member(path_, key), "required");
        read(*it, member(path_, key), out);
    }

    bool has(const char* key) const { return find(key) != nullptr; }

private:
    const json* find(const char* key) const {
        auto it = j_.find(key);
        return it == j_.end() || it->is_null() ? nullptr : &*it;
    }

    const json& j_;
    std::string path_;
};

// linux.resources: walks each struct's field list (config.hpp).
template <Described T>
void read(const json& j, const std::string& path, T& out) {
    Obj o(j, path);
    for_each_field<T>([&](const auto& f) {
        if (f.required) o.req(f.name, out.*f.member);
        else o.opt(f.name, out.*f.member);
    });
}

// Every string of config.json is read here. Each one reaches a C API (a path,
// an option, a name), which would see it cut at an embedded NUL: refuse it.
void read(const json& j, const std::string& path, std::string& out) {
    if (!j.is_string()) expected(j, path, "string");
    out = j.get<std::string>();
    if (out.find('\0') != std::string::npos) fail(path, "contains a NUL byte");
}

void read(const json& j, const std::string& path, bool& out) {
    if (!j.is_boolean()) expected(j, path, "boolean");
    out = j.get<bool>();
}

void read(const json& j, const std::string& path, Root& out) {
    Obj o(j, path);
    o.req("path", out.path);
    o.opt("readonly", out.readonly);
}

void read(const json& j, const std::string& path, IdMapping& out) {
    Obj o(j, path);
    o.req("containerID", out.container_id);
    o.req("hostID", out.host_id);
    o.req("size", out.size);
}

void read(const json& j, const std::string& path, Mount& out) {
    Obj o(j, path);
    o.req("destination", out.destination);
    o.opt("source", out.source);
    o.opt("type", out.type);
    o.opt("options", out.options);
    o.opt("uidMappings", out.uid_mappings);
    o.opt("gidMappings", out.gid_mappings);
}

void read(const json& j, const std::string& path, ConsoleSize& out) {
    Obj o(j, path);
    o.req("height", out.height);
    o.req("width", out.width);
}

void read(const json& j, const std::string& path, User& out) {
    // uid and gid are REQUIRED on POSIX in config.md but not in the schema;
    // an absent one means root, as with other runtimes.
    Obj o(j, path);
    o.opt("uid", out.uid);
    o.opt("gid", out.gid);
    o.opt("umask", out.umask);
    o.opt("additionalGids", out.additional_gids);
    o.opt("username", out.username);
}

void read(const json& j, const std::string& path, Rlimit& out) {
    Obj o(j, path);
    o.req("type", out.type);
    o.req("soft", out.soft);
    o.req("hard", out.hard);
}

void read(const json& j, const std::string& path, Capabilities& out) {
    Obj o(j, path);
    o.opt("bounding", out.bounding);
    o.opt("effective", out.effective);
    o.opt("inheritable", out.inheritable);
    o.opt("permitted", out.permitted);
    o.opt("ambient", out.ambient);
}

void read(const json& j, const std::string& path, Scheduler& out) {
    Obj o(j, path);
    o.req("policy", out.policy);
    o.opt("nice", out.nice);
    o.opt("priority", out.priority);
    o.opt("flags", out.flags);
    o.opt("runtime", out.runtime);
    o.opt("deadline", out.deadline);
    o.opt("period", out.period);
}

void read(const json& j, const std::string& path, IoPriority& out) {
    Obj o(j, path);
    o.req("class", out.io_class);
    o.req("priority", out.priority);
}

void read(const json& j, const std::string& path, ExecCpuAffinity& out) {
    Obj o(j, path);
    o.opt("initial", out.initial);
    o.opt("final", out.final_);
}

void read(const json& j, const std::string& path, Process& out) {
    Obj o(j, path);
    o.opt("terminal", out.terminal);
    o.opt("consoleSize", out.console_size);
    o.opt("user", out.user);
    o.opt("args", out.args);
    o.opt("commandLine", out.command_line);
    o.opt("env", out.env);
    o.req("cwd", out.cwd);
    o.opt("capabilities", out.capabilities);
    o.opt("rlimits", out.rlimits);
    o.opt("noNewPrivileges", out.no_new_privileges);
    o.opt("apparmorProfile", out.apparmor_profile);
    o.opt("oomScoreAdj", out.oom_score_adj);
    o.opt("scheduler", out.scheduler);
    o.opt("selinuxLabel", out.selinux_label);
    o.opt("ioPriority", out.io_priority);
    o.opt("execCPUAffinity", out.exec_cpu_affinity);
}

void read(const json& j, const std::string& path, Hook& out) {
    Obj o(j, path);
    o.req("path", out.path);
    o.opt("args", out.args);
    o.opt("env", out.env);
    o.opt("timeout", out.timeout);
}

void read(const json& j, const std::string& path, Hooks& out) {
    Obj o(j, path);
    for (const HookKind& k : kHookKinds) o.opt(k.name, out.*k.list);
}

void read(const json& j, const std::string& path, NamespaceType& out) {
    std::string name;
    read(j, path, name);
    for (NamespaceType t : kNamespaceTypes) {
        if (name == to_string(t)) {
            out = t;
            return;
        }
    }
    fail(path, "unknown namespace type " + quote(name));
}

void read(const json& j, const std::string& path, Namespace& out) {
    Obj o(j, path);
    o.req("type", out.type);
    o.opt("path", out.path);
}

void read(const json& j, const std::string& path, TimeOffset& out) {
    Obj o(j, path);
    o.opt("secs", out.secs);
    o.opt("nanosecs", out.nanosecs);
}

void read(const json& j, const std::string& path, Device& out) {
    Obj o(j, path);
    o.req("type", out.type);
    o.req("path", out.path);
    // config-linux.md: major and minor are "REQUIRED unless type is p". An
    // unknown type is left to validate(), which names it better.
    if (out.type == "c" || out.type == "b" || out.type == "u") {
        o.req("major", out.major);
        o.req("minor", out.minor);
    } else {
        o.opt("major", out.major);
        o.opt("minor", out.minor);
    }
    o.opt("fileMode", out.file_mode);
    o.opt("uid", out.uid);
    o.opt("gid", out.gid);
}

void read(const json& j, const std::string& path, SeccompArg& out) {
    Obj o(j, path);
    o.req("index", out.index);
    o.req("value", out.value);
    o.opt("valueTwo", out.value_two);
    o.req("op", out.op);
}

void read(const json& j, const std::string& path, SeccompSyscall& out) {
    Obj o(j, path);
    o.req("names", out.names);
    o.req("action", out.action);
    o.opt("errnoRet", out.errno_ret);
    o.opt("args", out.args);
}

void read(const json& j, const std::string& path, Seccomp& out) {
    Obj o(j, path);
    o.req("defaultAction", out.default_action);
    o.opt("defaultErrnoRet", out.default_errno_ret);
    o.opt("architectures", out.architectures);
    o.opt("flags", out.flags);
    o.opt("listenerPath", out.listener_path);
    o.opt("listenerMetadata", out.listener_metadata);
    o.opt("syscalls", out.syscalls);
}

void read(const json& j, const std::string& path, Personality& out) {
    Obj o(j, path);
    o.req("domain", out.domain);
    o.opt("flags", out.flags);
}

void read(const json& j, const std::string& path, IntelRdt& out) {
    Obj o(j, path);
    o.opt("closID", out.clos_id);
    o.opt("l3CacheSchema", out.l3_cache_schema);
    o.opt("memBwSchema", out.mem_bw_schema);
    o.opt("schemata", out.schemata);
    o.opt("enableCMT", out.enable_cmt);  // v1.1 to v1.2; v1.3: enableMonitoring
    o.opt("enableMBM", out.enable_mbm);
    o.opt("enableMonitoring", out.enable_monitoring);
}

void read(const json& j, const std::string& path, NetDevice& out) {
    Obj o(j, path);
    o.opt("name", out.name);
}

void read(const json& j, const std::string& path, MemoryPolicy& out) {
    Obj o(j, path);
    o.req("mode", out.mode);
    o.opt("nodes", out.nodes);
    o.opt("flags", out.flags);
}

void read(const json& j, const std::string& path, Linux& out) {
    Obj o(j, path);
    o.opt("namespaces", out.namespaces);
    o.opt("uidMappings", out.uid_mappings);
    o.opt("gidMappings", out.gid_mappings);
    o.opt("timeOffsets", out.time_offsets);
    o.opt("devices", out.devices);
    o.opt("cgroupsPath", out.cgroups_path);
    o.opt("resources", out.resources);
    o.opt("rootfsPropagation", out.rootfs_propagation);
    o.opt("seccomp", out.seccomp);
    o.opt("sysctl", out.sysctl);
    o.opt("maskedPaths", out.masked_paths);
    o.opt("readonlyPaths", out.readonly_paths);
    o.opt("mountLabel", out.mount_label);
    o.opt("personality", out.personality);
    o.opt("intelRdt", out.intel_rdt);
    o.opt("netDevices", out.net_devices);
    o.opt("memoryPolicy", out.memory_policy);
}

void read(const json& j, const std::string& path, Config& out) {
    Obj o(j, path);
    o.req("ociVersion", out.oci_version);
    o.opt("root", out.root);
    o.opt("mounts", out.mounts);
    o.opt("process", out.process);
    o.opt("hostname", out.hostname);
    o.opt("domainname", out.domainname);
    o.opt("hooks", out.hooks);
    o.opt("annotations", out.annotations);
    o.opt("linux", out.linux);
    // Sections for other platforms are not parsed, only noted, so that
    // validate() can refuse them by name.
    for (const char* key : {"windows", "solaris", "vm", "zos", "freebsd"}) {
        if (o.has(key)) out.other_platforms.emplace_back(key);
    }
}

}  // namespace

Config parse_config(const nlohmann::json& j) {
    Config c;
    read(j, "", c);
    return c;
}

Process parse_process(const nlohmann::json& j, const std::string& path) {
    Process p;
    read(j, path, p);
    return p;
}

Resources parse_resources(const nlohmann::json& j, const std::string& path) {
    Resources r;
    read(j, path, r);
    return r;
}

nlohmann::json parse_json(const std::string& text, const std::string& name) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep the
        // "parse error at line 3, column 5: ..." that follows.
        std::string_view msg = e.what();
        if (auto end = msg.find("] "); msg.starts_with("[json.exception") && end != msg.npos) {
            msg.remove_prefix(end + 2);
        }
        throw Error(name + ": invalid JSON: " + std::string(msg));
    }
}

Config load_config(const std::string& path, std::string* text_out) {
    std::string text = read_file(path);  // its errors name the path
    if (text_out) *text_out = text;
    json j = parse_json(text, path);
    return with_context(path, [&] { return parse_config(j); });
}

}  // namespace ocirt::spec
