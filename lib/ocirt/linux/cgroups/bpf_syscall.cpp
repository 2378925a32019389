#include "ocirt/linux/cgroups/bpf_syscall.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ocirt/util/error.hpp"

namespace ocirt::cgroups::bpf {
namespace {

// No GPL-only helper is called (none at all), so any non-GPL string will do;
// the kernel only asks whether it is GPL-compatible.
constexpr char kLicense[] = "Proprietary";

// How much of a failed load's verifier log goes into the error message: the
// end of the log says why the verifier refused.
constexpr size_t kLogBufSize = 256 * 1024;
constexpr size_t kLogTailLines = 6;
constexpr size_t kLogTailChars = 1500;

long sys_bpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

uint64_t ptr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// The last lines of a verifier log, joined with "; ".
std::string log_tail(const char* log) {
    std::string text(log);
    std::vector<std::string> lines;
    size_t end = text.size();
    while (end > 0 && lines.size() < kLogTailLines) {
        size_t start = text.rfind('\n', end - 1);
        size_t from = start == std::string::npos ? 0 : start + 1;
        if (end > from) lines.insert(lines.begin(), text.substr(from, end - from));
        if (start == std::string::npos) break;
        end = start;
    }
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
    if (out.size() > kLogTailChars) out = "..." + out.substr(out.size() - kLogTailChars);
    return out;
}

bpf_attr load_attr(const std::vector<bpf_insn>& insns, const std::string& name) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = ptr(insns.data());
    attr.insn_cnt = static_cast<uint32_t>(insns.size());
    attr.license = ptr(kLicense);
    std::strncpy(attr.prog_name, name.c_str(), sizeof attr.prog_name - 1);
    return attr;
}

}  // namespace

Fd load_device_program(const std::vector<bpf_insn>& insns, const std::string& name) {
    if (name.size() >= BPF_OBJ_NAME_LEN) throw Error("bpf: program name \"" + name + "\" too long");
    bpf_attr attr = load_attr(insns, name);
    Fd fd(static_cast<int>(sys_bpf(BPF_PROG_LOAD, attr)));
    if (fd) return fd;
    const int err = errno;

    // Again with the verifier's log, only to say why.
    std::vector<char> log(kLogBufSize, '\0');
    attr = load_attr(insns, name);
    attr.log_level = 1;
    attr.log_buf = ptr(log.data());
    attr.log_size = static_cast<uint32_t>(log.size());
    Fd again(static_cast<int>(sys_bpf(BPF_PROG_LOAD, attr)));
    if (again) return again;  // a transient failure (EAGAIN, memory): take it
    log.back() = '\0';
    std::string tail = log_tail(log.data());
    throw Error(err, "bpf: load device program (" + std::to_string(insns.size()) + " instructions)" +
                         (tail.empty() ? "" : ": verifier: " + tail));
}

std::vector<uint32_t> attached_device_programs(int cgroup_fd) {
    std::vector<uint32_t> ids(16);
    for (;;) {
        bpf_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = ptr(ids.data());
        attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
        if (sys_bpf(BPF_PROG_QUERY, attr) == 0) {
            ids.resize(attr.query.prog_cnt);
            return ids;
        }
        // ENOSPC: more programs than room; prog_cnt now says how many.
        if (errno != ENOSPC) throw_errno("bpf: query attached device programs");
        ids.resize(std::max<size_t>(attr.query.prog_cnt, ids.size() * 2));
    }
}

Fd program_by_id(uint32_t id) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    Fd fd(static_cast<int>(sys_bpf(BPF_PROG_GET_FD_BY_ID, attr)));
    if (!fd && errno != ENOENT) throw_errno("bpf: program " + std::to_string(id));
    return fd;
}

ProgramInfo program_info(int prog_fd) {
    bpf_prog_info info;
    std::memset(&info, 0, sizeof info);
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.info.info_len = sizeof info;
    attr.info.info = ptr(&info);
    if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, attr) != 0) throw_errno("bpf: program info");
    ProgramInfo out;
    out.id = info.id;
    out.type = info.type;
    out.name.assign(info.name, strnlen(info.name, sizeof info.name));
    return out;
}

void attach_device_program(int cgroup_fd, int prog_fd, int replace_fd) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (replace_fd >= 0) {
        attr.attach_flags |= BPF_F_REPLACE;
        attr.replace_bpf_fd = static_cast<uint32_t>(replace_fd);
    }
    if (sys_bpf(BPF_PROG_ATTACH, attr) != 0)
        throw_errno(replace_fd >= 0 ? "bpf: attach device program (replace)" : "bpf: attach device program");
}

void detach_device_program(int cgroup_fd, int prog_fd) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (sys_bpf(BPF_PROG_DETACH, attr) != 0) throw_errno("bpf: detach device program");
}

}  // namespace ocirt::cgroups::bpf
