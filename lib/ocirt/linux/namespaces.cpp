#include "ocirt/linux/namespaces.hpp"

#include <fcntl.h>

#include <algorithm>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ocirt::linux_ {

using spec::NamespaceType;

uint64_t clone_flag(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return CLONE_NEWPID;
        case NamespaceType::network: return CLONE_NEWNET;
        case NamespaceType::mount: return CLONE_NEWNS;
        case NamespaceType::ipc: return CLONE_NEWIPC;
        case NamespaceType::uts: return CLONE_NEWUTS;
        case NamespaceType::user: return CLONE_NEWUSER;
        case NamespaceType::cgroup: return CLONE_NEWCGROUP;
        case NamespaceType::time: return CLONE_NEWTIME;
    }
    return 0;
}

const char* proc_ns_name(NamespaceType t) {
    switch (t) {
        case NamespaceType::pid: return "pid";
        case NamespaceType::network: return "net";
        case NamespaceType::mount: return "mnt";
        case NamespaceType::ipc: return "ipc";
        case NamespaceType::uts: return "uts";
        case NamespaceType::user: return "user";
        case NamespaceType::cgroup: return "cgroup";
        case NamespaceType::time: return "time";
    }
    return "";
}

static bool for_children(NamespaceType t) {
    return t == NamespaceType::pid || t == NamespaceType::time;
}

bool NamespacePlan::has(NamespaceType t) const {
    return std::find(all.begin(), all.end(), t) != all.end();
}

bool NamespacePlan::needs_intermediate() const {
    if (!time_offsets.empty()) return true;
    return std::any_of(joins.begin(), joins.end(), [](const spec::Namespace& n) {
        return n.type == NamespaceType::user || for_children(n.type);
    });
}

NamespacePlan plan_namespaces(const spec::Config& c) {
    NamespacePlan p;
    if (!c.linux) return p;
    for (const auto& ns : c.linux->namespaces) {
        p.all.push_back(ns.type);
        if (!ns.path.empty()) {
            p.joins.push_back(ns);
            continue;
        }
        switch (ns.type) {
            case NamespaceType::cgroup: p.new_cgroup = true; break;
            case NamespaceType::user: p.new_user = true; p.clone_flags |= CLONE_NEWUSER; break;
            case NamespaceType::mount: p.new_mount = true; p.clone_flags |= CLONE_NEWNS; break;
            case NamespaceType::uts: p.new_uts = true; p.clone_flags |= CLONE_NEWUTS; break;
            default: p.clone_flags |= clone_flag(ns.type); break;
        }
    }
    p.time_offsets = c.linux->time_offsets;
    if (!p.time_offsets.empty()) p.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWTIME);
    // The user namespace is joined first so that it owns what is joined or made next.
    std::stable_sort(p.joins.begin(), p.joins.end(), [](const auto& a, const auto& b) {
        return a.type == NamespaceType::user && b.type != NamespaceType::user;
    });
    return p;
}

void join_namespaces(const NamespacePlan& plan, bool for_children_only) {
    for (const auto& ns : plan.joins) {
        bool in_intermediate = ns.type == NamespaceType::user || for_children(ns.type);
        if (in_intermediate != for_children_only) continue;
        std::string where = std::string("linux.namespaces: join ") + proc_ns_name(ns.type) +
                            " namespace " + ns.path;
        Fd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw_errno(where);
        if (::setns(fd.get(), static_cast<int>(clone_flag(ns.type))) != 0) throw_errno(where);
    }
}

void unshare_time_with_offsets(const NamespacePlan& plan) {
    if (plan.time_offsets.empty()) return;
    if (::unshare(CLONE_NEWTIME) != 0) throw_errno("linux.namespaces: new time namespace");
    std::string text;
    for (const auto& [clock, off] : plan.time_offsets)
        text += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    with_context("linux.timeOffsets", [&] { write_existing("/proc/self/timens_offsets", text); });
}

}  // namespace ocirt::linux_
