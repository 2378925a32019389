#include "ocirt/linux/fd_passing.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "ocirt/util/error.hpp"

namespace ocirt::linux_ {
namespace {

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

Fd connect_unix(const std::string& path, const std::string& what) {
    Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw_errno(what + ": socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw Error(what + ": path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno(what + ": connect " + path);
    return s;
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
