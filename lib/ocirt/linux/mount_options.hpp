#pragma once
// mounts[].options as mount(2) flags: what to set, what to clear, the
// propagation changes (each its own mount call), and the rest as fs data.
#include <string>
#include <vector>

namespace ocirt::linux_ {

struct MountOptions {
    unsigned long flags = 0;           // MS_* to set
    unsigned long clear = 0;           // MS_* the options explicitly cleared (rw, suid, ...)
    std::vector<unsigned long> propagation;  // MS_SHARED|MS_REC, ...
    std::string data;                  // comma-joined filesystem-specific options
    bool bind() const;
};

// `where` names the field in errors ("mounts[3].options").
MountOptions parse_mount_options(const std::vector<std::string>& options, const std::string& where);

// Parses rootfsPropagation ("rslave", ...) into its MS_* flags; 0 for "".
unsigned long parse_propagation(const std::string& value, const std::string& where);

}  // namespace ocirt::linux_
