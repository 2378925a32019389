#include "ocirt/linux/cgroups/base.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sstream>

#include <spdlog/spdlog.h>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/poll.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

bool is_ancestor_or_self(const std::string& a, const std::string& b) {
    return a == b || (b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '/');
}

size_t depth(const std::string& p) { return static_cast<size_t>(std::count(p.begin(), p.end(), '/')); }

// rmdir, retrying while the kernel still counts exiting tasks (EBUSY).
void remove_dir(const std::string& dir, Clock::time_point deadline) {
    int err = 0;
    bool gone = poll_until(deadline, [&] {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
        err = errno;
        if (err != EBUSY && err != ENOTEMPTY) throw Error(err, "cgroup: remove " + dir);
        return false;
    });
    if (!gone) throw Error(err, "cgroup: remove " + dir + ": still busy after 2s");
}

// Whether /proc/PID/cgroup's line "N:controllers:path" is h's and says path.
bool line_places_in(const std::string& line, const Hierarchy& h, const std::string& path) {
    size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos || line.compare(b + 1, std::string::npos, path) != 0) return false;
    std::string names = line.substr(a + 1, b - a - 1);
    if (h.unified) return line.compare(0, a, "0") == 0 && names.empty();
    std::vector<std::string> listed;
    std::istringstream in(names);
    for (std::string c; std::getline(in, c, ',');) listed.push_back(c);
    return std::is_permutation(listed.begin(), listed.end(), h.controllers.begin(), h.controllers.end());
}

// The hierarchies in which pid is already in `path` (relative to the root of
// our cgroup namespace, which is the hierarchies' root when ocirt runs where
// runtimes run; anywhere else nothing matches and every hierarchy is written).
std::vector<bool> already_in(pid_t pid, const std::vector<Hierarchy>& hs, const std::string& path) {
    std::vector<bool> in(hs.size(), false);
    auto text = read_file_if_exists("/proc/" + std::to_string(pid) + "/cgroup");
    if (!text) return in;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
        for (size_t i = 0; i < hs.size(); ++i) in[i] = in[i] || line_places_in(line, hs[i], path);
    return in;
}

}  // namespace

Base::Base(Mode mode, std::string path, std::vector<Hierarchy> hierarchies,
           std::vector<std::string> created)
    : mode_(mode), path_(std::move(path)), hierarchies_(std::move(hierarchies)) {
    // pids(), destroy() and freeze() act on everything below path_: the root
    // would be every process on the host.
    if (path_.empty() || path_ == "/" || path_.front() != '/')
        throw Error("cgroup: \"" + path_ + "\" is not a container's cgroup path");
    // The list comes from state.json: never let it name a dir outside our path.
    for (auto& c : created) {
        bool ours = std::any_of(hierarchies_.begin(), hierarchies_.end(), [&](const Hierarchy& h) {
            return c.size() > h.mountpoint.size() && is_ancestor_or_self(h.mountpoint, c) &&
                   is_ancestor_or_self(c, dir(h));
        });
        if (!ours) throw Error("cgroup: recorded dir " + c + " is not part of cgroup " + path_);
    }
    created_ = std::move(created);
}

std::vector<std::string> Base::to_create() const {
    std::vector<std::string> out;
    for (const auto& h : hierarchies_) {
        size_t pos = 1;  // as create(): each ancestor below the mountpoint, then the dir
        while (pos <= path_.size()) {
            size_t end = path_.find('/', pos);
            if (end == std::string::npos) end = path_.size();
            std::string d = h.mountpoint + path_.substr(0, end);
            pos = end + 1;
            struct stat st {};
            if (::stat(d.c_str(), &st) != 0) out.push_back(d);
        }
    }
    return out;
}

void Base::create() {
    std::vector<std::string> made_now;
    bool leaf_existed = false;  // only a cgroup that was there can hold processes
    try {
        for (const auto& h : hierarchies_) {
            std::string d = h.mountpoint;
            size_t pos = 1;  // path_ is "/a/b": components between slashes
            while (pos <= path_.size()) {
                size_t end = path_.find('/', pos);
                if (end == std::string::npos) end = path_.size();
                d = h.mountpoint + path_.substr(0, end);
                pos = end + 1;
                if (::mkdir(d.c_str(), 0755) == 0) {
                    made_now.push_back(d);
                    created_.push_back(d);
                    prepare_new_dir(h, d);
                    continue;
                }
                if (errno != EEXIST) throw_errno("cgroup: create " + d);
                leaf_existed |= end == path_.size();
                struct stat st {};
                if (::stat(d.c_str(), &st) != 0) throw_errno("cgroup: create " + d);
                if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, "cgroup: create " + d);
            }
        }
        // Before any process joins: a frozen cgroup would stop the init; one
        // that already holds processes is shared with them (runc 1.1 warns too).
        if (auto d = frozen_dir())
            throw Error(EBUSY, "cgroup: " + *d + " is frozen: thaw it, or give the container "
                               "another linux.cgroupsPath");
        if (auto n = leaf_existed ? pids().size() : 0)
            spdlog::warn("cgroup {} already holds {} process(es); the container shares it", path_, n);
    } catch (...) {
        // Leave nothing behind: remove what this call made, children first.
        for (auto it = made_now.rbegin(); it != made_now.rend(); ++it) {
            ::rmdir(it->c_str());
            created_.erase(std::find(created_.begin(), created_.end(), *it));
        }
        throw;
    }
}

