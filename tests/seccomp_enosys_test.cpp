// The -ENOSYS prologue (seccomp_enosys.hpp), run through a small classic-BPF
// interpreter over the seccomp_data the kernel would pass.
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstddef>

#include "ocirt/linux/seccomp_enosys.hpp"

using namespace ocirt::linux_;

namespace {

constexpr uint32_t kFilter = 0xfeedf00d;  // "fell through to the profile's program"

// Runs the prologue followed by `ret kFilter` on (arch, nr).
uint32_t run(std::vector<sock_filter> prog, uint32_t arch, uint32_t nr) {
    prog.push_back(sock_filter{BPF_RET | BPF_K, 0, 0, kFilter});
    uint32_t a = 0;
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const sock_filter& f = prog[pc];
        switch (f.code) {
            case BPF_LD | BPF_W | BPF_ABS:
                a = f.k == offsetof(seccomp_data, arch) ? arch : f.k == offsetof(seccomp_data, nr) ? nr : 0xdead;
                break;
            case BPF_RET | BPF_K: return f.k;
            case BPF_JMP | BPF_JA: pc += f.k; break;
            case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
            case BPF_JMP | BPF_JGT | BPF_K: pc += a > f.k ? f.jt : f.jf; break;
            case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) ? f.jt : f.jf; break;
            default: FAIL("unexpected instruction " << f.code);
        }
    }
    FAIL("ran off the end");
    return 0;
}

const uint32_t kEnosys = SCMP_ACT_ERRNO(ENOSYS);

}  // namespace

TEST_CASE("enosys prologue: none for permissive defaults or ERRNO(ENOSYS)", "[seccomp]") {
    const std::vector<uint32_t> archs{SCMP_ARCH_X86_64};
    const std::vector<std::string> names{"read", "write"};
    CHECK(enosys_prologue(SCMP_ACT_ALLOW, archs, names).empty());
    CHECK(enosys_prologue(SCMP_ACT_LOG, archs, names).empty());
    CHECK(enosys_prologue(SCMP_ACT_TRACE(3), archs, names).empty());
    CHECK(enosys_prologue(SCMP_ACT_ERRNO(ENOSYS), archs, names).empty());
    CHECK(enosys_prologue(SCMP_ACT_ERRNO(EPERM), archs, {"no_such_syscall"}).empty());
    CHECK_FALSE(enosys_prologue(SCMP_ACT_ERRNO(EPERM), archs, names).empty());
    CHECK_FALSE(enosys_prologue(SCMP_ACT_KILL_PROCESS, archs, names).empty());
}

TEST_CASE("enosys prologue: above the largest named number, per architecture", "[seccomp]") {
    // x86_64: read 0, write 1, getpid 39; i386: getpid 20, read 3, write 4.
    const std::vector<std::string> names{"read", "write", "getpid", "no_such_syscall"};
    auto p = enosys_prologue(SCMP_ACT_ERRNO(EPERM), {SCMP_ARCH_X86_64, SCMP_ARCH_X86}, names);
    CHECK(run(p, AUDIT_ARCH_X86_64, 0) == kFilter);
    CHECK(run(p, AUDIT_ARCH_X86_64, 39) == kFilter);
    CHECK(run(p, AUDIT_ARCH_X86_64, 40) == kEnosys);
    CHECK(run(p, AUDIT_ARCH_X86_64, 1000) == kEnosys);
    CHECK(run(p, AUDIT_ARCH_I386, 20) == kFilter);
    CHECK(run(p, AUDIT_ARCH_I386, 21) == kEnosys);
    // an architecture not in the filter: the profile's program (its bad-arch action)
    CHECK(run(p, AUDIT_ARCH_AARCH64, 1000) == kFilter);
    // x32 calls are left to the filter when x32 is not in it
    CHECK(run(p, AUDIT_ARCH_X86_64, 0x40000000 | 1000) == kFilter);
}

TEST_CASE("enosys prologue: x32 has its own largest number", "[seccomp]") {
    const std::vector<std::string> names{"read", "getpid"};
    auto p = enosys_prologue(SCMP_ACT_KILL_PROCESS, {SCMP_ARCH_X86_64, SCMP_ARCH_X32}, names);
    const uint32_t x32_getpid = static_cast<uint32_t>(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X32, "getpid"));
    CHECK(run(p, AUDIT_ARCH_X86_64, 39) == kFilter);
    CHECK(run(p, AUDIT_ARCH_X86_64, 40) == kEnosys);
    CHECK(run(p, AUDIT_ARCH_X86_64, x32_getpid) == kFilter);
    CHECK(run(p, AUDIT_ARCH_X86_64, x32_getpid + 1) == kEnosys);
}
