#include "ocirt/linux/readonly_exe.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>

#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

extern char** environ;

namespace ocirt::linux_ {
namespace {

bool on_readonly_mount(const char* path) {
    struct statvfs sv;
    return ::statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

// A detached, read-only bind mount of the binary (open_tree + mount_setattr,
// Linux 5.12+): it belongs to no mount namespace, so nothing is copied nor
// torn down, and it goes away with the last reference to the file.
Fd open_detached_readonly(const char* exe) {
    Fd tree(::open_tree(AT_FDCWD, exe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return Fd();
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) return Fd();
    return tree;
}

// Opens the binary through a read-only bind mount: a detached one where the
// kernel can, else one made in a private mount namespace, coming back to the
// caller's mount namespace and cwd.
Fd open_readonly_binary(const char* exe) {
    if (Fd detached = open_detached_readonly(exe)) return detached;
    Fd host_ns(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC));
    Fd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!host_ns || !cwd || ::unshare(CLONE_NEWNS) != 0) return Fd();
    Fd bin;
    // Nothing done here may reach the host: the namespace is made a slave first.
    if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0 &&
        ::mount(exe, exe, nullptr, MS_BIND, nullptr) == 0 &&
        ::mount(nullptr, exe, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) == 0)
        bin.reset(::open(exe, O_RDONLY | O_CLOEXEC));
    if (::setns(host_ns.get(), CLONE_NEWNS) != 0 || ::fchdir(cwd.get()) != 0) {
        // Half-way: do not go on in a mount namespace that is not the host's.
        spdlog::critical("cannot return to the host's mount namespace: {}", std::strerror(errno));
        ::_exit(1);
    }
    return bin;
}

// A sealed memfd (F_SEAL_WRITE and the rest) is as good as a read-only mount:
// nothing can write it any more.
bool is_sealed_copy(int fd) {
    int seals = ::fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL);
}

}  // namespace

Fd readonly_view_in_own_userns(const std::string& exe) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return Fd();
    Fd ours(sv[0]), theirs(sv[1]);
    pid_t pid = ::fork();
    if (pid < 0) return Fd();
    if (pid == 0) {
        // Only syscalls and _exit here: this is a fork of whatever called us.
        ours.reset();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) ::_exit(1);
        Fd tree = open_detached_readonly(exe.c_str());
        if (!tree) ::_exit(1);
        try {
            send_fd(theirs.get(), tree.get(), "exe");
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    theirs.reset();
    Fd got;
    try {
        got = recv_fd(ours.get());
    } catch (const Error&) {
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return got;
}

Fd sealed_memfd_copy(const std::string& exe) {
    Fd src(::open(exe.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!src || ::fstat(src.get(), &st) != 0) return Fd();
    unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
#ifdef MFD_EXEC
    Fd mem(::memfd_create("ocirt", flags | MFD_EXEC));  // vm.memfd_noexec may default to noexec
    if (!mem) mem.reset(::memfd_create("ocirt", flags));  // kernels before 6.3
#else
    Fd mem(::memfd_create("ocirt", flags));
#endif
    if (!mem) return Fd();
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = ::sendfile(mem.get(), src.get(), &off, static_cast<size_t>(st.st_size - off));
        if (n <= 0) return Fd();
    }
    if (::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) return Fd();
    return mem;
}

namespace {

std::string self_exe() {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    exe[n] = '\0';
    return exe;
}

bool readonly(const Fd& fd) {
    return fd && (on_readonly_mount(("/proc/self/fd/" + std::to_string(fd.get())).c_str()) || is_sealed_copy(fd.get()));
}

}  // namespace

void reexec_from_readonly_binary(char** argv) {
    if (on_readonly_mount("/proc/self/exe")) return;
    {
        Fd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
        if (self && is_sealed_copy(self.get())) return;
    }
    const std::string exe = self_exe();
    if (exe.empty()) return;
    // With CAP_SYS_ADMIN over our mount namespace (root, also root of a
    // rootless podman's user namespace); else rootless: the same inside a
    // user namespace of our own; else (user namespaces disabled) a copy.
    Fd bin = open_readonly_binary(exe.c_str());
    if (!readonly(bin)) bin = readonly_view_in_own_userns(exe);
    if (!readonly(bin)) bin = sealed_memfd_copy(exe);
    if (!readonly(bin)) {
        spdlog::debug("running from the writable binary: cannot make a read-only view of it");
        return;
    }
    ::syscall(SYS_execveat, bin.get(), "", argv, environ, AT_EMPTY_PATH);
    spdlog::debug("re-exec from the read-only binary failed: {}", std::strerror(errno));
}

}  // namespace ocirt::linux_
