#include "ocirt/linux/net_devices.hpp"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

std::string field(const std::string& host_name) { return "linux.netDevices[\"" + host_name + "\"]"; }

// What the spec says a move keeps: permanent addresses of global scope.
bool kept(const netlink::Address& a) {
    return (a.flags & IFA_F_PERMANENT) && a.scope == RT_SCOPE_UNIVERSE;
}

bool is_template(const std::string& name) { return name.find('%') != std::string::npos; }

Fd open_own_netns() {
    Fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open /proc/thread-self/ns/net");
    return fd;
}

}  // namespace

void check_net_devices(const spec::Config& c) {
    if (!c.linux || c.linux->net_devices.empty()) return;
    const auto& nss = c.linux->namespaces;
    for (size_t i = 0; i < nss.size(); ++i) {
        if (nss[i].type != spec::NamespaceType::network || nss[i].path.empty()) continue;
        struct stat joined {}, own {};
        if (::stat(nss[i].path.c_str(), &joined) == 0 && ::stat("/proc/thread-self/ns/net", &own) == 0 &&
            joined.st_dev == own.st_dev && joined.st_ino == own.st_ino)
            throw Error("linux.netDevices: linux.namespaces[" + std::to_string(i) + "].path " + nss[i].path +
                        " is the runtime's own network namespace: the devices would not move");
    }
    netlink::Socket host = netlink::Socket::open();
    for (const auto& [name, dev] : c.linux->net_devices) {
        if (!host.link(name)) throw Error(field(name) + ": no such network interface on the host");
    }
}

NetDevices::NetDevices(const std::map<std::string, spec::NetDevice>& devices, Fd netns) : netns_(std::move(netns)) {
    try {
        netlink::Socket host = netlink::Socket::open();
        netlink::Socket inside = netlink::Socket::open_in(netns_.get());
        for (const auto& [name, dev] : devices) move_in(host, inside, name, dev);
    } catch (...) {
        move_back();
        throw;
    }
}

void NetDevices::move_in(netlink::Socket& host, netlink::Socket& inside, const std::string& name,
                         const spec::NetDevice& dev) {
    with_context(field(name), [&] {
        auto link = host.link(name);
        if (!link) throw Error("no such network interface on the host");
        const std::string inside_name = dev.name.empty() ? name : dev.name;
        // The kernel would move the device and then fail the rename, leaving it
        // inside under its host name: check first (a "%d" template never clashes).
        if (!is_template(inside_name) && inside.link(inside_name))
            throw Error("name \"" + inside_name + "\" is already taken in the container's network namespace");
        Moved m{name, inside_name, link->index, (link->flags & IFF_UP) != 0, host.addresses(link->index)};
        try {
            host.move(link->index, netns_.get(), dev.name);
        } catch (Error& e) {
            // Moved but not renamed: it is inside under its host name.
            if (!host.link(link->index)) {
                m.inside_name = name;
                moved_.push_back(m);
            }
            throw e.wrap("move into the container's network namespace as \"" + inside_name + "\"");
        }
        // A device keeps its index when it is free in the new namespace: how a
        // "%d" template's result is found.
        auto in = is_template(inside_name) ? inside.link(link->index) : inside.link(inside_name);
        if (!in) throw Error("moved, but not found in the container's network namespace");
        m.inside_name = in->name;
        moved_.push_back(m);
        for (const auto& a : m.addresses) {
            if (!kept(a)) continue;
            with_context("add address " + a.text() + " inside", [&] { inside.add_address(in->index, a); });
        }
        with_context("set \"" + in->name + "\" up", [&] { inside.set_up(in->index, true); });
        spdlog::debug("{}: moved in as {}", field(name), in->name);
    });
}

void NetDevices::move_back() noexcept {
    if (moved_.empty()) return;
    try {
        Fd own = open_own_netns();
        netlink::Socket host = netlink::Socket::open();
        netlink::Socket inside = netlink::Socket::open_in(netns_.get());
        for (auto it = moved_.rbegin(); it != moved_.rend(); ++it) {
            try {
                auto in = inside.link(it->inside_name);
                if (!in) throw Error("not found in the container's network namespace as \"" + it->inside_name + "\"");
                inside.move(in->index, own.get(), it->host_name);
                auto back = host.link(it->host_name);
                if (!back) throw Error("not found on the host after the move back");
                for (const auto& a : it->addresses) {
                    if (!(a.flags & IFA_F_PERMANENT)) continue;
                    try {
                        host.add_address(back->index, a);
                    } catch (const Error& e) {
                        if (e.code() != EEXIST) spdlog::warn("{}: address {}: {}", field(it->host_name), a.text(), e.what());
                    }
                }
                if (it->was_up) host.set_up(back->index, true);
            } catch (const std::exception& e) {
                spdlog::warn("{}: not moved back to the host: {}", field(it->host_name), e.what());
            }
        }
    } catch (const std::exception& e) {
        spdlog::warn("linux.netDevices: devices not moved back to the host: {}", e.what());
    }
    moved_.clear();
}

NetDevices::~NetDevices() { move_back(); }

void NetDevices::commit() {
    moved_.clear();
    netns_.reset();
}

}  // namespace ocirt::linux_
