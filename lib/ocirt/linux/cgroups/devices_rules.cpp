#include "ocirt/linux/cgroups/devices_rules.hpp"

#include <algorithm>

#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

spec::DeviceRule allow(const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                       const char* access) {
    spec::DeviceRule r;
    r.allow = true;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

}  // namespace

std::vector<spec::DeviceRule> default_device_rules() {
    constexpr auto any = std::nullopt;
    return {
        allow("c", any, any, "m"),  // mknod of any char device
        allow("b", any, any, "m"),  // and block device
        allow("c", 1, 3, "rwm"),    // /dev/null
        allow("c", 1, 8, "rwm"),    // /dev/random
        allow("c", 1, 7, "rwm"),    // /dev/full
        allow("c", 5, 0, "rwm"),    // /dev/tty
        allow("c", 1, 5, "rwm"),    // /dev/zero
        allow("c", 1, 9, "rwm"),    // /dev/urandom
        allow("c", 136, any, "rwm"),  // /dev/pts/*
        allow("c", 5, 2, "rwm"),    // /dev/ptmx
        allow("c", 10, 200, "rwm"),  // /dev/net/tun
    };
}

spec::DeviceRule normalised(const spec::DeviceRule& rule) {
    spec::DeviceRule r = rule;
    if (r.type.empty()) r.type = "a";
    if (r.type != "a" && r.type != "c" && r.type != "b")
        throw Error("linux.resources.devices: invalid type \"" + rule.type + "\"");
    // The kernel's devices.allow takes at most three letters and refuses any
    // other: give it (and the eBPF filter) the letters alone, in "rwm" order.
    r.access = rule.access.empty() ? "rwm" : spec::device_access_letters(rule.access);
    if (r.access.empty())
        throw Error("linux.resources.devices: invalid access \"" + rule.access + "\"");
    if ((r.major && *r.major < 0) || (r.minor && *r.minor < 0))
        throw Error("linux.resources.devices: negative major or minor");
    return r;
}

std::string render_v1(const spec::DeviceRule& rule) {
    auto r = normalised(rule);
    auto num = [](const std::optional<int64_t>& n) { return n ? std::to_string(*n) : "*"; };
    return r.type + " " + num(r.major) + ":" + num(r.minor) + " " + r.access;
}

std::vector<std::string> render_v1_lines(const spec::DeviceRule& rule) {
    auto r = normalised(rule);
    if (r.type != "a" || (!r.major && !r.minor && r.access == "rwm")) return {render_v1(r)};
    // The v1 parser reads any "a ..." as "a *:* rwm": an "a" rule limited to
    // numbers or to some access would allow (or deny) every device. Say it as
    // the char and the block rule it means.
    spec::DeviceRule c = r, b = r;
    c.type = "c";
    b.type = "b";
    return {render_v1(c), render_v1(b)};
}

}  // namespace ocirt::cgroups
