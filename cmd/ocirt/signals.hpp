#pragma once
#include <string>
namespace ocirt::cli {
// "KILL", "SIGKILL", "kill", "9", "RTMIN+3" -> number ("0": no signal, an existence check); Error naming the value otherwise.
int parse_signal(const std::string& s);
}
