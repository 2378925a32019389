#pragma once
// --systemd-cgroup: what ocirt asks systemd to set on the container's unit,
// as D-Bus (name, variant) pairs. Pure functions: systemd_bus.* sends them.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/spec/config.hpp"

namespace ocirt::cgroups::systemd {

// A basic D-Bus integer: its type letter (y n q i u x t) and its bits.
struct Number {
    char type = 't';
    uint64_t bits = 0;
    bool operator==(const Number&) const = default;
};
using DeviceAllow = std::vector<std::pair<std::string, std::string>>;  // a(ss): (device, "rwm")

struct Property {
    std::string name;
    std::variant<bool, Number, std::string, std::vector<uint32_t>, std::vector<uint8_t>, DeviceAllow> value;
    std::string field;  // the config.json field it comes from, named when systemd refuses it
};

inline Number u64(uint64_t v) { return Number{'t', v}; }
inline constexpr uint64_t kInfinity = UINT64_MAX;  // systemd's "infinity" for limits

// CPUQuotaPerSecUSec from cpu.quota/period. systemd keeps the quota as a
// percentage of one CPU (10 ms per second steps) and derives cpu.max from it,
// so a value between steps is rounded up to the next one, so that the quota
// the container gets is never below the one asked for. A quota <= 0 is
// infinity; no period is 100000.
uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period);

// A cpuset list ("0-3,8") as systemd's AllowedCPUs bitmask: byte i bit j is
// CPU 8i+j. Throws naming field on a malformed list.
std::vector<uint8_t> cpu_mask(const std::string& list, const std::string& field);

// linux.resources -> the unit properties systemd manages, per layout:
// v2: MemoryMax, MemoryLow, MemorySwapMax, TasksMax, CPUWeight,
// CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, AllowedCPUs, AllowedMemoryNodes,
// IOWeight; v1 and hybrid: MemoryLimit, TasksMax, CPUShares, the CPU quota,
// BlockIOWeight. Values are converted as the cgroupfs writers convert them.
// The same resources are also written to the cgroup's files afterwards.
std::vector<Property> resource_properties(const spec::Resources& r, Mode mode);

// The name /proc/devices gives a major ("136" -> "pts"), for DeviceAllow's
// "char-pts" form; nullopt when unknown.
using MajorName = std::function<std::optional<std::string>(char type, int64_t major)>;
std::optional<std::string> proc_devices_name(char type, int64_t major);

// linux.resources.devices (the defaults already appended) -> DevicePolicy and
// DeviceAllow, evaluated in order as the kernel's list: a deny of everything
// empties the allow list, an allow of everything is DevicePolicy=auto with no
// list, a later deny drops the earlier allows it covers. Devices by number are
// "/dev/char/M:m" ("/dev/block/M:m"); a whole major "char-<name>" (from
// major_name); any major "char-*". Empty rules (update): nothing.
std::vector<Property> device_properties(const std::vector<spec::DeviceRule>& rules, const MajorName& major_name);

// annotations "org.systemd.property.<Name>" = value in GVariant text form
// (runc's convention) for basic types: true/false; a number (int32), or one
// typed as "uint64 5", "@t 5" (byte int16 uint16 int32 uint32 int64 uint64,
// letters y n q i u x t); a 'single' or "double" quoted string. Throws naming
// the annotation on a bad name or value.
std::vector<Property> annotation_properties(const std::map<std::string, std::string>& annotations);
Property parse_annotation(const std::string& key, const std::string& value);

// The text of a property's value, for logs and tests: "uint64 1000", "true", "'x'".
std::string to_string(const Property& p);

}  // namespace ocirt::cgroups::systemd
