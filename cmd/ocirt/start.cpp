#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command start_command() {
    Command c;
    c.name = "start";
    c.args_usage = "<container-id>";
    c.summary = "executes the user defined process in a created container";
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory(g.root).load(a.positional()[0]).start();
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
