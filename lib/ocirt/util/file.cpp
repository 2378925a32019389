#include "ocirt/util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt {

std::string read_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno(path);
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

static void write_all(int fd, const std::string& data, const std::string& path) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write " + path);
        }
        off += static_cast<size_t>(n);
    }
}

void write_existing(const std::string& path, const std::string& data) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) throw_errno("open " + path);
    write_all(fd.get(), data, path);
}

void write_atomic(const std::string& path, const std::string& data, mode_t mode) {
    std::string tmp = path + ".tmp";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) throw_errno("create " + tmp);
    write_all(fd.get(), data, tmp);
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error(err, "rename " + tmp + " to " + path);
    }
}

void mkdir_all(const std::string& path, mode_t mode) {
    if (path.empty()) return;
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + cur);
    }
}

static void remove_at(int dirfd, const std::string& name, dev_t dev, const std::string& shown) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return;
        throw_errno("stat " + shown);
    }
    if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != dev) throw Error("refusing to remove " + shown + ": a mount point");
        Fd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) throw_errno("open " + shown);
        std::vector<DirEntry> names;
        {
            Dir d = Dir::adopt(Fd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0)));
            if (!d) throw_errno("opendir " + shown);
            names = d.entries("read directory " + shown);
        }
        for (auto& n : names) remove_at(fd.get(), n.name, dev, shown + "/" + n.name);
        if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
            throw_errno("rmdir " + shown);
    } else if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
        throw_errno("unlink " + shown);
    }
}

void remove_all(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        throw_errno("stat " + path);
    }
    remove_at(AT_FDCWD, path, st.st_dev, path);
}

bool path_exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

std::string clean_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string c = path.substr(i, j - i);
        if (c == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!c.empty() && c != ".") {
            parts.push_back(c);
        }
        i = j + 1;
    }
    std::string out;
    for (auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

std::string absolute_path(const std::string& path) {
    if (!path.empty() && path[0] == '/') return clean_path(path);
    char buf[4096];
    if (!::getcwd(buf, sizeof buf)) throw_errno("getcwd");
    return clean_path(std::string(buf) + "/" + path);
}

std::string join_path(const std::string& a, const std::string& b) {
    if (b.empty()) return a;
    if (a.empty() || a.back() == '/') return a + (b[0] == '/' ? b.substr(1) : b);
    return a + (b[0] == '/' ? b : "/" + b);
}

}  // namespace ocirt
