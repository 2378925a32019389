#include <cstdio>

#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command state_command() {
    return id_command("state", "output the state of a container", [](const GlobalOptions& g, const std::string& id) {
        Container ct = Factory(g.root).load(id, /*lock=*/false);
        // runc prints it indented, without a trailing newline.
        std::printf("%s", oci_state_view(ct.state(), ct.status()).dump(2).c_str());
    });
}

}  // namespace ocirt::cli
