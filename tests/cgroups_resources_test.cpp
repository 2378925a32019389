// linux.resources against a fake cgroupfs (fake_cgroupfs.hpp), on v1, hybrid
// and v2: the file and the value of every field, the v1 -> v2 conversions,
// subtree_control only in dirs ocirt created, and errors that name the field.
#include <catch2/catch.hpp>
#include <filesystem>

// Designated initializers name only the fields a test sets; GCC's -Wextra
// would want every other field spelled out (Clang does not).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "fake_cgroupfs.hpp"
#include "ocirt/linux/cgroups/convert.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
using Catch::Matchers::Contains;
using Lines = std::vector<std::string>;
namespace fs = std::filesystem;

namespace {

const std::string kUnlimited = "9223372036854771712";  // v1's "no limit"

// The control files each v1 controller's dir gets.
const std::vector<std::pair<std::string, Lines>> kV1Files = {
    {"memory",
     {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
      "memory.kmem.tcp.limit_in_bytes", "memory.swappiness", "memory.oom_control", "memory.use_hierarchy",
      "memory.usage_in_bytes", "memory.max_usage_in_bytes"}},
    {"cpu",
     {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us", "cpu.idle", "cpu.rt_runtime_us",
      "cpu.rt_period_us"}},
    {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
    {"pids", {"pids.max"}},
    {"blkio",
     {"blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
      "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
      "blkio.throttle.write_iops_device"}},
    {"hugetlb", {"hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes"}},
    {"net_cls,net_prio", {"net_cls.classid", "net_prio.ifpriomap"}},
    {"rdma", {"rdma.max"}},
};

// A v1 host with the given controllers (mount dir names of kV1Files), the
// container's cgroup /ocirt/c1 created and its control files in place.
struct V1Host {
    FakeTree t;
    std::unique_ptr<Manager> m;

    explicit V1Host(const Lines& mounts = {"memory", "cpu", "cpuset", "pids", "blkio", "hugetlb",
                                           "net_cls,net_prio", "rdma"},
                    bool hybrid = false) {
        for (const auto& name : mounts) t.v1(name, name);
        if (hybrid) t.v2("unified");
        m = open("/ocirt/c1", t.paths());
        m->create();
        for (const auto& [name, files] : kV1Files)
            if (fs::exists(t.root() + "/" + name)) FakeTree::touch_all(dir(name), files);
        if (fs::exists(dir("memory"))) FakeTree::touch(dir("memory") + "/memory.limit_in_bytes", kUnlimited + "\n");
    }
    std::string dir(const std::string& mount) const { return t.root() + "/" + mount + "/ocirt/c1"; }
    Lines lines(const std::string& mount, const std::string& file) const {
        return FakeTree::lines(dir(mount) + "/" + file);
    }
};

// A v2 host: root controllers all enabled, /ocirt and /ocirt/c1 made by ocirt.
const Lines kV2Files = {"cgroup.subtree_control", "cgroup.controllers", "pids.max", "memory.max", "memory.low",
                        "memory.swap.max", "memory.high", "memory.current", "io.weight", "io.max", "cpu.weight",
                        "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "hugetlb.2MB.max",
                        "hugetlb.2MB.rsvd.max", "rdma.max"};
const std::string kV2Controllers = "cpuset cpu io memory hugetlb pids rdma misc\n";

struct V2Host {
    FakeTree t;
    std::unique_ptr<Manager> m;

    explicit V2Host(const std::string& root_enabled = kV2Controllers) {
        t.v2("");
        FakeTree::touch(t.root() + "/cgroup.controllers", kV2Controllers);
        FakeTree::touch(t.root() + "/cgroup.subtree_control", root_enabled);
        m = open("/ocirt/c1", t.paths());
        m->create();
        for (const auto& d : {parent(), leaf()}) {
            FakeTree::touch_all(d, kV2Files);
            FakeTree::touch(d + "/cgroup.controllers", kV2Controllers);
        }
    }
    std::string parent() const { return t.root() + "/ocirt"; }
    std::string leaf() const { return t.root() + "/ocirt/c1"; }
    Lines lines(const std::string& file) const { return FakeTree::lines(leaf() + "/" + file); }
};

spec::ThrottleDevice throttle(int64_t major, int64_t minor, uint64_t rate) { return {major, minor, rate}; }

}  // namespace

// ---- conversions ---------------------------------------------------------------------------

TEST_CASE("conversions: cpu.shares -> cpu.weight, blkio.weight -> io.weight", "[cgroups][resources]") {
    const std::vector<std::pair<uint64_t, uint64_t>> shares = {
        {0, 0}, {1, 1}, {2, 1}, {3, 1}, {512, 20}, {1024, 39}, {2048, 79}, {262143, 9999}, {262144, 10000},
        {1000000, 10000}};
    for (auto [in, out] : shares) {
        INFO("shares " << in);
        CHECK(cpu_weight_from_shares(in) == out);
    }
    const std::vector<std::pair<uint64_t, uint64_t>> weights = {
        {0, 0}, {5, 1}, {10, 1}, {100, 910}, {500, 4950}, {1000, 10000}, {5000, 10000}};
    for (auto [in, out] : weights) {
        INFO("blkio weight " << in);
        CHECK(io_weight_from_blkio(in) == out);
    }
}

TEST_CASE("conversions: cpu.max, memory values, pids.max", "[cgroups][resources]") {
    CHECK(cpu_max(50000, 100000) == "50000 100000");
    CHECK(cpu_max(-1, 0) == "max 100000");
    CHECK(cpu_max(0, 20000) == "max 20000");
    CHECK(memory_v2(-1) == "max");
    CHECK(memory_v2(1024) == "1024");
    CHECK(pids_max(-1) == "max");
    CHECK(pids_max(-5) == "max");
    CHECK(pids_max(0) == "0");
    CHECK(pids_max(100) == "100");
}

TEST_CASE("conversions: memory.swap.max from memory+swap, as runc", "[cgroups][resources]") {
    CHECK(memory_swap_max(-1, 0) == std::optional<std::string>("max"));  // unlimited memory: unlimited swap
    CHECK(memory_swap_max(100, 0) == std::nullopt);                       // no swap value: leave it
    CHECK(memory_swap_max(0, 0) == std::nullopt);
    CHECK(memory_swap_max(100, -1) == std::optional<std::string>("max"));
    CHECK(memory_swap_max(-1, 300) == std::optional<std::string>("300"));
    CHECK(memory_swap_max(100, 100) == std::optional<std::string>("0"));  // swap == limit: no swap
    CHECK(memory_swap_max(100, 300) == std::optional<std::string>("200"));
    CHECK_THROWS_WITH(memory_swap_max(0, 300), Contains("linux.resources.memory.swap") && Contains("limit"));
    CHECK_THROWS_WITH(memory_swap_max(300, 100), Contains("linux.resources.memory.swap") && Contains("below"));
    CHECK_THROWS_WITH(memory_swap_max(-2, 100), Contains("linux.resources.memory.limit"));
}

TEST_CASE("conversions: v1 memory write order and io.max / rdma.max lines", "[cgroups][resources]") {
    // memsw first when the new memsw is above the current limit, or unlimited.
    CHECK(memsw_first(100, 400));
    CHECK(memsw_first(100, -1));
    CHECK_FALSE(memsw_first(300, 200));
    CHECK_FALSE(memsw_first(300, 300));

    spec::BlockIoResources b;
    b.throttle_read_bps_device = {throttle(8, 0, 1048576)};
    b.throttle_write_iops_device = {throttle(8, 0, 100), throttle(8, 16, 7)};
    b.throttle_read_iops_device = {throttle(8, 16, 300)};
    CHECK(io_max_lines(b) == Lines{"8:0 rbps=1048576 wiops=100", "8:16 riops=300 wiops=7"});
    CHECK(io_max_lines(spec::BlockIoResources{}).empty());

    CHECK(rdma_max_line("mlx5_1", {3, 10000}) == "mlx5_1 hca_handle=3 hca_object=10000");
    CHECK(rdma_max_line("mlx4_0", {std::nullopt, 1000}) == "mlx4_0 hca_object=1000");
}

// ---- v1 --------------------------------------------------------------------------------------

TEST_CASE("v1: every resource goes to its controller's file", "[cgroups][resources]") {
    V1Host h;
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600, .reservation = 52428800, .swap = 209715200,
                                     .kernel_tcp = 16777216, .swappiness = 10, .disable_oom_killer = true,
                                     .use_hierarchy = true};
    r.cpu = spec::CpuResources{.shares = 512, .quota = 50000, .burst = 10000, .period = 100000,
                               .realtime_runtime = 950, .realtime_period = 1000000, .cpus = "0", .mems = "0",
                               .idle = 1};
    r.pids = spec::PidsResources{64};
    r.block_io = spec::BlockIoResources{.weight = 500, .leaf_weight = 300};
    r.block_io->weight_device = {{8, 0, 400, 200}};
    r.block_io->throttle_read_bps_device = {throttle(8, 0, 1048576)};
    r.block_io->throttle_write_bps_device = {throttle(8, 0, 2097152)};
    r.block_io->throttle_read_iops_device = {throttle(8, 16, 300)};
    r.block_io->throttle_write_iops_device = {throttle(8, 16, 400)};
    r.hugepage_limits = {{"2MB", 2097152}, {"1GB", 1073741824}};
    r.network = spec::NetworkResources{.class_id = 1048577, .priorities = {{"eth0", 5}, {"lo", 7}}};
    r.rdma["mlx5_1"] = {3, 10000};
    h.m->apply(r);

