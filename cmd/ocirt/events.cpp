#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "cli.hpp"
#include "ocirt/events.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/util/duration.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cli {

Command events_command() {
    Command c;
    c.name = "events";
    c.args_usage = "<container-id>";
    c.summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics";
    c.flags = {{{"interval"}, true, "value", "set the stats collection interval (default: 5s)"},
               {{"stats"}, false, "", "display the container's stats then exit"}};
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        events::Options opts;
        opts.once = a.has("stats");
        if (a.has("interval")) {
            const std::string text = a.get("interval");
            try {
                opts.interval = parse_go_duration(text);
            } catch (const Error& e) {
                throw Error("invalid value \"" + text + "\" for flag -interval: " + e.what());
            }
        }
        // runc's order: a bad value is a usage error, a missing container comes before the range.
        auto container = Factory(g.root).load(a.positional()[0], /*lock=*/false);
        if (opts.interval.count() <= 0) throw Error("duration interval must be greater than 0");
        int sig = events::run(container, opts, STDOUT_FILENO);
        if (sig == 0) return 0;
        // Stopped by SIGINT/SIGTERM after a whole line: leave as runc does, by
        // that signal, so the caller sees the same status.
        std::fflush(nullptr);
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return 128 + sig;
    };
    return c;
}

}  // namespace ocirt::cli
