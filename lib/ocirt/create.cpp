// Factory::create, the parent's half of `create` (the init's half is
// linux/init.cpp): check the bundle (create_check.cpp), take the id (the
// state dir), make the cgroup, launch the init (linux/launch.cpp), save the
// state. docs/architecture.md, "How a container is born".
#include "ocirt/factory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <spdlog/spdlog.h>

#include "ocirt/create_check.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/idmap.hpp"
#include "ocirt/linux/init.hpp"
#include "ocirt/linux/intel_rdt.hpp"
#include "ocirt/linux/launch.hpp"
#include "ocirt/linux/mount/prepare.hpp"
#include "ocirt/linux/net_devices.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/linux/spawn.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {
namespace {

// Undoes a half-made container: whatever was made is removed on the way out
// unless commit() was called. The init is killed before (launch's ChildGuard,
// declared after this).
class Rollback {
public:
    explicit Rollback(std::string dir) : dir_(std::move(dir)) {}
    ~Rollback() {
        if (committed_) return;
        try {
            if (cgroup_) cgroup_->destroy();
        } catch (const std::exception& e) {
            spdlog::warn("cleanup: {}", e.what());
        }
        try {
            if (rdt_) linux_::rdt_remove(rdt_->created());
        } catch (const std::exception& e) {
            spdlog::warn("cleanup: {}", e.what());
        }
        try {
            remove_all(dir_);
        } catch (const std::exception& e) {
            spdlog::warn("cleanup: {}", e.what());
        }
        if (poststop_) linux_::run_hooks_warn(*poststop_, "poststop", poststop_state_);
    }
    // After a failed create, the poststop hooks still run (runtime.md).
    void set_poststop(const std::vector<spec::Hook>* hooks, std::string state) {
        poststop_ = hooks;
        poststop_state_ = std::move(state);
    }
    void set_cgroup(cgroups::Manager* m) { cgroup_ = m; }
    void set_rdt(const linux_::IntelRdt* r) { rdt_ = r; }
    void commit() { committed_ = true; }

private:
    std::string dir_;
    cgroups::Manager* cgroup_ = nullptr;
    const linux_::IntelRdt* rdt_ = nullptr;
    const std::vector<spec::Hook>* poststop_ = nullptr;
    std::string poststop_state_;
    bool committed_ = false;
};

std::vector<linux_::CgroupMount> cgroup_mounts(const cgroups::Manager& m) {
    std::vector<linux_::CgroupMount> out;
    for (const auto& h : m.hierarchies()) {
        linux_::CgroupMount cm;
        cm.fstype = h.unified ? "cgroup2" : "cgroup";
        for (const auto& c : h.controllers) cm.options += (cm.options.empty() ? "" : ",") + c;
        if (m.mode() != cgroups::Mode::v2) cm.name = h.mountpoint.substr(h.mountpoint.rfind('/') + 1);
        cm.host_dir = m.dir(h);
        out.push_back(cm);
    }
    return out;
}

// linux.resources with the device rules every container gets: the config's
// rules, then runc's default allow list. linux.devices adds no rule of its
// own (as runc): a deny in linux.resources.devices stays in force for them.
spec::Resources resources_with_default_devices(const spec::Config& c) {
    spec::Resources r;
    if (c.linux && c.linux->resources) r = *c.linux->resources;
    for (const auto& d : cgroups::default_device_rules()) r.devices.push_back(d);
    return r;
}


// One `create`, step by step. The members are what it made so far, declared
// so that a failure undoes them in reverse: the init is killed first (its
// guard), then the rollback removes the cgroup and the state dir.
class Creation {
public:
    Creation(const std::string& root, const std::string& id, const CreateOptions& opts,
             const InitRestorer* restore = nullptr)
        : root_(root), id_(id), opts_(opts), restore_(restore), b_(check_bundle(root, id, opts)) {}

    Container run() {
        take_id();
        make_cgroup();
        if (restore_) {
            restore_init();
        } else {
            launch();
        }
        return save_state();
    }

private:
    void take_id();
    void make_cgroup();
    void launch();
    void restore_init();
    Container save_state();

