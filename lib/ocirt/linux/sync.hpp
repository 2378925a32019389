#pragma once
// The parent/child protocol of create: a SOCK_SEQPACKET socketpair, one
// message per packet, so neither side needs framing. The child reports every
// failure as an `error` message carrying errno and the full context chain.
#include <cstdint>
#include <string>
#include <utility>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

enum class MsgType : uint32_t {
    go = 1,         // parent -> child: ids mapped, cgroup joined; go on
    ready = 2,      // child -> parent: set up, about to wait on exec.fifo
    error = 3,      // child -> parent: setup failed (err, text)
    child_pid = 4,  // intermediate -> parent: the init's pid (value)
    seccomp_fd = 5, // child -> parent: loading a filter whose listener will be fd `value`; the
                    // parent takes it (pidfd_getfd), gives it to the agent, answers go
    run_hooks = 6,  // child -> parent: mounts done, run prestart + createRuntime; parent answers go
    eof = 100,      // not sent: the peer closed the socket
};

struct Message {
    MsgType type = MsgType::eof;
    int32_t err = 0;
    int64_t value = 0;
    std::string text;
};

class SyncSocket {
public:
    SyncSocket() = default;
    explicit SyncSocket(Fd fd) : fd_(std::move(fd)) {}
    // A connected pair: first for the parent, second for the child.
    static std::pair<SyncSocket, SyncSocket> pair();

    void send(MsgType type, int32_t err = 0, const std::string& text = {}, int64_t value = 0);
    Message recv();
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

private:
    Fd fd_;
};

// Sends an fd over a unix socket with SCM_RIGHTS, with `data` as the message
// (the pty's name for a --console-socket, the state JSON for a seccomp
// listener), and receives one.
void send_fd(int sock, int fd, const std::string& data);
Fd recv_fd(int sock);

}  // namespace ocirt::linux_
