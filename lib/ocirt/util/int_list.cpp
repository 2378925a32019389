#include "ocirt/util/int_list.hpp"

#include <cctype>

#include "ocirt/util/error.hpp"

namespace ocirt {

std::vector<unsigned> parse_int_list(const std::string& text, const std::string& where) {
    std::vector<unsigned> out;
    auto bad = [&] { return Error(where + ": invalid list \"" + text + "\" (want e.g. \"0-3,7\")"); };
    size_t i = 0;
    auto number = [&]() -> unsigned {
        size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        if (i == start || i - start > 6) throw bad();
        return static_cast<unsigned>(std::stoul(text.substr(start, i - start)));
    };
    if (text.empty()) throw bad();
    while (i < text.size()) {
        unsigned lo = number(), hi = lo;
        if (i < text.size() && text[i] == '-') {
            ++i;
            hi = number();
            if (hi < lo) throw bad();
        }
        for (unsigned v = lo; v <= hi; ++v) out.push_back(v);
        if (i < text.size()) {
            if (text[i] != ',' || i + 1 == text.size()) throw bad();
            ++i;
        }
    }
    return out;
}

}  // namespace ocirt
