#pragma once
// Writing one linux.resources field to its control file, with errors that
// name the field first and then the file:
//   "linux.resources.cpu.burst: /sys/fs/cgroup/cpu/c1/cpu.cfs_burst_us does not
//    exist (this kernel or its configuration lacks it)"
//   "linux.resources.memory.limit: write \"1\" to /sys/.../memory.limit_in_bytes: Device or resource busy"
// A value asked for is never dropped silently: a missing file is an error
// (as runc does for every file but cpu.cfs_burst_us; see docs/conformance.md).
#include <string>

namespace ocirt::cgroups {

void write_field(const std::string& field, const std::string& path, const std::string& value);

// The same, but a failed write(2) returns its errno instead of throwing, for
// writes the caller retries in another order (EINVAL from cpu.cfs_period_us
// until the quota fits). A missing file still throws. 0 on success.
int try_write_field(const std::string& field, const std::string& path, const std::string& value);

// The error of a failed write that try_write_field returned.
[[noreturn]] void write_failed(const std::string& field, const std::string& path, const std::string& value,
                               int err);

// Writes value, but defers an EINVAL when `retry_later` (a quota follows
// that may make it fit: the kernel checks period and burst against the
// quota at each write, as runc notes). Returns the value to write again after
// the quota, or "" when it was written.
std::string write_or_defer(const std::string& field, const std::string& path, const std::string& value,
                           bool retry_later);

// The number in a control file (memory.limit_in_bytes, memory.current);
// errors name the field and the file.
uint64_t read_number(const std::string& field, const std::string& path);

// Multi-line values (unified) are written one line per write(2), as the
// kernel parses one entry per write; empty lines are skipped.
void write_field_lines(const std::string& field, const std::string& path, const std::string& value);

}  // namespace ocirt::cgroups