    // The current limit (unlimited) is above the new memsw: limit first.
    CHECK(h.lines("memory", "memory.limit_in_bytes") == Lines{kUnlimited, "104857600"});
    CHECK(h.lines("memory", "memory.memsw.limit_in_bytes") == Lines{"209715200"});
    CHECK(h.lines("memory", "memory.soft_limit_in_bytes") == Lines{"52428800"});
    CHECK(h.lines("memory", "memory.kmem.tcp.limit_in_bytes") == Lines{"16777216"});
    CHECK(h.lines("memory", "memory.swappiness") == Lines{"10"});
    CHECK(h.lines("memory", "memory.oom_control") == Lines{"1"});
    CHECK(h.lines("memory", "memory.use_hierarchy") == Lines{"1"});
    CHECK(h.lines("cpu", "cpu.shares") == Lines{"512"});
    CHECK(h.lines("cpu", "cpu.cfs_quota_us") == Lines{"50000"});
    CHECK(h.lines("cpu", "cpu.cfs_period_us") == Lines{"100000"});
    CHECK(h.lines("cpu", "cpu.cfs_burst_us") == Lines{"10000"});
    CHECK(h.lines("cpu", "cpu.idle") == Lines{"1"});
    CHECK(h.lines("cpu", "cpu.rt_runtime_us") == Lines{"950"});
    CHECK(h.lines("cpu", "cpu.rt_period_us") == Lines{"1000000"});
    CHECK(h.lines("cpuset", "cpuset.cpus") == Lines{"0"});
    CHECK(h.lines("cpuset", "cpuset.mems") == Lines{"0"});
    CHECK(h.lines("pids", "pids.max") == Lines{"64"});
    CHECK(h.lines("blkio", "blkio.weight") == Lines{"500"});
    CHECK(h.lines("blkio", "blkio.leaf_weight") == Lines{"300"});
    CHECK(h.lines("blkio", "blkio.weight_device") == Lines{"8:0 400"});
    CHECK(h.lines("blkio", "blkio.leaf_weight_device") == Lines{"8:0 200"});
    CHECK(h.lines("blkio", "blkio.throttle.read_bps_device") == Lines{"8:0 1048576"});
    CHECK(h.lines("blkio", "blkio.throttle.write_bps_device") == Lines{"8:0 2097152"});
    CHECK(h.lines("blkio", "blkio.throttle.read_iops_device") == Lines{"8:16 300"});
    CHECK(h.lines("blkio", "blkio.throttle.write_iops_device") == Lines{"8:16 400"});
    CHECK(h.lines("hugetlb", "hugetlb.2MB.limit_in_bytes") == Lines{"2097152"});
    CHECK(h.lines("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes") == Lines{"2097152"});
    CHECK(h.lines("hugetlb", "hugetlb.1GB.limit_in_bytes") == Lines{"1073741824"});
    CHECK(h.lines("net_cls,net_prio", "net_cls.classid") == Lines{"1048577"});
    CHECK(h.lines("net_cls,net_prio", "net_prio.ifpriomap") == Lines{"eth0 5", "lo 7"});
    CHECK(h.lines("rdma", "rdma.max") == Lines{"mlx5_1 hca_handle=3 hca_object=10000"});
}

