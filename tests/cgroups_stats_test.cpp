// Stats readers and the OOM watch against a fake cgroupfs (fake_cgroupfs.hpp):
// files with the kernel's formats, missing files, malformed ones.
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "fake_cgroupfs.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/oom.hpp"
#include "ocirt/linux/cgroups/stats.hpp"
#include "ocirt/linux/cgroups/stats_parse.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// This host's v1 layout: cpu and cpuacct apart, and systemd's cgroup2.
void v1_host(FakeTree& t) {
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb"}) t.v1(c, c);
    t.v2("unified");
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

}  // namespace

TEST_CASE("v1 stats: every controller's files, in runc's units", "[cgroups][stats]") {
    FakeTree t;
    v1_host(t);
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string r = t.root(), p = "/ocirt/c1/";
    FakeTree::touch(r + "/cpuacct" + p + "cpuacct.usage", "15658188\n");
    FakeTree::touch(r + "/cpuacct" + p + "cpuacct.usage_percpu", "12879795 2778393 \n");
    FakeTree::touch(r + "/cpuacct" + p + "cpuacct.usage_all", "cpu user system\n0 4000000 7\n1 0 3\n");
    FakeTree::touch(r + "/cpuacct" + p + "cpuacct.stat", "user 3\nsystem 2\n");
    FakeTree::touch(r + "/cpu" + p + "cpu.stat",
                    "nr_periods 10\nnr_throttled 4\nthrottled_time 5000\nnr_bursts 0\nburst_time 0\n");
    FakeTree::touch(r + "/cpuset" + p + "cpuset.cpus", "0-2,5\n");
    FakeTree::touch(r + "/cpuset" + p + "cpuset.mems", "0\n");
    FakeTree::touch(r + "/cpuset" + p + "cpuset.sched_load_balance", "1\n");
    FakeTree::touch(r + "/cpuset" + p + "cpuset.sched_relax_domain_level", "-1\n");
    const std::string mem = r + "/memory" + p;
    FakeTree::touch(mem + "memory.stat", "cache 16384\nrss 49152\ntotal_cache 16384\n");
    FakeTree::touch(mem + "memory.usage_in_bytes", "315392\n");
    FakeTree::touch(mem + "memory.max_usage_in_bytes", "2523136\n");
    FakeTree::touch(mem + "memory.limit_in_bytes", "9223372036854771712\n");
    FakeTree::touch(mem + "memory.failcnt", "2\n");
    FakeTree::touch(mem + "memory.memsw.usage_in_bytes", "315393\n");
    FakeTree::touch(mem + "memory.memsw.limit_in_bytes", "9223372036854771712\n");
    FakeTree::touch(mem + "memory.kmem.usage_in_bytes", "249856\n");
    FakeTree::touch(mem + "memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n");
    FakeTree::touch(r + "/pids" + p + "pids.current", "3\n");
    FakeTree::touch(r + "/pids" + p + "pids.max", "max\n");
    FakeTree::touch(r + "/blkio" + p + "blkio.throttle.io_serviced_recursive",
                    "8:0 Read 5\n8:0 Write 6\n8:0 Total 11\nTotal 11\n");
    FakeTree::touch(r + "/blkio" + p + "blkio.throttle.io_service_bytes_recursive", "8:16 Read 4096\nTotal 4096\n");
    FakeTree::touch(r + "/hugetlb" + p + "hugetlb.2MB.usage_in_bytes", "2097152\n");
    FakeTree::touch(r + "/hugetlb" + p + "hugetlb.2MB.max_usage_in_bytes", "4194304\n");
    FakeTree::touch(r + "/hugetlb" + p + "hugetlb.2MB.failcnt", "1\n");
    FakeTree::touch(r + "/hugetlb" + p + "hugetlb.1GB.usage_in_bytes", "0\n");
    // The unified dir of a hybrid host is never read for stats.
    FakeTree::touch(r + "/unified" + p + "cpu.stat", "usage_usec 999\n");

    Stats s = read_stats(*m);
    const uint64_t tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    CHECK(s.cpu_usage.total == 15658188);
    CHECK(s.cpu_usage.percpu == std::vector<uint64_t>{12879795, 2778393});
    CHECK(s.cpu_usage.percpu_user == std::vector<uint64_t>{4000000, 0});
    CHECK(s.cpu_usage.percpu_kernel == std::vector<uint64_t>{7, 3});
    CHECK(s.cpu_usage.user == 3 * tick);
    CHECK(s.cpu_usage.kernel == 2 * tick);
    CHECK(s.throttling.periods == 10);
    CHECK(s.throttling.throttled_periods == 4);
    CHECK(s.throttling.throttled_time == 5000);
    CHECK(s.cpuset.cpus == std::vector<unsigned>{0, 1, 2, 5});
    CHECK(s.cpuset.mems == std::vector<unsigned>{0});
    CHECK(s.cpuset.sched_load_balance == 1);
    CHECK(s.cpuset.sched_relax_domain_level == -1);
    CHECK(s.memory.cache == 16384);
    CHECK(s.memory.raw.size() == 3);
    CHECK(s.memory.raw.at("rss") == 49152);
    CHECK(s.memory.usage.usage == 315392);
    CHECK(s.memory.usage.max == 2523136);
    CHECK(s.memory.usage.limit == 9223372036854771712ULL);
    CHECK(s.memory.usage.failcnt == 2);
    CHECK(s.memory.swap.usage == 315393);
    CHECK(s.memory.kernel.usage == 249856);
    CHECK(s.memory.kernel.limit == 0);  // memory.kmem.limit_in_bytes missing: zero
    CHECK(s.memory.kernel_tcp.limit == 9223372036854771712ULL);
    CHECK(s.pids.current == 3);
    CHECK(s.pids.limit == 0);  // "max"
    REQUIRE(s.blkio.io_serviced_recursive.size() == 3);
    CHECK(s.blkio.io_serviced_recursive[1].op == "Write");
    CHECK(s.blkio.io_serviced_recursive[1].value == 6);
    REQUIRE(s.blkio.io_service_bytes_recursive.size() == 1);
    CHECK(s.blkio.io_service_bytes_recursive[0].major == 8);
    CHECK(s.blkio.io_service_bytes_recursive[0].minor == 16);
    CHECK(s.blkio.io_service_bytes_recursive[0].value == 4096);
    REQUIRE(s.hugetlb.size() == 2);
    CHECK(s.hugetlb.at("2MB").usage == 2097152);
    CHECK(s.hugetlb.at("2MB").max == 4194304);
    CHECK(s.hugetlb.at("2MB").failcnt == 1);
    CHECK(s.hugetlb.at("1GB").usage == 0);
}

