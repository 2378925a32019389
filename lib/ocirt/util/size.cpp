#include "ocirt/util/size.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "ocirt/util/error.hpp"

namespace ocirt {

int64_t parse_ram_size(const std::string& text) {
    auto bad = [&]() -> Error { return Error("invalid size: '" + text + "'"); };
    size_t n = text.find_first_not_of("0123456789.");
    std::string number = text.substr(0, n);
    if (number.empty() || !std::isdigit(static_cast<unsigned char>(number[0])) || number.back() == '.' ||
        number.find('.') != number.rfind('.'))
        throw bad();
    std::string_view rest = n == std::string::npos ? std::string_view() : std::string_view(text).substr(n);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    double multiplier = 1;
    if (!rest.empty()) {
        static constexpr std::string_view kUnits = "kmgtp";
        size_t unit = kUnits.find(static_cast<char>(std::tolower(static_cast<unsigned char>(rest.front()))));
        if (unit != std::string_view::npos) {
            multiplier = std::pow(1024.0, static_cast<double>(unit + 1));
            rest.remove_prefix(1);
        }
    }
    if (!rest.empty() && (rest.front() == 'i' || rest.front() == 'I')) rest.remove_prefix(1);
    if (!rest.empty() && (rest.front() == 'b' || rest.front() == 'B')) rest.remove_prefix(1);
    if (!rest.empty()) throw bad();
    double bytes = std::strtod(number.c_str(), nullptr) * multiplier;
    if (!(bytes < 9223372036854775807.0)) throw bad();
    return static_cast<int64_t>(bytes);
}

}  // namespace ocirt
