#!/usr/bin/env python3
"""A call across a lossy, reordering path (no netem here): mitm_relay.py
--loss rewrites both endpoints' candidates to a UDP proxy
(tests/lib/udp_loss_proxy.py) that drops 30 % of the datagrams and holds
10 % of the others until the next one has passed, from a seeded RNG.

1. 30 % loss: ICE (its checks cross the proxy), DTLS (retransmitted
   flights) and SCTP connect; chat goes both ways, every message arrives,
   in order on the ordered "chat" channel; the proxy really dropped and
   reordered datagrams of this call, and every candidate the peers saw was
   one of its stand-in ports.
2. Sanity: 100 % loss through the same rewriting: the call never opens a
   channel and ends with ice-failed, so (1) depends on the proxy's path.
Deadlines are generous; every wait is on an event.

At this loss libnice often gives up on the pair (no response to its
consent checks for 10 s); consent holds for 30 s (RFC 7675), so the same
pair is selected again at once while the last response is under 20 s
old and sending goes on (src/ice/ice-consent.c, sc_ice_consent_hold()),
and after that the next response brings sending back or either side
restarts ICE; a side whose checks all fail before the call connects
restarts ICE too, and is revived by the peer's checks meanwhile
(docs/internals/call-flow.md). The proxy's seed is random unless
SCTEST_LOSS_SEED sets it; it is printed, so a failing run can be
replayed. Two runs at once (a loaded machine), in the plain build or
under AddressSanitizer, must pass as reliably as one."""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
N_MESSAGES = 30
SEED = os.environ.get("SCTEST_LOSS_SEED") or str(
    int.from_bytes(os.urandom(4), "big"))
PAD = "x" * 200


def start_proxy_relay(loss):
    mitm = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                        "--record", "--loss", str(loss), "--reorder", "10",
                        "--seed", SEED], "mitm")
    ev = mitm.wait_event("listening", timeout=20)
    tap.ok(ev is not None, "lossy relay starts (%s %% loss)" % loss,
           mitm.stderr_tail())
    return mitm, ev


def candidate_ports(mitm):
    """Ports of every candidate the relay forwarded (after rewriting)."""
    ports = []
    for e in mitm.events:
        if e.get("event") != "frame":
            continue
        lines = list(e.get("sdp_candidates") or [])
        if isinstance(e.get("candidate"), str):
            lines.append(e["candidate"])
        for c in lines:
            m = re.search(r" (?i:udp) \d+ 127\.0\.0\.1 (\d+) typ ", c)
            if m:
                ports.append(int(m.group(1)))
    return ports


def loss_stats(mitm):
    """The proxy's counters now (SIGUSR1 makes it print them)."""
    start = len(mitm.events)
    os.kill(mitm.p.pid, signal.SIGUSR1)
    return mitm.wait_for(lambda e: e.get("event") == "loss-stats", 20,
                         start=start)


def messages(proc, start, n, timeout):
    """The first @n message events on "chat" after event index @start."""
    got = []
    i = start
    while len(got) < n:
        ev = proc.wait_for(lambda e: e.get("event") == "message"
                           and e.get("label") == "chat", timeout, start=i)
        if ev is None:
            break
        i = proc.events.index(ev, i) + 1
        got.append(ev.get("text"))
    return got


# 1. 30 % loss with reordering
tap.diag("proxy seed %s (SCTEST_LOSS_SEED replays it)" % SEED)
mitm, ev = start_proxy_relay(30)
try:
    if ev is not None:
        call = sctest.Call(room="lossy", relay=mitm, port=ev["port"])
        off, ans = call.both()
        try:
            ok = call.wait_open("chat", timeout=120)
            tap.ok(ok, "the call connects through 30 % loss and reordering",
                   (call.diag(), "offerer events:", off.events[-12:],
                    "answerer events:", ans.events[-12:]))
            if ok:
                for sender, receiver, name in ((off, ans, "offerer"),
                                               (ans, off, "answerer")):
                    start = len(receiver.events)
                    texts = ["%s %d %s" % (name, i, PAD)
                             for i in range(N_MESSAGES)]
                    for t in texts:
                        sender.send({"cmd": "send", "label": "chat",
                                     "text": t})
                    got = messages(receiver, start, N_MESSAGES, 60)
                    tap.ok(got == texts,
                           "all %d chat messages from the %s arrive, in "
                           "order" % (N_MESSAGES, name),
                           ([t[:12] for t in got if t], call.diag()))
                restarts = sum(1 for p in (off, ans) for e in p.events
                               if e.get("event") == "signaling"
                               and e.get("state") == "restart-offer-sent")
                tap.diag("ICE restarts during the call: %d" % restarts)
                sctest.hang_up(tap, off, ans)
                # every event the relay printed so far comes before these
                st = loss_stats(mitm)
                real = {e["real"] for e in mitm.events
                        if e.get("event") == "proxy-port"}
                stand_in = {e["port"] for e in mitm.events
                            if e.get("event") == "proxy-port"}
                seen = candidate_ports(mitm)
                tap.ok(seen and all(p in stand_in for p in seen) and
                       not any(p in real for p in seen),
                       "every candidate the peers saw is a proxy port",
                       (seen, stand_in))
                tap.ok(st is not None and st["dropped"] > 0 and
                       st["reordered"] > 0 and st["forwarded"] > 0,
                       "the proxy dropped and reordered datagrams of this "
                       "call", st)
                if st is not None and st["received"] > 0:
                    share = st["dropped"] / st["received"]
                    tap.diag("proxy: %(received)d datagrams received, "
                             "%(dropped)d dropped, %(reordered)d reordered "
                             "(sent after a later one), %(late)d held to the "
                             "timeout, %(forwarded)d forwarded" % st)
                    tap.ok(st["received"] >= 50 and 0.15 <= share <= 0.45,
                           "about 30 %% of the datagrams were dropped "
                           "(%.1f %%)" % (100 * share))
        finally:
            call.close()
finally:
    mitm.kill()

# 2. 100 % loss: nothing gets through, so the call must fail
mitm, ev = start_proxy_relay(100)
try:
    if ev is not None:
        call = sctest.Call(room="dead", relay=mitm, port=ev["port"])
        off, ans = call.both()
        try:
            ends = [p.wait_event("ended", timeout=120) for p in (off, ans)]
            tap.ok(all(e is not None for e in ends) and
                   any(e.get("reason") == "ice-failed" for e in ends),
                   "with 100 % loss the call ends with ice-failed",
                   (ends, call.diag()))
            opened = [e for p in (off, ans) for e in p.events
                      if e.get("event") == "channel"
                      and e.get("state") == "open"]
            tap.ok(not opened, "and no channel ever opened", opened)
            st = loss_stats(mitm)
            tap.ok(st is not None and st["dropped"] > 0 and
                   st["forwarded"] == 0,
                   "the proxy received the checks and dropped them all", st)
        finally:
            call.close()
finally:
    mitm.kill()
tap.done()
