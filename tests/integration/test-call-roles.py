#!/usr/bin/env python3
"""DTLS roles follow a=setup, not offer/answer (RFC 5763 §5, RFC 8842):
offers from older endpoints with a=setup:active or a=setup:passive instead
of actpass are accepted, the roles come out right on both sides, and the
call carries data."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()
# offer says active -> offerer is the DTLS client; passive -> server
for setup, off_role, ans_role in (("active", "client", "server"),
                                  ("passive", "server", "client")):
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         "--offer-setup", setup], "relay-" + setup)
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        tap.ok(False, "relay starts", relay.stderr_tail())
        relay.kill()
        continue
    call = sctest.Call(room="roles", relay=relay, port=ev["port"])
    off, ans = call.both()
    try:
        ok = call.wait_open("chat", timeout=30)
        tap.ok(ok, "offer with a=setup:%s: the call connects" % setup, call.diag())
        d1 = off.wait_event("dtls", state="connected", timeout=1) or {}
        d2 = ans.wait_event("dtls", state="connected", timeout=1) or {}
        tap.ok(d1.get("role") == off_role and d2.get("role") == ans_role,
               "a=setup:%s: offerer is the DTLS %s, answerer the %s"
               % (setup, off_role, ans_role), (d1.get("role"), d2.get("role")))
        off.send({"cmd": "send", "label": "chat", "text": "roles"})
        tap.ok(ans.wait_event("message", text="roles", timeout=10) is not None,
               "a=setup:%s: data flows" % setup)
        off.send({"cmd": "hangup"})
        tap.ok(off.wait_exit(20) == 0 and ans.wait_exit(20) == 0,
               "a=setup:%s: clean hangup" % setup)
    finally:
        call.close()
        relay.kill()
tap.done()
