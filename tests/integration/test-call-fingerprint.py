#!/usr/bin/env python3
"""An attacker on the signaling path rewrites a=fingerprint: the DTLS
certificate no longer matches what the receiver of the rewritten description
was told, so that side must end the call with `fingerprint-mismatch` and a
non-zero exit status, and no data channel may ever open on either side.
The other side's own check passes (its description arrived intact); it
learns of the failure only from the peer, so it ends either on the DTLS
failure (non-zero) or on the peer's `bye`, reported as `bye` with the
peer's claim in `peer_reason`, never as its own `fingerprint-mismatch`
verdict. Run once for a rewritten offer and once for a rewritten answer.

Then a peer whose description offers only sha-1 (which cannot authenticate
anyone, RFC 8827 §6.5): the side that receives it refuses it, sends `bye`
with reason `fingerprint-mismatch`, ends with that reason and exits
non-zero, and no handshake happens; a sha-1 line beside the sha-256 one is
ignored and the call works (RFC 8122 §5.1). Each for the offer and the
answer."""
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
        # the receiver of the rewritten description detects the mismatch
        if which == "offer":
            det, det_name, det_ev, det_rc = ans, "answerer", e2, rc2
            oth, oth_name, oth_ev, oth_rc = off, "offerer", e1, rc1
        else:
            det, det_name, det_ev, det_rc = off, "offerer", e1, rc1
            oth, oth_name, oth_ev, oth_rc = ans, "answerer", e2, rc2
        tap.ok(det_ev is not None and
               det_ev.get("reason") == "fingerprint-mismatch" and
               det_rc not in (0, None),
               "%s rewritten: the %s ends with fingerprint-mismatch, exit "
               "non-zero" % (which, det_name),
               (det_ev, det_rc, det.stderr_tail()))
        told = (oth_ev is not None and oth_ev.get("reason") == "bye" and
                oth_ev.get("peer_reason") == "fingerprint-mismatch" and
                oth_rc == 0)
        failed = (oth_ev is not None and oth_ev.get("reason") == "dtls-failed"
                  and oth_rc not in (0, None))
        tap.ok(told or failed,
               "%s rewritten: the %s ends on the peer's claim (bye, "
               "peer_reason fingerprint-mismatch) or on the failed "
               "handshake, not on a verdict of its own" % (which, oth_name),
               (oth_ev, oth_rc, oth.stderr_tail()))
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


def hostile(option, which, room):
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         option, which, "--record"], "mitm-%s-%s" % (room, which))
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        tap.ok(False, "hostile relay starts", relay.stderr_tail())
        relay.kill()
        return None, None
    return relay, sctest.Call(room=room, relay=relay, port=ev["port"])


for which in ("offer", "answer"):
    relay, call = hostile("--sha1-fingerprint", which, "sha1")
    if call is None:
        continue
    off, ans = call.both()
    # the answerer joined the room first: it is participant 0
    refuser, other, refuser_id = ((ans, off, 0) if which == "offer"
                                  else (off, ans, 1))
    try:
        e = refuser.wait_event("ended", timeout=40)
        rc = refuser.wait_exit(20)
        tap.ok(relay.wait_event("rewrote", timeout=1) is not None,
               "sha-1 %s: the relay left only sha-1 in the %s" % (which, which))
        tap.ok(e is not None and e.get("reason") == "fingerprint-mismatch" and
               ("refused %s" % which) in (e.get("detail") or "") and
               '"sha-1" is not accepted' in (e.get("detail") or ""),
               "sha-1 %s: its receiver ends with fingerprint-mismatch, "
               "naming the refusal" % which, (e, refuser.stderr_tail()))
        tap.ok(rc not in (0, None), "sha-1 %s: its receiver exits non-zero"
               % which, rc)
        bye = relay.wait_for(lambda f: f.get("event") == "frame" and
                             f.get("type") == "bye", 20)
        tap.ok(bye is not None and bye.get("from") == refuser_id and
               bye.get("reason") == "fingerprint-mismatch",
               "sha-1 %s: the peer is sent bye fingerprint-mismatch" % which,
               bye)
        tap.ok(other.wait_event("ended", timeout=40) is not None and
               other.wait_exit(20) is not None,
               "sha-1 %s: the peer's call ends too" % which,
               other.stderr_tail())
        opened = [x for p in (off, ans) for x in p.events
                  if x.get("event") in ("channel", "message") or
                  (x.get("event") == "dtls" and x.get("state") == "connected")]
        tap.ok(not opened, "sha-1 %s: no DTLS, no channel, no message" % which,
               opened)
    finally:
        call.close()
        relay.kill()

for which in ("offer", "answer"):
    relay, call = hostile("--add-sha1-fingerprint", which, "sha1plus")
    if call is None:
        continue
    off, ans = call.both()
    try:
        tap.ok(call.wait_open("chat", timeout=30),
               "sha-1 beside sha-256 in the %s: ignored, the call connects"
               % which, call.diag())
        tap.ok(relay.wait_event("rewrote", timeout=1) is not None,
               "sha-1 beside sha-256: the relay added a sha-1 line to the %s"
               % which)
        sctest.hang_up(tap, off, ans)
    finally:
        call.close()
        relay.kill()
tap.done()
