#!/usr/bin/env python3
"""pidfd_receiver SOCKET OUT TRIGGER: a --pidfd-socket peer for the integration tests.

Listens on the unix stream socket SOCKET (the path appears only once it is listening),
accepts one connection and receives one fd (SCM_RIGHTS). Writes to OUT, one per line: the
message's data ("standard" or "setns"), the pid the fd refers to (the "Pid:" line of its
fdinfo, which only a pidfd has). Then waits for the file TRIGGER to exist and kills the
process through the pidfd (signal.pidfd_send_signal, SIGKILL), appending "killed" to OUT.
Gives up after 30 s (exit 2).
"""
import os
import signal
import socket
import sys
import time


def pidfd_pid(fd):
    with open(f"/proc/self/fdinfo/{fd}") as f:
        for line in f:
            if line.startswith("Pid:"):
                return line.split()[1]
    return "not-a-pidfd"


def main():
    path, out_path, trigger = sys.argv[1:4]
    signal.alarm(30)
    tmp = path + ".tmp"
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(tmp)
    lsock.listen(1)
    os.rename(tmp, path)
    conn, _ = lsock.accept()
    data, fds, _, _ = socket.recv_fds(conn, 64, 1)
    if len(fds) != 1:
        sys.exit(f"pidfd_receiver: expected one fd, got {len(fds)}")
    with open(out_path, "w") as out:
        out.write(data.decode() + "\n" + pidfd_pid(fds[0]) + "\n")
    while not os.path.exists(trigger):
        time.sleep(0.05)
    signal.pidfd_send_signal(fds[0], signal.SIGKILL)
    with open(out_path, "a") as out:
        out.write("killed\n")


if __name__ == "__main__":
    main()
