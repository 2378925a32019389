#pragma once
// The bpf(2) calls the cgroup v2 device filter needs, on the raw syscall and
// linux/bpf.h (no libbpf): load a BPF_PROG_TYPE_CGROUP_DEVICE program, list
// the programs attached to a cgroup dir, attach, replace and detach them.
// Every call needs CAP_SYS_ADMIN (or CAP_BPF + CAP_NET_ADMIN); errors carry
// errno and name the bpf command; callers add the cgroup dir.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ocirt/util/fd.hpp"

namespace ocirt::cgroups::bpf {

// Loads a device program named `name` (at most 15 characters of [A-Za-z0-9_.],
// the kernel's limit). On failure the program is loaded once more with a
// verifier log, and the log's last lines go into the error message.
Fd load_device_program(const std::vector<bpf_insn>& insns, const std::string& name);

// The ids of the programs attached to the cgroup (directly, not inherited)
// for BPF_CGROUP_DEVICE, in the order they run.
std::vector<uint32_t> attached_device_programs(int cgroup_fd);

// A program by id; an invalid Fd when it is gone (ENOENT).
Fd program_by_id(uint32_t id);

// What the kernel reports about a loaded program.
struct ProgramInfo {
    uint32_t id = 0;
    uint32_t type = 0;  // BPF_PROG_TYPE_*
    std::string name;
};
ProgramInfo program_info(int prog_fd);

// BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI: the program runs after those already
// attached, and every one of them must allow an access. With replace_fd >= 0,
// BPF_F_REPLACE swaps that attached program for this one in one step.
void attach_device_program(int cgroup_fd, int prog_fd, int replace_fd = -1);

// BPF_PROG_DETACH of this program from the cgroup.
void detach_device_program(int cgroup_fd, int prog_fd);

}  // namespace ocirt::cgroups::bpf
