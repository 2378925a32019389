#pragma once
// linux.intelRdt through the resctrl filesystem (runtime-spec config-linux.md,
// "IntelRdt"): the CTRL_MON group (closID, "/" for the default CLOS, else
// the container id), its schemata, a MON group named after the container
// when enableMonitoring is set, and the tasks file the container's processes
// are written to. The resctrl root is a parameter, so the unit tests run
// against a fake tree (tests/intel_rdt_test.cpp).
#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirt/spec/config.hpp"

namespace ocirt::linux_ {

// Where resctrl is mounted, from mountinfo. Not mounted: an error naming
// linux.intelRdt (the spec's "MUST generate an error").
std::string find_resctrl(const std::string& mountinfo = "/proc/self/mountinfo");

class IntelRdt {
public:
    IntelRdt(const spec::IntelRdt& config, std::string id, std::string resctrl_root);

    // The dirs create() is about to make that delete must remove (recovery.json).
    std::vector<std::string> to_remove() const;
    // Makes or joins the group, writes or checks its schemata, makes the MON
    // group. Errors name the field.
    void create();
    // The dirs create() made that delete removes: the MON group, and the
    // group when closID is unset (a group named by closID is never removed).
    const std::vector<std::string>& created() const { return created_; }
    // The file a container process's pid is written to.
    std::string tasks_file() const;

private:
    bool has_schemata() const;
    std::string schemata_text() const;
    void check_schemata() const;

    spec::IntelRdt config_;
    std::string id_;
    std::string root_;
    std::string group_;
    std::string mon_;  // empty without monitoring
    std::vector<std::string> created_;
};

// Adds a process to the group (its tasks file). Errors name linux.intelRdt.
void rdt_add_process(const std::string& tasks_file, pid_t pid);

// delete: removes the dirs, deepest first; a missing one is fine.
void rdt_remove(const std::vector<std::string>& dirs);

// A schemata line made comparable: blanks dropped, resource upper case, each
// domain's value lower case without leading zeros ("  L3:0=07f0;1=1f" ->
// "L3", {"0": "7f0", "1": "1f"}).
struct SchemataLine {
    std::string resource;
    std::vector<std::pair<std::string, std::string>> domains;
};
SchemataLine parse_schemata_line(const std::string& line);

}  // namespace ocirt::linux_
