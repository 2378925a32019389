#pragma once
// `run` without -d: create and start a container and stay with it as runc
// does: this process is a subreaper, forwards the signals it gets to the
// container's init, relays the terminal (process.terminal) and its window
// size, and when the init exits deletes the container and returns its exit
// code (128 + signal number when it was killed).
#include <string>

#include "ocirt/factory.hpp"

namespace ocirt {

// keep: leave the stopped container for `delete` (runc's --keep).
int run_in_foreground(Factory& factory, const std::string& id, CreateOptions opts, bool keep);

}  // namespace ocirt
