#include "ocirt/linux/intel_rdt.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "ocirt/linux/mount/mountinfo.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

const std::string kField = "linux.intelRdt";

bool is_dir(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// resctrl files are written whole, once; O_CREAT only matters in a fake tree.
void write_file(const std::string& path, const std::string& data, int flags) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT | flags, 0644));
    if (!fd) throw_errno("open " + path);
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) throw_errno("write " + path);
    if (static_cast<size_t>(n) != data.size()) throw Error("write " + path + ": short write");
}

std::string lower_no_leading_zeros(std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
    size_t nz = v.find_first_not_of('0');
    return nz == std::string::npos ? "0" : v.substr(nz);
}

}  // namespace

std::string find_resctrl(const std::string& mountinfo) {
    for (const auto& m : read_mountinfo(mountinfo))
        if (m.fstype == "resctrl") return m.mountpoint;
    throw Error(kField + ": resctrl is not mounted (no resctrl filesystem in " + mountinfo +
                "; on a host with Intel RDT: mount -t resctrl resctrl /sys/fs/resctrl)");
}

SchemataLine parse_schemata_line(const std::string& line) {
    std::string s;
    for (char ch : line)
        if (!std::isspace(static_cast<unsigned char>(ch))) s += ch;
    SchemataLine out;
    size_t colon = s.find(':');
    out.resource = s.substr(0, colon);
    std::transform(out.resource.begin(), out.resource.end(), out.resource.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
    if (colon == std::string::npos) return out;
    std::stringstream rest(s.substr(colon + 1));
    std::string domain;
    while (std::getline(rest, domain, ';')) {
        size_t eq = domain.find('=');
        if (domain.empty()) continue;
        out.domains.emplace_back(domain.substr(0, eq),
                                 eq == std::string::npos ? "" : lower_no_leading_zeros(domain.substr(eq + 1)));
    }
    return out;
}

IntelRdt::IntelRdt(const spec::IntelRdt& config, std::string id, std::string resctrl_root)
    : config_(config), id_(std::move(id)), root_(std::move(resctrl_root)) {
    if (config_.clos_id == "/")
        group_ = root_;
    else
        group_ = root_ + "/" + (config_.clos_id.empty() ? id_ : config_.clos_id);
    // enableCMT and enableMBM (1.1 to 1.2) ask for what enableMonitoring does.
    if (config_.enable_monitoring || config_.enable_cmt || config_.enable_mbm) mon_ = group_ + "/mon_groups/" + id_;
}

bool IntelRdt::has_schemata() const {
    return !config_.l3_cache_schema.empty() || !config_.mem_bw_schema.empty() || !config_.schemata.empty();
}

// The spec's order: l3CacheSchema, memBwSchema, then schemata.
std::string IntelRdt::schemata_text() const {
    std::string out;
    if (!config_.l3_cache_schema.empty()) out += config_.l3_cache_schema + "\n";
    if (!config_.mem_bw_schema.empty()) out += config_.mem_bw_schema + "\n";
    for (const auto& line : config_.schemata) out += line + "\n";
    return out;
}

std::vector<std::string> IntelRdt::to_remove() const {
    std::vector<std::string> out;
    if (!mon_.empty()) out.push_back(mon_);
    if (config_.clos_id.empty()) out.push_back(group_);
    return out;
}

std::string IntelRdt::tasks_file() const { return (mon_.empty() ? group_ : mon_) + "/tasks"; }

// An existing group named by closID must already have what the config asks.
void IntelRdt::check_schemata() const {
    const std::string file = group_ + "/schemata";
    std::vector<SchemataLine> have;
    std::stringstream text(read_file(file));
    for (std::string line; std::getline(text, line);)
        if (line.find_first_not_of(" \t") != std::string::npos) have.push_back(parse_schemata_line(line));
    std::stringstream want(schemata_text());
    for (std::string line; std::getline(want, line);) {
        SchemataLine w = parse_schemata_line(line);
        auto h = std::find_if(have.begin(), have.end(), [&](const SchemataLine& x) { return x.resource == w.resource; });
        bool ok = h != have.end();
        for (const auto& d : w.domains) {
            if (!ok) break;
            ok = std::find(h->domains.begin(), h->domains.end(), d) != h->domains.end();
        }
        if (!ok)
            throw Error(kField + ".closID: the existing group " + group_ + " does not have \"" + line +
                        "\" in its schemata (" + file + ")");
    }
}

void IntelRdt::create() {
    const std::string closid_field = kField + ".closID";
    if (config_.clos_id.empty()) {
        // The container's own group: made here, removed at delete.
        if (::mkdir(group_.c_str(), 0755) != 0) {
            if (errno == EEXIST)
                throw Error(kField + ": a resctrl group " + group_ + " already exists (closID is not set, so the group is the container's own)");
            throw_errno(kField + ": mkdir " + group_);
        }
        created_.push_back(group_);
        if (has_schemata()) with_context(kField, [&] { write_file(group_ + "/schemata", schemata_text(), O_TRUNC); });
    } else if (is_dir(group_)) {
        if (has_schemata()) check_schemata();
    } else if (has_schemata()) {
        // A named group that does not exist yet is made; it is never removed.
        if (::mkdir(group_.c_str(), 0755) != 0) throw_errno(closid_field + ": mkdir " + group_);
        with_context(kField, [&] { write_file(group_ + "/schemata", schemata_text(), O_TRUNC); });
    } else {
        throw Error(closid_field + ": no resctrl group " + group_ +
                    " (without schemata, closID must name a group that exists)");
    }
    if (!mon_.empty()) {
        if (::mkdir(mon_.c_str(), 0755) != 0) throw_errno(kField + ".enableMonitoring: mkdir " + mon_);
        created_.insert(created_.begin(), mon_);  // deepest first
    }
}

void rdt_add_process(const std::string& tasks_file, pid_t pid) {
    with_context(kField, [&] { write_file(tasks_file, std::to_string(pid) + "\n", O_APPEND); });
}

void rdt_remove(const std::vector<std::string>& dirs) {
    for (const auto& d : dirs) {
        if (::rmdir(d.c_str()) != 0 && errno != ENOENT) throw_errno(kField + ": rmdir " + d);
    }
}

}  // namespace ocirt::linux_