TEST_CASE("v1: memsw before the limit when raising, after it when lowering", "[cgroups][resources]") {
    V1Host h({"memory"});
    const std::string limit = h.dir("memory") + "/memory.limit_in_bytes";
    const std::string memsw = h.dir("memory") + "/memory.memsw.limit_in_bytes";
    // A dir where memsw is: its write fails, which shows whether the limit went first.
    fs::remove(memsw);
    fs::create_directory(memsw);
    spec::Resources r;
    SECTION("raising 100M/200M to 300M/400M: memsw first") {
        FakeTree::touch(limit, "104857600\n");
        r.memory = spec::MemoryResources{.limit = 314572800, .swap = 419430400};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory.swap"));
        CHECK(FakeTree::lines(limit) == Lines{"104857600"});
    }
    SECTION("lowering 300M/400M to 100M/200M: limit first") {
        FakeTree::touch(limit, "314572800\n");
        r.memory = spec::MemoryResources{.limit = 104857600, .swap = 209715200};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory.swap"));
        CHECK(FakeTree::lines(limit) == Lines{"314572800", "104857600"});
    }
    SECTION("unlimited memory without swap: memsw unlimited first") {
        r.memory = spec::MemoryResources{.limit = -1};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("memory.memsw.limit_in_bytes"));
        CHECK(FakeTree::lines(limit) == Lines{kUnlimited});
    }
}

