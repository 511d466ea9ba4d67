#!/usr/bin/env python3
"""`sealcall serve` against slow and silent strangers (issue 11, point 1):
- many TCP connections that send part of an HTTP request and then nothing
  (slowloris) are closed once the request deadline (--request-timeout)
  passes, and a participant still joins while they are open;
- beyond --max-connections such half-open requests, a new one is closed
  at once;
- a WebSocket connection that sends nothing and answers no ping is closed
  once --idle-timeout passes, while one that answers the pings stays.
Raw sockets on 127.0.0.1. The deadlines are protocol timers: the checks
allow them generous slack, no performance limit is asserted."""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

REQUEST_TIMEOUT = 5
IDLE_TIMEOUT = 3
MAX_CONN = 30
SLACK = 20.0
PARTIAL = b"GET /room/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs"


def closed_by_peer(socks, timeout):
    """Those of @socks that read EOF (or a reset) within @timeout, all
    waited on at once; data read on the way is skipped."""
    deadline = time.monotonic() + timeout
    left_open = list(socks)
    closed = []
    while left_open:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for s in select.select(left_open, [], [], left)[0]:
            try:
                eof = not s.recv(65536)
            except OSError:
                eof = True
            if eof:
                left_open.remove(s)
                closed.append(s)
    return closed


def is_open(s):
    """Nothing to read: neither a response nor EOF has come."""
    return not select.select([s], [], [], 0)[0]


def upgrade(port, room):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall((
        "GET /room/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n" % room).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(1)
        if not chunk:
            raise RuntimeError("relay closed during the handshake")
        buf += chunk
    if not buf.startswith(b"HTTP/1.1 101"):
        raise RuntimeError("handshake refused: %r" % buf[:40])
    return s


def read_frame(s, buf):
    """(opcode, payload, rest) of the first whole frame in @buf, reading
    more from @s as needed."""
    while True:
        if len(buf) >= 2:
            n, hl = buf[1] & 0x7F, 2
            if n == 126 and len(buf) >= 4:
                n, hl = struct.unpack("!H", buf[2:4])[0], 4
            elif n == 127 and len(buf) >= 10:
                n, hl = struct.unpack("!Q", buf[2:10])[0], 10
            if n < 126 or hl > 2:
                if len(buf) >= hl + n:
                    return buf[0] & 0x0F, buf[hl:hl + n], buf[hl + n:]
        chunk = s.recv(65536)
        if not chunk:
            return None, b"", buf
        buf += chunk


def main():
    tap = sctest.Tap()
    relay = sctest.Proc([sctest.SEALCALL, "serve", "--host", "127.0.0.1",
                         "--port", "0", "--request-timeout",
                         str(REQUEST_TIMEOUT), "--idle-timeout",
                         str(IDLE_TIMEOUT), "--max-connections",
                         str(MAX_CONN)], "relay")
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        tap.ok(False, "relay starts", relay.stderr_tail())
        relay.kill()
        tap.done()
    port = ev["port"]
    slow = []
    try:
        # slowloris: MAX_CONN - 2 half-open requests
        for _ in range(MAX_CONN - 2):
            s = socket.create_connection(("127.0.0.1", port), timeout=20)
            s.sendall(PARTIAL)
            slow.append(s)
        # a participant joins meanwhile (and gets the room message)
        p = upgrade(port, "ok")
        op, payload, _ = read_frame(p, b"")
        tap.ok(op == 1 and b'"room"' in payload,
               "a participant joins while %d requests hang" % len(slow),
               repr((op, payload)))

        # beyond the limit on half-open requests (the participant's is
        # over: MAX_CONN - 2 hang): 2 more fit, the next are closed at
        # once, while every earlier one is still open
        extra = []
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", port), timeout=20)
            s.sendall(PARTIAL)
            extra.append(s)
        t0 = time.monotonic()
        refused = closed_by_peer(extra[2:], SLACK)
        still_open = sum(is_open(s) for s in slow + extra[:2])
        tap.ok(len(refused) == 3 and still_open == len(slow) + 2,
               "requests beyond --max-connections are closed at once "
               "(%d of 3, while %d of %d earlier ones are open)" % (
                   len(refused), still_open, len(slow) + 2))
        slow += extra[:2]

        closed = len(closed_by_peer(slow, REQUEST_TIMEOUT + SLACK))
        tap.ok(closed == len(slow),
               "half-open requests are closed after the %d s deadline "
               "(%d of %d, %.1f s)" % (REQUEST_TIMEOUT, closed, len(slow),
                                       time.monotonic() - t0))
        # the participant is still there: pings answered keep it
        p.settimeout(20)

        # idle: one connection reads nothing and answers no ping; the
        # other answers every ping (like any WebSocket stack)
        idle = upgrade(port, "idle")
        live = upgrade(port, "live")
        t0 = time.monotonic()
        buf = b""
        pongs = 0
        idle_closed = False
        live.setblocking(False)
        deadline = t0 + IDLE_TIMEOUT + SLACK
        while time.monotonic() < deadline and not idle_closed:
            r = select.select([idle, live], [], [], 0.5)[0]
            if live in r:
                try:
                    chunk = live.recv(65536)
                except BlockingIOError:
                    chunk = b"?"
                    r.remove(live)
                if not chunk:
                    break
                if live in r:
                    buf += chunk
                while len(buf) >= 2 and len(buf) >= 2 + (buf[1] & 0x7F):
                    n = buf[1] & 0x7F
                    op, payload, buf = buf[0] & 0x0F, buf[2:2 + n], buf[2 + n:]
                    if op == 0x9:  # answer: masked pong
                        live.setblocking(True)
                        live.sendall(struct.pack("!BB", 0x8A, 0x80 | len(payload))
                                     + b"\0\0\0\0" + payload)
                        live.setblocking(False)
                        pongs += 1
            if idle in r:
                try:
                    if not idle.recv(65536):
                        idle_closed = True
                except OSError:
                    idle_closed = True
        tap.ok(idle_closed, "a connection that answers no ping is closed "
               "after the %d s idle timeout (%.1f s)" % (
                   IDLE_TIMEOUT, time.monotonic() - t0))
        live.setblocking(True)
        live.settimeout(0.5)
        try:
            still = live.recv(1) != b""  # a ping, or nothing yet
        except socket.timeout:
            still = True
        except OSError:
            still = False
        tap.ok(still and pongs >= 1,
               "a connection that answers pings stays (%d pongs)" % pongs)
        tap.ok(relay.p.poll() is None, "relay is still running")
    finally:
        for s in slow:
            s.close()
        relay.p.terminate()
        relay.wait_exit(20)
        relay.kill()
    tap.done()


if __name__ == "__main__":
    main()
