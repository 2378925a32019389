#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command pause_command() {
    Command c;
    c.name = "pause";
    c.args_usage = "<container-id>";
    c.summary = "suspend all processes inside the container";
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory(g.root).load(a.positional()[0]).pause();
        return 0;
    };
    return c;
}

Command resume_command() {
    Command c;
    c.name = "resume";
    c.args_usage = "<container-id>";
    c.summary = "resumes all processes that have been previously paused";
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory(g.root).load(a.positional()[0]).resume();
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
