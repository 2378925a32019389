#include "ocirt/linux/idmap.hpp"

#include <string>

#include "ocirt/util/error.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::linux_ {

static std::string render(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps)
        out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
               std::to_string(m.size) + "\n";
    return out;
}

void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uids,
                   const std::vector<spec::IdMapping>& gids) {
    std::string base = "/proc/" + std::to_string(pid);
    // The whole map goes in one write(2): the kernel accepts only one.
    with_context("linux.uidMappings", [&] { write_existing(base + "/uid_map", render(uids)); });
    with_context("linux.gidMappings", [&] { write_existing(base + "/gid_map", render(gids)); });
}

}  // namespace ocirt::linux_
