// ocirt: global flags, then dispatch to a verb. Every failure is printed as
// "ocirt: <message>" on stderr (and logged to --log), exit code 1 (exec's
// own failures: 255, as runc).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

#include "cli.hpp"
#include "ocirt/commit.hpp"
#include "ocirt/linux/readonly_exe.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/linux/seccomp.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/log.hpp"
#include "ocirt/version.hpp"

using namespace ocirt;

namespace {

std::vector<cli::Command> commands() {
    return {cli::checkpoint_command(), cli::create_command(),  cli::delete_command(), cli::events_command(),
            cli::exec_command(),       cli::features_command(), cli::kill_command(),  cli::list_command(),
            cli::pause_command(),      cli::ps_command(),       cli::restore_command(), cli::resume_command(),
            cli::run_command(),        cli::spec_command(),     cli::start_command(), cli::state_command(),
            cli::update_command()};
}

cli::Command global_command() {
    cli::Command g;
    g.name = "ocirt";
    g.flags = {
        {{"root"}, true, "value", "root directory for storage of container state (default: \"/run/ocirt\", or \"$XDG_RUNTIME_DIR/ocirt\" for rootless)"},
        {{"log"}, true, "value", "set the log file to write ocirt logs to (default is stderr)"},
        {{"log-format"}, true, "value", "set the log format ('text' (default), or 'json')"},
        {{"debug"}, false, "", "enable debug logging"},
        {{"systemd-cgroup"}, false, "", "enable systemd cgroup support: linux.cgroupsPath is \"slice:prefix:name\", systemd makes the cgroup"},
        {{"rootless"}, true, "value", "ignored (runc compatibility): true, false or auto"},
        {{"criu"}, true, "value", "ignored (runc compatibility): path to criu"},
        {{"help", "h"}, false, "", "show help"},
        {{"version", "v"}, false, "", "print the version"},
    };
    g.max_args = SIZE_MAX;
    g.flags_after_args = false;  // the verb and its own arguments follow
    return g;
}

// runc's shape ("runc version", "commit:", "spec:", "go:", "libseccomp:"),
// without the go line; engines show it as is (podman info, crictl version).
void print_version() {
    std::printf("ocirt version %s\n", kVersion);
    if (*kCommit) std::printf("commit: %s\n", kCommit);
    std::printf("spec: %s\nlibseccomp: %s\n", kSpecVersion, linux_::libseccomp_version().c_str());
}

void print_usage(const std::vector<cli::Command>& cmds) {
    std::printf("NAME:\n   ocirt - an OCI container runtime\n\nUSAGE:\n   ocirt [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
    for (const auto& c : cmds) std::printf("   %-10s %s\n", c.name.c_str(), c.summary.c_str());
    std::printf("\nGLOBAL OPTIONS:\n");
    cli::Command g = global_command();
    for (const auto& f : g.flags)
        std::printf("   --%-20s %s\n", (f.names[0] + (f.takes_value ? " value" : "")).c_str(), f.help.c_str());
}

// "ocirt: <message>" on stderr, and the same as an error line in the --log file.
void report(const std::exception& e, bool log_to_file) {
    if (log_to_file) spdlog::error("{}", e.what());
    std::fprintf(stderr, "ocirt: %s\n", e.what());
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    auto cmds = commands();
    cli::GlobalOptions g;
    bool log_to_file = false;
    try {
        cli::Command gc = global_command();
        cli::Args ga = cli::parse(gc, args, 1);
        if (ga.has("version")) {
            print_version();
            return 0;
        }
        g.root = ga.get("root", linux_::default_state_root());
        g.log = ga.get("log");
        g.log_format = ga.get("log-format", "text");
        g.debug = ga.has("debug");
        g.systemd_cgroup = ga.has("systemd-cgroup");
        if (g.log_format != "text" && g.log_format != "json")
            throw Error("--log-format: unknown format \"" + g.log_format + "\" (text or json)");
        log::init(g.log, g.log_format == "json" ? log::Format::json : log::Format::text, g.debug);
        log_to_file = !g.log.empty();
        if (ga.positional().empty()) {
            print_usage(cmds);
            return ga.has("help") ? 0 : 1;
        }
        const std::string verb = ga.positional().front();
        // These run ocirt's image inside a container's namespaces: from a
        // read-only view of the binary only (linux/readonly_exe.hpp).
        if (verb == "create" || verb == "run" || verb == "exec") linux_::reexec_from_readonly_binary(argv);
        for (auto& c : cmds) {
            if (c.name != verb) continue;
            c.flags.push_back({{"help", "h"}, false, "", "show help"});
            size_t start = args.size() - ga.positional().size() + 1;
            cli::Args a = cli::parse(c, args, start);
            if (a.has("help")) {
                cli::print_help(c);
                return 0;
            }
            spdlog::debug("{} {}", verb, g.root);
            try {
                return c.run(g, a);
            } catch (const std::exception& e) {
                report(e, log_to_file);
                return c.failure_status;
            }
        }
        // runc (urfave/cli) exits 3 for a command it does not know.
        std::fprintf(stderr, "ocirt: unknown command \"%s\" (see ocirt --help)\n", verb.c_str());
        return 3;
    } catch (const std::exception& e) {
        report(e, log_to_file);
        return 1;
    }
}