    const std::string& root_;
    const std::string& id_;
    const CreateOptions& opts_;
    const InitRestorer* restore_;  // restore: in place of launch()
    const CheckedBundle b_;
    std::string dir_;
    State st_;
    std::unique_ptr<cgroups::Manager> cgroup_;  // outlives the rollback that may destroy it
    std::optional<linux_::IntelRdt> rdt_;       // the same
    std::optional<Rollback> rollback_;
    Fd lock_, fifo_, console_, pidfd_socket_;
    linux_::ChildGuard init_;
    // After the init: a failure moves the devices back first (the namespace
    // is held open, so they are not lost when the init is killed).
    std::optional<linux_::NetDevices> net_devices_;
};

// The network namespace linux.netDevices moves into: the one joined by path,
// else the init's new one.
Fd container_netns(const spec::Config& c, pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    for (const auto& ns : c.linux->namespaces)
        if (ns.type == spec::NamespaceType::network && !ns.path.empty()) path = ns.path;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("linux.netDevices: open the container's network namespace " + path);
    return fd;
}

// The state dir, locked, with what delete needs if we are killed from here on.
void Creation::take_id() {
    // runc makes the root and its parents (the containerd shim passes <root>/<namespace>).
    try {
        mkdir_all(root_, 0700);
    } catch (Error& e) {
        throw e.wrap("state root " + root_);
    }
    dir_ = root_ + "/" + id_;
    if (::mkdir(dir_.c_str(), 0711) != 0) {
        if (errno == EEXIST) throw Error("container \"" + id_ + "\" already exists");
        throw_errno("state dir " + dir_);
    }
    rollback_.emplace(dir_);
    const spec::Config& config = b_.config;
    if (config.hooks && !config.hooks->poststop.empty())
        rollback_->set_poststop(&config.hooks->poststop,
                                hook_state_json(id_, Status::stopped, 0, b_.bundle, config.annotations));
    lock_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!lock_ || ::flock(lock_.get(), LOCK_EX) != 0) throw_errno("lock " + dir_);

    // From here a SIGKILL may stop us at any point. What delete needs to finish
    // the job is on disk before it exists (docs/architecture.md, "The state
    // dir"): the config copy (poststop hooks), then recovery.json naming the
    // cgroup dirs about to be made; the init's pid is added once known.
    // The config as created: exec and later verbs must not see later edits of the bundle.
    write_atomic(dir_ + "/config.json", b_.config_text, 0600);
    // --systemd-cgroup: systemd's scope (the user's systemd when rootless). Else rootless:
    // a delegated cgroup v2 dir, or none at all (cgroups/manager.hpp).
    if (opts_.systemd_cgroup)
        cgroup_ = cgroups::open(b_.cgroup_path, {}, {}, cgroups::Driver::systemd, config.annotations);
    else if (linux_::running_rootless())
        cgroup_ = cgroups::open_rootless(b_.cgroup_path, {}, ::geteuid());
    else
        cgroup_ = cgroups::open(b_.cgroup_path);
    st_.oci_version = config.oci_version;
    st_.id = id_;
    st_.bundle = b_.bundle;
    st_.rootfs = b_.rootfs;
    st_.created = now_rfc3339();
    st_.owner = "";
    st_.annotations = config.annotations;
    // Empty: no cgroup (every later verb reads it so).
    st_.cgroup_path = cgroup_->hierarchies().empty() ? "" : cgroup_->path();
    st_.cgroup_created = cgroup_->to_create();
    st_.has_process = config.process.has_value();
    st_.systemd_cgroup = opts_.systemd_cgroup;
    st_.has_hooks = config.hooks.has_value();
    if (!b_.resctrl_root.empty()) {
        rdt_.emplace(*config.linux->intel_rdt, id_, b_.resctrl_root);
        st_.intel_rdt_created = rdt_->to_remove();
        st_.intel_rdt_tasks = rdt_->tasks_file();
    }
    save_recovery(dir_, st_);
    if (restore_) return;  // a restored init runs already: no exec.fifo, no console

    const std::string fifo_path = dir_ + "/exec.fifo";
    // 0622 as runc: the init may write it after switching to any user.
    if (::mkfifo(fifo_path.c_str(), 0622) != 0 || ::chmod(fifo_path.c_str(), 0622) != 0)
        throw_errno("mkfifo " + fifo_path);
    fifo_.reset(::open(fifo_path.c_str(), O_PATH | O_CLOEXEC));
    if (!fifo_) throw_errno("open " + fifo_path);
    const Process& p = b_.process;
    if (p.terminal() && p.console_fd < 0) console_ = linux_::connect_unix(p.console_socket, "--console-socket");
    if (!p.pidfd_socket.empty()) pidfd_socket_ = linux_::connect_unix(p.pidfd_socket, "--pidfd-socket");
}

void Creation::make_cgroup() {
    cgroup_->create();
    rollback_->set_cgroup(cgroup_.get());
    spec::Resources r = resources_with_default_devices(b_.config);
    // Rootless cannot load a device filter (CAP_SYS_ADMIN on the host) and
    // needs none: the user namespace keeps devices to what the user may open.
    if (linux_::running_rootless()) r.devices.clear();
    cgroup_->apply(r);
    if (rdt_) {
        rollback_->set_rdt(&*rdt_);
        rdt_->create();
    }
    spdlog::debug("create {}: cgroup {} made, linux.resources applied", id_, b_.cgroup_path);
}

