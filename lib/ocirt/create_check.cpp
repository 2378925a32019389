#include "ocirt/create_check.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <spdlog/spdlog.h>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/linux/intel_rdt.hpp"
#include "ocirt/linux/cgroups/systemd_props.hpp"
#include "ocirt/linux/lsm.hpp"
#include "ocirt/linux/mount/options.hpp"
#include "ocirt/linux/net_devices.hpp"
#include "ocirt/linux/process_attrs.hpp"
#include "ocirt/linux/seccomp_cache.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {
namespace {

std::string rootfs_path(const spec::Config& c, const std::string& bundle) {
    std::string p = c.root->path[0] == '/' ? c.root->path : bundle + "/" + c.root->path;
    p = clean_path(p);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) throw_errno("root.path: " + p);
    if (!S_ISDIR(st.st_mode)) throw Error("root.path: " + p + ": not a directory");
    return p;
}

// Without a mount namespace of its own the container runs in the caller's
// (chrooted into its rootfs, as runc does): anything that would mount there
// would change the caller's mount table and outlive the container, and is
// refused by name. (runc makes them on the host.)
void check_without_mount_ns(const spec::Config& c) {
    auto refuse = [](const std::string& field) {
        throw Error(field + ": needs a mount namespace of the container's own, and linux.namespaces has "
                            "none (it would be mounted in the caller's)");
    };
    if (!c.mounts.empty()) refuse("mounts");
    if (c.root && c.root->readonly) refuse("root.readonly");
    if (c.linux) {
        if (!c.linux->masked_paths.empty()) refuse("linux.maskedPaths");
        if (!c.linux->readonly_paths.empty()) refuse("linux.readonlyPaths");
        if (!c.linux->rootfs_propagation.empty()) refuse("linux.rootfsPropagation");
        if (!c.linux->devices.empty()) refuse("linux.devices");
    }
}

// For the debug log: "new mount pid ...; joined network (/proc/1/ns/net)". Built only when
// debug is on.
std::string describe_namespaces(const linux_::NamespacePlan& plan) {
    std::string fresh, joined;
    for (auto t : plan.all) {
        auto j = std::find_if(plan.joins.begin(), plan.joins.end(), [&](const auto& n) { return n.type == t; });
        if (j == plan.joins.end())
            fresh += std::string(" ") + spec::to_string(t);
        else
            joined += std::string(" ") + spec::to_string(t) + " (" + j->path + ")";
    }
    return "new" + (fresh.empty() ? " none" : fresh) + "; joined" + (joined.empty() ? " none" : joined);
}

}  // namespace

CheckedBundle check_bundle(const std::string& root, const std::string& id, const CreateOptions& opts) {
    CheckedBundle b;
    b.bundle = absolute_path(opts.bundle.empty() ? "." : opts.bundle);
    spec::Config& config = b.config;
    config = spec::load_config(b.bundle + "/config.json", &b.config_text);
    spdlog::debug("create {}: loaded {}/config.json (ociVersion {})", id, b.bundle, config.oci_version);
    with_context(b.bundle + "/config.json", [&] {
        spec::validate(config);
        spec::check_supported(config);
        linux_::check_mounts(config);
    });
    b.rootfs = rootfs_path(config, b.bundle);
    b.process = opts.io;
    b.process.spec = config.process;
    const bool terminal = b.process.terminal();
    if (terminal && opts.io.console_socket.empty() && opts.io.console_fd < 0)
        throw Error("process.terminal is true but no --console-socket was given: "
                    "a detached container needs one to hand its terminal to");
    if (!terminal && !opts.io.console_socket.empty())
        throw Error("--console-socket was given but process.terminal is false");
    b.cgroup_path = cgroups::resolve_path(config.linux ? config.linux->cgroups_path : std::nullopt, id,
                                          opts.systemd_cgroup);
    // The unit's properties from annotations, checked before anything exists.
    if (opts.systemd_cgroup) cgroups::systemd::annotation_properties(config.annotations);
    // Compiled here, before anything exists: a bad profile leaves nothing behind.
    if (config.linux && config.linux->seccomp && config.process) {
        b.seccomp = linux_::compile_seccomp_cached(*config.linux->seccomp, linux_::seccomp_cache_dir(root));
        if (b.seccomp->uses_notify && config.linux->seccomp->listener_path.empty())
            throw Error("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
    }
    if (config.linux) linux_::check_mount_label(config.linux->mount_label);
    linux_::check_process_attrs(config);
    linux_::check_net_devices(config);
    if (config.linux && config.linux->intel_rdt) b.resctrl_root = linux_::find_resctrl();
    b.plan = linux_::plan_namespaces(config);
    if (!b.plan.has(spec::NamespaceType::mount)) check_without_mount_ns(config);
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("create {}: namespaces: {}", id, describe_namespaces(b.plan));
    return b;
}

}  // namespace ocirt
