#include "ocirt/linux/mount_options.hpp"

#include <sys/mount.h>

#include <map>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

struct FlagOption {
    bool clear;
    unsigned long flag;
};

const std::map<std::string, FlagOption>& flag_options() {
    static const std::map<std::string, FlagOption> table = {
        {"async", {true, MS_SYNCHRONOUS}},   {"atime", {true, MS_NOATIME}},
        {"bind", {false, MS_BIND}},          {"defaults", {false, 0}},
        {"dev", {true, MS_NODEV}},           {"diratime", {true, MS_NODIRATIME}},
        {"dirsync", {false, MS_DIRSYNC}},    {"exec", {true, MS_NOEXEC}},
        {"mand", {false, MS_MANDLOCK}},      {"noatime", {false, MS_NOATIME}},
        {"nodev", {false, MS_NODEV}},        {"nodiratime", {false, MS_NODIRATIME}},
        {"noexec", {false, MS_NOEXEC}},      {"nomand", {true, MS_MANDLOCK}},
        {"norelatime", {true, MS_RELATIME}}, {"nostrictatime", {true, MS_STRICTATIME}},
        {"nosuid", {false, MS_NOSUID}},      {"rbind", {false, MS_BIND | MS_REC}},
        {"relatime", {false, MS_RELATIME}},  {"remount", {false, MS_REMOUNT}},
        {"ro", {false, MS_RDONLY}},          {"rw", {true, MS_RDONLY}},
        {"strictatime", {false, MS_STRICTATIME}}, {"suid", {true, MS_NOSUID}},
        {"sync", {false, MS_SYNCHRONOUS}},   {"lazytime", {false, MS_LAZYTIME}},
        {"nolazytime", {true, MS_LAZYTIME}}, {"silent", {false, MS_SILENT}},
        {"loud", {true, MS_SILENT}},
    };
    return table;
}

const std::map<std::string, unsigned long>& propagation_options() {
    static const std::map<std::string, unsigned long> table = {
        {"private", MS_PRIVATE},    {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},      {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},        {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    return table;
}

bool is_recursive_attr(const std::string& o) {
    static const char* attrs[] = {"rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev",
                                  "rnoexec", "rexec", "rnodiratime", "rdiratime",
                                  "rrelatime", "rnorelatime", "rnoatime", "ratime",
                                  "rstrictatime", "rnostrictatime", "idmap", "ridmap",
                                  "tmpcopyup", "rnosymfollow", "rsymfollow"};
    for (const char* a : attrs)
        if (o == a) return true;
    return false;
}

}  // namespace

bool MountOptions::bind() const { return flags & MS_BIND; }

MountOptions parse_mount_options(const std::vector<std::string>& options, const std::string& where) {
    MountOptions m;
    for (size_t i = 0; i < options.size(); ++i) {
        const std::string& o = options[i];
        if (auto f = flag_options().find(o); f != flag_options().end()) {
            if (f->second.clear) {
                m.flags &= ~f->second.flag;
                m.clear |= f->second.flag;
            } else {
                m.flags |= f->second.flag;
                m.clear &= ~f->second.flag;
            }
        } else if (auto p = propagation_options().find(o); p != propagation_options().end()) {
            m.propagation.push_back(p->second);
        } else if (is_recursive_attr(o)) {
            throw Error(where + "[" + std::to_string(i) + "]: \"" + o + "\" is not supported yet");
        } else {
            m.data += (m.data.empty() ? "" : ",") + o;
        }
    }
    return m;
}

unsigned long parse_propagation(const std::string& value, const std::string& where) {
    if (value.empty()) return 0;
    auto p = propagation_options().find(value);
    if (p == propagation_options().end())
        throw Error(where + ": unknown propagation \"" + value + "\"");
    return p->second;
}

}  // namespace ocirt::linux_
