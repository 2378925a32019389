#pragma once
// A process ocirt starts (a container's process, a hook) begins with every
// signal at its default disposition and none blocked, whatever the caller
// handed down through exec (make, for one, leaves 32 and 33 ignored).
namespace ocirt::linux_ {

// Every signal, glibc's reserved real-time ones included, to SIG_DFL, and an
// empty mask. For a child just before execve. Async-signal-safe (a hook's
// child calls it between fork and exec): false with errno set on a failure.
bool reset_signals() noexcept;

}  // namespace ocirt::linux_
