#include "ocirt/linux/mount/options.hpp"

#include <spdlog/spdlog.h>

#include <sys/mount.h>

#include <algorithm>
#include <map>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

// A mount(2) flag option: sets or clears `flag`.
struct FlagOption {
    bool clear;
    unsigned long flag;
};

const std::map<std::string, FlagOption>& flag_options() {
    static const std::map<std::string, FlagOption> table = {
        {"async", {true, MS_SYNCHRONOUS}},
        {"atime", {true, MS_NOATIME}},
        {"bind", {false, MS_BIND}},
        {"defaults", {false, 0}},
        {"dev", {true, MS_NODEV}},
        {"diratime", {true, MS_NODIRATIME}},
        {"dirsync", {false, MS_DIRSYNC}},
        {"exec", {true, MS_NOEXEC}},
        {"iversion", {false, MS_I_VERSION}},
        {"lazytime", {false, MS_LAZYTIME}},
        {"loud", {true, MS_SILENT}},
        {"mand", {false, MS_MANDLOCK}},
        {"noatime", {false, MS_NOATIME}},
        {"nodev", {false, MS_NODEV}},
        {"nodiratime", {false, MS_NODIRATIME}},
        {"noexec", {false, MS_NOEXEC}},
        {"noiversion", {true, MS_I_VERSION}},
        {"nolazytime", {true, MS_LAZYTIME}},
        {"nomand", {true, MS_MANDLOCK}},
        {"norelatime", {true, MS_RELATIME}},
        {"nostrictatime", {true, MS_STRICTATIME}},
        {"nosuid", {false, MS_NOSUID}},
        {"nosymfollow", {false, MS_NOSYMFOLLOW}},
        {"rbind", {false, MS_BIND | MS_REC}},
        {"relatime", {false, MS_RELATIME}},
        {"remount", {false, MS_REMOUNT}},
        {"ro", {false, MS_RDONLY}},
        {"rw", {true, MS_RDONLY}},
        {"silent", {false, MS_SILENT}},
        {"strictatime", {false, MS_STRICTATIME}},
        {"suid", {true, MS_NOSUID}},
        {"symfollow", {true, MS_NOSYMFOLLOW}},
        {"sync", {false, MS_SYNCHRONOUS}},
    };
    return table;
}

const unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

const std::map<std::string, unsigned long>& propagation_options() {
    static const std::map<std::string, unsigned long> table = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    return table;
}

// The recursive attributes (mount_setattr with AT_RECURSIVE). A bit option
// sets or clears `attr`; an atime option sets the atime mode to `attr`.
struct RecursiveOption {
    bool clear;
    uint64_t attr;
    bool is_atime;
};

const std::map<std::string, RecursiveOption>& recursive_options() {
    // The atime field takes one of three modes. "ratime" and "rnostrictatime"
    // give the kernel's default (relatime), as atime and nostrictatime do for
    // mount(2); "rnorelatime" means "do not use relatime", that is strictatime
    // (a mount(2) norelatime ends up as the default, relatime, which would make
    // rnorelatime the same as rrelatime).
    static const std::map<std::string, RecursiveOption> table = {
        {"rro", {false, MOUNT_ATTR_RDONLY, false}},
        {"rrw", {true, MOUNT_ATTR_RDONLY, false}},
        {"rnosuid", {false, MOUNT_ATTR_NOSUID, false}},
        {"rsuid", {true, MOUNT_ATTR_NOSUID, false}},
        {"rnodev", {false, MOUNT_ATTR_NODEV, false}},
        {"rdev", {true, MOUNT_ATTR_NODEV, false}},
        {"rnoexec", {false, MOUNT_ATTR_NOEXEC, false}},
        {"rexec", {true, MOUNT_ATTR_NOEXEC, false}},
        {"rnodiratime", {false, MOUNT_ATTR_NODIRATIME, false}},
        {"rdiratime", {true, MOUNT_ATTR_NODIRATIME, false}},
        {"rnosymfollow", {false, MOUNT_ATTR_NOSYMFOLLOW, false}},
        {"rsymfollow", {true, MOUNT_ATTR_NOSYMFOLLOW, false}},
        {"rrelatime", {false, MOUNT_ATTR_RELATIME, true}},
        {"rnorelatime", {false, MOUNT_ATTR_STRICTATIME, true}},
        {"rnoatime", {false, MOUNT_ATTR_NOATIME, true}},
        {"ratime", {false, MOUNT_ATTR_RELATIME, true}},
        {"rstrictatime", {false, MOUNT_ATTR_STRICTATIME, true}},
        {"rnostrictatime", {false, MOUNT_ATTR_RELATIME, true}},
    };
    return table;
}

