// linux.seccomp: compile_seccomp / load_seccomp / seccomp_cache_key.
//
// Filters are loaded in forked children only (a filter cannot be removed):
// the child sets no_new_privs, loads, tries syscalls and _exits with a code
// the parent checks. Raw syscall(2) is used where libc might pick another
// syscall (mkdir vs mkdirat).
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "ocirt/linux/seccomp.hpp"
#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::linux_;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using nlohmann::json;

namespace {

constexpr int kSysSeccomp = 1;  // si_code of a SECCOMP_RET_TRAP SIGSYS (not in glibc)

// linux.seccomp from JSON, through the real parser.
spec::Seccomp profile(const json& seccomp) {
    json j = {
        {"ociVersion", "1.2.0"}, {"root", {{"path", "rootfs"}}}, {"linux", {{"seccomp", seccomp}}}};
    spec::Config c = spec::parse_config(j);
    REQUIRE(c.linux);
    REQUIRE(c.linux->seccomp);
    return *c.linux->seccomp;
}

spec::Seccomp profile(const char* seccomp) { return profile(json::parse(seccomp)); }

std::string compile_error(const char* seccomp) {
    spec::Seccomp s = profile(seccomp);
    try {
        compile_seccomp(s);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::string describe(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("signal ") + sigabbrev_np(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// Runs `body` in a forked child and returns how it ended ("exit 0",
// "signal SYS", ...). Exceptions in the child become exit 120.
std::string in_child(const std::function<int()>& body) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = 120;
        try {
            rlimit no_core{0, 0};
            setrlimit(RLIMIT_CORE, &no_core);  // SIGSYS dumps core by default
            code = body();
        } catch (const std::exception& e) {
            dprintf(2, "child: %s\n", e.what());
        }
        _exit(code);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return describe(status);
}

// The child's side: no_new_privs (so no CAP_SYS_ADMIN is needed), then load.
Fd nnp_and_load(const SeccompProgram& p) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) throw_errno("PR_SET_NO_NEW_PRIVS");
    return load_seccomp(p);
}

// Loads `p` in a child and runs `body` under it.
std::string under(const SeccompProgram& p, const std::function<int()>& body) {
    return in_child([&] {
        nnp_and_load(p);
        return body();
    });
}

// "syscall failed with errno e" as a bool for the children's exit codes.
bool fails_with(long rc, int e) { return rc == -1 && errno == e; }

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ocirt-seccomp-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string kDataDir = std::string(OCIRT_SOURCE_DIR) + "/tests/data/seccomp";

#if defined(__x86_64__)
// A 32-bit (i386 ABI) syscall from this 64-bit process.
long int80(long nr, long a = 0, long b = 0, long c = 0) {
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}
constexpr long kI386Getpid = 20, kI386AddKey = 286;

// The kernel runs i386 syscalls of 64-bit processes (IA32 emulation).
bool have_ia32() {
    return in_child([] { return int80(kI386Getpid) == getpid() ? 0 : 1; }) == "exit 0";
}
#endif

}  // namespace

TEST_CASE("seccomp: compile errors name the field", "[seccomp]") {
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_FOO"})"),
               Equals("linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\""));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_ERRNO"},
                   {"names": ["write"], "action": "SCMP_ACT_FOO"}]})"),
               Equals("linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\""));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
                   "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]})"),
               Equals("linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\""));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["x86_64"]})"),
               Equals("linux.seccomp.architectures[0]: unknown architecture \"x86_64\""));
    CHECK_THAT(
        compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_ERRNO",
                    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                             {"index": 1, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]})"),
        Equals("linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_ALMOST\""));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_ERRNO",
                    "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
               Equals("linux.seccomp.syscalls[0].args[0].index: must be less than 6, got 6"));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
                   "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"]})"),
               Equals("linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\""));
    // NEW_LISTENER is the runtime's business, not the profile's.
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
                   "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]})"),
               Equals("linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\""));
}

TEST_CASE("seccomp: errnoRet only with actions that take an errno", "[seccomp]") {
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1})"),
               Equals("linux.seccomp.defaultErrnoRet: not supported by SCMP_ACT_ALLOW (only "
                      "SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno)"));
    CHECK_THAT(
        compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS", "errnoRet": 5}]})"),
        Contains("linux.seccomp.syscalls[0].errnoRet: not supported by SCMP_ACT_KILL_PROCESS"));
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65536}]})"),
               Equals("linux.seccomp.syscalls[0].errnoRet: must be at most 65535, got 65536"));
    CHECK_NOTHROW(
        compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
        "syscalls": [{"names": ["read"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}]})")));
}

