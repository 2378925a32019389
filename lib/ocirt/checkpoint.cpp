// checkpoint and restore (checkpoint.hpp): the image and work dirs, what the
// container's config and cgroup tell CRIU (linux/criu/request.*), the
// conversation (linux/criu/swrk.*), and what is left afterwards.
#include "ocirt/checkpoint.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <spdlog/spdlog.h>
#include <sstream>

#include "ocirt/container.hpp"
#include "ocirt/create_check.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/criu/log.hpp"
#include "ocirt/linux/criu/root_mount.hpp"
#include "ocirt/linux/criu/stdio.hpp"
#include "ocirt/linux/criu/swrk.hpp"
#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/linux/hooks.hpp"
#include "ocirt/linux/supervise.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {
namespace criu = linux_::criu;
namespace {

std::string absolute(const std::string& p) { return std::filesystem::absolute(p).lexically_normal().string(); }

Fd open_dir(const std::string& path, const std::string& what) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_errno(what + " " + path);
    return fd;
}

criu::CgroupInfo cgroup_info(const cgroups::Manager& m) {
    criu::CgroupInfo out;
    out.path = m.path();
    for (const auto& h : m.hierarchies()) {
        criu::CgroupInfo::Hierarchy x;
        if (m.mode() != cgroups::Mode::v2) x.name = h.mountpoint.substr(h.mountpoint.rfind('/') + 1);
        for (const auto& c : h.controllers) x.controllers += (x.controllers.empty() ? "" : ",") + c;
        x.host_dir = m.dir(h);
        if (m.mode() == cgroups::Mode::v2 ? h.unified : h.has("freezer")) out.freezer_dir = x.host_dir;
        out.hierarchies.push_back(std::move(x));
    }
    return out;
}

Error criu_failed(const std::string& what, const criu::Response& r, const std::string& work, const std::string& log) {
    std::string msg = "criu " + what + " failed";
    std::string errmsg = r.errmsg;
    while (!errmsg.empty() && (errmsg.back() == '\n' || errmsg.back() == ' ')) errmsg.pop_back();
    if (!errmsg.empty()) msg += ": " + errmsg;
    const std::string path = join_path(work, log);
    msg += " (log " + path + ")";
    const std::string tail = criu::log_errors(path);
    if (!tail.empty()) msg += ":" + tail;
    return r.cr_errno ? Error(r.cr_errno, msg) : Error(msg);
}

// CRIU reads --parent-path relative to the image dir.
std::string parent_relative(const std::string& parent, const std::string& images) {
    if (parent.empty() || parent[0] != '/') return parent;
    return std::filesystem::path(absolute(parent)).lexically_relative(absolute(images)).string();
}

}  // namespace

std::string default_image_path() { return absolute("checkpoint"); }

