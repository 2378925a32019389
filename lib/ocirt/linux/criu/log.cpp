// log.hpp: the error lines of a CRIU log.
#include "ocirt/linux/criu/log.hpp"

#include <sstream>
#include <vector>

#include "ocirt/util/file.hpp"

namespace ocirt::linux_::criu {

std::string log_errors(const std::string& log) {
    std::string text;
    try {
        text = read_file(log);
    } catch (const std::exception&) {
        return "";
    }
    std::vector<std::string> lines, errors;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (l.empty()) continue;
        lines.push_back(l);
        if (l.find("Error") != std::string::npos) errors.push_back(l);
    }
    const auto& pick = errors.empty() ? lines : errors;
    std::string out;
    for (size_t i = pick.size() > 5 ? pick.size() - 5 : 0; i < pick.size(); ++i) out += "\n  " + pick[i];
    return out;
}

}  // namespace ocirt::linux_::criu
