#include "ocirt/state.hpp"

#include <time.h>

#include <cstdio>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/version.hpp"

namespace ocirt {

const char* to_string(Status s) {
    switch (s) {
        case Status::creating: return "creating";
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::paused: return "paused";
        case Status::stopped: return "stopped";
    }
    return "unknown";
}

nlohmann::json State::to_json() const {
    nlohmann::json j{{"ociVersion", oci_version},   {"id", id},
                          {"pid", pid},                  {"pidStartTime", pid_start_time},
                          {"bundle", bundle},            {"rootfs", rootfs},
                          {"created", created},          {"owner", owner},
                          {"annotations", annotations},  {"cgroupPath", cgroup_path},  {"cgroupCreated", cgroup_created},
                          {"hasProcess", has_process},   {"systemdCgroup", systemd_cgroup},
                          {"hasHooks", has_hooks},       {"creating", creating}};
    if (!intel_rdt_tasks.empty()) j["intelRdtTasks"] = intel_rdt_tasks;
    if (!intel_rdt_created.empty()) j["intelRdtCreated"] = intel_rdt_created;
    return j;
}

State State::from_json(const nlohmann::json& j) {
    State s;
    s.oci_version = j.value("ociVersion", "");
    s.id = j.at("id").get<std::string>();
    s.pid = j.at("pid").get<pid_t>();
    s.pid_start_time = j.value("pidStartTime", uint64_t{0});
    s.bundle = j.value("bundle", "");
    s.rootfs = j.value("rootfs", "");
    s.created = j.value("created", "");
    s.owner = j.value("owner", "");
    if (j.contains("annotations"))
        s.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    s.cgroup_path = j.value("cgroupPath", "");
    if (j.contains("cgroupCreated"))
        s.cgroup_created = j.at("cgroupCreated").get<std::vector<std::string>>();
    s.has_process = j.value("hasProcess", true);
    s.systemd_cgroup = j.value("systemdCgroup", false);
    s.has_hooks = j.value("hasHooks", false);
    s.creating = j.value("creating", false);
    s.intel_rdt_tasks = j.value("intelRdtTasks", "");
    if (j.contains("intelRdtCreated"))
        s.intel_rdt_created = j.at("intelRdtCreated").get<std::vector<std::string>>();
    return s;
}

nlohmann::ordered_json oci_state_view(const State& s, Status status) {
    nlohmann::ordered_json j;
    // The version of the spec the state complies with: the runtime's own.
    j["ociVersion"] = kSpecVersion;
    j["id"] = s.id;
    j["pid"] = status == Status::stopped ? 0 : s.pid;
    j["status"] = to_string(status);
    j["bundle"] = s.bundle;
    j["rootfs"] = s.rootfs;
    j["created"] = s.created;
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    j["owner"] = s.owner;
    return j;
}

static State load_json(const std::string& path) {
    std::string text = read_file(path);
    try {
        return State::from_json(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
        // EBADMSG tells delete --force apart from other failures; no strerror.
        throw Error::preformatted(EBADMSG, path + ": corrupt state: " +
                                               (text.empty() ? std::string("empty file") : e.what()));
    }
}

State load_state(const std::string& state_dir) { return load_json(state_dir + "/state.json"); }

void save_state(const std::string& state_dir, const State& s) {
    write_atomic(state_dir + "/state.json", s.to_json().dump(), 0600);
}

State load_recovery(const std::string& state_dir) {
    State s = load_json(state_dir + "/" + kRecoveryFile);
    s.creating = true;
    return s;
}

void save_recovery(const std::string& state_dir, const State& s) {
    State r = s;
    r.creating = true;
    write_atomic(state_dir + "/" + kRecoveryFile, r.to_json().dump(), 0600);
}

std::string hook_state_json(const std::string& id, Status status, pid_t pid, const std::string& bundle,
                            const std::map<std::string, std::string>& annotations) {
    nlohmann::ordered_json j;
    j["ociVersion"] = kSpecVersion;
    j["id"] = id;
    j["status"] = to_string(status);
    if (pid > 0) j["pid"] = pid;
    j["bundle"] = bundle;
    if (!annotations.empty()) j["annotations"] = annotations;
    return j.dump();
}

std::string now_rfc3339() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    char buf[40];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    // RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's RFC3339Nano.
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    std::string f = frac;
    while (f.size() > 1 && f.back() == '0') f.pop_back();
    if (f == ".") f.clear();
    return std::string(buf) + f + "Z";
}

}  // namespace ocirt
