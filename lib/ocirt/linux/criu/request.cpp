// Building CRIU's options from a container's config (request.hpp). The
// mounts CRIU cannot dump are those whose source is outside the container:
// it is told their mount points (dump) and where to find them again
// (restore), both under the mount point's name.
#include "ocirt/linux/criu/request.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_::criu {
namespace {

bool is_bind(const spec::Mount& m) {
    if (m.type == "bind") return true;
    return std::any_of(m.options.begin(), m.options.end(),
                       [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

// The cgroup mount is a bind of the container's cgroup dirs (mount/mounts.cpp,
// mount_cgroups), unless the container has a cgroup namespace: then real
// cgroup mounts, which CRIU dumps itself.
bool is_cgroup_bind(const spec::Config& c, const spec::Mount& m) {
    if (m.type != "cgroup" && m.type != "cgroup2") return false;
    if (c.linux)
        for (const auto& ns : c.linux->namespaces)
            if (ns.type == spec::NamespaceType::cgroup) return false;
    return true;
}

// The mount points of the container's cgroup hierarchies (mount/mounts.cpp,
// mount_cgroups): the destination itself on v2, one subdir per hierarchy on v1.
std::vector<std::pair<std::string, std::string>> cgroup_mount_points(const spec::Mount& m, const CgroupInfo& cg) {
    std::vector<std::pair<std::string, std::string>> out;  // container path, host dir
    for (const auto& h : cg.hierarchies)
        out.emplace_back(h.name.empty() ? m.destination : join_path(m.destination, h.name), h.host_dir);
    return out;
}

void common(Request& r, const spec::Config& c, const Options& o) {
    r.tcp_established = o.tcp_established;
    r.ext_unix_sk = o.ext_unix_sk;
    r.shell_job = o.shell_job;
    r.file_locks = o.file_locks;
    r.lazy_pages = o.lazy_pages;
    r.status_fd = o.status_fd;
    r.manage_cgroups = true;
    r.cgroups_mode = o.cgroups_mode;
    r.config_file = config_file(c);
    r.notify_scripts = true;
    r.orphan_pts_master = c.process && c.process->terminal;
    if (o.empty_ns == "network") r.empty_ns = CLONE_NEWNET;
    else if (!o.empty_ns.empty())
        throw Error(EINVAL, "--empty-ns: \"" + o.empty_ns + "\": only network is supported");
}

}  // namespace

CgroupsMode parse_cgroups_mode(const std::string& s) {
    if (s == "soft" || s.empty()) return CgroupsMode::soft;
    if (s == "full") return CgroupsMode::full;
    if (s == "strict") return CgroupsMode::strict;
    if (s == "ignore") return CgroupsMode::ignore;
    throw Error(EINVAL, "--manage-cgroups-mode: \"" + s + "\" is not soft, full, strict or ignore");
}

std::vector<ExternalNamespace> external_namespaces(const spec::Config& c) {
    std::vector<ExternalNamespace> out;
    if (!c.linux) return out;
    for (const auto& ns : c.linux->namespaces) {
        if (ns.path.empty()) continue;
        if (ns.type == spec::NamespaceType::network) out.push_back({ns.type, ns.path, "extRootNetNS"});
        if (ns.type == spec::NamespaceType::pid) out.push_back({ns.type, ns.path, "extRootPidNS"});
    }
    return out;
}

std::string config_file(const spec::Config& c) {
    auto a = c.annotations.find(kConfigAnnotation);
    if (a != c.annotations.end()) return a->second;
    return ::access(kDefaultConfigFile, R_OK) == 0 ? kDefaultConfigFile : "";
}

Request dump_request(const spec::Config& c, pid_t pid, const std::string& rootfs, const Options& o,
                     const CgroupInfo& cg, const std::vector<uint64_t>& ns_inodes,
                     const std::function<bool(const std::string&)>& is_dir) {
    Request r;
    r.kind = o.pre_dump ? Kind::pre_dump : Kind::dump;
    r.pid = pid;
    r.root = rootfs;
    r.log_file = o.pre_dump ? "pre-dump.log" : "dump.log";
    common(r, c, o);
    r.leave_running = o.leave_running || o.pre_dump;
    r.auto_dedup = o.auto_dedup;
    r.freeze_cgroup = cg.freezer_dir;
    // Memory tracking: a pre-dump starts it, a dump on top of one reads it.
    r.track_mem = o.pre_dump || !o.parent_path.empty();
    r.parent_img = o.parent_path;
    // Under its own name: the mount point.
    for (const auto& m : c.mounts) {
        if (is_bind(m)) r.ext_mounts.push_back({m.destination, m.destination});
        if (is_cgroup_bind(c, m))
            for (const auto& [dest, host] : cgroup_mount_points(m, cg)) r.ext_mounts.push_back({dest, dest});
    }
    if (c.linux) {
        // Masked files are /dev/null bound from the host; masked dirs are a tmpfs CRIU dumps.
        for (const auto& p : c.linux->masked_paths)
            if (!is_dir(p)) r.ext_mounts.push_back({p, p});
        for (const auto& d : c.linux->devices) r.ext_mounts.push_back({d.path, d.path});
    }
    const auto ext = external_namespaces(c);
    for (size_t i = 0; i < ext.size() && i < ns_inodes.size(); ++i) {
        const char* kind = ext[i].type == spec::NamespaceType::network ? "net" : "pid";
        r.external.push_back(std::string(kind) + "[" + std::to_string(ns_inodes[i]) + "]:" + ext[i].key);
    }
    return r;
}

Request restore_request(const spec::Config& c, const std::string& bundle, const std::string& root,
                        const Options& o, const CgroupInfo& cg, const std::vector<int>& ns_fds) {
    Request r;
    r.kind = Kind::restore;
    r.root = root;
    r.log_file = "restore.log";
    common(r, c, o);
    // The init becomes ocirt's child (as after create), not criu's.
    r.rst_sibling = true;
    // Where the tasks' cgroups go: under the new container's cgroup (v2: one
    // root for every controller; v1: one per hierarchy; hybrid's
    // controller-less cgroup2 has none of its own).
    if (!cg.path.empty())
        for (const auto& h : cg.hierarchies)
            if (!h.controllers.empty() || cg.hierarchies.size() == 1) r.cgroup_roots.push_back({h.controllers, cg.path});
    for (const auto& m : c.mounts) {
        if (is_bind(m)) {
            std::string src = m.source;
            if (!src.empty() && src[0] != '/') src = join_path(bundle, src);
            r.ext_mounts.push_back({m.destination, src});
        }
        if (is_cgroup_bind(c, m))
            for (const auto& [dest, host] : cgroup_mount_points(m, cg)) r.ext_mounts.push_back({dest, host});
    }
    if (c.linux) {
        // Keys the image does not use are ignored (masked dirs were dumped as tmpfs).
        for (const auto& p : c.linux->masked_paths) r.ext_mounts.push_back({p, "/dev/null"});
        for (const auto& d : c.linux->devices) r.ext_mounts.push_back({d.path, d.path});
    }
    const auto ext = external_namespaces(c);
    for (size_t i = 0; i < ext.size() && i < ns_fds.size(); ++i) r.inherit_fds.push_back({ext[i].key, ns_fds[i]});
    return r;
}

}  // namespace ocirt::linux_::criu
