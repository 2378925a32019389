// The linux.resources field table (spec/config.hpp): every field of
// config-linux.md's resources parses, prints back, and is carried by update's
// merge, so a field forgotten in one of them fails here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <type_traits>

#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/resources_json.hpp"
#include "ocirt/spec/resources_merge.hpp"

using namespace ocirt::spec;
using nlohmann::json;

namespace {

// Every field of runtime-spec v1.2/v1.3 config-linux.md's linux.resources.
const json kEvery = json::parse(R"({
  "devices": [{"allow": false, "access": "rwm"},
              {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
  "memory": {"limit": 536870912, "reservation": 268435456, "swap": 1073741824, "kernel": -1,
             "kernelTCP": 1048576, "swappiness": 0, "disableOOMKiller": false, "useHierarchy": true,
             "checkBeforeUpdate": true},
  "cpu": {"shares": 1024, "quota": 1000000, "burst": 1000000, "period": 500000, "realtimeRuntime": 950000,
          "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7", "idle": 0},
  "pids": {"limit": 32771},
  "blockIO": {"weight": 10, "leafWeight": 10,
              "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300},
                               {"major": 8, "minor": 16, "weight": 500}],
              "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
              "throttleWriteBpsDevice": [{"major": 8, "minor": 16, "rate": 700}],
              "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 800}],
              "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}]},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}, {"pageSize": "64KB", "limit": 1000000}],
  "network": {"classID": 1048577,
              "priorities": [{"name": "eth0", "priority": 500}, {"name": "eth1", "priority": 1000}]},
  "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "mlx4_0": {"hcaObjects": 1000}},
  "unified": {"hugetlb.1GB.max": "1073741824", "memory.high": "100000", "io.max": "8:0 rbps=1"}
})");

// Other values for every field, on the same devices, page sizes and names
// (so that a merge replaces the entries of kEvery), plus new entries.
const json kOther = json::parse(R"({
  "memory": {"limit": 1, "reservation": 2, "swap": 3, "kernel": 4, "kernelTCP": 5, "swappiness": 6,
             "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": false},
  "cpu": {"shares": 2, "quota": 3, "burst": 4, "period": 5, "realtimeRuntime": 6, "realtimePeriod": 7,
          "cpus": "0", "mems": "1", "idle": 1},
  "pids": {"limit": 9},
  "blockIO": {"weight": 11, "leafWeight": 12,
              "weightDevice": [{"major": 8, "minor": 0, "weight": 13, "leafWeight": 14},
                               {"major": 9, "minor": 1, "weight": 15}],
              "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 16}, {"major": 9, "minor": 1, "rate": 1}],
              "throttleWriteBpsDevice": [{"major": 8, "minor": 16, "rate": 17}],
              "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 18}],
              "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 19}]},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 20}, {"pageSize": "1GB", "limit": 21}],
  "network": {"classID": 22, "priorities": [{"name": "eth0", "priority": 23}, {"name": "lo", "priority": 24}]},
  "rdma": {"mlx5_1": {"hcaHandles": 25, "hcaObjects": 26}, "new0": {"hcaHandles": 27}},
  "unified": {"memory.high": "28", "pids.max": "29"}
})");

json round_trip(const json& j) { return resources_to_json(parse_resources(j, "linux.resources")); }

json merged(const json& stored, const json& update) {
    return resources_to_json(merge_resources(parse_resources(stored), parse_resources(update)));
}

// Each single field of kOther as an update: {"memory": {"limit": 1}}, ...
std::vector<std::pair<std::string, json>> single_fields() {
    std::vector<std::pair<std::string, json>> out;
    for (const auto& [section, value] : kOther.items()) {
        if (value.is_array()) {
            out.push_back({section, {{section, value}}});
            continue;
        }
        for (const auto& [key, v] : value.items()) out.push_back({section + "." + key, {{section, {{key, v}}}}});
    }
    return out;
}

// The names the table describes, recursively: "memory.limit", "blockIO.weightDevice.leafWeight", ...
template <Described S>
void described_names(const std::string& prefix, std::vector<std::string>& out) {
    for_each_field<S>([&](const auto& f) {
        const std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
        out.push_back(name);
        using M = std::remove_cvref_t<decltype(std::declval<S&>().*f.member)>;
        if constexpr (Described<M>) described_names<M>(name, out);
        else if constexpr (requires { typename M::value_type; }) {
            if constexpr (Described<typename M::value_type>) described_names<typename M::value_type>(name, out);
        }
        if constexpr (requires { typename M::mapped_type; }) {
            if constexpr (Described<typename M::mapped_type>) described_names<typename M::mapped_type>(name, out);
        }
    });
}

// The member names in a JSON document, as described_names spells them.
void json_names(const json& j, const std::string& prefix, std::vector<std::string>& out, bool map = false) {
    if (j.is_array()) {
        for (const auto& e : j) json_names(e, prefix, out);
    } else if (j.is_object()) {
        for (const auto& [key, v] : j.items()) {
            const std::string name = map ? prefix : prefix.empty() ? key : prefix + "." + key;
            if (!map) out.push_back(name);
            json_names(v, name, out, !map && name == "rdma");  // rdma: keys are devices
        }
    }
}

// Whether a merge result has what the update gave: each member given (maps
// merge per key), each list entry given (lists merge per entry), each value.
bool carried(const json& given, const json& got) {
    if (given.is_array())
        return std::all_of(given.begin(), given.end(),
                           [&](const json& e) { return std::count(got.begin(), got.end(), e) == 1; });
    if (given.is_object()) {
        for (const auto& [key, v] : given.items())
            if (!got.contains(key) || !carried(v, got[key])) return false;
        return true;
    }
    return given == got;
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

}  // namespace

TEST_CASE("resources table: the test documents name exactly the described fields", "[resources][table]") {
    std::vector<std::string> described, every;
    described_names<Resources>("", described);
    json_names(kEvery, "", every);
    // "unified" is a map of strings: its keys are not fields.
    std::erase_if(every, [](const std::string& n) { return n.starts_with("unified."); });
    CHECK(sorted_unique(every) == sorted_unique(described));
}

TEST_CASE("resources table: every field parses and prints back", "[resources][table]") {
    CHECK(round_trip(kEvery) == kEvery);
    CHECK(round_trip(kOther) == kOther);
    CHECK(round_trip(json::object()) == json::object());
    for (const auto& [name, update] : single_fields()) {
        INFO(name);
        CHECK(round_trip(update) == update);
    }
}

TEST_CASE("resources table: merge carries every single field", "[resources][table]") {
    for (const auto& [name, update] : single_fields()) {
        INFO(name);
        const std::string section = update.begin().key();
        const json& given = update.begin().value();
        for (const json& stored : {json::object(), kEvery}) {
            INFO("onto " << (stored.empty() ? "an empty object" : "every field"));
            const json m = merged(stored, update);
            REQUIRE(m.contains(section));
            CHECK(carried(given, m[section]));
            // Nothing else of the stored resources changes but what was given.
            json rest = m, before = round_trip(stored);
            rest.erase(section);
            before.erase(section);
            CHECK(rest == before);
        }
    }
}

TEST_CASE("resources table: update never changes devices", "[resources][table]") {
    json update = {{"devices", {{{"allow", true}, {"access", "r"}}}}};
    CHECK(merged(json::object(), update) == json::object());
    CHECK(merged(kEvery, update) == kEvery);
}

TEST_CASE("resources table: errors still name the JSON path", "[resources][table]") {
    auto error = [](const char* text) {
        try {
            parse_resources(json::parse(text), "linux.resources");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error(R"({"memory": {"limit": "1"}})") == "linux.resources.memory.limit: expected integer, got string");
    CHECK(error(R"({"blockIO": {"weight": 70000}})") ==
          "linux.resources.blockIO.weight: expected unsigned 16-bit integer, got 70000");
    CHECK(error(R"({"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0}]}})") ==
          "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required");
    CHECK(error(R"({"devices": [{"access": "r"}]})") == "linux.resources.devices[0].allow: required");
    CHECK(error(R"({"rdma": {"mlx5_1": {"hcaHandles": true}}})") ==
          "linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected unsigned 32-bit integer, got boolean");
    CHECK(error(R"({"unified": {"memory.high": 1}})") ==
          "linux.resources.unified[\"memory.high\"]: expected string, got number");
    CHECK(error(R"({"cpu": []})") == "linux.resources.cpu: expected object, got array");
}
