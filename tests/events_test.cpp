// events: the JSON shape (runc 1.1's, field by field) and --interval's Go durations.
#include <catch2/catch.hpp>
#include <chrono>

#include "ocirt/events.hpp"
#include "ocirt/util/duration.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

TEST_CASE("stats JSON with nothing read is runc's empty shape", "[events]") {
    // What runc 1.1.5 prints for an all-zero cgroups.Stats.
    const char* runc =
        R"({"type":"stats","id":"c1","data":{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},)"
        R"("cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,)"
        R"("memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,)"
        R"("sched_relax_domain_level":0},"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,)"
        R"("failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},)"
        R"("pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}})";
    CHECK(events::stats_event("c1", cgroups::Stats{}).dump() == runc);
}

TEST_CASE("stats JSON with data: runc's names, order and omitted zeros", "[events]") {
    cgroups::Stats s;
    s.cpu_usage = {15658188, {12879795, 2778393}, {0, 0}, {4000000, 0}, 0, 10000000};
    s.throttling = {5, 0, 7};
    s.cpuset.cpus = {0, 1};
    s.cpuset.mems = {0};
    s.cpuset.sched_load_balance = 1;
    s.cpuset.sched_relax_domain_level = -1;
    s.memory.cache = 16384;
    s.memory.usage = {9223372036854771712ULL, 315392, 2523136, 0};
    s.memory.kernel_tcp = {9223372036854771712ULL, 0, 0, 0};
    s.memory.raw = {{"rss", 49152}, {"cache", 16384}};
    s.pids = {1, 0};
    s.blkio.io_service_bytes_recursive = {{8, 0, "Read", 4096}, {8, 0, "Write", 0}};
    s.blkio.sectors_recursive = {{8, 0, "", 8}};
    s.hugetlb["2MB"] = {0, 0, 0};
    const char* expected =
        R"({"cpu":{"usage":{"total":15658188,"percpu":[12879795,2778393],"percpu_kernel":[0,0],)"
        R"("percpu_user":[4000000,0],"kernel":0,"user":10000000},"throttling":{"periods":5,"throttledTime":7}},)"
        R"("cpuset":{"cpus":[0,1],"cpu_exclusive":0,"mems":[0],"mem_hardwall":0,"mem_exclusive":0,)"
        R"("memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,)"
        R"("sched_load_balance":1,"sched_relax_domain_level":-1},"memory":{"cache":16384,)"
        R"("usage":{"limit":9223372036854771712,"usage":315392,"max":2523136,"failcnt":0},)"
        R"("swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},)"
        R"("kernelTCP":{"limit":9223372036854771712,"failcnt":0},"raw":{"cache":16384,"rss":49152}},)"
        R"("pids":{"current":1},"blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":4096},)"
        R"({"major":8,"op":"Write"}],"sectorsRecursive":[{"major":8,"value":8}]},)"
        R"("hugetlb":{"2MB":{"failcnt":0}},"intel_rdt":{},"network_interfaces":null})";
    CHECK(events::stats_json(s).dump() == expected);
}

TEST_CASE("oom event", "[events]") {
    CHECK(events::oom_event("x").dump() == R"({"type":"oom","id":"x"})");
}

TEST_CASE("Go durations", "[events]") {
    CHECK(parse_go_duration("5s") == 5s);
    CHECK(parse_go_duration("100ms") == 100ms);
    CHECK(parse_go_duration("1m30s") == 90s);
    CHECK(parse_go_duration("1.5h") == 90min);
    CHECK(parse_go_duration(".5s") == 500ms);
    CHECK(parse_go_duration("1.s") == 1s);
    CHECK(parse_go_duration("2us") == 2us);
    CHECK(parse_go_duration("2\u00b5s") == 2us);
    CHECK(parse_go_duration("2\u03bcs") == 2us);
    CHECK(parse_go_duration("7ns") == 7ns);
    CHECK(parse_go_duration("0") == 0ns);
    CHECK(parse_go_duration("-0") == 0ns);
    CHECK(parse_go_duration("-1s") == -1s);
    CHECK(parse_go_duration("+2h") == 2h);
    CHECK(parse_go_duration("1.0000000001s") == 1s);
    CHECK(parse_go_duration("9223372036854775807ns").count() == INT64_MAX);
    CHECK(parse_go_duration("-9223372036854775808ns").count() == INT64_MIN);
    for (const char* bad : {"", "abc", "5", "1x", "s", ".s", "1.2.3s", "-", "1s5", "9223372036854775808ns",
                            "3000000h", "1 s", "0s0"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parse_go_duration(bad), "time: invalid duration \"" + std::string(bad) + "\"");
    }
}
