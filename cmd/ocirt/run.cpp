#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/foreground.hpp"

namespace ocirt::cli {

std::vector<Flag> create_flags();
CreateOptions create_options(const GlobalOptions& g, const Args& a);

Command run_command() {
    Command c;
    c.name = "run";
    c.args_usage = "<container-id>";
    c.summary = "create and run a container";
    c.flags = create_flags();
    c.flags.push_back({{"detach", "d"}, false, "", "detach from the container's process"});
    c.flags.push_back({{"keep"}, false, "", "do not delete the container after it exits"});
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory f(g.root);
        const std::string& id = a.positional()[0];
        CreateOptions o = create_options(g, a);
        if (!a.has("detach")) return run_in_foreground(f, id, o, a.has("keep"));
        Container ct = f.create(id, o);
        try {
            ct.start();
        } catch (...) {
            ct.destroy(/*force=*/true);
            throw;
        }
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
