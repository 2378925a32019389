#include <cstdio>

#include "cli.hpp"
#include "ocirt/features.hpp"

namespace ocirt::cli {

Command features_command() {
    Command c;
    c.name = "features";
    c.summary = "show the enabled features";
    c.run = [](const GlobalOptions&, const Args&) {
        std::printf("%s\n", features().dump(4).c_str());
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
