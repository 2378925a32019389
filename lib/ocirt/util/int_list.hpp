#pragma once
// Kernel list syntax for CPUs and NUMA nodes: "0-3,7,9-10".
#include <string>
#include <vector>

namespace ocirt {
// `where` names the field in errors.
std::vector<unsigned> parse_int_list(const std::string& text, const std::string& where);
}
