#include "ocirt/util/duration.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include "ocirt/util/error.hpp"

namespace ocirt {
namespace {

// Nanoseconds per unit; longer names first so "ms" is not read as "m".
const std::pair<const char*, uint64_t> kUnits[] = {
    {"ns", 1},          {"us", 1000},           {"\u00b5s", 1000}, {"\u03bcs", 1000},
    {"ms", 1000000},    {"s", 1000000000},      {"m", 60000000000}, {"h", 3600000000000},
};

}  // namespace

std::chrono::nanoseconds parse_go_duration(const std::string& text) {
    auto bad = [&] { return Error("time: invalid duration \"" + text + "\""); };
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    if (text.substr(i) == "0") return std::chrono::nanoseconds(0);
    if (i == text.size()) throw bad();
    // Exact in 128 bits; anything above 2^63 ns (~292 years) is an overflow, as in Go.
    const unsigned __int128 limit = static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) + 1;
    unsigned __int128 total = 0;
    while (i < text.size()) {
        unsigned __int128 whole = 0;
        size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            whole = whole * 10 + static_cast<unsigned>(text[i++] - '0');
            if (whole > limit) throw bad();
            ++digits;
        }
        // The fraction: digits after the point, kept as frac / scale.
        unsigned __int128 frac = 0, scale = 1;
        if (i < text.size() && text[i] == '.') {
            ++i;
            while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
                if (scale < static_cast<unsigned __int128>(1e18)) {  // beyond that a digit is below 1 ns
                    frac = frac * 10 + static_cast<unsigned>(text[i] - '0');
                    scale *= 10;
                }
                ++i;
                ++digits;
            }
        }
        if (digits == 0) throw bad();
        uint64_t unit = 0;
        for (const auto& [name, ns] : kUnits) {
            std::string n = name;
            if (text.compare(i, n.size(), n) == 0) {
                unit = ns;
                i += n.size();
                break;
            }
        }
        if (unit == 0) throw bad();
        total += whole * unit + frac * unit / scale;
        if (total > limit) throw bad();
    }
    if (!negative && total == limit) throw bad();
    auto ns = static_cast<int64_t>(negative ? -static_cast<__int128>(total) : static_cast<__int128>(total));
    return std::chrono::nanoseconds(ns);
}

}  // namespace ocirt
