#pragma once
// Durations as Go's time.ParseDuration reads them (runc's --interval):
// an optional sign, then one or more decimal numbers each with a unit:
// "300ms", "1.5h", "2h45m", "-1s", "0". Units: ns, us (µs, μs), ms, s, m, h.
#include <chrono>
#include <string>

namespace ocirt {

// Throws Error `time: invalid duration "TEXT"` (Go's wording) on bad syntax,
// a missing unit, an unknown unit or an overflow of int64 nanoseconds.
std::chrono::nanoseconds parse_go_duration(const std::string& text);

}  // namespace ocirt
