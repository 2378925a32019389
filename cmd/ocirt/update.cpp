// ocirt update: runc's flags, or a LinuxResources JSON (-r FILE, "-" = stdin).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "ocirt/factory.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/util/size.hpp"

namespace ocirt::cli {
namespace {

std::string read_stdin() {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read stdin");
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

spec::Resources from_file(const std::string& file) {
    const std::string name = file == "-" ? "stdin" : file;
    std::string text = file == "-" ? read_stdin() : read_file(file);
    nlohmann::json j = spec::parse_json(text, name);
    // Paths as in the document itself: "memory.limit: expected integer, got string".
    return with_context(name, [&] { return spec::parse_resources(j, ""); });
}

[[noreturn]] void invalid(const std::string& flag, const std::string& value, const std::string& why) {
    throw Error("invalid value for " + flag + ": \"" + value + "\": " + why);
}

uint64_t to_uint(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end || v[0] == '-' || errno == ERANGE) invalid(flag, v, "not an unsigned integer");
    return n;
}

int64_t to_int(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || errno == ERANGE) invalid(flag, v, "not an integer");
    return n;
}

// "-1" (unlimited) or a size with runc's suffixes.
int64_t to_bytes(const std::string& flag, const std::string& v) {
    if (v == "-1") return -1;
    try {
        return parse_ram_size(v);
    } catch (const Error& e) {
        invalid(flag, v, e.what());
    }
}

spec::Resources from_flags(const Args& a) {
    spec::Resources r;
    spec::MemoryResources mem;
    spec::CpuResources cpu;
    auto value = [&](const char* flag) -> std::optional<std::string> {
        if (!a.has(flag) || a.get(flag).empty()) return std::nullopt;
        return a.get(flag);
    };
    if (auto v = value("blkio-weight")) {
        // runc's IntFlag: 0 leaves the weight as it is.
        int64_t w = to_int("blkio-weight", *v);
        if (w < 0 || w > 65535) invalid("blkio-weight", *v, "out of range");
        if (w != 0) {
            r.block_io = spec::BlockIoResources{};
            r.block_io->weight = static_cast<uint16_t>(w);
        }
    }
    if (auto v = value("cpuset-cpus")) cpu.cpus = *v;
    if (auto v = value("cpuset-mems")) cpu.mems = *v;
    if (auto v = value("cpu-idle")) cpu.idle = to_int("cpu-idle", *v);
    if (auto v = value("cpu-burst")) cpu.burst = to_uint("cpu-burst", *v);
    if (auto v = value("cpu-period")) cpu.period = to_uint("cpu-period", *v);
    if (auto v = value("cpu-rt-period")) cpu.realtime_period = to_uint("cpu-rt-period", *v);
    if (auto v = value("cpu-share")) cpu.shares = to_uint("cpu-share", *v);
    if (auto v = value("cpu-quota")) cpu.quota = to_int("cpu-quota", *v);
    if (auto v = value("cpu-rt-runtime")) cpu.realtime_runtime = to_int("cpu-rt-runtime", *v);
    if (auto v = value("memory")) mem.limit = to_bytes("memory", *v);
    if (auto v = value("memory-swap")) mem.swap = to_bytes("memory-swap", *v);
    if (auto v = value("memory-reservation")) mem.reservation = to_bytes("memory-reservation", *v);
    if (auto v = value("kernel-memory")) mem.kernel = to_bytes("kernel-memory", *v);
    if (auto v = value("kernel-memory-tcp")) mem.kernel_tcp = to_bytes("kernel-memory-tcp", *v);
    if (a.has("pids-limit")) r.pids = spec::PidsResources{to_int("pids-limit", a.get("pids-limit"))};
    r.memory = mem;
    r.cpu = cpu;
    return r;
}

}  // namespace

Command update_command() {
    Command c;
    c.name = "update";
    c.args_usage = "<container-id>";
    c.summary = "update container resource constraints";
    c.flags = {
        {{"resources", "r"}, true, "value",
         "path to the file containing the resources to update or '-' to read from the standard input "
         "(a linux.resources object; all other options are then ignored)"},
        {{"blkio-weight"}, true, "value", "Specifies per cgroup weight, range is from 10 to 1000"},
        {{"cpu-period"}, true, "value", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
        {{"cpu-quota"}, true, "value", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
        {{"cpu-burst"}, true, "value", "CPU CFS hardcap burst limit (in usecs)"},
        {{"cpu-share"}, true, "value", "CPU shares (relative weight vs. other containers)"},
        {{"cpu-rt-period"}, true, "value", "CPU realtime period to be used for hardcapping (in usecs)"},
        {{"cpu-rt-runtime"}, true, "value", "CPU realtime hardcap limit (in usecs)"},
        {{"cpuset-cpus"}, true, "value", "CPU(s) to use"},
        {{"cpuset-mems"}, true, "value", "Memory node(s) to use"},
        {{"cpu-idle"}, true, "value", "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
        {{"kernel-memory"}, true, "value", "(obsoleted; ignored with a warning)"},
        {{"kernel-memory-tcp"}, true, "value", "Kernel memory limit for TCP buffers (cgroup v1 only)"},
        {{"memory"}, true, "value", "Memory limit (in bytes; k, m, g suffixes)"},
        {{"memory-reservation"}, true, "value", "Memory reservation or soft_limit (in bytes)"},
        {{"memory-swap"}, true, "value", "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
        {{"pids-limit"}, true, "value", "Maximum number of pids allowed in the container (-1: no limit)"},
        {{"l3-cache-schema"}, true, "value", "Intel RDT/CAT L3 cache schema (not supported)"},
        {{"mem-bw-schema"}, true, "value", "Intel RDT/MBA memory bandwidth schema (not supported)"},
    };
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Container ct = Factory(g.root).load(a.positional()[0]);
        spec::Resources r;
        if (a.has("resources")) {
            r = from_file(a.get("resources"));
        } else {
            for (const char* rdt : {"l3-cache-schema", "mem-bw-schema"})
                if (!a.get(rdt).empty())
                    throw Error(std::string("--") + rdt + ": not supported (ocirt does not implement linux.intelRdt)");
            r = from_flags(a);
        }
        if (!r.devices.empty()) {
            spdlog::warn("update: linux.resources.devices are not changed by update; ignored");
            r.devices.clear();
        }
        if (r.memory && r.memory->kernel) {
            spdlog::warn("update: kernel memory limits are deprecated and ignored");
            r.memory->kernel.reset();
        }
        ct.update(r);
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