TEST_CASE("v1 stats: missing controllers and files read as zero", "[cgroups][stats]") {
    FakeTree t;
    t.v1("memory", "memory");
    t.v1("blkio", "blkio");
    auto m = open("/ocirt/c1", t.paths());
    Stats before = read_stats(*m);  // not even created: no dirs at all
    CHECK(before.memory.raw.empty());
    CHECK(before.pids.current == 0);
    m->create();
    Stats s = read_stats(*m);
    CHECK(s.cpu_usage.total == 0);
    CHECK(s.cpu_usage.percpu.empty());
    CHECK(s.cpuset.cpus.empty());
    CHECK(s.memory.usage.usage == 0);
    CHECK(s.memory.raw.empty());
    CHECK(s.blkio.io_service_bytes_recursive.empty());
    CHECK(s.hugetlb.empty());
}

TEST_CASE("v1 blkio: the first set of files with entries is used", "[cgroups][stats]") {
    FakeTree t;
    t.v1("blkio", "blkio");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/blkio/ocirt/c1/";
    // bfq files with nothing but the total line (an idle device): skipped.
    FakeTree::touch(d + "blkio.bfq.io_serviced_recursive", "Total 0\n");
    FakeTree::touch(d + "blkio.bfq.io_service_bytes_recursive", "Total 0\n");
    FakeTree::touch(d + "blkio.throttle.io_serviced_recursive", "Total 0\n");
    FakeTree::touch(d + "blkio.throttle.io_serviced", "253:1 Read 9\nTotal 9\n");
    FakeTree::touch(d + "blkio.throttle.io_service_bytes", "253:1 Read 512\nTotal 512\n");
    Stats s = read_stats(*m);
    REQUIRE(s.blkio.io_serviced_recursive.size() == 1);
    CHECK(s.blkio.io_serviced_recursive[0].major == 253);
    CHECK(s.blkio.io_serviced_recursive[0].value == 9);
    REQUIRE(s.blkio.io_service_bytes_recursive.size() == 1);
    CHECK(s.blkio.io_service_bytes_recursive[0].value == 512);

    SECTION("cfq's sectors file, without an op") {
        FakeTree::touch(d + "blkio.sectors_recursive", "8:0 24\n");
        FakeTree::touch(d + "blkio.io_serviced_recursive", "8:0 Read 3\n");
        Stats c = read_stats(*m);
        REQUIRE(c.blkio.sectors_recursive.size() == 1);
        CHECK(c.blkio.sectors_recursive[0].op.empty());
        CHECK(c.blkio.sectors_recursive[0].value == 24);
        REQUIRE(c.blkio.io_serviced_recursive.size() == 1);
        CHECK(c.blkio.io_serviced_recursive[0].value == 3);
        CHECK(c.blkio.io_service_bytes_recursive.empty());  // the cfq set has none
    }
}

