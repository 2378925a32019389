#include "ocirt/linux/cgroups/systemd_props.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include "ocirt/linux/cgroups/convert.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/linux/cgroups/resources.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups::systemd {
namespace {

const std::string kAnnotationPrefix = "org.systemd.property.";

Property prop(std::string name, decltype(Property::value) value, std::string field) {
    return Property{std::move(name), std::move(value), std::move(field)};
}

uint64_t limit_value(int64_t v) { return v < 0 ? kInfinity : static_cast<uint64_t>(v); }

void memory(std::vector<Property>& out, const spec::MemoryResources& m, Mode mode) {
    const int64_t limit = nz(m.limit), swap = nz(m.swap), low = nz(m.reservation);
    if (mode != Mode::v2) {
        // systemd's v1 memory knob is the hard limit alone; the rest goes to the files.
        if (limit != 0) out.push_back(prop("MemoryLimit", u64(limit_value(limit)), kMemField + ".limit"));
        return;
    }
    if (limit != 0) out.push_back(prop("MemoryMax", u64(limit_value(limit)), kMemField + ".limit"));
    if (low != 0) out.push_back(prop("MemoryLow", u64(limit_value(low)), kMemField + ".reservation"));
    // Same derivation (and the same errors) as memory.swap.max on cgroupfs.
    if (auto swap_max = memory_swap_max(limit, swap))
        out.push_back(prop("MemorySwapMax", u64(*swap_max == "max" ? kInfinity : std::stoull(*swap_max)),
                           kMemField + ".swap"));
}

void cpu(std::vector<Property>& out, const spec::CpuResources& c, Mode mode) {
    if (uint64_t shares = nz(c.shares)) {
        if (mode == Mode::v2) out.push_back(prop("CPUWeight", u64(cpu_weight_from_shares(shares)), kCpuField + ".shares"));
        else out.push_back(prop("CPUShares", u64(shares), kCpuField + ".shares"));
    }
    const int64_t quota = nz(c.quota);
    const uint64_t period = nz(c.period);
    if (period != 0) out.push_back(prop("CPUQuotaPeriodUSec", u64(period), kCpuField + ".period"));
    if (quota != 0 || period != 0)
        out.push_back(prop("CPUQuotaPerSecUSec", u64(cpu_quota_per_sec_usec(quota, period)),
                           kCpuField + (quota != 0 ? ".quota" : ".period")));
    if (mode == Mode::v2) {  // systemd has no cpuset on v1
        if (!c.cpus.empty())
            out.push_back(prop("AllowedCPUs", cpu_mask(c.cpus, kCpuField + ".cpus"), kCpuField + ".cpus"));
        if (!c.mems.empty())
            out.push_back(prop("AllowedMemoryNodes", cpu_mask(c.mems, kCpuField + ".mems"), kCpuField + ".mems"));
    }
}

// One allow entry of the device list being evaluated.
struct Allow {
    char type;  // 'c' or 'b'
    std::optional<int64_t> major, minor;
    std::string access;
};

bool covers(const spec::DeviceRule& deny, const Allow& a) {
    return (deny.type == "a" || deny.type[0] == a.type) && (!deny.major || deny.major == a.major) &&
           (!deny.minor || deny.minor == a.minor);
}

std::string device_name(const Allow& a, const MajorName& major_name) {
    const std::string kind = a.type == 'c' ? "char" : "block";
    if (!a.major) return kind + "-*";
    if (!a.minor) {
        auto name = major_name(a.type, *a.major);
        if (!name) {
            // systemd only takes a whole major by its /proc/devices name.
            spdlog::warn("linux.resources.devices: {} major {} has no name in /proc/devices; not passed to systemd",
                         kind, *a.major);
            return "";
        }
        return kind + "-" + *name;
    }
    return "/dev/" + kind + "/" + std::to_string(*a.major) + ":" + std::to_string(*a.minor);
}

bool parse_int(std::string_view text, uint64_t& out, bool& negative) {
    negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty()) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// The range of each integer type letter, as signed bounds on a magnitude.
bool fits(char type, uint64_t magnitude, bool negative) {
    switch (type) {
        case 'y': return !negative && magnitude <= 0xff;
        case 'q': return !negative && magnitude <= 0xffff;
        case 'u': return !negative && magnitude <= 0xffffffffu;
        case 't': return !negative;
        case 'n': return magnitude <= (negative ? 0x8000u : 0x7fffu);
        case 'i': return magnitude <= (negative ? 0x80000000u : 0x7fffffffu);
        case 'x': return magnitude <= (negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1);
    }
    return false;
}

std::optional<std::string> quoted(const std::string& v) {
    if (v.size() < 2 || (v.front() != '\'' && v.front() != '"') || v.back() != v.front()) return std::nullopt;
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
        char c = v[i];
        if (c == '\\' && i + 2 < v.size()) c = v[++i];
        else if (c == v.front()) return std::nullopt;  // an unescaped quote inside
        out += c;
    }
    return out;
}

}  // namespace

uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period) {
    if (quota <= 0) return kInfinity;
    if (period == 0) period = 100000;
    uint64_t per_sec = static_cast<uint64_t>(quota) * 1000000 / period;
    constexpr uint64_t step = 10000;  // 1% of a CPU second
    if (per_sec % step != 0) per_sec = (per_sec / step + 1) * step;
    return per_sec;
}

std::vector<uint8_t> cpu_mask(const std::string& list, const std::string& field) {
    std::vector<uint8_t> mask;
    auto bad = [&] { return Error(field + ": \"" + list + "\" is not a list of numbers and ranges (0-3,8)"); };
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
        if (item.empty()) throw bad();
        size_t dash = item.find('-');
        uint64_t lo = 0, hi = 0;
        bool neg = false;
        if (!parse_int(item.substr(0, dash), lo, neg) || neg) throw bad();
        hi = lo;
        if (dash != std::string::npos && (!parse_int(item.substr(dash + 1), hi, neg) || neg)) throw bad();
        if (hi < lo || hi >= 1 << 16) throw bad();
        if (mask.size() <= hi / 8) mask.resize(hi / 8 + 1, 0);
        for (uint64_t cpu = lo; cpu <= hi; ++cpu) mask[cpu / 8] |= static_cast<uint8_t>(1u << (cpu % 8));
    }
    if (mask.empty()) throw bad();
    return mask;
}

std::vector<Property> resource_properties(const spec::Resources& r, Mode mode) {
    std::vector<Property> out;
    if (r.memory) memory(out, *r.memory, mode);
    if (r.pids && r.pids->limit) {
        // systemd refuses TasksMax=0: a limit of 0 goes to pids.max alone.
        int64_t limit = *r.pids->limit;
        if (limit != 0) out.push_back(prop("TasksMax", u64(limit_value(limit)), "linux.resources.pids.limit"));
    }
    if (r.cpu) cpu(out, *r.cpu, mode);
    if (r.block_io)
        if (uint16_t w = nz(r.block_io->weight))
            out.push_back(mode == Mode::v2 ? prop("IOWeight", u64(io_weight_from_blkio(w)), kBlkioField + ".weight")
                                           : prop("BlockIOWeight", u64(w), kBlkioField + ".weight"));
    return out;
}

std::optional<std::string> proc_devices_name(char type, int64_t major) {
    std::ifstream in("/proc/devices");
    const std::string section = type == 'c' ? "Character devices:" : "Block devices:";
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        if (line.back() == ':') {
            inside = line == section;
            continue;
        }
        std::istringstream fields(line);
        int64_t number;
        std::string name;
        if (inside && fields >> number >> name && number == major) return name;
    }
    return std::nullopt;
}

