#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {
namespace {

// How much of the hook's stdout+stderr ends up in the error message (the end of it).
constexpr size_t kOutputKept = 4096;
// After the hook has exited, at most this much more is read from the pipe (a process the hook
// left behind may still be writing to it).
constexpr size_t kFinalDrain = 256 * 1024;
// Without a pidfd (kernel < 5.3, or a seccomp filter refusing pidfd_open) the hook's exit is
// polled for at this interval.
constexpr int kTickMs = 10;

// What the child reports on the exec-error pipe when it fails before execve succeeds.
enum class Stage : int { stdio = 1, fds = 2, exec = 3, cwd = 4, signals = 5 };
struct ChildFailure {
    Stage stage;
    int err;
};

// The end of what the hook wrote, bounded.
class Output {
public:
    void append(const char* p, size_t n) {
        buf_.append(p, n);
        if (buf_.size() > 2 * kOutputKept) {
            buf_.erase(0, buf_.size() - kOutputKept);
            truncated_ = true;
        }
    }
    // The kept text without surrounding blank space; "..." marks a cut beginning.
    std::string text() const {
        std::string s = buf_.size() > kOutputKept ? buf_.substr(buf_.size() - kOutputKept) : buf_;
        bool cut = truncated_ || buf_.size() > kOutputKept;
        const char* blank = " \t\r\n";
        auto b = s.find_first_not_of(blank);
        if (b == std::string::npos) return "";
        s = s.substr(b, s.find_last_not_of(blank) - b + 1);
        return cut ? "..." + s : s;
    }

private:
    std::string buf_;
    bool truncated_ = false;
};

// Reads what is available from the non-blocking `fd` into `out`, at most `limit` bytes.
// Returns false once the pipe is at end of file (or broken).
bool drain(int fd, Output& out, size_t limit = SIZE_MAX) {
    char buf[16384];
    size_t total = 0;
    while (total < limit) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            total += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        return false;
    }
    return true;
}

void write_all(int fd, const std::string& data, const std::string& what) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno(what);
        off += static_cast<size_t>(n);
    }
}

// The state JSON as a file at offset 0, to be the hook's stdin.
Fd state_memfd(const std::string& state_json) {
    Fd fd(::memfd_create("ocirt-hook-state", MFD_CLOEXEC));
    if (!fd) throw_errno("memfd_create");
    write_all(fd.get(), state_json, "write the state to a memfd");
    if (::lseek(fd.get(), 0, SEEK_SET) != 0) throw_errno("lseek the state memfd");
    return fd;
}

// A forked hook not reaped yet: killed and reaped if the runner unwinds early.
class Child {
public:
    explicit Child(pid_t pid) : pid_(pid) {}
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }
    pid_t pid() const { return pid_; }
    // The exit status if the child has exited (it is then reaped), without blocking.
    std::optional<int> try_reap() {
        int st = 0;
        for (;;) {
            pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return st;
            }
            if (r == 0) return std::nullopt;
            if (errno == EINTR) continue;
            throw_errno("wait for the hook");
        }
    }
    // Blocks until the child has exited; returns its status.
    int reap() {
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0) {
            if (errno == EINTR) continue;
            pid_ = -1;
            throw_errno("wait for the hook");
        }
        pid_ = -1;
        return st;
    }
    void kill() { ::kill(pid_, SIGKILL); }

private:
    pid_t pid_;
};

// SIGCHLD ignored (or SA_NOCLDWAIT), which a caller may hand down through exec, would make
// the kernel reap the hook itself and waitpid fail: SIG_DFL while a hook runs.
class ReapableChildren {
public:
    ReapableChildren() {
        if (::sigaction(SIGCHLD, nullptr, &old_) != 0) return;
        if (old_.sa_handler != SIG_IGN && !(old_.sa_flags & SA_NOCLDWAIT)) return;
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        changed_ = ::sigaction(SIGCHLD, &dfl, nullptr) == 0;
    }
    ReapableChildren(const ReapableChildren&) = delete;
    ReapableChildren& operator=(const ReapableChildren&) = delete;
    ~ReapableChildren() {
        if (changed_) ::sigaction(SIGCHLD, &old_, nullptr);
    }

private:
    struct sigaction old_ {};
    bool changed_ = false;
};

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void fail_child(int report, Stage stage) {
    ChildFailure f{stage, errno};
    if (report >= 0) {
        ssize_t ignored = ::write(report, &f, sizeof f);
        (void)ignored;
    }
    ::_exit(127);
}

[[noreturn]] void exec_hook(const char* path, char* const argv[], char* const envp[], const char* cwd,
                            int stdin_fd, int out_fd, int report_fd) {
    // `run` blocks the signals it forwards and the init has handlers: the hook gets neither.
    // A failure is reported once the report pipe is in place.
    const bool signals_reset = reset_signals();
    const int signals_errno = errno;

    // Everything above stdio first, so that dup2 onto 0..2 cannot close a source (the runtime
    // may have been started with stdio closed, and then these fds may be 0, 1 or 2).
    int report = ::fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
    if (report < 0) fail_child(-1, Stage::stdio);
    int in = ::fcntl(stdin_fd, F_DUPFD_CLOEXEC, 3);
    if (in < 0) fail_child(report, Stage::stdio);
    int out = ::fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
    if (out < 0) fail_child(report, Stage::stdio);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) fail_child(report, Stage::stdio);

    // Only the report pipe survives above stdio, as fd 3 (close-on-exec), until execve.
    if (report != 3) {
        if (::dup3(report, 3, O_CLOEXEC) < 0) fail_child(report, Stage::fds);
        report = 3;
    }
    if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
        // kernel < 5.9: close them one by one
        rlimit rl{};
        int max =
            (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1U << 20))
                ? static_cast<int>(rl.rlim_cur)
                : (1 << 20);
        for (int fd = 4; fd < max; ++fd) ::close(fd);
    }
    if (!signals_reset) {
        errno = signals_errno;
        fail_child(report, Stage::signals);
    }
    if (cwd && ::chdir(cwd) != 0) fail_child(report, Stage::cwd);
    ::execve(path, argv, envp);
    fail_child(report, Stage::exec);
}

