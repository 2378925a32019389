#include <fcntl.h>
#include <unistd.h>

#include "cli.hpp"
#include "ocirt/spec/defaults.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"
#include "ocirt/util/file.hpp"

namespace ocirt::cli {

Command spec_command() {
    Command c;
    c.name = "spec";
    c.summary = "create a new specification file";
    c.flags = {{{"bundle", "b"}, true, "value", "path to the root of the bundle directory"},
               {{"rootless"}, false, "", "generate a configuration for a rootless container"}};
    c.run = [](const GlobalOptions&, const Args& a) {
        std::string path = join_path(a.get("bundle", "."), "config.json");
        if (path_exists(path)) throw Error(path + " already exists: remove it first");
        std::string text = spec::default_spec(a.has("rootless")).dump(1, '\t') + "\n";
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) throw_errno(path);
        Fd f(fd);
        if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) throw_errno("write " + path);
        return 0;
    };
    return c;
}

}  // namespace ocirt::cli