std::vector<Property> device_properties(const std::vector<spec::DeviceRule>& rules, const MajorName& major_name) {
    if (rules.empty()) return {};
    bool allow_all = false;
    std::vector<Allow> allows;
    for (const auto& raw : rules) {
        const spec::DeviceRule r = normalised(raw);
        const bool everything = r.type == "a" && !r.major && !r.minor && r.access == "rwm";
        if (everything) {
            allow_all = r.allow;
            allows.clear();
            continue;
        }
        if (r.allow) {
            if (allow_all) continue;
            for (char t : r.type == "a" ? std::string("cb") : r.type) allows.push_back({t, r.major, r.minor, r.access});
            continue;
        }
        if (allow_all) {
            spdlog::warn("linux.resources.devices: systemd cannot express a deny after an allow of every device; "
                         "the unit allows every device, the cgroup's own rules still deny");
            continue;
        }
        for (auto& a : allows)
            if (covers(r, a))
                for (char letter : r.access) a.access.erase(std::remove(a.access.begin(), a.access.end(), letter), a.access.end());
        std::erase_if(allows, [](const Allow& a) { return a.access.empty(); });
    }
    const std::string field = "linux.resources.devices";
    if (allow_all) return {prop("DevicePolicy", std::string("auto"), field), prop("DeviceAllow", DeviceAllow{}, field)};
    DeviceAllow list;
    for (const auto& a : allows) {
        std::string name = device_name(a, major_name);
        if (!name.empty()) list.emplace_back(std::move(name), a.access);
    }
    return {prop("DevicePolicy", std::string("strict"), field), prop("DeviceAllow", std::move(list), field)};
}

Property parse_annotation(const std::string& key, const std::string& value) {
    const std::string field = "annotations[\"" + key + "\"]";
    const std::string name = key.substr(kAnnotationPrefix.size());
    const bool name_ok = !name.empty() && name[0] >= 'A' && name[0] <= 'Z' &&
                         std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (!name_ok) throw Error(field + ": \"" + name + "\" is not a systemd property name (CamelCase letters and digits)");
    if (value == "true" || value == "false") return prop(name, value == "true", field);
    if (auto s = quoted(value)) return prop(name, *s, field);
    static const std::pair<const char*, char> kTypes[] = {{"byte ", 'y'},  {"int16 ", 'n'},  {"uint16 ", 'q'},
                                                          {"int32 ", 'i'}, {"uint32 ", 'u'}, {"int64 ", 'x'},
                                                          {"uint64 ", 't'}};
    char type = 'i';  // GVariant reads an untyped number as int32
    std::string number = value;
    for (const auto& [word, letter] : kTypes)
        if (value.rfind(word, 0) == 0) type = letter, number = value.substr(std::string(word).size());
    if (value.size() > 3 && value[0] == '@' && value[2] == ' ' && std::string("ynqiuxt").find(value[1]) != std::string::npos)
        type = value[1], number = value.substr(3);
    uint64_t magnitude = 0;
    bool negative = false;
    if (!parse_int(number, magnitude, negative))
        throw Error(field + ": \"" + value + "\" is not a GVariant boolean, number or quoted string "
                    "(e.g. true, \"uint64 1000\", 'text')");
    if (!fits(type, magnitude, negative))
        throw Error(field + ": \"" + value + "\" is out of range for its type");
    const uint64_t bits = negative ? ~magnitude + 1 : magnitude;
    return prop(name, Number{type, bits}, field);
}

std::vector<Property> annotation_properties(const std::map<std::string, std::string>& annotations) {
    std::vector<Property> out;
    for (const auto& [key, value] : annotations)
        if (key.rfind(kAnnotationPrefix, 0) == 0) out.push_back(parse_annotation(key, value));
    return out;
}

std::string to_string(const Property& p) {
    struct Visit {
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(const Number& n) const {
            const bool is_signed = n.type == 'n' || n.type == 'i' || n.type == 'x';
            return std::string("@") + n.type + " " +
                   (is_signed ? std::to_string(static_cast<int64_t>(n.bits)) : std::to_string(n.bits));
        }
        std::string operator()(const std::string& s) const { return "'" + s + "'"; }
        std::string operator()(const std::vector<uint32_t>& v) const {
            std::string out = "[";
            for (auto x : v) out += (out.size() > 1 ? ", " : "") + std::to_string(x);
            return out + "]";
        }
        std::string operator()(const std::vector<uint8_t>& v) const {
            std::string out = "[";
            for (auto x : v) out += (out.size() > 1 ? ", " : "") + std::to_string(x);
            return out + "]";
        }
        std::string operator()(const DeviceAllow& v) const {
            std::string out = "[";
            for (const auto& [d, a] : v) out += (out.size() > 1 ? ", " : "") + ("('" + d + "', '" + a + "')");
            return out + "]";
        }
    };
    return std::visit(Visit{}, p.value);
}

}  // namespace ocirt::cgroups::systemd
