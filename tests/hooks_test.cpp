// The hook runner (config.md "POSIX-platform Hooks") with real hooks: /bin/sh scripts in a
// temp dir. Each hook runs with exactly its args and env, the state JSON on stdin, no fd of
// the runtime but 0..2, and fails with a message naming the hook list, index and path.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ocirt/linux/hooks.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

using ocirt::linux_::run_hooks;
using ocirt::linux_::run_hooks_warn;
using ocirt::spec::Hook;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ocirt-hooks-test.XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) FAIL("mkdtemp");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// An executable /bin/sh script. The hooks run with an empty environment, so scripts name
// programs by absolute path.
std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
    std::string path = dir / name;
    {
        std::ofstream f(path, std::ios::binary);
        f << "#!/bin/sh\n" << body << "\n";
    }
    REQUIRE(::chmod(path.c_str(), 0755) == 0);
    return path;
}

Hook hook(std::string path, std::vector<std::string> args = {}, std::vector<std::string> env = {},
          std::optional<int32_t> timeout = std::nullopt) {
    Hook h;
    h.path = std::move(path);
    h.args = std::move(args);
    h.env = std::move(env);
    h.timeout = timeout;
    return h;
}

std::string error_of(const std::vector<Hook>& hooks, const std::string& kind,
                     const std::string& state = "{}") {
    try {
        run_hooks(hooks, kind, state);
    } catch (const ocirt::Error& e) {
        return e.what();
    }
    return "<no error>";
}

bool process_gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Captures what is logged through spdlog's default logger while it lives.
class CapturedLog {
public:
    CapturedLog() : saved_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out_);
        sink->set_pattern("%l: %v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("hooks-test", sink));
    }
    ~CapturedLog() { spdlog::set_default_logger(saved_); }
    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> saved_;
};

const std::string kState =
    R"({"ociVersion":"1.2.0","id":"c1","status":"creating","pid":4242,"bundle":"/b","annotations":{"k":"v \" \\ é"}})";

}  // namespace

TEST_CASE("the state JSON arrives on stdin exactly", "[hooks]") {
    TempDir dir;
    std::string out = dir / "stdin";
    run_hooks({hook(script(dir, "h", "/bin/cat > " + out))}, "createRuntime", kState);
    CHECK(slurp(out) == kState);
}

