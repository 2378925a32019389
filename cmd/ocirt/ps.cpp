#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/ps.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {

Command ps_command() {
    Command c;
    c.name = "ps";
    c.args_usage = "<container-id> [ps options]";
    c.summary = "ps displays the processes running inside a container";
    c.flags = {{{"format", "f"}, true, "value", "select one of: table or json (default: \"table\")"}};
    c.min_args = 1;
    c.max_args = SIZE_MAX;
    c.flags_after_args = false;  // what follows the id is passed on, as in runc
    c.run = [](const GlobalOptions& g, const Args& a) {
        std::string format = a.get("format", "table");
        if (format != "table" && format != "json") throw Error("invalid format option \"" + format + "\"");
        auto pids = Factory(g.root).load(a.positional()[0], /*lock=*/false).pids();
        if (format == "json") {
            std::printf("%s\n", nlohmann::json(pids).dump().c_str());
            return 0;
        }
        std::vector<std::string> ps_args(a.positional().begin() + 1, a.positional().end());
        std::fputs(ps_table(pids, ps_args).c_str(), stdout);
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