TEST_CASE("seccomp: SCMP_ACT_NOTIFY restrictions", "[seccomp]") {
    CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_NOTIFY"})"),
               Equals("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"));
    // The runtime's own syscalls may be notified: it hands the listener over
    // without making one (pidfd_getfd from the parent).
    CHECK(compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["read", "write", "sendmsg", "recvmsg", "close", "exit_group"],
                    "action": "SCMP_ACT_NOTIFY"}]})")).uses_notify);
}

TEST_CASE("seccomp: program shape and flags", "[seccomp]") {
    SECTION("plain") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW"})"));
        CHECK_FALSE(p.insns.empty());
        CHECK(p.flags == 0);
        CHECK_FALSE(p.uses_notify);
    }
    SECTION("flags") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                      "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]})"));
        CHECK(p.flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
                          SECCOMP_FILTER_FLAG_SPEC_ALLOW));
    }
    SECTION("WAIT_KILLABLE_RECV is dropped without a NOTIFY rule, kept with one") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]})"));
        CHECK(p.flags == 0);
        p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})"));
        CHECK(p.flags == (1U << 5));
        CHECK(p.uses_notify);
    }
    SECTION("a NOTIFY rule only for unknown syscalls makes no listener") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["no_such_syscall"], "action": "SCMP_ACT_NOTIFY"}]})"));
        CHECK_FALSE(p.uses_notify);
    }
    SECTION("every little-endian architecture of the spec in one filter") {
        CHECK(seccomp_features().archs.size() == 19);  // all of the spec's, with libseccomp 2.5
        json archs = {"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
                      "SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPSEL",
                      "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC64LE",
                      "SCMP_ARCH_RISCV64",  "SCMP_ARCH_X86_64"};
        SeccompProgram p = compile_seccomp(profile(
            json{{"defaultAction", "SCMP_ACT_ALLOW"},
                 {"architectures", archs},
                 {"syscalls", {{{"names", {"mkdir", "getpid"}}, {"action", "SCMP_ACT_ERRNO"}}}}}));
        CHECK(p.insns.size() > 20);
    }
    SECTION("big-endian architectures cannot join an x86_64 filter") {
        CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
                       "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_S390X"]})"),
                   Equals("linux.seccomp.architectures[1]: \"SCMP_ARCH_S390X\" cannot be in one "
                          "filter with the native architecture and the ones before it (different "
                          "byte order)"));
    }
    SECTION("a rule with the default action is skipped, not refused") {
        CHECK_NOTHROW(compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                         {"names": ["exit_group"], "action": "SCMP_ACT_ALLOW"}]})")));
    }
    SECTION("conflicting conditional rules") {
        CHECK_THAT(compile_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["umask"], "action": "SCMP_ACT_ERRNO",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["umask"], "action": "SCMP_ACT_LOG",
             "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
                   Equals("linux.seccomp.syscalls[1]: syscall \"umask\": conflicts with an earlier "
                          "rule for the same syscall and arguments"));
    }
}

TEST_CASE("seccomp: features", "[seccomp]") {
    SeccompFeatures f = seccomp_features();
    CHECK(f.actions.size() == 9);
    CHECK(f.operators.size() == 7);
    CHECK(f.known_flags.size() == 4);
    CHECK(std::find(f.archs.begin(), f.archs.end(), "SCMP_ARCH_X86_64") != f.archs.end());
    CHECK(std::find(f.supported_flags.begin(), f.supported_flags.end(),
                    "SECCOMP_FILTER_FLAG_LOG") != f.supported_flags.end());
}