void Creation::launch() {
    const spec::Config& config = b_.config;
    Fd cgroup_fd = cgroup_->fd_for_clone_into_cgroup();
    linux_::InitContext ictx;
    ictx.config = &config;
    ictx.id = id_;
    ictx.rootfs.config = &config;
    ictx.rootfs.rootfs = b_.rootfs;
    ictx.rootfs.bundle = b_.bundle;
    ictx.rootfs.no_pivot = opts_.no_pivot;
    ictx.rootfs.own_mount_ns = b_.plan.has(spec::NamespaceType::mount);
    ictx.rootfs.new_user_ns = b_.plan.new_user || b_.plan.has(spec::NamespaceType::user);
    ictx.rootfs.new_cgroup_ns = b_.plan.new_cgroup;
    ictx.rootfs.cgroups = cgroup_mounts(*cgroup_);
    ictx.namespaces = b_.plan;
    ictx.fifo = fifo_.get();
    ictx.console_socket = console_ ? console_.get() : b_.process.console_fd;
    ictx.listen_fds = b_.process.listen_fds;
    ictx.preserve_fds = b_.process.preserve_fds;
    ictx.seccomp = b_.seccomp ? &*b_.seccomp : nullptr;
    linux_::PreparedMounts prepared = linux_::prepare_mounts(ictx.rootfs);
    ictx.rootfs.prepared = &prepared;

    linux_::Launch l;
    l.what = "create " + id_;
    l.clone = [&](linux_::ParentChannel& p, linux_::ChildChannel& c, const std::function<void()>& entry) {
        return linux_::spawn_init(b_.plan, {cgroup_fd.get(), cgroup_->calling_thread_join()}, p, c, entry);
    };
    l.child = [&](linux_::ChildChannel& c) {
        // The parent's fds: the state dir's flock must not outlive `create`.
        lock_.reset();
        cgroup_fd.reset();
        ictx.sync = &c;
        linux_::container_init(ictx);
    };
    l.after_clone = [&](pid_t pid) {
        st_.pid = pid;
        st_.pid_start_time = linux_::process_start_time(pid);
        save_recovery(dir_, st_);
        prepared.clear();
        console_.reset();
        if (b_.plan.new_user) linux_::write_id_maps(pid, config.linux->uid_mappings, config.linux->gid_mappings);
        cgroup_->add_process(pid);
        if (rdt_) linux_::rdt_add_process(rdt_->tasks_file(), pid);
        if (config.linux && !config.linux->net_devices.empty())
            net_devices_.emplace(config.linux->net_devices, container_netns(config, pid));
        if (pidfd_socket_) {
            linux_::send_pidfd(pidfd_socket_.get(), pid, "standard");
            pidfd_socket_.reset();
        }
    };
    if (b_.process.spec) l.oom_score_adj = b_.process.spec->oom_score_adj;
    if (config.hooks)
        l.run_hooks = [&](pid_t pid) {
            spdlog::debug("create {}: running the prestart and createRuntime hooks", id_);
            const std::string hs = hook_state_json(id_, Status::creating, pid, b_.bundle, config.annotations);
            linux_::run_hooks(config.hooks->prestart, "prestart", hs);
            linux_::run_hooks(config.hooks->create_runtime, "createRuntime", hs);
        };
    if (b_.seccomp) l.seccomp = &*config.linux->seccomp;
    l.listener_state.id = id_;
    l.listener_state.bundle = b_.bundle;
    l.listener_state.annotations = config.annotations;
    init_ = linux_::launch(l);
}

// criu restore in place of the clone: the init comes back as our child (a
// sibling of criu), in the cgroup just made.
void Creation::restore_init() {
    const pid_t pid = (*restore_)(RestoreTarget{b_, dir_, *cgroup_});
    init_ = linux_::ChildGuard(pid);
    st_.pid = pid;
    st_.pid_start_time = linux_::process_start_time(pid);
    save_recovery(dir_, st_);
    if (rdt_) linux_::rdt_add_process(rdt_->tasks_file(), pid);
}

Container Creation::save_state() {
    st_.cgroup_created = cgroup_->created();
    if (rdt_) st_.intel_rdt_created = rdt_->created();
    st_.creating = false;
    ocirt::save_state(dir_, st_);
    linux_::write_pid_file(b_.process.pid_file, init_.pid());
    const pid_t pid = init_.release();
    rollback_->commit();
    if (net_devices_) net_devices_->commit();
    spdlog::debug("create {}: created, init {} waits for start", id_, pid);
    return Container(root_, id_, st_, std::move(lock_));
}

}  // namespace

Container Factory::create(const std::string& id, const CreateOptions& opts) {
    validate_id(id);
    return Creation(root_, id, opts).run();
}

Container Factory::create_restored(const std::string& id, const CreateOptions& opts,
                                   const InitRestorer& restore_init) {
    validate_id(id);
    return Creation(root_, id, opts, &restore_init).run();
}

}  // namespace ocirt
