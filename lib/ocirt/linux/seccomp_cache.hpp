#pragma once
// Compiled seccomp programs kept on disk, so containers with the same profile
// skip libseccomp: podman's default profile costs ~26 ms to compile, about as
// much as the rest of `create`. Keyed by seccomp_cache_key (profile, libseccomp
// version, native arch), so a changed profile or library never hits a stale
// entry.
#include <string>

#include "ocirt/linux/seccomp.hpp"

namespace ocirt::linux_ {

// The cache dir for a state root: "<root>/@cache/seccomp". '@' cannot appear
// in a container id, so it never collides with a container's state dir.
std::string seccomp_cache_dir(const std::string& state_root);

// compile_seccomp(s), answered from `cache_dir` when it holds a valid entry
// for s; otherwise compiled and stored there. The cache is best effort: an
// entry that is unreadable, malformed, not owned by us or writable by others
// is ignored (and replaced); failing to store is only logged. Compile errors
// are thrown as by compile_seccomp.
SeccompProgram compile_seccomp_cached(const spec::Seccomp& s, const std::string& cache_dir);

}  // namespace ocirt::linux_
