#!/usr/bin/env python3
"""TURN (--turn) and TURN-only (--relay-only, RFC 8828 mode 4), with coturn
on 127.0.0.1 (issue 13 points 2 and 3), proved by a capture of the
loopback interface (tests/lib/capture.py) and by what was signalled
(mitm_relay.py --record).

1. Relay-only on both sides, TURN over UDP, over TCP and over TLS
   (turns:, coturn with a certificate made by the test, --ca): the call connects
   on a relay/relay pair and data flows both ways; every candidate either
   side signalled (in the offer, the answer and trickled) is `typ relay`
   with `raddr 0.0.0.0 rport 0`; no packet of the capture goes between a
   socket of one endpoint and anything but the TURN server (its port and
   its relay ports); the inspector says policy relay-only and
   related_address_suppressed true. Over TCP the TURN USER is on the wire
   in the clear; over TLS no packet to or from the server's TLS port shows
   it.
   An ICE restart (the answerer frozen) in relay-only over UDP: the restart
   offer's candidates are suppressed too, and the call goes on on relay.
1b. turns: without --ca (the test CA is not trusted), and a wrong TURN
   password: each relay-only side ends ice-failed at once, saying that no
   TURN server gave a relay candidate (not a silent hang).
2. Control, the same with --turn but without --relay-only: the capture
   does show packets between the two endpoints' own sockets (so 1 can
   fail), and the inspector says policy all, related_address_suppressed
   false.
3. A hostile peer: a plain endpoint answers a relay-only caller, trickle is
   dropped and the relay injects, as if from the caller, a host candidate
   naming each of the caller's own UDP sockets (found in /proc): the peer's
   checks reach those sockets directly (the capture shows them), but the
   caller never answers from them and selects a relay pair.
4. The credentials (a USER and a PASS with characters that must be
   percent-encoded) appear in no log line (every debug switch on), no
   event, no inspector report and not in /proc/PID/cmdline; errors show
   the URL redacted.
5. Usage: --relay-only without --turn, --relay-only with --stun, turns:
   over UDP, an unreadable --ca, malformed URLs: exit 2 with a one-line
   error, no credential in it."""
import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import capture  # noqa: E402
import procsock  # noqa: E402
import sctest  # noqa: E402
import turnserver  # noqa: E402

tap = sctest.Tap()
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
why = capture.available() or turnserver.available()
if why:
    tap.skip_all(why)

DEBUG = {"SC_DEBUG": "trace", "G_MESSAGES_DEBUG": "all", "NICE_DEBUG": "all"}
USER = "sc-user-" + secrets.token_hex(6)
PASS = "pw:" + secrets.token_hex(8) + "@/?x"
ENC_USER = urllib.parse.quote(USER, safe="")
ENC_PASS = urllib.parse.quote(PASS, safe="")
SECRET_FORMS = {USER, PASS, ENC_USER, ENC_PASS, PASS.split(":")[1],
                PASS.encode().hex(), base64.b64encode(PASS.encode()).decode(),
                USER.encode().hex()}


def turn_url(turn, transport, password=ENC_PASS):
    if transport == "tls":
        return "turns:%s:%s@127.0.0.1:%d" % (ENC_USER, password, turn.tls_port)
    return "turn:%s:%s@127.0.0.1:%d?transport=%s" % (
        ENC_USER, password, turn.port, transport)


start_mitm = sctest.recording_relay


def endpoint(role, url, name, extra):
    return sctest.Proc([sctest.SEALCALL, role, "--signal", url, "--json",
                        "--ice-address", "127.0.0.1", "--no-audio",
                        "--no-video"] + extra, name, env=DEBUG)


def signalled(mitm, sender):
    """Every candidate line @sender (0: the first to join) signalled."""
    out = []
    for e in mitm.events:
        if e.get("event") != "frame" or e.get("from") != sender:
            continue
        out += e.get("sdp_candidates") or []
        if e.get("type") == "candidate" and e.get("candidate"):
            out.append(e["candidate"])
    return out


relay_only_line = sctest.relay_only_candidate


def inspect(p):
    p.send({"cmd": "inspect"})
    ev = p.wait_event("inspector", timeout=15)
    return ev["report"] if ev else None


def udp_tcp_ports(p):
    """(proto, port) of @p's sockets: UDP and TCP ports are apart (the
    capture of a shared lo holds other processes' TCP on a number that is
    one of our UDP ports)."""
    return procsock.ports(p.p.pid)


def src(f):
    return (f.proto, f.sport)


