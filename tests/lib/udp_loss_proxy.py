"""A lossy UDP proxy for tests (the kernel here has no netem): sits between
two ICE endpoints on 127.0.0.1 whose candidates were rewritten to point at
it (mitm_relay.py --loss does the rewriting), drops a share of the
datagrams and reorders some of the others.

For every real address X (an endpoint's host candidate, or a source seen
on the wire) the proxy has one socket P(X) on 127.0.0.1, and X's
candidates are announced as P(X). A datagram arriving on P(X) from S goes
to X from P(S): each endpoint sees the other only as the proxy's address,
so STUN connectivity checks, DTLS and SCTP all cross the proxy, and ICE
pairs succeed (or not) through it.

Loss and reordering come from one seeded random.Random, so the decisions
for the n-th datagram are the same in every run. A datagram picked for
reordering is held and sent right after the next datagram on the same
path (P(X), S), or after HOLD_S when no next one comes (so a lone last
packet is late, not lost). No threads; one asyncio loop.

block(owner, what): datagrams to a real address whose candidates came
from @owner (the tag given to rewrite()) are dropped (counted as
"blocked", before the RNG draws) until block(owner, None): with what
"stun-responses" the STUN Binding success responses only (that
endpoint's own checks, consent included, go unanswered while the checks
it answers go on working), with "all" every one of them."""
import random
import re
import socket

HOST = "127.0.0.1"
HOLD_S = 0.1

# a=candidate:... / candidate:... with "udp PRIORITY 127.0.0.1 PORT typ"
_CANDIDATE = re.compile(r"(candidate:\S+ \d+ (?i:udp) \d+ )(127\.0\.0\.1) (\d+)( typ )")


class LossProxy:
    def __init__(self, loop, loss=0.3, reorder=0.1, seed=1, on_port=None):
        if not (0.0 <= loss <= 1.0 and 0.0 <= reorder <= 1.0):
            raise ValueError("loss and reorder are shares in 0..1")
        self.loop = loop
        self.loss = loss
        self.reorder = reorder
        self.rng = random.Random(seed)
        self.socks = {}     # real address -> proxy socket
        self.real = {}      # proxy socket fileno -> real address
        self.held = {}      # (proxy fileno, source) -> (data, timer handle)
        self.on_port = on_port  # called with (real address, proxy port)
        self.owner = {}     # real address -> tag given to rewrite()
        self.blocked = {}   # tag -> what is dropped on the way to it
        self.stats = {"received": 0, "forwarded": 0, "dropped": 0,
                      "reordered": 0, "late": 0, "send_errors": 0,
                      "ports": 0, "blocked": 0}

    def port_for(self, real):
        """The proxy port that stands for @real (made on first use)."""
        sock = self.socks.get(real)
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((HOST, 0))
            sock.setblocking(False)
            self.socks[real] = sock
            self.real[sock.fileno()] = real
            self.stats["ports"] += 1
            self.loop.add_reader(sock.fileno(), self._readable, sock)
            if self.on_port is not None:
                self.on_port(real, sock.getsockname()[1])
        return sock.getsockname()[1]

    def rewrite(self, text, owner=None):
        """@text (an SDP or a candidate line) with every UDP candidate on
        127.0.0.1 pointing at the proxy. A candidate that already names
        one of the proxy's ports (a peer-reflexive one: the peer saw the
        endpoint as its stand-in) is left alone. @owner tags the real
        addresses (see block())."""
        own = {s.getsockname()[1] for s in self.socks.values()}

        def sub(m):
            port = int(m.group(3))
            if port in own:
                return m.group(0)
            if owner is not None:
                self.owner[(m.group(2), port)] = owner
            port = self.port_for((m.group(2), port))
            return "%s%s %d%s" % (m.group(1), HOST, port, m.group(4))
        return _CANDIDATE.sub(sub, text)

    def block(self, owner, what):
        if what is None:
            self.blocked.pop(owner, None)
        elif what in ("stun-responses", "all"):
            self.blocked[owner] = what
        else:
            raise ValueError("block what: stun-responses or all")

    def close(self):
        for _, h in self.held.values():
            h.cancel()
        self.held.clear()
        for sock in self.socks.values():
            self.loop.remove_reader(sock.fileno())
            sock.close()
        self.socks.clear()

    def _send(self, src, data, dest):
        try:
            self.socks[src].sendto(data, dest)
            self.stats["forwarded"] += 1
        except OSError:
            self.stats["send_errors"] += 1

    def _release(self, key, late):
        data, handle = self.held.pop(key)
        fileno, src = key
        if late:
            self.stats["late"] += 1
        else:
            handle.cancel()
            self.stats["reordered"] += 1
        self._send(src, data, self.real[fileno])

    def _readable(self, sock):
        for _ in range(64):
            try:
                data, src = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self._forward(sock, data, src)

    def _forward(self, sock, data, src):
        self.stats["received"] += 1
        self.port_for(src)  # the source's stand-in sends it on
        fileno = sock.fileno()
        dest = self.real[fileno]
        key = (fileno, src)
        what = self.blocked.get(self.owner.get(dest))
        if what == "all" or (
                what == "stun-responses" and len(data) >= 20 and
                data[0:2] == b"\x01\x01" and
                data[4:8] == b"\x21\x12\xa4\x42"):
            # (a STUN Binding success response, RFC 5389 §6)
            self.stats["blocked"] += 1
            return
        if self.rng.random() < self.loss:
            self.stats["dropped"] += 1
            return
        if key in self.held:
            self._send(src, data, dest)
            self._release(key, late=False)
        elif self.rng.random() < self.reorder:
            handle = self.loop.call_later(HOLD_S, self._release, key, True)
            self.held[key] = (data, handle)
        else:
            self._send(src, data, dest)
