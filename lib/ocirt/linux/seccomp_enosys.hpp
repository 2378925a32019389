#pragma once
// The -ENOSYS prologue of a compiled seccomp program (runc's behaviour, ocirt's
// own code). A profile whose default action denies (ERRNO other than ENOSYS,
// KILL, TRAP) would answer a syscall newer than the profile with that action,
// EPERM usually; a libc that tries a new syscall first (clone3, faccessat2,
// openat2, ...) falls back to the old one only on ENOSYS. So, per architecture
// in the filter, a syscall number above the largest one the profile names (as
// libseccomp resolves it for that architecture) gets ENOSYS before the
// profile's program runs. Names libseccomp does not know do not count; the x32
// ABI (x86_64 numbers with bit 30) has its own largest number; on s390/s390x
// number 0 (the multiplexer unknown syscalls end up in) also gets ENOSYS.
// Default actions ALLOW, LOG and TRACE, and ERRNO(ENOSYS), get no prologue.
#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ocirt::linux_ {

// The instructions to put in front of libseccomp's program (empty: none).
// `default_action` is libseccomp's (SCMP_ACT_*), `archs` the SCMP_ARCH_*
// tokens in the filter (the native one included), `names` every syscall name
// of the profile, whatever its action.
std::vector<sock_filter> enosys_prologue(uint32_t default_action, const std::vector<uint32_t>& archs,
                                         const std::vector<std::string>& names);

}  // namespace ocirt::linux_
