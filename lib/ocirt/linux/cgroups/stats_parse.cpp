#include "ocirt/linux/cgroups/stats_parse.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>

#include "ocirt/linux/cgroups/files.hpp"
#include "ocirt/util/dir.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt::cgroups {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

// Words separated by any run of the given separators.
std::vector<std::string_view> split(std::string_view s, std::string_view seps) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find_first_of(seps, i);
        if (j == std::string_view::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::vector<std::string_view> lines(std::string_view s) {
    std::vector<std::string_view> out;
    for (auto l : split(s, "\n"))
        if (!trim(l).empty()) out.push_back(trim(l));
    return out;
}

[[noreturn]] void malformed(const std::string& path, std::string_view what) {
    throw Error(path + ": unexpected content \"" + std::string(what) + "\"");
}

template <typename T>
T number(std::string_view word, const std::string& path) {
    T v{};
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec != std::errc() || end != word.data() + word.size() || word.empty()) malformed(path, word);
    return v;
}

// "8:16" -> 8, 16
void device(std::string_view word, const std::string& path, uint64_t& major, uint64_t& minor) {
    auto colon = word.find(':');
    if (colon == std::string_view::npos) malformed(path, word);
    major = number<uint64_t>(word.substr(0, colon), path);
    minor = number<uint64_t>(word.substr(colon + 1), path);
}

}  // namespace

uint64_t parse_uint(std::string_view text, const std::string& path) {
    text = trim(text);
    if (text == "max") return std::numeric_limits<uint64_t>::max();
    return number<uint64_t>(text, path);
}

int64_t parse_int(std::string_view text, const std::string& path) {
    return number<int64_t>(trim(text), path);
}

std::vector<uint64_t> parse_uint_list(std::string_view text, const std::string& path) {
    std::vector<uint64_t> out;
    for (auto w : split(text, " \t\n")) out.push_back(number<uint64_t>(w, path));
    return out;
}

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text, const std::string& path) {
    std::map<std::string, uint64_t> out;
    for (auto l : lines(text)) {
        auto w = split(l, " \t");
        if (w.size() != 2) malformed(path, l);
        out[std::string(w[0])] = parse_uint(w[1], path);
    }
    return out;
}

std::vector<BlkioEntry> parse_blkio(std::string_view text, const std::string& path) {
    std::vector<BlkioEntry> out;
    for (auto l : lines(text)) {
        auto w = split(l, " \t");
        if (w.size() == 2 && w[0] == "Total") continue;
        if (w.size() != 2 && w.size() != 3) malformed(path, l);
        BlkioEntry e;
        device(w[0], path, e.major, e.minor);
        if (w.size() == 3) e.op = std::string(w[1]);
        e.value = number<uint64_t>(w.back(), path);
        out.push_back(std::move(e));
    }
    return out;
}

void parse_usage_all(std::string_view text, const std::string& path, std::vector<uint64_t>& user,
                     std::vector<uint64_t>& system) {
    auto ls = lines(text);
    if (ls.empty()) return;
    if (split(ls[0], " \t") != std::vector<std::string_view>{"cpu", "user", "system"}) malformed(path, ls[0]);
    for (size_t i = 1; i < ls.size(); ++i) {
        auto w = split(ls[i], " \t");
        if (w.size() != 3) malformed(path, ls[i]);
        user.push_back(number<uint64_t>(w[1], path));
        system.push_back(number<uint64_t>(w[2], path));
    }
}

std::vector<NestedKeyedLine> parse_nested_keyed(std::string_view text, const std::string& path) {
    std::vector<NestedKeyedLine> out;
    for (auto l : lines(text)) {
        auto w = split(l, " \t");
        NestedKeyedLine line;
        device(w[0], path, line.major, line.minor);
        for (size_t i = 1; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            if (eq == std::string_view::npos) malformed(path, w[i]);
            line.values.emplace_back(w[i].substr(0, eq), w[i].substr(eq + 1));
        }
        out.push_back(std::move(line));
    }
    return out;
}

std::optional<std::string> StatDir::text(const std::string& name) const {
    if (!present()) return std::nullopt;
    return read_file_if_exists(path(name));
}

uint64_t StatDir::uint(const std::string& name) const {
    auto t = text(name);
    return t ? parse_uint(*t, path(name)) : 0;
}

std::map<std::string, uint64_t> StatDir::keyed(const std::string& name) const {
    auto t = text(name);
    return t ? parse_flat_keyed(*t, path(name)) : std::map<std::string, uint64_t>{};
}

std::vector<std::string> StatDir::names_between(const std::string& prefix, const std::string& suffix) const {
    std::vector<std::string> out;
    if (!present()) return out;
    Dir d = Dir::open(dir_);
    if (!d) {
        if (errno == ENOENT) return out;
        throw_errno("list " + dir_);
    }
    for (const auto& e : d.entries("list " + dir_)) {
        std::string_view n = e.name;
        if (n.size() <= prefix.size() + suffix.size() || n.substr(0, prefix.size()) != prefix ||
            n.substr(n.size() - suffix.size()) != suffix)
            continue;
        auto x = n.substr(prefix.size(), n.size() - prefix.size() - suffix.size());
        if (x.find('.') == std::string_view::npos) out.emplace_back(x);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ocirt::cgroups
