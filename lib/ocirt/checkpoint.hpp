#pragma once
// Checkpoint and restore (runc's CRIU verbs) are not implemented: dumping a
// container needs its mounts, namespaces, cgroups, terminal and external fds
// described to CRIU, and restoring needs the whole create path rebuilt around
// `criu restore`. The verbs exist so engines get a clear error, and
// `ocirt features` says so (io.github.ocirt.checkpoint.enabled "false").
namespace ocirt {

inline constexpr bool kCheckpointSupported = false;
inline constexpr const char* kCheckpointNotSupported =
    "checkpoint/restore with CRIU is not implemented by ocirt";

}  // namespace ocirt
