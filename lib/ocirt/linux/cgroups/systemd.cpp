// The systemd cgroup driver (--systemd-cgroup): systemd makes and owns the
// container's cgroup, a transient scope started with the init's pid; ocirt
// writes the rest of linux.resources into it (Delegate=yes) and reads it
// through the cgroupfs managers, so pause, ps, events, kill --all work as on
// cgroupfs. On v1 systemd makes the scope only in the hierarchies it manages;
// ocirt makes and joins the others (cpuset, freezer, net_cls, ...) itself.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <csignal>
#include <optional>

#include <spdlog/spdlog.h>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/linux/cgroups/impl.hpp"
#include "ocirt/linux/cgroups/poll.hpp"
#include "ocirt/linux/cgroups/systemd_bus.hpp"
#include "ocirt/linux/cgroups/systemd_path.hpp"
#include "ocirt/linux/cgroups/systemd_props.hpp"
#include "ocirt/linux/rootless.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

using systemd::Property;

// The v1 controllers systemd puts a unit's cgroup in (with Delegate=yes all
// of them), and its own name=systemd hierarchy; cgroup2 (hybrid) is its too.
bool systemd_manages(const Hierarchy& h) {
    static const char* const kManaged[] = {"name=systemd", "cpu", "cpuacct", "blkio", "memory", "devices", "pids"};
    if (h.unified) return true;
    return std::any_of(std::begin(kManaged), std::end(kManaged), [&](const char* c) { return h.has(c); });
}

std::unique_ptr<Manager> make_layout(Mode mode, const std::string& path, std::vector<Hierarchy> hs,
                                     std::vector<std::string> created) {
    if (mode == Mode::v2) return make_v2(path, std::move(hs), std::move(created));
    return make_v1(mode, path, std::move(hs), std::move(created));
}

class Systemd final : public Manager {
public:
    Systemd(systemd::UnitPath unit, Layout layout, std::vector<std::string> created,
            std::map<std::string, std::string> annotations, std::optional<systemd::Bus> bus)
        : annotations_(std::move(annotations)), unit_(std::move(unit)), mode_(layout.mode), bus_(std::move(bus)) {
        std::vector<Hierarchy> ours;
        for (const auto& h : layout.hierarchies)
            if (!systemd_manages(h)) ours.push_back(h);
        // Every hierarchy, dirs made by nobody ocirt knows of: reads, writes, pause.
        all_ = make_layout(mode_, unit_.path, layout.hierarchies, {});
        if (!ours.empty()) own_ = make_v1(mode_, unit_.path, std::move(ours), std::move(created));
        else if (!created.empty()) throw Error("cgroup: recorded dir " + created.front() + " is systemd's, not ocirt's");
    }

    Mode mode() const override { return mode_; }
    const std::string& path() const override { return unit_.path; }
    const std::vector<Hierarchy>& hierarchies() const override { return all_->hierarchies(); }
    std::string dir(const Hierarchy& h) const override { return all_->dir(h); }

    void create() override {
        bus();  // no systemd: fail before anything exists
        if (own_) own_->create();
        starting_ = true;
    }
    const std::vector<std::string>& created() const override { return own_ ? own_->created() : kNone; }
    std::vector<std::string> to_create() const override { return own_ ? own_->to_create() : std::vector<std::string>{}; }

    void add_process(pid_t pid) override {
        if (!starting_) return all_->add_process(pid);  // exec: the unit exists, join it
        start_unit(pid);
        starting_ = false;
        if (own_) own_->add_process(pid);
        all_->apply(pending_);
    }

    // exec --cgroup: a sub-cgroup of the unit's (systemd runs no process there).
    void add_process(pid_t pid, const SubCgroups& sub) override {
        if (sub.empty()) return add_process(pid);
        all_->add_process(pid, sub);
    }

    void apply(const spec::Resources& r) override {
        auto props = resource_properties(r);
        if (starting_) {  // create: the unit starts with them, once the init exists
            pending_ = r;
            pending_props_ = std::move(props);
            return;
        }
        if (!props.empty()) bus().set_unit_properties(unit_.unit, props);
        all_->apply(r);
    }