void Container::checkpoint(const criu::Options& opts) {
    const Status s = status();
    if (s != Status::running && s != Status::paused)
        throw Error("container \"" + id() + "\" is not running (" + to_string(s) + ")");
    const spec::Config c = config();
    criu::Options o = opts;
    const std::string images = absolute(o.image_path.empty() ? default_image_path() : o.image_path);
    const std::string work = absolute(o.work_path.empty() ? images : o.work_path);
    o.parent_path = parent_relative(o.parent_path, images);
    try {
        mkdir_all(images, 0700);
        mkdir_all(work, 0700);
    } catch (Error& e) {
        throw e.wrap("checkpoint image or work dir");
    }
    Fd images_fd = open_dir(images, "image dir");
    Fd work_fd = open_dir(work, "work dir");

    const pid_t pid = state_.pid;
    std::vector<uint64_t> inodes;
    for (const auto& ns : criu::external_namespaces(c)) {
        struct stat st;
        if (::stat(ns.path.c_str(), &st) != 0) throw_errno("namespace " + ns.path);
        inodes.push_back(st.st_ino);
    }
    const std::string proc_root = "/proc/" + std::to_string(pid) + "/root";
    auto is_dir = [&](const std::string& p) {
        struct stat st;
        return ::stat((proc_root + p).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    };
    std::unique_ptr<cgroups::Manager> cg;
    if (!state_.cgroup_path.empty()) cg = cgroup();
    criu::Request r = criu::dump_request(c, pid, state_.rootfs, o, cg ? cgroup_info(*cg) : criu::CgroupInfo{},
                                         inodes, is_dir);
    const criu::InitStdio stdio = criu::init_stdio(pid);
    for (const auto& key : stdio.external) r.external.push_back(key);
    if (!o.pre_dump) criu::write_descriptors(images, stdio.descriptors);
    spdlog::debug("checkpoint {}: criu {} of init {} into {}", id(), o.pre_dump ? "pre-dump" : "dump", pid, images);
    criu::Session session;
    const criu::Response resp = criu::run(r, images_fd.get(), work_fd.get(), session);
    if (!resp.success) throw criu_failed(o.pre_dump ? "pre-dump" : "dump", resp, work, r.log_file);
    // CRIU killed the container's processes: what is left is deleted, as runc does.
    if (!o.leave_running && !o.pre_dump) destroy(/*force=*/true);
}

int restore_container(Factory& factory, const std::string& id, RestoreOptions o) {
    Factory::validate_id(id);
    const std::string images = absolute(o.criu.image_path.empty() ? default_image_path() : o.criu.image_path);
    const std::string work = absolute(o.criu.work_path.empty() ? images : o.criu.work_path);
    Fd images_fd = open_dir(images, "checkpoint image dir");
    if (!path_exists(join_path(images, "inventory.img")))
        throw Error(ENOENT, "checkpoint image dir " + images + ": no inventory.img (not a checkpoint)");
    if (factory.exists(id)) throw Error(EEXIST, "container \"" + id + "\" already exists");
    try {
        mkdir_all(work, 0700);
    } catch (Error& e) {
        throw e.wrap("work dir");
    }
    Fd work_fd = open_dir(work, "work dir");
    const std::vector<std::string> descriptors = criu::read_descriptors(images);

    if (!o.detach && !o.no_subreaper && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        throw_errno("become a subreaper");
    auto restore_init = [&](const RestoreTarget& t) -> pid_t {
        const spec::Config& c = t.bundle.config;
        criu::RootMount root(t.bundle.rootfs, t.dir + "/" + criu::kRootMountName);
        // Namespaces joined by path: criu inherits an fd of each.
        std::vector<Fd> ns_fds;
        std::vector<int> ns_fd_numbers;
        for (const auto& ns : criu::external_namespaces(c)) {
            ns_fds.emplace_back(::open(ns.path.c_str(), O_RDONLY));
            if (!ns_fds.back()) throw_errno("namespace " + ns.path);
            ns_fd_numbers.push_back(ns_fds.back().get());
        }
        criu::Request r = criu::restore_request(c, t.bundle.bundle, root.path(), o.criu, cgroup_info(t.cgroup),
                                                ns_fd_numbers);
        // The init's stdio pipes and outside files (criu/stdio.hpp): ours
        // take their place.
        for (size_t i = 0; i < descriptors.size() && i < 3; ++i)
            if (criu::inherited(descriptors[i])) r.inherit_fds.push_back({descriptors[i], static_cast<int>(i)});
        criu::Session session;
        session.on_spawn = [&](pid_t criu_pid) {
            // Restored tasks start where criu is: the container's cgroup.
            if (!t.bundle.cgroup_path.empty() && !t.cgroup.hierarchies().empty()) t.cgroup.add_process(criu_pid);
        };
        session.on_notify = [&](criu::Notification& n) {
            // process.terminal: the new pty's master to the console socket, as create sends it.
            if (n.script == "orphan-pts-master") {
                if (!n.fd) throw Error(EPROTO, "criu: orphan-pts-master came without the pty master");
                Fd sock = linux_::connect_unix(t.bundle.process.console_socket, "--console-socket");
                linux_::send_fd(sock.get(), n.fd.get(), "orphan-pts-master");
            }
            if (n.script == "setup-namespaces" && c.hooks) {
                const std::string hs = hook_state_json(id, Status::creating, n.pid, t.bundle.bundle, c.annotations);
                linux_::run_hooks(c.hooks->prestart, "prestart", hs);
                linux_::run_hooks(c.hooks->create_runtime, "createRuntime", hs);
            }
        };
        spdlog::debug("restore {}: criu restore from {}", id, images);
        const criu::Response resp = criu::run(r, images_fd.get(), work_fd.get(), session);
        if (!resp.success) throw criu_failed("restore", resp, work, r.log_file);
        if (resp.restored_pid <= 0) throw Error(EPROTO, "criu restore: no pid in its answer");
        return resp.restored_pid;
    };
    Container c = factory.create_restored(id, o.create, restore_init);
    if (o.detach) return 0;
    c.unlock();
    linux_::BlockedSignals signals;
    std::optional<linux_::ConsoleRelay> relay;
    const int code = linux_::supervise(c.state().pid, signals, relay);
    factory.load(id).destroy(/*force=*/true);
    return code;
}

bool checkpoint_usable(std::string* why) {
    try {
        std::string output;
        if (criu::check(output)) return true;
        // criu's first error line is its reason (the others follow from it).
        std::string reason;
        std::istringstream in(output);
        for (std::string l; reason.empty() && std::getline(in, l);)
            if (l.find("Error") != std::string::npos) reason = l;
        if (why) *why = "criu check failed" + (reason.empty() ? std::string() : ": " + reason);
    } catch (const std::exception& e) {
        if (why) *why = e.what();
    }
    return false;
}

}  // namespace ocirt
