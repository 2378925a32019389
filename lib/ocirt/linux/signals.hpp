#pragma once
// A process ocirt starts (a container's process, a hook) begins with every
// signal at its default disposition and none blocked, whatever the caller
// handed down through exec (make, for one, leaves 32 and 33 ignored).
namespace ocirt::linux_ {

// Every signal, glibc's reserved real-time ones included, to SIG_DFL, and an
// empty mask. For a child just before execve.
void reset_signals();

}  // namespace ocirt::linux_