TEST_CASE("v1: without swap accounting an unlimited limit writes no memsw", "[cgroups][resources]") {
    V1Host h({"memory"});
    fs::remove(h.dir("memory") + "/memory.memsw.limit_in_bytes");
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = -1};
    h.m->apply(r);
    CHECK(h.lines("memory", "memory.limit_in_bytes") == Lines{kUnlimited, "-1"});
    r.memory = spec::MemoryResources{.limit = 1000000, .swap = 2000000};
    CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory.swap") &&
                                         Contains("memory.memsw.limit_in_bytes does not exist"));
}

TEST_CASE("v1: cpu.shares the kernel clamped is an error naming the field", "[cgroups][resources]") {
    V1Host h({"cpu"});
    FakeTree::touch(h.dir("cpu") + "/cpu.shares", "2\n");  // what the kernel reads back
    spec::Resources r;
    r.cpu = spec::CpuResources{.shares = 1};
    CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.cpu.shares: 1 is out of range"));
}

TEST_CASE("v1: blkio weights go to the BFQ files when blkio.weight is absent", "[cgroups][resources]") {
    V1Host h({"blkio"});
    const std::string d = h.dir("blkio");
    fs::remove(d + "/blkio.weight");
    fs::remove(d + "/blkio.weight_device");
    spec::Resources r;
    r.block_io = spec::BlockIoResources{.weight = 500};
    r.block_io->weight_device = {{8, 0, 400, std::nullopt}};
    SECTION("bfq present") {
        FakeTree::touch_all(d, {"blkio.bfq.weight", "blkio.bfq.weight_device"});
        h.m->apply(r);
        CHECK(FakeTree::lines(d + "/blkio.bfq.weight") == Lines{"500"});
        CHECK(FakeTree::lines(d + "/blkio.bfq.weight_device") == Lines{"8:0 400"});
    }
    SECTION("neither: the error names the field and the file") {
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.blockIO.weight: " + d + "/blkio.weight does not exist"));
    }
}

TEST_CASE("v1: a controller that is not mounted is an error before anything is written", "[cgroups][resources]") {
    V1Host h({"memory", "cpu"});
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600};
    SECTION("pids") {
        r.pids = spec::PidsResources{10};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.pids: the pids controller is not available"));
    }
    SECTION("hugetlb") {
        r.hugepage_limits = {{"2MB", 2097152}};
        CHECK_THROWS_WITH(h.m->apply(r),
                          Contains("linux.resources.hugepageLimits: the hugetlb controller is not available"));
    }
    SECTION("net_prio") {
        r.network = spec::NetworkResources{.priorities = {{"eth0", 1}}};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.network.priorities: the net_prio controller"));
    }
    SECTION("cpuset") {
        r.cpu = spec::CpuResources{.mems = "0"};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.cpu.mems: the cpuset controller"));
    }
    CHECK(h.lines("memory", "memory.limit_in_bytes") == Lines{kUnlimited});
}