TEST_CASE("seccomp: ERRNO, with errnoRet and by default", "[seccomp]") {
    TempDir tmp;
    const std::string dir = tmp.path + "/d";
    // The exit status of a child that tries mkdir under `p`; the directory
    // must not have been made.
    auto mkdir_errno = [&](const SeccompProgram& p) {
        std::string r = under(p, [&] {
            long rc = syscall(SYS_mkdir, dir.c_str(), 0700);
            return rc == -1 ? errno : 0;
        });
        CHECK_FALSE(std::filesystem::exists(dir));
        return r;
    };

    SECTION("errnoRet absent: EPERM") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]})"));
        CHECK(mkdir_errno(p) == "exit " + std::to_string(EPERM));
    }
    SECTION("errnoRet 42") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]})"));
        CHECK(mkdir_errno(p) == "exit 42");
    }
    SECTION("default action ERRNO, defaultErrnoRet absent and 42") {
        // exit_group must stay allowed for the child to report anything.
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": ["exit_group", "exit"], "action": "SCMP_ACT_ALLOW"}]})"));
        CHECK(mkdir_errno(p) == "exit " + std::to_string(EPERM));
        p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42,
            "syscalls": [{"names": ["exit_group", "exit"], "action": "SCMP_ACT_ALLOW"}]})"));
        CHECK(mkdir_errno(p) == "exit 42");
    }
    SECTION("unknown syscall names are skipped") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                          "errnoRet": 13}]})"));
        CHECK(mkdir_errno(p) == "exit 13");
    }
    SECTION("without a filter the directory is made (control)") {
        CHECK(in_child([&] { return syscall(SYS_mkdir, dir.c_str(), 0700) == 0 ? 0 : errno; }) ==
              "exit 0");
        CHECK(std::filesystem::exists(dir));
    }
}

TEST_CASE("seccomp: KILL_PROCESS, KILL, KILL_THREAD, TRAP, TRACE", "[seccomp]") {
    auto p_for = [](const char* action) {
        return compile_seccomp(
            profile(json{{"defaultAction", "SCMP_ACT_ALLOW"},
                         {"syscalls", {{{"names", {"getppid"}}, {"action", action}}}}}));
    };
    auto call_getppid = [] {
        syscall(SYS_getppid);
        return 0;
    };
    CHECK(under(p_for("SCMP_ACT_KILL_PROCESS"), call_getppid) == "signal SYS");
    CHECK(under(p_for("SCMP_ACT_KILL"), call_getppid) == "signal SYS");
    CHECK(under(p_for("SCMP_ACT_KILL_THREAD"), call_getppid) == "signal SYS");
    CHECK(under(p_for("SCMP_ACT_TRAP"), call_getppid) == "signal SYS");

    // TRAP is a catchable SIGSYS that says which syscall.
    SeccompProgram trap = p_for("SCMP_ACT_TRAP");
    CHECK(under(trap, [] {
              struct sigaction sa {};
              sa.sa_flags = SA_SIGINFO;
              sa.sa_sigaction = [](int, siginfo_t* si, void*) {
                  _exit(si->si_code == kSysSeccomp && si->si_syscall == SYS_getppid ? 77 : 78);
              };
              sigaction(SIGSYS, &sa, nullptr);
              syscall(SYS_getppid);
              return 1;
          }) == "exit 77");

    // TRACE without a tracer: the syscall is not run and fails with ENOSYS.
    CHECK(under(p_for("SCMP_ACT_TRACE"),
                [] { return fails_with(syscall(SYS_getppid), ENOSYS) ? 0 : 1; }) == "exit 0");
}

TEST_CASE("seccomp: LOG and ALLOW let the syscall run", "[seccomp]") {
    const pid_t me = getpid();
    for (const char* action : {"SCMP_ACT_LOG", "SCMP_ACT_ALLOW"}) {
        INFO(action);
        SeccompProgram p = compile_seccomp(profile(
            json{{"defaultAction", "SCMP_ACT_ERRNO"},
                 {"syscalls", {{{"names", {"getppid", "exit_group"}}, {"action", action}}}}}));
        CHECK(under(p, [&] {
                  if (syscall(SYS_getppid) != me) return 1;
                  return fails_with(syscall(SYS_getpid), EPERM) ? 0 : 2;  // the default
              }) == "exit 0");
    }
    SECTION("default LOG") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_LOG",
            "flags": ["SECCOMP_FILTER_FLAG_LOG"]})"));
        CHECK(under(p, [&] { return syscall(SYS_getppid) == me ? 0 : 1; }) == "exit 0");
    }
}

