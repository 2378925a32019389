#pragma once
// The conversation between the runtime (parent) and a container process it
// starts (child): the init of `create`, the process of `exec`, and the
// namespace-joining intermediate of spawn.cpp. One SOCK_SEQPACKET socketpair,
// one message per packet (no framing), close-on-exec. Every message has one
// function on the side that sends it; the receiving side checks the type, so
// an unexpected message is an error that names it, and an `error` message is
// rethrown in the parent with its errno and text as the child had them.
//
// | message    | from -> to            | payload     | meaning, and the answer                            |
// |------------|-----------------------|-------------|----------------------------------------------------|
// | go         | parent -> child       |             | ids mapped, cgroup joined, oomScoreAdj written: go |
// |            |                       |             | on; also the answer to run_hooks and seccomp_fd    |
// | child_pid  | intermediate -> parent| pid         | the init it cloned (CLONE_PARENT); it then exits 0 |
// | run_hooks  | init -> parent        |             | mounts done: the parent runs prestart and          |
// |            |                       |             | createRuntime, answers go                          |
// | seccomp_fd | child -> parent       | fd number   | a notify filter is loaded next; its listener will  |
// |            |                       |             | be this fd: the parent takes it (pidfd_getfd),     |
// |            |                       |             | hands it to listenerPath, answers go               |
// | ready      | init -> parent        |             | set up, about to wait on exec.fifo; the init       |
// |            |                       |             | closes its end (create returns)                    |
// | error      | child -> parent       | errno, text | a failure, with the whole context chain; the child |
// |            |                       |             | then _exits (run_in_child)                         |
// | (eof)      | child -> parent       |             | exec's child: execve succeeded (the socket is      |
// |            |                       |             | close-on-exec); the init: it died                  |
//
// Create: [child_pid] go, [run_hooks go], [seccomp_fd go], ready; child_pid
// comes from the intermediate, when there is one, before the init says
// anything. Exec: go, [seccomp_fd go], eof. Any child may end early with error.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

enum class Msg : uint32_t {
    go = 1,
    ready = 2,
    error = 3,
    child_pid = 4,
    seccomp_fd = 5,
    run_hooks = 6,
    eof = 100,  // not sent: the peer closed its end
};

// "go", "ready", ...; "message N" for an unknown type.
std::string to_string(Msg m);

// One end of the socket; the two classes below give each side its messages.
class Channel {
public:
    struct Packet {
        Msg type = Msg::eof;
        int32_t err = 0;
        int64_t value = 0;
        std::string text;
    };

    Channel() = default;
    explicit Channel(Fd fd) : fd_(std::move(fd)) {}
    int fd() const { return fd_.get(); }
    bool closed() const { return !fd_; }
    void close() { fd_.reset(); }
    // A message (or end of file) is waiting: recv would not block.
    bool pending() const;

    // Error: `from` sent `got` where `expected` was due.
    [[noreturn]] static void unexpected(Msg got, const std::string& from, const std::string& expected);

protected:
    void send(Msg type, int32_t err = 0, const std::string& text = {}, int64_t value = 0);
    Packet recv();

private:
    Fd fd_;
};

// The runtime's end.
class ParentChannel : public Channel {
public:
    using Channel::Channel;
    struct Report {
        Msg type = Msg::eof;  // ready, seccomp_fd, run_hooks, child_pid or eof
        int64_t value = 0;    // the fd number of seccomp_fd, the pid of child_pid
    };

    void go();
    // The child's next message. `error` is thrown (errno and text as the child
    // had them), never returned.
    Report next();
    // The intermediate's child_pid; anything else is an error.
    pid_t child_pid();
};

// The end of the child (the init, the exec process, the intermediate).
class ChildChannel : public Channel {
public:
    using Channel::Channel;
    // Blocks for the parent's go; its end closing or another message is an error.
    void wait_go();
    void ready();
    void child_pid(pid_t pid);
    // Announces the listener's fd number and returns at once (the load follows).
    void seccomp_fd(int fd);
    // Asks for the prestart and createRuntime hooks and waits for go.
    void run_hooks();
    void error(int err, const std::string& text);
};

// A connected pair: the parent's end and the child's.
std::pair<ParentChannel, ChildChannel> channel_pair();

}  // namespace ocirt::linux_
