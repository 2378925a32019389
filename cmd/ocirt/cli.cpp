#include "cli.hpp"

#include <cstdio>
#include <cstdlib>

#include "ocirt/util/error.hpp"

namespace ocirt::cli {

std::string Args::get(const std::string& name, const std::string& def) const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? def : it->second.back();
}

int Args::get_int(const std::string& name, int def) const {
    if (!has(name)) return def;
    std::string v = get(name);
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < 0 || n > 1 << 20) throw Error("--" + name + ": not a valid number: " + v);
    return static_cast<int>(n);
}

static const Flag* find_flag(const Command& cmd, const std::string& name) {
    for (const auto& f : cmd.flags)
        for (const auto& n : f.names)
            if (n == name) return &f;
    return nullptr;
}

// One flag at argv[i] (which names a flag of cmd, or is an error when `strict`); stores it in
// `a` and returns the index of its last word, or npos if it is not a flag of cmd.
static size_t parse_flag(const Command& cmd, const std::vector<std::string>& argv, size_t i, Args& a,
                         bool strict) {
    const std::string& s = argv[i];
    std::string name = s.substr(s[1] == '-' ? 2 : 1);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
    }
    const Flag* f = find_flag(cmd, name);
    if (!f) {
        if (!strict) return std::string::npos;
        throw Error(cmd.name + ": flag provided but not defined: -" + name);
    }
    const std::string& key = f->names.front();
    if (f->takes_value) {
        if (!has_value) {
            if (i + 1 >= argv.size()) throw Error(cmd.name + ": flag needs an argument: -" + name);
            value = argv[++i];
        }
    } else if (has_value && value != "true" && value != "false") {
        throw Error(cmd.name + ": invalid boolean value \"" + value + "\" for -" + name);
    } else if (!has_value) {
        value = "true";
    }
    if (!f->takes_value && value == "false")
        a.values_.erase(key);
    else
        a.values_[key].push_back(value);
    return i;
}

static bool looks_like_flag(const std::string& s) { return s.size() >= 2 && s[0] == '-'; }

Args parse(const Command& cmd, const std::vector<std::string>& argv, size_t start) {
    Args a;
    size_t i = start;
    for (; i < argv.size(); ++i) {
        if (argv[i] == "--") {
            ++i;
            break;
        }
        if (!looks_like_flag(argv[i])) {
            if (!cmd.flags_after_args) break;
            a.positional_.push_back(argv[i]);
            continue;
        }
        // After a positional argument only the verb's own flags are flags (urfave/cli reorders
        // those alone); any other dash word stays an argument ("kill ID -9" is a signal).
        bool strict = a.positional_.empty();
        size_t last = parse_flag(cmd, argv, i, a, strict);
        if (last == std::string::npos)
            a.positional_.push_back(argv[i]);
        else
            i = last;
    }
    for (; i < argv.size(); ++i) a.positional_.push_back(argv[i]);
    if (a.has("help")) return a;
    if (a.positional_.size() < cmd.min_args || a.positional_.size() > cmd.max_args) {
        std::string want = cmd.min_args == cmd.max_args ? std::to_string(cmd.min_args)
                           : cmd.max_args == SIZE_MAX ? "at least " + std::to_string(cmd.min_args)
                                                      : std::to_string(cmd.min_args) + " to " +
                                                            std::to_string(cmd.max_args);
        throw Error("\"" + cmd.name + "\" requires " + want + " argument(s): " + cmd.args_usage +
                    " (see ocirt " + cmd.name + " --help)");
    }
    return a;
}

Command id_command(std::string name, std::string summary,
                   std::function<void(const GlobalOptions&, const std::string& id)> run) {
    Command c;
    c.name = std::move(name);
    c.args_usage = "<container-id>";
    c.summary = std::move(summary);
    c.min_args = c.max_args = 1;
    c.run = [run](const GlobalOptions& g, const Args& a) {
        run(g, a.positional()[0]);
        return 0;
    };
    return c;
}

void print_help(const Command& cmd) {
    std::printf("NAME:\n   ocirt %s - %s\n\nUSAGE:\n   ocirt %s [command options] %s\n",
                cmd.name.c_str(), cmd.summary.c_str(), cmd.name.c_str(), cmd.args_usage.c_str());
    if (cmd.flags.empty()) return;
    std::printf("\nOPTIONS:\n");
    for (const auto& f : cmd.flags) {
        std::string names;
        for (const auto& n : f.names) names += (names.empty() ? "" : ", ") + std::string(n.size() == 1 ? "-" : "--") + n;
        if (f.takes_value) names += " " + f.placeholder;
        std::printf("   %-30s %s\n", names.c_str(), f.help.c_str());
    }
}

}  // namespace ocirt::cli