TEST_CASE("seccomp: argument conditions", "[seccomp]") {
    auto umask_rule = [](const json& args) {
        return compile_seccomp(profile(json{{"defaultAction", "SCMP_ACT_ALLOW"},
                                            {"syscalls",
                                             {{{"names", {"umask"}},
                                               {"action", "SCMP_ACT_ERRNO"},
                                               {"errnoRet", 42},
                                               {"args", args}}}}}));
    };
    // For each mode: 'd' when the filter must deny umask(mode), 'a' when it
    // must allow it.
    auto check = [](const SeccompProgram& p, const std::vector<std::pair<unsigned, char>>& cases) {
        return under(p, [&] {
            int code = 0, bit = 1;
            for (auto [mode, want] : cases) {
                long rc = syscall(SYS_umask, mode);
                bool denied = fails_with(rc, 42);
                if (denied != (want == 'd')) code |= bit;
                bit <<= 1;
            }
            return code;
        });
    };
    auto arg0 = [](const char* op, uint64_t v) {
        return json::array({{{"index", 0}, {"value", v}, {"op", op}}});
    };

    CHECK(check(umask_rule(arg0("SCMP_CMP_EQ", 022)), {{022, 'd'}, {023, 'a'}}) == "exit 0");
    CHECK(check(umask_rule(arg0("SCMP_CMP_NE", 022)), {{022, 'a'}, {023, 'd'}}) == "exit 0");
    CHECK(check(umask_rule(arg0("SCMP_CMP_LT", 022)), {{021, 'd'}, {022, 'a'}, {023, 'a'}}) ==
          "exit 0");
    CHECK(check(umask_rule(arg0("SCMP_CMP_LE", 022)), {{021, 'd'}, {022, 'd'}, {023, 'a'}}) ==
          "exit 0");
    CHECK(check(umask_rule(arg0("SCMP_CMP_GE", 022)), {{021, 'a'}, {022, 'd'}, {023, 'd'}}) ==
          "exit 0");
    CHECK(check(umask_rule(arg0("SCMP_CMP_GT", 022)), {{021, 'a'}, {022, 'a'}, {023, 'd'}}) ==
          "exit 0");
    // MASKED_EQ: value is the mask, valueTwo the datum: (mode & 0700) == 0700.
    CHECK(check(umask_rule(json::array({{{"index", 0},
                                         {"value", 0700},
                                         {"valueTwo", 0700},
                                         {"op", "SCMP_CMP_MASKED_EQ"}}})),
                {{0777, 'd'}, {0700, 'd'}, {0077, 'a'}, {0600, 'a'}}) == "exit 0");

    SECTION("two conditions on the same argument: either matches (runc's OR)") {
        SeccompProgram p =
            umask_rule(json::array({{{"index", 0}, {"value", 022}, {"op", "SCMP_CMP_EQ"}},
                                    {{"index", 0}, {"value", 077}, {"op", "SCMP_CMP_EQ"}}}));
        CHECK(check(p, {{022, 'd'}, {077, 'd'}, {007, 'a'}}) == "exit 0");
    }
    SECTION("conditions on different arguments: all must match (AND)") {
        // getpriority(which, who): denied only for (PRIO_PROCESS, 0).
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
                "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                         {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]})"));
        CHECK(under(p, [] {
                  if (!fails_with(syscall(SYS_getpriority, PRIO_PROCESS, 0), 42)) return 1;
                  if (fails_with(syscall(SYS_getpriority, PRIO_PGRP, 0), 42)) return 2;
                  if (fails_with(syscall(SYS_getpriority, PRIO_PROCESS, getpid()), 42)) return 3;
                  return 0;
              }) == "exit 0");
    }
    SECTION("personality: 0xffffffff allowed, 8 denied") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]})"));
        CHECK(under(p, [] {
                  if (syscall(SYS_personality, 0xffffffffUL) == -1) return 1;
                  return fails_with(syscall(SYS_personality, 8UL), EPERM) ? 0 : 2;
              }) == "exit 0");
    }
}

