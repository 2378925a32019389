#pragma once
// A linux.resources.devices entry in one line, for the device tests.
#include <optional>
#include <string>

#include "ocirt/spec/config.hpp"

inline ocirt::spec::DeviceRule rule(bool allow, std::string type, std::optional<int64_t> major,
                                    std::optional<int64_t> minor, std::string access) {
    ocirt::spec::DeviceRule r;
    r.allow = allow;
    r.type = std::move(type);
    r.major = major;
    r.minor = minor;
    r.access = std::move(access);
    return r;
}
