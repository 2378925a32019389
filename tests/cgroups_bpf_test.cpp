// The cgroup v2 device filter program, run by a small interpreter of the eBPF
// subset the assembler emits (LDX W from the context, ALU64 MOV/AND/RSH, JA,
// JEQ/JNE/JGT/JSET with an immediate, EXIT). The interpreter refuses anything
// else, reads of unset registers, jumps out of the program and a missing or
// non-0/1 verdict, so the verifier's basic rules are checked here too.
#include <linux/bpf.h>

#include <catch2/catch.hpp>

#include "device_rule.hpp"
#include <cstring>
#include <optional>
#include <random>
#include <sstream>

#include "ocirt/linux/cgroups/bpf_device_filter.hpp"
#include "ocirt/linux/cgroups/devices_rules.hpp"
#include "ocirt/util/error.hpp"

using namespace ocirt;
using namespace ocirt::cgroups;

namespace {

// A request as the kernel makes it: type 'b' or 'c', access a subset of "rwm".
struct Request {
    char type;
    uint32_t major, minor;
    std::string access;
};

uint32_t access_bits(const std::string& access) {
    uint32_t bits = 0;
    for (char c : access) {
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    }
    return bits;
}

bpf_cgroup_dev_ctx ctx_for(const Request& q) {
    bpf_cgroup_dev_ctx ctx{};
    uint32_t type = q.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    ctx.access_type = access_bits(q.access) << 16 | type;
    ctx.major = q.major;
    ctx.minor = q.minor;
    return ctx;
}

// Runs prog on ctx; returns r0 at exit. Fails the test on anything outside
// the subset or anything the verifier would refuse at run time.
uint64_t run(const std::vector<bpf_insn>& prog, const bpf_cgroup_dev_ctx& ctx) {
    uint64_t reg[11] = {};
    bool set[11] = {};
    bool is_ctx[11] = {};
    is_ctx[1] = set[1] = true;
    auto read = [&](int r) {
        if (r < 0 || r > 10 || !set[r] || is_ctx[r]) FAIL("read of unset or pointer register r" << r);
        return reg[r];
    };
    auto write = [&](int r, uint64_t v) {
        if (r < 0 || r > 9) FAIL("write to r" << r);
        reg[r] = v;
        set[r] = true;
        is_ctx[r] = false;
    };
    size_t pc = 0;
    for (size_t steps = 0; steps <= prog.size(); ++steps) {
        if (pc >= prog.size()) FAIL("pc " << pc << " outside the program");
        const bpf_insn& i = prog[pc];
        const uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(i.imm));  // sign-extended
        const uint8_t cls = BPF_CLASS(i.code);
        if (cls == BPF_LDX) {
            if (i.code != (BPF_LDX | BPF_MEM | BPF_W) || !is_ctx[i.src_reg]) FAIL("bad load at " << pc);
            if (i.off != 0 && i.off != 4 && i.off != 8) FAIL("ctx offset " << i.off);
            uint32_t v = 0;
            std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
            write(i.dst_reg, v);
            ++pc;
        } else if (cls == BPF_ALU64) {
            uint64_t src = BPF_SRC(i.code) == BPF_X ? read(i.src_reg) : imm;
            switch (BPF_OP(i.code)) {
                case BPF_MOV: write(i.dst_reg, src); break;
                case BPF_AND: write(i.dst_reg, read(i.dst_reg) & src); break;
                case BPF_RSH:
                    if (BPF_SRC(i.code) != BPF_K || src > 63) FAIL("bad shift at " << pc);
                    write(i.dst_reg, read(i.dst_reg) >> src);
                    break;
                default: FAIL("alu op " << int(i.code) << " at " << pc);
            }
            ++pc;
        } else if (cls == BPF_JMP) {
            const uint8_t op = BPF_OP(i.code);
            if (op == BPF_EXIT) {
                if (i.code != (BPF_JMP | BPF_EXIT)) FAIL("bad exit");
                uint64_t r0 = read(0);
                if (r0 > 1) FAIL("verdict " << r0);
                return r0;
            }
            bool taken = false;
            if (op == BPF_JA) {
                taken = true;
            } else {
                if (BPF_SRC(i.code) != BPF_K) FAIL("register jump at " << pc);
                uint64_t d = read(i.dst_reg);
                switch (op) {
                    case BPF_JEQ: taken = d == imm; break;
                    case BPF_JNE: taken = d != imm; break;
                    case BPF_JGT: taken = d > imm; break;
                    case BPF_JSET: taken = (d & imm) != 0; break;
                    default: FAIL("jump op " << int(i.code) << " at " << pc);
                }
            }
            if (i.off < 0) FAIL("backward jump at " << pc);
            pc += 1 + (taken ? static_cast<size_t>(i.off) : 0);
        } else {
            FAIL("instruction class " << int(cls) << " at " << pc);
        }
    }
    FAIL("no exit");
    return 0;
}

