#include "ocirt/linux/mount/fs.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include "ocirt/linux/mount/attr.hpp"
#include "ocirt/linux/mount/tmpcopyup.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

// The messages the filesystem left on its context ("e tmpfs: Unknown
// parameter 'foo'"), errors first, without their level prefix.
std::string kernel_messages(int fs) {
    std::string out;
    char buf[1024];
    for (;;) {
        ssize_t n = ::read(fs, buf, sizeof buf - 1);
        if (n <= 0) break;
        std::string line(buf, static_cast<size_t>(n));
        while (!line.empty() && line.back() == '\n') line.pop_back();
        if (line.size() > 2 && line[1] == ' ') line = line.substr(2);
        out += (out.empty() ? "" : "; ") + line;
    }
    return out;
}

[[noreturn]] void fail(int fs, const std::string& what) {
    int err = errno;
    std::string msg = kernel_messages(fs);
    if (msg.empty()) throw Error(err, what);
    throw Error::preformatted(err, what + ": " + msg);
}

// The superblock flags of mount(2) that fsconfig takes by name.
struct SuperblockFlag {
    unsigned long flag;
    const char* name;
};
const SuperblockFlag kSuperblockFlags[] = {
    {MS_SYNCHRONOUS, "sync"},
    {MS_DIRSYNC, "dirsync"},
    {MS_MANDLOCK, "mand"},
    {MS_LAZYTIME, "lazytime"},
};

bool has_key(const MountOptions& o, const char* key) {
    for (const auto& d : o.data)
        if (d.has_value && d.key == key) return true;
    return false;
}

}  // namespace

Fd make_fs_mount(const spec::Mount& m, const MountOptions& o, int copy_from, const std::string& where) {
    Fd fs(::fsopen(m.type.c_str(), FSOPEN_CLOEXEC));
    if (!fs) {
        if (errno == ENODEV)
            throw Error(ENODEV, where + ".type: \"" + m.type + "\" is not a filesystem type of this kernel");
        throw_errno(where + ": open a " + m.type + " filesystem");
    }
    const std::string opts = where + ".options";
    const std::string source = m.source.empty() ? m.type : m.source;
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0)
        fail(fs.get(), where + ".source: \"" + source + "\"");
    for (const auto& f : kSuperblockFlags) {
        if ((o.flags & f.flag) && ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, f.name, nullptr, 0) != 0)
            fail(fs.get(), opts + ": \"" + f.name + "\"");
    }
    // A tmpcopyup tmpfs is written first, and made read-only as a mount.
    if ((o.flags & MS_RDONLY) && !o.tmpcopyup &&
        ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) != 0)
        fail(fs.get(), opts + ": \"ro\"");
    for (const auto& d : o.data) {
        int r = d.has_value ? ::fsconfig(fs.get(), FSCONFIG_SET_STRING, d.key.c_str(), d.value.c_str(), 0)
                            : ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, d.key.c_str(), nullptr, 0);
        if (r != 0) fail(fs.get(), opts + "[" + std::to_string(d.index) + "]: \"" + d.text() + "\"");
    }
    if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        fail(fs.get(), where + ": create the " + m.type + " filesystem");

    unsigned int attrs = mount_attr_flags(o.flags);
    if (o.tmpcopyup) attrs &= ~MOUNT_ATTR_RDONLY;
    Fd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, attrs));
    if (!mnt) fail(fs.get(), where + ": mount the " + m.type + " filesystem");

    if (o.tmpcopyup) {
        CopyUpRoot root;
        root.uid = !has_key(o, "uid");
        root.gid = !has_key(o, "gid");
        root.mode = !has_key(o, "mode");
        with_context(where + ": tmpcopyup", [&] { copy_up(copy_from, mnt.get(), root, m.destination); });
        if (o.flags & MS_RDONLY)
            set_mount_attr(mnt.get(), {MOUNT_ATTR_RDONLY, 0}, false, where + ": make the tmpfs read-only");
    }
    return mnt;
}

}  // namespace ocirt::linux_