def dst(f):
    return (f.proto, f.dport)


def no_secrets(what, text):
    shown = [s for s in SECRET_FORMS if s in text]
    tap.ok(not shown, "no TURN credential in %s" % what, shown)


def check_secrets(p):
    log = open(p.stderr_path, errors="replace").read()
    tap.ok("libnice" in log and "TURN" in log, "%s: libnice's debug output "
           "is on" % p.name)
    no_secrets("%s's log" % p.name, log)
    no_secrets("%s's events" % p.name, "\n".join(p.lines))


class Run:
    """A call through a recording relay with a capture of lo."""

    def __init__(self, room, offer_extra, answer_extra, mitm_opts=()):
        self.mitm, port = start_mitm(*mitm_opts)
        self.room = room
        self.cap = capture.Capture("lo")
        self.cap.start()
        url = "ws://127.0.0.1:%d/room/%s" % (port, room)
        self.sig_port = port
        self.ans = endpoint("answer", url, "answerer-" + room, answer_extra)
        self.ans.wait_event("signaling", state="connected", timeout=20)
        self.off = endpoint("call", url, "offerer-" + room, offer_extra)
        self.ports = {}
        self.cmdline = {}
        self.flows = None

    def connected(self, timeout=30):
        ok = all(p.wait_event("channel", timeout, state="open", label="chat")
                 for p in (self.off, self.ans))
        for p in (self.off, self.ans):
            self.ports[p.name] = udp_tcp_ports(p)
            with open("/proc/%d/cmdline" % p.p.pid, "rb") as f:
                self.cmdline[p.name] = f.read().decode(errors="replace")
        return ok

    def ice(self, p):
        return p.wait_event("ice", timeout=15, state="connected") or {}

    def finish(self):
        self.off.send({"cmd": "hangup"})
        rc = (self.off.wait_exit(20), self.ans.wait_exit(20))
        # the bye is the last frame: every candidate was recorded before it
        self.mitm.wait_for(lambda e: e.get("event") == "frame" and
                           e.get("type") == "bye", 20)
        self.flows = self.cap.stop()
        return rc

    def diag(self):
        return ("offerer:\n" + self.off.stderr_tail(15) + "\nanswerer:\n" +
                self.ans.stderr_tail(15))

    def close(self):
        for p in (self.off, self.ans, self.mitm):
            p.kill()
        self.cap.close()


def direct_flows(run, turn):
    """Packets between a socket of one endpoint and something that is not
    the TURN server (and not the signaling relay, and not the same
    endpoint: turns: goes from libnice to the endpoint's own TLS proxy)."""
    out = []
    for p in (run.off, run.ans):
        mine = run.ports[p.name]
        out += [f for f in run.flows
                if (src(f) in mine) != (dst(f) in mine) and
                not turn.touches(f) and
                ("tcp", run.sig_port) not in (src(f), dst(f))]
    return out


def user_on_wire(run, port):
    """Packets to or from @port whose payload shows the TURN USER."""
    return [f for f in run.flows if ("tcp", port) in (src(f), dst(f)) and
            USER.encode() in f.payload]


def between_endpoints(run):
    a, b = run.ports[run.off.name], run.ports[run.ans.name]
    return [f for f in run.flows
            if (src(f) in a and dst(f) in b) or (src(f) in b and dst(f) in a)]


def ice_restart(run):
    """The answerer frozen until the offerer's libnice gives up on the
    pair (ice disconnected): the offerer restarts ICE with a second offer
    that lists its relay candidate again (related address suppressed on
    this path too), and once the answerer wakes, the call goes on, still
    on a relay pair."""
    first = first_offer(run)
    os.kill(run.ans.p.pid, signal.SIGSTOP)
    try:
        disc = run.off.wait_event("ice", timeout=40, state="disconnected")
        reoffer = run.mitm.wait_for(
            lambda e: e.get("event") == "frame" and e.get("type") == "offer"
            and e is not first, 20)
    finally:
        os.kill(run.ans.p.pid, signal.SIGCONT)
    c = (reoffer or {}).get("sdp_candidates") or []
    tap.ok(disc is not None and c and all(relay_only_line(x) for x in c),
           "relay-only: the ICE restart offer lists relay candidates only, "
           "raddr 0.0.0.0 rport 0", (disc, c))
    sctest.chat(tap, run.off, run.ans, "after the restart",
                "relay-only: data flows after the ICE restart")
    ev = [e for e in run.off.events if e.get("event") == "ice" and
          e.get("state") == "connected"][-1]
    tap.ok(ev.get("local_type") == "relay", "relay-only: a relay pair "
           "after the restart", ev)


