// The JSON of runc's events: runc's types.Stats field names and order. runc
// (Go's omitempty) leaves out zero numbers and empty lists in some fields and
// keeps them in others; each line below follows runc field by field.
#include "ocirt/events.hpp"

namespace ocirt::events {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
void put_nonzero(Json& j, const char* key, T v) {
    if (v != 0) j[key] = v;
}

template <typename T>
void put_nonempty(Json& j, const char* key, const T& v) {
    if (!v.empty()) j[key] = v;
}

Json cpu(const cgroups::Stats& s) {
    Json usage = Json::object();
    put_nonzero(usage, "total", s.cpu_usage.total);
    put_nonempty(usage, "percpu", s.cpu_usage.percpu);
    put_nonempty(usage, "percpu_kernel", s.cpu_usage.percpu_kernel);
    put_nonempty(usage, "percpu_user", s.cpu_usage.percpu_user);
    usage["kernel"] = s.cpu_usage.kernel;
    usage["user"] = s.cpu_usage.user;
    Json throttling = Json::object();
    put_nonzero(throttling, "periods", s.throttling.periods);
    put_nonzero(throttling, "throttledPeriods", s.throttling.throttled_periods);
    put_nonzero(throttling, "throttledTime", s.throttling.throttled_time);
    return Json{{"usage", usage}, {"throttling", throttling}};
}

Json cpuset(const cgroups::CpuSet& c) {
    Json j = Json::object();
    put_nonempty(j, "cpus", c.cpus);
    j["cpu_exclusive"] = c.cpu_exclusive;
    put_nonempty(j, "mems", c.mems);
    j["mem_hardwall"] = c.mem_hardwall;
    j["mem_exclusive"] = c.mem_exclusive;
    j["memory_migrate"] = c.memory_migrate;
    j["memory_spread_page"] = c.memory_spread_page;
    j["memory_spread_slab"] = c.memory_spread_slab;
    j["memory_pressure"] = c.memory_pressure;
    j["sched_load_balance"] = c.sched_load_balance;
    j["sched_relax_domain_level"] = c.sched_relax_domain_level;
    return j;
}

Json memory_entry(const cgroups::MemoryEntry& e) {
    Json j = Json::object();
    j["limit"] = e.limit;
    put_nonzero(j, "usage", e.usage);
    put_nonzero(j, "max", e.max);
    j["failcnt"] = e.failcnt;
    return j;
}

Json memory(const cgroups::Memory& m) {
    Json j = Json::object();
    put_nonzero(j, "cache", m.cache);
    j["usage"] = memory_entry(m.usage);
    j["swap"] = memory_entry(m.swap);
    j["kernel"] = memory_entry(m.kernel);
    j["kernelTCP"] = memory_entry(m.kernel_tcp);
    if (!m.raw.empty()) {
        Json raw = Json::object();
        for (const auto& [k, v] : m.raw) raw[k] = v;  // sorted by key, as Go writes a map
        j["raw"] = raw;
    }
    return j;
}

Json blkio_entries(const std::vector<cgroups::BlkioEntry>& entries) {
    Json arr = Json::array();
    for (const auto& e : entries) {
        Json j = Json::object();
        put_nonzero(j, "major", e.major);
        put_nonzero(j, "minor", e.minor);
        put_nonempty(j, "op", e.op);
        put_nonzero(j, "value", e.value);
        arr.push_back(j);
    }
    return arr;
}

Json blkio(const cgroups::Blkio& b) {
    Json j = Json::object();
    const std::pair<const char*, const std::vector<cgroups::BlkioEntry>*> tables[] = {
        {"ioServiceBytesRecursive", &b.io_service_bytes_recursive},
        {"ioServicedRecursive", &b.io_serviced_recursive},
        {"ioQueueRecursive", &b.io_queued_recursive},
        {"ioServiceTimeRecursive", &b.io_service_time_recursive},
        {"ioWaitTimeRecursive", &b.io_wait_time_recursive},
        {"ioMergedRecursive", &b.io_merged_recursive},
        {"ioTimeRecursive", &b.io_time_recursive},
        {"sectorsRecursive", &b.sectors_recursive},
    };
    for (const auto& [name, entries] : tables)
        if (!entries->empty()) j[name] = blkio_entries(*entries);
    return j;
}

Json hugetlb(const std::map<std::string, cgroups::Hugetlb>& pages) {
    Json j = Json::object();
    for (const auto& [size, h] : pages) {
        Json e = Json::object();
        put_nonzero(e, "usage", h.usage);
        put_nonzero(e, "max", h.max);
        e["failcnt"] = h.failcnt;
        j[size] = e;
    }
    return j;
}

}  // namespace

nlohmann::ordered_json stats_json(const cgroups::Stats& s) {
    Json j = Json::object();
    j["cpu"] = cpu(s);
    j["cpuset"] = cpuset(s.cpuset);
    j["memory"] = memory(s.memory);
    Json pids = Json::object();
    put_nonzero(pids, "current", s.pids.current);
    put_nonzero(pids, "limit", s.pids.limit);
    j["pids"] = pids;
    j["blkio"] = blkio(s.blkio);
    j["hugetlb"] = hugetlb(s.hugetlb);
    j["intel_rdt"] = Json::object();      // linux.intelRdt is not supported
    j["network_interfaces"] = nullptr;    // runc fills it only for its own veth setups
    return j;
}

nlohmann::ordered_json stats_event(const std::string& id, const cgroups::Stats& s) {
    return Json{{"type", "stats"}, {"id", id}, {"data", stats_json(s)}};
}

nlohmann::ordered_json oom_event(const std::string& id) {
    return Json{{"type", "oom"}, {"id", id}};
}

}  // namespace ocirt::events