TEST_CASE("v1: unset and empty values need no controller and write nothing", "[cgroups][resources]") {
    V1Host h({"memory"});
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 0, .kernel = 1000000};  // 0: unset; kernel: ignored
    r.cpu = spec::CpuResources{};
    r.pids = spec::PidsResources{};
    r.block_io = spec::BlockIoResources{};
    r.network = spec::NetworkResources{.class_id = 0};
    h.m->apply(r);
    for (const auto& f : kV1Files.front().second) {
        INFO(f);
        if (f == "memory.limit_in_bytes") CHECK(h.lines("memory", f) == Lines{kUnlimited});
        else CHECK(h.lines("memory", f).empty());
    }
}

TEST_CASE("v1: a value asked for whose file is missing names the field and the file", "[cgroups][resources]") {
    V1Host h({"cpu"});
    fs::remove(h.dir("cpu") + "/cpu.cfs_burst_us");
    spec::Resources r;
    r.cpu = spec::CpuResources{.burst = 1000};
    CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.cpu.burst: " + h.dir("cpu") +
                                              "/cpu.cfs_burst_us does not exist"));
}

TEST_CASE("v1 and hybrid: unified is an error naming linux.resources.unified", "[cgroups][resources]") {
    spec::Resources r;
    r.unified["memory.high"] = "100";
    SECTION("v1") {
        V1Host h({"memory"});
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.unified") && Contains("cgroup v2"));
    }
    SECTION("hybrid") {
        V1Host h({"memory"}, /*hybrid=*/true);
        CHECK(h.m->mode() == Mode::hybrid);
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.unified"));
    }
}

TEST_CASE("hybrid: resources go to the v1 hierarchies", "[cgroups][resources]") {
    V1Host h({"memory", "pids"}, /*hybrid=*/true);
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600};
    r.pids = spec::PidsResources{-1};
    h.m->apply(r);
    CHECK(h.lines("memory", "memory.limit_in_bytes") == Lines{kUnlimited, "104857600"});
    CHECK(h.lines("pids", "pids.max") == Lines{"max"});
    CHECK_FALSE(fs::exists(h.t.root() + "/unified/ocirt/c1/memory.max"));
}

// ---- v2 --------------------------------------------------------------------------------------

TEST_CASE("v2: every resource converted to its file", "[cgroups][resources]") {
    V2Host h;
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600, .reservation = 52428800, .swap = 314572800};
    r.cpu = spec::CpuResources{.shares = 1024, .quota = 50000, .burst = 1000, .period = 100000, .cpus = "0-1",
                               .mems = "0", .idle = 0};
    r.pids = spec::PidsResources{64};
    r.block_io = spec::BlockIoResources{.weight = 500};
    r.block_io->weight_device = {{8, 0, 100, std::nullopt}};
    r.block_io->throttle_read_bps_device = {throttle(8, 0, 1048576)};
    r.block_io->throttle_write_iops_device = {throttle(8, 0, 100)};
    r.block_io->throttle_read_iops_device = {throttle(8, 16, 300)};
    r.hugepage_limits = {{"2MB", 2097152}};
    r.rdma["mlx5_1"] = {3, std::nullopt};
    r.unified = {{"memory.high", "200000000"}, {"pids.max", "32"}};
    h.m->apply(r);

    CHECK(h.lines("pids.max") == Lines{"64", "32"});  // unified last: it wins
    CHECK(h.lines("memory.swap.max") == Lines{"209715200"});
    CHECK(h.lines("memory.max") == Lines{"104857600"});
    CHECK(h.lines("memory.low") == Lines{"52428800"});
    CHECK(h.lines("memory.high") == Lines{"200000000"});
    CHECK(h.lines("io.weight") == Lines{"4950", "8:0 910"});
    CHECK(h.lines("io.max") == Lines{"8:0 rbps=1048576 wiops=100", "8:16 riops=300"});
    CHECK(h.lines("cpu.idle") == Lines{"0"});
    CHECK(h.lines("cpu.weight") == Lines{"39"});
    CHECK(h.lines("cpu.max.burst") == Lines{"1000"});
    CHECK(h.lines("cpu.max") == Lines{"50000 100000"});
    CHECK(h.lines("cpuset.cpus") == Lines{"0-1"});
    CHECK(h.lines("cpuset.mems") == Lines{"0"});
    CHECK(h.lines("hugetlb.2MB.max") == Lines{"2097152"});
    CHECK(h.lines("hugetlb.2MB.rsvd.max") == Lines{"2097152"});
    CHECK(h.lines("rdma.max") == Lines{"mlx5_1 hca_handle=3"});

    // Controllers enabled in the dir ocirt made above the leaf, nowhere else.
    CHECK(FakeTree::lines(h.parent() + "/cgroup.subtree_control") ==
          Lines{"+memory", "+cpu", "+cpuset", "+pids", "+io", "+hugetlb", "+rdma"});
    CHECK(FakeTree::lines(h.t.root() + "/cgroup.subtree_control") == Lines{"cpuset cpu io memory hugetlb pids rdma misc"});
    CHECK(h.lines("cgroup.subtree_control").empty());
}

