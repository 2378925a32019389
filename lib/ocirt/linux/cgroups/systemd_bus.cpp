#include "ocirt/linux/cgroups/systemd_bus.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include <spdlog/spdlog.h>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups::systemd {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr uint64_t kCallTimeoutUsec = 25'000'000;

// sd_bus_error, freed on every path.
struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~BusError() { sd().bus_error_free(&e); }
    bool is(const char* name) const { return sd().bus_error_has_name(&e, name); }
    std::string text(int r) const {
        if (sd().bus_error_is_set(&e)) return e.message ? e.message : e.name;
        return std::strerror(-r);
    }
};

void check(int r, const std::string& what) {
    if (r < 0) throw Error(-r, "systemd: " + what);
}

// A variant's value, after its container was opened with the signature.
struct Append {
    sd_bus_message* m;
    int operator()(bool b) const { return sd().bus_message_append(m, "b", static_cast<int>(b)); }
    int operator()(const Number& n) const {
        switch (n.type) {
            case 'y': { uint8_t v = static_cast<uint8_t>(n.bits); return sd().bus_message_append_basic(m, 'y', &v); }
            case 'n': { int16_t v = static_cast<int16_t>(n.bits); return sd().bus_message_append_basic(m, 'n', &v); }
            case 'q': { uint16_t v = static_cast<uint16_t>(n.bits); return sd().bus_message_append_basic(m, 'q', &v); }
            case 'i': { int32_t v = static_cast<int32_t>(n.bits); return sd().bus_message_append_basic(m, 'i', &v); }
            case 'u': { uint32_t v = static_cast<uint32_t>(n.bits); return sd().bus_message_append_basic(m, 'u', &v); }
            case 'x': { int64_t v = static_cast<int64_t>(n.bits); return sd().bus_message_append_basic(m, 'x', &v); }
            default: { uint64_t v = n.bits; return sd().bus_message_append_basic(m, 't', &v); }
        }
    }
    int operator()(const std::string& s) const { return sd().bus_message_append(m, "s", s.c_str()); }
    int operator()(const std::vector<uint32_t>& v) const {
        return sd().bus_message_append_array(m, 'u', v.data(), v.size() * sizeof(uint32_t));
    }
    int operator()(const std::vector<uint8_t>& v) const { return sd().bus_message_append_array(m, 'y', v.data(), v.size()); }
    int operator()(const DeviceAllow& list) const {
        int r = sd().bus_message_open_container(m, 'a', "(ss)");
        for (const auto& [device, access] : list)
            if (r >= 0) r = sd().bus_message_append(m, "(ss)", device.c_str(), access.c_str());
        return r < 0 ? r : sd().bus_message_close_container(m);
    }
};

std::string signature(const Property& p) {
    struct Sig {
        std::string operator()(bool) const { return "b"; }
        std::string operator()(const Number& n) const { return std::string(1, n.type); }
        std::string operator()(const std::string&) const { return "s"; }
        std::string operator()(const std::vector<uint32_t>&) const { return "au"; }
        std::string operator()(const std::vector<uint8_t>&) const { return "ay"; }
        std::string operator()(const DeviceAllow&) const { return "a(ss)"; }
    };
    return std::visit(Sig{}, p.value);
}

// a(sv)
void append_properties(sd_bus_message* m, const std::vector<Property>& props) {
    check(sd().bus_message_open_container(m, 'a', "(sv)"), "build message");
    for (const auto& p : props) {
        int r = sd().bus_message_open_container(m, 'r', "sv");
        if (r >= 0) r = sd().bus_message_append(m, "s", p.name.c_str());
        if (r >= 0) r = sd().bus_message_open_container(m, 'v', signature(p).c_str());
        if (r >= 0) r = std::visit(Append{m}, p.value);
        if (r >= 0) r = sd().bus_message_close_container(m);
        if (r >= 0) r = sd().bus_message_close_container(m);
        check(r, "property " + p.name + " (" + p.field + ")");
    }
    check(sd().bus_message_close_container(m), "build message");
}