TEST_CASE("a 1 MiB state is delivered whole, and does not block a hook that ignores it", "[hooks]") {
    TempDir dir;
    std::string big = "{\"id\":\"" + std::string(1 << 20, 'x') + "\"}";
    std::string out = dir / "stdin";
    run_hooks({hook(script(dir, "reads", "/bin/cat > " + out))}, "prestart", big);
    CHECK(slurp(out) == big);

    auto start = std::chrono::steady_clock::now();
    run_hooks({hook(script(dir, "ignores", "exit 0"), {}, {}, 20)}, "prestart", big);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("args are argv, args[0] included", "[hooks]") {
    TempDir dir;
    std::string out = dir / "cmdline";
    std::string cmd = "/bin/cat /proc/$$/cmdline > " + out;
    run_hooks({hook("/bin/sh", {"my-argv0", "-c", cmd, "arg1", "two words"})}, "createContainer", kState);
    using namespace std::string_literals;
    CHECK(slurp(out) == "my-argv0\0-c\0"s + cmd + "\0arg1\0two words\0"s);
}

TEST_CASE("without args, argv is [path]", "[hooks]") {
    TempDir dir;
    std::string out = dir / "cmdline";
    // /bin/sh with no arguments reads its commands from stdin: the "state" is the script.
    run_hooks({hook("/bin/sh")}, "poststart", "/bin/cat /proc/$$/cmdline > " + out + "\n");
    using namespace std::string_literals;
    CHECK(slurp(out) == "/bin/sh\0"s);
}

TEST_CASE("env is exactly hook.env, nothing inherited", "[hooks]") {
    TempDir dir;
    REQUIRE(::setenv("OCIRT_HOOKS_TEST_INHERITED", "1", 1) == 0);
    std::string out = dir / "environ";
    std::string cmd = "/bin/cat /proc/$$/environ > " + out;
    using namespace std::string_literals;

    SECTION("given") {
        run_hooks({hook("/bin/sh", {"sh", "-c", cmd}, {"A=1", "B=two words", "EMPTY="})}, "createRuntime",
                  kState);
        CHECK(slurp(out) == "A=1\0B=two words\0EMPTY=\0"s);
    }
    SECTION("absent: empty") {
        run_hooks({hook("/bin/sh", {"sh", "-c", cmd})}, "createRuntime", kState);
        CHECK(slurp(out).empty());
    }
    ::unsetenv("OCIRT_HOOKS_TEST_INHERITED");
}

TEST_CASE("hooks run in order, one after the other", "[hooks]") {
    TempDir dir;
    std::string out = dir / "order";
    std::vector<Hook> hooks;
    for (int i = 1; i <= 3; ++i)
        hooks.push_back(hook(
            script(dir, "h" + std::to_string(i),
                   "/bin/sleep 0.0" + std::to_string(4 - i) + "; echo " + std::to_string(i) + " >> " + out)));
    run_hooks(hooks, "prestart", kState);
    CHECK(slurp(out) == "1\n2\n3\n");
}

TEST_CASE("a non-zero exit is an error naming kind, index, path, status and output", "[hooks]") {
    TempDir dir;
    std::string ran = dir / "ran";
    std::string ok = script(dir, "ok", "exit 0");
    std::string bad = script(dir, "bad", "echo some output; echo err text >&2; exit 3");
    std::string after = script(dir, "after", "/bin/touch " + ran);
    CHECK(error_of({hook(ok), hook(bad), hook(after)}, "createRuntime") ==
          "hooks.createRuntime[1] " + bad + ": exited with status 3: some output\nerr text");
    // the hooks after a failed one do not run
    CHECK_FALSE(fs::exists(ran));

    SECTION("without output") {
        std::string quiet = script(dir, "quiet", "exit 42");
        CHECK(error_of({hook(quiet)}, "startContainer") ==
              "hooks.startContainer[0] " + quiet + ": exited with status 42");
    }
    SECTION("killed by a signal") {
        std::string killed = script(dir, "killed", "kill -9 $$");
        CHECK(error_of({hook(killed)}, "prestart") ==
              "hooks.prestart[0] " + killed + ": killed by signal 9 (SIGKILL)");
    }
}

TEST_CASE("only the end of a long output is kept", "[hooks]") {
    TempDir dir;
    std::string loud = script(
        dir, "loud", "i=0; while [ $i -lt 5000 ]; do echo line $i; i=$((i+1)); done; echo last; exit 1");
    std::string msg = error_of({hook(loud)}, "createRuntime");
    std::string head = "hooks.createRuntime[0] " + loud + ": exited with status 1: ...";
    CHECK(msg.rfind(head, 0) == 0);
    CHECK(msg.size() <= head.size() + 4096);
    CHECK(msg.size() > head.size() + 4000);
    CHECK(msg.substr(msg.size() - 14) == "line 4999\nlast");
}

TEST_CASE("a hook that outlives its timeout is killed and reaped", "[hooks]") {
    TempDir dir;
    std::string pidfile = dir / "pid";
    std::string slow = script(dir, "slow", "echo started; echo $$ > " + pidfile + "; exec /bin/sleep 1000");
    auto start = std::chrono::steady_clock::now();
    std::string msg = error_of({hook(slow, {}, {}, 1)}, "prestart");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    CHECK(msg == "hooks.prestart[0] " + slow + ": timed out after 1s: started");
    pid_t pid = std::stoi(slurp(pidfile));
    CHECK(process_gone(pid));
}

TEST_CASE("a hook's leftover children are not waited for, even holding its output", "[hooks]") {
    TempDir dir;
    std::string pidfile = dir / "pid";
    // the background sleep keeps stdout and stderr open after the hook has exited
    std::string h = script(dir, "h", "/bin/sleep 1000 & echo $! > " + pidfile + "; echo bye; exit 0");
    auto start = std::chrono::steady_clock::now();
    run_hooks({hook(h, {}, {}, 60)}, "poststart", kState);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    pid_t pid = std::stoi(slurp(pidfile));
    CHECK_FALSE(process_gone(pid));
    ::kill(pid, SIGKILL);

    SECTION("and a failure still reports what the hook wrote") {
        std::string f = script(dir, "f", "/bin/sleep 1000 & echo $! > " + pidfile + "; echo failing; exit 5");
        CHECK(error_of({hook(f, {}, {}, 60)}, "createRuntime") ==
              "hooks.createRuntime[0] " + f + ": exited with status 5: failing");
        ::kill(std::stoi(slurp(pidfile)), SIGKILL);
    }
}

TEST_CASE("a hook that cannot be executed is an error with errno", "[hooks]") {
    TempDir dir;
    CHECK(error_of({hook("/nonexistent/hook")}, "poststop") ==
          "hooks.poststop[0] /nonexistent/hook: exec: No such file or directory");

    std::string noexec = dir / "noexec";
    std::ofstream(noexec) << "#!/bin/sh\nexit 0\n";
    REQUIRE(::chmod(noexec.c_str(), 0644) == 0);
    CHECK(error_of({hook(noexec)}, "createContainer") ==
          "hooks.createContainer[0] " + noexec + ": exec: Permission denied");

    CHECK(error_of({hook("relative/hook")}, "prestart") ==
          "hooks.prestart[0] relative/hook: path must be absolute");
}

TEST_CASE("run_hooks_warn logs a failure and runs the next hook", "[hooks]") {
    TempDir dir;
    std::string ran = dir / "ran";
    std::string bad = script(dir, "bad", "echo nope >&2; exit 2");
    std::string good = script(dir, "good", "/bin/touch " + ran);
    CapturedLog log;
    REQUIRE_NOTHROW(run_hooks_warn({hook(bad), hook("/nonexistent/hook"), hook(good)}, "poststop", kState));
    CHECK(fs::exists(ran));
    std::string text = log.text();
    CHECK(text.find("warning: hooks.poststop[0] " + bad + ": exited with status 2: nope\n") !=
          std::string::npos);
    CHECK(text.find("warning: hooks.poststop[1] /nonexistent/hook: exec: No such file or directory\n") !=
          std::string::npos);
    CHECK(text.find("hooks.poststop[2]") == std::string::npos);
}

TEST_CASE("the hook gets no fd of the runtime but stdio, no blocked or ignored signal", "[hooks]") {
    TempDir dir;
    // fds without close-on-exec, as a careless caller might leave them
    ocirt::Fd leak(::open("/dev/null", O_RDONLY));
    REQUIRE(leak.valid());
    ocirt::Fd high(::dup2(leak.get(), 200));
    REQUIRE(high.get() == 200);

    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    REQUIRE(::sigprocmask(SIG_BLOCK, &usr1, &old) == 0);
    struct sigaction ign = {}, old_usr2 = {};
    ign.sa_handler = SIG_IGN;
    REQUIRE(::sigaction(SIGUSR2, &ign, &old_usr2) == 0);

    // `exec >`: dash keeps a copy of stdout (fd 10) during a command's own redirection
    std::string fds = dir / "fds", status = dir / "status";
    CHECK_NOTHROW(run_hooks({hook("/bin/sh", {"sh", "-c", "exec > " + fds + "; /bin/ls /proc/$$/fd"}),
                             // cp leaves its signal mask alone (dash clears it), and copies its own status
                             hook("/bin/cp", {"cp", "/proc/self/status", status})},
                            "createRuntime", kState));

    ::sigaction(SIGUSR2, &old_usr2, nullptr);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    CHECK(slurp(fds) == "0\n1\n2\n");
    std::string st = slurp(status);
    CHECK(st.find("\nSigBlk:\t0000000000000000\n") != std::string::npos);
    CHECK(st.find("\nSigIgn:\t0000000000000000\n") != std::string::npos);
}

TEST_CASE("no hooks: nothing runs, nothing fails", "[hooks]") {
    CHECK_NOTHROW(run_hooks({}, "prestart", kState));
    CHECK_NOTHROW(run_hooks_warn({}, "poststop", kState));
}

TEST_CASE("a runtime started with stdio closed still wires the hook's stdio", "[hooks]") {
    TempDir dir;
    std::string out = dir / "stdin";
    std::string h = script(dir, "h", "/bin/cat > " + out + "; echo to-stdout; echo to-stderr >&2; exit 1");
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // the memfd and the pipes then get fds 0, 1 and 2
        ::close(0);
        ::close(1);
        ::close(2);
        try {
            run_hooks({hook(h)}, "createRuntime", kState);
        } catch (const ocirt::Error& e) {
            std::string want = "hooks.createRuntime[0] " + h + ": exited with status 1: to-stdout\nto-stderr";
            ::_exit(e.what() == want ? 0 : 2);
        }
        ::_exit(3);
    }
    int st = 0;
    REQUIRE(::waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    CHECK(slurp(out) == kState);
}

TEST_CASE("SIGCHLD ignored by the caller: the hook's status is still known", "[hooks]") {
    TempDir dir;
    std::string bad = script(dir, "bad", "exit 7");
    struct sigaction ign = {}, old = {};
    ign.sa_handler = SIG_IGN;
    REQUIRE(::sigaction(SIGCHLD, &ign, &old) == 0);
    std::string msg = error_of({hook(bad)}, "createRuntime");
    struct sigaction after = {};
    ::sigaction(SIGCHLD, &old, &after);
    CHECK(msg == "hooks.createRuntime[0] " + bad + ": exited with status 7");
    CHECK(after.sa_handler == SIG_IGN);  // restored
}
