#pragma once
// linux.netDevices (runtime-spec 1.3): host interfaces moved into the
// container's network namespace by the parent, once the init's namespace
// exists and before the prestart/createRuntime hooks and the init's start.
// Each keeps its permanent global addresses (re-added inside: a move drops
// them) and is set up. A failed create moves them back under their host
// names, with their addresses and up/down state; delete leaves them to the
// kernel, as the spec asks (physical ones return to the host when the
// namespace dies, virtual ones die with it): docs/conformance.md.
#include <map>
#include <string>
#include <vector>

#include "ocirt/linux/netlink.hpp"
#include "ocirt/spec/config.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// Before anything exists: every host interface is there, and a joined
// network namespace is not the runtime's own. Errors name
// linux.netDevices["<name>"].
void check_net_devices(const spec::Config& c);

class NetDevices {
public:
    NetDevices() = default;
    // Moves every device into the namespace of netns (kept open until
    // commit, so a failed create can still move them back after the init died).
    // On a failure, those already moved go back before the throw.
    NetDevices(const std::map<std::string, spec::NetDevice>& devices, Fd netns);
    NetDevices(const NetDevices&) = delete;
    NetDevices& operator=(const NetDevices&) = delete;
    NetDevices(NetDevices&&) = default;
    NetDevices& operator=(NetDevices&&) = default;
    ~NetDevices();  // moves back unless committed
    void commit();

private:
    struct Moved {
        std::string host_name;
        std::string inside_name;  // as asked; a "%d" template is resolved after the move
        int host_index = 0;
        bool was_up = false;
        std::vector<netlink::Address> addresses;  // the host's, all of them
    };
    void move_in(netlink::Socket& host, netlink::Socket& inside, const std::string& name,
                 const spec::NetDevice& dev);
    void move_back() noexcept;

    Fd netns_;
    std::vector<Moved> moved_;
};

}  // namespace ocirt::linux_
