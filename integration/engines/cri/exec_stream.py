"""The client side of a CRI Exec stream, with the Python standard library only.

The URL that the CRI Exec call returns (containerd: http://127.0.0.1:PORT/exec/TOKEN) serves
the Kubernetes remote-command protocol over SPDY or over WebSocket; this speaks WebSocket
(RFC 6455), the simpler of the two, with the "v4.channel.k8s.io" subprotocol: every binary
message starts with a channel byte, 0 stdin, 1 stdout, 2 stderr, 3 error. The error channel
carries, at the end, a JSON Status: "Success", or "Failure" with the exit code as the cause
whose reason is "ExitCode". The command's options (stdin/stdout/stderr/tty) are those of the
Exec request; the token names it. v4 has no way to close stdin, so a command given stdin must
end on its own (e.g. after reading a line).
"""
import base64
import json
import os
import socket
import struct
import urllib.parse

SUBPROTOCOL = "v4.channel.k8s.io"
STDIN, STDOUT, STDERR, ERROR = 0, 1, 2, 3
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class StreamError(Exception):
    pass


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _send_frame(sock, opcode, payload):
    """A client frame: FIN set, masked (RFC 6455 5.3: clients always mask)."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = os.urandom(4)
    sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def _recv_message(sock):
    """(opcode, payload) of the next whole message; continuation frames joined."""
    opcode, data = None, b""
    while True:
        b0, b1 = _recv_exact(sock, 2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", _recv_exact(sock, 2))[0]
        elif n == 127:
            n = struct.unpack("!Q", _recv_exact(sock, 8))[0]
        mask = _recv_exact(sock, 4) if b1 & 0x80 else None
        payload = _recv_exact(sock, n)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        op = b0 & 0x0F
        if op >= OP_CLOSE:  # control frames come whole, also between fragments
            return op, payload
        if op != OP_CONT:
            opcode = op
        data += payload
        if b0 & 0x80:
            return opcode, data


def _handshake(url, timeout):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        raise StreamError(f"exec URL {url}: only http:// streaming servers are supported")
    sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    path = u.path + ("?" + u.query if u.query else "")
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {SUBPROTOCOL}\r\n\r\n")
                 .encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise StreamError(f"exec URL {url}: connection closed during the handshake")
        head += chunk
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ":
        sock.close()
        raise StreamError(f"exec URL {url}: no WebSocket upgrade: {status}")
    return sock


def exit_code_of(status):
    """The exit code a remote-command Status JSON stands for (255: failed otherwise)."""
    if status.get("status") == "Success":
        return 0
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode":
            return int(cause.get("message", "255"))
    return 255


def run(url, stdin, stdout, stderr, timeout=60):
    """Runs the stream: stdin's bytes (a binary file or None) are sent first, stdout and
    stderr (binary files) get the command's output; returns the command's exit code."""
    sock = _handshake(url, timeout)
    status = None
    try:
        if stdin is not None:
            data = stdin.read()
            if data:
                _send_frame(sock, OP_BINARY, bytes([STDIN]) + data)
        while True:
            try:
                op, payload = _recv_message(sock)
            except EOFError:
                break
            if op == OP_CLOSE:
                _send_frame(sock, OP_CLOSE, payload[:2])
                break
            if op == OP_PING:
                _send_frame(sock, OP_PONG, payload)
                continue
            if op not in (OP_BINARY, OP_TEXT) or not payload:
                continue
            channel, data = payload[0], payload[1:]
            if channel == STDOUT:
                stdout.write(data)
                stdout.flush()
            elif channel == STDERR:
                stderr.write(data)
                stderr.flush()
            elif channel == ERROR and data:
                status = json.loads(data)
    finally:
        sock.close()
    if status is None:
        raise StreamError(f"exec URL {url}: the stream ended without a status")
    if exit_code_of(status) == 255 and status.get("message"):
        stderr.write(f"exec: {status['message']}\n".encode())
    return exit_code_of(status)
