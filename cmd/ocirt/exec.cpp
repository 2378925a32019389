#include <cstdlib>

#include "cli.hpp"
#include "ocirt/exec.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::cli {
namespace {

uint32_t parse_id(const std::string& s, const std::string& flag) {
    char* end = nullptr;
    unsigned long v = std::strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end || v > 0xffffffffUL) throw Error(flag + ": not a numeric id: \"" + s + "\"");
    return static_cast<uint32_t>(v);
}

// Without --process, runc's rule: the container's own process, with the
// command line's args and the flags' changes.
spec::Process process_from_flags(const Container& c, const Args& a) {
    spec::Config config = c.config();
    spec::Process p = config.process ? *config.process : spec::Process{};
    p.args.assign(a.positional().begin() + 1, a.positional().end());
    if (p.args.empty()) throw Error("exec: no command given (ocirt exec ID COMMAND [ARG...], or --process)");
    p.terminal = a.has("tty");
    p.console_size.reset();
    if (a.has("cwd")) p.cwd = a.get("cwd");
    if (a.has("env"))
        for (const auto& e : a.values_.at("env")) p.env.push_back(e);
    if (a.has("user")) {
        std::string u = a.get("user");
        auto colon = u.find(':');
        p.user.uid = parse_id(u.substr(0, colon), "--user");
        if (colon != std::string::npos) p.user.gid = parse_id(u.substr(colon + 1), "--user");
    }
    if (a.has("additional-gids")) {
        p.user.additional_gids.clear();
        for (const auto& g : a.values_.at("additional-gids")) p.user.additional_gids.push_back(parse_id(g, "--additional-gids"));
    }
    if (a.has("cap")) {
        if (!p.capabilities) p.capabilities = spec::Capabilities{};
        for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted}) {
            if (!*set) *set = std::vector<std::string>{};
            for (const auto& cap : a.values_.at("cap")) (*set)->push_back(cap);
        }
    }
    if (a.has("no-new-privs")) p.no_new_privileges = true;
    if (a.has("apparmor")) p.apparmor_profile = a.get("apparmor");
    if (a.has("process-label")) p.selinux_label = a.get("process-label");
    return p;
}

}  // namespace

Command exec_command() {
    Command c;
    c.name = "exec";
    c.args_usage = "<container-id> <command> [command options]  ||  -p process.json <container-id>";
    c.summary = "execute new process inside the container";
    c.flags = {
        {{"console-socket"}, true, "value", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
        {{"cwd"}, true, "value", "current working directory in the container"},
        {{"env", "e"}, true, "value", "set environment variables"},
        {{"tty", "t"}, false, "", "allocate a pseudo-TTY"},
        {{"user", "u"}, true, "value", "UID (format: <uid>[:<gid>])"},
        {{"additional-gids", "g"}, true, "value", "additional gids"},
        {{"process", "p"}, true, "value", "path to the process.json"},
        {{"detach", "d"}, false, "", "detach from the container's process"},
        {{"pid-file"}, true, "value", "specify the file to write the process id to"},
        {{"process-label"}, true, "value", "set the asm process label for the process commonly used with selinux"},
        {{"apparmor"}, true, "value", "set the apparmor profile for the process"},
        {{"no-new-privs"}, false, "", "set the no new privileges value for the process"},
        {{"cap", "c"}, true, "value", "add a capability to the bounding set for the process"},
        {{"preserve-fds"}, true, "value", "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
        {{"ignore-paused"}, false, "", "allow exec in a paused container"},
        {{"cgroup"}, true, "value", "run the process in an (existing) sub-cgroup(s). Format is [<controller>[,<controller>]:]<cgroup>."},
        {{"pidfd-socket"}, true, "value", "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process"},
    };
    c.min_args = 1;
    c.max_args = SIZE_MAX;
    c.flags_after_args = false;  // what follows the id is passed on, as in runc
    c.failure_status = 255;      // runc: "exec failed: ...", 255; usage errors stay 1
    c.run = [](const GlobalOptions& g, const Args& a) {
        cgroups::SubCgroups sub;
        if (auto it = a.values_.find("cgroup"); it != a.values_.end()) sub = cgroups::parse_sub_cgroups(it->second);
        Container ct = Factory(g.root).load(a.positional()[0], /*lock=*/false);
        ExecOptions o;
        if (a.has("process")) {
            std::string path = a.get("process");
            o.process.spec = with_context(path, [&] {
                return spec::parse_process(nlohmann::json::parse(read_file(path)), "process");
            });
        } else {
            o.process.spec = process_from_flags(ct, a);
        }
        o.process.console_socket = a.get("console-socket");
        o.process.pid_file = a.get("pid-file");
        o.process.preserve_fds = a.get_int("preserve-fds", 0);
        o.detach = a.has("detach");
        o.ignore_paused = a.has("ignore-paused");
        o.sub_cgroups = std::move(sub);
        o.process.pidfd_socket = a.get("pidfd-socket");
        return ct.exec(o);
    };
    return c;
}

}  // namespace ocirt::cli
