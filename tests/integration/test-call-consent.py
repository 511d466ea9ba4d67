#!/usr/bin/env python3
"""Consent freshness (RFC 7675): when the peer freezes (SIGSTOP), its
consent responses stop and the other side must end the call with
`consent-expired` no later than 30 s after the last response (we allow
scheduling slack in the deadline, and assert only the outcome)."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
call = sctest.Call(room="consent")
off, ans = call.both()
try:
    ok = call.wait_open("chat", timeout=30)
    tap.ok(ok, "call connects", call.diag())
    if ok:
        os.kill(ans.p.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        e = off.wait_event("ended", timeout=75)
        waited = time.monotonic() - t0
        tap.ok(e is not None and e.get("reason") == "consent-expired",
               "offerer ends with consent-expired after the answerer froze",
               (e, off.stderr_tail()))
        ice = off.wait_event("ice", state="disconnected", timeout=1)
        tap.ok(ice is not None, "an ice disconnected event precedes the end")
        tap.diag("consent expired %.1f s after SIGSTOP" % waited)
        rc = off.wait_exit(20)
        tap.ok(rc == 1, "offerer exits with status 1", rc)
        os.kill(ans.p.pid, signal.SIGCONT)
finally:
    call.close()
tap.done()
