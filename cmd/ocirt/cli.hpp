#pragma once
// The runc-style command line: global flags, then a verb with its own flags
// and positional arguments. Flags take one or two dashes, "--f value" or
// "--f=value". As in runc (urfave/cli v1 reorders the arguments before Go's
// flag package parses them), a verb's own flags may also come after its
// positional arguments ("update ID --memory 1m"), except for verbs whose
// trailing arguments are passed on (exec's command, ps's options). "--" ends
// the flags.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ocirt::cli {

struct Flag {
    std::vector<std::string> names;  // {"bundle", "b"}
    bool takes_value = false;
    std::string placeholder;  // "value" shown in help
    std::string help;
};

struct GlobalOptions {
    std::string root = "/run/ocirt";
    std::string log;
    std::string log_format = "text";
    bool debug = false;
    bool systemd_cgroup = false;
};

class Args {
public:
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string get(const std::string& name, const std::string& def = "") const;
    int get_int(const std::string& name, int def) const;
    const std::vector<std::string>& positional() const { return positional_; }

    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

struct Command {
    std::string name;
    std::string args_usage;  // "<container-id>"
    std::string summary;
    std::vector<Flag> flags;
    size_t min_args = 0;
    size_t max_args = 0;  // SIZE_MAX: any
    // false: parsing stops at the first positional argument (exec, ps, the
    // global flags), as urfave/cli's SkipArgReorder.
    bool flags_after_args = true;
    // The exit status when run fails (its arguments parsed): runc's exec exits 255 for
    // its own errors, which an engine tells from the process's own status.
    int failure_status = 1;
    std::function<int(const GlobalOptions&, const Args&)> run;
};

// A verb that takes one container id and no flags of its own.
Command id_command(std::string name, std::string summary,
                   std::function<void(const GlobalOptions&, const std::string& id)> run);

// Parses argv[start..] against cmd's flags; throws Error naming a bad flag.
Args parse(const Command& cmd, const std::vector<std::string>& argv, size_t start);
void print_help(const Command& cmd);

// The verbs, one per file (create.cpp, start.cpp, ...).
Command create_command();
Command start_command();
Command state_command();
Command kill_command();
Command delete_command();
Command run_command();
Command list_command();
Command spec_command();
Command pause_command();
Command resume_command();
Command ps_command();
Command exec_command();
Command update_command();
Command events_command();
Command features_command();
Command checkpoint_command();
Command restore_command();

}  // namespace ocirt::cli
