#pragma once
// The CVE-2019-5736 class: while ocirt's own image runs inside a container's
// namespaces (the init until it execs, an exec'd process until it execs), a
// process there with CAP_SYS_PTRACE can open /proc/PID/exe, which leads to
// the ocirt binary on the host, and overwrite it. Being non-dumpable is not
// enough against CAP_SYS_PTRACE.
//
// So create, run and exec first re-execute themselves from a read-only view
// of their binary: a read-only bind mount of it in a throwaway mount
// namespace, opened, then the process goes back to the host's mount
// namespace (hooks must see the host's mounts) and execs the open fd. The
// bind mount is detached when that namespace goes away, so /proc/PID/exe then
// leads to a file on a read-only mount that no container can remount: any
// write fails with EROFS. Costs one execve; no copy of the binary.
//
// Rootless there is no CAP_SYS_ADMIN over the host's mount namespace: the
// same detached read-only bind is made by a child in a user and mount
// namespace of its own, which sends the fd back (the mount outlives the
// namespace while the fd, then the exe, holds it). Where user namespaces are
// disabled: a copy in a sealed memfd (F_SEAL_WRITE), which costs a copy of
// the binary per call (docs/security.md has the numbers).
#include <string>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// The two rootless forms, each an fd to execveat or an invalid Fd (for the
// bench and the tests too).
Fd readonly_view_in_own_userns(const std::string& exe);
Fd sealed_memfd_copy(const std::string& exe);

// Returns if the binary already is on a read-only mount; otherwise execs
// (and does not return), or returns after a debug message if it cannot
// (neither form works).
void reexec_from_readonly_binary(char** argv);

}  // namespace ocirt::linux_