bool allowed(const std::vector<bpf_insn>& prog, const Request& q) { return run(prog, ctx_for(q)) == 1; }

constexpr auto any = std::nullopt;
spec::DeviceRule deny_all() { return rule(false, "", any, any, ""); }
spec::DeviceRule allow_all() { return rule(true, "a", any, any, "rwm"); }

// The same decision, computed the obvious way: every requested bit starts
// denied, each matching rule naming the bit sets it, in order.
bool reference(const std::vector<spec::DeviceRule>& rules, const Request& q) {
    uint32_t want = access_bits(q.access);
    if (want == 0) return false;
    for (uint32_t bit = 1; bit <= 4; bit <<= 1) {
        if (!(want & bit)) continue;
        bool ok = false;
        for (const auto& raw : rules) {
            auto r = normalised(raw);
            bool match = (r.type == "a" || r.type[0] == q.type) && (!r.major || *r.major == q.major) &&
                         (!r.minor || *r.minor == q.minor) && (access_bits(r.access) & bit);
            if (match) ok = r.allow;
        }
        if (!ok) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("bpf device filter: no rules, deny all", "[bpf]") {
    for (const auto& rules : {std::vector<spec::DeviceRule>{}, std::vector{deny_all()}}) {
        auto prog = device_filter_program(rules);
        CHECK(prog.size() == 2);
        CHECK_FALSE(allowed(prog, {'c', 1, 3, "r"}));
        CHECK_FALSE(allowed(prog, {'b', 8, 0, "m"}));
    }
}

TEST_CASE("bpf device filter: allow all, then a later deny overrides", "[bpf]") {
    auto all = device_filter_program({allow_all()});
    CHECK(all.size() == 9);
    CHECK(allowed(all, {'c', 1, 3, "rwm"}));
    CHECK(allowed(all, {'b', 8, 0, "r"}));

    // An empty type and access are "a" and "rwm".
    auto prog = device_filter_program({rule(true, "", any, any, ""), rule(false, "c", 1, 3, "")});
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "r"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "m"}));
    CHECK(allowed(prog, {'c', 1, 5, "rw"}));
    CHECK(allowed(prog, {'b', 1, 3, "rw"}));  // the deny names char devices only

    // And an even later allow overrides the deny again.
    prog = device_filter_program({allow_all(), rule(false, "c", 1, any, "rwm"), rule(true, "c", 1, 3, "rwm")});
    CHECK(allowed(prog, {'c', 1, 3, "rw"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 4, "r"}));
    CHECK(allowed(prog, {'c', 2, 4, "r"}));
}

