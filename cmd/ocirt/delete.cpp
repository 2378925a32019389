#include <spdlog/spdlog.h>

#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/util/error.hpp"

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
        const bool force = a.has("force");
        // Engines delete --force after every exit, whether or not it still exists.
        if (force && !f.exists(id)) {
            Factory::validate_id(id);
            return 0;
        }
        try {
            f.load(id).destroy(force);
            return 0;
        } catch (const Error& e) {
            if (!force || e.code() != EBADMSG) throw;
            // state.json is unreadable: kill and remove what recovery.json
            // (or the config copy) still names, then say what could not be.
            std::vector<std::string> problems;
            Container ct = f.load_damaged(id, problems);
            spdlog::warn("{}; removing what the state dir still records", e.what());
            ct.destroy(true);
            if (problems.empty()) return 0;
            std::string msg = "container \"" + id + "\" removed, but: ";
            for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
            throw Error(msg);
        }
    };
    return c;
}

}  // namespace ocirt::cli