// Which config field systemd's refusal is about: the property it names.
std::string refused_field(const std::string& message, const std::vector<Property>* props) {
    if (!props) return "";
    for (const auto& p : *props)
        if (message.find(p.name) != std::string::npos) return p.field + " (" + p.name + "=" + to_string(p) + "): ";
    return "";
}

std::string default_address(bool user) {
    if (user) {
        if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) return a;
        const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        if (!runtime || !*runtime)
            throw Error("systemd: no user bus: neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR is set");
        return std::string("unix:path=") + runtime + "/bus";
    }
    if (const char* a = std::getenv("DBUS_SYSTEM_BUS_ADDRESS"); a && *a) return a;
    return "unix:path=/run/dbus/system_bus_socket";
}

// Connects and pings systemd; negative errno (and the bus error text) on failure.
int try_connect(const std::string& address, bool bus_client, BusPtr& out, std::string& why) {
    sd_bus* raw = nullptr;
    int r = sd().bus_new(&raw);
    if (r < 0) return r;
    BusPtr bus(raw);
    if ((r = sd().bus_set_address(bus.get(), address.c_str())) < 0) return r;
    if ((r = sd().bus_set_bus_client(bus.get(), bus_client)) < 0) return r;
    sd().bus_set_method_call_timeout(bus.get(), kCallTimeoutUsec);
    if ((r = sd().bus_start(bus.get())) < 0) return r;
    BusError err;
    r = sd().bus_call_method(bus.get(), kDest, kPath, "org.freedesktop.DBus.Peer", "Ping", &err.e, nullptr, "");
    if (r < 0) {
        why = err.text(r);
        return r;
    }
    out = std::move(bus);
    return 0;
}

}  // namespace

struct Bus::Jobs {
    std::map<std::string, std::string> removed;  // job path -> result
};

Bus Bus::connect(bool user) {
    const std::string address = default_address(user);
    BusPtr bus;
    std::string why;
    int r = try_connect(address, true, bus, why);
    std::string used = address;
    // Root without a dbus daemon: systemd's own socket answers the same calls.
    if (r < 0 && !user && !std::getenv("DBUS_SYSTEM_BUS_ADDRESS") && ::access("/run/systemd/private", F_OK) == 0) {
        std::string why2;
        if (try_connect("unix:path=/run/systemd/private", false, bus, why2) == 0) r = 0, used = "unix:path=/run/systemd/private";
    }
    if (r < 0) {
        if (why.empty()) why = std::strerror(-r);
        throw Error(std::string("no systemd on the ") + (user ? "user" : "system") + " bus at " + address + ": is " +
                        (user ? "the user's systemd instance running" : "systemd PID 1") + "? (" + why + ")");
    }
    Bus b(std::move(bus), used);
    b.jobs_ = std::make_shared<Jobs>();
    // Subscribed before any call: a job may end before its call returns.
    sd_bus_slot* slot = nullptr;
    auto on_removed = [](sd_bus_message* m, void* userdata, sd_bus_error*) -> int {
        uint32_t id = 0;
        const char *job = nullptr, *unit = nullptr, *result = nullptr;
        if (sd().bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0)
            static_cast<Jobs*>(userdata)->removed[job] = result;
        return 0;
    };
    check(sd().bus_match_signal(b.bus_.get(), &slot, nullptr, kPath, kManager, "JobRemoved", on_removed, b.jobs_.get()),
          "subscribe to JobRemoved");
    b.match_.reset(slot);
    spdlog::debug("systemd: connected at {}", used);
    return b;
}

MessagePtr Bus::manager_call(const char* member) {
    sd_bus_message* raw = nullptr;
    check(sd().bus_message_new_method_call(bus_.get(), &raw, kDest, kPath, kManager, member), member);
    return MessagePtr(raw);
}

std::string Bus::call_for_job(sd_bus_message* m, const std::string& what, const std::vector<Property>* props) {
    BusError err;
    sd_bus_message* reply_raw = nullptr;
    int r = sd().bus_call(bus_.get(), m, kCallTimeoutUsec, &err.e, &reply_raw);
    MessagePtr reply(reply_raw);
    if (r < 0) {
        Error e(what + ": " + refused_field(err.text(r), props) + err.text(r));
        if (err.is("org.freedesktop.systemd1.UnitExists")) throw Error::preformatted(EEXIST, e.what());
        if (err.is("org.freedesktop.systemd1.NoSuchUnit")) throw Error::preformatted(ENOENT, e.what());
        throw e;
    }
    const char* job = nullptr;
    check(sd().bus_message_read(reply.get(), "o", &job), what + ": read the job");
    return job;
}

