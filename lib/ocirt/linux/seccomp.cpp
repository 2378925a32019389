// linux.seccomp: profile -> BPF (libseccomp, exported) and seccomp(2) loading.
// See seccomp.hpp for the reading of the spec.
#include "ocirt/linux/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

#include "ocirt/linux/seccomp_enosys.hpp"
#include "ocirt/util/error.hpp"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace ocirt::linux_ {
namespace {

constexpr uint32_t kMaxArgs = 6;            // syscalls take at most 6 arguments
constexpr uint32_t kMaxRetData = 0xffff;    // SECCOMP_RET_DATA: 16 bits
constexpr size_t kBinaryTreeMinRules = 32;  // see set_optimize()

struct ActionName {
    std::string_view name;
    uint32_t base;     // the action with a zero data part
    bool takes_errno;  // errnoRet is its data part
};

constexpr std::array<ActionName, 9> kActions{{
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
}};

struct OperatorName {
    std::string_view name;
    scmp_compare op;
};

constexpr std::array<OperatorName, 7> kOperators{{
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
}};

struct FlagName {
    std::string_view name;
    unsigned flag;
};

constexpr std::array<FlagName, 4> kFlags{{
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
}};

// The architectures of config-linux.md (libseccomp v2.5.0 list).
constexpr std::array<std::string_view, 19> kArchs{{
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
}};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string indexed(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

const ActionName* find_action(std::string_view name) {
    for (const auto& a : kActions)
        if (a.name == name) return &a;
    return nullptr;
}

// The libseccomp action for `name` with its errnoRet; errors name the fields.
uint32_t resolve_action(const std::string& name, const std::optional<uint32_t>& errno_ret,
                        const std::string& action_field, const std::string& errno_field) {
    const ActionName* a = find_action(name);
    if (!a) throw Error(action_field + ": unknown action " + quoted(name));
    if (!a->takes_errno) {
        if (errno_ret)
            throw Error(errno_field + ": not supported by " + name +
                        " (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno)");
        return a->base;
    }
    uint32_t data = errno_ret.value_or(EPERM);
    if (data > kMaxRetData)
        throw Error(errno_field + ": must be at most " + std::to_string(kMaxRetData) + ", got " +
                    std::to_string(data));
    return a->base | data;
}

scmp_compare resolve_operator(const std::string& name, const std::string& field) {
    for (const auto& o : kOperators)
        if (o.name == name) return o.op;
    throw Error(field + ": unknown operator " + quoted(name));
}

// "SCMP_ARCH_X86_64" -> libseccomp's token, 0 when unknown.
uint32_t resolve_arch(const std::string& name) {
    constexpr std::string_view prefix = "SCMP_ARCH_";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
    std::string lower = name.substr(prefix.size());
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return seccomp_arch_resolve_name(lower.c_str());
}

struct CtxRelease {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

// One entry of linux.seccomp.syscalls, validated and resolved.
struct Rule {
    uint32_t action = 0;
    std::vector<scmp_arg_cmp> conds;
    bool split = false;  // two conditions on one argument: one rule per condition (OR)
};

Rule resolve_rule(const spec::SeccompSyscall& sc, const std::string& field) {
    Rule r;
    r.action = resolve_action(sc.action, sc.errno_ret, field + ".action", field + ".errnoRet");
    std::array<unsigned, kMaxArgs> seen{};
    for (size_t j = 0; j < sc.args.size(); ++j) {
        const spec::SeccompArg& a = sc.args[j];
        const std::string af = indexed(field + ".args", j);
        if (a.index >= kMaxArgs)
            throw Error(af + ".index: must be less than " + std::to_string(kMaxArgs) + ", got " +
                        std::to_string(a.index));
        scmp_arg_cmp c{};
        c.arg = a.index;
        c.op = resolve_operator(a.op, af + ".op");
        // MASKED_EQ: datum_a is the mask, datum_b the datum; the other
        // operators only read datum_a.
        c.datum_a = a.value;
        c.datum_b = a.value_two.value_or(0);
        r.conds.push_back(c);
        if (++seen[a.index] > 1) r.split = true;
    }
    return r;
}

// Adds the rules of one syscall; returns how many libseccomp rules it added.
size_t add_rules(scmp_filter_ctx ctx, const Rule& r, int nr, const std::string& name,
                 const std::string& field) {
    auto add = [&](unsigned count, const scmp_arg_cmp* conds) {
        int rc = seccomp_rule_add_array(ctx, r.action, nr, count, conds);
        if (rc == -EEXIST)
            throw Error(field + ": syscall " + quoted(name) +
                        ": conflicts with an earlier rule for the same syscall and arguments");
        if (rc < 0) throw Error(-rc, field + ": syscall " + quoted(name) + ": libseccomp");
    };
    if (!r.split) {
        add(static_cast<unsigned>(r.conds.size()), r.conds.data());
        return 1;
    }
    for (const scmp_arg_cmp& c : r.conds) add(1, &c);
    return r.conds.size();
}

std::vector<sock_filter> export_bpf(scmp_filter_ctx ctx) {
    Fd mem(::memfd_create("ocirt-seccomp-bpf", MFD_CLOEXEC));
    if (!mem) throw_errno("linux.seccomp: memfd_create");
    int rc = seccomp_export_bpf(ctx, mem.get());
    if (rc < 0) throw Error(-rc, "linux.seccomp: export the BPF program (libseccomp)");
    struct stat st {};
    if (::fstat(mem.get(), &st) < 0) throw_errno("linux.seccomp: fstat the exported program");
    const auto size = static_cast<size_t>(st.st_size);
    if (size == 0 || size % sizeof(sock_filter) != 0)
        throw Error("linux.seccomp: libseccomp exported " + std::to_string(size) +
                    " bytes, not a whole number of BPF instructions");
    std::vector<sock_filter> insns(size / sizeof(sock_filter));
    auto* buf = reinterpret_cast<char*>(insns.data());
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(mem.get(), buf + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("linux.seccomp: read the exported program");
        if (n == 0) throw Error("linux.seccomp: exported program truncated");
        done += static_cast<size_t>(n);
    }
    return insns;
}

}  // namespace

SeccompProgram compile_seccomp(const spec::Seccomp& s) {
    SeccompProgram prog;

    const uint32_t def =
        resolve_action(s.default_action, s.default_errno_ret, "linux.seccomp.defaultAction",
                       "linux.seccomp.defaultErrnoRet");
    if (def == SCMP_ACT_NOTIFY)
        throw Error("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

    for (size_t i = 0; i < s.flags.size(); ++i) {
        unsigned bit = 0;
        for (const auto& f : kFlags)
            if (f.name == s.flags[i]) bit = f.flag;
        if (!bit)
            throw Error(indexed("linux.seccomp.flags", i) + ": unknown flag " + quoted(s.flags[i]));
        prog.flags |= bit;
    }

    // The whole profile is validated before any libseccomp state is built.
    std::vector<uint32_t> archs;
    for (size_t i = 0; i < s.architectures.size(); ++i) {
        uint32_t token = resolve_arch(s.architectures[i]);
        if (token == 0)
            throw Error(indexed("linux.seccomp.architectures", i) + ": unknown architecture " +
                        quoted(s.architectures[i]));
        archs.push_back(token);
    }
    std::vector<Rule> rules;
    rules.reserve(s.syscalls.size());
    for (size_t i = 0; i < s.syscalls.size(); ++i)
        rules.push_back(resolve_rule(s.syscalls[i], indexed("linux.seccomp.syscalls", i)));

    Ctx ctx(seccomp_init(def));
    if (!ctx)
        throw Error("linux.seccomp.defaultAction: libseccomp refused " + quoted(s.default_action));
    // The runtime sets no_new_privs itself (process.noNewPrivileges); the
    // attribute only matters to seccomp_load, which is not used, but keep the
    // context honest in case it ever is.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        throw Error(-rc, "linux.seccomp: libseccomp: unset SCMP_FLTATR_CTL_NNP");

    for (size_t i = 0; i < archs.size(); ++i) {
        int rc = seccomp_arch_add(ctx.get(), archs[i]);
        if (rc == -EEXIST) continue;  // the native one, or listed twice
        const std::string field = indexed("linux.seccomp.architectures", i);
        if (rc == -EDOM)  // libseccomp keeps one byte order per filter
            throw Error(field + ": " + quoted(s.architectures[i]) +
                        " cannot be in one filter with the native architecture and the ones "
                        "before it (different byte order)");
        if (rc < 0) throw Error(-rc, field + ": " + quoted(s.architectures[i]) + ": libseccomp");
    }

    size_t added = 0;
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const spec::SeccompSyscall& sc = s.syscalls[i];
        const Rule& r = rules[i];
        const std::string field = indexed("linux.seccomp.syscalls", i);
        if (r.action == def) {
            spdlog::debug("{}: same action as linux.seccomp.defaultAction, skipped", field);
            continue;
        }
        for (const std::string& name : sc.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) {
                spdlog::debug("{}: syscall {} unknown to libseccomp, skipped", field, quoted(name));
                continue;
            }
            added += add_rules(ctx.get(), r, nr, name, field);
            if (r.action == SCMP_ACT_NOTIFY) prog.uses_notify = true;
        }
    }

    // Binary tree of syscall numbers: O(log n) per syscall instead of a
    // linear scan, worth it for big profiles (podman's default has ~440
    // syscalls). libseccomp <= 2.5.4 misbehaves with the tree and no rules,
    // and small filters are shorter without it.
    if (added > kBinaryTreeMinRules) {
        if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc < 0)
            spdlog::debug("linux.seccomp: libseccomp binary tree optimization unavailable: {}",
                          std::strerror(-rc));
    }

