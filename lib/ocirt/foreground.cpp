#include "ocirt/foreground.hpp"

#include <sys/prctl.h>

#include <optional>

#include "ocirt/linux/supervise.hpp"
#include "ocirt/util/error.hpp"

namespace ocirt {

int run_in_foreground(Factory& factory, const std::string& id, CreateOptions opts, bool keep) {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) throw_errno("become a subreaper");
    linux_::BlockedSignals signals;
    linux_::ConsoleReceiver console;  // used if process.terminal is true
    opts.io.console_fd = console.far_end();

    Container c = factory.create(id, opts);
    console.close_far_end();
    auto relay = console.take_relay();
    try {
        c.start();
    } catch (...) {
        // Nothing of a container that never ran is left, unless --keep (as runc: a
        // container stopped by a failed poststart hook stays for inspection).
        if (!keep) c.destroy(/*force=*/true);
        throw;
    }
    c.unlock();

    int code = linux_::supervise(c.state().pid, signals, relay);
    relay.reset();  // the terminal back to how it was before anything is printed
    if (!keep) factory.load(id).destroy(/*force=*/true);
    return code;
}

}  // namespace ocirt
