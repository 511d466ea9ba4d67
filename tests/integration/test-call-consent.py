#!/usr/bin/env python3
"""Consent freshness (RFC 7675) and what the user is told about it.

A capture on the loopback interface (tests/lib/stuncap.py, independent of
sealcall) timestamps every STUN Binding success response the answerer
sends to the offerer: the consent responses.

1. While the call runs, the offerer's inspector reports
   `consent.last_response_ms_ago`: it must be the age of the last consent
   response the capture saw (within 300 ms), not the age of the last
   other packet (chat is sent first, so that the two differ by seconds).
2. The answerer freezes (SIGSTOP): its responses stop, and the offerer
   must end the call with `consent-expired` 30 s after the last response
   the capture saw: not before 30.0 s, not after 31.5 s. The `ended`
   detail gives the age of the last consent response, which must match
   the capture too."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import stuncap  # noqa: E402

TOLERANCE_S = 0.3
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()
if not stuncap.available():
    tap.skip_all("no packet capture here (needs CAP_NET_RAW)")


def udp_port(lines):
    """The port of the first UDP candidate among @lines."""
    for line in lines:
        f = line.split()
        if len(f) >= 8 and f[2].lower() == "udp" and f[6] == "typ":
            return int(f[5])
    return None


def candidate_ports(relay):
    """(offerer port, answerer port) from the descriptions the relay saw:
    the offerer joined second (participant 1)."""
    ports = {}
    for ev in relay.events:
        if ev.get("event") != "frame":
            continue
        lines = list(ev.get("sdp_candidates") or [])
        if ev.get("candidate"):
            lines.append(ev["candidate"])
        p = udp_port(lines)
        if p is not None and ev.get("from") not in ports:
            ports[ev.get("from")] = p
    return ports.get(1), ports.get(0)


def inspect_consent(proc):
    """Asks for the inspector; returns (age_ms, t_before, t_after)."""
    mark = len(proc.events)
    t0 = time.time()
    proc.send({"cmd": "inspect"})
    ev = proc.wait_for(lambda e: e.get("event") == "inspector", timeout=10,
                       start=mark)
    t1 = time.time()
    if ev is None:
        return None, t0, t1
    consent = ev["report"]["ice"]["consent"]
    return consent.get("last_response_ms_ago"), t0, t1


def matches_capture(age_ms, t0, t1, times):
    """The report (made between t0 and t1) says the last response came
    age_ms before it: a captured response must be there, and none later
    before t0 (the report did not miss one)."""
    if age_ms is None:
        return False, "no age reported"
    lo, hi = t0 - age_ms / 1000.0, t1 - age_ms / 1000.0
    near = [c for c in times if lo - TOLERANCE_S <= c <= hi + TOLERANCE_S]
    later = [c for c in times if hi + TOLERANCE_S < c < t0]
    return (bool(near) and not later,
            "reported %d ms: last response at [%.3f, %.3f]; captured %s"
            % (age_ms, lo, hi, ["%.3f" % c for c in times[-4:]]))


relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                     "--record"], "mitm-record")
ev = relay.wait_event("listening", timeout=20)
if ev is None:
    tap.ok(False, "relay starts", relay.stderr_tail())
    relay.kill()
    tap.done()
call = sctest.Call(room="consent", relay=relay, port=ev["port"])
off, ans = call.both()
cap = None
try:
    ok = call.wait_open("chat", timeout=30)
    tap.ok(ok, "call connects", call.diag())
    # the relay records a frame before it forwards it: the answer's frame
    # (and the offer's before it) are on its stdout by now
    relay.wait_for(lambda e: e.get("event") == "frame" and
                   e.get("type") == "answer", timeout=10)
    off_port, ans_port = candidate_ports(relay)
    tap.ok(off_port and ans_port, "candidate ports known from the relay",
           (off_port, ans_port))
    if ok and off_port and ans_port:
        cap = stuncap.StunResponses(ans_port, off_port)
        sctest.chat(tap, ans, off, "before the inspection",
                    "chat answerer -> offerer")
        t_chat = time.time()
        # two consent responses after the chat (one every 4-6 s): the last
        # other packet is then seconds older than the last consent response
        got = []
        for _ in range(2):
            got = cap.wait_count(len(cap.snapshot()) + 1, timeout=10)
        tap.ok(len([c for c in got if c > t_chat]) >= 2,
               "the capture sees consent responses", got)
        for i in range(2):
            if i == 1:
                # a second look, 1.5 s after the next response: an age
                # that is neither 0 nor a whole check interval
                cap.wait_count(len(cap.snapshot()) + 1, timeout=10)
                time.sleep(1.5)
            age, t0, t1 = inspect_consent(off)
            good, why = matches_capture(age, t0, t1, cap.snapshot())
            tap.ok(good, "inspection %d: last_response_ms_ago is the age of "
                   "the last consent response the capture saw" % (i + 1), why)
            tap.diag(why)

        os.kill(ans.p.pid, signal.SIGSTOP)
        t_stop = time.time()
        e = off.wait_event("ended", timeout=75)
        t_end = time.time()
        os.kill(ans.p.pid, signal.SIGCONT)
        tap.ok(e is not None and e.get("reason") == "consent-expired",
               "offerer ends with consent-expired after the answerer froze",
               (e, off.stderr_tail()))
        before = [c for c in cap.snapshot() if c <= t_stop]
        last = before[-1] if before else None
        tap.ok(last is not None, "a consent response came before the freeze")
        if e is not None and last is not None:
            waited = t_end - last
            tap.diag("consent expired %.3f s after the last consent response "
                     "(capture)" % waited)
            tap.ok(waited >= 30.0,
                   "consent is not declared expired before RFC 7675's 30 s "
                   "after the last response", "%.3f s" % waited)
            tap.ok(waited <= 31.5,
                   "consent expiry is declared within 31.5 s of the last "
                   "response", "%.3f s" % waited)
            m = re.search(r"last consent response (-?\d+) ms ago",
                          e.get("detail", ""))
            tap.ok(m is not None and
                   abs(int(m.group(1)) / 1000.0 - waited) <= TOLERANCE_S,
                   "the ended detail gives the age of the last consent "
                   "response the capture saw", (e.get("detail"), waited))
        ice = off.wait_event("ice", state="disconnected", timeout=1)
        tap.ok(ice is not None, "an ice disconnected event precedes the end")
        rc = off.wait_exit(20)
        tap.ok(rc == 1, "offerer exits with status 1", rc)
finally:
    if cap is not None:
        cap.close()
    call.close()
    relay.kill()
tap.done()
