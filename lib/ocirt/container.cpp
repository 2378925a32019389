#include "ocirt/container.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <optional>

#include <spdlog/spdlog.h>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/criu/root_mount.hpp"
#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/intel_rdt.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {

Container::Container(const std::string& root, const std::string& id, State state, Fd lock)
    : root_(root), dir_(root + "/" + id), state_(std::move(state)), lock_(std::move(lock)) {}

spec::Config Container::config() const { return spec::load_config(dir_ + "/config.json"); }

std::string Container::owner() const {
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0) return "";
    passwd pw, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &found) == 0 && found) return pw.pw_name;
    return "#" + std::to_string(st.st_uid);
}

std::unique_ptr<cgroups::Manager> Container::cgroup() const {
    if (state_.cgroup_path.empty()) throw Error("container \"" + id() + "\" has no cgroup");
    return cgroups::open(state_.cgroup_path, {}, state_.cgroup_created,
                         state_.systemd_cgroup ? cgroups::Driver::systemd : cgroups::Driver::cgroupfs);
}

// Someone holds the dir's flock: for a half-made container, its create.
static bool locked_by_another(const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return false;
    return ::flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

Status Container::status() const {
    // Holding the lock ourselves means its create is gone.
    if (state_.creating) return !lock_ && locked_by_another(dir_) ? Status::creating : Status::stopped;
    if (!linux_::process_alive(state_.pid, state_.pid_start_time)) return Status::stopped;
    if (path_exists(dir_ + "/exec.fifo")) return Status::created;
    // A frozen cgroup is the only thing that tells a paused container apart.
    // A freezer file that cannot be read (a missing one is "not frozen") is an
    // error naming the file, not "running": exec, kill, pause and update act
    // on that answer, and a frozen process would hang them. So `state` fails
    // (as runc's does); `list` lists the container with a warning instead of
    // failing as a whole; `delete --force` goes on (destroy() below).
    if (!state_.cgroup_path.empty() &&
        with_context("container \"" + id() + "\": cannot tell running from paused",
                     [&] { return cgroup()->frozen(); }))
        return Status::paused;
    return Status::running;
}

void Container::pause() {
    Status s = status();
    if (s != Status::running && s != Status::created)
        throw Error("cannot pause container \"" + id() + "\": it is " + to_string(s));
    cgroup()->freeze();
}

void Container::resume() {
    Status s = status();
    if (s != Status::paused)
        throw Error("cannot resume container \"" + id() + "\": it is " + to_string(s) + ", not paused");
    cgroup()->thaw();
}

std::vector<pid_t> Container::pids() const {
    if (status() == Status::stopped || status() == Status::creating) return {};
    return cgroup()->pids();
}

void Container::start() {
    Status s = status();
    if (s != Status::created)
        throw Error("cannot start container \"" + id() + "\": it is " + to_string(s) +
                    " (only a created container can be started)");
    if (!state_.has_process)
        throw Error("cannot start container \"" + id() + "\": its config.json has no process");

    auto pidfd = linux_::PidFd::open(state_.pid, state_.pid_start_time);
    std::string fifo_path = dir_ + "/exec.fifo";
    spdlog::debug("start {}: opening exec.fifo of init {}", id(), state_.pid);
    // Non-blocking, so a dead init cannot hang us: wait for its byte or its exit.
    Fd fifo(::open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) throw_errno("open " + fifo_path);
    pollfd fds[2] = {{fifo.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    for (;;) {
        int r = ::poll(fds, pidfd.valid() ? 2 : 1, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw_errno("wait on " + fifo_path);
        if (fds[0].revents & POLLIN) {
            char buf[4096];
            ssize_t n = ::read(fifo.get(), buf, sizeof buf);
            if (n > 0 && buf[0] == 'E')  // the init says why its process will not run
                throw Error("cannot start container \"" + id() + "\": " +
                            std::string(buf + 1, static_cast<size_t>(n - 1)));
            if (n > 0) break;
        }
        if (!pidfd.valid() || (fds[1].revents & POLLIN))
            throw Error("cannot start container \"" + id() + "\": its init exited before start");
    }
    if (::unlink(fifo_path.c_str()) != 0 && errno != ENOENT) throw_errno("remove " + fifo_path);
    spdlog::debug("start {}: init {} goes on to exec the process", id(), state_.pid);
    if (state_.has_hooks) run_poststart_hooks();
}

// runtime-spec 1.3 (runtime.md, lifecycle step 9): a failing poststart hook is an
// error and the container is stopped; it stays, stopped, until `delete` (runc 1.4+
// kills it the same way). Later hooks do not run.
void Container::run_poststart_hooks() {
    spec::Config c = config();
    if (!c.hooks || c.hooks->poststart.empty()) return;
    try {
        linux_::run_hooks(c.hooks->poststart, "poststart",
                          hook_state_json(id(), Status::running, state_.pid, state_.bundle, state_.annotations));
    } catch (const Error& e) {
        try {
            kill_and_wait(false);
        } catch (const Error& k) {
            spdlog::warn("container \"{}\": stopping it after the failed poststart hook: {}", id(), k.what());
        }
        throw Error("cannot start container \"" + id() + "\": " + e.what() + " (the container was stopped)");
    }
}

// runc's words: containerd's runc shim takes an error containing "container not running"
// as "the process already finished" (StopContainer/StopPodSandbox of an exited container);
// any other text fails the CRI stop.
static std::string not_running_error(const std::string& id) {
    return "cannot kill container \"" + id + "\": container not running";
}

void Container::signal(int sig, bool all) {
    if (status() == Status::stopped || status() == Status::creating)
        throw Error(not_running_error(id()));
    // A frozen process cannot act on SIGKILL: a paused container that is
    // killed is thawed (runc thaws after every kill --all; the containerd shim
    // kills paused tasks and waits for them to exit). Other signals stay
    // pending until resume.
    const bool thaw = sig == SIGKILL && status() == Status::paused;
    if (all && !state_.cgroup_path.empty()) {
        for (pid_t p : cgroup()->pids())
            if (::kill(p, sig) != 0 && errno != ESRCH) throw_errno("kill " + std::to_string(p));
    } else {
        auto pidfd = linux_::PidFd::open(state_.pid, state_.pid_start_time);
        if (!pidfd.valid() || !pidfd.signal(sig)) throw Error(not_running_error(id()));
    }
    if (thaw) cgroup()->thaw();
}

void Container::kill_and_wait(std::optional<bool> paused) {
    auto pidfd = linux_::PidFd::open(state_.pid, state_.pid_start_time);
    if (!pidfd.valid()) return;
    pidfd.signal(SIGKILL);
    // A frozen process cannot act on SIGKILL. Unknown (the freezer cannot be
    // read): a thaw is tried, and its failure only warned about.
    if (paused.value_or(false)) {
        cgroup()->thaw();
    } else if (!paused) {
        try {
            cgroup()->thaw();
        } catch (const Error& e) {
            spdlog::warn("container \"{}\": {}", id(), e.what());
        }
    }
    if (!pidfd.wait_exit(10000))
        throw Error("container \"" + id() + "\": init " + std::to_string(state_.pid) +
                    " did not exit after SIGKILL");
}

void Container::remove_resources() {
    if (!state_.cgroup_path.empty()) {
        with_context("remove cgroup " + state_.cgroup_path, [&] { cgroup()->destroy(); });
    }
    linux_::rdt_remove(state_.intel_rdt_created);
    remove_all(dir_);
}

std::vector<spec::Hook> Container::poststop_hooks() const {
    if (!state_.has_hooks) return {};
    spec::Config c = config();
    return c.hooks ? c.hooks->poststop : std::vector<spec::Hook>{};
}

void Container::destroy_half_made() {
    std::vector<spec::Hook> poststop;
    try {
        poststop = poststop_hooks();
    } catch (const Error& e) {
        spdlog::warn("container \"{}\": poststop hooks not run: {}", id(), e.what());
    }
    // The init may be alive: waiting for `go` (it exits at the sync socket's
    // EOF anyway), or set up and blocked on exec.fifo. It is killed first and
    // waited for last: on v1 a frozen init dies only once destroy() thaws it.
    linux_::PidFd init;
    if (state_.pid > 0 && state_.pid_start_time != 0) init = linux_::PidFd::open(state_.pid, state_.pid_start_time);
    if (init.valid()) init.signal(SIGKILL);
    if (!state_.cgroup_path.empty()) {
        with_context("remove cgroup " + state_.cgroup_path, [&] {
            auto cg = cgroup();
            if (pid_unknown_)
                for (pid_t p : cg->pids()) ::kill(p, SIGKILL);
            cg->destroy();
        });
    }
    if (init.valid() && !init.wait_exit(10000))
        throw Error("container \"" + id() + "\": init " + std::to_string(state_.pid) +
                    " did not exit after SIGKILL");
    linux_::rdt_remove(state_.intel_rdt_created);
    // A restore killed during criu restore: its rootfs bind goes first.
    linux_::criu::remove_leftover_root(dir_);
    remove_all(dir_);
    linux_::run_hooks_warn(poststop, "poststop",
                           hook_state_json(id(), Status::stopped, 0, state_.bundle, state_.annotations));
}

void Container::destroy(bool force) {
    if (state_.creating) {
        Status s = status();
        if (s != Status::stopped)  // only without our lock: load() takes it
            throw Error("cannot delete container \"" + id() + "\": it is " + to_string(s));
        destroy_half_made();
        return;
    }
    // --force must finish a container whose freezer cannot be read: it is
    // alive (status() got past the pid check), so it is killed, and whether
    // it was paused is left unknown.
    std::optional<Status> s;
    try {
        s = status();
    } catch (const Error& e) {
        if (!force) throw;
        spdlog::warn("{}; deleting it anyway (--force)", e.what());
    }
    if (s != Status::stopped) {
        if (!force)
            throw Error("cannot delete container \"" + id() + "\": it is " + to_string(*s) +
                        "; stop it first or use --force");
        kill_and_wait(s ? std::optional<bool>(*s == Status::paused) : std::nullopt);
    }
    // Read before the state dir (and its config copy) goes.
    std::vector<spec::Hook> poststop = poststop_hooks();
    remove_resources();
    linux_::run_hooks_warn(poststop, "poststop",
                           hook_state_json(id(), Status::stopped, 0, state_.bundle, state_.annotations));
}

}  // namespace ocirt
