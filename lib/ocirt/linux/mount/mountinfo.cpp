#include "ocirt/linux/mount/mountinfo.hpp"

#include <algorithm>
#include <sstream>

#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
            if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

bool MountInfo::has_optional_prefix(const std::string& prefix) const {
    return std::any_of(optional.begin(), optional.end(),
                       [&](const std::string& o) { return o.rfind(prefix, 0) == 0; });
}

std::vector<MountInfo> parse_mountinfo(const std::string& text) {
    std::vector<MountInfo> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        // id parent maj:min root mountpoint options [optional...] - fstype source super
        std::vector<std::string> f;
        std::istringstream words(line);
        for (std::string w; words >> w;) f.push_back(w);
        auto dash = std::find(f.begin() + std::min<long>(6, static_cast<long>(f.size())), f.end(), "-");
        if (f.size() < 6 || dash == f.end() || f.end() - dash < 4) continue;
        MountInfo m;
        m.root = unescape(f[3]);
        m.mountpoint = unescape(f[4]);
        m.optional.assign(f.begin() + 6, dash);
        m.fstype = *(dash + 1);
        m.source = unescape(*(dash + 2));
        m.super_options = *(dash + 3);
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<MountInfo> read_mountinfo(const std::string& path) { return parse_mountinfo(read_file(path)); }

bool path_at_or_below(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace ocirt::linux_
