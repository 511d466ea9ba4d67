#!/usr/bin/env python3
"""The selected pair's addresses in the inspector report (issue 15 point 3,
README "Security inspector"): `local_address` and `remote_address` only
where the privacy profile allows showing them.

1. Default profile, a real call on 127.0.0.1: both addresses are shown and
   are the pair in use: ours is the peer's remote address and the other
   way round, each an "IP:port" of 127.0.0.1 that the endpoint's own
   sockets (/proc) hold for ours; nothing is hidden.
2. Relay-only through a real TURN server (coturn): our local address is
   the relay address we signalled (typ relay) and that the peer sees; it
   is never one of our own sockets (the host address the allocation was
   made from), and the peer's report says the same relay address.
(Mode 3 and mDNS run in network namespaces: test-call-mdns.py.)
"""
import os
import secrets
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests",
                                "lib"))
import procsock  # noqa: E402
import sctest  # noqa: E402
import turnserver  # noqa: E402

tap = sctest.Tap()
USER = "sc-user-" + secrets.token_hex(6)
PASS = secrets.token_hex(12)


def endpoint(role, url, name, extra=()):
    return sctest.Proc([sctest.SEALCALL, role, "--signal", url, "--json",
                        "--ice-address", "127.0.0.1", "--no-audio",
                        "--no-video"] + list(extra), name)


def ice_report(p):
    start = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", 15, start)
    return ((ev or {}).get("report") or {}).get("ice") or {}


def own_udp_sockets(pid):
    """The "IP:port" strings an "127.0.0.1:port" address of one of @pid's
    UDP sockets would have (every test address is 127.0.0.1)."""
    return {"127.0.0.1:%d" % port for proto, port in procsock.ports(pid)
            if proto == "udp"}


def signalled_relay(relay, index):
    """"IP:port" of the relay candidates participant @index signalled."""
    relay.wait_for(lambda e: e.get("event") == "frame" and
                   e.get("from") == index and
                   (e.get("sdp_end_of_candidates") or
                    e.get("candidate") == ""), 10)
    out = set()
    for e in relay.events:
        if e.get("event") != "frame" or e.get("from") != index:
            continue
        lines = list(e.get("sdp_candidates") or [])
        if e.get("candidate"):
            lines.append(e["candidate"])
        for ln in lines:
            f = ln.split()
            if "typ" in f and f[f.index("typ") + 1] == "relay":
                out.add("%s:%s" % (f[4], f[5]))
    return out


def connect(relay_port, room, off_extra=(), ans_extra=()):
    url = "ws://127.0.0.1:%d/room/%s" % (relay_port, room)
    ans = endpoint("answer", url, "answerer-" + room, ans_extra)
    ans.wait_event("signaling", state="connected", timeout=20)
    off = endpoint("call", url, "offerer-" + room, off_extra)
    ok = all(p.wait_event("channel", 30, state="open", label="chat")
             for p in (off, ans))
    return off, ans, ok


def default_profile():
    relay, port = sctest.recording_relay("--sdp")
    off = ans = None
    try:
        off, ans, ok = connect(port, "addr-default")
        tap.ok(ok, "default profile: the call connects",
               (off.stderr_tail() if off else "") + ans.stderr_tail())
        if not ok:
            return
        o, a = ice_report(off), ice_report(ans)
        tap.diag("offerer %s" % o)
        tap.diag("answerer %s" % a)
        for rep, p in ((o, off), (a, ans)):
            la, ra = rep.get("local_address"), rep.get("remote_address")
            tap.ok(isinstance(la, str) and la.startswith("127.0.0.1:") and
                   isinstance(ra, str) and ra.startswith("127.0.0.1:"),
                   "%s: both addresses shown as 127.0.0.1:port" % p.name,
                   rep)
            tap.ok(la in own_udp_sockets(p.p.pid),
                   "%s: local_address is a socket it holds" % p.name,
                   "%s not in %s" % (la, own_udp_sockets(p.p.pid)))
            tap.ok(rep.get("local_address_hidden") is False and
                   rep.get("local_address_hidden_by") is None,
                   "%s: nothing hidden" % p.name, rep)
        tap.ok(o.get("local_address") == a.get("remote_address") and
               o.get("remote_address") == a.get("local_address"),
               "the offerer's pair is the answerer's, crossed",
               "%s / %s" % (o, a))
        sctest.hang_up(tap, off, ans)
    finally:
        for p in (off, ans, relay):
            if p is not None:
                p.kill()


def relay_only():
    why = turnserver.available()
    if why:
        tap.n += 1
        print("ok %d # SKIP relay-only: %s" % (tap.n, why), flush=True)
        return
    turn = turnserver.TurnServer(USER, PASS)
    relay, port = sctest.recording_relay("--sdp")
    off = ans = None
    try:
        url = ["--turn", "turn:%s:%s@127.0.0.1:%d" % (USER, PASS, turn.port),
               "--relay-only"]
        off, ans, ok = connect(port, "addr-relay", off_extra=url,
                               ans_extra=url)
        tap.ok(ok, "relay-only: the call connects",
               (off.stderr_tail() if off else "") + ans.stderr_tail() +
               turn.log_tail())
        if not ok:
            return
        reps = {off.name: ice_report(off), ans.name: ice_report(ans)}
        for p, q, idx in ((off, ans, 1), (ans, off, 0)):
            rep = reps[p.name]
            tap.diag("%s %s" % (p.name, rep))
            mine = signalled_relay(relay, idx)
            own = own_udp_sockets(p.p.pid)
            la = rep.get("local_address")
            tap.ok(rep.get("local_type") == "relay" and la in mine and
                   int(la.rsplit(":", 1)[1]) in turn.relay_ports,
                   "%s: local_address is the relay address it signalled"
                   % p.name, "%s, signalled %s, relay ports %s" % (rep, mine,
                                                         turn.relay_ports))
            tap.ok(la not in own and rep.get("remote_address") not in own,
                   "%s: no address of its own sockets is shown" % p.name,
                   "%s; its sockets %s" % (rep, own))
            tap.ok(la == reps[q.name].get("remote_address"),
                   "%s: the peer sees that relay address" % p.name,
                   "%s / %s" % (rep, reps[q.name]))
        sctest.hang_up(tap, off, ans)
    finally:
        for p in (off, ans, relay):
            if p is not None:
                p.kill()
        turn.stop()


default_profile()
relay_only()
tap.done()
