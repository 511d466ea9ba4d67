#!/usr/bin/env python3
"""Consent freshness (RFC 7675): when the peer freezes (SIGSTOP), its
consent responses stop and the other side must end the call with
`consent-expired` 30 s after the last response: not before (the last
response came at most one 4-6 s check interval before the freeze, so the
end cannot come sooner than 23 s after it; a lower bound, which a slow
machine cannot break), and not never (the wait is bounded generously; we
assert no upper wall-clock limit)."""
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
        tap.ok(e is None or waited >= 23.0,
               "consent is not declared expired before RFC 7675's 30 s "
               "(libnice alone gives up after 10 s)", "%.1f s" % waited)
        rc = off.wait_exit(20)
        tap.ok(rc == 1, "offerer exits with status 1", rc)
        os.kill(ans.p.pid, signal.SIGCONT)
finally:
    call.close()
tap.done()