    if ((prog.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !prog.uses_notify) {
        spdlog::debug(
            "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV dropped, "
            "the filter has no SCMP_ACT_NOTIFY rule");
        prog.flags &= ~static_cast<unsigned>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    }

    prog.insns = export_bpf(ctx.get());
    // Syscalls newer than the profile get ENOSYS, not the default action.
    std::vector<uint32_t> in_filter = archs;
    in_filter.push_back(seccomp_arch_native());
    std::vector<std::string> names;
    for (const auto& sc : s.syscalls) names.insert(names.end(), sc.names.begin(), sc.names.end());
    std::vector<sock_filter> prologue = enosys_prologue(def, in_filter, names);
    prog.insns.insert(prog.insns.begin(), prologue.begin(), prologue.end());
    if (prog.insns.size() > BPF_MAXINSNS)
        throw Error("linux.seccomp: the compiled filter has " + std::to_string(prog.insns.size()) +
                    " instructions, more than the kernel's limit of " +
                    std::to_string(BPF_MAXINSNS));
    return prog;
}

Fd load_seccomp(const SeccompProgram& p) {
    if (p.insns.empty() || p.insns.size() > BPF_MAXINSNS)
        throw Error("load seccomp filter: program of " + std::to_string(p.insns.size()) +
                    " instructions");
    unsigned long flags = p.flags;
    if (p.uses_notify) {
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        // The kernel refuses TSYNC with NEW_LISTENER unless a failed sync is
        // reported as ESRCH (the other way reports a thread id, which would be
        // indistinguishable from the listener fd).
        if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    } else {
        flags &= ~static_cast<unsigned long>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    }
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(p.insns.size());
    fprog.filter = const_cast<sock_filter*>(p.insns.data());
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) {
        int err = errno;
        if (err == EACCES)
            throw Error(err, "load seccomp filter (needs no_new_privs or CAP_SYS_ADMIN)");
        if (err == ESRCH)
            throw Error(err,
                        "load seccomp filter: another thread could not be synchronized "
                        "(SECCOMP_FILTER_FLAG_TSYNC)");
        char hex[24];
        std::snprintf(hex, sizeof hex, "%#lx", flags);
        throw Error(err, std::string("load seccomp filter (flags ") + hex + ")");
    }
    if (p.uses_notify) return Fd(static_cast<int>(rc));
    if (rc > 0)  // TSYNC without ESRCH: the id of a thread that could not be synchronized
        throw Error("load seccomp filter: thread " + std::to_string(rc) +
                    " could not be synchronized (SECCOMP_FILTER_FLAG_TSYNC)");
    return Fd();
}

std::string libseccomp_version() {
    const scmp_version* v = seccomp_version();
    if (!v) return "unknown";
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

SeccompFeatures seccomp_features() {
    SeccompFeatures f;
    for (const auto& a : kActions) f.actions.emplace_back(a.name);
    for (const auto& o : kOperators) f.operators.emplace_back(o.name);
    for (std::string_view a : kArchs)
        if (resolve_arch(std::string(a)) != 0) f.archs.emplace_back(a);
    for (const auto& fl : kFlags) {
        f.known_flags.emplace_back(fl.name);
        // The kernel checks the flags before reading the program: EFAULT for
        // a null program means the flags were accepted (libseccomp probes the
        // same way). WAIT_KILLABLE_RECV is only valid with NEW_LISTENER.
        unsigned long probe = fl.flag;
        if (probe == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
            probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, nullptr) < 0 && errno == EFAULT)
            f.supported_flags.emplace_back(fl.name);
    }
    return f;
}

}  // namespace ocirt::linux_
