#pragma once
// linux.seccomp: compiling the profile to a classic BPF program (libseccomp)
// and loading it with seccomp(2).
//
// Compiling and loading are separate so the runtime can compile early (in the
// parent, before clone, or in the child; no threads are used) and load as the
// very last step of the init before execve, and so compiled programs can be
// cached (seccomp_cache_key). libseccomp is only used to build the program:
// seccomp_export_bpf writes it to a memfd, it is read back into a
// SeccompProgram and the libseccomp context is released. libseccomp's own
// seccomp_load (and its NO_NEW_PRIVS / TSYNC attributes) is never used.
//
// How the profile is read (config-linux.md, "Seccomp"):
// - actions: SCMP_ACT_KILL (= KILL_THREAD), KILL_THREAD, KILL_PROCESS, TRAP,
//   ERRNO, TRACE, ALLOW, LOG, NOTIFY. errnoRet / defaultErrnoRet (default EPERM)
//   only with ERRNO (the errno returned) and TRACE (the PTRACE_GETEVENTMSG
//   value); with any other action they are an error, as the spec requires.
// - architectures: every SCMP_ARCH_* libseccomp knows; the native architecture
//   is always in the filter (libseccomp adds it), the listed ones are added.
// - a rule whose action (errno included) equals the default action is skipped
//   (libseccomp refuses it with EACCES and it would change nothing).
// - a syscall name libseccomp does not know is skipped (spdlog::debug): the
//   profile may name syscalls newer than this libseccomp.
// - args: all conditions of one rule are ANDed, except when two conditions name
//   the same argument index (libseccomp cannot compare one argument twice in a
//   rule): then each condition becomes a rule of its own, i.e. they are ORed.
//   This is runc's behaviour and what profiles written for runc expect.
//   SCMP_CMP_MASKED_EQ: value is the mask, valueTwo the datum.
// - several rules for one syscall are merged by libseccomp: two unconditional
//   ones with different actions keep the first (silently, as in runc and crun);
//   two with the same conditions and different actions are an error here.
// - architectures not in the filter get libseccomp's bad-arch action, KILL
//   (the thread), like runc.
// - flags: SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW, _WAIT_KILLABLE_RECV.
//   WAIT_KILLABLE_RECV only means something with a listener; it is dropped
//   (debug) when no SCMP_ACT_NOTIFY rule made it into the filter.
// - SCMP_ACT_NOTIFY may not be the default action (as in runc). It may be used
//   for any syscall, the runtime's own included: the runtime takes the listener
//   fd out of the init with pidfd_getfd(2), so the init makes no syscall
//   between loading the filter and the agent having the fd (seccomp_listener.hpp).
// - listenerPath / listenerMetadata do not change the program; sending the
//   listener fd to the agent is the caller's job.
//
// Every validation error names the JSON field:
//   linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"
#include <linux/filter.h>

#include <string>
#include <string_view>
#include <vector>

#include "ocirt/spec/config.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// A compiled filter: the BPF program, ready for seccomp(SECCOMP_SET_MODE_FILTER).
struct SeccompProgram {
    std::vector<sock_filter> insns;
    // SECCOMP_FILTER_FLAG_* from linux.seccomp.flags. NEW_LISTENER (and
    // TSYNC_ESRCH, needed with TSYNC) are added by load_seccomp.
    unsigned flags = 0;
    // The filter has at least one SCMP_ACT_NOTIFY rule: loading it creates a
    // listener fd.
    bool uses_notify = false;
};

// Validates and compiles the profile for this machine (its libseccomp and its
// native architecture). Throws ocirt::Error naming the field.
SeccompProgram compile_seccomp(const spec::Seccomp& s);

// Loads the program into the calling thread. Returns the listener fd
// (close-on-exec) when p.uses_notify, an invalid Fd otherwise.
//
// Requirements (seccomp(2)): the thread must have no_new_privs set
// (prctl(PR_SET_NO_NEW_PRIVS)), or have CAP_SYS_ADMIN in its user namespace.
// So the init either sets no_new_privs (process.noNewPrivileges) and may load
// after dropping capabilities, or, without no_new_privs, must load while it
// still has CAP_SYS_ADMIN, i.e. before dropping capabilities; then the filter
// is active for the syscalls that drop capabilities and change ids (capset,
// prctl, setresuid, ...), and a profile that forbids them breaks the start.
// (runc does the same: late load with NNP, early load without.) Allocates
// nothing on success, so it is safe between fork and exec.
Fd load_seccomp(const SeccompProgram& p);

// A key for caching compiled programs: SHA-256 (hex) over a canonical
// serialization of everything that changes the compiled program: the profile
// (listenerPath and listenerMetadata excluded; an absent valueTwo is 0; an
// absent errnoRet of an ERRNO/TRACE rule is EPERM), the libseccomp version and
// the native architecture.
std::string seccomp_cache_key(const spec::Seccomp& s);

// What `ocirt features` reports (features-linux.md, "seccomp").
struct SeccompFeatures {
    std::vector<std::string> actions;
    std::vector<std::string> operators;
    std::vector<std::string> archs;  // known to this libseccomp
    std::vector<std::string> known_flags;
    std::vector<std::string> supported_flags;  // known_flags the kernel accepts
};
SeccompFeatures seccomp_features();

// The version of the libseccomp ocirt runs with, "2.5.4".
std::string libseccomp_version();

namespace detail {
// SHA-256 of `data`, lowercase hex (used by seccomp_cache_key; tested alone).
std::string sha256_hex(std::string_view data);
}  // namespace detail

}  // namespace ocirt::linux_
