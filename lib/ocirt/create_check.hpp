#pragma once
// The first step of `create`: everything that can be known and checked
// before anything exists (config.json, the rootfs, the terminal options, the
// cgroup path, the seccomp program, the namespaces), so a bad bundle leaves
// nothing behind.
#include <optional>
#include <string>

#include "ocirt/factory.hpp"
#include "ocirt/process.hpp"
#include "ocirt/linux/namespaces.hpp"
#include "ocirt/linux/seccomp.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt {

struct CheckedBundle {
    std::string bundle;       // absolute
    std::string config_text;  // config.json as read: the state dir keeps a copy
    spec::Config config;
    std::string rootfs;       // absolute, a directory
    Process process;          // the caller's I/O, spec = config.process
    std::string cgroup_path;
    std::optional<linux_::SeccompProgram> seccomp;  // compiled (through the cache under `root`)
    linux_::NamespacePlan plan;
    std::string resctrl_root;  // linux.intelRdt: where resctrl is mounted
};

CheckedBundle check_bundle(const std::string& root, const std::string& id, const CreateOptions& opts);

}  // namespace ocirt
