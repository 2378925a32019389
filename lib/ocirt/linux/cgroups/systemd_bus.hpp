#pragma once
// A D-Bus client of systemd's manager (org.freedesktop.systemd1) over sd-bus:
// the few calls the systemd cgroup driver makes, each waiting for its job.
#include "ocirt/linux/cgroups/sd_bus_lib.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ocirt/linux/cgroups/systemd_props.hpp"

namespace ocirt::cgroups::systemd {

struct BusDeleter {
    void operator()(sd_bus* b) const { sd().bus_flush_close_unref(b); }
};
struct MessageDeleter {
    void operator()(sd_bus_message* m) const { sd().bus_message_unref(m); }
};
struct SlotDeleter {
    void operator()(sd_bus_slot* s) const { sd().bus_slot_unref(s); }
};
using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageDeleter>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotDeleter>;

// How long a job (start, stop) may take before ocirt gives up on it.
inline constexpr std::chrono::seconds kJobTimeout{30};

class Bus {
public:
    // The system bus ($DBUS_SYSTEM_BUS_ADDRESS, else dbus's socket, else
    // systemd's private socket for root), or with user the user's bus
    // ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus). Checks that
    // systemd answers there; else throws "no systemd on the system bus at
    // <address>: is systemd PID 1?".
    static Bus connect(bool user);

    const std::string& address() const { return address_; }

    // StartTransientUnit(unit, "replace", props) and waits for the job.
    // A unit left by an earlier container ("unit exists", e.g. a failed scope
    // of an OOM-killed one) is reset and the start retried once. A refused
    // property or a failed job throws naming the unit, the field and systemd's
    // words.
    void start_transient_unit(const std::string& unit, const std::vector<Property>& props);
    // SetUnitProperties(unit, runtime=true, props).
    void set_unit_properties(const std::string& unit, const std::vector<Property>& props);
    // StopUnit(unit, "replace") and waits for the job; a unit that is not
    // loaded is already stopped. Then ResetFailedUnit, so a failed unit goes.
    void stop_unit(const std::string& unit);
    // ResetFailedUnit; a unit that is not loaded is fine.
    void reset_failed_unit(const std::string& unit);

    // The manager's own cgroup (its ControlGroup property): "" for the
    // system's, "/user.slice/user-1000.slice/user@1000.service" for a user's,
    // whose units' cgroups are below it.
    std::string control_group();

private:
    Bus(BusPtr bus, std::string address) : bus_(std::move(bus)), address_(std::move(address)) {}
    // Sends m (a manager method call), returns the job path it answers.
    std::string call_for_job(sd_bus_message* m, const std::string& what, const std::vector<Property>* props);
    // Waits for JobRemoved of job; returns its result ("done", "failed", ...).
    std::string wait_job(const std::string& job, const std::string& what);
    MessagePtr manager_call(const char* member);

    BusPtr bus_;
    std::string address_;
    struct Jobs;
    std::shared_ptr<Jobs> jobs_;  // JobRemoved seen so far, filled by the match
    SlotPtr match_;
};

}  // namespace ocirt::cgroups::systemd
