// The cgroup v2 device filter on this host's kernel, as root: the verifier
// accepts the programs, a child moved into our own cgroup2 dir is refused
// what the filter denies, the filter is replaced with exactly one ocirt
// program left, and the kernel's verdicts equal v1's devices cgroup for the
// same rules (where they are meant to). Everything lives in dirs named
// ocirt-test-bpf-<pid> that a guard removes; only our own children are
// killed. Skipped (with a warning) when not root or without cgroup2.
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "device_rule.hpp"
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>
#include <vector>

#include "ocirt/linux/cgroups/bpf_device_filter.hpp"
#include "ocirt/linux/cgroups/bpf_syscall.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;
namespace fs = std::filesystem;

namespace {

bool is_fs(const char* path, long magic) {
    struct statfs s {};
    return ::statfs(path, &s) == 0 && s.f_type == magic;
}

// The cgroup2 mount: the whole of /sys/fs/cgroup (v2), or systemd's
// "unified" (hybrid, as on this host).
std::optional<std::string> cgroup2_root() {
    for (const char* p : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
        if (is_fs(p, CGROUP2_SUPER_MAGIC)) return std::string(p);
    return std::nullopt;
}

bool root_with_cgroup2() {
    if (::geteuid() != 0) {
        WARN("skipped: needs root");
        return false;
    }
    if (!cgroup2_root()) {
        WARN("skipped: no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified");
        return false;
    }
    return true;
}

std::string test_name() { return "ocirt-test-bpf-" + std::to_string(::getpid()); }

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text << std::flush;
    if (!out) FAIL("write " << path << ": " << std::strerror(errno));
}

// Dirs we made, removed (deepest last made, first removed) whatever happens.
class Dirs {
public:
    ~Dirs() {
        for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
            std::error_code ec;
            if (it->second) fs::remove_all(it->first, ec);  // a plain dir of device nodes
            else ::rmdir(it->first.c_str());                // a cgroup
        }
    }
    // A cgroup dir (rmdir only) or a plain dir (removed with its files).
    void make(const std::string& path, bool plain = false) {
        REQUIRE(::mkdir(path.c_str(), 0700) == 0);
        made_.emplace_back(path, plain);
    }

private:
    std::vector<std::pair<std::string, bool>> made_;
};

