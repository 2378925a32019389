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
namespace ocirt::linux_ {

// Returns if the binary already is on a read-only mount; otherwise execs
// (and does not return), or returns after a debug message if it cannot
// (e.g. without CAP_SYS_ADMIN).
void reexec_from_readonly_binary(char** argv);

}  // namespace ocirt::linux_