std::string signal_text(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    std::string s = "killed by signal " + std::to_string(sig);
    if (abbrev) s += std::string(" (SIG") + abbrev + ")";
    return s;
}

// Runs one hook to its end; throws Error with `name` ("hooks.prestart[0] /x") in front.
void run_one(const spec::Hook& hook, const std::string& name, const std::string& state_json,
             const std::string& cwd = {}) {
    if (hook.path.empty() || hook.path[0] != '/') throw Error(name + ": path must be absolute");
    if (hook.timeout && *hook.timeout <= 0) throw Error(name + ": timeout must be greater than 0");

    // argv and envp are built before fork: the child may not allocate.
    std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = hook.env;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    Fd stdin_fd = with_context(name, [&] { return state_memfd(state_json); });
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw Error(errno, name + ": output pipe");
    Fd out_r(p[0]), out_w(p[1]);
    if (::fcntl(out_r.get(), F_SETFL, O_NONBLOCK) != 0) throw Error(errno, name + ": output pipe");
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(errno, name + ": exec report pipe");
    Fd report_r(p[0]), report_w(p[1]);

    ReapableChildren reapable;
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    pid_t pid = ::fork();
    if (pid < 0) throw Error(errno, name + ": fork");
    if (pid == 0)
        exec_hook(hook.path.c_str(), argv.data(), envp.data(), cwd.empty() ? nullptr : cwd.c_str(),
                  stdin_fd.get(), out_w.get(), report_w.get());

    Child child(pid);
    stdin_fd.reset();
    out_w.reset();
    report_w.reset();
    // The child is not reaped yet, so its pid cannot have been reused.
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    std::optional<clock::time_point> deadline;
    if (hook.timeout) deadline = started + std::chrono::seconds(*hook.timeout);
    Output output;
    bool out_open = true;
    bool timed_out = false;
    int status = 0;
    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now()).count();
            wait_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left, INT32_MAX)));
        }
        if (!pidfd && (wait_ms < 0 || wait_ms > kTickMs)) wait_ms = kTickMs;
        pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {out_open ? out_r.get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, wait_ms) < 0) {
            if (errno == EINTR) continue;
            throw Error(errno, name + ": poll");
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) out_open = drain(out_r.get(), output);
        if (!pidfd || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (auto st = child.try_reap()) {
                status = *st;
                break;
            }
        }
        if (deadline && clock::now() >= *deadline) {
            child.kill();
            status = child.reap();
            // it may have exited by itself just before the kill
            timed_out = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            break;
        }
    }
    // What the hook wrote before it exited, not what its leftovers go on writing.
    if (out_open) drain(out_r.get(), output, kFinalDrain);

    ChildFailure failure{};
    ssize_t n;
    do {
        n = ::read(report_r.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        switch (failure.stage) {
            case Stage::exec: throw Error(failure.err, name + ": exec");
            case Stage::stdio: throw Error(failure.err, name + ": set up stdio");
            case Stage::fds: throw Error(failure.err, name + ": close fds");
            case Stage::cwd: throw Error(failure.err, name + ": chdir " + cwd);
            case Stage::signals: throw Error(failure.err, name + ": reset signals");
        }
        throw Error(failure.err, name + ": before exec");
    }

    std::string text = output.text();
    std::string suffix = text.empty() ? "" : ": " + text;
    if (timed_out) throw Error(name + ": timed out after " + std::to_string(*hook.timeout) + "s" + suffix);
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 0) return;
        throw Error(name + ": exited with status " + std::to_string(WEXITSTATUS(status)) + suffix);
    }
    if (WIFSIGNALED(status)) throw Error(name + ": " + signal_text(WTERMSIG(status)) + suffix);
    throw Error(name + ": ended with wait status " + std::to_string(status) + suffix);
}

std::string hook_name(const std::string& kind, size_t i, const spec::Hook& h) {
    return "hooks." + kind + "[" + std::to_string(i) + "] " + h.path;
}

}  // namespace

void run_hooks(const std::vector<spec::Hook>& hooks, const std::string& kind, const std::string& state_json,
               const std::string& cwd) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        std::string name = hook_name(kind, i, hooks[i]);
        spdlog::debug("running {}", name);
        run_one(hooks[i], name, state_json, cwd);
    }
}

void run_hooks_warn(const std::vector<spec::Hook>& hooks, const std::string& kind,
                    const std::string& state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        std::string name = hook_name(kind, i, hooks[i]);
        spdlog::debug("running {}", name);
        try {
            run_one(hooks[i], name, state_json);
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
    }
}

}  // namespace ocirt::linux_