std::string Bus::wait_job(const std::string& job, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
    for (;;) {
        if (auto it = jobs_->removed.find(job); it != jobs_->removed.end()) {
            std::string result = it->second;
            jobs_->removed.erase(it);
            return result;
        }
        int r = sd().bus_process(bus_.get(), nullptr);
        check(r, what + ": read the bus");
        if (r > 0) continue;
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw Error(ETIMEDOUT, what + ": job " + job + " still running after " +
                                       std::to_string(kJobTimeout.count()) + "s");
        r = sd().bus_wait(bus_.get(), static_cast<uint64_t>(left.count()));
        if (r < 0 && r != -EINTR) check(r, what + ": wait for the job");
    }
}

void Bus::start_transient_unit(const std::string& unit, const std::vector<Property>& props) {
    const std::string what = "systemd: start " + unit;
    for (int attempt = 0;; ++attempt) {
        auto m = manager_call("StartTransientUnit");
        check(sd().bus_message_append(m.get(), "ss", unit.c_str(), "replace"), what);
        append_properties(m.get(), props);
        check(sd().bus_message_append(m.get(), "a(sa(sv))", 0), what);
        std::string job;
        try {
            job = call_for_job(m.get(), what, &props);
        } catch (const Error& e) {
            // A unit of the same name is still loaded: a failed scope of an
            // earlier container (OOM-killed) stays until reset. Once.
            if (e.code() != EEXIST || attempt > 0) throw;
            spdlog::debug("{}: the unit exists; resetting it and retrying", what);
            reset_failed_unit(unit);
            continue;
        }
        std::string result = wait_job(job, what);
        if (result != "done") throw Error(what + ": the job ended \"" + result + "\" (see `journalctl -u " + unit + "`)");
        return;
    }
}

void Bus::set_unit_properties(const std::string& unit, const std::vector<Property>& props) {
    const std::string what = "systemd: set properties of " + unit;
    auto m = manager_call("SetUnitProperties");
    check(sd().bus_message_append(m.get(), "sb", unit.c_str(), 1), what);
    append_properties(m.get(), props);
    BusError err;
    int r = sd().bus_call(bus_.get(), m.get(), kCallTimeoutUsec, &err.e, nullptr);
    if (r < 0) throw Error(what + ": " + refused_field(err.text(r), &props) + err.text(r));
}

void Bus::stop_unit(const std::string& unit) {
    const std::string what = "systemd: stop " + unit;
    auto m = manager_call("StopUnit");
    check(sd().bus_message_append(m.get(), "ss", unit.c_str(), "replace"), what);
    try {
        std::string result = wait_job(call_for_job(m.get(), what, nullptr), what);
        if (result != "done") spdlog::debug("{}: the job ended \"{}\"", what, result);
    } catch (const Error& e) {
        if (e.code() != ENOENT) throw;  // not loaded: nothing to stop
    }
    reset_failed_unit(unit);
}

void Bus::reset_failed_unit(const std::string& unit) {
    BusError err;
    int r = sd().bus_call_method(bus_.get(), kDest, kPath, kManager, "ResetFailedUnit", &err.e, nullptr, "s", unit.c_str());
    if (r < 0 && !err.is("org.freedesktop.systemd1.NoSuchUnit") && !err.is("org.freedesktop.systemd1.LoadFailed"))
        throw Error("systemd: reset-failed " + unit + ": " + err.text(r));
}

std::string Bus::control_group() {
    BusError err;
    char* raw = nullptr;
    int r = sd().bus_get_property_string(bus_.get(), kDest, kPath, kManager, "ControlGroup", &err.e, &raw);
    if (r < 0) throw Error(-r, "systemd at " + address_ + ": read the manager's ControlGroup: " + err.text(r));
    std::string cg(raw ? raw : "");
    std::free(raw);
    return cg == "/" ? "" : cg;
}

}  // namespace ocirt::cgroups::systemd
