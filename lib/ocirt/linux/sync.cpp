#include "ocirt/linux/sync.hpp"

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

// A message carrying one fd (SCM_RIGHTS) and the data in `iov`.
struct FdMessage {
    iovec iov;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};

    FdMessage(void* data, size_t len) : iov{data, len} {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
    }
};

}  // namespace

std::pair<SyncSocket, SyncSocket> SyncSocket::pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        throw_errno("socketpair for the init sync");
    return {SyncSocket(Fd(fds[0])), SyncSocket(Fd(fds[1]))};
}

void SyncSocket::send(MsgType type, int32_t err, const std::string& text, int64_t value) {
    Header h{static_cast<uint32_t>(type), err, value};
    std::vector<char> buf(sizeof h + text.size());
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + sizeof h, text.data(), text.size());
    ssize_t n;
    do n = ::send(fd_.get(), buf.data(), buf.size(), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("sync socket send");
}

Message SyncSocket::recv() {
    std::vector<char> buf(sizeof(Header) + 64 * 1024);
    ssize_t n;
    do n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("sync socket receive");
    Message m;
    if (n == 0) return m;  // eof
    if (static_cast<size_t>(n) < sizeof(Header)) throw Error("sync socket: short message");
    Header h;
    std::memcpy(&h, buf.data(), sizeof h);
    m.type = static_cast<MsgType>(h.type);
    m.err = h.err;
    m.value = h.value;
    m.text.assign(buf.data() + sizeof h, static_cast<size_t>(n) - sizeof h);
    return m;
}

void send_fd(int sock, int fd, const std::string& data) {
    char one[1] = {'F'};  // SCM_RIGHTS needs at least one byte of data
    FdMessage m(data.empty() ? one : const_cast<char*>(data.data()), data.empty() ? 1 : data.size());
    cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do n = ::sendmsg(sock, &m.msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("send fd");
    if (!data.empty() && static_cast<size_t>(n) != data.size()) throw Error("send fd: short write");
}

Fd recv_fd(int sock) {
    char data[4096];
    FdMessage m(data, sizeof data);
    ssize_t n;
    do n = ::recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("receive fd");
    for (cmsghdr* c = CMSG_FIRSTHDR(&m.msg); c; c = CMSG_NXTHDR(&m.msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return Fd(fd);
        }
    }
    throw Error("no fd received on the socket");
}

}  // namespace ocirt::linux_