def first_offer(run):
    return run.mitm.wait_for(lambda e: e.get("event") == "frame" and
                             e.get("type") == "offer", 20)


certdir = tempfile.mkdtemp(prefix="sc-turn-certs-")
ca, crt, key = turnserver.make_certs(certdir)
turn = turnserver.TurnServer(USER, PASS, tls=(crt, key))
try:
    # 1. relay-only both sides, UDP and TCP to the TURN server
    for transport in ("udp", "tcp", "tls"):
        extra = ["--turn", turn_url(turn, transport), "--relay-only"]
        if transport == "tls":
            extra += ["--ca", ca]
        run = Run("ro" + transport, extra, extra)
        try:
            tap.ok(run.connected(), "relay-only over TURN/%s: the call "
                   "connects" % transport, run.diag())
            for p in (run.off, run.ans):
                ev = run.ice(p)
                tap.ok(ev.get("local_type") == "relay" and
                       ev.get("remote_type") == "relay",
                       "%s: selected pair relay/relay" % p.name, ev)
            sctest.chat(tap, run.off, run.ans, "through turn " + transport,
                        "data flows offerer -> answerer")
            sctest.chat(tap, run.ans, run.off, "back through " + transport,
                        "data flows answerer -> offerer")
            if transport == "udp":
                ice_restart(run)
            for p in (run.off, run.ans):
                r = inspect(p)
                ice = (r or {}).get("ice", {})
                tap.ok(ice.get("policy") == "relay-only" and
                       ice.get("related_address_suppressed") is True,
                       "%s: inspector says relay-only, related address "
                       "suppressed" % p.name, ice)
                no_secrets("%s's inspector report" % p.name, str(r))
            rc = run.finish()
            tap.ok(rc == (0, 0), "both exit 0 after hangup", rc)
            for sender, name in ((0, "answerer"), (1, "offerer")):
                c = signalled(run.mitm, sender)
                bad = [x for x in c if not relay_only_line(x)]
                tap.ok(c and not bad, "%s signalled only relay candidates "
                       "with raddr 0.0.0.0 rport 0 (%d)" % (name, len(c)),
                       bad or "none signalled")
            d = direct_flows(run, turn)
            tap.ok(not d, "TURN/%s: the capture has no packet of either "
                   "endpoint that bypasses the TURN server (%d packets)"
                   % (transport, len(run.flows)), d[:10])
            tap.ok(all(any(turn.touches(f) and (src(f) in run.ports[p.name]
                                                or dst(f) in run.ports[p.name])
                           for f in run.flows) for p in (run.off, run.ans)),
                   "each endpoint's traffic went to the TURN server")
            for p in (run.off, run.ans):
                check_secrets(p)
                no_secrets("%s's /proc/PID/cmdline" % p.name, run.cmdline[p.name])
            if transport == "tcp":
                tap.ok(user_on_wire(run, turn.port), "TURN/tcp: the TURN "
                       "USER is on the wire in the clear (so the turns: "
                       "check can fail)")
            if transport == "tls":
                tap.ok(any(("tcp", turn.tls_port) in (src(f), dst(f))
                           for f in run.flows) and
                       not user_on_wire(run, turn.tls_port),
                       "turns: the TURN server's TLS port carried the call, "
                       "and no packet to or from it shows the TURN USER")
        finally:
            run.close()

    # 1b. the TURN server cannot be used: the relay-only caller fails at
    # once with a reason, and nothing goes in the clear (the answerer is a
    # plain one: two failing sides race, the first to end makes the other
    # see peer-left)
    for i, (what, extra) in enumerate((
            ("turns: with a certificate not signed by a trusted CA",
             ["--turn", turn_url(turn, "tls"), "--relay-only"]),
            ("a wrong TURN password",
             ["--turn", turn_url(turn, "udp", "wrong-password"),
              "--relay-only"]))):
        run = Run("fail%d" % i, extra, [])
        try:
            ev = run.off.wait_event("ended", timeout=30)
            tap.ok(ev is not None and ev.get("reason") == "ice-failed" and
                   "no TURN server gave a relay candidate" in
                   ev.get("detail", ""),
                   "%s: the relay-only caller ends ice-failed at once, "
                   "saying why" % what, ev or run.off.stderr_tail())
            run.off.wait_exit(20)
            run.flows = run.cap.stop()
            if "--ca" not in extra and "turns:" in extra[1]:
                tap.ok("certificate refused" in open(run.off.stderr_path).read(),
                       "%s: the log says the certificate was refused" % what)
                tap.ok(not user_on_wire(run, turn.tls_port),
                       "%s: the TURN USER never went to the server" % what)
        finally:
            run.close()

    # 2. control: --turn without --relay-only shows direct packets
    extra = ["--turn", turn_url(turn, "udp")]
    run = Run("control", extra, extra)
    try:
        tap.ok(run.connected(), "control (no --relay-only): the call connects",
               run.diag())
        ev = run.ice(run.off)
        tap.ok(ev.get("local_type") == "host", "control: a host pair", ev)
        ice = (inspect(run.off) or {}).get("ice", {})
        tap.ok(ice.get("policy") == "all" and
               ice.get("related_address_suppressed") is False,
               "control: inspector says policy all, related address not "
               "suppressed", ice)
        run.finish()
        tap.ok(between_endpoints(run), "control: the capture shows packets "
               "between the endpoints' own sockets (the relay-only check "
               "can fail)", "%d packets" % len(run.flows))
        tap.ok(any(not relay_only_line(c) for c in signalled(run.mitm, 1)),
               "control: the offerer signalled non-relay candidates")
        check_secrets(run.off)
    finally:
        run.close()

    # 3. hostile peer: its checks reach the relay-only side's own sockets
    run = Run("hostile", ["--turn", turn_url(turn, "udp"), "--relay-only"],
              [], ("--drop-candidates", "--control"))
    try:
        offer = run.mitm.wait_for(lambda e: e.get("event") == "frame" and
                                  e.get("type") == "offer", 20)
        host = {port for proto, port in procsock.ports(run.off.p.pid)
                if proto == "udp"}
        host_socks = {("udp", port) for port in host}
        tap.ok(offer is not None and host, "relay-only caller's UDP "
               "sockets found", host)
        for i, port in enumerate(sorted(host)):
            cand = "candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host" % (
                90 + i, port)
            run.mitm.send({"cmd": "say", "room": "hostile", "to": 0,
                           "msg": {"type": "candidate", "candidate": cand,
                                   "sdpMid": "0", "sdpMLineIndex": 0}})
        tap.ok(run.connected(), "hostile: the call connects", run.diag())
        ev = run.ice(run.off)
        tap.ok(ev.get("local_type") == "relay", "hostile: the relay-only "
               "side selected a pair relayed on its side", ev)
        ice = (inspect(run.off) or {}).get("ice", {})
        tap.ok(ice.get("policy") == "relay-only", "hostile: inspector says "
               "relay-only", ice)
        run.finish()
        peer = run.ports[run.ans.name]
        came = [f for f in run.flows if src(f) in peer and dst(f) in host_socks]
        went = [f for f in run.flows if src(f) in host_socks and dst(f) in peer]
        tap.ok(came, "hostile: the peer's checks reached the relay-only "
               "side's sockets directly (%d packets)" % len(came))
        tap.ok(not went, "hostile: the relay-only side never sent from its "
               "own sockets to the peer", went[:10])
    finally:
        run.close()
