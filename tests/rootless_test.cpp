// Rootless: detection, id map and /etc/subuid parsing, the cgroup choice
// (none on v1, a delegated v2 dir used and limited) and the read-only forms
// of the binary that need no privilege on the host.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "fake_cgroupfs.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/linux/idmap.hpp"
#include "ocirt/linux/readonly_exe.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("rootless: uid_map parsing", "[rootless]") {
    CHECK(parse_id_map("         0          0 4294967295\n", "m") == std::vector<MapRange>{{0, 0, 4294967295u}});
    CHECK(parse_id_map("0 1000 1\n1 100000 65536\n\n", "m") ==
          std::vector<MapRange>{{0, 1000, 1}, {1, 100000, 65536}});
    CHECK(parse_id_map("", "m").empty());
    CHECK_THROWS_WITH(parse_id_map("0 0\n", "/proc/self/uid_map"),
                      Contains("/proc/self/uid_map: line 1") && Contains("\"0 0\""));
    CHECK_THROWS_WITH(parse_id_map("0 x 1\n", "m"), Contains("line 1"));
    CHECK_THROWS_WITH(parse_id_map("0 0 1\n0 0 1 9\n", "m"), Contains("line 2"));
    CHECK_THROWS_WITH(parse_id_map("0 0 4294967296\n", "m"), Contains("line 1"));
}

TEST_CASE("rootless: detection from euid and uid_map", "[rootless]") {
    const std::string host = "         0          0 4294967295\n";
    CHECK_FALSE(detect_rootless(0, host));
    CHECK_FALSE(detect_rootless(0, ""));  // no user namespaces in the kernel
    CHECK(detect_rootless(1000, host));
    // root of rootless podman's namespace: 0 -> the user, 1.. -> its subuids
    CHECK(detect_rootless(0, "0 1000 1\n1 100000 65536\n"));
    CHECK(detect_rootless(0, "0 0 65536\n"));
    CHECK_FALSE(is_host_map({{0, 0, 4294967295u}, {0, 0, 1}}));
}

TEST_CASE("rootless: /etc/subuid lines and the granted ranges", "[rootless]") {
    const std::string subuid = "# comment\nalice:100000:65536\nbroken line\n1001:200000:1000\nbob:x:1\n";
    auto r = parse_subid(subuid);
    REQUIRE(r.size() == 2);
    CHECK(r[0].owner == "alice");
    CHECK(r[0].start == 100000);
    CHECK(r[0].count == 65536);
    CHECK(r[1].owner == "1001");

    using M = spec::IdMapping;
    CHECK(maps_only_own_id({M{0, 1000, 1}}, 1000));
    CHECK_FALSE(maps_only_own_id({M{0, 1000, 2}}, 1000));
    CHECK_FALSE(maps_only_own_id({M{0, 1000, 1}, M{1, 100000, 10}}, 1000));
    CHECK_FALSE(maps_only_own_id({M{0, 0, 1}}, 1000));

    // own id plus a granted range, by name or by number
    CHECK(ungranted_range({M{0, 1000, 1}, M{1, 100000, 65536}}, 1000, subuid, "alice", 1000).empty());
    CHECK(ungranted_range({M{0, 1001, 1}, M{1, 200000, 1000}}, 1001, subuid, "carol", 1001).empty());
    CHECK(ungranted_range({M{1, 100001, 65536}}, 1000, subuid, "alice", 1000) == "hostID 100001 size 65536");
    CHECK(ungranted_range({M{0, 100000, 10}}, 1000, subuid, "bob", 1002) == "hostID 100000 size 10");
    CHECK(ungranted_range({M{0, 0, 1}}, 1000, "", "alice", 1000) == "hostID 0 size 1");
}

TEST_CASE("rootless: the limit field that needs a cgroup", "[rootless][cgroups]") {
    spec::Resources r;
    CHECK_FALSE(cgroups::first_limit(r));
    r.devices.push_back({});
    CHECK_FALSE(cgroups::first_limit(r));  // device rules are no limit
    r.memory = spec::MemoryResources{};
    CHECK_FALSE(cgroups::first_limit(r));  // an empty section
    r.memory->limit = 0;
    CHECK_FALSE(cgroups::first_limit(r));  // 0 is unset (runc's convention)
    r.memory->limit = 1 << 20;
    CHECK(cgroups::first_limit(r) == "linux.resources.memory.limit");
    r.memory.reset();
    r.pids = spec::PidsResources{};
    r.pids->limit = 10;
    CHECK(cgroups::first_limit(r) == "linux.resources.pids.limit");
    r.pids.reset();
    r.unified["memory.high"] = "1";
    CHECK(cgroups::first_limit(r) == "linux.resources.unified[\"memory.high\"]");
}

