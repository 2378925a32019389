// apply_or_restore (update.hpp), the write step of `ocirt update`, against a
// fake cgroupfs: a failed update puts the stored limits back, and a failed
// write-back is reported along with the failed update, never swallowed.
#include <catch2/catch.hpp>
#include <filesystem>

#include "fake_cgroupfs.hpp"
#include "ocirt/update.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// v1 with cpu and pids; /ocirt/c1 made, its files in place but cpu.cfs_burst_us.
struct Host {
    FakeTree t;
    std::unique_ptr<cgroups::Manager> m;
    Host() {
        t.v1("cpu", "cpu");
        t.v1("pids", "pids");
        m = cgroups::open("/ocirt/c1", t.paths());
        m->create();
        FakeTree::touch_all(dir("cpu"), {"cpu.cfs_quota_us", "cpu.cfs_period_us"});
        FakeTree::touch(dir("pids") + "/pids.max");
    }
    std::string dir(const std::string& mount) const { return t.root() + "/" + mount + "/ocirt/c1"; }
};

}  // namespace

TEST_CASE("update: a failed write puts the stored limits back and reports the failure", "[update]") {
    Host h;
    spec::Resources stored, merged;
    stored.pids = spec::PidsResources{64};
    merged.pids = spec::PidsResources{128};
    merged.cpu = spec::CpuResources{};
    merged.cpu->burst = 1000;  // its file is missing
    try {
        apply_or_restore(*h.m, merged, stored, "/ocirt/c1", "/run/ocirt/c1/config.json");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("linux.resources.cpu.burst"));
        CHECK_THAT(e.what(), !Contains("restoring"));
    }
    auto pids = FakeTree::lines(h.dir("pids") + "/pids.max");
    REQUIRE_FALSE(pids.empty());
    CHECK(pids.back() == "64");
}

TEST_CASE("update: a failed restore is reported with the failed update", "[update]") {
    Host h;
    spec::Resources stored, merged;
    stored.cpu = spec::CpuResources{};
    stored.cpu->burst = 1000;
    merged.cpu = spec::CpuResources{};
    merged.cpu->burst = 2000;
    try {
        apply_or_restore(*h.m, merged, stored, "/ocirt/c1", "/run/ocirt/c1/config.json");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Contains("update failed: linux.resources.cpu.burst") &&
                                 Contains("; restoring the previous limits failed too: linux.resources.cpu.burst") &&
                                 Contains("cgroup /ocirt/c1 now holds values") &&
                                 Contains("/run/ocirt/c1/config.json does not record"));
    }
}
