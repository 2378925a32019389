// See seccomp_enosys.hpp. The prologue, for each architecture A with largest
// number M (x86_64 with x32 has two):
//
//       ld  [arch]
//       jeq A, blockA          (one per architecture)
//       ja  filter             (other architectures: the filter's bad-arch action)
//   blockA:
//       ld  [nr]
//       jset 0x40000000, x32A  (x86_64 only; to `filter` when x32 is not in the filter)
//       jgt M, enosys
//       ja  filter
//   x32A:
//       jgt M32, enosys
//       ja  filter
//   enosys:
//       ret ERRNO(ENOSYS)
//   filter:                    libseccomp's program, unchanged (its jumps are relative)
#include "ocirt/linux/seccomp_enosys.hpp"

#include <linux/audit.h>
#include <seccomp.h>

#include <cerrno>
#include <cstddef>
#include <linux/seccomp.h>
#include <map>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;

// A small assembler: jump targets are labels, resolved at the end.
class Program {
public:
    int label() {
        labels_.push_back(-1);
        return static_cast<int>(labels_.size()) - 1;
    }
    void bind(int l) { labels_[static_cast<size_t>(l)] = static_cast<int>(insns_.size()); }
    void load(uint32_t offset) { add(BPF_LD | BPF_W | BPF_ABS, offset); }
    void ret(uint32_t value) { add(BPF_RET | BPF_K, value); }
    void jump(int target) { add(BPF_JMP | BPF_JA, 0, target); }
    // Jumps to `target` if the condition holds, else goes on.
    void jump_if(uint16_t op, uint32_t k, int target) { add(BPF_JMP | op | BPF_K, k, -1, target); }

    std::vector<sock_filter> resolve() const {
        std::vector<sock_filter> out;
        for (size_t i = 0; i < insns_.size(); ++i) {
            const Insn& in = insns_[i];
            sock_filter f{in.code, 0, 0, in.k};
            if (in.ja >= 0) f.k = offset(i, in.ja);
            if (in.jt >= 0) {
                uint32_t off = offset(i, in.jt);
                if (off > 255) throw Error("linux.seccomp: -ENOSYS prologue: jump too long");
                f.jt = static_cast<uint8_t>(off);
            }
            out.push_back(f);
        }
        return out;
    }

private:
    struct Insn {
        uint16_t code;
        uint32_t k;
        int ja, jt;
    };
    void add(uint16_t code, uint32_t k, int ja = -1, int jt = -1) { insns_.push_back({code, k, ja, jt}); }
    uint32_t offset(size_t from, int label) const {
        int to = labels_[static_cast<size_t>(label)];
        return static_cast<uint32_t>(to - static_cast<int>(from) - 1);
    }
    std::vector<Insn> insns_;
    std::vector<int> labels_;
};

bool allows(uint32_t action) {
    return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG ||
           (action & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE(0) || action == SCMP_ACT_ERRNO(ENOSYS);
}

struct Largest {
    uint32_t native = 0;  // 0: the profile names nothing known on this architecture
    uint32_t x32 = 0;     // AUDIT_ARCH_X86_64 only
};

}  // namespace

std::vector<sock_filter> enosys_prologue(uint32_t default_action, const std::vector<uint32_t>& archs,
                                         const std::vector<std::string>& names) {
    if (allows(default_action)) return {};
    // Keyed by the architecture the kernel reports: x32 is x86_64 with bit 30.
    std::map<uint32_t, Largest> largest;
    for (uint32_t arch : archs) {
        const bool x32 = arch == SCMP_ARCH_X32;
        Largest& l = largest[x32 ? AUDIT_ARCH_X86_64 : arch];
        for (const auto& name : names) {
            int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
            if (nr < 0) continue;  // unknown, or not a syscall there
            uint32_t& m = x32 ? l.x32 : l.native;
            if (static_cast<uint32_t>(nr) > m) m = static_cast<uint32_t>(nr);
        }
    }
    for (auto it = largest.begin(); it != largest.end();)
        it = it->second.native || it->second.x32 ? std::next(it) : largest.erase(it);
    if (largest.empty()) return {};

    Program p;
    const int enosys = p.label(), filter = p.label();
    std::vector<std::pair<uint32_t, int>> blocks;
    p.load(offsetof(seccomp_data, arch));
    for (const auto& entry : largest) {
        const uint32_t audit = entry.first;
        blocks.emplace_back(audit, p.label());
        p.jump_if(BPF_JEQ, audit, blocks.back().second);
    }
    p.jump(filter);
    for (const auto& [audit, block] : blocks) {
        const Largest& l = largest[audit];
        p.bind(block);
        p.load(offsetof(seccomp_data, nr));
        if (audit == AUDIT_ARCH_S390 || audit == AUDIT_ARCH_S390X) p.jump_if(BPF_JEQ, 0, enosys);
        int x32 = -1;
        if (audit == AUDIT_ARCH_X86_64) {
            x32 = p.label();
            p.jump_if(BPF_JSET, kX32Bit, l.x32 ? x32 : filter);
        }
        if (l.native) p.jump_if(BPF_JGT, l.native, enosys);
        p.jump(filter);
        if (x32 >= 0 && l.x32) {
            p.bind(x32);
            p.jump_if(BPF_JGT, l.x32, enosys);
            p.jump(filter);
        }
    }
    p.bind(enosys);
    p.ret(SCMP_ACT_ERRNO(ENOSYS));
    p.bind(filter);
    return p.resolve();
}

}  // namespace ocirt::linux_
