#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command start_command() {
    return id_command("start", "executes the user defined process in a created container",
                      [](const GlobalOptions& g, const std::string& id) { Factory(g.root).load(id).start(); });
}

}  // namespace ocirt::cli
