#include "ocirt/linux/netlink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_::netlink {
namespace {

// A request under construction: header, the fixed message, then attributes,
// each aligned as netlink wants.
class Request {
public:
    Request(uint16_t type, uint16_t flags, const void* body, size_t len) {
        buf_.resize(NLMSG_HDRLEN);
        auto* h = hdr();
        h->nlmsg_type = type;
        h->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
        append(body, len);
    }
    void attr(uint16_t type, const void* data, size_t len) {
        rtattr a{};
        a.rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
        a.rta_type = type;
        append(&a, sizeof a);  // RTA_LENGTH(0): the header is already aligned
        append(data, len);
    }
    void attr_str(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
    void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof v); }
    std::vector<char>& finish() {
        hdr()->nlmsg_len = static_cast<uint32_t>(buf_.size());
        return buf_;
    }

private:
    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
    void append(const void* p, size_t len) {
        size_t at = buf_.size();
        buf_.resize(at + NLMSG_ALIGN(len));
        std::memcpy(buf_.data() + at, p, len);
    }
    std::vector<char> buf_;
};

// The attributes that follow a fixed message of `fixed` bytes.
template <typename F>
void for_each_attr(const nlmsghdr* h, size_t fixed, F&& f) {
    auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(fixed));
    int len = static_cast<int>(h->nlmsg_len) - static_cast<int>(NLMSG_LENGTH(NLMSG_ALIGN(fixed)));
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) f(a);
}

std::vector<uint8_t> bytes(const rtattr* a) {
    auto* p = static_cast<const uint8_t*>(RTA_DATA(a));
    return {p, p + RTA_PAYLOAD(a)};
}

Link parse_link(const nlmsghdr* h) {
    auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
    Link l;
    l.index = ifi->ifi_index;
    l.flags = ifi->ifi_flags;
    for_each_attr(h, sizeof(ifinfomsg), [&](const rtattr* a) {
        if (a->rta_type == IFLA_IFNAME) l.name = static_cast<const char*>(RTA_DATA(a));
    });
    return l;
}

}  // namespace

std::string Address::text() const {
    const auto& a = local.empty() ? address : local;
    char buf[INET6_ADDRSTRLEN] = "?";
    if (a.size() == 4 || a.size() == 16) ::inet_ntop(family, a.data(), buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(prefixlen);
}

Socket Socket::open() {
    Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) throw_errno("netlink socket");
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw_errno("bind netlink socket");
    return Socket(std::move(fd));
}

Socket Socket::open_in(int netns_fd) {
    Fd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!own) throw_errno("open /proc/thread-self/ns/net");
    if (::setns(netns_fd, CLONE_NEWNET) != 0) throw_errno("enter the container's network namespace");
    std::optional<Socket> s;
    int err = 0;
    std::string what;
    try {
        s.emplace(open());
    } catch (const Error& e) {
        err = e.code();
        what = e.what();
    }
    // Back, whatever happened: the rest of create must run in the caller's namespace.
    if (::setns(own.get(), CLONE_NEWNET) != 0) throw_errno("return to the runtime's network namespace");
    if (!s) throw Error::preformatted(err, what);
    return std::move(*s);
}

template <typename F>
void Socket::exchange(std::vector<char>& req, F&& on_reply) {
    auto* h = reinterpret_cast<nlmsghdr*>(req.data());
    h->nlmsg_seq = ++seq_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        throw_errno("netlink send");
    const bool dump = h->nlmsg_flags & NLM_F_DUMP;
    std::vector<char> buf(65536);  // a dump part is at most 32 KiB
    for (;;) {
        ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("netlink receive");
        }
        int len = static_cast<int>(n);
        for (auto* r = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(r, len); r = NLMSG_NEXT(r, len)) {
            if (r->nlmsg_seq != seq_) continue;
            if (r->nlmsg_type == NLMSG_DONE) return;
            if (r->nlmsg_type == NLMSG_ERROR) {
                int err = -static_cast<const nlmsgerr*>(NLMSG_DATA(r))->error;
                if (err != 0) {
                    errno = err;
                    throw_errno("netlink");
                }
                return;  // the ack
            }
            on_reply(r);
            if (!dump && !(h->nlmsg_flags & NLM_F_ACK)) return;
        }
    }
}

// RTM_GETLINK by name or by index: one link, or none when the kernel says ENODEV.
std::optional<Link> Socket::get_link(int index, const std::string* name) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    Request r(RTM_GETLINK, 0, &ifi, sizeof ifi);
    if (name) r.attr_str(IFLA_IFNAME, *name);
    std::optional<Link> out;
    try {
        exchange(r.finish(), [&](const nlmsghdr* h) { out = parse_link(h); });
    } catch (const Error& e) {
        if (e.code() == ENODEV) return std::nullopt;
        throw;
    }
    return out;
}

std::optional<Link> Socket::link(const std::string& name) { return get_link(0, &name); }

std::optional<Link> Socket::link(int index) { return get_link(index, nullptr); }

std::vector<Address> Socket::addresses(int index) {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;
    Request r(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
    std::vector<Address> out;
    exchange(r.finish(), [&](const nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWADDR) return;
        auto* m = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
        if (static_cast<int>(m->ifa_index) != index) return;
        Address a;
        a.family = m->ifa_family;
        a.prefixlen = m->ifa_prefixlen;
        a.scope = m->ifa_scope;
        a.flags = m->ifa_flags;
        for_each_attr(h, sizeof(ifaddrmsg), [&](const rtattr* at) {
            switch (at->rta_type) {
                case IFA_LOCAL: a.local = bytes(at); break;
                case IFA_ADDRESS: a.address = bytes(at); break;
                case IFA_BROADCAST: a.broadcast = bytes(at); break;
                case IFA_FLAGS: std::memcpy(&a.flags, RTA_DATA(at), sizeof a.flags); break;
                default: break;
            }
        });
        out.push_back(std::move(a));
    });
    return out;
}

void Socket::move(int index, int netns_fd, const std::string& name) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    Request r(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
    r.attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
    if (!name.empty()) r.attr_str(IFLA_IFNAME, name);
    exchange(r.finish(), [](const nlmsghdr*) {});
}

void Socket::set_up(int index, bool up) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    ifi.ifi_flags = up ? IFF_UP : 0;
    ifi.ifi_change = IFF_UP;
    Request r(RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
    exchange(r.finish(), [](const nlmsghdr*) {});
}

void Socket::add_address(int index, const Address& a) {
    ifaddrmsg ifa{};
    ifa.ifa_family = a.family;
    ifa.ifa_prefixlen = a.prefixlen;
    ifa.ifa_scope = a.scope;
    ifa.ifa_index = static_cast<uint32_t>(index);
    // The flags a user may set; the kernel's own (permanent, tentative, ...) it sets itself.
    const uint32_t settable =
        IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;
    ifa.ifa_flags = static_cast<uint8_t>(a.flags & settable & 0xff);
    Request r(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
    if (!a.local.empty()) r.attr(IFA_LOCAL, a.local.data(), a.local.size());
    if (!a.address.empty()) r.attr(IFA_ADDRESS, a.address.data(), a.address.size());
    if (!a.broadcast.empty()) r.attr(IFA_BROADCAST, a.broadcast.data(), a.broadcast.size());
    r.attr_u32(IFA_FLAGS, a.flags & settable);
    exchange(r.finish(), [](const nlmsghdr*) {});
}

}  // namespace ocirt::linux_::netlink
