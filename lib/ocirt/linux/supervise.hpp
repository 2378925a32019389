#pragma once
// Staying with a container's process in the foreground (run and exec
// without -d): signals are read from a signalfd and forwarded to it, its
// terminal is relayed, children are reaped, and its exit status becomes ours.
#include <signal.h>
#include <sys/types.h>

#include <initializer_list>
#include <optional>

#include "ocirt/linux/console_relay.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

// Blocks every asynchronous signal while it lives; they are read from fd().
// Processes cloned meanwhile must unblock them for themselves.
class BlockedSignals {
public:
    BlockedSignals();
    // Only these signals (events: SIGINT and SIGTERM).
    explicit BlockedSignals(std::initializer_list<int> only);
    ~BlockedSignals();
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    int fd() const { return fd_.get(); }

private:
    void block();
    sigset_t set_, old_;
    Fd fd_;
};

// A socketpair whose far end is given to the process as its console socket;
// the near end receives the pty master when the process has a terminal.
class ConsoleReceiver {
public:
    ConsoleReceiver();
    int far_end() const { return far_.get(); }
    void close_far_end() { far_.reset(); }
    // The relay for the master the process sent, if it sent one by now.
    std::optional<ConsoleRelay> take_relay();

private:
    Fd near_, far_;
};

// Until `pid` exits: forwards signals to it, relays the terminal, reaps every
// child. Returns its exit code, 128+N when killed by signal N.
int supervise(pid_t pid, const BlockedSignals& signals, std::optional<ConsoleRelay>& relay);

}  // namespace ocirt::linux_
