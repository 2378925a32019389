// Container::exec: open the namespaces of the init, launch the process in
// them (linux/launch.cpp), then, unless detached, stay with it as `run` does.
#include "ocirt/exec.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <optional>

#include "ocirt/container.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/exec_init.hpp"
#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/linux/intel_rdt.hpp"
#include "ocirt/linux/launch.hpp"
#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/linux/seccomp_cache.hpp"
#include "ocirt/linux/spawn.hpp"
#include "ocirt/linux/supervise.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

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

}  // namespace

int Container::exec(const ExecOptions& o) const {
    if (!o.process.spec) throw Error("exec: no process to run");
    const spec::Process& process = *o.process.spec;
    const std::string who = "container \"" + id() + "\"";
    const Status status = this->status();
    if (status == Status::stopped || status == Status::creating)
        throw Error("cannot exec in " + who + ": it is " + to_string(status));
    if (status == Status::paused && !o.ignore_paused)
        throw Error("cannot exec in " + who + ": it is paused (--ignore-paused to do it anyway)");
    if (!o.sub_cgroups.empty() && state().cgroup_path.empty())
        throw Error("exec --cgroup: " + who + " has no cgroup");
    spec::validate_process(process, "process");
    spec::check_supported(process);
    if (o.process.terminal() && o.detach && o.process.console_socket.empty())
        throw Error("process.terminal is true but no --console-socket was given for a detached process");

    const spec::Config config = this->config();
    std::optional<linux_::SeccompProgram> seccomp;
    if (config.linux && config.linux->seccomp)
        seccomp = linux_::compile_seccomp_cached(
            *config.linux->seccomp, linux_::seccomp_cache_dir(root()));

    const pid_t init = state().pid;
    const std::string command = process.args.empty() ? std::string() : process.args.front();
    spdlog::debug("exec {}: {} in the namespaces of init {}", id(), command, init);
    auto pin = linux_::PidFd::open(init, state().pid_start_time);
    if (!pin.valid()) throw Error("cannot exec in " + who + ": it is stopped");
    InitNamespaces ns = open_namespaces(config, init);
    // The fds are the init's only if it is still the same process.
    if (!linux_::process_alive(init, state().pid_start_time))
        throw Error("cannot exec in " + who + ": it stopped");

    std::optional<linux_::BlockedSignals> signals;
    if (!o.detach) signals.emplace();
    Fd console_socket;
    std::optional<linux_::ConsoleReceiver> console;
    if (o.process.terminal()) {
        if (o.detach) console_socket = linux_::connect_unix(o.process.console_socket, "--console-socket");
        else console.emplace();
    }

    Fd pidfd_socket;
    if (!o.process.pidfd_socket.empty())
        pidfd_socket = linux_::connect_unix(o.process.pidfd_socket, "--pidfd-socket");

    linux_::ExecContext ctx;
    ctx.setup.process = &process;
    ctx.setup.linux = config.linux ? &*config.linux : nullptr;
    ctx.setup.seccomp = seccomp ? &*seccomp : nullptr;
    ctx.setup.preserve_fds = o.process.preserve_fds;
    for (const auto& [type, fd] : ns.join) ctx.namespaces.emplace_back(type, fd.get());
    ctx.console_socket = console ? console->far_end() : console_socket.get();

    linux_::Launch l;
    l.what = "exec " + id();
    l.child_name = "process";
    // Rootless: an intermediate enters the namespaces (linux/spawn.hpp).
    const bool rootless = linux_::running_rootless();
    const bool has_user = !ns.join.empty() && ns.join.front().first == spec::NamespaceType::user;
    const Fd no_user;
    // Born in the container's cgroup where the layout allows it (spawn.hpp's
    // CgroupBirth); into a sub-cgroup (--cgroup) it joins after the clone.
    Fd cgroup_fd;
    linux_::CgroupBirth birth;
    if (!rootless && !state().cgroup_path.empty() && o.sub_cgroups.empty()) {
        cgroup_fd = cgroup()->fd_for_clone_into_cgroup();
        birth = {cgroup_fd.get(), cgroup()->calling_thread_join()};
    }
    l.clone = [&](linux_::ParentChannel& p, linux_::ChildChannel& c, const std::function<void()>& entry) {
        if (rootless)
            return linux_::spawn_in_via_intermediate(has_user ? ns.join.front().second : no_user, ns.pid, ns.time, {},
                                                     p, c, entry);
        if (birth.join_thread) return linux_::spawn_in_via_intermediate(no_user, ns.pid, ns.time, birth, p, c, entry);
        return linux_::spawn_in(ns.pid, ns.time, birth.fd, entry);
    };
    l.child = [&](linux_::ChildChannel& ch) {
        ctx.setup.sync = &ch;
        linux_::exec_init(ctx);
    };
    l.after_clone = [&](pid_t pid) {
        if (console) console->close_far_end();
        console_socket.reset();
        if (!state().cgroup_path.empty()) cgroup()->add_process(pid, o.sub_cgroups);
        if (!state().intel_rdt_tasks.empty()) linux_::rdt_add_process(state().intel_rdt_tasks, pid);
        if (pidfd_socket) {
            linux_::send_pidfd(pidfd_socket.get(), pid, "setns");
            pidfd_socket.reset();
        }
    };
    l.oom_score_adj = process.oom_score_adj;
    if (seccomp) l.seccomp = &*config.linux->seccomp;
    l.listener_state.id = id();
    l.listener_state.bundle = state().bundle;
    l.listener_state.status = to_string(status);
    l.listener_state.annotations = state().annotations;
    l.done = linux_::Msg::eof;  // the socket is close-on-exec: its end is the execve
    linux_::ChildGuard guard = linux_::launch(l);
    const pid_t pid = guard.pid();
    linux_::write_pid_file(o.process.pid_file, pid);
    guard.release();
    spdlog::debug("exec {}: process {} executed {}", id(), pid, command);
    if (o.detach) return 0;
    std::optional<linux_::ConsoleRelay> relay =
        console ? console->take_relay() : std::optional<linux_::ConsoleRelay>();
    return linux_::supervise(pid, *signals, relay);
}

}  // namespace ocirt
