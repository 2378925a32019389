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
        std::vector<std::string> lines;
        for (const auto& rule : r.devices) lines.push_back(render_v1(rule));
        // Deny everything (drops inherited exceptions), then replay the rules
        // in order: later rules refine earlier ones, as the spec says.
        write_file(join(d, "devices.deny"), "a");
        for (size_t i = 0; i < lines.size(); ++i)
            write_file(join(d, r.devices[i].allow ? "devices.allow" : "devices.deny"), lines[i]);
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

    Fd fd_for_clone_into_cgroup() const override {
        const Hierarchy* u = unified();
        return u ? open_cgroup_dir(dir(*u)) : Fd();
    }

protected:
    void prepare_new_dir(const Hierarchy& h, const std::string& d) override {
        if (!h.has("cpuset")) return;
        // A new v1 cpuset starts with no cpus and no mems, and joining it
        // fails (ENOSPC) until they are set: inherit the parent's.
        const std::string parent = d.substr(0, d.rfind('/'));
        for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
            auto mine = read_file_if_exists(join(d, f));
            if (!mine || !trim(*mine).empty()) continue;  // fake tree, or clone_children did it
            write_file(join(d, f), trim(read_file(join(parent, f))));
        }
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