    std::vector<pid_t> pids() const override { return all_->pids(); }
    void freeze() override { all_->freeze(); }
    void thaw() override { all_->thaw(); }
    bool frozen() const override { return all_->frozen(); }
    Fd fd_for_clone_into_cgroup() const override { return Fd(); }  // the scope exists only once the init does

    void destroy() override {
        kill_all();
        try {
            bus().stop_unit(unit_.unit);
        } catch (const Error& e) {
            // No systemd and no cgroup left: there is no unit to stop.
            if (unit_exists()) throw;
            spdlog::debug("{}", e.what());
        }
        if (own_) own_->destroy();
    }

private:
    static inline const std::vector<std::string> kNone;

    systemd::Bus& bus() {
        if (!bus_) bus_.emplace(systemd::Bus::connect(linux_::running_rootless()));
        return *bus_;
    }

    std::vector<Property> resource_properties(const spec::Resources& r) const {
        auto props = systemd::resource_properties(r, mode_);
        auto devices = systemd::device_properties(r.devices, systemd::proc_devices_name);
        props.insert(props.end(), devices.begin(), devices.end());
        return props;
    }

    void start_unit(pid_t pid) {
        std::vector<Property> props;
        auto add = [&](std::string name, decltype(Property::value) v) {
            props.push_back(Property{std::move(name), std::move(v), "linux.cgroupsPath"});
        };
        add("Description", std::string("ocirt container ") + unit_.unit);
        if (unit_.is_slice()) {
            add("Wants", unit_.slice);  // a slice's parent comes from its name
        } else {
            add("Slice", unit_.slice);
            add("Delegate", true);
            add("PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)});
        }
        add("DefaultDependencies", false);
        add("MemoryAccounting", true);
        add("CPUAccounting", true);
        add("TasksAccounting", true);
        add(mode_ == Mode::v2 ? "IOAccounting" : "BlockIOAccounting", true);
        props.insert(props.end(), pending_props_.begin(), pending_props_.end());
        // Last: systemd applies them in order, so the annotations win.
        auto annotated = systemd::annotation_properties(annotations_);
        props.insert(props.end(), annotated.begin(), annotated.end());
        bus().start_transient_unit(unit_.unit, props);
        spdlog::debug("systemd: {} started with {} properties", unit_.unit, props.size());
        // A slice takes no PIDs property: the init joins its cgroup directly.
        if (unit_.is_slice()) all_->add_process(pid);
    }

    bool unit_exists() const {
        return std::any_of(all_->hierarchies().begin(), all_->hierarchies().end(),
                           [&](const Hierarchy& h) { return systemd_manages(h) && exists(all_->dir(h)); });
    }

    // Before the stop: with every process gone the scope stops at once
    // (StopUnit would SIGTERM and wait TimeoutStopSec). Thaws a paused one.
    void kill_all() {
        bool empty = poll_until(Clock::now() + kWaitLimit, [&] {
            auto pids = all_->pids();
            if (pids.empty()) return true;
            if (all_->frozen()) all_->thaw();
            for (pid_t p : pids) ::kill(p, SIGKILL);
            return false;
        });
        if (!empty) throw Error(EBUSY, "cgroup: destroy " + unit_.path + ": processes still running after 2s");
    }

    std::map<std::string, std::string> annotations_;  // org.systemd.property.* for the start
    systemd::UnitPath unit_;
    Mode mode_;
    std::unique_ptr<Manager> all_, own_;
    std::optional<systemd::Bus> bus_;
    bool starting_ = false;
    spec::Resources pending_;
    std::vector<Property> pending_props_;
};

}  // namespace

std::unique_ptr<Manager> make_systemd(const std::string& path, const Paths& paths, std::vector<std::string> created,
                                      std::map<std::string, std::string> annotations) {
    auto unit = systemd::unit_from_path(path);
    std::optional<systemd::Bus> bus;
    if (linux_::running_rootless() && unit.base.empty()) {
        // create: a user manager's units live below its own cgroup (its ControlGroup); the
        // path with it is what create records, so later verbs need not ask again.
        bus.emplace(systemd::Bus::connect(true));
        unit = systemd::unit_from_path(bus->control_group() + path);
    }
    return std::make_unique<Systemd>(std::move(unit), discover(paths), std::move(created), std::move(annotations),
                                     std::move(bus));
}

}  // namespace ocirt::cgroups
