// Container::update: `ocirt update`, the container's cgroup limits changed in
// place and remembered in its config copy.
#include "ocirt/update.hpp"

#include <nlohmann/json.hpp>

#include "ocirt/container.hpp"
#include "ocirt/linux/cgroups/manager.hpp"
#include "ocirt/spec/parse.hpp"
#include "ocirt/spec/resources_json.hpp"
#include "ocirt/spec/resources_merge.hpp"
#include "ocirt/spec/validate.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt {
namespace {

// The limits alone: an update never touches the device rules.
spec::Resources without_devices(spec::Resources r) {
    r.devices.clear();
    return r;
}

}  // namespace

void apply_or_restore(cgroups::Manager& cg, const spec::Resources& merged, const spec::Resources& stored,
                      const std::string& cgroup_path, const std::string& config_path) {
    try {
        cg.apply(without_devices(merged));
    } catch (const Error& failed) {
        // Half of the new values may be in: put the stored ones back. If that
        // fails too, the cgroup holds values nothing records, and the caller
        // must hear it: both failures are reported.
        try {
            cg.apply(without_devices(stored));
        } catch (const Error& restore) {
            throw Error::preformatted(failed.code(), "update failed: " + std::string(failed.what()) +
                                                         "; restoring the previous limits failed too: " +
                                                         restore.what() + "; cgroup " + cgroup_path +
                                                         " now holds values (those written before the update "
                                                         "failed) that " + config_path + " does not record");
        }
        throw;
    }
}

void Container::update(const spec::Resources& resources) {
    Status s = status();
    if (s == Status::stopped || s == Status::creating)
        throw Error("cannot update container \"" + id() + "\": container not running (it is " +
                    to_string(s) + ")");

    const std::string path = dir_ + "/config.json";
    nlohmann::json doc = spec::parse_json(read_file(path), path);
    spec::Config config = with_context(path, [&] { return spec::parse_config(doc); });
    spec::Resources stored;
    if (config.linux && config.linux->resources) stored = *config.linux->resources;
    spec::Resources merged = spec::merge_resources(stored, resources);
    spec::validate_resources(merged);

    apply_or_restore(*cgroup(), merged, stored, state_.cgroup_path, path);
    spec::store_resources(doc["linux"]["resources"], merged);
    write_atomic(path, doc.dump(2) + "\n", 0600);
}

}  // namespace ocirt
