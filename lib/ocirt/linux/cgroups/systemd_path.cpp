#include "ocirt/linux/cgroups/systemd_path.hpp"

#include <string_view>
#include <vector>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups::systemd {
namespace {

constexpr std::string_view kSliceSuffix = ".slice";
constexpr std::string_view kScopeSuffix = ".scope";
constexpr size_t kServiceLen = std::string_view(".service").size();
constexpr size_t kUnitNameMax = 255;  // systemd's UNIT_NAME_MAX - 1
constexpr const char* kForm = "expected \"slice:prefix:name\" for --systemd-cgroup";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The characters systemd accepts in a unit name (unit_name_is_valid).
bool unit_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
           c == '_' || c == '.' || c == '\\' || c == '@';
}

void check_unit_name(const std::string& name) {
    if (name.size() > kUnitNameMax) throw Error("unit name \"" + name + "\" is longer than 255 characters");
    for (char c : name)
        if (!unit_char(c)) {
            std::string shown = c == '\0' ? std::string("\\0") : std::string(1, c);
            throw Error("unit name \"" + name + "\" has '" + shown + "', which systemd does not allow");
        }
}

std::vector<std::string> split3(const std::string& v) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t colon = v.find(':', start);
        parts.push_back(v.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return parts;
}

std::string shown(const std::string& v) {
    std::string out;
    for (char c : v) out += c == '\0' ? std::string("\\0") : std::string(1, c);
    return out;
}

}  // namespace

bool UnitPath::is_slice() const { return ends_with(unit, kSliceSuffix); }

std::string expand_slice(const std::string& slice) {
    if (slice == "-.slice") return "";
    if (!ends_with(slice, kSliceSuffix) || slice.size() == kSliceSuffix.size())
        throw Error("\"" + slice + "\" is not a slice name (name.slice)");
    check_unit_name(slice);
    const std::string stem = slice.substr(0, slice.size() - kSliceSuffix.size());
    if (stem.front() == '-' || stem.back() == '-' || stem.find("--") != std::string::npos)
        throw Error("slice \"" + slice + "\" has a leading, trailing or double dash");
    // Each dash opens one more level: a-b-c.slice lives in a-b.slice in a.slice.
    std::string path;
    for (size_t dash = stem.find('-'); dash != std::string::npos; dash = stem.find('-', dash + 1))
        path += "/" + stem.substr(0, dash) + std::string(kSliceSuffix);
    return path + "/" + slice;
}

UnitPath parse_cgroups_path(const std::optional<std::string>& value, const std::string& id, bool rootless) {
    const std::string v = value && !value->empty() ? *value : ":ocirt:" + id;
    return with_context("linux.cgroupsPath: \"" + shown(v) + "\"", [&] {
        auto parts = split3(v);
        if (parts.size() != 3) throw Error(kForm);
        const std::string& slice = parts[0];
        const std::string& prefix = parts[1];
        const std::string& name = parts[2];
        if (name.empty()) throw Error(std::string("the name is empty: ") + kForm);
        UnitPath u;
        u.slice = slice.empty() ? (rootless ? "user.slice" : "system.slice") : slice;
        std::string parent;
        try {
            parent = expand_slice(u.slice);
        } catch (Error& e) {
            throw e.wrap(std::string("the slice") + (slice.empty() ? "" : " \"" + slice + "\""));
        }
        if (ends_with(name, kSliceSuffix)) {
            u.unit = name;
            u.path = expand_slice(name);
            // The name's dashes place a slice; a slice given with it must agree.
            std::string own_parent = u.path.substr(0, u.path.rfind('/'));
            if (!slice.empty() && own_parent != parent)
                throw Error("slice \"" + name + "\" is not a child of \"" + slice + "\" (systemd places a slice by the "
                            "dashes in its name)");
            size_t slash = own_parent.rfind('/');
            u.slice = slash == std::string::npos ? "-.slice" : own_parent.substr(slash + 1);
            return u;
        }
        u.unit = (prefix.empty() ? "" : prefix + "-") + name + std::string(kScopeSuffix);
        check_unit_name(u.unit);
        u.path = parent + "/" + u.unit;
        return u;
    });
}

UnitPath unit_from_path(const std::string& path) {
    // A user manager's units are below its own cgroup, ".../user@UID.service":
    // that is the base; the rest is read as a system manager's path is.
    UnitPath u;
    u.path = path;
    if (size_t svc = path.rfind(".service/"); svc != std::string::npos) u.base = path.substr(0, svc + kServiceLen);
    const std::string rest = path.substr(u.base.size());
    size_t slash = rest.rfind('/');
    if (slash != std::string::npos) {
        u.unit = rest.substr(slash + 1);
        size_t up = rest.rfind('/', slash == 0 ? 0 : slash - 1);
        u.slice = slash == 0 ? "-.slice" : rest.substr(up + 1, slash - up - 1);
    }
    bool ok = slash != std::string::npos && !u.unit.empty() && !u.slice.empty();
    try {
        if (ok && ends_with(u.unit, kSliceSuffix)) ok = expand_slice(u.unit) == rest;
        else if (ok) {
            check_unit_name(u.unit);
            ok = ends_with(u.unit, kScopeSuffix) && expand_slice(u.slice) + "/" + u.unit == rest;
        }
    } catch (const Error&) {
        ok = false;
    }
    if (!ok) throw Error("cgroup: \"" + path + "\" is not the path of a systemd scope or slice");
    return u;
}

}  // namespace ocirt::cgroups::systemd
