#include "ocirt/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/exec_init.hpp"
#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/linux/seccomp_cache.hpp"
#include "ocirt/linux/seccomp_listener.hpp"
#include "ocirt/linux/spawn.hpp"
#include "ocirt/linux/supervise.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/version.hpp"

namespace ocirt {
namespace {

// The namespaces of the container's init, opened now (the fds pin them).
struct InitNamespaces {
    std::vector<std::pair<spec::NamespaceType, Fd>> join;  // user first
    Fd pid, time;                                          // entered for our children
};

InitNamespaces open_namespaces(const spec::Config& config, pid_t init) {
    InitNamespaces ns;
    if (!config.linux) return ns;
    for (const auto& n : config.linux->namespaces) {
        std::string path = "/proc/" + std::to_string(init) + "/ns/" + linux_::proc_ns_name(n.type);
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw_errno("open the container's namespace " + path);
        if (n.type == spec::NamespaceType::pid) ns.pid = std::move(fd);
        else if (n.type == spec::NamespaceType::time) ns.time = std::move(fd);
        else if (n.type == spec::NamespaceType::user) ns.join.insert(ns.join.begin(), {n.type, std::move(fd)});
        else ns.join.emplace_back(n.type, std::move(fd));
    }
    return ns;
}

// Enters `target` for the children of this process and goes back on exit.
class ForChildren {
public:
    ForChildren(const Fd& target, int type, const char* name) : type_(type) {
        if (!target) return;
        saved_.reset(::open((std::string("/proc/self/ns/") + name).c_str(), O_RDONLY | O_CLOEXEC));
        if (!saved_ || ::setns(target.get(), type) != 0)
            throw_errno(std::string("enter the container's ") + name + " namespace");
    }
    ~ForChildren() {
        if (saved_) (void)::setns(saved_.get(), type_);
    }

private:
    int type_;
    Fd saved_;
};

Fd connect_unix(const std::string& path, const std::string& what) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (!s || path.size() >= sizeof addr.sun_path) throw Error(what + ": cannot use " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno(what + ": connect " + path);
    return s;
}

// Kills and reaps the child unless released.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ~ChildGuard() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    void release() { pid_ = -1; }

private:
    pid_t pid_;
};

}  // namespace

int exec_in_container(const Container& c, const ExecOptions& o) {
    const std::string who = "container \"" + c.id() + "\"";
    Status status = c.status();
    if (status == Status::stopped || status == Status::creating)
        throw Error("cannot exec in " + who + ": it is " + to_string(status));
    if (status == Status::paused && !o.ignore_paused)
        throw Error("cannot exec in " + who + ": it is paused (--ignore-paused to do it anyway)");
    spec::validate_process(o.process, "process");
    spec::check_supported(o.process);
    if (o.process.terminal && o.detach && o.console_socket.empty())
        throw Error("process.terminal is true but no --console-socket was given for a detached process");

    const spec::Config config = c.config();
    std::optional<linux_::SeccompProgram> seccomp;
    if (config.linux && config.linux->seccomp)
        seccomp = linux_::compile_seccomp_cached(
            *config.linux->seccomp, linux_::seccomp_cache_dir(c.dir().substr(0, c.dir().rfind('/'))));

    const pid_t init = c.state().pid;
    const std::string command = o.process.args.empty() ? std::string() : o.process.args.front();
    spdlog::debug("exec {}: {} in the namespaces of init {}", c.id(), command, init);
    auto pin = linux_::PidFd::open(init, c.state().pid_start_time);
    if (!pin.valid()) throw Error("cannot exec in " + who + ": it is stopped");
    InitNamespaces ns = open_namespaces(config, init);
    // The fds are the init's only if it is still the same process.
    if (!linux_::process_alive(init, c.state().pid_start_time))
        throw Error("cannot exec in " + who + ": it stopped");

    std::optional<linux_::BlockedSignals> signals;
    if (!o.detach) signals.emplace();
    Fd console_socket;
    std::optional<linux_::ConsoleReceiver> console;
    if (o.process.terminal) {
        if (o.detach) console_socket = connect_unix(o.console_socket, "--console-socket");
        else console.emplace();
    }

    linux_::ExecContext ctx;
    ctx.setup.process = &o.process;
    ctx.setup.linux = config.linux ? &*config.linux : nullptr;
    ctx.setup.seccomp = seccomp ? &*seccomp : nullptr;
    ctx.setup.preserve_fds = o.preserve_fds;
    for (const auto& [type, fd] : ns.join) ctx.namespaces.emplace_back(type, fd.get());
    ctx.console_socket = console ? console->far_end() : console_socket.get();

    auto [parent_sock, child_sock] = linux_::channel_pair();
    ctx.setup.sync = &child_sock;
    pid_t pid;
    {
        ForChildren in_pid(ns.pid, CLONE_NEWPID, "pid");
        ForChildren in_time(ns.time, CLONE_NEWTIME, "time");
        pid = linux_::clone3_fork(0, -1);
        if (pid < 0) throw_errno("clone the exec process");
        if (pid == 0) {
            parent_sock.close();
            linux_::exec_init(ctx);
        }
    }
    ChildGuard guard(pid);
    spdlog::debug("exec {}: process pid {}", c.id(), pid);
    child_sock.close();
    if (console) console->close_far_end();
    console_socket.reset();

    if (!c.state().cgroup_path.empty())
        cgroups::open(c.state().cgroup_path, {}, c.state().cgroup_created)->add_process(pid);
    if (o.process.oom_score_adj)
        with_context("process.oomScoreAdj", [&] {
            write_existing("/proc/" + std::to_string(pid) + "/oom_score_adj",
                           std::to_string(*o.process.oom_score_adj));
        });
    parent_sock.go();
    for (;;) {
        linux_::ParentChannel::Report m = parent_sock.next();
        if (m.type == linux_::Msg::eof) break;  // the exec closed the socket
        if (m.type == linux_::Msg::seccomp_fd) {
            // The agent gets the fd before the process makes another syscall.
            Fd listener = linux_::take_seccomp_listener(pid, parent_sock, static_cast<int>(m.value));
            linux_::ListenerState ls;
            ls.oci_version = kSpecVersion;
            ls.id = c.id();
            ls.pid = pid;
            ls.bundle = c.state().bundle;
            ls.status = to_string(status);
            ls.annotations = c.state().annotations;
            linux_::send_to_seccomp_listener(config.linux->seccomp->listener_path,
                                             config.linux->seccomp->listener_metadata, ls, listener.get());
            parent_sock.go();
        }
    }
    if (!o.pid_file.empty())
        with_context("--pid-file", [&] { write_atomic(absolute_path(o.pid_file), std::to_string(pid), 0644); });
    guard.release();
    spdlog::debug("exec {}: process {} executed {}", c.id(), pid, command);
    if (o.detach) return 0;
    std::optional<linux_::ConsoleRelay> relay =
        console ? console->take_relay() : std::optional<linux_::ConsoleRelay>();
    return linux_::supervise(pid, *signals, relay);
}

}  // namespace ocirt
