// The device filter program and its installation. The semantics are in the
// header; this file is the assembler.
//
// Instruction layout (registers: r1 = struct bpf_cgroup_dev_ctx *, r2 =
// requested access bits not decided yet, r3 = device type, r4 = major,
// r5 = minor, r0 = the verdict, 1 allow, 0 deny):
//
//   prologue   r2 = ctx->access_type
//              r3 = r2 & 0xffff            only if some rule checks the type
//              r2 >>= 16                   BPF_DEVCG_ACC_* bits
//              r4 = ctx->major             only if some rule checks the major
//              r5 = ctx->minor             only if some rule checks the minor
//              if r2 == 0 goto deny        nothing asked, or bits this
//              if r2 > 7 goto deny         program does not know: deny
//   one block per live rule, LAST rule first (the last matching rule wins):
//              if r3 != TYPE goto next     unless the type is "a"
//              if r4 != MAJOR goto next    unless the major is *
//              if r5 != MINOR goto next    unless the minor is *
//     deny,  all of rwm:   goto deny
//     deny,  some of rwm:  if r2 & ACC goto deny       a requested bit is denied
//     allow, all of rwm:   goto allow
//     allow, some of rwm:  r2 &= ~ACC                  these bits are allowed;
//                          if r2 == 0 goto allow       all of them: allow
//   next: the next block; after the last one, the fall through is deny:
//   deny:      r0 = 0; exit
//   allow:     r0 = 1; exit
//
// Rules that cannot change a verdict are not emitted (see live_rules): rules
// for devices the kernel cannot have, rules covered by a later rule (same or
// wider device range, same or more access bits), and denies that come before
// any allow (nothing is allowed there yet). With no live rule the program is
// "r0 = 0; exit". The default rule set after a "deny all" makes 53
// instructions. Jumps only go forward, so the program always ends.
#include "ocirt/linux/cgroups/bpf_device_filter.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "ocirt/linux/cgroups/bpf_syscall.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::cgroups {
namespace {

constexpr int32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

// Registers, as in the layout above.
constexpr uint8_t R0 = 0, R1 = 1, RAccess = 2, RType = 3, RMajor = 4, RMinor = 5;

// A rule in the program's terms.
struct Rule {
    bool allow = false;
    int32_t type = 0;  // BPF_DEVCG_DEV_BLOCK or _CHAR; 0: any
    std::optional<int32_t> major, minor;
    int32_t access = 0;  // BPF_DEVCG_ACC_* bits, never 0
};

int32_t access_bits(const std::string& access) {
    int32_t bits = 0;
    for (char c : access) {
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    }
    return bits;
}

// A major or minor as the program compares it. Above 2^32-1: an error, as for
// v1 (the kernel parses u32). Above 2^31-1: no device has it (the kernel's
// majors have 12 bits, minors 20), so the rule never matches: nullopt.
std::optional<int32_t> device_number(int64_t n, size_t index, const char* which) {
    if (n > std::numeric_limits<uint32_t>::max())
        throw Error("linux.resources.devices[" + std::to_string(index) + "]." + which + ": " +
                    std::to_string(n) + " is out of range");
    if (n > std::numeric_limits<int32_t>::max()) return std::nullopt;
    return static_cast<int32_t>(n);
}

// nullopt: the rule can match no device.
std::optional<Rule> to_rule(const spec::DeviceRule& in, size_t index) {
    auto r = normalised(in);  // throws on a bad type or access
    Rule out;
    out.allow = r.allow;
    if (r.type == "b") out.type = BPF_DEVCG_DEV_BLOCK;
    if (r.type == "c") out.type = BPF_DEVCG_DEV_CHAR;
    out.access = access_bits(r.access);
    if (r.major) {
        out.major = device_number(*r.major, index, "major");
        if (!out.major) return std::nullopt;
    }
    if (r.minor) {
        out.minor = device_number(*r.minor, index, "minor");
        if (!out.minor) return std::nullopt;
    }
    return out;
}

// Whether `later` decides every request `earlier` could decide: its device
// range contains earlier's and it names at least the same access bits.
bool covers(const Rule& later, const Rule& earlier) {
    auto contains = [](const std::optional<int32_t>& wide, const std::optional<int32_t>& narrow) {
        return !wide || wide == narrow;
    };
    return (later.type == 0 || later.type == earlier.type) && contains(later.major, earlier.major) &&
           contains(later.minor, earlier.minor) && (later.access & earlier.access) == earlier.access;
}

// The rules that can change a verdict, in config order.
std::vector<Rule> live_rules(const std::vector<spec::DeviceRule>& rules) {
    std::vector<Rule> all;
    for (size_t i = 0; i < rules.size(); ++i)
        if (auto r = to_rule(rules[i], i)) all.push_back(*r);
    std::vector<Rule> live;
    for (size_t i = 0; i < all.size(); ++i) {
        bool covered = false;
        for (size_t j = i + 1; j < all.size() && !covered; ++j) covered = covers(all[j], all[i]);
        // A deny before any allow denies what is denied anyway.
        bool leading_deny = !all[i].allow && live.empty();
        if (!covered && !leading_deny) live.push_back(all[i]);
    }
    return live;
}

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

// Emits instructions; jumps name a label and are resolved when it is bound.
class Assembler {
public:
    enum class Label { next, deny, allow };

