#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "signals.hpp"

namespace ocirt::cli {

Command kill_command() {
    Command c;
    c.name = "kill";
    c.args_usage = "<container-id> [signal]";
    c.summary = "kill sends the specified signal (default: SIGTERM) to the container's init process";
    c.flags = {{{"all", "a"}, false, "", "send the specified signal to all processes inside the container"}};
    c.min_args = 1;
    c.max_args = 2;
    c.run = [](const GlobalOptions& g, const Args& a) {
        int sig = parse_signal(a.positional().size() > 1 ? a.positional()[1] : "SIGTERM");
        Factory(g.root).load(a.positional()[0]).signal(sig, a.has("all"));
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
