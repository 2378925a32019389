#include <cerrno>
#include <cstdio>

#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/linux/cgroups/discover_once.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {
namespace {

// Columns as Go's tabwriter (minwidth 12, padding 3) lays out runc's table.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i + 1 < r.size(); ++i) {
            if (width.size() <= i) width.resize(i + 1, 12);
            width[i] = std::max(width[i], r[i].size() + 3);
        }
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line.append(width[i] - r[i].size(), ' ');
        }
        std::printf("%s\n", line.c_str());
    }
}

}  // namespace

Command list_command() {
    Command c;
    c.name = "list";
    c.summary = "lists containers started by ocirt with the given root";
    c.flags = {{{"format", "f"}, true, "value", "select one of: table or json (default: \"table\")"},
               {{"quiet", "q"}, false, "", "display only container IDs"}};
    c.run = [](const GlobalOptions& g, const Args& a) {
        std::string format = a.get("format", "table");
        if (format != "table" && format != "json") throw Error("invalid format option \"" + format + "\"");
        Factory f(g.root);
        cgroups::DiscoverOnce once;  // one mountinfo read for all the containers' freezers
        std::vector<std::pair<Container, Status>> cs;
        for (const auto& id : f.list()) {
            try {
                Container ct = f.load(id, /*lock=*/false);
                Status s = Status::running;
                try {
                    s = ct.status();
                } catch (const Error& e) {
                    // Its init is alive but its freezer cannot be read: one
                    // such container does not hide the others. Listed as
                    // running (all that is known), with the reason.
                    std::fprintf(stderr, "ocirt: warning: %s (listed as running)\n", e.what());
                }
                cs.emplace_back(std::move(ct), s);
            } catch (const Error& e) {
                // A state.json that cannot be read still names a container that
                // delete --force can finish: list it as stopped, and say why.
                if (e.code() != EBADMSG) continue;  // deleted while we listed
                std::fprintf(stderr, "ocirt: warning: %s (delete --force %s removes it)\n", e.what(), id.c_str());
                State st;
                st.id = id;
                cs.emplace_back(Container(f.root(), id, st, Fd()), Status::stopped);
            }
        }
        if (a.has("quiet")) {
            for (const auto& [ct, s] : cs) std::printf("%s\n", ct.id().c_str());
            return 0;
        }
        if (format == "json") {
            nlohmann::ordered_json arr = nlohmann::ordered_json::array();
            for (const auto& [ct, s] : cs) {
                auto j = oci_state_view(ct.state(), s);
                j["owner"] = ct.owner();
                arr.push_back(j);
            }
            std::printf("%s\n", arr.dump().c_str());
            return 0;
        }
        std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
        for (const auto& [ct, s] : cs) {
            const State& st = ct.state();
            rows.push_back({st.id, std::to_string(s == Status::stopped ? 0 : st.pid), to_string(s),
                            st.bundle, st.created, ct.owner()});
        }
        print_table(rows);
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
