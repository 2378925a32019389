// What CRIU is told about a container (linux/criu/request.*), from a config
// through the real parser, without running criu: the external mounts (bind
// mounts, the cgroup mounts, masked files, devices) under their mount
// points, namespaces joined by path, the cgroup roots and mode, the flags.
#include <sched.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ocirt/linux/criu/request.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_::criu;
using nlohmann::json;

namespace {

spec::Config config() {
    json j = {
        {"ociVersion", "1.2.0"},
        {"root", {{"path", "rootfs"}}},
        {"annotations", {{"org.criu.config", "/etc/criu/test.conf"}}},
        {"mounts",
         {
             {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
             {{"destination", "/data"}, {"type", "bind"}, {"source", "/srv/data"}, {"options", {"rbind"}}},
             {{"destination", "/rel"}, {"source", "relative"}, {"options", {"bind", "ro"}}},
             {{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}},
             {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"}},
         }},
        {"linux",
         {{"namespaces",
           {{{"type", "pid"}}, {{"type", "mount"}}, {{"type", "network"}, {"path", "/run/netns/x"}}}},
          {"maskedPaths", {"/proc/kcore", "/proc/acpi"}},
          {"devices", {{{"path", "/dev/fuse"}, {"type", "c"}, {"major", 10}, {"minor", 229}}}}}},
    };
    return spec::parse_config(j);
}

CgroupInfo v2() {
    CgroupInfo cg;
    cg.path = "/ocirt/c1";
    cg.hierarchies.push_back({"", "", "/sys/fs/cgroup/ocirt/c1"});
    cg.freezer_dir = "/sys/fs/cgroup/ocirt/c1";
    return cg;
}

CgroupInfo v1() {
    CgroupInfo cg;
    cg.path = "/ocirt/c1";
    cg.hierarchies.push_back({"memory", "memory", "/sys/fs/cgroup/memory/ocirt/c1"});
    cg.hierarchies.push_back({"cpu,cpuacct", "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/ocirt/c1"});
    cg.hierarchies.push_back({"freezer", "freezer", "/sys/fs/cgroup/freezer/ocirt/c1"});
    cg.freezer_dir = "/sys/fs/cgroup/freezer/ocirt/c1";
    return cg;
}

bool is_dir(const std::string& p) { return p == "/proc/acpi"; }

std::string ext(const Request& r, const std::string& key) {
    for (const auto& m : r.ext_mounts)
        if (m.key == key) return m.value;
    return "(none)";
}

}  // namespace

TEST_CASE("criu dump: external mounts under their mount points", "[criu]") {
    Options o;
    Request r = dump_request(config(), 42, "/b/rootfs", o, v2(), {4026531992}, is_dir);
    CHECK(r.kind == Kind::dump);
    CHECK(r.pid == 42);
    CHECK(r.root == "/b/rootfs");
    CHECK(r.log_file == "dump.log");
    CHECK(ext(r, "/data") == "/data");
    CHECK(ext(r, "/rel") == "/rel");
    CHECK(ext(r, "/sys/fs/cgroup") == "/sys/fs/cgroup");
    CHECK(ext(r, "/proc/kcore") == "/proc/kcore");  // a masked file: /dev/null from the host
    CHECK(ext(r, "/proc/acpi") == "(none)");        // a masked dir: a tmpfs CRIU dumps
    CHECK(ext(r, "/dev/fuse") == "/dev/fuse");
    CHECK(ext(r, "/proc") == "(none)");
    CHECK(ext(r, "/tmp") == "(none)");
    CHECK(r.external == std::vector<std::string>{"net[4026531992]:extRootNetNS"});
    CHECK(r.config_file == "/etc/criu/test.conf");
    CHECK(!r.leave_running);
    CHECK(!r.track_mem);
    CHECK(r.notify_scripts);
    CHECK(!r.rst_sibling);
    CHECK(!r.orphan_pts_master);
    spec::Config t = config();
    t.process.emplace().terminal = true;
    CHECK(dump_request(t, 42, "/r", o, v2(), {1}, is_dir).orphan_pts_master);
    CHECK(restore_request(t, "/b", "/r", o, v2(), {7}).orphan_pts_master);
}

TEST_CASE("criu dump: cgroups on v2 and v1 (freezer, mode, mount points)", "[criu]") {
    Options o;
    Request r2 = dump_request(config(), 42, "/r", o, v2(), {1}, is_dir);
    CHECK(r2.manage_cgroups);
    CHECK(r2.cgroups_mode == CgroupsMode::soft);
    CHECK(r2.cgroup_roots.empty());  // a restore's (where the tasks go)
    CHECK(r2.freeze_cgroup == "/sys/fs/cgroup/ocirt/c1");

    o.cgroups_mode = parse_cgroups_mode("strict");
    Request r1 = dump_request(config(), 42, "/r", o, v1(), {1}, is_dir);
    CHECK(r1.cgroups_mode == CgroupsMode::strict);
    CHECK(r1.freeze_cgroup == "/sys/fs/cgroup/freezer/ocirt/c1");
    // one mount point per hierarchy under the config's cgroup mount
    CHECK(ext(r1, "/sys/fs/cgroup/memory") == "/sys/fs/cgroup/memory");
    CHECK(ext(r1, "/sys/fs/cgroup/cpu,cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
}

TEST_CASE("criu pre-dump and dump on a parent: memory tracking", "[criu]") {
    Options o;
    o.pre_dump = true;
    Request pre = dump_request(config(), 42, "/r", o, v2(), {1}, is_dir);
    CHECK(pre.kind == Kind::pre_dump);
    CHECK(pre.track_mem);
    CHECK(pre.leave_running);
    CHECK(pre.log_file == "pre-dump.log");
    Options d;
    d.parent_path = "../pre";
    d.leave_running = true;
    d.tcp_established = d.ext_unix_sk = d.shell_job = d.file_locks = d.auto_dedup = true;
    d.empty_ns = "network";
    Request r = dump_request(config(), 42, "/r", d, v2(), {1}, is_dir);
    CHECK(r.kind == Kind::dump);
    CHECK(r.parent_img == "../pre");
    CHECK(r.track_mem);
    CHECK(r.leave_running);
    CHECK((r.tcp_established && r.ext_unix_sk && r.shell_job && r.file_locks && r.auto_dedup));
    CHECK(r.empty_ns == CLONE_NEWNET);
    CHECK(restore_request(config(), "/b", "/r", d, v2(), {7}).empty_ns == CLONE_NEWNET);
}

TEST_CASE("criu restore: where each external mount comes from", "[criu]") {
    Options o;
    Request r = restore_request(config(), "/bundle", "/run/ocirt/c1/criu-root", o, v2(), {7});
    CHECK(r.kind == Kind::restore);
    CHECK(r.root == "/run/ocirt/c1/criu-root");
    CHECK(r.rst_sibling);
    CHECK(r.log_file == "restore.log");
    CHECK(ext(r, "/data") == "/srv/data");
    CHECK(ext(r, "/rel") == "/bundle/relative");
    CHECK(ext(r, "/sys/fs/cgroup") == "/sys/fs/cgroup/ocirt/c1");
    CHECK(ext(r, "/proc/kcore") == "/dev/null");
    CHECK(ext(r, "/dev/fuse") == "/dev/fuse");
    REQUIRE(r.inherit_fds.size() == 1);
    CHECK(r.inherit_fds[0].key == "extRootNetNS");
    CHECK(r.inherit_fds[0].fd == 7);
    REQUIRE(r.cgroup_roots.size() == 1);
    CHECK(r.cgroup_roots[0].path == "/ocirt/c1");
    REQUIRE(r.cgroup_roots[0].controllers.empty());
    Request r1 = restore_request(config(), "/bundle", "/root", o, v1(), {7});
    CHECK(ext(r1, "/sys/fs/cgroup/memory") == "/sys/fs/cgroup/memory/ocirt/c1");
    REQUIRE(r1.cgroup_roots.size() == 3);
    CHECK(r1.cgroup_roots[1].controllers == "cpu,cpuacct");
    CHECK(r1.cgroup_roots[1].path == "/ocirt/c1");
}

TEST_CASE("criu options: bad flag values name the flag", "[criu]") {
    CHECK(parse_cgroups_mode("") == CgroupsMode::soft);
    CHECK(parse_cgroups_mode("full") == CgroupsMode::full);
    CHECK(parse_cgroups_mode("ignore") == CgroupsMode::ignore);
    CHECK_THROWS_WITH(parse_cgroups_mode("bogus"), Catch::Contains("--manage-cgroups-mode"));
    Options o;
    o.empty_ns = "pid";
    CHECK_THROWS_WITH(dump_request(config(), 1, "/r", o, v2(), {1}, is_dir), Catch::Contains("--empty-ns"));
}

TEST_CASE("criu: no annotation, no default file: no config file", "[criu]") {
    spec::Config c = config();
    c.annotations.clear();
    // /etc/criu/ocirt.conf is read when it exists; "" in the annotation turns it off.
    CHECK(config_file(c) == (::access(kDefaultConfigFile, R_OK) == 0 ? kDefaultConfigFile : ""));
    c.annotations[kConfigAnnotation] = "";
    CHECK(config_file(c).empty());
}

TEST_CASE("criu: with a cgroup namespace the cgroup mount is CRIU's to dump, not external", "[criu]") {
    spec::Config c = config();
    c.linux->namespaces.push_back({spec::NamespaceType::cgroup, ""});
    Options o;
    CHECK(ext(dump_request(c, 42, "/r", o, v2(), {1}, is_dir), "/sys/fs/cgroup") == "(none)");
    CHECK(ext(restore_request(c, "/b", "/r", o, v2(), {7}), "/sys/fs/cgroup") == "(none)");
}
