// cgroup v1 (and hybrid): devices through devices.allow/deny, the other
// resources in resources_v1.cpp, pause through the freezer hierarchy.
#include <string>

#include "ocirt/linux/cgroups/base.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/impl.hpp"
#include "ocirt/linux/cgroups/poll.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

class V1 final : public Base {
public:
    using Base::Base;

    void apply(const spec::Resources& r) override {
        apply_devices(r);
        apply_v1(r, [&](const std::string& controller) -> std::optional<std::string> {
            const Hierarchy* h = find(controller);
            return h ? std::optional(dir(*h)) : std::nullopt;
        });
    }

    void apply_devices(const spec::Resources& r) {
        if (r.devices.empty()) return;
        const Hierarchy* h = find("devices");
        if (!h) throw Error("linux.resources.devices: the devices cgroup is not mounted");
        const std::string d = dir(*h);
        // Render first: a bad rule must not leave the cgroup half-written.
        std::vector<std::pair<std::string, std::string>> writes;  // file, line
        for (const auto& rule : r.devices)
            for (auto& line : render_v1_lines(rule))
                writes.emplace_back(rule.allow ? "devices.allow" : "devices.deny", std::move(line));
        // Deny everything (drops inherited exceptions), then replay the rules
        // in order: later rules refine earlier ones, as the spec says.
        with_context("linux.resources.devices", [&] {
            write_file(join(d, "devices.deny"), "a");
            for (const auto& [file, line] : writes) write_file(join(d, file), line);
        });
    }

    void freeze() override {
        const std::string state = state_file();
        const auto deadline = Clock::now() + kWaitLimit;
        int round = 0;
        // New tasks (fork, exec joining) can keep a v1 cgroup in FREEZING;
        // the kernel docs say retry or thaw. Re-ask each round, thaw briefly
        // now and then so stragglers can settle.
        bool ok = poll_until(deadline, [&] {
            if (++round % 50 == 0) write_file(state, "THAWED");
            write_file(state, "FROZEN");
            return trim(read_file(state)) == "FROZEN";
        });
        if (!ok) {
            write_file(state, "THAWED");  // half-frozen is worse than running
            throw Error("cgroup: freeze " + state + ": still FREEZING after 2s, thawed again");
        }
    }

    void thaw() override {
        const std::string state = state_file();
        write_file(state, "THAWED");
        if (!poll_until(Clock::now() + kWaitLimit, [&] { return trim(read_file(state)) == "THAWED"; }))
            throw Error("cgroup: thaw " + state + ": not THAWED after 2s");
    }

    bool frozen() const override {
        const Hierarchy* h = find("freezer");
        if (!h) return false;
        auto text = read_file_if_exists(join(dir(*h), "freezer.state"));
        return text && trim(*text) == "FROZEN";
    }

    std::function<void()> calling_thread_join() const override {
        std::vector<std::string> tasks;
        for (const auto& h : hierarchies())  // no thread moves across cgroup2 domains: CLONE_INTO_CGROUP does it
            if (!h.unified) tasks.push_back(join(dir(h), "tasks"));
        if (tasks.empty()) return {};
        return [tasks] {
            for (const auto& t : tasks) write_file(t, "0");
        };
    }

    Fd fd_for_clone_into_cgroup() const override {
        const Hierarchy* u = unified();
        return u ? open_cgroup_dir(dir(*u)) : Fd();
    }

protected:
    std::optional<std::string> frozen_dir() const override {
        if (const Hierarchy* h = find("freezer")) {
            auto state = read_file_if_exists(join(dir(*h), "freezer.state"));
            if (state && trim(*state) != "THAWED") return dir(*h);  // FROZEN or FREEZING
        }
        // Hybrid: systemd's cgroup2 hierarchy has a freezer of its own.
        if (const Hierarchy* u = unified(); u && cgroup2_frozen(dir(*u))) return dir(*u);
        return std::nullopt;
    }

    void prepare_new_dir(const Hierarchy& h, const std::string& d) override {
        if (!h.has("cpuset")) return;
        // A new v1 cpuset starts with no cpus and no mems, and joining it
        // fails (ENOSPC) until they are set: inherit the parent's.
        for (const char* f : {"cpuset.cpus", "cpuset.mems"}) inherit_cpuset(h, d, f);
    }

    // Fills d's empty cpuset file from the nearest ancestor that has a value,
    // filling the empty levels between too: a parent another create just made
    // may not be filled yet (a race between parallel creates), and an empty
    // cpuset cannot hold tasks anyway, so filling it breaks nothing.
    static void inherit_cpuset(const Hierarchy& h, const std::string& d, const char* f) {
        auto mine = read_file_if_exists(join(d, f));
        if (!mine || !trim(*mine).empty()) return;  // fake tree, or clone_children did it
        if (d.size() <= h.mountpoint.size()) return;  // the root is never empty
        const std::string parent = d.substr(0, d.rfind('/'));
        inherit_cpuset(h, parent, f);
        write_file(join(d, f), trim(read_file(join(parent, f))));
    }

    void kill_round(const std::vector<std::string>& leaves, const std::vector<pid_t>& pids) override {
        Base::kill_round(leaves, pids);
        // A task frozen by the v1 freezer does not die until thawed.
        if (const Hierarchy* h = find("freezer"); h && made(dir(*h))) {
            auto state = join(dir(*h), "freezer.state");
            if (exists(state)) write_file(state, "THAWED");
        }
    }

private:
    std::string state_file() const {
        const Hierarchy* h = find("freezer");
        if (!h) throw Error("cgroup: the freezer cgroup is not mounted");
        return join(dir(*h), "freezer.state");
    }
};

}  // namespace

std::unique_ptr<Manager> make_v1(Mode mode, std::string path, std::vector<Hierarchy> hierarchies,
                                 std::vector<std::string> created) {
    return std::make_unique<V1>(mode, std::move(path), std::move(hierarchies), std::move(created));
}

}  // namespace ocirt::cgroups
