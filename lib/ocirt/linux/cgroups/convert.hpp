#pragma once
// The values written to cgroupfs for linux.resources, where the spec's value
// (shaped after cgroup v1) is not written as is. Pure functions: no files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::cgroups {

// cpu.shares (v1, 2..262144) -> cpu.weight (v2, 1..10000), linearly as runc
// 1.1 and crun do: 1 + ((shares - 2) * 9999) / 262142, clamped to the range.
// 0 (unset) stays 0.
uint64_t cpu_weight_from_shares(uint64_t shares);

// blkio.weight (v1, 10..1000) -> io.weight (v2, 1..10000):
// 1 + (weight - 10) * 9999 / 990, clamped. 0 (unset) stays 0.
uint64_t io_weight_from_blkio(uint64_t weight);

// cpu.max: "<quota|max> <period>"; a quota <= 0 is "max", no period is the
// kernel's default 100000.
std::string cpu_max(int64_t quota, uint64_t period);

// A v2 memory value (memory.max, memory.low, memory.swap.max): -1 is "max".
std::string memory_v2(int64_t value);

// memory.swap.max from the spec's swap (memory+swap, as v1's memsw) and
// limit, as runc does: nullopt when nothing is to be written. Unset (0)
// swap with an unlimited (-1) limit is "max"; -1 is "max"; swap == limit is
// "0" (no swap); else swap - limit. Throws naming linux.resources.memory.swap
// when it cannot be computed (no limit, swap below limit).
std::optional<std::string> memory_swap_max(int64_t limit, int64_t swap);

// pids.max: a negative limit is "max"; 0 is a real limit of 0 (runtime-spec:
// "0 is a valid limit value ... and SHOULD be treated as such").
std::string pids_max(int64_t limit);

// v1 memory: whether memsw.limit_in_bytes must be written before
// limit_in_bytes. The kernel keeps limit <= memsw at every step: when the new
// memsw is above the current limit it can go first (runc's rule), else the
// limit must shrink first. -1 (unlimited) memsw always goes first.
bool memsw_first(uint64_t current_limit, int64_t new_swap);

// io.max lines, one per device in order of first appearance:
// "8:0 rbps=1048576 wiops=100" (keys of the throttle lists given for it).
std::vector<std::string> io_max_lines(const spec::BlockIoResources& b);

// rdma.max: "mlx5_1 hca_handle=3 hca_object=10000" (only the limits given).
std::string rdma_max_line(const std::string& device, const spec::RdmaLimit& l);

// "8:0 500": a v1 weight_device or throttle line.
std::string device_line(int64_t major, int64_t minor, uint64_t value);

}  // namespace ocirt::cgroups