finally:
    turn.stop()
    shutil.rmtree(certdir, ignore_errors=True)

# 5. usage errors, no credential shown
cases = [
    (["--relay-only"], "needs a TURN server"),
    (["--relay-only", "--stun", "127.0.0.1:3478", "--turn",
      "turn:%s:%s@127.0.0.1" % (ENC_USER, ENC_PASS)], "--stun with --relay-only"),
    (["--turn", "turns:%s:%s@127.0.0.1?transport=udp" % (ENC_USER, ENC_PASS)],
     "DTLS"),
    (["--ca", "/nonexistent/ca.pem"], "--ca /nonexistent/ca.pem"),
    (["--turn", "turn:%s:%s@turn.example.org" % (ENC_USER, ENC_PASS)],
     "turn:***@turn.example.org"),
    (["--turn", "turn:%s:%s" % (ENC_USER, ENC_PASS)], "turn:***"),
]
for args, want in cases:
    p = subprocess.run([sctest.SEALCALL, "call", "--signal",
                        "ws://127.0.0.1:9/room/x", "--json"] + args,
                       capture_output=True, text=True, timeout=30)
    tap.ok(p.returncode == 2 and want in p.stderr and
           len(p.stderr.strip().splitlines()) == 1,
           "usage error (%s): exit 2, says '%s'" % (want, want),
           (p.returncode, p.stderr))
    no_secrets("the error for '%s'" % want, p.stderr + p.stdout)

tap.done()