TEST_CASE("v2 stats: one dir, runc's v1-compatible shapes", "[cgroups][stats]") {
    FakeTree t;
    t.v2("");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/ocirt/c1/";
    FakeTree::touch(d + "cpu.stat",
                    "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\n"
                    "throttled_usec 30\n");
    FakeTree::touch(d + "memory.stat", "anon 4096\nfile 8192\n");
    FakeTree::touch(d + "memory.current", "12288\n");
    FakeTree::touch(d + "memory.max", "max\n");
    FakeTree::touch(d + "memory.peak", "65536\n");
    FakeTree::touch(d + "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
    FakeTree::touch(d + "memory.swap.current", "100\n");
    FakeTree::touch(d + "memory.swap.max", "max\n");
    FakeTree::touch(d + "pids.current", "2\n");
    FakeTree::touch(d + "pids.max", "64\n");
    FakeTree::touch(d + "io.stat",
                    "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                    "253:1 rbytes=512 wbytes=0 rios=1 wios=0 dbytes=0 dios=0 cost.vrate=135.04\n");
    FakeTree::touch(d + "hugetlb.2MB.current", "2097152\n");
    FakeTree::touch(d + "hugetlb.2MB.max", "max\n");
    FakeTree::touch(d + "hugetlb.2MB.events", "max 3\n");
    FakeTree::touch(d + "hugetlb.2MB.rsvd.current", "0\n");

    Stats s = read_stats(*m);
    CHECK(s.cpu_usage.total == 1500000);
    CHECK(s.cpu_usage.user == 1000000);
    CHECK(s.cpu_usage.kernel == 500000);
    CHECK(s.cpu_usage.percpu.empty());
    CHECK(s.throttling.periods == 7);
    CHECK(s.throttling.throttled_periods == 2);
    CHECK(s.throttling.throttled_time == 30000);
    CHECK(s.memory.cache == 8192);
    CHECK(s.memory.raw.at("anon") == 4096);
    CHECK(s.memory.usage.usage == 12288);
    CHECK(s.memory.usage.limit == kMax);
    CHECK(s.memory.usage.max == 65536);
    CHECK(s.memory.usage.failcnt == 4);
    CHECK(s.memory.swap.usage == 12388);  // swap + memory, as v1's memsw
    CHECK(s.memory.swap.limit == kMax);
    CHECK(s.pids.current == 2);
    CHECK(s.pids.limit == 64);
    REQUIRE(s.blkio.io_service_bytes_recursive.size() == 4);
    CHECK(s.blkio.io_service_bytes_recursive[0].op == "Read");
    CHECK(s.blkio.io_service_bytes_recursive[1].op == "Write");
    CHECK(s.blkio.io_service_bytes_recursive[1].value == 8192);
    CHECK(s.blkio.io_service_bytes_recursive[2].major == 253);
    REQUIRE(s.blkio.io_serviced_recursive.size() == 4);
    CHECK(s.blkio.io_serviced_recursive[1].value == 2);
    REQUIRE(s.hugetlb.size() == 1);  // not "2MB.rsvd"
    CHECK(s.hugetlb.at("2MB").usage == 2097152);
    CHECK(s.hugetlb.at("2MB").failcnt == 3);
    CHECK(s.hugetlb.at("2MB").max == 0);

    SECTION("a swap limit adds the memory limit") {
        FakeTree::touch(d + "memory.max", "1048576\n");
        FakeTree::touch(d + "memory.swap.max", "1024\n");
        CHECK(read_stats(*m).memory.swap.limit == 1049600);
    }
}

TEST_CASE("v2 stats: missing files read as zero, pids counted without the controller", "[cgroups][stats]") {
    FakeTree t;
    t.v2("");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/ocirt/c1/";
    FakeTree::touch(d + "cgroup.procs", "5000001\n5000002\n5000003\n");
    Stats s = read_stats(*m);
    CHECK(s.pids.current == 3);
    CHECK(s.pids.limit == 0);
    CHECK(s.memory.usage.usage == 0);
    CHECK(s.memory.swap.limit == 0);
    CHECK(s.memory.raw.empty());
    CHECK(s.cpu_usage.total == 0);
    CHECK(s.blkio.io_service_bytes_recursive.empty());
    CHECK(s.hugetlb.empty());
}

TEST_CASE("malformed stat files are errors naming the file", "[cgroups][stats]") {
    FakeTree t;
    t.v1("memory", "memory");
    t.v1("cpuacct", "cpuacct");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string mem = t.root() + "/memory/ocirt/c1/";
    SECTION("a word where a number belongs") {
        FakeTree::touch(mem + "memory.usage_in_bytes", "lots\n");
        CHECK_THROWS_WITH(read_stats(*m), Contains(mem + "memory.usage_in_bytes") && Contains("lots"));
    }
    SECTION("a flat keyed line with three words") {
        FakeTree::touch(mem + "memory.stat", "cache 1 2\n");
        CHECK_THROWS_WITH(read_stats(*m), Contains(mem + "memory.stat"));
    }
    SECTION("cpuacct.usage_all without its header") {
        FakeTree::touch(t.root() + "/cpuacct/ocirt/c1/cpuacct.usage_all", "0 1 2\n");
        CHECK_THROWS_WITH(read_stats(*m), Contains("cpuacct.usage_all"));
    }
}

TEST_CASE("parsers: blkio, nested keyed, max", "[cgroups][stats]") {
    CHECK(parse_uint(" max\n", "f") == kMax);
    CHECK(parse_uint("42\n", "f") == 42);
    CHECK_THROWS_WITH(parse_uint("-1", "f"), Contains("f: unexpected content \"-1\""));
    CHECK(parse_int("-1\n", "f") == -1);
    CHECK_THROWS_WITH(parse_blkio("8:0 Read\n", "blk"), Contains("blk"));
    CHECK_THROWS_WITH(parse_blkio("80 Read 1\n", "blk"), Contains("80"));
    auto n = parse_nested_keyed("8:0 rbytes=1 cost.vrate=135.04\n", "io.stat");
    REQUIRE(n.size() == 1);
    CHECK(n[0].values[1] == std::pair<std::string, std::string>{"cost.vrate", "135.04"});
    CHECK_THROWS_WITH(parse_nested_keyed("8:0 rbytes\n", "io.stat"), Contains("io.stat"));
    CHECK_THROWS_WITH(parse_nested_keyed("sda rbytes=1\n", "io.stat"), Contains("sda"));
}

TEST_CASE("v1 oom watch: registers on memory.oom_control, counts eventfd signals", "[cgroups][oom]") {
    FakeTree t;
    t.v1("memory", "memory");
    t.v1("pids", "pids");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/memory/ocirt/c1/";
    SECTION("no memory.oom_control: nothing to watch") {
        CHECK_FALSE(OomWatch::open(*m).active());
    }
    SECTION("registered, signalled, then the cgroup goes") {
        FakeTree::touch(d + "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        FakeTree::touch(d + "cgroup.event_control");
        OomWatch w = OomWatch::open(*m);
        REQUIRE(w.active());
        // "<eventfd> <fd of memory.oom_control>": both ours, and the second is that file.
        auto lines = FakeTree::lines(d + "cgroup.event_control");
        REQUIRE(lines.size() == 1);
        int efd = -1, cfd = -1;
        REQUIRE(std::sscanf(lines[0].c_str(), "%d %d", &efd, &cfd) == 2);
        CHECK(efd == w.fd());
        CHECK(fs::read_symlink("/proc/self/fd/" + std::to_string(cfd)) == fs::path(d + "memory.oom_control"));

        CHECK(w.take() == 0);  // nothing yet, and no blocking
        uint64_t one = 1;
        REQUIRE(::write(w.fd(), &one, sizeof one) == sizeof one);  // what the kernel does on an OOM
        CHECK(readable(w.fd()));
        CHECK(w.take() == 1);
        CHECK_FALSE(w.gone());
        fs::remove(d + "cgroup.event_control");  // the cgroup was removed
        REQUIRE(::write(w.fd(), &one, sizeof one) == sizeof one);
        CHECK(w.take() == 0);
        CHECK(w.gone());
    }
}

TEST_CASE("v2 oom watch: inotify on memory.events, oom_kill increases", "[cgroups][oom]") {
    FakeTree t;
    t.v2("");
    auto m = open("/ocirt/c1", t.paths());
    m->create();
    const std::string d = t.root() + "/ocirt/c1/";
    SECTION("no memory.events (controller not enabled): nothing to watch") {
        CHECK_FALSE(OomWatch::open(*m).active());
    }
    SECTION("kills counted from where the watch began") {
        FakeTree::touch(d + "memory.events", "oom 1\noom_kill 1\n");
        FakeTree::touch(d + "cgroup.events", "populated 1\nfrozen 0\n");
        OomWatch w = OomWatch::open(*m);
        REQUIRE(w.active());
        CHECK(w.take() == 0);
        FakeTree::touch(d + "memory.events", "oom 3\noom_kill 3\n");
        CHECK(readable(w.fd()));
        CHECK(w.take() == 2);
        CHECK_FALSE(readable(w.fd()));
        FakeTree::touch(d + "memory.events", "oom 4\noom_kill 3\n");  // an OOM without a kill
        CHECK(w.take() == 0);
        FakeTree::touch(d + "cgroup.events", "populated 0\nfrozen 0\n");
        CHECK(readable(w.fd()));
        CHECK(w.take() == 0);
        CHECK(w.gone());
    }
}
