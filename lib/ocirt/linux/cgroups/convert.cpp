#include "ocirt/linux/cgroups/convert.hpp"

#include <algorithm>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {

uint64_t cpu_weight_from_shares(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t io_weight_from_blkio(uint64_t weight) {
    if (weight == 0) return 0;
    if (weight <= 10) return 1;
    if (weight >= 1000) return 10000;
    return 1 + (weight - 10) * 9999 / 990;
}

std::string cpu_max(int64_t quota, uint64_t period) {
    return (quota > 0 ? std::to_string(quota) : std::string("max")) + " " +
           std::to_string(period ? period : 100000);
}

std::string memory_v2(int64_t value) { return value == -1 ? "max" : std::to_string(value); }

std::optional<std::string> memory_swap_max(int64_t limit, int64_t swap) {
    const std::string field = "linux.resources.memory.swap";
    if (limit == -1 && swap == 0) return "max";  // unlimited memory: unlimited swap too
    if (swap == 0) return std::nullopt;
    if (swap == -1) return "max";
    if (swap < -1) throw Error(field + ": invalid value " + std::to_string(swap));
    if (limit == -1) return std::to_string(swap);
    if (limit == 0)
        throw Error(field + ": cgroup v2 needs linux.resources.memory.limit to derive memory.swap.max "
                            "(swap is memory+swap)");
    if (limit < 0) throw Error("linux.resources.memory.limit: invalid value " + std::to_string(limit));
    if (swap < limit)
        throw Error(field + ": memory+swap " + std::to_string(swap) +
                    " is below linux.resources.memory.limit " + std::to_string(limit));
    return std::to_string(swap - limit);
}

std::string pids_max(int64_t limit) { return limit < 0 ? "max" : std::to_string(limit); }

bool memsw_first(uint64_t current_limit, int64_t new_swap) {
    return new_swap == -1 || (new_swap > 0 && current_limit < static_cast<uint64_t>(new_swap));
}

std::string device_line(int64_t major, int64_t minor, uint64_t value) {
    return std::to_string(major) + ":" + std::to_string(minor) + " " + std::to_string(value);
}

std::vector<std::string> io_max_lines(const spec::BlockIoResources& b) {
    struct Line {
        int64_t major, minor;
        std::string keys;
    };
    std::vector<Line> lines;
    auto add = [&](const std::vector<spec::ThrottleDevice>& list, const char* key) {
        for (const auto& t : list) {
            auto it = std::find_if(lines.begin(), lines.end(), [&](const Line& l) {
                return l.major == t.major && l.minor == t.minor;
            });
            if (it == lines.end()) it = lines.insert(lines.end(), Line{t.major, t.minor, ""});
            it->keys += std::string(" ") + key + "=" + std::to_string(t.rate);
        }
    };
    add(b.throttle_read_bps_device, "rbps");
    add(b.throttle_write_bps_device, "wbps");
    add(b.throttle_read_iops_device, "riops");
    add(b.throttle_write_iops_device, "wiops");
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(std::to_string(l.major) + ":" + std::to_string(l.minor) + l.keys);
    return out;
}

std::string rdma_max_line(const std::string& device, const spec::RdmaLimit& l) {
    std::string line = device;
    if (l.hca_handles) line += " hca_handle=" + std::to_string(*l.hca_handles);
    if (l.hca_objects) line += " hca_object=" + std::to_string(*l.hca_objects);
    return line;
}

}  // namespace ocirt::cgroups
