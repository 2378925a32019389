#pragma once
// CRIU's own reason for a failure: the error lines of its log file.
#include <string>

namespace ocirt::linux_::criu {

// The last (up to 5) lines of `log` that carry "Error", else its last 5 lines,
// each on a line of its own indented by two spaces; "" when it cannot be read.
std::string log_errors(const std::string& log);

}  // namespace ocirt::linux_::criu
