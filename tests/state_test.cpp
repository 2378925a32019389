// State persistence: state.json round trip, the OCI view runc prints, and
// that a torn or corrupt file is reported with its path.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "ocirt/state.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/version.hpp"

using namespace ocirt;
using Catch::Matchers::Contains;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ocirt-state-test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { remove_all(path); }
};

State sample() {
    State s;
    s.oci_version = "1.2.0";
    s.id = "abc";
    s.pid = 4242;
    s.pid_start_time = 987654321;
    s.bundle = "/b";
    s.rootfs = "/b/rootfs";
    s.created = "2026-01-02T03:04:05.000000006Z";
    s.owner = "";
    s.annotations = {{"k", "v"}, {"org.example", "x y"}};
    s.cgroup_path = "/ocirt/abc";
    s.cgroup_created = {"/sys/fs/cgroup/memory/ocirt", "/sys/fs/cgroup/memory/ocirt/abc"};
    s.has_process = false;
    s.systemd_cgroup = false;
    return s;
}

}  // namespace

TEST_CASE("state.json round-trips every field", "[state]") {
    TempDir d;
    State s = sample();
    save_state(d.path, s);
    State r = load_state(d.path);
    CHECK(r.oci_version == s.oci_version);
    CHECK(r.id == s.id);
    CHECK(r.pid == s.pid);
    CHECK(r.pid_start_time == s.pid_start_time);
    CHECK(r.bundle == s.bundle);
    CHECK(r.rootfs == s.rootfs);
    CHECK(r.created == s.created);
    CHECK(r.annotations == s.annotations);
    CHECK(r.cgroup_path == s.cgroup_path);
    CHECK(r.cgroup_created == s.cgroup_created);
    CHECK(r.has_process == false);
}

TEST_CASE("state.json is written atomically and privately", "[state]") {
    TempDir d;
    save_state(d.path, sample());
    struct stat st;
    REQUIRE(::stat((d.path + "/state.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(path_exists(d.path + "/state.json.tmp"));
    // A second save replaces the first whole.
    State s = sample();
    s.pid = 7;
    save_state(d.path, s);
    CHECK(load_state(d.path).pid == 7);
}

TEST_CASE("a corrupt or missing state.json names the file", "[state]") {
    TempDir d;
    REQUIRE_THROWS_WITH(load_state(d.path), Contains(d.path + "/state.json"));
    write_atomic(d.path + "/state.json", "{\"id\": ");
    REQUIRE_THROWS_WITH(load_state(d.path), Contains(d.path + "/state.json: corrupt state"));
    write_atomic(d.path + "/state.json", "{\"pid\": 1}");
    REQUIRE_THROWS_WITH(load_state(d.path), Contains("corrupt state"));
}

TEST_CASE("the OCI view has runc's fields in runc's order", "[state]") {
    State s = sample();
    auto j = oci_state_view(s, Status::running);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"ociVersion", "id", "pid", "status", "bundle", "rootfs",
                                           "created", "annotations", "owner"});
    CHECK(j["status"] == "running");
    CHECK(j["ociVersion"] == std::string(ocirt::kSpecVersion));  // the runtime's, not the bundle's
    CHECK(j["pid"] == 4242);
    // The spec: a stopped container has no pid to report.
    CHECK(oci_state_view(s, Status::stopped)["pid"] == 0);
    s.annotations.clear();
    CHECK_FALSE(oci_state_view(s, Status::created).contains("annotations"));
}

TEST_CASE("status names are the spec's", "[state]") {
    CHECK(std::string(to_string(Status::creating)) == "creating");
    CHECK(std::string(to_string(Status::created)) == "created");
    CHECK(std::string(to_string(Status::running)) == "running");
    CHECK(std::string(to_string(Status::paused)) == "paused");
    CHECK(std::string(to_string(Status::stopped)) == "stopped");
}

TEST_CASE("timestamps are RFC 3339 in UTC with nanoseconds", "[state]") {
    std::string t = now_rfc3339();
    REQUIRE(t.size() >= 20);
    REQUIRE(t.size() <= 30);
    CHECK(t[4] == '-');
    CHECK(t[10] == 'T');
    CHECK(t.back() == 'Z');
    if (t.size() > 20) {
        CHECK(t[19] == '.');
        CHECK(t[t.size() - 2] != '0');  // trailing zeros trimmed
    }
}

TEST_CASE("recovery.json round-trips as a half-made state; corrupt files are EBADMSG", "[state]") {
    TempDir d;
    State s = sample();
    s.creating = false;
    save_recovery(d.path, s);
    State r = load_recovery(d.path);
    CHECK(r.creating);
    CHECK(r.pid == s.pid);
    CHECK(r.pid_start_time == s.pid_start_time);
    CHECK(r.cgroup_path == s.cgroup_path);
    CHECK(r.cgroup_created == s.cgroup_created);
    save_state(d.path, s);
    CHECK_FALSE(load_state(d.path).creating);

    for (const std::string bad : {"", "{\"id\": \"abc\", \"pi", "garbage \x01", "{\"id\": 1, \"pid\": 2}"}) {
        INFO(bad);
        write_atomic(d.path + "/state.json", bad);
        try {
            load_state(d.path);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == EBADMSG);
            CHECK_THAT(e.what(), Contains(d.path + "/state.json: corrupt state"));
        }
    }
}
