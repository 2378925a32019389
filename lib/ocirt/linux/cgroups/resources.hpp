#pragma once
// linux.resources (all but devices) written to the container's cgroup: which
// controllers a resources object needs, and the writes for each layout.
// resources_v1.cpp (v1 and hybrid: every controller is v1 there),
// resources_v2.cpp (with subtree_control.cpp), controllers.cpp.
//
// Conventions, as runc's: 0 means unset for memory limit/reservation/swap,
// cpu shares/quota/period/realtime*, blockIO weights and network classID;
// unset and empty values write nothing and need no controller. Errors name
// the field first ("linux.resources.pids: the pids controller is not available").
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::cgroups {

// Field names for errors, shared by the v1 and v2 writers.
inline const std::string kMemField = "linux.resources.memory";
inline const std::string kCpuField = "linux.resources.cpu";
inline const std::string kBlkioField = "linux.resources.blockIO";

// An optional number with "unset" read as 0 (the convention above).
template <typename T>
T nz(const std::optional<T>& v) {
    return v.value_or(T{});
}

// A controller the resources need and the first field that needs it.
struct Need {
    std::string controller;
    std::string field;
    bool operator==(const Need&) const = default;
};

// Whether a part of the resources writes anything (the rest needs no controller);
// derived from controllers.cpp's table of each field's controller.
bool sets_memory_v1(const spec::MemoryResources& m);
bool sets_memory_v2(const spec::MemoryResources& m);  // limit, reservation, swap
bool sets_cpu(const spec::CpuResources& c);           // all but cpus and mems
bool sets_cpuset(const spec::CpuResources& c);        // cpus, mems
bool sets_block_io(const spec::BlockIoResources& b);

// The first field (devices aside) that writes to a cgroup, most precise name
// first ("linux.resources.memory.limit"); nullopt when none does. For the
// refusal of a container without a cgroup (rootless, none.cpp).
std::optional<std::string> first_limit(const spec::Resources& r);

// v1 controller names: memory, cpu, cpuset, pids, blkio, hugetlb, net_cls,
// net_prio, rdma; each once, in that order.
std::vector<Need> v1_needs(const spec::Resources& r);

// v2: memory, cpu, cpuset, pids, io, hugetlb, rdma; then for each unified key
// "<c>.<name>" the controller c when it is in `known` (cgroup.controllers of
// the hierarchy's root): "cgroup.*" keys need none.
std::vector<Need> v2_needs(const spec::Resources& r, const std::vector<std::string>& known);

// The dir of the container's cgroup in the v1 hierarchy of a controller, or
// nullopt when no hierarchy has it.
using V1Dirs = std::function<std::optional<std::string>(const std::string& controller)>;

// v1 and hybrid. Checks first that every needed controller is mounted, so a
// missing one writes nothing; then cpuset, memory, cpu, pids, blkio, hugetlb,
// net_cls, net_prio, rdma. linux.resources.unified is an error here.
void apply_v1(const spec::Resources& r, const V1Dirs& dir_of);

// The container's cgroup in a cgroup2 hierarchy.
struct V2Target {
    std::string mountpoint;  // /sys/fs/cgroup
    std::string leaf;        // mountpoint + the container's path
    // Whether ocirt created this dir (only those get cgroup.subtree_control writes).
    std::function<bool(const std::string& dir)> made;
};

// Makes the needed controllers available in the leaf: for every dir from the
// mountpoint down to the leaf's parent, a controller missing from its
// cgroup.subtree_control is enabled there if ocirt created the dir, else it
// is an error naming the field, the controller and the dir.
void enable_controllers(const V2Target& t, const std::vector<Need>& needs);

// v2: checks the fields v2 cannot honour (network, realtime, leafWeight,
// swappiness, kernelTCP, disableOOMKiller), enables the controllers, then
// pids, memory, io, cpu, cpuset, hugetlb, rdma and last the unified keys.
void apply_v2(const spec::Resources& r, const V2Target& t);

}  // namespace ocirt::cgroups
