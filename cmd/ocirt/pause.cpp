#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command pause_command() {
    return id_command("pause", "suspend all processes inside the container",
                      [](const GlobalOptions& g, const std::string& id) { Factory(g.root).load(id).pause(); });
}

Command resume_command() {
    return id_command("resume", "resumes all processes that have been previously paused",
                      [](const GlobalOptions& g, const std::string& id) { Factory(g.root).load(id).resume(); });
}

}  // namespace ocirt::cli