    void load_ctx(uint8_t dst, int16_t offset) { emit(insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, offset, 0)); }
    void mov_reg(uint8_t dst, uint8_t src) { emit(insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)); }
    void alu_imm(uint8_t op, uint8_t dst, int32_t imm) { emit(insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm)); }
    // if (dst OP imm) goto to
    void jump_if(uint8_t op, uint8_t dst, int32_t imm, Label to) {
        fixups_.push_back({insns_.size(), to});
        emit(insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm));
    }
    void jump(Label to) {
        fixups_.push_back({insns_.size(), to});
        emit(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
    }

    // Binds Label::next of the jumps emitted so far to here.
    void bind_next() { bind(Label::next, insns_.size()); }

    // Appends deny and allow, binds them, returns the program.
    std::vector<bpf_insn> finish() {
        bind(Label::deny, insns_.size());
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0));
        emit(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        bind(Label::allow, insns_.size());
        emit(insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1));
        emit(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        return std::move(insns_);
    }

private:
    struct Fixup {
        size_t at;
        Label to;
    };

    void emit(bpf_insn i) { insns_.push_back(i); }

    void bind(Label label, size_t target) {
        std::vector<Fixup> rest;
        for (const auto& f : fixups_) {
            if (f.to != label) {
                rest.push_back(f);
                continue;
            }
            size_t off = target - (f.at + 1);  // targets are always ahead
            if (off > static_cast<size_t>(std::numeric_limits<int16_t>::max()))
                throw Error("linux.resources.devices: too many rules for one device filter program");
            insns_[f.at].off = static_cast<int16_t>(off);
        }
        fixups_ = std::move(rest);
    }

    std::vector<bpf_insn> insns_;
    std::vector<Fixup> fixups_;
};

void emit_rule(Assembler& a, const Rule& r) {
    using L = Assembler::Label;
    if (r.type != 0) a.jump_if(BPF_JNE, RType, r.type, L::next);
    if (r.major) a.jump_if(BPF_JNE, RMajor, *r.major, L::next);
    if (r.minor) a.jump_if(BPF_JNE, RMinor, *r.minor, L::next);
    if (!r.allow && r.access == kAllAccess) {
        a.jump(L::deny);
    } else if (!r.allow) {
        a.jump_if(BPF_JSET, RAccess, r.access, L::deny);
    } else if (r.access == kAllAccess) {
        a.jump(L::allow);
    } else {
        a.alu_imm(BPF_AND, RAccess, ~r.access);
        a.jump_if(BPF_JEQ, RAccess, 0, L::allow);
    }
    a.bind_next();
}

}  // namespace

std::vector<bpf_insn> device_filter_program(const std::vector<spec::DeviceRule>& rules) {
    const auto live = live_rules(rules);
    if (live.empty())  // r0 = 0; exit (the verifier refuses unreachable code)
        return {insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0), insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};

    Assembler a;

    bool type = false, major = false, minor = false;
    for (const auto& r : live) {
        type |= r.type != 0;
        major |= r.major.has_value();
        minor |= r.minor.has_value();
    }
    a.load_ctx(RAccess, offsetof(bpf_cgroup_dev_ctx, access_type));
    if (type) {
        a.mov_reg(RType, RAccess);
        a.alu_imm(BPF_AND, RType, 0xffff);
    }
    a.alu_imm(BPF_RSH, RAccess, 16);
    if (major) a.load_ctx(RMajor, offsetof(bpf_cgroup_dev_ctx, major));
    if (minor) a.load_ctx(RMinor, offsetof(bpf_cgroup_dev_ctx, minor));
    a.jump_if(BPF_JEQ, RAccess, 0, Assembler::Label::deny);
    a.jump_if(BPF_JGT, RAccess, kAllAccess, Assembler::Label::deny);
    for (auto it = live.rbegin(); it != live.rend(); ++it) emit_rule(a, *it);
    return a.finish();
}

void set_device_filter(const std::string& cgroup2_dir, const std::vector<spec::DeviceRule>& rules) {
    const auto insns = device_filter_program(rules);
    with_context(cgroup2_dir + ": device filter", [&] {
        Fd cgroup(::open(cgroup2_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!cgroup) throw_errno("open");
        Fd prog = bpf::load_device_program(insns, kDeviceFilterName);

        std::vector<Fd> old;
        for (uint32_t id : bpf::attached_device_programs(cgroup.get())) {
            Fd p = bpf::program_by_id(id);
            if (p && bpf::program_info(p.get()).name == kDeviceFilterName) old.push_back(std::move(p));
        }
        if (old.size() == 1) {
            try {
                bpf::attach_device_program(cgroup.get(), prog.get(), old.front().get());
                return;
            } catch (const Error& e) {
                // EINVAL: no BPF_F_REPLACE (before 5.6); ENOENT: the old one
                // went meanwhile. Either way: attach, then detach.
                if (e.code() != EINVAL && e.code() != ENOENT) throw;
            }
        }
        bpf::attach_device_program(cgroup.get(), prog.get());
        for (const auto& p : old) {
            try {
                bpf::detach_device_program(cgroup.get(), p.get());
            } catch (const Error& e) {
                if (e.code() != ENOENT) throw;  // already gone
            }
        }
    });
}

}  // namespace ocirt::cgroups
