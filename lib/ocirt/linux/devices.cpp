#include "ocirt/linux/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ocirt/linux/safe_path.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

spec::Device char_dev(const char* path, int64_t major, int64_t minor) {
    spec::Device d;
    d.type = "c";
    d.path = path;
    d.major = major;
    d.minor = minor;
    d.file_mode = 0666;
    d.uid = 0;
    d.gid = 0;
    return d;
}

void split(const std::string& path, std::string& dir, std::string& name) {
    auto slash = path.rfind('/');
    dir = slash == 0 ? "/" : path.substr(0, slash);
    name = path.substr(slash + 1);
}

mode_t type_bits(const spec::Device& d, const std::string& where) {
    if (d.type == "c" || d.type == "u") return S_IFCHR;
    if (d.type == "b") return S_IFBLK;
    if (d.type == "p") return S_IFIFO;
    throw Error(where + ".type: unknown device type \"" + d.type + "\"");
}

}  // namespace

std::vector<spec::Device> devices_to_create(const spec::Config& c) {
    std::vector<spec::Device> out;
    if (c.linux) out = c.linux->devices;
    const spec::Device defaults[] = {
        char_dev("/dev/null", 1, 3),    char_dev("/dev/zero", 1, 5),
        char_dev("/dev/full", 1, 7),    char_dev("/dev/random", 1, 8),
        char_dev("/dev/urandom", 1, 9), char_dev("/dev/tty", 5, 0),
    };
    for (const auto& d : defaults) {
        bool listed = false;
        for (const auto& o : out) listed |= o.path == d.path;
        if (!listed) out.push_back(d);
    }
    return out;
}

void create_devices(int root_fd, const std::vector<spec::Device>& devices, bool bind_from_host) {
    for (size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        const std::string where = "linux.devices[" + std::to_string(i) + "] " + d.path;
        std::string dir, name;
        split(d.path, dir, name);
        Fd parent = open_in_root(root_fd, dir, Create::dir);
        mode_t mode = type_bits(d, where) | (d.file_mode.value_or(0666) & 07777);
        if (bind_from_host) {
            int f = ::openat(parent.get(), name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
            if (f < 0 && errno != EEXIST) throw_errno(where + ": create bind target");
            if (f >= 0) ::close(f);
            Fd target = open_in_root(root_fd, d.path, Create::none);
            if (::mount(d.path.c_str(), fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) != 0)
                throw_errno(where + ": bind from the host");
            continue;
        }
        dev_t dev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
        if (::mknodat(parent.get(), name.c_str(), mode, d.type == "p" ? 0 : dev) != 0) {
            if (errno != EEXIST) throw_errno(where + ": mknod");
            continue;  // the image has it already
        }
        // mknod honours the umask; the spec's fileMode is exact.
        if (::fchmodat(parent.get(), name.c_str(), mode & 07777, 0) != 0) throw_errno(where + ": chmod");
        if (::fchownat(parent.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0),
                       AT_SYMLINK_NOFOLLOW) != 0)
            throw_errno(where + ": chown");
    }
}

void create_dev_symlinks(int root_fd) {
    struct Link {
        const char* target;
        const char* name;
    };
    std::vector<Link> links = {{"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
                               {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
    if (::access("/proc/kcore", F_OK) == 0) links.push_back({"/proc/kcore", "core"});
    Fd dev = open_in_root(root_fd, "/dev", Create::dir);
    for (const auto& l : links) {
        if (::symlinkat(l.target, dev.get(), l.name) != 0 && errno != EEXIST)
            throw_errno(std::string("symlink /dev/") + l.name);
    }
    // /dev/ptmx must be the container's own devpts instance's ptmx.
    struct stat st;
    if (::fstatat(dev.get(), "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT) throw_errno("remove /dev/ptmx");
        if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) throw_errno("symlink /dev/ptmx");
    }
}

}  // namespace ocirt::linux_
