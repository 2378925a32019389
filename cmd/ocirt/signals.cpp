#include "signals.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>

#include "ocirt/util/error.hpp"

namespace ocirt::cli {

int parse_signal(const std::string& s) {
    auto bad = [&] { return Error("invalid signal \"" + s + "\""); };
    if (s.empty()) throw bad();
    if (std::all_of(s.begin(), s.end(), ::isdigit)) {
        int n = std::stoi(s.substr(0, 4));
        // 0 sends nothing: kill(2)'s check that the process exists (runc accepts it too).
        if (n < 0 || n > SIGRTMAX) throw bad();
        return n;
    }
    std::string name = s;
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int n = 1; n < SIGRTMIN; ++n) {
        const char* abbrev = sigabbrev_np(n);
        if (abbrev && name == abbrev) return n;
    }
    for (const char* base : {"RTMIN", "RTMAX"}) {
        std::string b = base;
        if (name.rfind(b, 0) != 0) continue;
        std::string rest = name.substr(b.size());
        int origin = b == "RTMIN" ? SIGRTMIN : SIGRTMAX;
        if (rest.empty()) return origin;
        if (rest.size() < 2 || (rest[0] != '+' && rest[0] != '-') ||
            !std::all_of(rest.begin() + 1, rest.end(), ::isdigit))
            throw bad();
        int off = std::stoi(rest.substr(1, 3));
        int n = rest[0] == '+' ? origin + off : origin - off;
        if (n < SIGRTMIN || n > SIGRTMAX) throw bad();
        return n;
    }
    throw bad();
}

}  // namespace ocirt::cli
