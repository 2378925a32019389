#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command delete_command() {
    Command c;
    c.name = "delete";
    c.args_usage = "<container-id>";
    c.summary = "delete any resources held by the container";
    c.flags = {{{"force", "f"}, false, "", "forcibly delete the container if it is still running (uses SIGKILL)"}};
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Factory f(g.root);
        const std::string& id = a.positional()[0];
        // Engines delete --force after every exit, whether or not it still exists.
        if (a.has("force") && !f.exists(id)) {
            Factory::validate_id(id);
            return 0;
        }
        f.load(id).destroy(a.has("force"));
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
