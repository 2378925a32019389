#include "ocirt/factory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {

Factory::Factory(std::string root) : root_(absolute_path(root)) {}

void Factory::validate_id(const std::string& id) {
    auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '+' || c == '-' || c == '.';
    };
    if (id.empty() || id == "." || id == ".." || !std::all_of(id.begin(), id.end(), ok) ||
        id.size() > 1024)
        throw Error("invalid container id \"" + id +
                    "\": use letters, digits, '_', '+', '-' and '.', not \".\" or \"..\"");
}

static Fd lock_dir(const std::string& dir, const std::string& id) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) throw Error("container \"" + id + "\" does not exist");
        throw_errno(dir);
    }
    if (::flock(fd.get(), LOCK_EX) != 0) throw_errno("lock " + dir);
    return fd;
}

static bool is_dir(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// A state dir without state.json: what its create recorded, if anything.
static State half_made_state(const std::string& dir, const std::string& id) {
    if (path_exists(dir + "/" + kRecoveryFile)) {
        State s = load_recovery(dir);
        s.id = id;
        return s;
    }
    State s;
    s.id = id;
    s.creating = true;
    return s;
}

Container Factory::load(const std::string& id, bool lock) const {
    validate_id(id);
    std::string dir = root_ + "/" + id;
    if (!lock && !is_dir(dir)) throw Error("container \"" + id + "\" does not exist");
    Fd l = lock ? lock_dir(dir, id) : Fd();
    // Deleted while we waited for the lock.
    if (lock && !is_dir(dir)) throw Error("container \"" + id + "\" does not exist");
    if (path_exists(dir + "/state.json")) return Container(root_, id, load_state(dir), std::move(l));
    return Container(root_, id, half_made_state(dir, id), std::move(l));
}

Container Factory::load_damaged(const std::string& id, std::vector<std::string>& problems) const {
    validate_id(id);
    std::string dir = root_ + "/" + id;
    Fd l = lock_dir(dir, id);
    try {
        if (path_exists(dir + "/" + kRecoveryFile)) {
            State s = load_recovery(dir);
            s.id = id;
            return Container(root_, id, s, std::move(l));
        }
        problems.push_back(dir + "/" + kRecoveryFile + ": missing: the init's pid is not known");
    } catch (const Error& e) {
        problems.push_back(std::string(e.what()) + ": the init's pid is not known");
    }
    // The cgroup path again from the config copy. Which of its dirs create
    // made is not known: the container's processes there are killed (as
    // kill --all would) but no dir is removed.
    State s;
    s.id = id;
    s.creating = true;
    try {
        spec::Config c = spec::load_config(dir + "/config.json");
        s.cgroup_path = cgroups::resolve_path(c.linux ? c.linux->cgroups_path : std::nullopt, id, false);
        s.has_hooks = c.hooks.has_value();
        problems.push_back("cgroup " + s.cgroup_path +
                           ": not removed: which of its dirs ocirt made is not recorded");
    } catch (const Error& e) {
        problems.push_back(std::string(e.what()) + ": the container's cgroup is not known");
    }
    Container ct(root_, id, s, std::move(l));
    ct.mark_pid_unknown();
    return ct;
}

bool Factory::exists(const std::string& id) const { return is_dir(root_ + "/" + id); }

std::vector<std::string> Factory::list() const {
    std::vector<std::string> ids;
    Dir d = Dir::open(root_);
    if (!d) {
        if (errno == ENOENT) return ids;
        throw_errno(root_);
    }
    for (const DirEntry& e : d.entries(root_)) {
        try {
            validate_id(e.name);  // also leaves out "@cache"
        } catch (const Error&) {
            continue;
        }
        if (is_dir(root_ + "/" + e.name)) ids.push_back(e.name);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace ocirt
