#pragma once
// mounts[] entries read into what the kernel is asked for: mount(2) flags to
// set and clear, propagation changes, attributes applied recursively with
// mount_setattr(2), idmapping and tmpcopyup, and the filesystem's own
// options. No kernel calls here: everything is checked before anything is
// mounted, so a bad option fails with the index of the option.
//
// The rule for an option that is not one of the names below:
//   - "key=value" is a filesystem option (mode=, size=, lowerdir=, context=...);
//   - a bare word is a filesystem option too (newinstance, userxattr, ...), as
//     config.md asks; the filesystem itself accepts or rejects it when the
//     mount is made, and its error names the option;
//   - a bind mount takes no filesystem options: the kernel would silently
//     ignore them, so any of them, and any superblock flag a bind cannot
//     apply (sync, dirsync, mand, lazytime, iversion), is an error.
#include <cstdint>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// A change of MOUNT_ATTR_* bits for mount_setattr(2). The atime mode is a
// 3-valued field, not bits: when set, `clr` holds all of MOUNT_ATTR__ATIME and
// `set` the chosen mode.
struct MountAttrChange {
    uint64_t set = 0;
    uint64_t clr = 0;
    bool empty() const { return set == 0 && clr == 0; }
};

// One filesystem-specific option, with its index in options[] for errors.
struct FsOption {
    size_t index = 0;
    std::string key;
    std::string value;
    bool has_value = false;  // "key=value" (else a bare word: a flag)
    std::string text() const { return has_value ? key + "=" + value : key; }
};

struct MountOptions {
    unsigned long flags = 0;                 // MS_* to set
    unsigned long clear = 0;                 // MS_* the options explicitly cleared (rw, suid, ...)
    bool atime_given = false;                // an atime option was given (else keep what is there)
    std::vector<unsigned long> propagation;  // MS_SHARED|MS_REC, ... in order
    std::vector<FsOption> data;              // filesystem-specific options in order
    MountAttrChange recursive;               // rro, rnosuid, ... (AT_RECURSIVE)
    bool idmap = false;                      // idmap, ridmap, or mounts[].uid/gidMappings
    bool idmap_recursive = false;            // ridmap
    bool tmpcopyup = false;
    bool is_bind = false;  // set by parse_mount: bind/rbind or type "bind"

    bool bind() const;                // MS_BIND in flags
    bool recursive_bind() const;      // rbind
    std::string data_string() const;  // "a=b,c": the data argument of mount(2)
};

// Every option name parse_mount_options knows (mount(2) flags, propagation,
// recursive attributes, idmap, ridmap, tmpcopyup), sorted; not the filesystem
// options it passes on. For `ocirt features` (mountOptions).
std::vector<std::string> mount_option_names();

// Parses options alone; `where` names the field ("mounts[3].options").
MountOptions parse_mount_options(const std::vector<std::string>& options, const std::string& where);

// Parses and checks a whole mounts[] entry; `where` is "mounts[3]". Errors
// name the field: "mounts[3].options[1]: ...", "mounts[3].type: ...".
MountOptions parse_mount(const spec::Mount& m, const std::string& where);

// Every mounts[] entry of `c` through parse_mount: for the runtime to call
// before it creates anything.
void check_mounts(const spec::Config& c);

// A bind mount's source on the host: relative paths are relative to the bundle.
std::string bind_source(const spec::Mount& m, const std::string& bundle);

// Parses rootfsPropagation ("rslave", ...) into its MS_* flags; 0 for "".
unsigned long parse_propagation(const std::string& value, const std::string& where);

}  // namespace ocirt::linux_
