#!/usr/bin/env python3
"""Deferred ICE (issue 13 point 5, RFC 8827 §5.4): `sealcall answer
--defer-ice` announces the call (`incoming`) and reveals nothing of its
network until the user accepts.

Every call runs through tests/lib/mitm_relay.py --record --sdp, which
prints every signaling frame with its sender (0 = the answerer, who joins
first): what the caller received over signaling. Each endpoint has its own
STUN server (a counting one, here), so that the caller's ICE is busy and
any STUN request of the callee is seen. tests/lib/capture.py records the
loopback interface (dumpcap; it proves itself live with markers).

1. Accept: `incoming` (origin, room, media, data_channel, fingerprints,
   identity_present, identity null) comes before any ICE event; before
   the accept the callee has no UDP socket (/proc), its STUN server got
   nothing, it sent nothing over signaling, and no UDP packet reached the
   caller's ICE ports but its own STUN server's (the capture). After
   `{"cmd":"accept"}` the call connects, chat flows both ways, and the same
   checks now see the callee (control: they can fail).
2. Decline: the caller gets `bye` with reason `declined` and ends with
   `bye`, the callee ends with `hangup` (detail "declined"), both exit 0;
   the callee sent nothing but that bye over signaling (no answer, no
   a=candidate, no raddr, no address), no packet reached the caller's ICE
   ports from anything but its STUN server, the callee's STUN server got
   nothing.
3. Timeout (--accept-timeout 2): declined the same way.
4. The terminal: the prompt "accept? [y/N]" after the caller's facts;
   "n" declines, "y" accepts; accept before any offer is an error.
"""
import os
import re
import socket
import socketserver
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import capture  # noqa: E402
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()
why = capture.available()
if why is not None:
    tap.skip_all(why)

STUN_COOKIE = 0x2112A442
ADDR_RE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b|raddr|[0-9a-fA-F]*:[0-9a-fA-F:]*:[0-9a-fA-F]+\b")


class StunHandler(socketserver.BaseRequestHandler):
    """Answers a Binding request with the client's own address (RFC 5389
    XOR-MAPPED-ADDRESS, or RFC 3489 MAPPED-ADDRESS without the cookie)."""

    def handle(self):
        data, sock = self.request
        addr = self.client_address
        if len(data) < 20 or struct.unpack("!H", data[:2])[0] != 0x0001:
            return
        self.server.count_request(addr)
        ip = struct.unpack("!I", socket.inet_aton(addr[0]))[0]
        if struct.unpack("!I", data[4:8])[0] == STUN_COOKIE:
            attr = struct.pack("!HHBBHI", 0x0020, 8, 0, 0x01,
                               addr[1] ^ (STUN_COOKIE >> 16), ip ^ STUN_COOKIE)
        else:
            attr = struct.pack("!HHBBHI", 0x0001, 8, 0, 0x01, addr[1], ip)
        sock.sendto(struct.pack("!HH", 0x0101, len(attr)) + data[4:20] + attr,
                    addr)