bool Base::cgroup2_frozen(const std::string& d) {
    auto own = read_file_if_exists(join(d, "cgroup.freeze"));
    if (own && own->rfind('1', 0) == 0) return true;
    auto events = read_file_if_exists(join(d, "cgroup.events"));
    if (!events) return false;
    std::istringstream in(*events);
    std::string k, v;
    while (in >> k >> v)
        if (k == "frozen") return v == "1";
    return false;
}

void Base::prepare_new_dir(const Hierarchy&, const std::string&) {}

void Base::add_process(pid_t pid) {
    const auto skip = already_in(pid, hierarchies_, path_);
    for (size_t i = 0; i < hierarchies_.size(); ++i)
        if (!skip[i]) write_file(join(dir(hierarchies_[i]), "cgroup.procs"), std::to_string(pid));
}

void Base::add_process(pid_t pid, const SubCgroups& sub) {
    if (sub.empty()) return add_process(pid);
    auto all = sub.find("");
    for (const auto& [c, path] : sub) {
        if (c.empty()) continue;
        if (mode_ == Mode::v2)
            throw Error("--cgroup " + c + ":" + path +
                        ": cgroup v2 has one hierarchy; give the sub-cgroup path alone");
        if (!find(c)) throw Error("--cgroup " + c + ":" + path + ": unknown controller " + c);
    }
    std::vector<std::string> targets;
    for (const auto& h : hierarchies_) {
        std::optional<std::string> given;  // the path of this hierarchy's controllers
        if (all != sub.end()) given = all->second;
        for (const auto& c : h.controllers) {
            auto it = sub.find(c);
            if (it == sub.end()) continue;
            if (given && *given != it->second)
                throw Error("--cgroup " + c + ":" + it->second + ": another controller of " + h.mountpoint +
                            " was given " + *given + " (co-mounted controllers share one cgroup)");
            given = it->second;
        }
        const std::string rel = given.value_or("");
        auto target = sub_cgroup_dir(dir(h), rel);
        if (!target) throw Error("--cgroup: bad sub cgroup path: " + rel);
        targets.push_back(*target);
    }
    for (const auto& t : targets)  // all checked before the first join
        with_context("--cgroup: add process " + std::to_string(pid) + " to " + t,
                     [&] { write_file(join(t, "cgroup.procs"), std::to_string(pid)); });
}

std::vector<pid_t> Base::pids_below(const std::string& dir) {
    auto pids = read_pids(join(dir, "cgroup.procs"));
    for (const auto& sub : subdirs_deepest_first(dir)) {
        auto more = read_pids(join(sub, "cgroup.procs"));
        pids.insert(pids.end(), more.begin(), more.end());
    }
    return pids;
}

std::vector<pid_t> Base::pids() const {
    // Every process is in every hierarchy; read one, preferring those that
    // are usually there. v2 has no named controllers: front() is the one.
    const Hierarchy* h = nullptr;
    for (const char* c : {"freezer", "pids", "memory", "devices"})
        if ((h = find(c))) break;
    if (!h) h = &hierarchies_.front();
    auto pids = pids_below(dir(*h));
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
    return pids;
}

void Base::kill_round(const std::vector<std::string>&, const std::vector<pid_t>& pids) {
    for (pid_t p : pids) ::kill(p, SIGKILL);  // ESRCH: already gone
}

void Base::destroy() {
    const auto deadline = Clock::now() + kWaitLimit;
    // Only a dir we made is the container's alone: never kill in, nor empty,
    // a cgroup that existed before (it may be shared, or be the root).
    std::vector<std::string> leaves;
    for (const auto& h : hierarchies_)
        if (made(dir(h))) leaves.push_back(dir(h));

    auto alive = [&] {
        std::vector<pid_t> all;
        for (const auto& l : leaves) {
            auto p = pids_below(l);
            all.insert(all.end(), p.begin(), p.end());
        }
        return all;
    };
    bool empty = poll_until(deadline, [&] {
        auto pids = alive();
        if (pids.empty()) return true;
        kill_round(leaves, pids);
        return false;
    });
    if (!empty) {
        for (const auto& l : leaves)
            if (!pids_below(l).empty())
                throw Error(EBUSY, "cgroup: destroy " + l + ": processes still running after 2s");
    }

    // Sub-cgroups the container made inside its own dirs, then our dirs.
    for (const auto& l : leaves)
        for (const auto& sub : subdirs_deepest_first(l)) remove_dir(sub, deadline);
    auto dirs = created_;
    std::stable_sort(dirs.begin(), dirs.end(),
                     [](const std::string& a, const std::string& b) { return depth(a) > depth(b); });
    for (const auto& d : dirs) {
        if (std::find(leaves.begin(), leaves.end(), d) != leaves.end()) {
            remove_dir(d, deadline);
            continue;
        }
        // A parent this container made (e.g. /ocirt) may hold other containers'
        // cgroups by now: it goes only if it is empty, and is left if not.
        if (::rmdir(d.c_str()) != 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY)
            throw Error(errno, "cgroup: remove " + d);
    }
}

const Hierarchy* Base::find(const std::string& controller) const {
    for (const auto& h : hierarchies_)
        if (!h.unified && h.has(controller)) return &h;
    return nullptr;
}

const Hierarchy* Base::unified() const {
    for (const auto& h : hierarchies_)
        if (h.unified) return &h;
    return nullptr;
}

bool Base::made(const std::string& dir) const {
    return std::find(created_.begin(), created_.end(), dir) != created_.end();
}

}  // namespace ocirt::cgroups