TEST_CASE("v2: only the controllers the resources need are enabled", "[cgroups][resources]") {
    V2Host h;
    spec::Resources r;
    r.pids = spec::PidsResources{-1};
    r.cpu = spec::CpuResources{};  // nothing set: no cpu, no cpuset
    r.unified = {{"cgroup.max.depth", "3"}};
    FakeTree::touch(h.leaf() + "/cgroup.max.depth");
    h.m->apply(r);
    CHECK(FakeTree::lines(h.parent() + "/cgroup.subtree_control") == Lines{"+pids"});
    CHECK(h.lines("pids.max") == Lines{"max"});
    CHECK(h.lines("cgroup.max.depth") == Lines{"3"});
}

TEST_CASE("v2: a controller missing in a dir ocirt did not create is an error naming it", "[cgroups][resources]") {
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600};
    SECTION("the root has not enabled memory") {
        V2Host h("cpu pids\n");
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory: the memory controller is not enabled in " +
                                                  h.t.root() + "/cgroup.subtree_control"));
        CHECK(FakeTree::lines(h.parent() + "/cgroup.subtree_control").empty());
        CHECK(FakeTree::lines(h.t.root() + "/cgroup.subtree_control") == Lines{"cpu pids"});
    }
    SECTION("a parent that existed before") {
        FakeTree t;
        t.v2("");
        FakeTree::touch(t.root() + "/cgroup.controllers", kV2Controllers);
        FakeTree::touch(t.root() + "/cgroup.subtree_control", kV2Controllers);
        fs::create_directories(t.root() + "/shared");
        FakeTree::touch(t.root() + "/shared/cgroup.subtree_control", "pids\n");
        auto m = open("/shared/c1", t.paths());
        m->create();
        FakeTree::touch_all(t.root() + "/shared/c1", kV2Files);
        CHECK_THROWS_WITH(m->apply(r), Contains("the memory controller is not enabled in " + t.root() +
                                                "/shared/cgroup.subtree_control"));
        CHECK(FakeTree::lines(t.root() + "/shared/cgroup.subtree_control") == Lines{"pids"});
    }
    SECTION("a dir ocirt made whose parent does not offer it") {
        V2Host h;
        FakeTree::touch(h.parent() + "/cgroup.controllers", "cpu pids\n");
        CHECK_THROWS_WITH(h.m->apply(r), Contains("the memory controller is not available in " + h.parent()));
    }
}

TEST_CASE("v2: fields v2 cannot honour are errors naming them", "[cgroups][resources]") {
    V2Host h;
    spec::Resources r;
    std::string field;
    SECTION("network") {
        r.network = spec::NetworkResources{.class_id = 7};
        field = "linux.resources.network";
    }
    SECTION("swappiness") {
        r.memory = spec::MemoryResources{.swappiness = 10};
        field = "linux.resources.memory.swappiness";
    }
    SECTION("kernelTCP") {
        r.memory = spec::MemoryResources{.kernel_tcp = 1000000};
        field = "linux.resources.memory.kernelTCP";
    }
    SECTION("disableOOMKiller") {
        r.memory = spec::MemoryResources{.disable_oom_killer = true};
        field = "linux.resources.memory.disableOOMKiller";
    }
    SECTION("realtimeRuntime") {
        r.cpu = spec::CpuResources{.realtime_runtime = 1000};
        field = "linux.resources.cpu.realtimeRuntime";
    }
    SECTION("weightDevice leafWeight") {
        r.block_io = spec::BlockIoResources{};
        r.block_io->weight_device = {{8, 0, std::nullopt, 100}};
        field = "linux.resources.blockIO.weightDevice[0].leafWeight";
    }
    CHECK_THROWS_WITH(h.m->apply(r), Contains(field + ": not available on cgroup v2"));
    CHECK(FakeTree::lines(h.parent() + "/cgroup.subtree_control").empty());
}

