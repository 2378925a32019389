// What `ocirt update` builds on: the merge of an update into the stored
// linux.resources, their JSON form (persisted in the config copy), the checks
// of linux.resources before anything is written, and runc's size suffixes.
#include <catch2/catch.hpp>

#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/resources_json.hpp"
#include "ocirt/spec/resources_merge.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/size.hpp"

using namespace ocirt;
using namespace ocirt::spec;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

Resources parse(const char* text) { return parse_resources(json::parse(text), "linux.resources"); }

const char* kFull = R"({
  "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
  "memory": {"limit": 104857600, "reservation": 52428800, "swap": 209715200, "kernel": -1, "kernelTCP": 1000,
             "swappiness": 10, "disableOOMKiller": true, "useHierarchy": true, "checkBeforeUpdate": false},
  "cpu": {"shares": 512, "quota": 50000, "burst": 1000, "period": 100000, "realtimeRuntime": 950,
          "realtimePeriod": 1000000, "cpus": "0-1", "mems": "0", "idle": 1},
  "pids": {"limit": 64},
  "blockIO": {"weight": 500, "leafWeight": 300, "weightDevice": [{"major": 8, "minor": 0, "weight": 400}],
              "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1}],
              "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2}],
              "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 3}],
              "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 4}]},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
  "network": {"classID": 7, "priorities": [{"name": "eth0", "priority": 5}]},
  "rdma": {"mlx5_1": {"hcaHandles": 3}},
  "unified": {"memory.high": "100"}
})";

}  // namespace

TEST_CASE("resources_to_json is the inverse of parse_resources", "[resources][update]") {
    json original = json::parse(kFull);
    Resources r = parse_resources(original);
    json back = resources_to_json(r);
    CHECK(back == original);
    CHECK(resources_to_json(Resources{}) == json::object());
}

TEST_CASE("store_resources keeps members ocirt does not model", "[resources][update]") {
    json stored = {{"memory", {{"limit", 1}}}, {"vendor.example", {{"x", 1}}}};
    Resources r;
    r.pids = PidsResources{5};
    store_resources(stored, r);
    CHECK(stored == json{{"pids", {{"limit", 5}}}, {"vendor.example", {{"x", 1}}}});
}

TEST_CASE("merge: what the update gives replaces, the rest stays", "[resources][update]") {
    Resources stored = parse(kFull);
    SECTION("scalars") {
        Resources m = merge_resources(stored, parse(R"({"memory": {"limit": 300000000}, "pids": {"limit": -1},
                                                        "cpu": {"quota": 20000, "cpus": ""}})"));
        CHECK(m.memory->limit == 300000000);
        CHECK(m.memory->swap == 209715200);
        CHECK(m.pids->limit == -1);
        CHECK(m.cpu->quota == 20000);
        CHECK(m.cpu->period == 100000u);
        CHECK(m.cpu->cpus == "0-1");  // empty leaves it
        CHECK(m.devices.size() == 2);
        CHECK(m.unified == stored.unified);
    }
    SECTION("per device, per page size, per name, per key") {
        Resources m = merge_resources(stored, parse(R"({
            "blockIO": {"weightDevice": [{"major": 8, "minor": 0, "leafWeight": 50}, {"major": 8, "minor": 16, "weight": 20}],
                        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 9}]},
            "hugepageLimits": [{"pageSize": "2MB", "limit": 0}, {"pageSize": "1GB", "limit": 1073741824}],
            "network": {"priorities": [{"name": "eth0", "priority": 1}, {"name": "lo", "priority": 2}]},
            "rdma": {"mlx5_1": {"hcaObjects": 10}},
            "unified": {"pids.max": "10"}})"));
        const auto& wd = m.block_io->weight_device;
        REQUIRE(wd.size() == 2);
        CHECK(wd[0].weight == 400);
        CHECK(wd[0].leaf_weight == 50);
        CHECK(wd[1].weight == 20);
        REQUIRE(m.block_io->throttle_read_bps_device.size() == 1);
        CHECK(m.block_io->throttle_read_bps_device[0].rate == 9u);
        CHECK(m.block_io->throttle_write_bps_device[0].rate == 2u);
        REQUIRE(m.hugepage_limits.size() == 2);
        CHECK(m.hugepage_limits[0].limit == 0u);
        CHECK(m.network->class_id == 7u);
        REQUIRE(m.network->priorities.size() == 2);
        CHECK(m.network->priorities[0].priority == 1u);
        CHECK(m.rdma.at("mlx5_1").hca_handles == 3u);
        CHECK(m.rdma.at("mlx5_1").hca_objects == 10u);
        CHECK(m.unified == std::map<std::string, std::string>{{"memory.high", "100"}, {"pids.max", "10"}});
    }
    SECTION("runc's fix-ups: unlimited memory drops swap, idle drops shares") {
        Resources m = merge_resources(stored, parse(R"({"memory": {"limit": -1}, "cpu": {"idle": 0}})"));
        CHECK(m.memory->limit == -1);
        CHECK_FALSE(m.memory->swap);
        CHECK_FALSE(m.cpu->shares);
        Resources n = merge_resources(stored, parse(R"({"memory": {"limit": -1, "swap": -1}})"));
        CHECK(n.memory->swap == -1);
    }
    SECTION("sections the container had not") {
        Resources m = merge_resources(Resources{}, parse(R"({"pids": {"limit": 3}})"));
        CHECK(m.pids->limit == 3);
        CHECK_FALSE(m.memory);
    }
}

