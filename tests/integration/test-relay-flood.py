#!/usr/bin/env python3
"""`sealcall serve` under a flood (issue 11, point 1): a participant that
stops reading while the other sends 200 KiB frames as fast as it can. The
relay closes the one that does not read with 4408 before the flood is over,
its memory stays bounded (peak RSS measured from /proc), and another room
is served during and after. Raw WebSocket clients over TCP on 127.0.0.1."""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

FRAME = 200 * 1024
FLOOD = 58 * 1024 * 1024   # what grew the old relay from 16 to 72 MiB
TIMEOUT = 20.0


class Ws:
    """A minimal WebSocket client: masked frames out, frames parsed in."""

    def __init__(self, port, room, rcvbuf=None):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(TIMEOUT)
        self.s.connect(("127.0.0.1", port))
        self.s.sendall((
            "GET /room/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n" % room).encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise RuntimeError("relay closed during the handshake")
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError("handshake refused: %r" % head[:40])
        self.eof = False

    def send_text(self, data):
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        self.s.sendall(hdr + b"\0\0\0\0" + data)  # mask key 0

    def _frame(self):
        b = self.buf
        if len(b) < 2:
            return None
        n, hl = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, hl = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, hl = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < hl + n:
            return None
        self.buf = b[hl + n:]
        return b[0] & 0x0F, b[hl:hl + n]

    def poll(self):
        """Frames that have arrived, without waiting."""
        out = []
        while not self.eof and select.select([self.s], [], [], 0)[0]:
            chunk = self.s.recv(65536)
            if not chunk:
                self.eof = True
            self.buf += chunk
        while True:
            f = self._frame()
            if f is None:
                return out
            out.append(f)

    def next(self, timeout=TIMEOUT):
        """The next frame, or None at EOF or after @timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            f = self._frame()
            if f is not None:
                return f
            left = deadline - time.monotonic()
            if self.eof or left <= 0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(1 << 20)
            except socket.timeout:
                return None
            if not chunk:
                self.eof = True
            self.buf += chunk


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


tap = sctest.Tap()
relay, port = sctest.start_relay()
pid = relay.p.pid
try:
    c = Ws(port, "calm")
    d = Ws(port, "calm")
    tap.ok(c.next() == (1, b'{"type":"room","peers":0}')
           and c.next() == (1, b'{"type":"peer-joined"}')
           and d.next() == (1, b'{"type":"room","peers":1}'), "two join another room")
    slow = Ws(port, "slow", rcvbuf=16384)
    fl = Ws(port, "slow")
    tap.ok(fl.next() == (1, b'{"type":"room","peers":1}'), "flooder joins the slow one")
    rss_idle = status(pid, "VmRSS")

    big = b'{"type":"big","pad":"' + b"a" * (FRAME - 23) + b'"}'
    sent = 0
    left_seen = False
    calm_during = None
    while sent < FLOOD and not left_seen:
        fl.send_text(big)
        sent += len(big)
        left_seen = (1, b'{"type":"peer-left"}') in fl.poll()
        if calm_during is None and sent >= 2 * 1024 * 1024:
            c.send_text(b'{"calm":"during"}')
            calm_during = d.next()
    if not left_seen:
        f = fl.next()
        left_seen = f == (1, b'{"type":"peer-left"}')
    peak = status(pid, "VmHWM")
    tap.diag("flooded %.1f MiB; relay RSS %.1f MiB idle, peak %.1f MiB"
             % (sent / 1048576.0, rss_idle / 1048576.0, peak / 1048576.0))
    tap.ok(left_seen and sent < FLOOD,
           "the relay lets the slow participant go before the flood is over")
    if sctest.under_asan(pid):
        tap.ok(True, "peak RSS bound # SKIP ASan's quarantine keeps freed memory")
    else:
        tap.ok(peak - rss_idle < 24 * 1024 * 1024,
               "the relay's peak RSS stays within 24 MiB of idle",
               (rss_idle, peak))
    tap.ok(calm_during == (1, b'{"calm":"during"}'), "another room is served during the flood")

    # the slow one reads now: what waited for it, then the close code
    code = None
    data = 0
    while True:
        f = slow.next()
        if f is None:
            break
        if f[0] == 8:
            code = struct.unpack("!H", f[1][:2])[0] if len(f[1]) >= 2 else 0
            break
        data += len(f[1])
    tap.diag("the slow one had %.1f MiB waiting" % (data / 1048576.0))
    tap.ok(code == 4408, "the slow participant is closed with 4408 (too slow)", code)

    c.send_text(b'{"calm":"after"}')
    tap.ok(d.next() == (1, b'{"calm":"after"}'), "another room is served after the flood")
    fl.send_text(b'{"type":"still"}')
    tap.ok(not fl.eof and relay.p.poll() is None, "the relay and the flooder are still up")
finally:
    relay.kill()
tap.done()