TEST_CASE("seccomp: NOTIFY hands out a listener the runtime can answer", "[seccomp]") {
    const char* flag_sets[] = {
        "[]", R"(["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"])",
        R"(["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"])"};
    for (const char* flags : flag_sets) {
        INFO("flags " << flags);
        json j = json::parse(R"({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})");
        j["flags"] = json::parse(flags);
        SeccompProgram p = compile_seccomp(profile(j));
        REQUIRE(p.uses_notify);

        int sv[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        Fd mine(sv[0]), theirs(sv[1]);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 120;
            try {
                mine.reset();
                Fd listener = nnp_and_load(p);
                if (!listener) _exit(10);
                if (!(fcntl(listener.get(), F_GETFD) & FD_CLOEXEC)) _exit(11);
                send_fd(theirs.get(), listener.get(), "");
                listener.reset();
                long rc = syscall(SYS_mkdir, "/nonexistent-ocirt/x", 0700);
                code = rc == 123 ? 0 : 12;
            } catch (const std::exception& e) {
                dprintf(2, "child: %s\n", e.what());
            }
            _exit(code);
        }
        theirs.reset();
        Fd listener = recv_fd(mine.get());
        CHECK(listener);
        if (listener) {
            pollfd pfd{listener.get(), POLLIN, 0};
            REQUIRE(poll(&pfd, 1, 10000) == 1);
            REQUIRE((pfd.revents & POLLIN));
            seccomp_notif req;
            std::memset(&req, 0, sizeof req);
            REQUIRE(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
            CHECK(req.pid == static_cast<uint32_t>(pid));
            CHECK(req.data.nr == SYS_mkdir);
            CHECK(req.data.arch == AUDIT_ARCH_X86_64);
            seccomp_notif_resp resp;
            std::memset(&resp, 0, sizeof resp);
            resp.id = req.id;
            resp.val = 123;
            CHECK(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
        }
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK(describe(status) == "exit 0");
    }

    SECTION("no NOTIFY rule: no listener") {
        SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW"})"));
        CHECK(in_child([&] { return nnp_and_load(p) ? 1 : 0; }) == "exit 0");
    }
}

#if defined(__x86_64__)
TEST_CASE("seccomp: an architecture not in the filter is killed", "[seccomp]") {
    if (!have_ia32()) {
        WARN("no IA32 emulation, skipped");
        return;
    }
    SeccompProgram native = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW"})"));
    CHECK(under(native, [] { return int80(kI386Getpid) == getpid() ? 0 : 1; }) == "signal SYS");
    SeccompProgram both = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86"],
        "syscalls": [{"names": ["add_key"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]})"));
    CHECK(under(both, [] {
              if (int80(kI386Getpid) != getpid()) return 1;
              if (int80(kI386AddKey) != -42) return 2;  // the rule holds on both ABIs
              return fails_with(syscall(SYS_add_key, nullptr, nullptr, nullptr, 0, 0), 42) ? 0 : 3;
          }) == "exit 0");
}
#endif

TEST_CASE("seccomp: load needs no_new_privs or CAP_SYS_ADMIN", "[seccomp]") {
    SeccompProgram p = compile_seccomp(profile(R"({"defaultAction": "SCMP_ACT_ALLOW"})"));
    // Without NNP and without CAP_SYS_ADMIN (dropped from the effective set).
    CHECK(in_child([&] {
              __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
              __user_cap_data_struct data[2] = {};
              if (syscall(SYS_capset, &hdr, data) < 0) return 2;
              try {
                  load_seccomp(p);
              } catch (const Error& e) {
                  return e.code() == EACCES &&
                                 std::string(e.what()).find("no_new_privs") != std::string::npos
                             ? 0
                             : 3;
              }
              return 1;
          }) == "exit 0");
}

TEST_CASE("seccomp: compiling and loading in a forked child", "[seccomp]") {
    spec::Seccomp s = profile(R"({"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9}]})");
    CHECK(in_child([&] {
              nnp_and_load(compile_seccomp(s));
              return fails_with(syscall(SYS_getppid), 9) ? 0 : 1;
          }) == "exit 0");
}