// The options of mounts[] that are neither mount(2) flags nor attributes.
using ExtensionOption = void (*)(MountOptions&);
const std::map<std::string, ExtensionOption>& extension_options() {
    static const std::map<std::string, ExtensionOption> table = {
        {"idmap", [](MountOptions& m) { m.idmap = true; m.idmap_recursive = false; }},
        {"ridmap", [](MountOptions& m) { m.idmap = true; m.idmap_recursive = true; }},
        {"tmpcopyup", [](MountOptions& m) { m.tmpcopyup = true; }},
    };
    return table;
}

void apply_recursive(MountAttrChange& r, const RecursiveOption& o) {
    if (o.is_atime) {
        r.clr |= MOUNT_ATTR__ATIME;
        r.set = (r.set & ~uint64_t{MOUNT_ATTR__ATIME}) | o.attr;
    } else if (o.clear) {
        r.clr |= o.attr;
        r.set &= ~o.attr;
    } else {
        r.set |= o.attr;
        r.clr &= ~o.attr;
    }
}

std::string at(const std::string& where, size_t i) {
    return where + "[" + std::to_string(i) + "]";
}

std::string quote(const std::string& s) {
    return "\"" + s + "\"";
}

// Superblock flags a bind mount cannot apply (their clearing forms are no-ops).
const unsigned long kSuperblockFlags = MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_I_VERSION;

// The options[] index of the last option setting one of `flags`.
size_t index_of_flag(const std::vector<std::string>& options, unsigned long flags) {
    size_t found = 0;
    for (size_t i = 0; i < options.size(); ++i) {
        auto f = flag_options().find(options[i]);
        if (f != flag_options().end() && !f->second.clear && (f->second.flag & flags)) found = i;
    }
    return found;
}

const size_t kNone = static_cast<size_t>(-1);

// The options[] index of the first `a` (or `b`); kNone if neither is there.
size_t index_of(const std::vector<std::string>& options, const std::string& a, const std::string& b = "") {
    for (size_t i = 0; i < options.size(); ++i)
        if (options[i] == a || (!b.empty() && options[i] == b)) return i;
    return kNone;
}

}  // namespace

bool MountOptions::bind() const {
    return flags & MS_BIND;
}

bool MountOptions::recursive_bind() const {
    return (flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC);
}

std::string MountOptions::data_string() const {
    std::string out;
    for (const auto& d : data) out += (out.empty() ? "" : ",") + d.text();
    return out;
}

MountOptions parse_mount_options(const std::vector<std::string>& options, const std::string& where) {
    MountOptions m;
    for (size_t i = 0; i < options.size(); ++i) {
        const std::string& o = options[i];
        if (o.empty()) throw Error(at(where, i) + ": empty mount option");
        if (auto f = flag_options().find(o); f != flag_options().end()) {
            const FlagOption& fo = f->second;
            if (fo.flag & kAtimeFlags) m.atime_given = true;
            if (fo.clear) {
                m.flags &= ~fo.flag;
                m.clear |= fo.flag;
            } else {
                // The atime options choose one mode: the last one wins.
                if (fo.flag & kAtimeFlags) m.flags &= ~kAtimeFlags;
                m.flags |= fo.flag;
                m.clear &= ~fo.flag;
            }
        } else if (auto p = propagation_options().find(o); p != propagation_options().end()) {
            m.propagation.push_back(p->second);
        } else if (auto r = recursive_options().find(o); r != recursive_options().end()) {
            apply_recursive(m.recursive, r->second);
        } else if (auto x = extension_options().find(o); x != extension_options().end()) {
            x->second(m);
        } else {
            FsOption d;
            d.index = i;
            size_t eq = o.find('=');
            d.has_value = eq != std::string::npos;
            d.key = o.substr(0, eq);
            if (d.has_value) d.value = o.substr(eq + 1);
            if (d.key.empty()) throw Error(at(where, i) + ": " + quote(o) + " has no option name");
            m.data.push_back(std::move(d));
        }
    }
    return m;
}

