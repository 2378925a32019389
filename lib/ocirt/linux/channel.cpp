#include "ocirt/linux/channel.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

struct Header {
    uint32_t type;
    int32_t err;
    int64_t value;
};

}  // namespace

std::string to_string(Msg m) {
    switch (m) {
        case Msg::go: return "go";
        case Msg::ready: return "ready";
        case Msg::error: return "error";
        case Msg::child_pid: return "child_pid";
        case Msg::seccomp_fd: return "seccomp_fd";
        case Msg::run_hooks: return "run_hooks";
        case Msg::eof: return "end of file";
    }
    return "message " + std::to_string(static_cast<uint32_t>(m));
}

void Channel::send(Msg type, int32_t err, const std::string& text, int64_t value) {
    Header h{static_cast<uint32_t>(type), err, value};
    std::vector<char> buf(sizeof h + text.size());
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, text.data(), text.size());
    ssize_t n;
    do n = ::send(fd_.get(), buf.data(), buf.size(), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("sync socket: send " + to_string(type));
    if (static_cast<size_t>(n) != buf.size()) throw Error("sync socket: send " + to_string(type) + ": short write");
}

Channel::Packet Channel::recv() {
    std::vector<char> buf(sizeof(Header) + 64 * 1024);
    ssize_t n;
    do n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("sync socket: receive");
    Packet p;
    if (n == 0) return p;  // eof
    if (static_cast<size_t>(n) < sizeof(Header)) throw Error("sync socket: short message");
    Header h;
    std::memcpy(&h, buf.data(), sizeof h);
    p.type = static_cast<Msg>(h.type);
    p.err = h.err;
    p.value = h.value;
    p.text.assign(buf.data() + sizeof h, static_cast<size_t>(n) - sizeof h);
    return p;
}

bool Channel::pending() const {
    pollfd p{fd_.get(), POLLIN, 0};
    int n;
    do n = ::poll(&p, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("sync socket: poll");
    return n > 0;
}

void Channel::unexpected(Msg got, const std::string& from, const std::string& expected) {
    throw Error("sync socket: unexpected " + to_string(got) + " from the " + from + " (expected " + expected + ")");
}

void ParentChannel::go() { send(Msg::go); }

ParentChannel::Report ParentChannel::next() {
    Packet p = recv();
    switch (p.type) {
        case Msg::error: throw Error::preformatted(p.err, p.text);
        case Msg::ready:
        case Msg::seccomp_fd:
        case Msg::run_hooks:
        case Msg::child_pid:
        case Msg::eof: return {p.type, p.value};
        default: unexpected(p.type, "child", "a report");
    }
}

pid_t ParentChannel::child_pid() {
    Report r = next();
    if (r.type != Msg::child_pid) unexpected(r.type, "namespace-joining intermediate", "child_pid");
    return static_cast<pid_t>(r.value);
}

void ChildChannel::wait_go() {
    Packet p = recv();
    if (p.type != Msg::go) unexpected(p.type, "parent", "go");
}

void ChildChannel::ready() { send(Msg::ready); }
void ChildChannel::child_pid(pid_t pid) { send(Msg::child_pid, 0, {}, pid); }
void ChildChannel::seccomp_fd(int fd) { send(Msg::seccomp_fd, 0, {}, fd); }

void ChildChannel::run_hooks() {
    send(Msg::run_hooks);
    wait_go();
}

void ChildChannel::error(int err, const std::string& text) { send(Msg::error, err, text); }

std::pair<ParentChannel, ChildChannel> channel_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        throw_errno("socketpair for the sync socket");
    return {ParentChannel(Fd(fds[0])), ChildChannel(Fd(fds[1]))};
}

}  // namespace ocirt::linux_
