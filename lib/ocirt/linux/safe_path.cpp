#include "ocirt/linux/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <deque>
#include <vector>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

int openat2_in_root(int root_fd, const std::string& rel, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const char* p = rel.empty() ? "." : rel.c_str();
    int fd;
    do fd = static_cast<int>(::syscall(SYS_openat2, root_fd, p, &how, sizeof how));
    while (fd < 0 && errno == EAGAIN);
    return fd;
}

std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string c = path.substr(i, j - i);
        if (!c.empty() && c != ".") out.push_back(c);
        i = j + 1;
    }
    return out;
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Fd open_in_root(int root_fd, const std::string& path, Create create, mode_t mode) {
    auto parts = components(path);
    std::string rel;
    for (const auto& p : parts) rel += (rel.empty() ? "" : "/") + p;

    int fd = openat2_in_root(root_fd, rel, O_PATH);
    if (fd >= 0 || errno != ENOENT || create == Create::none) {
        if (fd < 0) throw_errno(path);
        return Fd(fd);
    }
    // Walk down, creating what is missing; each step is resolved in the root
    // again, so a component that is a symlink still cannot lead outside. A
    // dangling symlink is followed by hand (as runc and crun do): its target
    // takes the place of the link in the rest of the walk, an absolute one
    // starting again at the root, and ".." never climbs above it.
    auto open_root = [&] {
        Fd r(openat2_in_root(root_fd, "", O_PATH | O_DIRECTORY));
        if (!r) throw_errno("open rootfs");
        return r;
    };
    Fd cur = open_root();
    std::deque<std::string> todo(parts.begin(), parts.end());
    std::string sofar;
    int links = 0;
    while (!todo.empty()) {
        std::string name = std::move(todo.front());
        todo.pop_front();
        std::string next_path = sofar.empty() ? name : sofar + "/" + name;
        int next = openat2_in_root(root_fd, next_path, O_PATH);
        if (next < 0 && errno == ENOENT) {
            char buf[PATH_MAX];
            ssize_t n = ::readlinkat(cur.get(), name.c_str(), buf, sizeof buf);
            if (n > 0) {
                if (++links > 40) throw Error(ELOOP, path);
                std::string target(buf, static_cast<size_t>(n));
                auto tparts = components(target);
                todo.insert(todo.begin(), tparts.begin(), tparts.end());
                if (target[0] == '/') {
                    sofar.clear();
                    cur = open_root();
                }
                continue;
            }
            if (todo.empty() && create == Create::file) {
                int f = ::openat(cur.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                                 0644);
                if (f < 0 && errno != EEXIST) throw_errno("create /" + next_path);
                if (f >= 0) ::close(f);
            } else if (::mkdirat(cur.get(), name.c_str(), mode) != 0 && errno != EEXIST) {
                throw_errno("mkdir /" + next_path);
            }
            next = openat2_in_root(root_fd, next_path, O_PATH);
        }
        if (next < 0) throw_errno("/" + next_path);
        cur.reset(next);
        sofar = std::move(next_path);
    }
    return cur;
}

}  // namespace ocirt::linux_
