// The on-disk cache of compiled seccomp programs.
//
// Entry file "<key>.bpf": a fixed header, the instructions, and the key again
// at the end (a truncated or foreign file fails the size or key check).
#include "ocirt/linux/seccomp_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"
#include "ocirt/util/log.hpp"

namespace ocirt::linux_ {
namespace {

constexpr char kMagic[8] = {'O', 'C', 'I', 'R', 'T', 'S', 'C', '1'};
constexpr size_t kKeyLen = 64;  // SHA-256 in hex
// Far above any real profile (podman's default is ~1.5k), far below a
// size that could hurt to read.
constexpr uint32_t kMaxInsns = 1u << 16;

struct Header {
    char magic[8];
    uint32_t flags;
    uint32_t uses_notify;
    uint32_t count;
    uint32_t reserved;
};

std::string serialize(const SeccompProgram& p, const std::string& key) {
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.flags = p.flags;
    h.uses_notify = p.uses_notify ? 1 : 0;
    h.count = static_cast<uint32_t>(p.insns.size());
    std::string out(reinterpret_cast<const char*>(&h), sizeof h);
    out.append(reinterpret_cast<const char*>(p.insns.data()), p.insns.size() * sizeof(sock_filter));
    out += key;
    return out;
}

std::optional<SeccompProgram> parse(const std::string& data, const std::string& key) {
    Header h;
    if (data.size() < sizeof h + kKeyLen) return std::nullopt;
    std::memcpy(&h, data.data(), sizeof h);
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.count == 0 || h.count > kMaxInsns)
        return std::nullopt;
    const size_t body = size_t(h.count) * sizeof(sock_filter);
    if (data.size() != sizeof h + body + kKeyLen) return std::nullopt;
    if (data.compare(sizeof h + body, kKeyLen, key) != 0) return std::nullopt;
    SeccompProgram p;
    p.flags = h.flags;
    p.uses_notify = h.uses_notify != 0;
    p.insns.resize(h.count);
    std::memcpy(p.insns.data(), data.data() + sizeof h, body);
    return p;
}

// The entry's bytes, if the file is a regular file of ours that nobody else
// could have written.
std::optional<std::string> read_trusted(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return std::nullopt;
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 022) != 0 || st.st_size > off_t(sizeof(Header) + kMaxInsns * 8 + kKeyLen))
        return std::nullopt;
    std::string data(size_t(st.st_size), '\0');
    if (::pread(fd.get(), data.data(), data.size(), 0) != ssize_t(data.size())) return std::nullopt;
    return data;
}

}  // namespace

std::string seccomp_cache_dir(const std::string& state_root) { return state_root + "/@cache/seccomp"; }

SeccompProgram compile_seccomp_cached(const spec::Seccomp& s, const std::string& cache_dir) {
    const std::string key = seccomp_cache_key(s);
    const std::string path = cache_dir + "/" + key + ".bpf";
    if (auto data = read_trusted(path)) {
        if (auto p = parse(*data, key)) {
            spdlog::debug("seccomp: {} instructions from the cache ({})", p->insns.size(), path);
            return *p;
        }
    }
    SeccompProgram p = compile_seccomp(s);
    try {
        mkdir_all(cache_dir, 0700);
        write_atomic(path, serialize(p, key), 0600);
    } catch (const Error& e) {
        // A read-only or full state root must not fail the container.
        spdlog::debug("seccomp: not cached: {}", e.what());
    }
    return p;
}

}  // namespace ocirt::linux_
