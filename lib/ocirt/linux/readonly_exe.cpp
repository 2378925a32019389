#include "ocirt/linux/readonly_exe.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>

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
Fd open_readonly_binary() {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return Fd();
    exe[n] = '\0';
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

}  // namespace

void reexec_from_readonly_binary(char** argv) {
    if (on_readonly_mount("/proc/self/exe")) return;
    Fd bin = open_readonly_binary();
    if (!bin || !on_readonly_mount(("/proc/self/fd/" + std::to_string(bin.get())).c_str())) {
        spdlog::debug("running from the writable binary: cannot make a read-only view of it");
        return;
    }
    ::syscall(SYS_execveat, bin.get(), "", argv, environ, AT_EMPTY_PATH);
    spdlog::debug("re-exec from the read-only binary failed: {}", std::strerror(errno));
}

}  // namespace ocirt::linux_