class StunCounter(socketserver.UDPServer):
    """A STUN server on 127.0.0.1 that counts the requests it gets."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), StunHandler)
        self.port = self.server_address[1]
        self.requests = []      # (client address, port)
        self.cond = threading.Condition()
        threading.Thread(target=self.serve_forever, args=(0.1,),
                         daemon=True).start()

    def count_request(self, addr):
        with self.cond:
            self.requests.append(addr)
            self.cond.notify_all()

    def count(self):
        with self.cond:
            return len(self.requests)

    def wait_count(self, n, timeout):
        with self.cond:
            self.cond.wait_for(lambda: len(self.requests) >= n, timeout)
            return len(self.requests)

    def close(self):
        self.shutdown()
        self.server_close()


def udp_ports(pid):
    """Local ports of the UDP sockets process @pid holds (/proc)."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            m = re.fullmatch(r"socket:\[(\d+)\]", link)
            if m:
                inodes.add(m.group(1))
    except OSError:
        return None
    ports = set()
    for table in ("udp", "udp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if len(cols) > 9 and cols[9] in inodes:
                        ports.add(int(cols[1].split(":")[1], 16))
        except OSError:
            pass
    return ports


def cand_ports(lines):
    ports = set()
    for line in lines:
        f = line.split()
        if len(f) >= 8 and f[2].lower() == "udp" and f[6] == "typ":
            ports.add(int(f[5]))
    return ports


def frames(relay, sender):
    return [e for e in relay.events
            if e.get("event") == "frame" and e.get("from") == sender]


def ice_ports(relay, sender):
    """UDP candidate ports that participant @sender signalled."""
    lines = []
    for ev in frames(relay, sender):
        lines += ev.get("sdp_candidates") or []
        if ev.get("candidate"):
            lines.append(ev["candidate"])
    return cand_ports(lines)


def leaks(relay):
    """What of the callee's (participant 0) frames could tell an address:
    any frame but a bye, and any address-like text in any of them."""
    bad = []
    for ev in frames(relay, 0):
        if ev.get("type") != "bye":
            bad.append("a %r frame" % ev.get("type"))
        text = " ".join(str(ev.get(k)) for k in ("sdp", "candidate", "reason")
                        if ev.get(k) is not None)
        if ADDR_RE.search(text):
            bad.append("address-like text: %r" % text[:200])
    return bad


def foreign_to(flows, ports, allowed_src):
    """UDP packets to one of @ports from a port not in @allowed_src."""
    return [f for f in flows
            if f.proto == "udp" and f.dport in ports and f.sport not in allowed_src]


class Setup:
    """mitm relay, both STUN servers, the callee (--defer-ice), a capture,
    then the caller; waits for `incoming` and for the caller's ICE to be
    busy (its STUN server answered it, its offer passed the relay)."""

    def __init__(self, name, callee_extra=(), json=True):
        self.relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                                  "--record", "--sdp"], "mitm-" + name)
        ev = self.relay.wait_event("listening", timeout=20)
        if ev is None:
            raise RuntimeError("mitm relay did not start")
        self.url = "ws://127.0.0.1:%d/room/%s" % (ev["port"], name)
        self.callee_stun = StunCounter()
        self.caller_stun = StunCounter()
        args = ["--defer-ice", "--stun", "127.0.0.1:%d" % self.callee_stun.port]
        args += list(callee_extra)
        if json:
            self.callee = sctest.endpoint("answer", self.url, "callee-" + name, args)
            self.callee.wait_event("signaling", state="connected", timeout=20)
        else:
            self.callee = sctest.Proc(
                [sctest.SEALCALL, "answer", "--signal", self.url,
                 "--ice-address", "127.0.0.1", "--no-audio", "--no-video"] + args,
                "callee-" + name)
            self.callee.wait_for(lambda e: "signaling connected" in e.get("line", ""),
                                 timeout=20)
        self.cap = capture.Capture("lo").start()
        self.caller = sctest.endpoint(
            "call", self.url, "caller-" + name,
            ["--stun", "127.0.0.1:%d" % self.caller_stun.port])
        self.offer = self.relay.wait_for(
            lambda e: e.get("event") == "frame" and e.get("type") == "offer",
            timeout=20)
        self.caller_stun.wait_count(1, 20)

    def caller_ports(self):
        return ice_ports(self.relay, 1)

    def close(self):
        for p in (self.caller, self.callee, self.relay):
            p.kill()
        self.cap.close()
        self.callee_stun.close()
        self.caller_stun.close()

    def diag(self):
        return ("callee stderr:\n" + self.callee.stderr_tail() +
                "\ncaller stderr:\n" + self.caller.stderr_tail())


def wait_prompt(proc, timeout=20.0):
    """Waits until @proc printed the prompt (which ends with no newline,
    so it stays in the read buffer)."""
    deadline = time.monotonic() + timeout
    while b"accept? [y/N]" not in proc.buf:
        if time.monotonic() > deadline or proc.eof:
            return False
        proc._read_some(0.1)
    return True


def check_capture(s, flows, what):
    """Every UDP packet to the caller's ICE ports came from its STUN
    server; none went to or from the callee's STUN server."""
    cports = s.caller_ports()
    bad = foreign_to(flows, cports, {s.caller_stun.port})
    tap.ok(cports and not bad,
           "%s: no packet reached the caller's ICE ports %s but from its "
           "STUN server" % (what, sorted(cports)), bad[:10])
    tap.ok(not [f for f in flows if f.touches(s.callee_stun.port)],
           "%s: the capture shows no packet to the callee's STUN server" % what)
    return cports


def check_nothing_revealed(s, what):
    """The callee, before its user decided: no socket, no STUN, nothing
    sent over signaling, and the caller's ICE is not checking. Whatever
    the callee would send on the offer it sends before it reports
    `incoming` (the event is dispatched after the offer is handled); the
    relay and the caller get a second to show it."""
    s.relay.wait_for(lambda e: e.get("event") == "frame" and e.get("from") == 0,
                     timeout=1.0)
    s.caller.wait_for(lambda e: e.get("event") == "ice", timeout=1.0)
    tap.ok(s.callee.p.poll() is None and udp_ports(s.callee.p.pid) == set(),
           "%s: the callee holds no UDP socket (nothing can answer a check)" % what,
           udp_ports(s.callee.p.pid))
    tap.ok(s.callee_stun.count() == 0,
           "%s: the callee contacted no STUN server" % what,
           s.callee_stun.requests)
    tap.ok(frames(s.relay, 0) == [],
           "%s: the callee sent nothing over signaling (no answer, no "
           "candidate, no end-of-candidates)" % what, frames(s.relay, 0))
    tap.ok(not any(e.get("event") == "ice" for e in s.caller.events),
           "%s: the caller's ICE has nobody to check" % what,
           [e for e in s.caller.events if e.get("event") == "ice"])


