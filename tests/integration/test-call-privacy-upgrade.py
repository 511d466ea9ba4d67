#!/usr/bin/env python3
"""Mid-call privacy change (issue 13 point 6, RFC 8827 §5.4: "reconfigure
an existing call to add non-TURN candidates"), `{"cmd":"privacy",
"relay_only":false}` and back, with coturn on 127.0.0.1
(tests/lib/turnserver.py), the signaling through a recording relay
(mitm_relay.py --record) and captures of lo (tests/lib/capture.py).

1. Upgrade by the offerer: the offerer runs --relay-only, the answerer
   only has --turn. While relay-only, a capture shows no packet between
   the endpoints that bypasses the TURN server. The offerer's `privacy`
   command restarts ICE (a restart offer from the offerer with a host
   candidate); both sides then select a direct pair (host/srflx/prflx on
   both ends), and a capture shows packets between the endpoints' own
   sockets. The DTLS association is the same: one `dtls` event per side
   for the whole call, the inspector's remote fingerprint is the one of
   that event; the SCTP association and its channel survive (one open
   event, no close), and chat flows both ways before, during (sent right
   after the command) and after. The offerer's inspector then says
   policy all, related_address_suppressed false.
2. Back to relay-only, by the same side, with the answerer frozen while
   the restart offer is out: a second change is refused while it is under
   way; once the answerer runs again, a relay pair is selected, the
   restart offer listed only relay candidates with raddr 0.0.0.0 rport 0,
   and a capture started once that pair is selected, running through
   chat both ways and a consent round trip, has no packet of
   either endpoint that bypasses the TURN server. The inspector says
   policy relay-only and related_address_suppressed false (the addresses
   were shown during the call). Still one DTLS handshake per side.
3. Upgrade by the answerer (relay-only; the offerer has no TURN server):
   the restart offer comes from the answerer, a direct pair on both
   sides, same DTLS association, chat flows. The offerer, with no TURN
   server, is refused relay-only; a change to the policy in force is
   refused.
4. Refusals without a call: not connected yet; a malformed command; a
   privacy rule that asks for relay-only (and --require-unlinkable)
   refuses the upgrade, named in the error, unless --privacy-override.
   The interactive `/privacy direct` (refused before the call connects),
   the interactive help and --help list the command."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import capture  # noqa: E402
import procsock  # noqa: E402
import sctest  # noqa: E402
import turnserver  # noqa: E402

tap = sctest.Tap()
why = capture.available() or turnserver.available()
if why:
    tap.skip_all(why)

USER, PASS = "sc-upgrade", "upgrade-pass"
DIRECT = ("host", "srflx", "prflx")


start_mitm = sctest.recording_relay
relay_only_line = sctest.relay_only_candidate


def typ(c):
    f = c.split()
    return f[f.index("typ") + 1] if "typ" in f else None


def inspect(p):
    n = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", 15, start=n)
    return (ev or {}).get("report") or {}


def dtls_events(p):
    return [e for e in p.events if e.get("event") == "dtls"]


def same_association(tap, p, what):
    """One DTLS handshake for the whole call, the inspector's remote
    fingerprint is that handshake's, the chat channel opened once and
    never closed."""
    d = dtls_events(p)
    rep = inspect(p)
    fp = rep.get("transport", {}).get("remote_fingerprint")
    tap.ok(len(d) == 1 and d[0].get("state") == "connected" and
           fp and fp == d[0].get("remote_fingerprint"),
           "%s: %s: one DTLS handshake for the call, same remote "
           "fingerprint" % (p.name, what), (d, fp))
    ch = [e for e in p.events if e.get("event") == "channel" and
          e.get("label") == "chat"]
    tap.ok(len(ch) == 1 and ch[0].get("state") == "open",
           "%s: %s: the chat channel opened once and was never closed"
           % (p.name, what), ch)
    return rep


def pair_after(p, start, local, remote, timeout=40):
    """The first `ice` connected event from index @start whose types are
    in @local and @remote."""
    return p.wait_for(lambda e: e.get("event") == "ice" and
                      e.get("state") == "connected" and
                      e.get("local_type") in local and
                      e.get("remote_type") in remote, timeout, start=start)


def direct_on_both(tap, off, ans, n_off, n_ans, what):
    """After an upgrade (events from @n_off, @n_ans on): both sides select
    a direct pair, chat flows both ways, the DTLS and SCTP associations
    are the ones of the start."""
    po = pair_after(off, n_off, DIRECT, DIRECT)
    pa = pair_after(ans, n_ans, DIRECT, DIRECT)
    tap.ok(po is not None and pa is not None, "after %s both sides select "
           "a direct pair" % what, (po, pa, off.stderr_tail(10),
                                    ans.stderr_tail(10)))
    sctest.chat(tap, off, ans, "after " + what, "chat offerer -> answerer "
                "after " + what)
    sctest.chat(tap, ans, off, "back after " + what, "chat answerer -> "
                "offerer after " + what)
    for p in (off, ans):
        same_association(tap, p, "after " + what)


def restart_offer(mitm, sender, nth):
    """The @nth offer frame (1: the first) of @sender (0: the participant
    who joined the room first)."""
    seen = []

    def pred(e):
        if e.get("event") == "frame" and e.get("type") == "offer" and \
                e.get("from") == sender:
            seen.append(e)
        return len(seen) == nth
    return mitm.wait_for(pred, 20)


def flows_bypassing(flows, ports, turn, sig_port):
    """Packets between a socket of one endpoint and anything but the TURN
    server and the signaling relay."""
    out = []
    for mine in ports:
        out += [f for f in flows
                if ((f.proto, f.sport) in mine) != ((f.proto, f.dport) in mine)
                and not turn.touches(f) and
                ("tcp", sig_port) not in ((f.proto, f.sport),
                                          (f.proto, f.dport))]
    return out


def between(flows, a, b):
    return [f for f in flows
            if ((f.proto, f.sport) in a and (f.proto, f.dport) in b) or
            ((f.proto, f.sport) in b and (f.proto, f.dport) in a)]


def consent_round_trip(tap, p, since):
    """Waits until @p has had a consent response after monotonic time
    @since (the inspector's last_response_ms_ago), within 20 s: libnice
    checks consent every 4-6 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        c = inspect(p).get("ice", {}).get("consent", {})
        ago = c.get("last_response_ms_ago")
        if isinstance(ago, int) and 0 <= ago and \
                time.monotonic() - ago / 1000.0 > since:
            return True
        p.wait_for(lambda e: False, 1.0)  # reads events meanwhile
    tap.diag("%s: no consent response seen" % p.name)
    return False


def change(p, relay_only):
    n = len(p.events)
    p.send({"cmd": "privacy", "relay_only": relay_only})
    return p.wait_for(lambda e: e.get("event") in ("privacy", "error"), 15,
                      start=n)


def error_after(p, n, timeout=15):
    return p.wait_for(lambda e: e.get("event") == "error", timeout, start=n)


turn = turnserver.TurnServer(USER, PASS)
TURN = ["--turn", "turn:%s:%s@127.0.0.1:%d?transport=udp" % (USER, PASS,
                                                           turn.port)]
procs = []
caps = []
try:
    # ---- 1 and 2: the offerer relay-only, upgraded, then back ----------
    mitm, sig_port = start_mitm()
    procs.append(mitm)
    url = "ws://127.0.0.1:%d/room/upgrade" % sig_port
    cap = capture.Capture("lo")
    caps.append(cap)
    cap.start()
    ans = sctest.endpoint("answer", url, "answerer", TURN)
    procs.append(ans)
    ans.wait_event("signaling", state="connected", timeout=20)
    off = sctest.endpoint("call", url, "offerer", TURN + ["--relay-only"])
    procs.append(off)
    ok = all(p.wait_event("channel", 30, state="open", label="chat")
             for p in (off, ans))
    tap.ok(ok, "relay-only offerer: the call connects",
           off.stderr_tail(10) + ans.stderr_tail(10))
    ports = {p.name: procsock.ports(p.p.pid) for p in (off, ans)}
    first = off.wait_event("ice", 15, state="connected") or {}
    tap.ok(first.get("local_type") == "relay", "offerer: a relay pair while "
           "relay-only", first)
    sctest.chat(tap, off, ans, "before the upgrade", "chat offerer -> "
                "answerer before the upgrade")
    sctest.chat(tap, ans, off, "before, back", "chat answerer -> offerer "
                "before the upgrade")
    rep = inspect(off).get("ice", {})
    tap.ok(rep.get("policy") == "relay-only" and
           rep.get("related_address_suppressed") is True,
           "offerer: inspector says relay-only, related address suppressed "
           "before the upgrade", rep)
    flows = cap.stop()
    d = flows_bypassing(flows, ports.values(), turn, sig_port)
    tap.ok(not d, "before the upgrade no packet bypasses the TURN server "
           "(%d packets)" % len(flows), d[:10])

    # 1. upgrade by the offerer
    cap = capture.Capture("lo")
    caps.append(cap)
    cap.start()
    n_off, n_ans = len(off.events), len(ans.events)
    ev = change(off, False)
    tap.ok(ev is not None and ev.get("event") == "privacy" and
           ev.get("change") is True and ev.get("relay_only") is False,
           "offerer: the privacy command is taken and told", ev)
    off.send({"cmd": "send", "label": "chat", "text": "during, from off"})
    ans.send({"cmd": "send", "label": "chat", "text": "during, from ans"})
    ro = restart_offer(mitm, 1, 2)
    cands = (ro or {}).get("sdp_candidates") or []
    tap.ok(any(typ(c) == "host" for c in cands),
           "the offerer's restart offer lists a host candidate", cands)
    direct_on_both(tap, off, ans, n_off, n_ans, "the upgrade")
    tap.ok(ans.wait_event("message", text="during, from off", timeout=20)
           and off.wait_event("message", text="during, from ans", timeout=20),
           "chat sent during the upgrade arrives both ways")
    rep = inspect(off).get("ice", {})
    tap.ok(rep.get("policy") == "all" and
           rep.get("related_address_suppressed") is False and
           rep.get("local_type") in DIRECT,
           "offerer: inspector says policy all, related address not "
           "suppressed, a direct pair", rep)
    flows = cap.stop()
    tap.ok(between(flows, ports["offerer"], ports["answerer"]),
           "after the upgrade the capture shows packets between the "
           "endpoints' own sockets (%d packets)" % len(flows))

    # 2. back to relay-only; the answerer frozen while the offer is out
    n_off, n_ans = len(off.events), len(ans.events)
    os.kill(ans.p.pid, signal.SIGSTOP)
    try:
        ev = change(off, True)
        tap.ok(ev is not None and ev.get("event") == "privacy" and
               ev.get("relay_only") is True,
               "offerer: back to relay-only is taken", ev)
        ev = change(off, False)
        tap.ok(ev is not None and ev.get("event") == "error" and
               "under way" in ev.get("detail", ""),
               "a second change while the restart is under way is refused",
               ev)
        ro = restart_offer(mitm, 1, 3)
    finally:
        os.kill(ans.p.pid, signal.SIGCONT)
    cands = (ro or {}).get("sdp_candidates") or []
    tap.ok(cands and all(relay_only_line(c) for c in cands),
           "the downgrade's restart offer lists relay candidates only, "
           "raddr 0.0.0.0 rport 0", cands)
    po = pair_after(off, n_off, ("relay",), DIRECT + ("relay",))
    pa = pair_after(ans, n_ans, DIRECT + ("relay",), ("relay",))
    tap.ok(po is not None and pa is not None, "after the downgrade a pair "
           "relayed on the offerer's side is selected on both sides",
           (po, pa, off.stderr_tail(10)))
    cap = capture.Capture("lo")
    caps.append(cap)
    cap.start()
    since = time.monotonic()
    sctest.chat(tap, off, ans, "after the downgrade", "chat offerer -> "
                "answerer after the downgrade")
    sctest.chat(tap, ans, off, "after the downgrade, back", "chat answerer "
                "-> offerer after the downgrade")
    # the answerer's pair is direct on its side (host -> the offerer's
    # relay address): its watch times the offerer's consent responses,
    # which come back through the TURN server (the offerer's own watch
    # cannot see them inside TURN's framing)
    tap.ok(consent_round_trip(tap, ans, since),
           "a consent round trip during the capture (the answerer's check, "
           "the offerer's response)")
    rep = inspect(off).get("ice", {})
    tap.ok(rep.get("policy") == "relay-only" and
           rep.get("related_address_suppressed") is False and
           rep.get("local_type") == "relay",
           "offerer: inspector says relay-only again, related address not "
           "suppressed (shown during the call)", rep)
    for p in (off, ans):
        same_association(tap, p, "after the downgrade")
    off.send({"cmd": "hangup"})
    rc = (off.wait_exit(20), ans.wait_exit(20))
    flows = cap.stop()
    d = flows_bypassing(flows, ports.values(), turn, sig_port)
    tap.ok(not d and any(turn.touches(f) for f in flows),
           "after the downgrade's pair is selected no packet bypasses the "
           "TURN server (%d packets)" % len(flows), d[:10])
    tap.ok(rc == (0, 0), "both exit 0 after hangup", rc)
    # the bye is the last frame: everything the offerer trickled after the
    # downgrade's offer was recorded before it
    mitm.wait_for(lambda e: e.get("event") == "frame" and
                  e.get("type") == "bye", 20)
    later = mitm.events[mitm.events.index(ro) + 1:] if ro in mitm.events \
        else []
    trickled = [e.get("candidate") for e in later
                if e.get("event") == "frame" and e.get("from") == 1 and
                e.get("type") == "candidate" and e.get("candidate")]
    tap.ok(ro is not None and all(relay_only_line(c) for c in trickled),
           "nor did the offerer trickle anything but relay candidates after "
           "the downgrade (%d trickled)" % len(trickled), trickled)
    for p in procs:
        p.kill()
    procs = []

    # ---- 3. upgrade by the answerer ------------------------------------
    mitm, sig_port = start_mitm()
    procs.append(mitm)
    url = "ws://127.0.0.1:%d/room/answerer-upgrade" % sig_port
    ans = sctest.endpoint("answer", url, "answerer3", TURN + ["--relay-only"])
    procs.append(ans)
    ans.wait_event("signaling", state="connected", timeout=20)
    off = sctest.endpoint("call", url, "offerer3", [])
    procs.append(off)
    ok = all(p.wait_event("channel", 30, state="open", label="chat")
             for p in (off, ans))
    tap.ok(ok, "relay-only answerer: the call connects", ans.stderr_tail(10))
    first = ans.wait_event("ice", 15, state="connected") or {}
    tap.ok(first.get("local_type") == "relay", "answerer: a relay pair while "
           "relay-only", first)
    sctest.chat(tap, ans, off, "before (3)", "chat before the answerer's "
                "upgrade")
    n_off, n_ans = len(off.events), len(ans.events)
    ev = change(ans, False)
    tap.ok(ev is not None and ev.get("event") == "privacy",
           "answerer: the privacy command is taken", ev)
    ro = restart_offer(mitm, 0, 1)
    tap.ok(ro is not None and any(typ(c) == "host" for c in
                                  ro.get("sdp_candidates") or []),
           "the restart offer comes from the answerer, with a host "
           "candidate", ro)
    direct_on_both(tap, off, ans, n_off, n_ans, "the answerer's upgrade")
    n = len(off.events)
    ev = change(off, True)
    tap.ok(ev is not None and ev.get("event") == "error" and
           "needs a TURN server" in ev.get("detail", ""),
           "relay-only without a TURN server is refused", ev)
    ev = change(ans, False)
    tap.ok(ev is not None and ev.get("event") == "error" and
           "already" in ev.get("detail", ""),
           "a change to the policy in force is refused", ev)
    sctest.chat(tap, off, ans, "after the refusals", "the call goes on after "
                "the refusals")
    sctest.hang_up(tap, off, ans)
    for p in procs:
        p.kill()
    procs = []
finally:
    for p in procs:
        p.kill()
    for c in caps:
        c.close()
    turn.stop()

# ---- 4. refusals without a call -----------------------------------------
relay_proc, port = sctest.start_relay(tap)
conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
try:
    origin = "ws://127.0.0.1:%d" % port
    conf.write("[profile hidden]\nrelay_only = true\n\n[rule this-relay]\n"
               "origin = %s\nprofile = hidden\n\n[default]\nprofile = hidden\n"
               % origin)
    conf.close()
    fake_turn = ["--turn", "turn:u:p@127.0.0.1:9?transport=udp"]
    cases = [
        ("not connected", [], {"cmd": "privacy", "relay_only": False},
         "not connected"),
        ("no relay_only", [], {"cmd": "privacy"}, "boolean \"relay_only\""),
        ("relay_only a string", [], {"cmd": "privacy", "relay_only": "no"},
         "boolean \"relay_only\""),
        ("a rule asks for relay-only", fake_turn + ["--privacy-config",
                                                    conf.name],
         {"cmd": "privacy", "relay_only": False},
         "privacy rule 'this-relay'"),
        ("--require-unlinkable", fake_turn + ["--privacy-config",
                                              "/dev/null",
                                              "--require-unlinkable"],
         {"cmd": "privacy", "relay_only": False}, "--require-unlinkable"),
        ("the rule, with --privacy-override", fake_turn + [
            "--privacy-config", conf.name, "--privacy-override",
            "--relay-only"],
         {"cmd": "privacy", "relay_only": False}, "not connected"),
    ]
    for i, (what, extra, cmd, want) in enumerate(cases):
        url = "%s/room/alone%d" % (origin, i)
        p = sctest.endpoint("answer", url, "alone%d" % i, extra)
        try:
            up = p.wait_event("signaling", state="connected", timeout=20)
            n = len(p.events)
            p.send(cmd)
            ev = error_after(p, n)
            tap.ok(up is not None and ev is not None and
                   want in ev.get("detail", ""),
                   "%s: the change is refused, saying '%s'" % (what, want),
                   (ev, p.stderr_tail(5)))
            tap.ok(not [e for e in p.events if e.get("event") == "privacy"
                        and e.get("change")],
                   "%s: no change is told" % what)
        finally:
            p.kill()
    # the interactive form, and its help line
    p = sctest.Proc([sctest.SEALCALL, "answer", "--signal",
                     "%s/room/interactive" % origin, "--ice-address",
                     "127.0.0.1", "--no-audio", "--no-video", "--no-play"],
                    "interactive")
    try:
        p.p.stdin.write(b"/privacy direct\n/privacy sideways\n")
        p.p.stdin.flush()
        deadline = time.monotonic() + 20
        err = ""
        while time.monotonic() < deadline and not (
                "not connected" in err and "/privacy direct|relay-only" in err):
            p.wait_for(lambda e: False, 0.2)
            err = open(p.stderr_path, errors="replace").read()
        tap.ok("not connected" in err, "interactive /privacy direct: refused "
               "before the call connects, saying why", err[-500:])
        tap.ok("/privacy direct|relay-only" in err, "the interactive help "
               "lists /privacy direct|relay-only", err[-500:])
    finally:
        p.kill()
    h = subprocess.run([sctest.SEALCALL, "call", "--help"],
                       capture_output=True, text=True, timeout=30)
    tap.ok("privacy {relay_only}" in h.stdout and
           "/privacy direct|relay-only" in h.stdout,
           "--help lists the privacy command and /privacy", h.stdout[:800])
finally:
    os.unlink(conf.name)
    relay_proc.kill()

tap.done()
