#include "ocirt/linux/rootless.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

bool to_u32(const std::string& s, uint32_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

std::vector<MapRange> parse_id_map(const std::string& text, const std::string& what) {
    std::vector<MapRange> out;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        std::istringstream words(line);
        std::string a, b, c, extra;
        if (!(words >> a)) continue;  // blank line
        MapRange r;
        if (!(words >> b >> c) || (words >> extra) || !to_u32(a, r.inside) || !to_u32(b, r.outside) ||
            !to_u32(c, r.count))
            throw Error(what + ": line " + std::to_string(n) + " is not \"inside outside count\": \"" + line + "\"");
        out.push_back(r);
    }
    return out;
}

bool is_host_map(const std::vector<MapRange>& map) {
    return map.size() == 1 && map[0] == MapRange{0, 0, 4294967295u};
}

bool detect_rootless(uid_t euid, const std::string& uid_map_text) {
    if (euid != 0) return true;
    // No uid_map (no user namespace support): the host's root.
    if (uid_map_text.empty()) return false;
    return !is_host_map(parse_id_map(uid_map_text, "/proc/self/uid_map"));
}

bool running_rootless() {
    static const bool rootless = [] {
        std::string text;
        if (::geteuid() == 0) {
            try {
                text = read_file("/proc/self/uid_map");
            } catch (const Error&) {
            }
        }
        return detect_rootless(::geteuid(), text);
    }();
    return rootless;
}

std::string default_state_root() {
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg && running_rootless()) {
        const char* user = std::getenv("USER");
        // Root of a user namespace with USER=root: a root login that happens
        // to be in one, keeps the host's default (runc's rule).
        if (::geteuid() != 0 || !user || std::string(user) != "root") return join_path(xdg, "ocirt");
    }
    return "/run/ocirt";
}

std::vector<SubRange> parse_subid(const std::string& text) {
    std::vector<SubRange> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;  // as shadow-utils: a malformed line is skipped
        SubRange r;
        r.owner = line.substr(0, a);
        if (!to_u32(line.substr(a + 1, b - a - 1), r.start) || !to_u32(line.substr(b + 1), r.count)) continue;
        out.push_back(r);
    }
    return out;
}

}  // namespace ocirt::linux_
