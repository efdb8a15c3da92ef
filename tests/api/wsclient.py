# SPDX-License-Identifier: GPL-2.0-only
"""A small WebSocket client (RFC 6455) over the socket module, for the
console tests (tests/api/test_console_ws.py, and the appliance's
tests/system/test_console_web.py): masked client frames, the accept key
checked, and the means to send what a browser never would (unmasked
frames, bad opcodes, absurd lengths)."""
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class Refused(Exception):
    """The server answered the upgrade with an HTTP error."""

    def __init__(self, status, body):
        super().__init__("%d %s" % (status, body))
        self.status = status
        self.body = body


class WebSocket:
    """A minimal RFC 6455 client over a plain socket."""

    def __init__(self, port, ticket, headers=None, timeout=10, tls=False):
        key = base64.b64encode(os.urandom(16)).decode()
        hdrs = {"Host": "127.0.0.1:%d" % port, "Upgrade": "websocket",
                "Connection": "Upgrade", "Sec-WebSocket-Key": key,
                "Sec-WebSocket-Version": "13"}
        hdrs.update(headers or {})
        lines = ["GET /v1/console?ticket=%s HTTP/1.1" % ticket]
        lines += ["%s: %s" % kv for kv in hdrs.items() if kv[1] is not None]
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:	# the self-signed certificate: test_tls.py checks it
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, "closed before the answer: %r" % self.buf
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        if self.status != 101:
            length = int(self.headers.get("content-length", "0"))
            while len(self.buf) < length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buf += chunk
            self.sock.close()
            raise Refused(self.status, json.loads(self.buf[:length]))
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        assert self.headers.get("sec-websocket-accept") == accept
        assert self.headers.get("upgrade", "").lower() == "websocket"

    def send_frame(self, opcode, payload=b"", fin=True, mask=True, length=None):
        n = len(payload) if length is None else length
        head = bytes([(0x80 if fin else 0) | opcode])
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack(">H", n)
        else:
            head += bytes([m | 127]) + struct.pack(">Q", n)
        if mask:
            key = os.urandom(4)
            head += key
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + payload)

    def type(self, text):
        self.send_frame(OP_TEXT, text.encode())

    def _need(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no frame in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buf += chunk

    def recv_frame(self, timeout=5):
        """(opcode, payload) of the next frame (server frames are not masked)."""
        deadline = time.monotonic() + timeout
        self._need(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, "a server frame must not be masked"
        n, off = b1 & 0x7f, 2
        if n == 126:
            self._need(4, deadline)
            n, off = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10, deadline)
            n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
        self._need(off + n, deadline)
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        assert b0 & 0x80, "the server sends unfragmented frames"
        return b0 & 0x0f, payload

    def read_until(self, pred, timeout=10):
        """Reads frames until pred(output, events) holds; returns both
        (binary output joined, text events decoded)."""
        out, events = b"", []
        deadline = time.monotonic() + timeout
        while not pred(out, events):
            op, payload = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if op == OP_BINARY:
                out += payload
            elif op == OP_TEXT:
                events.append(json.loads(payload))
            elif op == OP_CLOSE:
                events.append({"type": "close",
                               "code": struct.unpack(">H", payload[:2])[0] if payload else None})
                return out, events
        return out, events

    def close(self):
        self.sock.close()