TEST_CASE("bpf device filter: deny all, then the default rules", "[bpf]") {
    std::vector<spec::DeviceRule> rules{deny_all()};
    for (const auto& d : default_device_rules()) rules.push_back(d);
    auto prog = device_filter_program(rules);
    CHECK(prog.size() == 53);  // the count the header and the report give

    for (uint32_t minor : {3u, 5u, 7u, 8u, 9u}) {  // null zero full random urandom
        CHECK(allowed(prog, {'c', 1, minor, "rw"}));
        CHECK(allowed(prog, {'c', 1, minor, "rwm"}));
    }
    CHECK(allowed(prog, {'c', 5, 0, "rw"}));     // tty
    CHECK(allowed(prog, {'c', 5, 2, "rw"}));     // ptmx
    CHECK(allowed(prog, {'c', 136, 7, "rw"}));   // /dev/pts/7
    CHECK(allowed(prog, {'c', 10, 200, "rw"}));  // tun
    CHECK(allowed(prog, {'c', 4, 1, "m"}));      // mknod of any char device
    CHECK(allowed(prog, {'b', 8, 0, "m"}));      // and block device
    CHECK_FALSE(allowed(prog, {'c', 4, 1, "r"}));   // tty1
    CHECK_FALSE(allowed(prog, {'c', 4, 1, "rm"}));  // m alone is allowed, r is not
    CHECK_FALSE(allowed(prog, {'b', 8, 0, "r"}));   // sda
    CHECK_FALSE(allowed(prog, {'c', 1, 1, "rw"}));  // /dev/mem
    CHECK_FALSE(allowed(prog, {'c', 10, 229, "rw"}));
    CHECK_FALSE(allowed(prog, {'b', 1, 3, "r"}));  // right numbers, wrong type
}

TEST_CASE("bpf device filter: wildcard majors and minors", "[bpf]") {
    auto prog = device_filter_program({deny_all(), rule(true, "c", any, 3, "rwm"), rule(true, "b", 8, any, "rw")});
    CHECK(allowed(prog, {'c', 7, 3, "r"}));
    CHECK(allowed(prog, {'c', 1, 3, "w"}));
    CHECK_FALSE(allowed(prog, {'c', 7, 4, "r"}));
    CHECK_FALSE(allowed(prog, {'b', 7, 3, "r"}));
    CHECK(allowed(prog, {'b', 8, 0, "rw"}));
    CHECK(allowed(prog, {'b', 8, 16, "r"}));
    CHECK_FALSE(allowed(prog, {'b', 8, 0, "m"}));
    CHECK_FALSE(allowed(prog, {'b', 9, 0, "r"}));
    CHECK_FALSE(allowed(prog, {'c', 8, 0, "r"}));

    // Type "a" with a major: both types, that major only.
    prog = device_filter_program({rule(true, "a", 1, any, "rwm")});
    CHECK(allowed(prog, {'c', 1, 3, "rw"}));
    CHECK(allowed(prog, {'b', 1, 0, "r"}));
    CHECK_FALSE(allowed(prog, {'c', 2, 0, "r"}));
}

TEST_CASE("bpf device filter: partial access, as v1 decides it", "[bpf]") {
    // v1: an exception allows a request only when it holds every requested bit.
    auto prog = device_filter_program({deny_all(), rule(true, "c", 1, 3, "r")});
    CHECK(allowed(prog, {'c', 1, 3, "r"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "rw"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "w"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "m"}));

    // v1 merges "r" and "w" for the same device into "rw".
    prog = device_filter_program({deny_all(), rule(true, "c", 1, 3, "r"), rule(true, "c", 1, 3, "w")});
    CHECK(allowed(prog, {'c', 1, 3, "rw"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "rwm"}));

    // v1 takes bits away from an exception: "rwm" then deny "w" leaves "rm".
    prog = device_filter_program({deny_all(), rule(true, "c", 1, 3, "rwm"), rule(false, "c", 1, 3, "w")});
    CHECK(allowed(prog, {'c', 1, 3, "r"}));
    CHECK(allowed(prog, {'c', 1, 3, "rm"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "rw"}));
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "w"}));

    // v1 in allow-all mode: a deny exception refuses any request sharing a bit.
    prog = device_filter_program({allow_all(), rule(false, "b", 8, 0, "w")});
    CHECK(allowed(prog, {'b', 8, 0, "rm"}));
    CHECK_FALSE(allowed(prog, {'b', 8, 0, "rw"}));
    CHECK(allowed(prog, {'b', 8, 1, "rw"}));
}

TEST_CASE("bpf device filter: a later deny inside an earlier wider allow", "[bpf]") {
    // v1 ignores this deny (it only removes identical exceptions); the
    // filter honours it. See the header.
    auto prog = device_filter_program({deny_all(), rule(true, "c", 1, any, "rwm"), rule(false, "c", 1, 3, "rwm")});
    CHECK_FALSE(allowed(prog, {'c', 1, 3, "r"}));
    CHECK(allowed(prog, {'c', 1, 5, "r"}));
}

