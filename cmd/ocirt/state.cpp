#include <cstdio>

#include "cli.hpp"
#include "ocirt/factory.hpp"

namespace ocirt::cli {

Command state_command() {
    Command c;
    c.name = "state";
    c.args_usage = "<container-id>";
    c.summary = "output the state of a container";
    c.min_args = c.max_args = 1;
    c.run = [](const GlobalOptions& g, const Args& a) {
        Container ct = Factory(g.root).load(a.positional()[0], /*lock=*/false);
        std::printf("%s", oci_state_view(ct.state(), ct.status()).dump(2).c_str());
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
