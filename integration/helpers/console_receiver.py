#!/usr/bin/env python3
"""console_receiver SOCKET OUT: a --console-socket peer for the integration tests.

Listens on the unix stream socket SOCKET (the path appears only once it is listening),
accepts connections one after another (create and each `exec -d -t` send one pty master
each), keeps every pty master it receives (SCM_RIGHTS) and copies what the container
writes on them to OUT, so the container never blocks on a full terminal. Runs until killed
(SIGTERM) or 60 s have passed.
"""
import array
import os
import select
import signal
import socket
import sys


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    signal.alarm(60)
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(tmp)
    lsock.listen(4)
    os.rename(tmp, path)
    out = open(out_path, "ab", buffering=0)
    masters = []
    while True:
        ready, _, _ = select.select([lsock] + masters, [], [])
        for r in ready:
            if r is lsock:
                conn, _ = lsock.accept()
                fds = array.array("i")
                _, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
                masters.extend(fds)
                conn.close()
                continue
            try:
                data = os.read(r, 4096)
            except OSError:  # EIO: the last slave was closed
                data = b""
            if data:
                out.write(data)
            else:
                masters.remove(r)
                os.close(r)


if __name__ == "__main__":
    main()
