#!/usr/bin/env python3
"""Candidates in the offer and the answer (RFC 8838 §4: gathered before the
description, listed in it) and trickled after it.

1. A relay that drops every trickled candidate message: the call still
   connects, because the offer and the answer each list their host
   candidates and say a=end-of-candidates.
2. Both sides have a STUN server that answers only after the answer has
   passed (mitm_relay.py --stun-after-answer): the offer and the answer
   list the host candidate without a=end-of-candidates, the call connects
   on host candidates, then each side trickles its server-reflexive
   candidate, then end-of-candidates, exactly once and last (RFC 8838 §13:
   nothing after it), and each side takes the other's without an error.
3. An --ice-address that is not on this machine: the call ends as soon as
   signaling connects, with ice-failed naming the address."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")


def start_mitm(*options):
    mitm = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                        "--record"] + list(options), "mitm")
    ev = mitm.wait_event("listening", timeout=20)
    tap.ok(ev is not None, "recording relay starts (%s)" % " ".join(options),
           mitm.stderr_tail())
    return mitm, ev


def frames(mitm, kind):
    return [e for e in mitm.events
            if e.get("event") == "frame" and e.get("type") == kind]


def description(mitm, kind, timeout=20):
    return mitm.wait_for(lambda e: e.get("event") == "frame"
                         and e.get("type") == kind, timeout)


# 1. trickle dropped: the descriptions alone connect the call
mitm, ev = start_mitm("--drop-candidates")
try:
    if ev is not None:
        call = sctest.Call(room="nodrip", relay=mitm, port=ev["port"])
        off, ans = call.both()
        try:
            tap.ok(call.wait_open("chat", timeout=30),
                   "the call connects with every trickled candidate dropped",
                   call.diag())
            for kind in ("offer", "answer"):
                d = description(mitm, kind)
                tap.ok(d is not None and len(d["sdp_candidates"]) >= 1 and
                       all(" 127.0.0.1 " in c for c in d["sdp_candidates"]),
                       "the %s lists our host candidates" % kind, d)
                tap.ok(d is not None and d["sdp_end_of_candidates"],
                       "the %s says a=end-of-candidates" % kind, d)
            sctest.chat(tap, off, ans, "no trickle")
            sctest.hang_up(tap, off, ans)
        finally:
            call.close()
finally:
    mitm.kill()

# 2. server-reflexive candidates found after the descriptions are trickled,
# both ways
mitm, ev = start_mitm("--stun-after-answer")
try:
    if ev is not None:
        # -v: a remote candidate we cannot use is logged (not an event)
        stun = ["--stun", "127.0.0.1:%d" % ev["stun_port"], "-v"]
        call = sctest.Call(room="late", relay=mitm, port=ev["port"],
                           offer_extra=stun, answer_extra=stun)
        off, ans = call.both()
        # the answerer joined the room first: frames "from" 0 are its own
        sides = ((off, 1, "offer", "offerer"), (ans, 0, "answer", "answerer"))
        try:
            tap.ok(call.wait_open("chat", timeout=30),
                   "the call connects while STUN is still unanswered",
                   call.diag())
            for proc, idx, kind, who in sides:
                d = description(mitm, kind)
                tap.ok(d is not None and len(d["sdp_candidates"]) >= 1,
                       "the %s lists the host candidate" % kind, d)
                tap.ok(d is not None and not d["sdp_end_of_candidates"],
                       "the %s leaves end-of-candidates out (STUN pending)"
                       % kind, d)
            for proc, idx, kind, who in sides:
                end = mitm.wait_for(lambda e: e.get("event") == "frame"
                                    and e.get("type") == "candidate"
                                    and e.get("from") == idx
                                    and e.get("candidate") == "", 30)
                tap.ok(end is not None, "the %s trickles end-of-candidates "
                       "once STUN has answered" % who, call.diag())
            for proc, idx, kind, who in sides:
                cands = [f.get("candidate") for f in frames(mitm, "candidate")
                         if f.get("from") == idx]
                srflx = [c for c in cands if c and " typ srflx " in c + " "]
                tap.ok(len(srflx) == 1 and "127.0.0.2" in srflx[0],
                       "the %s trickles its server-reflexive candidate" % who,
                       cands)
                tap.ok(cands.count("") == 1 and cands[-1] == "" and
                       len(cands) == 2,
                       "the %s's end-of-candidates comes once and last, "
                       "nothing else trickled" % who, cands)
            sctest.chat(tap, ans, off, "after trickle",
                        "chat flows after the trickle")
            sctest.hang_up(tap, off, ans)
            for proc, idx, kind, who in sides:
                errors = [e for e in proc.events if e.get("event") == "error"]
                with open(proc.stderr_path, "rb") as f:
                    log = f.read().decode("utf-8", "replace")
                ignored = [ln for ln in log.splitlines()
                           if "ignored remote candidate" in ln]
                tap.ok(not errors and not ignored and "sealcall[" in log,
                       "the %s took every trickled candidate" % who,
                       errors + ignored)
        finally:
            call.close()
finally:
    mitm.kill()

# 3. nothing to gather on: fail early and say why
relay, port = sctest.start_relay()
try:
    p = sctest.Proc([sctest.SEALCALL, "answer", "--signal",
                     "ws://127.0.0.1:%d/room/nowhere" % port, "--json",
                     "--no-audio", "--no-video", "--ice-address", "192.0.2.1"],
                    "noaddr")
    try:
        ev = p.wait_event("ended", timeout=20)
        tap.ok(ev is not None and ev.get("reason") == "ice-failed" and
               "192.0.2.1" in ev.get("detail", ""),
               "a foreign --ice-address ends the call with ice-failed naming "
               "it", ev or p.stderr_tail())
        tap.ok(p.wait_exit(20) == 1, "and exits 1")
    finally:
        p.kill()
finally:
    relay.kill()

tap.done()
