#!/usr/bin/env python3
"""Consent freshness with recovery (RFC 7675 §5.1, RFC 8445 §9): a peer
that is silent for less than 30 s does not end the call. libnice stops
sending on the pair 10 s after the last consent response (`ice`
`disconnected`); the offerer then restarts ICE through the relay, and once
the silent peer answers, consent is back on a new pair and the data
channel carries messages again. Run twice: the answerer frozen (the
offerer notices and restarts), and the offerer frozen (the answerer
notices and restarts: either side restarts ICE; when the offerer wakes it
answers, or, if it noticed first and restarted too, its offer wins the
glare and the answerer answers it)."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()


def answered_by(procs, timeout):
    """Names of the endpoints that answered an ICE restart, once one has."""
    deadline = time.monotonic() + timeout
    while True:
        names = [p.name for p in procs
                 if any(e.get("event") == "signaling" and
                        e.get("state") == "restart-answer-sent"
                        for e in p.events)]
        if names or time.monotonic() >= deadline:
            return names
        procs[0].wait_for(lambda e: False, 0.2, also=procs[1:])


def scenario(frozen_role):
    call = sctest.Call(room="restart-" + frozen_role)
    off, ans = call.both()
    frozen, watcher = (ans, off) if frozen_role == "answerer" else (off, ans)
    try:
        ok = call.wait_open("chat", timeout=30)
        tap.ok(ok, "%s frozen: call connects" % frozen_role, call.diag())
        if not ok:
            return
        os.kill(frozen.p.pid, signal.SIGSTOP)
        try:
            disc = watcher.wait_event("ice", timeout=40, state="disconnected")
            tap.ok(disc is not None,
                   "%s frozen: the other side reports ice disconnected"
                   % frozen_role, watcher.stderr_tail())
            # the side that noticed restarts, offerer or answerer
            r = watcher.wait_event("signaling", timeout=10,
                                   state="restart-offer-sent")
            tap.ok(r is not None,
                   "%s frozen: the %s sends an ICE restart offer"
                   % (frozen_role, watcher.name), watcher.stderr_tail())
        finally:
            os.kill(frozen.p.pid, signal.SIGCONT)
        if disc is None:
            return
        start = sctest.index_of(watcher, disc)
        back = watcher.wait_for(
            lambda e: e.get("event") == "ice" and e.get("state") == "connected",
            timeout=30, start=start)
        tap.ok(back is not None,
               "%s frozen: ICE connects again after the restart" % frozen_role,
               call.diag())
        if frozen_role == "answerer":
            r = ans.wait_event("signaling", timeout=10,
                               state="restart-answer-sent")
            tap.ok(r is not None, "answerer frozen: the answerer answered "
                   "the restart", ans.stderr_tail())
        else:
            names = answered_by([off, ans], 10)
            tap.ok(len(names) >= 1, "offerer frozen: a side answered a "
                   "restart (%s)" % names, call.diag())
        n0 = len(ans.events)
        off.send({"cmd": "send", "label": "chat", "text": "after the gap"})
        m = ans.wait_for(lambda e: e.get("event") == "message" and
                         e.get("text") == "after the gap", timeout=30,
                         start=n0)
        tap.ok(m is not None, "%s frozen: chat offerer -> answerer works "
               "after the restart" % frozen_role, call.diag())
        n1 = len(off.events)
        ans.send({"cmd": "send", "label": "chat", "text": "still here"})
        m = off.wait_for(lambda e: e.get("event") == "message" and
                         e.get("text") == "still here", timeout=30, start=n1)
        tap.ok(m is not None, "%s frozen: chat answerer -> offerer works "
               "after the restart" % frozen_role, call.diag())
        ended = [p.name for p in (off, ans)
                 if any(e.get("event") == "ended" for e in p.events)]
        tap.ok(not ended, "%s frozen: neither side ended the call"
               % frozen_role, ended)
        off.send({"cmd": "inspect"})
        rep = off.wait_event("inspector", timeout=10)
        fresh = rep and rep["report"]["ice"]["consent"]["fresh"]
        tap.ok(fresh is True, "%s frozen: inspector reports fresh consent "
               "again" % frozen_role, rep)
        off.send({"cmd": "hangup"})
        tap.ok(off.wait_exit(20) == 0 and ans.wait_exit(20) == 0,
               "%s frozen: hangup ends both with exit 0" % frozen_role)
    finally:
        call.close()


scenario("answerer")
scenario("offerer")
tap.done()