// A child that tries what the parent asks (open a path, make a device node)
// and answers with the errno, 0 when it worked. Killed and reaped at the end.
class Prober {
public:
    Prober() {
        int down[2], up[2];
        REQUIRE(::pipe2(down, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(up, O_CLOEXEC) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(down[1]);
            ::close(up[0]);
            serve(down[0], up[1]);
        }
        ::close(down[0]);
        ::close(up[1]);
        to_child_ = Fd(down[1]);
        from_child_ = Fd(up[0]);
    }
    ~Prober() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    pid_t pid() const { return pid_; }
    int open(const std::string& path, int flags) { return ask({'o', flags, 0, 0, {}}, path); }
    int mknod(const std::string& path, mode_t type, dev_t dev) { return ask({'m', 0, type, dev, {}}, path); }

private:
    struct Msg {
        char op;
        int flags;
        mode_t type;
        dev_t dev;
        char path[256];
    };

    [[noreturn]] static void serve(int in, int out) {
        Msg m;
        while (::read(in, &m, sizeof m) == static_cast<ssize_t>(sizeof m)) {
            int err = 0;
            if (m.op == 'o') {
                int fd = ::open(m.path, m.flags | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) err = errno;
                else ::close(fd);
            } else if (::mknod(m.path, m.type | 0600, m.dev) != 0) {
                err = errno;
            } else {
                ::unlink(m.path);
            }
            if (::write(out, &err, sizeof err) != sizeof err) break;
        }
        ::_exit(0);
    }

    int ask(Msg m, const std::string& path) {
        REQUIRE(path.size() < sizeof m.path);
        std::memset(m.path, 0, sizeof m.path);
        std::memcpy(m.path, path.data(), path.size());
        REQUIRE(::write(to_child_.get(), &m, sizeof m) == static_cast<ssize_t>(sizeof m));
        int err = -1;
        REQUIRE(::read(from_child_.get(), &err, sizeof err) == static_cast<ssize_t>(sizeof err));
        return err;
    }

    pid_t pid_ = -1;
    Fd to_child_, from_child_;
};

// The ocirt device programs attached to dir.
std::vector<bpf::ProgramInfo> ocirt_programs(const std::string& dir) {
    Fd cg(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(cg.valid());
    std::vector<bpf::ProgramInfo> out;
    for (uint32_t id : bpf::attached_device_programs(cg.get())) {
        Fd p = bpf::program_by_id(id);
        if (!p) continue;
        auto info = bpf::program_info(p.get());
        if (info.name == kDeviceFilterName) out.push_back(info);
    }
    return out;
}

constexpr auto any = std::nullopt;
spec::DeviceRule deny_all() { return rule(false, "", any, any, ""); }
spec::DeviceRule allow_all() { return rule(true, "a", any, any, "rwm"); }

// Whether /proc/devices lists `major` under "Character devices:" (block
// false) or "Block devices:" (block true).
bool major_registered(int major, bool block) {
    std::ifstream in("/proc/devices");
    std::string line;
    bool in_block = false;
    while (std::getline(in, line)) {
        if (line.rfind("Block devices:", 0) == 0) in_block = true;
        std::istringstream ls(line);
        int m;
        if (ls >> m && m == major && in_block == block) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("host bpf: the verifier loads the device filter programs", "[bpf][root]") {
    if (!root_with_cgroup2()) return;
    std::vector<spec::DeviceRule> defaults{deny_all()};
    for (const auto& d : default_device_rules()) defaults.push_back(d);
    std::vector<spec::DeviceRule> hundred;
    for (int i = 0; i < 100; ++i)  // different majors: none covers another
        hundred.push_back(rule(i % 3 != 1, i % 2 ? "b" : "c", 300 + i, i % 4 ? std::optional<int64_t>(i) : any,
                               i % 5 ? "rw" : ""));
    for (const auto& rules : {std::vector<spec::DeviceRule>{}, defaults, hundred}) {
        auto insns = device_filter_program(rules);
        INFO(rules.size() << " rules, " << insns.size() << " instructions");
        Fd prog = bpf::load_device_program(insns, kDeviceFilterName);
        REQUIRE(prog.valid());
        auto info = bpf::program_info(prog.get());
        CHECK(info.name == kDeviceFilterName);
        CHECK(info.type == BPF_PROG_TYPE_CGROUP_DEVICE);
    }
    CHECK(device_filter_program(hundred).size() > 400);  // nothing was dropped

    // A program the verifier refuses: r0 is never set. Its log is in the error.
    bpf_insn exit_only{};
    exit_only.code = BPF_JMP | BPF_EXIT;
    try {
        bpf::load_device_program({exit_only}, kDeviceFilterName);
        FAIL("loaded a program that exits without a verdict");
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(e.code() != 0);
        CHECK(std::string(e.what()).find("bpf: load device program (1 instructions): verifier: ") == 0);
        CHECK(std::string(e.what()).find("R0") != std::string::npos);
    }
}

TEST_CASE("host bpf: a child in the filtered dir, the filter replaced", "[bpf][root]") {
    if (!root_with_cgroup2()) return;
    const std::string dir = *cgroup2_root() + "/" + test_name();
    Dirs dirs;
    dirs.make(dir);
    Prober child;
    write_text(dir + "/cgroup.procs", std::to_string(child.pid()));
    CHECK(child.open("/dev/null", O_RDONLY) == 0);  // no filter yet
    CHECK(ocirt_programs(dir).empty());

    set_device_filter(dir, {allow_all(), rule(false, "c", 1, 3, "rwm")});
    CHECK(child.open("/dev/null", O_RDONLY) == EPERM);
    CHECK(child.open("/dev/null", O_WRONLY) == EPERM);
    CHECK(child.open("/dev/zero", O_RDONLY) == 0);
    CHECK(Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)).valid());  // we are not in that dir
    auto first = ocirt_programs(dir);
    REQUIRE(first.size() == 1);

    // Replaced (one old program: BPF_F_REPLACE, or attach then detach).
    set_device_filter(dir, {allow_all()});
    CHECK(child.open("/dev/null", O_RDWR) == 0);
    CHECK(child.open("/dev/zero", O_RDONLY) == 0);
    auto second = ocirt_programs(dir);
    REQUIRE(second.size() == 1);
    CHECK(second[0].id != first[0].id);

    // Two old ocirt programs (a crash between attach and detach would leave
    // that): both go, the new one stays.
    Fd cg(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(cg.valid());
    Fd extra = bpf::load_device_program(device_filter_program({allow_all()}), kDeviceFilterName);
    bpf::attach_device_program(cg.get(), extra.get());
    REQUIRE(ocirt_programs(dir).size() == 2);
    set_device_filter(dir, {allow_all(), rule(false, "c", 1, 5, "r")});
    auto third = ocirt_programs(dir);
    REQUIRE(third.size() == 1);
    CHECK(third[0].id != second[0].id);
    CHECK(child.open("/dev/null", O_RDWR) == 0);
    CHECK(child.open("/dev/zero", O_RDONLY) == EPERM);
    CHECK(child.open("/dev/zero", O_WRONLY) == 0);  // only "r" was denied

    // Errors name the dir and keep errno.
    const std::string missing = dir + "/missing";
    CHECK_THROWS_WITH(set_device_filter(missing, {allow_all()}),
                      Catch::StartsWith(missing + ": device filter: open: "));
}

TEST_CASE("host bpf: the kernel's verdicts equal v1's devices cgroup", "[bpf][root]") {
    if (!root_with_cgroup2()) return;
    if (!is_fs("/sys/fs/cgroup/devices", CGROUP_SUPER_MAGIC)) {
        WARN("skipped: no v1 devices cgroup to compare with");
        return;
    }
    // Nodes for an unused major (120-127 are for local use): opening one goes
    // past the device cgroup and then fails with ENXIO, touching no driver.
    constexpr int kMajor = 120;
    if (major_registered(kMajor, false) || major_registered(kMajor, true)) {
        WARN("skipped: major 120 is in use on this host");
        return;
    }
    const std::string v2 = *cgroup2_root() + "/" + test_name();
    const std::string v1 = "/sys/fs/cgroup/devices/" + test_name();
    const std::string nodes = "/tmp/" + test_name();
    Dirs dirs;
    dirs.make(nodes, true);
    dirs.make(v2);
    dirs.make(v1);
    for (char type : {'c', 'b'})
        for (int minor : {3, 4})
            REQUIRE(::mknod((nodes + "/" + type + std::to_string(minor)).c_str(),
                            (type == 'c' ? S_IFCHR : S_IFBLK) | 0600, makedev(kMajor, minor)) == 0);
    Prober in_v2, in_v1;
    write_text(v2 + "/cgroup.procs", std::to_string(in_v2.pid()));
    write_text(v1 + "/cgroup.procs", std::to_string(in_v1.pid()));

    // One request, "c 120:3 rw" say: EPERM is "denied", anything else
    // (ENXIO, or 0 for mknod) got past the device cgroup.
    auto allowed = [&](Prober& p, char type, int minor, const std::string& access) {
        int err;
        if (access == "m") {
            err = p.mknod(nodes + "/m", type == 'c' ? S_IFCHR : S_IFBLK, makedev(kMajor, minor));
        } else {
            int flags = access == "r" ? O_RDONLY : access == "w" ? O_WRONLY : O_RDWR;
            err = p.open(nodes + "/" + type + std::to_string(minor), flags);
        }
        if (err != EPERM && err != ENXIO && err != 0) FAIL("unexpected errno " << err);
        return err != EPERM;
    };

    struct Case {
        const char* what;
        std::vector<spec::DeviceRule> rules;
        // Requests where the filter is meant to differ from v1 (see
        // bpf_device_filter.hpp), with the filter's verdict.
        std::vector<std::tuple<char, int, std::string, bool>> differ;
    };
    std::vector<spec::DeviceRule> defaults{deny_all()};
    for (const auto& d : default_device_rules()) defaults.push_back(d);
    std::vector<std::tuple<char, int, std::string, bool>> only_120_3_r;  // v1: "a ..." is "a *:* rwm"
    for (char type : {'c', 'b'})
        for (int minor : {3, 4})
            for (std::string access : {"r", "w", "rw", "m"})
                if (minor != 3 || access != "r") only_120_3_r.emplace_back(type, minor, access, false);
    const std::vector<Case> cases{
        {"defaults", defaults, {}},
        {"one device", {deny_all(), rule(true, "c", kMajor, 3, "rwm")}, {}},
        {"partial access", {deny_all(), rule(true, "c", kMajor, 3, "r")}, {}},
        {"merged access", {deny_all(), rule(true, "c", kMajor, 3, "r"), rule(true, "c", kMajor, 3, "w")}, {}},
        {"bits taken away", {deny_all(), rule(true, "c", kMajor, 3, "rwm"), rule(false, "c", kMajor, 3, "w")}, {}},
        {"wildcard minor", {deny_all(), rule(true, "b", kMajor, any, "rw")}, {}},
        {"allow all, deny some bits", {allow_all(), rule(false, "b", kMajor, any, "w")}, {}},
        {"allow all, deny, allow back", {allow_all(), rule(false, "c", kMajor, 3, ""), rule(true, "c", kMajor, 3, "r")}, {}},
        {"deny inside a wider allow",
         {deny_all(), rule(true, "c", kMajor, any, "rwm"), rule(false, "c", kMajor, 3, "rwm")},
         {{'c', 3, "r", false}, {'c', 3, "w", false}, {'c', 3, "rw", false}, {'c', 3, "m", false}}},
        {"bits from different rules",
         {deny_all(), rule(true, "c", kMajor, any, "r"), rule(true, "c", kMajor, 3, "w")},
         {{'c', 3, "rw", true}}},
        {"type a with numbers", {deny_all(), rule(true, "a", kMajor, 3, "r")}, only_120_3_r},
    };
    for (const auto& c : cases) {
        {
            write_text(v1 + "/devices.deny", "a");  // what the v1 manager writes
            for (const auto& r : c.rules)
                write_text(v1 + (r.allow ? "/devices.allow" : "/devices.deny"), render_v1(r));
            set_device_filter(v2, c.rules);
            for (char type : {'c', 'b'})
                for (int minor : {3, 4})
                    for (std::string access : {"r", "w", "rw", "m"}) {
                        INFO(c.what << ": " << type << " " << kMajor << ":" << minor << " " << access);
                        bool bpf = allowed(in_v2, type, minor, access);
                        bool want = allowed(in_v1, type, minor, access);
                        for (const auto& [t, m, a, verdict] : c.differ)
                            if (t == type && m == minor && a == access) {
                                CHECK(want != verdict);  // still how v1 behaves
                                want = verdict;
                            }
                        CHECK(bpf == want);
                    }
        }
    }
}
