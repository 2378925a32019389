// cgroup v2: one hierarchy; pause with cgroup.freeze, kill with cgroup.kill;
// the other resources (and subtree_control) in resources_v2.cpp. The eBPF
// device filter comes later.
#include <sstream>

#include "ocirt/linux/cgroups/base.hpp"
#include "ocirt/linux/cgroups/bpf_device_filter.hpp"
#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/impl.hpp"
#include "ocirt/linux/cgroups/poll.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

// The value of `key` in a flat keyed file such as cgroup.events ("frozen 1").
std::optional<std::string> keyed(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string k, v;
    while (in >> k >> v)
        if (k == key) return v;
    return std::nullopt;
}

class V2 final : public Base {
public:
    using Base::Base;

    void apply(const spec::Resources& r) override {
        // No rules: leave the filter as it is (update never changes them).
        if (!r.devices.empty())
            with_context("linux.resources.devices", [&] { set_device_filter(leaf(), r.devices); });
        const Hierarchy& h = hierarchies().front();
        apply_v2(r, V2Target{h.mountpoint, leaf(), [this](const std::string& d) { return made(d); }});
    }

    void freeze() override {
        write_file(join(leaf(), "cgroup.freeze"), "1");
        if (!poll_until(Clock::now() + kWaitLimit, [&] { return frozen(); })) {
            write_file(join(leaf(), "cgroup.freeze"), "0");
            throw Error("cgroup: freeze " + leaf() + ": not frozen after 2s, thawed again");
        }
    }

    void thaw() override {
        write_file(join(leaf(), "cgroup.freeze"), "0");
        if (!poll_until(Clock::now() + kWaitLimit, [&] { return !frozen(); }))
            throw Error("cgroup: thaw " + leaf() + ": still frozen after 2s");
    }

    bool frozen() const override {
        auto text = read_file_if_exists(join(leaf(), "cgroup.events"));
        return text && keyed(*text, "frozen") == "1";
    }

    Fd fd_for_clone_into_cgroup() const override { return open_cgroup_dir(leaf()); }

protected:
    std::optional<std::string> frozen_dir() const override {
        return cgroup2_frozen(leaf()) ? std::optional(leaf()) : std::nullopt;
    }

    void kill_round(const std::vector<std::string>& leaves, const std::vector<pid_t>& pids) override {
        // cgroup.kill (5.14+) kills the whole subtree, also frozen and racing
        // forks; without it, signal one by one.
        for (const auto& l : leaves) {
            auto kill_file = join(l, "cgroup.kill");
            if (!exists(kill_file)) return Base::kill_round(leaves, pids);
            write_file(kill_file, "1");
        }
    }

private:
    std::string leaf() const { return dir(hierarchies().front()); }
};

}  // namespace

std::unique_ptr<Manager> make_v2(std::string path, std::vector<Hierarchy> hierarchies,
                                 std::vector<std::string> created) {
    return std::make_unique<V2>(Mode::v2, std::move(path), std::move(hierarchies), std::move(created));
}

}  // namespace ocirt::cgroups
