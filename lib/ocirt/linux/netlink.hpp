#pragma once
// A small rtnetlink client (NETLINK_ROUTE): what linux.netDevices needs to
// find an interface, read its addresses, move it to another network
// namespace under a new name, set it up and add addresses back. One socket
// per network namespace: a netlink socket talks to the namespace it was
// made in.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_::netlink {

struct Link {
    int index = 0;
    std::string name;
    unsigned flags = 0;  // IFF_*
};

struct Address {
    uint8_t family = 0;  // AF_INET, AF_INET6
    uint8_t prefixlen = 0;
    uint8_t scope = 0;   // RT_SCOPE_*
    uint32_t flags = 0;  // IFA_F_* (IFA_FLAGS when the kernel sent it)
    std::vector<uint8_t> local, address, broadcast;  // IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST
    std::string text() const;  // "10.0.0.1/24"
};

class Socket {
public:
    // A socket in the caller's network namespace.
    static Socket open();
    // A socket in the network namespace of netns_fd: made there (setns and
    // back), it stays bound to it.
    static Socket open_in(int netns_fd);

    std::optional<Link> link(const std::string& name);  // none: no such interface
    std::optional<Link> link(int index);
    std::vector<Address> addresses(int index);
    // RTM_NEWLINK with IFLA_NET_NS_FD (and IFLA_IFNAME when name is not empty).
    void move(int index, int netns_fd, const std::string& name);
    void set_up(int index, bool up);
    void add_address(int index, const Address& a);

private:
    std::optional<Link> get_link(int index, const std::string* name);
    explicit Socket(Fd fd) : fd_(std::move(fd)) {}
    // Sends one request and reads its answer: on_reply gets each message of a
    // dump (or the one reply of a get); the kernel's error is thrown with its errno.
    template <typename F>
    void exchange(std::vector<char>& req, F&& on_reply);

    Fd fd_;
    uint32_t seq_ = 0;
};

}  // namespace ocirt::linux_::netlink
