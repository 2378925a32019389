// The on-disk cache of compiled seccomp programs (linux/seccomp_cache).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "ocirt/linux/seccomp_cache.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

spec::Seccomp profile(const json& seccomp) {
    json j = {{"ociVersion", "1.2.0"}, {"root", {{"path", "rootfs"}}}, {"linux", {{"seccomp", seccomp}}}};
    return *spec::parse_config(j).linux->seccomp;
}

const json kProfile = {{"defaultAction", "SCMP_ACT_ALLOW"},
                       {"syscalls", json::array({{{"names", {"mkdir", "rmdir"}},
                                                  {"action", "SCMP_ACT_ERRNO"}}})}};

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ocirt-seccomp-cache-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
void spit(const std::string& p, const std::string& data) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

bool same(const SeccompProgram& a, const SeccompProgram& b) {
    return a.flags == b.flags && a.uses_notify == b.uses_notify && a.insns.size() == b.insns.size() &&
           std::memcmp(a.insns.data(), b.insns.data(), a.insns.size() * sizeof(sock_filter)) == 0;
}

// The cached entry with its first instruction's k changed: valid framing,
// different program, so a hit is visible without timing anything.
std::string marked(const std::string& entry) {
    std::string e = entry;
    uint32_t k = 0xfeedf00d;
    std::memcpy(e.data() + 24 + offsetof(sock_filter, k), &k, sizeof k);  // header is 24 bytes
    return e;
}

}  // namespace

TEST_CASE("seccomp cache: a miss compiles and stores, a hit is read back", "[seccomp][cache]") {
    TempDir root;
    const std::string dir = seccomp_cache_dir(root.path);
    CHECK(dir == root.path + "/@cache/seccomp");
    const auto s = profile(kProfile);
    const auto direct = compile_seccomp(s);

    const auto first = compile_seccomp_cached(s, dir);
    CHECK(same(first, direct));
    const std::string entry = dir + "/" + seccomp_cache_key(s) + ".bpf";
    REQUIRE(fs::exists(entry));
    struct stat st;
    REQUIRE(::stat(entry.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);

    // The second call returns what is in the file, not a fresh compile.
    spit(entry, marked(slurp(entry)));
    const auto second = compile_seccomp_cached(s, dir);
    REQUIRE(second.insns.size() == direct.insns.size());
    CHECK(second.insns[0].k == 0xfeedf00d);
}

TEST_CASE("seccomp cache: bad entries are ignored and replaced", "[seccomp][cache]") {
    TempDir root;
    const std::string dir = seccomp_cache_dir(root.path);
    const auto s = profile(kProfile);
    const auto direct = compile_seccomp(s);
    compile_seccomp_cached(s, dir);
    const std::string entry = dir + "/" + seccomp_cache_key(s) + ".bpf";
    const std::string good = slurp(entry);

    SECTION("truncated") { spit(entry, good.substr(0, good.size() - 9)); }
    SECTION("another profile's key") {
        std::string e = marked(good);
        e[e.size() - 1] = e[e.size() - 1] == '0' ? '1' : '0';
        spit(entry, e);
    }
    SECTION("writable by others") {
        spit(entry, marked(good));
        ::chmod(entry.c_str(), 0666);
    }
    SECTION("garbage") { spit(entry, std::string(200, 'x')); }
    SECTION("a symlink") {
        spit(entry + ".real", marked(good));
        fs::remove(entry);
        fs::create_symlink(entry + ".real", entry);
    }
    CHECK(same(compile_seccomp_cached(s, dir), direct));
    // and the entry is a good one again
    CHECK(slurp(entry) == good);
}

TEST_CASE("seccomp cache: a profile change is a different entry", "[seccomp][cache]") {
    TempDir root;
    const std::string dir = seccomp_cache_dir(root.path);
    json other = kProfile;
    other["syscalls"][0]["action"] = "SCMP_ACT_KILL";
    compile_seccomp_cached(profile(kProfile), dir);
    const auto b = compile_seccomp_cached(profile(other), dir);
    CHECK(same(b, compile_seccomp(profile(other))));
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);
}

TEST_CASE("seccomp cache: an unwritable cache dir still compiles", "[seccomp][cache]") {
    TempDir root;
    spit(root.path + "/@cache", "not a dir");
    const auto s = profile(kProfile);
    CHECK(same(compile_seccomp_cached(s, seccomp_cache_dir(root.path)), compile_seccomp(s)));
}

TEST_CASE("seccomp cache: compile errors are not cached", "[seccomp][cache]") {
    TempDir root;
    const std::string dir = seccomp_cache_dir(root.path);
    json bad = kProfile;
    bad["syscalls"][0]["action"] = "SCMP_ACT_NOPE";
    CHECK_THROWS_AS(compile_seccomp_cached(profile(bad), dir), Error);
    CHECK_FALSE(fs::exists(dir));
}