TEST_CASE("v2: the defaults of v1-only fields are accepted", "[cgroups][resources]") {
    V2Host h;
    spec::Resources r;
    r.memory = spec::MemoryResources{.kernel = 1000, .disable_oom_killer = false, .use_hierarchy = true};
    r.network = spec::NetworkResources{};
    CHECK_NOTHROW(h.m->apply(r));
}

TEST_CASE("v2: unified keys are file names of the container's cgroup", "[cgroups][resources]") {
    V2Host h;
    spec::Resources r;
    SECTION("a path") {
        r.unified = {{"../memory.max", "1"}};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.unified[\"../memory.max\"]"));
    }
    SECTION("..") {
        r.unified = {{"..", "1"}};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.unified[\"..\"]"));
    }
    SECTION("a file that does not exist") {
        r.unified = {{"memory.nonexistent", "1"}};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.unified[\"memory.nonexistent\"]: ") &&
                                             Contains("does not exist"));
    }
    SECTION("several lines: one write each") {
        r.unified = {{"io.max", "8:0 rbps=1\n8:16 wbps=2\n"}};
        h.m->apply(r);
        CHECK(h.lines("io.max") == Lines{"8:0 rbps=1", "8:16 wbps=2"});
        CHECK(FakeTree::lines(h.parent() + "/cgroup.subtree_control") == Lines{"+io"});
    }
}

TEST_CASE("v2: io.bfq.weight takes blkio's weight when io.weight is absent", "[cgroups][resources]") {
    V2Host h;
    fs::remove(h.leaf() + "/io.weight");
    FakeTree::touch(h.leaf() + "/io.bfq.weight");
    spec::Resources r;
    r.block_io = spec::BlockIoResources{.weight = 500};
    r.block_io->weight_device = {{8, 0, 100, std::nullopt}};
    h.m->apply(r);
    CHECK(h.lines("io.bfq.weight") == Lines{"500", "8:0 100"});
}

TEST_CASE("v2: memory.swap.max without swap accounting", "[cgroups][resources]") {
    V2Host h;
    fs::remove(h.leaf() + "/memory.swap.max");
    spec::Resources r;
    SECTION("unlimited: nothing to write") {
        r.memory = spec::MemoryResources{.limit = 104857600, .swap = -1};
        h.m->apply(r);
        CHECK(h.lines("memory.max") == Lines{"104857600"});
    }
    SECTION("a swap limit: an error naming the field") {
        r.memory = spec::MemoryResources{.limit = 104857600, .swap = 209715200};
        CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory.swap: ") && Contains("memory.swap.max"));
    }
}

TEST_CASE("v2: checkBeforeUpdate refuses a limit at or below the usage", "[cgroups][resources]") {
    V2Host h;
    FakeTree::touch(h.leaf() + "/memory.current", "150000000\n");
    spec::Resources r;
    r.memory = spec::MemoryResources{.limit = 104857600, .check_before_update = true};
    CHECK_THROWS_WITH(h.m->apply(r), Contains("linux.resources.memory.limit") && Contains("150000000"));
    CHECK(h.lines("memory.max").empty());
    r.memory->check_before_update = false;
    h.m->apply(r);
    CHECK(h.lines("memory.max") == Lines{"104857600"});
}

TEST_CASE("v1_needs and v2_needs: each controller once, with the first field", "[cgroups][resources]") {
    spec::Resources r;
    r.cpu = spec::CpuResources{.shares = 100, .cpus = "0"};
    r.block_io = spec::BlockIoResources{};
    r.block_io->throttle_read_bps_device = {throttle(8, 0, 1)};
    r.unified = {{"memory.high", "1"}, {"cgroup.max.depth", "2"}, {"foo.bar", "3"}};
    CHECK(v1_needs(r) == std::vector<Need>{{"cpuset", "linux.resources.cpu.cpus"},
                                           {"cpu", "linux.resources.cpu"},
                                           {"blkio", "linux.resources.blockIO"}});
    CHECK(v2_needs(r, {"cpu", "cpuset", "io", "memory"}) ==
          std::vector<Need>{{"cpu", "linux.resources.cpu"},
                            {"cpuset", "linux.resources.cpu.cpus"},
                            {"io", "linux.resources.blockIO"},
                            {"memory", "linux.resources.unified[\"memory.high\"]"}});
}
