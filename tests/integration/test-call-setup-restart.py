#!/usr/bin/env python3
"""An initial ICE failure is not the end of the call: when every pair of
an endpoint's checklist has failed before ICE first connected, the
endpoint restarts ICE (either side; src/call/transport.c,
on_ice_checks_failed(): fresh checks on both sides, as a lossy path
needs), and meanwhile does not report the checklist failed (RFC 8445
§8.1.2: the peer may still be checking, and one of its checks would
revive the pair, §7.3.1.4).

The call crosses the UDP proxy of mitm_relay.py --loss 0 (nothing lost,
nothing reordered), which drops every datagram on its way to the
answerer from before the offerer exists (sctest.block(), "all"): the
answerer gets neither responses nor checks, so after its retransmissions
(about 15-20 s) its libnice reports every pair failed. The offerer is still
checking then (each of the answerer's checks that reached it started a
check of its own anew). The answerer must send an ICE-restart offer and
report no ice failure; then the datagrams pass again, and the restart's
checks connect the call: DTLS, the data channel, chat both ways.

On the code before this, the answerer ended the call `ice-failed` as
soon as its libnice reported the checklist failed."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
ROOM = "setup-restart"


mitm, port = sctest.control_proxy_relay(tap)
url = "ws://127.0.0.1:%d/room/%s" % (port, ROOM)
ans = sctest.endpoint("answer", url, "answerer")
off = None
try:
    tap.ok(ans.wait_event("signaling", 20, state="connected") is not None,
           "the answerer joins the room", ans.stderr_tail())
    tap.ok(sctest.block(mitm, ROOM, 0, "all"), "the proxy drops every "
           "datagram to the answerer, before the offerer exists")
    off = sctest.endpoint("call", url, "offerer")
    r = ans.wait_for(lambda e: e.get("event") in ("ended", "signaling") and
                     e.get("state", "restart-offer-sent") ==
                     "restart-offer-sent", 60, also=(off,))
    tap.ok(r is not None and r.get("event") == "signaling",
           "the answerer's checks all fail, and it restarts ICE",
           (ans.events[-5:], ans.stderr_tail()))
    tap.ok(not any(e.get("event") == "ice" and e.get("state") == "failed"
                   for e in ans.events),
           "the answerer reports no ice failure", ans.events)
    tap.ok(sctest.block(mitm, ROOM, 0, None), "the proxy passes them again")
    a = ans.wait_event("channel", 60, state="open", label="chat")
    b = off.wait_event("channel", 30, state="open", label="chat")
    tap.ok(a is not None and b is not None,
           "the restart's checks connect the call",
           (ans.stderr_tail(), off.stderr_tail()))
    if a is not None and b is not None:
        sctest.chat(tap, off, ans, "connected", "chat offerer -> answerer")
        sctest.chat(tap, ans, off, "and back", "chat answerer -> offerer")
        ice = [e for e in ans.events if e.get("event") == "ice"]
        tap.ok([e.get("state") for e in ice] == ["checking", "connected"],
               "the answerer's ice events: checking, then connected", ice)
        tap.ok(any(e.get("event") == "signaling" and
                   e.get("state") == "restart-answer-sent"
                   for e in off.events), "the offerer answered the restart",
               off.events)
        sctest.hang_up(tap, off, ans)
finally:
    for p in (off, ans):
        if p is not None:
            p.kill()
    mitm.kill()
tap.done()
