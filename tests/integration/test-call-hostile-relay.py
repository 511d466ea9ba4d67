#!/usr/bin/env python3
"""`sealcall answer` facing a hostile relay (issue 11, point 1): the relay
completes the WebSocket handshake, says the room is empty, then
- sends one text message in 256 KiB fragments, up to 64 MiB, never the last;
- floods pings and reads nothing (so that the pongs cannot leave);
- floods valid candidate messages as fast as it can.
Each time the endpoint must end the call with reason `error` and a detail
naming the limit, and its memory (VmRSS from /proc, sampled while the
relay sends) must stay bounded. The relay is a raw socket server here, so
that it can do what no well-behaved WebSocket library does."""
import base64
import hashlib
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

MiB = 1024 * 1024
RSS_SLACK = 24 * MiB   # the old client grew by the whole 64 MiB message
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def frame(opcode, payload, fin=True):
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        hdr = struct.pack("!BB", b0, n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, 127, n)
    return hdr + payload


class HostileRelay:
    """Accepts one connection, does the handshake, sends the room message,
    then runs @attack(sock, proc) in a thread."""

    def __init__(self, attack, rcvbuf=None):
        self.ls = socket.socket()
        if rcvbuf:
            self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.port = self.ls.getsockname()[1]
        self.attack = attack
        self.peak = 0
        self.base = 0
        self.asan = False
        self.sent = 0
        self.error = None
        self.proc = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self, proc):
        self.proc = proc
        self.thread.start()

    def sample(self):
        self.peak = max(self.peak, rss(self.proc.p.pid))

    def _run(self):
        try:
            self.ls.settimeout(30)
            s, _ = self.ls.accept()
            s.settimeout(30)
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(1)  # nothing beyond the request
                if not chunk:
                    raise RuntimeError("client closed during the handshake")
                buf += chunk
            key = [l.split(b":", 1)[1].strip() for l in buf.split(b"\r\n")
                   if l.lower().startswith(b"sec-websocket-key:")][0]
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                      b"\r\n\r\n")
            s.sendall(frame(0x1, b'{"type":"room","peers":0}'))
            self.sample()
            self.base = self.peak
            # (the endpoint is connected: the program itself runs, not a
            # libtool wrapper)
            self.asan = sctest.under_asan(self.proc.p.pid)
            self.attack(self, s)
        except OSError as e:  # the client dropped us: what we expect
            self.error = e
        except Exception as e:  # noqa: BLE001
            self.error = e
        self.sample()

    def join(self, timeout):
        self.thread.join(timeout)


def fragments(relay, s):
    chunk = b"x" * (256 * 1024)
    s.sendall(frame(0x1, b'{"type":"offer","sdp":"' + chunk, fin=False))
    relay.sent = 256 * 1024
    while relay.sent < 64 * MiB:
        s.sendall(frame(0x0, chunk, fin=False))
        relay.sent += len(chunk)
        relay.sample()


def pings(relay, s):
    # read nothing, and keep our receive buffer small: the endpoint's
    # pongs soon have nowhere to go
    burst = frame(0x9, b"p" * 125) * 1000
    while relay.sent < 400000:
        s.sendall(burst)
        relay.sent += 1000
        relay.sample()


def candidates(relay, s):
    cand = (b'{"type":"candidate","candidate":"candidate:1 1 udp 2122260223 '
            b'127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}')
    burst = frame(0x1, cand) * 100
    while relay.sent < 200000:
        s.sendall(burst)
        relay.sent += 100
        relay.sample()


def run(tap, name, attack, detail_word, rcvbuf=None):
    relay = HostileRelay(attack, rcvbuf)
    p = sctest.endpoint("answer", "ws://127.0.0.1:%d/room/h" % relay.port,
                        name=name)
    try:
        relay.start(p)
        ev = p.wait_event("ended", timeout=60)
        detail = (ev or {}).get("detail", "")
        tap.ok(ev is not None and ev.get("reason") == "error" and
               detail_word in detail,
               "%s: the call ends with reason error naming the limit" % name,
               "ended: %r\n%s" % (ev, p.stderr_tail()))
        relay.join(30)
        what = "%s: RSS stays bounded (%d KiB -> peak %d KiB, %d sent)" % (
            name, relay.base // 1024, relay.peak // 1024, relay.sent)
        if relay.asan:
            tap.ok(True, what + " # SKIP ASan's quarantine keeps freed memory")
        else:
            tap.ok(relay.peak - relay.base < RSS_SLACK, what)
        rc = p.wait_exit(20)
        tap.ok(rc is not None and rc != 0, "%s: the endpoint exits with an "
               "error status (%r)" % (name, rc))
    finally:
        p.kill()
        relay.ls.close()


def main():
    tap = sctest.Tap()
    run(tap, "fragments", fragments, "sent a message over 1 MiB")
    run(tap, "pings", pings, "pings whose pongs wait", rcvbuf=4096)
    run(tap, "candidates", candidates, "frames/s")
    tap.done()


if __name__ == "__main__":
    main()