MountOptions parse_mount(const spec::Mount& m, const std::string& where) {
    const std::string opts = where + ".options";
    MountOptions o = parse_mount_options(m.options, opts);
    o.is_bind = o.bind() || m.type == "bind";
    if (!m.uid_mappings.empty() || !m.gid_mappings.empty()) o.idmap = true;

    if (o.is_bind) {
        // A bind mount takes no filesystem options. runc ignores them, and
        // configs written for it carry some (runtime-tools gives every mount
        // "mode=755,size=1k"): a key=value one is ignored with a warning. A
        // bare word that is no option of any kind is an error.
        for (const FsOption& d : o.data) {
            if (!d.has_value) throw Error(at(opts, d.index) + ": unknown mount option " + quote(d.text()));
            spdlog::warn("{}: {} is a filesystem option, which a bind mount does not take: ignored",
                         at(opts, d.index), quote(d.text()));
        }
        o.data.clear();
        if (unsigned long sb = o.flags & kSuperblockFlags) {
            size_t i = index_of_flag(m.options, sb);
            spdlog::warn("{}: {} is a filesystem flag, which a bind mount cannot change: ignored",
                         at(opts, i), quote(m.options[i]));
            o.flags &= ~kSuperblockFlags;
        }
        if (o.tmpcopyup)
            throw Error(at(opts, index_of(m.options, "tmpcopyup")) +
                        ": tmpcopyup needs a tmpfs mount, not a bind mount");
        if (m.source.empty()) throw Error(where + ".source: required for a bind mount");
    } else {
        if (o.idmap) {
            size_t i = index_of(m.options, "idmap", "ridmap");
            if (i != kNone) throw Error(at(opts, i) + ": " + quote(m.options[i]) + " needs a bind mount");
            throw Error(where + (m.uid_mappings.empty() ? ".gidMappings" : ".uidMappings") +
                        ": idmapped mounts need a bind mount");
        }
        if (m.type.empty() && !(o.flags & MS_REMOUNT))
            throw Error(
                where +
                ".type: required unless the mount is a bind mount (\"bind\" or \"rbind\" in options)");
        if (o.tmpcopyup && m.type != "tmpfs")
            throw Error(at(opts, index_of(m.options, "tmpcopyup")) +
                        ": tmpcopyup needs type \"tmpfs\", not " + quote(m.type));
        if (o.tmpcopyup && (o.flags & MS_REMOUNT))
            throw Error(at(opts, index_of(m.options, "tmpcopyup")) +
                        ": tmpcopyup makes a new mount, it cannot remount");
    }
    return o;
}

std::vector<std::string> mount_option_names() {
    std::vector<std::string> names;
    for (const auto& [name, _] : flag_options()) names.push_back(name);
    for (const auto& [name, _] : propagation_options()) names.push_back(name);
    for (const auto& [name, _] : recursive_options()) names.push_back(name);
    for (const auto& [name, _] : extension_options()) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
}

void check_mounts(const spec::Config& c) {
    for (size_t i = 0; i < c.mounts.size(); ++i)
        parse_mount(c.mounts[i], "mounts[" + std::to_string(i) + "]");
}

std::string bind_source(const spec::Mount& m, const std::string& bundle) {
    if (m.source.empty() || m.source[0] == '/') return m.source;
    return bundle + "/" + m.source;
}

unsigned long parse_propagation(const std::string& value, const std::string& where) {
    if (value.empty()) return 0;
    auto p = propagation_options().find(value);
    if (p == propagation_options().end()) throw Error(where + ": unknown propagation \"" + value + "\"");
    return p->second;
}

}  // namespace ocirt::linux_
