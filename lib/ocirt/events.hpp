#pragma once
// `ocirt events`: a container's resource usage and OOM notifications, as runc
// prints them: one JSON object per line, {"type":"stats","id":ID,"data":{...}}
// every interval and {"type":"oom","id":ID} as soon as the OOM killer acts.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "ocirt/linux/cgroups/stats.hpp"

namespace ocirt {

class Container;

namespace events {

// The "data" of a stats event: runc's field names, order and nesting; zero
// fields that runc omits are omitted (schema/events.schema.json).
nlohmann::ordered_json stats_json(const cgroups::Stats& s);
nlohmann::ordered_json stats_event(const std::string& id, const cgroups::Stats& s);
nlohmann::ordered_json oom_event(const std::string& id);

struct Options {
    std::chrono::nanoseconds interval = std::chrono::seconds(5);  // > 0
    bool once = false;  // --stats: one stats event now, then return
};

// Writes the container's events to `out`, one line each. A stopped container
// is refused ("container with id ID is not running"); created and paused ones
// are fine. The first stats event comes one interval after the start. Returns
// 0 when the container stops (its init exits or its cgroup is removed), or the
// number of the signal (SIGINT, SIGTERM) that ended it; a line is never cut.
int run(const Container& c, const Options& opts, int out);

}  // namespace events
}  // namespace ocirt
