// `criu swrk`: the child, the socketpair and the message loop (swrk.hpp).
// The Request is turned into criu_rpc.proto's criu_opts here and nowhere else.
#include "ocirt/linux/criu/swrk.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <spdlog/spdlog.h>
#include <vector>

#include "criu_rpc.pb-c.h"
#include "ocirt/linux/child.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_::criu {
namespace {

CriuReqType req_type(Kind k) {
    switch (k) {
    case Kind::dump: return CRIU_REQ_TYPE__DUMP;
    case Kind::pre_dump: return CRIU_REQ_TYPE__PRE_DUMP;
    case Kind::restore: return CRIU_REQ_TYPE__RESTORE;
    }
    return CRIU_REQ_TYPE__EMPTY;
}

char* cstr(const std::string& s) { return const_cast<char*>(s.c_str()); }

// criu_opts built from a Request; owns the arrays it points into (the strings
// stay the Request's).
class Encoded {
public:
    Encoded(const Request& r, int images_fd, int work_fd) {
        criu_opts__init(&o_);
        o_.images_dir_fd = images_fd;
        if (work_fd >= 0) set(o_.has_work_dir_fd, o_.work_dir_fd, work_fd);
        if (r.pid > 0) set(o_.has_pid, o_.pid, r.pid);
        set(o_.has_log_level, o_.log_level, r.log_level);
        if (!r.log_file.empty()) o_.log_file = cstr(r.log_file);
        if (!r.root.empty()) o_.root = cstr(r.root);
        if (!r.parent_img.empty()) o_.parent_img = cstr(r.parent_img);
        if (!r.freeze_cgroup.empty()) o_.freeze_cgroup = cstr(r.freeze_cgroup);
        if (!r.config_file.empty()) o_.config_file = cstr(r.config_file);
        flag(o_.has_leave_running, o_.leave_running, r.leave_running);
        flag(o_.has_tcp_established, o_.tcp_established, r.tcp_established);
        flag(o_.has_ext_unix_sk, o_.ext_unix_sk, r.ext_unix_sk);
        flag(o_.has_shell_job, o_.shell_job, r.shell_job);
        flag(o_.has_file_locks, o_.file_locks, r.file_locks);
        flag(o_.has_auto_dedup, o_.auto_dedup, r.auto_dedup);
        flag(o_.has_lazy_pages, o_.lazy_pages, r.lazy_pages);
        flag(o_.has_track_mem, o_.track_mem, r.track_mem);
        flag(o_.has_notify_scripts, o_.notify_scripts, r.notify_scripts);
        flag(o_.has_rst_sibling, o_.rst_sibling, r.rst_sibling);
        flag(o_.has_manage_cgroups, o_.manage_cgroups, r.manage_cgroups);
        flag(o_.has_orphan_pts_master, o_.orphan_pts_master, r.orphan_pts_master);
        if (r.status_fd >= 0) set(o_.has_status_fd, o_.status_fd, r.status_fd);
        if (r.empty_ns) set(o_.has_empty_ns, o_.empty_ns, r.empty_ns);
        if (r.manage_cgroups)
            set(o_.has_manage_cgroups_mode, o_.manage_cgroups_mode, static_cast<CriuCgMode>(r.cgroups_mode));

        mounts_.resize(r.ext_mounts.size());
        for (size_t i = 0; i < r.ext_mounts.size(); ++i) {
            ext_mount_map__init(&mounts_[i]);
            mounts_[i].key = cstr(r.ext_mounts[i].key);
            mounts_[i].val = cstr(r.ext_mounts[i].value);
            mount_ptrs_.push_back(&mounts_[i]);
        }
        o_.n_ext_mnt = mount_ptrs_.size();
        o_.ext_mnt = mount_ptrs_.data();

        fds_.resize(r.inherit_fds.size());
        for (size_t i = 0; i < r.inherit_fds.size(); ++i) {
            inherit_fd__init(&fds_[i]);
            fds_[i].key = cstr(r.inherit_fds[i].key);
            fds_[i].fd = r.inherit_fds[i].fd;
            fd_ptrs_.push_back(&fds_[i]);
        }
        o_.n_inherit_fd = fd_ptrs_.size();
        o_.inherit_fd = fd_ptrs_.data();

        roots_.resize(r.cgroup_roots.size());
        for (size_t i = 0; i < r.cgroup_roots.size(); ++i) {
            cgroup_root__init(&roots_[i]);
            if (!r.cgroup_roots[i].controllers.empty()) roots_[i].ctrl = cstr(r.cgroup_roots[i].controllers);
            roots_[i].path = cstr(r.cgroup_roots[i].path);
            root_ptrs_.push_back(&roots_[i]);
        }
        o_.n_cg_root = root_ptrs_.size();
        o_.cg_root = root_ptrs_.data();

        for (const auto& e : r.external) external_.push_back(cstr(e));
        o_.n_external = external_.size();
        o_.external = external_.data();
    }
    CriuOpts* opts() { return &o_; }

private:
    template <class T, class V>
    static void set(protobuf_c_boolean& has, T& field, V v) {
        has = 1;
        field = v;
    }
    static void flag(protobuf_c_boolean& has, protobuf_c_boolean& field, bool v) {
        if (v) set(has, field, 1);
    }
    CriuOpts o_;
    std::vector<ExtMountMap> mounts_;
    std::vector<ExtMountMap*> mount_ptrs_;
    std::vector<::InheritFd> fds_;
    std::vector<::InheritFd*> fd_ptrs_;
    std::vector<::CgroupRoot> roots_;
    std::vector<::CgroupRoot*> root_ptrs_;
    std::vector<char*> external_;
};

void send_req(int sock, const CriuReq& req) {
    std::vector<uint8_t> buf(criu_req__get_packed_size(&req));
    criu_req__pack(&req, buf.data());
    ssize_t n = ::send(sock, buf.data(), buf.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(buf.size())) throw_errno("criu swrk: send the request");
}

struct RespDeleter {
    void operator()(CriuResp* r) const { criu_resp__free_unpacked(r, nullptr); }
};
using RespPtr = std::unique_ptr<CriuResp, RespDeleter>;

// One response (nullptr when criu closed the socket: it exited), and the fd
// that came with it, if any (the orphan-pts-master notification's pty master).
RespPtr recv_resp(int sock, Fd& passed) {
    std::vector<uint8_t> buf(64 * 1024);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("criu swrk: receive a response");
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            passed.reset(fd);
        }
    }
    if (n == 0) return nullptr;
    if (msg.msg_flags & MSG_TRUNC) throw Error(EMSGSIZE, "criu swrk: a response over " + std::to_string(buf.size()) + " bytes");
    CriuResp* r = criu_resp__unpack(nullptr, static_cast<size_t>(n), buf.data());
    if (!r) throw Error(EBADMSG, "criu swrk: a response that is not a criu_resp");
    return RespPtr(r);
}

