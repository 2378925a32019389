#pragma once
// The formats of cgroupfs statistics files, and reading them from one cgroup
// dir where a missing file reads as nothing. Errors name the file.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirt/linux/cgroups/stats.hpp"

namespace ocirt::cgroups {

// One number, surrounding blanks allowed; "max" is UINT64_MAX (runc's reading).
uint64_t parse_uint(std::string_view text, const std::string& path);
int64_t parse_int(std::string_view text, const std::string& path);
// Numbers separated by blanks on one line (cpuacct.usage_percpu).
std::vector<uint64_t> parse_uint_list(std::string_view text, const std::string& path);
// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events).
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text, const std::string& path);
// v1 blkio files: "MAJ:MIN OP VALUE" or "MAJ:MIN VALUE" lines; "Total N" is skipped.
std::vector<BlkioEntry> parse_blkio(std::string_view text, const std::string& path);
// cpuacct.usage_all: a header, then "CPU USER SYSTEM" lines.
void parse_usage_all(std::string_view text, const std::string& path, std::vector<uint64_t>& user,
                     std::vector<uint64_t>& system);

// "MAJ:MIN key=value key=value ..." lines (io.stat). Values stay text: some
// keys (iocost's debug ones) are not integers, and readers parse only theirs.
struct NestedKeyedLine {
    uint64_t major = 0, minor = 0;
    std::vector<std::pair<std::string, std::string>> values;
};
std::vector<NestedKeyedLine> parse_nested_keyed(std::string_view text, const std::string& path);

// A cgroup dir to read statistics from. An empty dir (a controller that is not
// mounted) has no files; a missing file reads as nothing, never an error.
class StatDir {
public:
    explicit StatDir(std::string dir) : dir_(std::move(dir)) {}

    bool present() const { return !dir_.empty(); }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    std::optional<std::string> text(const std::string& name) const;
    // 0 when missing.
    uint64_t uint(const std::string& name) const;
    // Empty when missing.
    std::map<std::string, uint64_t> keyed(const std::string& name) const;
    // X of every file named PREFIX + X + SUFFIX where X has no dot, sorted
    // (hugetlb.2MB.current -> "2MB", but not hugetlb.2MB.rsvd.current).
    std::vector<std::string> names_between(const std::string& prefix, const std::string& suffix) const;

private:
    std::string dir_;
};

}  // namespace ocirt::cgroups