TEST_CASE("validate_resources names the field of a bad value", "[resources][update]") {
    const std::vector<std::pair<const char*, const char*>> bad = {
        {R"({"memory": {"swappiness": 101}})", "linux.resources.memory.swappiness: must be between 0 and 100"},
        {R"({"memory": {"limit": -2}})", "linux.resources.memory.limit: must be -1"},
        {R"({"memory": {"limit": 200, "swap": 100}})", "linux.resources.memory.swap: memory+swap 100 is below limit 200"},
        {R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}})",
         "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight"},
        {R"({"hugepageLimits": [{"pageSize": "../2MB", "limit": 1}]})", "linux.resources.hugepageLimits[0].pageSize"},
        {R"({"hugepageLimits": [{"pageSize": "2M", "limit": 1}]})", "linux.resources.hugepageLimits[0].pageSize"},
        {R"({"network": {"priorities": [{"name": "eth0 1\nlo", "priority": 1}]}})",
         "linux.resources.network.priorities[0].name"},
        {R"({"rdma": {"mlx5_1": {}}})", "linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles or hcaObjects"},
        {R"({"unified": {"../cpu.max": "1"}})", "linux.resources.unified[\"../cpu.max\"]"},
        {R"({"unified": {"": "1"}})", "linux.resources.unified[\"\"]"},
    };
    for (auto [text, message] : bad) {
        INFO(text);
        CHECK_THROWS_WITH(validate_resources(parse(text)), Contains(message));
    }
    CHECK_NOTHROW(validate_resources(parse(kFull)));
    CHECK_NOTHROW(validate_resources(parse(R"({"hugepageLimits": [{"pageSize": "64KB", "limit": 1}, {"pageSize": "1GB", "limit": 1}]})")));
}

TEST_CASE("parse_ram_size: runc's memory sizes", "[resources][update]") {
    const std::vector<std::pair<const char*, int64_t>> good = {
        {"0", 0},           {"512", 512},           {"1k", 1024},          {"1K", 1024},
        {"64m", 67108864},  {"64M", 67108864},      {"2g", 2147483648},    {"1.5k", 1536},
        {"1kb", 1024},      {"1KiB", 1024},         {"10 MB", 10485760},   {"1t", 1099511627776},
        {"1p", 1125899906842624}, {"7b", 7},
    };
    for (auto [text, bytes] : good) {
        INFO(text);
        CHECK(parse_ram_size(text) == bytes);
    }
    for (const char* text : {"", "-1", "m", "1x", "1..5m", "1.m", "1mm", "1  m", " 1m", "1m ", "99999999999p"}) {
        INFO(text);
        CHECK_THROWS_WITH(parse_ram_size(text), Contains("invalid size"));
    }
}