// criu's exit, reaped.
std::string wait_criu(ChildGuard& g) {
    int status = 0;
    pid_t pid = g.release();
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return describe_wait_status(status);
}

}  // namespace

std::string criu_binary() {
    if (const char* e = std::getenv("OCIRT_CRIU"); e && *e) return e;
    const char* path = std::getenv("PATH");
    std::string p = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find(':', start);
        if (end == std::string::npos) end = p.size();
        std::string dir = p.substr(start, end - start);
        if (!dir.empty()) {
            std::string f = dir + "/criu";
            if (::access(f.c_str(), X_OK) == 0) return f;
        }
        start = end + 1;
    }
    throw Error(ENOENT, "criu not found in PATH (install the criu package, or set OCIRT_CRIU)");
}

namespace {

// criu with `args`, its fd `keep` (if any) inherited, its stdout and stderr
// into `output` (if valid): a child, exec'd at once.
pid_t spawn_criu(const std::string& bin, std::vector<std::string> args, int keep, int output) {
    std::vector<const char*> argv{bin.c_str()};
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork for criu");
    if (pid == 0) {
        // Only async-signal-safe calls from here to execv.
        if (keep >= 0) {
            int fl = ::fcntl(keep, F_GETFD);
            if (fl < 0 || ::fcntl(keep, F_SETFD, fl & ~FD_CLOEXEC) < 0) ::_exit(126);
        }
        if (output >= 0 && (::dup2(output, 1) < 0 || ::dup2(output, 2) < 0)) ::_exit(126);
        ::execv(argv[0], const_cast<char* const*>(argv.data()));
        ::_exit(127);
    }
    return pid;
}

std::string read_memfd(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
        out.append(buf, static_cast<size_t>(n));
        off += n;
    }
    return out;
}

}  // namespace

bool check(std::string& output) {
    const std::string bin = criu_binary();
    Fd out(::memfd_create("criu-check", MFD_CLOEXEC));
    if (!out) throw_errno("memfd for criu check's output");
    ChildGuard criu(spawn_criu(bin, {"check"}, -1, out.get()));
    int status = 0;
    pid_t pid = criu.release();
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    output = read_memfd(out.get());
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Response run(const Request& r, int images_fd, int work_fd, const Session& s) {
    const std::string bin = criu_binary();
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("criu swrk: socketpair");
    Fd ours(sv[0]), theirs(sv[1]);
    const pid_t pid = spawn_criu(bin, {"swrk", std::to_string(theirs.get())}, theirs.get(), -1);
    ChildGuard criu(pid);
    theirs.reset();
    spdlog::debug("criu swrk: {} started, pid {}", bin, pid);
    if (s.on_spawn) s.on_spawn(pid);

    Encoded enc(r, images_fd, work_fd);
    CriuReq req;
    criu_req__init(&req);
    req.type = req_type(r.kind);
    req.opts = enc.opts();
    send_req(ours.get(), req);

    std::exception_ptr failed;  // a notification handler's
    Response out;
    for (;;) {
        Fd passed;
        RespPtr resp = recv_resp(ours.get(), passed);
        if (!resp) {
            ours.reset();
            throw Error(EPIPE, "criu swrk exited without an answer (" + wait_criu(criu) + ")");
        }
        if (resp->type == CRIU_REQ_TYPE__NOTIFY) {
            Notification n;
            n.fd = std::move(passed);
            if (resp->notify) {
                if (resp->notify->script) n.script = resp->notify->script;
                n.pid = resp->notify->pid;
            }
            spdlog::debug("criu swrk: notification {} (pid {})", n.script, n.pid);
            bool ok = true;
            if (s.on_notify && !failed) {
                try {
                    s.on_notify(n);
                } catch (...) {
                    failed = std::current_exception();
                    ok = false;
                }
            }
            CriuReq ack;
            criu_req__init(&ack);
            ack.type = CRIU_REQ_TYPE__NOTIFY;
            ack.has_notify_success = 1;
            ack.notify_success = ok;
            send_req(ours.get(), ack);
            continue;
        }
        out.success = resp->success;
        if (resp->has_cr_errno) out.cr_errno = resp->cr_errno;
        if (resp->cr_errmsg) out.errmsg = resp->cr_errmsg;
        if (resp->restore) out.restored_pid = resp->restore->pid;
        break;
    }
    ours.reset();
    const std::string how = wait_criu(criu);

    spdlog::debug("criu swrk: done, success {}, criu {}", out.success, how);
    if (failed) std::rethrow_exception(failed);
    return out;
}

}  // namespace ocirt::linux_::criu
