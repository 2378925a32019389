// seccomp_cache_key: SHA-256 over a canonical serialization of what changes a
// compiled seccomp program.
#include <seccomp.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ocirt/linux/seccomp.hpp"

namespace ocirt::linux_ {
namespace detail {
namespace {

// FIPS 180-4, section 4.2.2.
constexpr std::array<uint32_t, 64> kK{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<uint32_t, 8>& h, const unsigned char* block) {
    std::array<uint32_t, 64> w{};
    for (int t = 0; t < 16; ++t)
        w[t] = uint32_t(block[4 * t]) << 24 | uint32_t(block[4 * t + 1]) << 16 |
               uint32_t(block[4 * t + 2]) << 8 | uint32_t(block[4 * t + 3]);
    for (int t = 16; t < 64; ++t) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; ++t) {
        uint32_t t1 =
            k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    std::array<uint32_t, 8> h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    size_t n = data.size();
    size_t off = 0;
    for (; n - off >= 64; off += 64) compress(h, p + off);
    // Last block(s): the rest, 0x80, zeros, the length in bits (big endian).
    std::array<unsigned char, 128> tail{};
    size_t rest = n - off;
    std::memcpy(tail.data(), p + off, rest);
    tail[rest] = 0x80;
    size_t len = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = uint64_t(n) * 8;
    for (int i = 0; i < 8; ++i) tail[len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
    compress(h, tail.data());
    if (len == 128) compress(h, tail.data() + 64);

    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (uint32_t v : h)
        for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xf];
    return out;
}

}  // namespace detail

namespace {

// Length-prefixed, so no two different sequences serialize the same.
void put(std::string& out, std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
    out += ';';
}

void put(std::string& out, uint64_t v) {
    out += 'u';
    out += std::to_string(v);
    out += ';';
}

void put(std::string& out, const std::optional<uint32_t>& v) {
    if (v)
        put(out, uint64_t{*v});
    else
        out += "-;";
}

}  // namespace

std::string seccomp_cache_key(const spec::Seccomp& s) {
    std::string c;
    // v2: programs carry the -ENOSYS prologue (seccomp_enosys.hpp), which
    // depends only on what follows (profile, libseccomp, native arch); v1
    // entries, compiled without it, must not be found.
    put(c, "ocirt-seccomp-program-v2");
    const scmp_version* v = seccomp_version();
    put(c, v ? uint64_t{v->major} << 32 | uint64_t{v->minor} << 16 | v->micro : 0);
    put(c, uint64_t{seccomp_arch_native()});

    auto errno_of = [](const std::string& action, const std::optional<uint32_t>& e) {
        // An absent errnoRet is EPERM for the actions that take one; for the
        // others it must stay absent (a present one is an error).
        if (!e && (action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE"))
            return std::optional<uint32_t>(EPERM);
        return e;
    };

    put(c, s.default_action);
    put(c, errno_of(s.default_action, s.default_errno_ret));
    put(c, uint64_t{s.architectures.size()});
    for (const auto& a : s.architectures) put(c, a);
    put(c, uint64_t{s.flags.size()});
    for (const auto& f : s.flags) put(c, f);
    put(c, uint64_t{s.syscalls.size()});
    for (const auto& sc : s.syscalls) {
        put(c, uint64_t{sc.names.size()});
        for (const auto& n : sc.names) put(c, n);
        put(c, sc.action);
        put(c, errno_of(sc.action, sc.errno_ret));
        put(c, uint64_t{sc.args.size()});
        for (const auto& a : sc.args) {
            put(c, uint64_t{a.index});
            put(c, a.value);
            put(c, a.value_two.value_or(0));
            put(c, a.op);
        }
    }
    return detail::sha256_hex(c);
}

}  // namespace ocirt::linux_
