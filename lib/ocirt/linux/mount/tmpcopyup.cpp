#include "ocirt/linux/mount/tmpcopyup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {
namespace {

struct Copier {
    int dst_root;
    std::string name;                                      // the source path, for errors
    std::map<std::pair<dev_t, ino_t>, std::string> links;  // first copy of a multiply-linked file

    std::string path(const std::string& rel) const { return name + (rel.empty() ? "" : "/" + rel); }

    static Fd open_dir(int dirfd, const char* entry) {
        return Fd(::openat(dirfd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }

    // Owner before mode: chown clears the set-id bits.
    void set_owner_mode(int fd, const struct stat& st, const std::string& rel, bool uid = true,
                        bool gid = true, bool mode = true) {
        if ((uid || gid) && ::fchown(fd, uid ? st.st_uid : static_cast<uid_t>(-1),
                                     gid ? st.st_gid : static_cast<gid_t>(-1)) != 0)
            throw_errno("chown the copy of " + path(rel));
        if (mode && ::fchmod(fd, st.st_mode & 07777) != 0) throw_errno("chmod the copy of " + path(rel));
    }

    // Extended attributes: what the target filesystem refuses is left out.
    void copy_xattrs(int from, int to, const std::string& rel) {
        ssize_t size = ::flistxattr(from, nullptr, 0);
        if (size <= 0) return;
        std::vector<char> names(static_cast<size_t>(size));
        size = ::flistxattr(from, names.data(), names.size());
        if (size < 0) throw_errno("list extended attributes of " + path(rel));
        for (const char* n = names.data(); n < names.data() + size; n += strlen(n) + 1) {
            ssize_t len = ::fgetxattr(from, n, nullptr, 0);
            if (len < 0) continue;
            std::vector<char> value(static_cast<size_t>(len) + 1);
            len = ::fgetxattr(from, n, value.data(), value.size());
            if (len < 0) continue;
            if (::fsetxattr(to, n, value.data(), static_cast<size_t>(len), 0) != 0 && errno != ENOTSUP &&
                errno != EPERM)
                throw_errno("set extended attribute " + std::string(n) + " on the copy of " + path(rel));
        }
    }

    void copy_times(int dirfd, const char* entry, const struct stat& st, const std::string& rel) {
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        if (::utimensat(dirfd, entry, times, AT_SYMLINK_NOFOLLOW) != 0)
            throw_errno("set times of " + path(rel));
    }

    void copy_data(int from, int to, const std::string& rel) {
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(from, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("read " + path(rel));
            if (n == 0) return;
            for (ssize_t off = 0; off < n;) {
                ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) throw_errno("write the copy of " + path(rel));
                off += w;
            }
        }
    }

    void copy_file(int src, int dst, const char* entry, const struct stat& st, const std::string& rel) {
        Fd in(::openat(src, entry, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
        if (!in) throw_errno("open " + path(rel));
        Fd out(::openat(dst, entry, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) throw_errno("create the copy of " + path(rel));
        copy_data(in.get(), out.get(), rel);
        set_owner_mode(out.get(), st, rel);
        copy_xattrs(in.get(), out.get(), rel);
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        if (::futimens(out.get(), times) != 0) throw_errno("set times of " + path(rel));
    }

    void copy_entry(int src, int dst, const char* entry, const std::string& rel) {
        struct stat st;
        if (::fstatat(src, entry, &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat " + path(rel));
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
            auto [it, first] = links.try_emplace({st.st_dev, st.st_ino}, rel);
            if (!first) {
                if (::linkat(dst_root, it->second.c_str(), dst, entry, 0) != 0)
                    throw_errno("link " + path(rel) + " to " + path(it->second));
                return;
            }
        }
        switch (st.st_mode & S_IFMT) {
            case S_IFDIR: {
                if (::mkdirat(dst, entry, 0700) != 0) throw_errno("mkdir the copy of " + path(rel));
                Fd from = open_dir(src, entry);
                if (!from) throw_errno("open " + path(rel));
                Fd to = open_dir(dst, entry);
                if (!to) throw_errno("open the copy of " + path(rel));
                copy_dir(from.get(), to.get(), rel);
                set_owner_mode(to.get(), st, rel);
                copy_xattrs(from.get(), to.get(), rel);
                copy_times(dst, entry, st, rel);
                return;
            }
            case S_IFREG:
                return copy_file(src, dst, entry, st, rel);
            case S_IFLNK: {
                std::vector<char> target(static_cast<size_t>(st.st_size) + 1);
                ssize_t n = ::readlinkat(src, entry, target.data(), target.size());
                if (n < 0) throw_errno("readlink " + path(rel));
                target.resize(static_cast<size_t>(n));
                target.push_back('\0');
                if (::symlinkat(target.data(), dst, entry) != 0)
                    throw_errno("symlink the copy of " + path(rel));
                if (::fchownat(dst, entry, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
                    throw_errno("chown the copy of " + path(rel));
                copy_times(dst, entry, st, rel);
                return;
            }
            case S_IFIFO:
            case S_IFCHR:
            case S_IFBLK: {
                if (::mknodat(dst, entry, (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0)
                    throw_errno("mknod the copy of " + path(rel));
                // A node is never opened (a fifo would block): fchownat/fchmodat
                // on a name just made in a directory nobody else sees yet.
                if (::fchownat(dst, entry, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
                    throw_errno("chown the copy of " + path(rel));
                if (::fchmodat(dst, entry, st.st_mode & 07777, 0) != 0)
                    throw_errno("chmod the copy of " + path(rel));
                copy_times(dst, entry, st, rel);
                return;
            }
            default:  // sockets: nothing to copy
                return;
        }
    }

    void copy_dir(int src, int dst, const std::string& rel) {
        Fd listing_fd(::openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!listing_fd) throw_errno("open " + path(rel));
        std::vector<DirEntry> entries;
        {
            Dir d = Dir::adopt(std::move(listing_fd));
            if (!d) throw_errno("open " + path(rel));
            entries = d.entries("read directory " + path(rel));
        }
        for (const auto& e : entries) {
            const std::string& n = e.name;
            copy_entry(src, dst, n.c_str(), rel.empty() ? n : rel + "/" + n);
        }
    }
};

}  // namespace

void copy_up(int src, int dst, const CopyUpRoot& root, const std::string& name) {
    Fd from(::openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!from) throw_errno("open " + name);
    Fd to(::openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!to) throw_errno("open the new tmpfs");
    Copier c{to.get(), name, {}};
    c.copy_dir(from.get(), to.get(), "");
    struct stat st;
    if (::fstat(from.get(), &st) != 0) throw_errno("stat " + name);
    c.set_owner_mode(to.get(), st, "", root.uid, root.gid, root.mode);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(to.get(), times) != 0) throw_errno("set times of the new tmpfs");
}

}  // namespace ocirt::linux_
