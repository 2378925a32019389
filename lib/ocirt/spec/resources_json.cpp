#include "ocirt/spec/resources_json.hpp"

namespace ocirt::spec {
namespace {

using nlohmann::json;

template <typename T>
void put(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

void put(json& j, const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
}

json throttle(const std::vector<ThrottleDevice>& list) {
    json a = json::array();
    for (const auto& t : list) a.push_back({{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}});
    return a;
}

json memory(const MemoryResources& m) {
    json j = json::object();
    put(j, "limit", m.limit);
    put(j, "reservation", m.reservation);
    put(j, "swap", m.swap);
    put(j, "kernel", m.kernel);
    put(j, "kernelTCP", m.kernel_tcp);
    put(j, "swappiness", m.swappiness);
    put(j, "disableOOMKiller", m.disable_oom_killer);
    put(j, "useHierarchy", m.use_hierarchy);
    put(j, "checkBeforeUpdate", m.check_before_update);
    return j;
}

json cpu(const CpuResources& c) {
    json j = json::object();
    put(j, "shares", c.shares);
    put(j, "quota", c.quota);
    put(j, "burst", c.burst);
    put(j, "period", c.period);
    put(j, "realtimeRuntime", c.realtime_runtime);
    put(j, "realtimePeriod", c.realtime_period);
    put(j, "cpus", c.cpus);
    put(j, "mems", c.mems);
    put(j, "idle", c.idle);
    return j;
}

json block_io(const BlockIoResources& b) {
    json j = json::object();
    put(j, "weight", b.weight);
    put(j, "leafWeight", b.leaf_weight);
    if (!b.weight_device.empty()) {
        json a = json::array();
        for (const auto& w : b.weight_device) {
            json e = {{"major", w.major}, {"minor", w.minor}};
            put(e, "weight", w.weight);
            put(e, "leafWeight", w.leaf_weight);
            a.push_back(e);
        }
        j["weightDevice"] = a;
    }
    for (auto [key, list] : {std::pair{"throttleReadBpsDevice", &b.throttle_read_bps_device},
                             std::pair{"throttleWriteBpsDevice", &b.throttle_write_bps_device},
                             std::pair{"throttleReadIOPSDevice", &b.throttle_read_iops_device},
                             std::pair{"throttleWriteIOPSDevice", &b.throttle_write_iops_device}}) {
        if (!list->empty()) j[key] = throttle(*list);
    }
    return j;
}

}  // namespace

json resources_to_json(const Resources& r) {
    json j = json::object();
    if (!r.devices.empty()) {
        json a = json::array();
        for (const auto& d : r.devices) {
            json e = {{"allow", d.allow}};
            put(e, "type", d.type);
            put(e, "major", d.major);
            put(e, "minor", d.minor);
            put(e, "access", d.access);
            a.push_back(e);
        }
        j["devices"] = a;
    }
    if (r.memory) j["memory"] = memory(*r.memory);
    if (r.cpu) j["cpu"] = cpu(*r.cpu);
    if (r.pids) {
        j["pids"] = json::object();
        put(j["pids"], "limit", r.pids->limit);
    }
    if (r.block_io) j["blockIO"] = block_io(*r.block_io);
    if (!r.hugepage_limits.empty()) {
        json a = json::array();
        for (const auto& h : r.hugepage_limits) a.push_back({{"pageSize", h.page_size}, {"limit", h.limit}});
        j["hugepageLimits"] = a;
    }
    if (r.network) {
        json n = json::object();
        put(n, "classID", r.network->class_id);
        if (!r.network->priorities.empty()) {
            n["priorities"] = json::array();
            for (const auto& p : r.network->priorities)
                n["priorities"].push_back({{"name", p.name}, {"priority", p.priority}});
        }
        j["network"] = n;
    }
    if (!r.rdma.empty()) {
        json m = json::object();
        for (const auto& [device, l] : r.rdma) {
            m[device] = json::object();
            put(m[device], "hcaHandles", l.hca_handles);
            put(m[device], "hcaObjects", l.hca_objects);
        }
        j["rdma"] = m;
    }
    if (!r.unified.empty()) j["unified"] = r.unified;
    return j;
}

void store_resources(json& resources, const Resources& r) {
    if (!resources.is_object()) resources = json::object();
    for (const char* key : {"devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma",
                            "unified"})
        resources.erase(key);
    resources.update(resources_to_json(r));
}

}  // namespace ocirt::spec