TEST_CASE("bpf device filter: requests the kernel does not make are denied", "[bpf]") {
    auto prog = device_filter_program({allow_all()});
    bpf_cgroup_dev_ctx ctx = ctx_for({'c', 1, 3, ""});
    CHECK(run(prog, ctx) == 0);
    ctx.access_type |= 8u << 16;  // an access bit this program does not know
    CHECK(run(prog, ctx) == 0);
}

TEST_CASE("bpf device filter: shadowed rules are not emitted", "[bpf]") {
    auto wide = device_filter_program({deny_all(), rule(true, "c", 1, any, "rwm")});
    // Covered by the later wider rule, and denies before any allow.
    auto same = device_filter_program({rule(false, "c", 1, 3, "rwm"), deny_all(), rule(true, "c", 1, 3, "r"),
                                       rule(false, "c", 1, 4, "w"), rule(true, "c", 1, any, "rwm")});
    CHECK(same.size() == wide.size());
    // A rule for a device number no device has is dropped, not an error.
    auto huge = device_filter_program({deny_all(), rule(true, "c", 1, any, "rwm"),
                                       rule(false, "c", int64_t{1} << 31, any, "rwm")});
    CHECK(huge.size() == wide.size());
}

TEST_CASE("bpf device filter: bad rules name the field", "[bpf]") {
    CHECK_THROWS_WITH(device_filter_program({rule(true, "x", any, any, "rwm")}),
                      Catch::Contains("linux.resources.devices") && Catch::Contains("\"x\""));
    // An access with none of r, w, m; other letters are dropped ("rx" is "r", as runc).
    CHECK_THROWS_WITH(device_filter_program({rule(true, "c", 1, 3, "x")}),
                      Catch::Contains("linux.resources.devices") && Catch::Contains("\"x\""));
    auto rx = device_filter_program({rule(true, "c", 1, 3, "rx")});
    auto r = device_filter_program({rule(true, "c", 1, 3, "r")});
    REQUIRE(rx.size() == r.size());
    CHECK(std::memcmp(rx.data(), r.data(), r.size() * sizeof r[0]) == 0);
    CHECK_THROWS_WITH(device_filter_program({deny_all(), rule(true, "c", int64_t{1} << 32, 3, "r")}),
                      Catch::Contains("linux.resources.devices[1].major: 4294967296 is out of range"));
    CHECK_THROWS_WITH(device_filter_program({rule(true, "c", 1, int64_t{1} << 40, "r")}),
                      Catch::Contains("linux.resources.devices[0].minor"));
}

TEST_CASE("bpf device filter: random rule lists agree with the reference", "[bpf]") {
    std::mt19937 rng(20240611);  // fixed: the same lists every run
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    const std::vector<std::string> types{"", "a", "b", "c"};
    const std::vector<std::optional<int64_t>> majors{any, 1, 2}, minors{any, 3, 4};
    const std::vector<std::string> accesses{"", "r", "w", "m", "rw", "rm", "wm", "rwm"};
    for (int list = 0; list < 400; ++list) {
        std::vector<spec::DeviceRule> rules;
        size_t n = pick(9);
        for (size_t i = 0; i < n; ++i)
            rules.push_back(rule(pick(2) == 0, types[pick(4)], majors[pick(3)], minors[pick(3)], accesses[pick(8)]));
        auto prog = device_filter_program(rules);
        for (char type : {'b', 'c'})
            for (uint32_t major : {1u, 2u, 5u})
                for (uint32_t minor : {3u, 4u, 9u})
                    for (size_t a = 1; a < accesses.size(); ++a) {
                        Request q{type, major, minor, accesses[a]};
                        bool want = reference(rules, q);
                        if (allowed(prog, q) != want) {
                            std::ostringstream list_text;
                            for (const auto& r : rules) list_text << (r.allow ? "allow " : "deny ") << render_v1(r) << "; ";
                            FAIL(list_text.str() << "request " << type << " " << major << ":" << minor << " "
                                                 << q.access << ": want " << want);
                        }
                    }
    }
}