def check_declined(s, detail, what):
    """After a decline (of any kind): the callee ended with hangup and
    @detail, the caller with the callee's bye (declined), both exit 0, and
    that bye is all the callee ever sent: nothing of its network reached
    the caller, over signaling or UDP."""
    end = s.callee.wait_event("ended", timeout=20)
    tap.ok(end is not None and end.get("reason") == "hangup" and
           end.get("detail") == detail,
           "%s: the callee ends with hangup (%s)" % (what, detail), end)
    cend = s.caller.wait_event("ended", timeout=20)
    tap.ok(cend is not None and cend.get("reason") == "bye" and
           cend.get("peer_reason") == "declined",
           "%s: the caller gets bye (reason declined)" % what, cend)
    tap.ok(s.callee.wait_exit(20) == 0 and s.caller.wait_exit(20) == 0,
           "%s: both exit 0" % what)
    for p in (s.callee, s.caller):   # a call that goes on fills the capture
        if p.p.poll() is None:
            p.kill()
    s.relay.wait_for(lambda e: e.get("event") == "frame" and e.get("from") == 0
                     and e.get("type") == "bye", timeout=10)
    tap.ok([e.get("reason") for e in frames(s.relay, 0)] == ["declined"],
           "%s: the callee sent one frame over signaling: bye (declined)" % what,
           frames(s.relay, 0))
    tap.ok(leaks(s.relay) == [],
           "%s: no answer, a=candidate, raddr or address from the callee "
           "reached the caller" % what, leaks(s.relay))
    tap.ok(not any(e.get("event") == "ice" for e in s.caller.events),
           "%s: the caller never had a pair to check" % what,
           "\n".join(s.caller.lines)[-2000:])
    check_capture(s, s.cap.stop(), what)
    tap.ok(s.callee_stun.count() == 0,
           "%s: the callee never contacted its STUN server" % what,
           s.callee_stun.requests)


# ---- 1. accept ----
s = Setup("accept")
try:
    inc = s.callee.wait_event("incoming", timeout=20)
    tap.ok(inc is not None, "incoming event announced", s.diag())
    inc = inc or {}
    first = [e.get("event") for e in s.callee.events
             if e.get("event") in ("incoming", "ice", "dtls", "channel")]
    tap.ok(first[:1] == ["incoming"], "incoming comes before any ICE event", first)
    offer_fps = re.findall(r"a=fingerprint:(\S+ \S+)", (s.offer or {}).get("sdp", ""))
    tap.ok(inc.get("origin") == s.url.rsplit("/room/", 1)[0] and
           inc.get("room") == "accept" and inc.get("media") == [] and
           inc.get("data_channel") is True and
           [f.lower() for f in inc.get("fingerprints", [])] ==
           [f.lower() for f in offer_fps] and offer_fps and
           inc.get("identity_present") is False and "identity" in inc and
           inc["identity"] is None and inc.get("timeout") == 60,
           "incoming says origin, room, media, data channel, the caller's "
           "fingerprint, identity (null)", (inc, offer_fps))
    s.callee.send({"cmd": "inspect"})
    rep = s.callee.wait_event("inspector", timeout=10)
    tap.ok(rep is not None and rep["report"]["ice"].get("defer_ice") == "incoming",
           "the inspector says the call waits (defer_ice: incoming)", rep)
    ice = (rep or {}).get("report", {}).get("ice", {})
    tap.ok(ice.get("local_address") is None and
           ice.get("local_address_hidden") is True and
           ice.get("local_address_hidden_by") == "defer-ice",
           "before accept the inspector shows no address of ours, saying why",
           ice)
    check_nothing_revealed(s, "before accept")
    cports = check_capture(s, s.cap.stop(), "before accept")

    # accept; a second capture is the control: now it sees the callee
    cap2 = capture.Capture("lo").start()
    s.callee.send({"cmd": "accept"})
    tap.ok(s.caller.wait_event("channel", 30, state="open", label="chat") is not None
           and s.callee.wait_event("channel", 30, state="open", label="chat")
           is not None, "after accept the call connects", s.diag())
    sctest.chat(tap, s.caller, s.callee, "to the callee", "chat caller -> callee")
    sctest.chat(tap, s.callee, s.caller, "to the caller", "chat callee -> caller")
    tap.ok(s.callee_stun.count() > 0 and udp_ports(s.callee.p.pid),
           "control: after accept the callee has sockets and asked its STUN server")
    s.relay.wait_for(lambda e: e.get("event") == "frame" and e.get("from") == 0
                     and e.get("type") == "answer", timeout=10)
    callee_ports = ice_ports(s.relay, 0)
    s.callee.send({"cmd": "inspect"})
    rep = s.callee.wait_for(lambda e: e.get("event") == "inspector" and
                            e["report"]["ice"].get("defer_ice") != "incoming",
                            timeout=10)
    tap.ok(rep is not None and rep["report"]["ice"]["defer_ice"] == "accepted",
           "the inspector says accepted", rep)
    ice = (rep or {}).get("report", {}).get("ice", {})
    tap.ok((ice.get("local_address") or "").startswith("127.0.0.1:") and
           ice.get("local_address_hidden") is False,
           "after accept the inspector shows the callee's address", ice)
    s.callee.send({"cmd": "accept"})
    err = s.callee.wait_event("error", timeout=10)
    tap.ok(err is not None and "already accepted" in err.get("detail", ""),
           "a second accept is refused", err)
    flows2 = cap2.stop()
    cap2.close()
    direct = [f for f in flows2 if f.proto == "udp" and f.dport in cports and
              f.sport in callee_ports]
    tap.ok(callee_ports and direct,
           "control: the capture does see the callee's packets to the caller "
           "after accept", (sorted(callee_ports), len(flows2)))
    sctest.hang_up(tap, s.caller, s.callee)
