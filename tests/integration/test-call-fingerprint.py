#!/usr/bin/env python3
"""An attacker on the signaling path rewrites a=fingerprint: the DTLS
certificate no longer matches, so both sides must end the call with
`fingerprint-mismatch`, a non-zero exit status, and no data channel may
ever open. Run once for a rewritten offer and once for a rewritten answer."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()
for which in ("offer", "answer"):
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         "--rewrite-fingerprint", which], "mitm-" + which)
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        tap.ok(False, "hostile relay starts", relay.stderr_tail())
        relay.kill()
        continue
    call = sctest.Call(room="fp", relay=relay, port=ev["port"])
    off, ans = call.both()
    try:
        e1 = off.wait_event("ended", timeout=40)
        e2 = ans.wait_event("ended", timeout=40)
        rc1 = off.wait_exit(20)
        rc2 = ans.wait_exit(20)
        tap.ok(relay.wait_event("rewrote", timeout=1) is not None,
               "%s: the relay rewrote the %s's fingerprint" % (which, which))
        tap.ok(e1 is not None and e1.get("reason") == "fingerprint-mismatch",
               "%s rewritten: offerer ends with fingerprint-mismatch" % which,
               (e1, off.stderr_tail()))
        tap.ok(e2 is not None and e2.get("reason") == "fingerprint-mismatch",
               "%s rewritten: answerer ends with fingerprint-mismatch" % which,
               (e2, ans.stderr_tail()))
        tap.ok(rc1 not in (0, None) and rc2 not in (0, None),
               "%s rewritten: both exit non-zero" % which, (rc1, rc2))
        opened = [e for p in (off, ans) for e in p.events
                  if e.get("event") in ("channel", "message")]
        tap.ok(not opened, "%s rewritten: no channel opened, no message" % which,
               opened)
        connected = [e for p in (off, ans) for e in p.events
                     if e.get("event") == "dtls" and e.get("state") == "connected"]
        tap.ok(not connected, "%s rewritten: DTLS never reported connected" % which,
               connected)
    finally:
        call.close()
        relay.kill()
tap.done()