TEST_CASE("rootless on v1: no cgroup, limits refused naming the field", "[rootless][cgroups]") {
    FakeTree t;
    t.host_like(true);
    auto m = cgroups::open_rootless("/ocirt/c1", t.paths(), 1000);
    CHECK(m->hierarchies().empty());
    CHECK(m->to_create().empty());
    m->create();
    CHECK_FALSE(fs::exists(t.root() + "/memory/ocirt"));
    spec::Resources r;
    CHECK_NOTHROW(m->apply(r));
    r.memory = spec::MemoryResources{};
    r.memory->limit = 1 << 20;
    CHECK_THROWS_WITH(m->apply(r), Contains("linux.resources.memory.limit") && Contains("cgroup v1"));
    CHECK_THROWS_WITH(m->freeze(), Contains("rootless"));
    CHECK_FALSE(m->frozen());
    CHECK(m->pids().empty());
    m->destroy();
}

TEST_CASE("rootless on v2: a delegated dir is used and limited, any other is not", "[rootless][cgroups]") {
    FakeTree t;
    t.v2("");
    const std::string ctl = "cpuset cpu io memory hugetlb pids rdma misc\n";
    const uid_t me = ::geteuid();
    const std::string deleg = t.root() + "/user.slice/user@1000.service";
    fs::create_directories(deleg);
    for (const auto& d : {t.root(), t.root() + "/user.slice", deleg}) {
        FakeTree::touch(d + "/cgroup.controllers", ctl);
        FakeTree::touch(d + "/cgroup.subtree_control", "memory pids\n");
        FakeTree::touch(d + "/cgroup.procs");
    }

    SECTION("delegated: the container's dir is made there and limited") {
        auto m = cgroups::open_rootless("/user.slice/user@1000.service/c1", t.paths(), me);
        REQUIRE(m->hierarchies().size() == 1);
        CHECK(m->to_create() == std::vector<std::string>{deleg + "/c1"});
        m->create();
        FakeTree::touch_all(deleg + "/c1", {"cgroup.subtree_control", "memory.max", "memory.swap.max",
                                            "memory.low", "pids.max"});
        FakeTree::touch(deleg + "/c1/cgroup.controllers", ctl);
        spec::Resources r;
        r.memory = spec::MemoryResources{};
        r.memory->limit = 64 << 20;
        m->apply(r);
        CHECK(FakeTree::lines(deleg + "/c1/memory.max") == std::vector<std::string>{"67108864"});
        // No destroy(): the fake dir holds files a real cgroup's rmdir ignores. FakeTree removes it.
    }
    SECTION("the hierarchy's root, or a dir owned by another uid: none") {
        auto m = cgroups::open_rootless("/ocirt/c1", t.paths(), me + 1);
        CHECK(m->hierarchies().empty());
        REQUIRE(::chown(deleg.c_str(), me + 1, static_cast<gid_t>(-1)) == 0);
        auto n = cgroups::open_rootless("/user.slice/user@1000.service/c1", t.paths(), me);
        CHECK(n->hierarchies().empty());
        spec::Resources r;
        r.pids = spec::PidsResources{};
        r.pids->limit = 5;
        CHECK_THROWS_WITH(n->apply(r), Contains("linux.resources.pids.limit") && Contains("not delegated"));
    }
}

namespace {
bool readonly_fd(int fd) {
    struct statvfs sv;
    return ::fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}
std::string exe() { return fs::read_symlink("/proc/self/exe"); }
}  // namespace

TEST_CASE("rootless read-only binary: a sealed memfd copy", "[rootless][readonly_exe]") {
    Fd fd = sealed_memfd_copy(exe());
    REQUIRE(fd);
    struct stat a, b;
    REQUIRE(::fstat(fd.get(), &a) == 0);
    REQUIRE(::stat(exe().c_str(), &b) == 0);
    CHECK(a.st_size == b.st_size);
    int seals = ::fcntl(fd.get(), F_GET_SEALS);
    CHECK((seals & F_SEAL_WRITE));
    CHECK(::pwrite(fd.get(), "x", 1, 0) < 0);
    CHECK(errno == EPERM);
}

TEST_CASE("rootless read-only binary: a bind in a user namespace of its own", "[rootless][readonly_exe]") {
    // A copy that does not run: writing a running binary fails anyway (ETXTBSY).
    const std::string copy = fs::temp_directory_path() / ("ocirt-rl-exe-" + std::to_string(::getpid()));
    fs::copy_file(exe(), copy, fs::copy_options::overwrite_existing);
    struct Remove {
        std::string p;
        ~Remove() { fs::remove(p); }
    } remove{copy};
    Fd fd = readonly_view_in_own_userns(copy);
    if (!fd) {
        WARN("skipped: cannot create a user namespace here (" << std::strerror(errno) << ")");
        return;
    }
    CHECK(readonly_fd(fd.get()));
    // The same file, on a mount nobody can reach or make writable again.
    struct stat a, b;
    REQUIRE(::fstat(fd.get(), &a) == 0);
    REQUIRE(::stat(copy.c_str(), &b) == 0);
    CHECK(a.st_ino == b.st_ino);
    Fd w(::open(("/proc/self/fd/" + std::to_string(fd.get())).c_str(), O_WRONLY | O_CLOEXEC));
    CHECK_FALSE(w);
    CHECK(errno == EROFS);
}