finally:
    s.close()

# ---- 2. decline ----
s = Setup("decline")
try:
    tap.ok(s.callee.wait_event("incoming", timeout=20) is not None,
           "decline: incoming event announced", s.diag())
    check_nothing_revealed(s, "decline, before the decision")
    s.callee.send({"cmd": "decline"})
    check_declined(s, "declined", "decline")
finally:
    s.close()

# ---- 3. timeout ----
s = Setup("timeout", ["--accept-timeout", "2"])
try:
    inc = s.callee.wait_event("incoming", timeout=20)
    tap.ok(inc is not None and inc.get("timeout") == 2,
           "timeout: incoming says when it will be declined", inc)
    check_declined(s, "declined: not accepted within 2 s", "timeout")
finally:
    s.close()

# ---- 4. the terminal ----
s = Setup("prompt", json=False)
try:
    deadline_ok = wait_prompt(s.callee)
    shown = "\n".join(s.callee.lines)
    fp = re.search(r"a=fingerprint:\S+ (\S+)", (s.offer or {}).get("sdp", ""))
    tap.ok(deadline_ok and "* incoming call" in shown and "room:" in shown and
           fp is not None and fp.group(1).upper() in shown.upper(),
           "interactive: the caller's facts, then accept? [y/N]",
           shown + "\n" + s.callee.buf.decode(errors="replace"))
    s.callee.p.stdin.write(b"n\n")
    s.callee.p.stdin.flush()
    cend = s.caller.wait_event("ended", timeout=20)
    tap.ok(cend is not None and cend.get("peer_reason") == "declined",
           "interactive: n declines", cend)
    tap.ok(s.callee.wait_exit(20) == 0 and s.caller.wait_exit(20) == 0,
           "interactive decline: both exit 0")
    s.cap.stop()
finally:
    s.close()

s = Setup("prompt-y", json=False)
try:
    tap.ok(wait_prompt(s.callee), "interactive: the prompt again")
    s.callee.p.stdin.write(b"y\n")
    s.callee.p.stdin.flush()
    tap.ok(s.caller.wait_event("channel", 30, state="open", label="chat") is not None,
           "interactive: y accepts and the call connects", s.diag())
    s.caller.send({"cmd": "hangup"})
    tap.ok(s.caller.wait_exit(20) == 0 and s.callee.wait_exit(20) == 0,
           "interactive accept: both exit 0 after hangup")
    s.cap.stop()
finally:
    s.close()

# accept before any offer, and --defer-ice for a caller
relay, port = sctest.start_relay()
try:
    url = "ws://127.0.0.1:%d/room/early" % port
    a = sctest.endpoint("answer", url, "early", ["--defer-ice"])
    a.wait_event("signaling", state="connected", timeout=20)
    a.send({"cmd": "accept"})
    err = a.wait_event("error", timeout=10)
    tap.ok(err is not None and "no incoming call yet" in err.get("detail", ""),
           "accept before an offer is an error", err)
    tap.ok(udp_ports(a.p.pid) == set(), "waiting for an offer: no UDP socket")
    a.send({"cmd": "hangup"})
    tap.ok(a.wait_exit(20) == 0, "hangup while waiting exits 0")
    a.kill()
    c = sctest.endpoint("call", url, "defer-caller", ["--defer-ice"])
    tap.ok(c.wait_exit(20) == 2, "--defer-ice is refused for a caller (usage)")
    c.kill()
finally:
    relay.kill()
tap.done()