TEST_CASE("seccomp: podman's default profile", "[seccomp]") {
    // The profile as Debian's podman has it (golang-github-containers-common,
    // installed by `make deps`), turned into what podman writes into config.json.
    const std::string installed = "/usr/share/containers/seccomp.json";
    if (::access(installed.c_str(), R_OK) != 0) {
        WARN("skipped: " << installed << " is not installed (make deps installs it)");
        return;
    }
    char tmpl[] = "/tmp/ocirt-podman-seccomp.XXXXXX";
    int tfd = ::mkstemp(tmpl);
    REQUIRE(tfd >= 0);
    ::close(tfd);
    std::string cmd = "/usr/bin/python3 " + kDataDir + "/convert-podman-profile.py " + installed +
                      " > " + tmpl;
    int rc = std::system(cmd.c_str());
    std::string converted = read_file(tmpl);
    ::unlink(tmpl);
    REQUIRE(rc == 0);
    spec::Seccomp s = profile(json::parse(converted));
    REQUIRE(s.syscalls.size() > 20);

    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    SeccompProgram p = compile_seccomp(s);
    auto first = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    constexpr int kRounds = 20;
    t0 = clock::now();
    for (int i = 0; i < kRounds; ++i) compile_seccomp(s);
    auto avg = std::chrono::duration<double, std::milli>(clock::now() - t0).count() / kRounds;
    t0 = clock::now();
    std::string key = seccomp_cache_key(s);
    auto key_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    size_t names = 0;
    for (const auto& sc : s.syscalls) names += sc.names.size();
    WARN("podman default profile (" << names << " syscall names, 3 arches): compile_seccomp "
                                    << first << " ms first, " << avg << " ms average of " << kRounds
                                    << "; " << p.insns.size()
                                    << " BPF instructions; seccomp_cache_key " << key_ms << " ms");
    CHECK_FALSE(p.uses_notify);
    CHECK(p.flags == 0);
    CHECK(p.insns.size() <= BPF_MAXINSNS);

    TempDir tmp;
    const std::string file = tmp.path + "/f";
    CHECK(under(p, [&] {
              // Ordinary work goes on.
              if (syscall(SYS_getpid) != getpid()) return 1;
              int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
              if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) != 0) return 2;
              int pfd[2];
              if (pipe2(pfd, O_CLOEXEC) != 0) return 3;
              pid_t kid = fork();  // clone is allowed
              if (kid < 0) return 4;
              if (kid == 0) _exit(7);
              int st = 0;
              if (waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st) != 7) return 5;
              if (syscall(SYS_personality, 0xffffffffUL) == -1) return 6;
              int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
              if (sock < 0) return 7;
              close(sock);
              // Denied: kexec_load and userfaultfd with EPERM (errnoRet 1), the
              // audit netlink socket with EINVAL, the unlisted rest (add_key,
              // an unlisted personality) with the default ENOSYS.
              if (!fails_with(syscall(SYS_kexec_load, 0UL, 0UL, nullptr, 0UL), EPERM)) return 20;
              if (!fails_with(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), EINVAL))
                  return 21;
              if (!fails_with(syscall(SYS_add_key, nullptr, nullptr, nullptr, 0, 0), ENOSYS))
                  return 22;
              if (!fails_with(syscall(SYS_userfaultfd, O_CLOEXEC), EPERM)) return 23;
              if (!fails_with(syscall(SYS_personality, 0x40UL), ENOSYS)) return 24;
              return 0;
          }) == "exit 0");
#if defined(__x86_64__)
    // The i386 ABI is filtered too (SCMP_ARCH_X86 is in the profile).
    if (have_ia32()) {
        CHECK(under(p, [] {
                  if (int80(kI386Getpid) != getpid()) return 1;
                  return int80(kI386AddKey) == -ENOSYS ? 0 : 2;
              }) == "exit 0");
    } else {
        WARN("no IA32 emulation: the i386 part of the podman profile is not exercised");
    }
#endif
    // Control: without the filter the audit socket is made.
    CHECK(in_child([] {
              int fd = static_cast<int>(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
              return fd >= 0 ? 0 : errno;
          }) == "exit 0");
}

TEST_CASE("seccomp: cache key", "[seccomp]") {
    SECTION("sha-256 test vectors") {
        CHECK(detail::sha256_hex("") ==
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(detail::sha256_hex("abc") ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(detail::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(detail::sha256_hex(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        // Lengths around the padding boundary (55/56/64 bytes).
        CHECK(detail::sha256_hex(std::string(55, 'a')) ==
              "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        CHECK(detail::sha256_hex(std::string(56, 'a')) ==
              "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
        CHECK(detail::sha256_hex(std::string(64, 'a')) ==
              "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    }

    auto key = [](const char* j) { return seccomp_cache_key(profile(j)); };
    const std::string base = key(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})");
    CHECK(base.size() == 64);
    // Equivalent spellings give the same key.
    CHECK(key(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "listenerPath": "/x",
        "listenerMetadata": "m", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]})") == base);
    // Anything that changes the program changes the key.
    CHECK(key(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})") != base);
    CHECK(key(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["readwrite"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})") != base);
    CHECK(key(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]})") != base);
    CHECK(
        key(R"({"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG"], "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})") != base);
    // An errnoRet that makes the profile invalid must not share a valid key.
    CHECK(key(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1})") !=
          key(R"({"defaultAction": "SCMP_ACT_ALLOW"})"));
}
