#include "ocirt/create.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <spdlog/spdlog.h>

#include "ocirt/factory.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/child.hpp"
#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/idmap.hpp"
#include "ocirt/linux/init.hpp"
#include "ocirt/linux/lsm.hpp"
#include "ocirt/linux/mount_options.hpp"
#include "ocirt/linux/mount_prepare.hpp"
#include "ocirt/linux/pidfd.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/seccomp_cache.hpp"
#include "ocirt/linux/seccomp_listener.hpp"
#include "ocirt/linux/spawn.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/version.hpp"

namespace ocirt {
namespace {

// Undoes a half-made container: whatever was made is removed on the way out
// unless commit() was called.
class Rollback {
public:
    explicit Rollback(std::string dir) : dir_(std::move(dir)) {}
    ~Rollback() {
        if (committed_) return;
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
        try {
            if (cgroup_) cgroup_->destroy();
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
    void set_pid(pid_t pid) { pid_ = pid; }
    void set_cgroup(cgroups::Manager* m) { cgroup_ = m; }
    void commit() { committed_ = true; }

private:
    std::string dir_;
    pid_t pid_ = -1;
    cgroups::Manager* cgroup_ = nullptr;
    const std::vector<spec::Hook>* poststop_ = nullptr;
    std::string poststop_state_;
    bool committed_ = false;
};

std::string rootfs_path(const spec::Config& c, const std::string& bundle) {
    std::string p = c.root->path[0] == '/' ? c.root->path : bundle + "/" + c.root->path;
    p = clean_path(p);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) throw_errno("root.path: " + p);
    if (!S_ISDIR(st.st_mode)) throw Error("root.path: " + p + ": not a directory");
    return p;
}

Fd connect_console_socket(const std::string& path) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno("console socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw Error("--console-socket: path too long: " + path);
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("--console-socket: connect " + path);
    return s;
}

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

// Without a mount namespace of its own the container runs in the caller's
// (chrooted into its rootfs, as runc does): anything that would mount there
// would change the caller's mount table and outlive the container, and is
// refused by name. (runc makes them on the host.)
void check_without_mount_ns(const spec::Config& c) {
    auto refuse = [](const std::string& field) {
        throw Error(field + ": needs a mount namespace of the container's own, and linux.namespaces has "
                            "none (it would be mounted in the caller's)");
    };
    if (!c.mounts.empty()) refuse("mounts");
    if (c.root && c.root->readonly) refuse("root.readonly");
    if (c.linux) {
        if (!c.linux->masked_paths.empty()) refuse("linux.maskedPaths");
        if (!c.linux->readonly_paths.empty()) refuse("linux.readonlyPaths");
        if (!c.linux->rootfs_propagation.empty()) refuse("linux.rootfsPropagation");
        if (!c.linux->devices.empty()) refuse("linux.devices");
    }
}

void write_pid_file(const std::string& path, pid_t pid) {
    if (path.empty()) return;
    with_context("--pid-file", [&] { write_atomic(absolute_path(path), std::to_string(pid), 0644); });
}

std::string describe_exit(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return " (" + linux_::describe_wait_status(status) + ")";
    return "";
}

// For the debug log: "new mount pid ...; joined network (/proc/1/ns/net)". Built only when
// debug is on.
std::string describe_namespaces(const linux_::NamespacePlan& plan) {
    std::string fresh, joined;
    for (auto t : plan.all) {
        auto j = std::find_if(plan.joins.begin(), plan.joins.end(), [&](const auto& n) { return n.type == t; });
        if (j == plan.joins.end())
            fresh += std::string(" ") + spec::to_string(t);
        else
            joined += std::string(" ") + spec::to_string(t) + " (" + j->path + ")";
    }
    return "new" + (fresh.empty() ? " none" : fresh) + "; joined" + (joined.empty() ? " none" : joined);
}

}  // namespace

Container create_container(const std::string& root, const std::string& id, const CreateOptions& opts) {
    const std::string bundle = absolute_path(opts.bundle.empty() ? "." : opts.bundle);
    std::string config_text;
    spec::Config config = spec::load_config(bundle + "/config.json", &config_text);
    spdlog::debug("create {}: loaded {}/config.json (ociVersion {})", id, bundle, config.oci_version);
    with_context(bundle + "/config.json", [&] {
        spec::validate(config);
        spec::check_supported(config);
        linux_::check_mounts(config);
    });
    const std::string rootfs = rootfs_path(config, bundle);
    const bool terminal = config.process && config.process->terminal;
    if (terminal && opts.io.console_socket.empty() && opts.io.console_fd < 0)
        throw Error("process.terminal is true but no --console-socket was given: "
                    "a detached container needs one to hand its terminal to");
    if (!terminal && !opts.io.console_socket.empty())
        throw Error("--console-socket was given but process.terminal is false");
    const std::string cgroup_path =
        cgroups::resolve_path(config.linux ? config.linux->cgroups_path : std::nullopt, id,
                              opts.systemd_cgroup);
    // Compiled here, before anything exists: a bad profile leaves nothing behind.
    std::optional<linux_::SeccompProgram> seccomp;
    if (config.linux && config.linux->seccomp && config.process) {
        seccomp = linux_::compile_seccomp_cached(*config.linux->seccomp, linux_::seccomp_cache_dir(root));
        if (seccomp->uses_notify && config.linux->seccomp->listener_path.empty())
            throw Error("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
    }
    if (config.linux) linux_::check_mount_label(config.linux->mount_label);
    linux_::check_process_attrs(config);
    const auto plan = linux_::plan_namespaces(config);
    if (!plan.has(spec::NamespaceType::mount)) check_without_mount_ns(config);
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("create {}: namespaces: {}", id, describe_namespaces(plan));

    // runc makes the root and its parents (the containerd shim passes <root>/<namespace>).
    try {
        mkdir_all(root, 0700);
    } catch (Error& e) {
        throw e.wrap("state root " + root);
    }
    const std::string dir = root + "/" + id;
    if (::mkdir(dir.c_str(), 0711) != 0) {
        if (errno == EEXIST) throw Error("container \"" + id + "\" already exists");
        throw_errno("state dir " + dir);
    }
    std::unique_ptr<cgroups::Manager> cgroup;  // outlives the rollback that may destroy it
    Rollback rollback(dir);
    if (config.hooks && !config.hooks->poststop.empty())
        rollback.set_poststop(&config.hooks->poststop,
                              hook_state_json(id, Status::stopped, 0, bundle, config.annotations));
    Fd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!lock || ::flock(lock.get(), LOCK_EX) != 0) throw_errno("lock " + dir);

    // From here a SIGKILL may stop us at any point. What delete needs to finish
    // the job is on disk before it exists (docs/architecture.md, "The state
    // dir"): the config copy (poststop hooks), then recovery.json naming the
    // cgroup dirs about to be made; the init's pid is added once known.
    // The config as created: exec and later verbs must not see later edits of the bundle.
    write_atomic(dir + "/config.json", config_text, 0600);
    std::unique_ptr<cgroups::Manager> planned_cgroup = cgroups::open(cgroup_path);
    State st;
    st.oci_version = config.oci_version;
    st.id = id;
    st.bundle = bundle;
    st.rootfs = rootfs;
    st.created = now_rfc3339();
    st.owner = "";
    st.annotations = config.annotations;
    st.cgroup_path = cgroup_path;
    st.cgroup_created = planned_cgroup->to_create();
    st.has_process = config.process.has_value();
    st.systemd_cgroup = opts.systemd_cgroup;
    st.has_hooks = config.hooks.has_value();
    save_recovery(dir, st);

    const std::string fifo_path = dir + "/exec.fifo";
    // 0622 as runc: the init may write it after switching to any user.
    if (::mkfifo(fifo_path.c_str(), 0622) != 0 || ::chmod(fifo_path.c_str(), 0622) != 0)
        throw_errno("mkfifo " + fifo_path);
    Fd fifo(::open(fifo_path.c_str(), O_PATH | O_CLOEXEC));
    if (!fifo) throw_errno("open " + fifo_path);

    Fd console;
    int console_fd = opts.io.console_fd;
    if (terminal && console_fd < 0) {
        console = connect_console_socket(opts.io.console_socket);
        console_fd = console.get();
    }

    cgroup = std::move(planned_cgroup);
    cgroup->create();
    rollback.set_cgroup(cgroup.get());
    cgroup->apply(resources_with_default_devices(config));
    spdlog::debug("create {}: cgroup {} made, linux.resources applied", id, cgroup_path);
    Fd cgroup_fd = cgroup->fd_for_clone_into_cgroup();

    linux_::InitContext ictx;
    ictx.config = &config;
    ictx.id = id;
    ictx.rootfs.config = &config;
    ictx.rootfs.rootfs = rootfs;
    ictx.rootfs.bundle = bundle;
    ictx.rootfs.no_pivot = opts.no_pivot;
    ictx.rootfs.own_mount_ns = plan.has(spec::NamespaceType::mount);
    ictx.rootfs.new_user_ns = plan.new_user || plan.has(spec::NamespaceType::user);
    ictx.rootfs.new_cgroup_ns = plan.new_cgroup;
    ictx.rootfs.cgroups = cgroup_mounts(*cgroup);
    ictx.namespaces = plan;
    ictx.fifo = fifo.get();
    ictx.console_socket = console_fd;
    ictx.listen_fds = opts.io.listen_fds;
    ictx.preserve_fds = opts.io.preserve_fds;
    ictx.seccomp = seccomp ? &*seccomp : nullptr;

    linux_::PreparedMounts prepared = linux_::prepare_mounts(ictx.rootfs);
    ictx.rootfs.prepared = &prepared;

    auto [parent_sock, child_sock] = linux_::channel_pair();
    ictx.sync = &child_sock;
    pid_t pid = linux_::spawn_init(plan, cgroup_fd.get(), parent_sock, child_sock, [&] {
        // The parent's fds: the state dir's flock must not outlive `create`.
        parent_sock.close();
        lock.reset();
        cgroup_fd.reset();
        linux_::container_init(ictx);
    });
    rollback.set_pid(pid);
    spdlog::debug("create {}: init pid {}", id, pid);
    st.pid = pid;
    st.pid_start_time = linux_::process_start_time(pid);
    save_recovery(dir, st);
    child_sock.close();
    prepared.clear();
    console.reset();

    if (plan.new_user) linux_::write_id_maps(pid, config.linux->uid_mappings, config.linux->gid_mappings);
    cgroup->add_process(pid);
    if (config.process && config.process->oom_score_adj) {
        with_context("process.oomScoreAdj", [&] {
            write_existing("/proc/" + std::to_string(pid) + "/oom_score_adj",
                           std::to_string(*config.process->oom_score_adj));
        });
    }
    parent_sock.go();
    for (;;) {
        linux_::ParentChannel::Report m = parent_sock.next();
        if (m.type == linux_::Msg::ready) break;
        if (m.type == linux_::Msg::seccomp_fd) {
            // The agent gets the fd before the init makes another syscall.
            Fd listener = linux_::take_seccomp_listener(pid, parent_sock, static_cast<int>(m.value));
            linux_::ListenerState ls;
            ls.oci_version = kSpecVersion;
            ls.id = id;
            ls.pid = pid;
            ls.bundle = bundle;
            ls.annotations = config.annotations;
            linux_::send_to_seccomp_listener(config.linux->seccomp->listener_path,
                                             config.linux->seccomp->listener_metadata, ls, listener.get());
            parent_sock.go();
            continue;
        }
        if (m.type == linux_::Msg::run_hooks) {
            spdlog::debug("create {}: running the prestart and createRuntime hooks", id);
            const std::string st = hook_state_json(id, Status::creating, pid, bundle, config.annotations);
            linux_::run_hooks(config.hooks->prestart, "prestart", st);
            linux_::run_hooks(config.hooks->create_runtime, "createRuntime", st);
            parent_sock.go();
            continue;
        }
        throw Error("container init exited before it was ready" + describe_exit(pid));
    }

    st.cgroup_created = cgroup->created();
    st.creating = false;
    save_state(dir, st);
    write_pid_file(opts.io.pid_file, pid);
    rollback.commit();
    spdlog::debug("create {}: created, init {} waits for start", id, pid);
    return Container(dir, st, std::move(lock));
}

}  // namespace ocirt
