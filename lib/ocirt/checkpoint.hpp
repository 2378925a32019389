#pragma once
// Checkpoint and restore with CRIU (runc's verbs): the container-level steps
// around linux/criu/ (request.* builds what CRIU is told, swrk.* talks to it).
//   checkpoint: Container::checkpoint (checkpoint.cpp): dumps the running
//     container to the image dir; unless --leave-running or --pre-dump, the
//     container is then gone (CRIU killed it; it is deleted, as runc does).
//   restore: restore_container: create's steps (Factory::create_restored)
//     around `criu restore`; the container is running afterwards and every
//     verb works on it.
#include <string>

#include "ocirt/factory.hpp"
#include "ocirt/linux/criu/request.hpp"

namespace ocirt {

struct RestoreOptions {
    CreateOptions create;  // bundle, pid file, no-pivot, systemd cgroup
    linux_::criu::Options criu;
    bool detach = false;
    bool no_subreaper = false;
};

// The image dir when --image-path is not given: ./checkpoint (runc's default).
std::string default_image_path();

// `restore`: returns 0 with detach, else stays with the init as `run` does
// and returns its exit code (the container is deleted when it exits).
int restore_container(Factory& factory, const std::string& id, RestoreOptions o);

// Whether CRIU can checkpoint on this host (criu found, `criu check` through
// its RPC passes); `why` gets the reason when not. For `features`.
bool checkpoint_usable(std::string* why);

}  // namespace ocirt
