#!/usr/bin/env python3
"""Consent freshness (RFC 7675) on a relayed pair: the inspector's
ice.consent on a relay-only call through coturn on 127.0.0.1, TURN over
UDP, over TCP and over TLS (turns:, through sealcall's own TLS proxy)
(issue 15 point 3, issue 13 points 3 and 4).

libnice receives a relayed pair's consent responses inside TURN
(ChannelData or Data indications) on its socket to the TURN server; the
inspector must still time them.

For each transport:
1. The call connects relay -> relay, both sides relay-only.
2. Sampled eight times over about 10 s, the offerer's
   `consent.last_response_ms_ago` is a number below 10 s (a check every
   4-6 s gets a response), `fresh` is true, and the age is live: it grows
   between some samples and drops (a new response) between others.
3. coturn is frozen (SIGSTOP by PID): the path is gone, but its TCP
   connections stay open (stopping it would reset them, and libnice would
   give up at once). The age then only grows, `fresh` turns false while
   the call is still up, and the call ends with consent-expired, its
   detail giving an age of at least 29 s."""
import os
import re
import secrets
import signal
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import turnserver  # noqa: E402

tap = sctest.Tap()
why = turnserver.available()
if why:
    tap.skip_all(why)

USER = "sc-user-" + secrets.token_hex(6)
PASS = secrets.token_hex(12)
SAMPLES = 8
SAMPLE_GAP_S = 1.4
AGE_MAX_MS = 10000


def endpoint(role, url, name, turn, transport, ca):
    if transport == "tls":
        extra = ["--turn", "turns:%s:%s@127.0.0.1:%d"
                 % (USER, PASS, turn.tls_port), "--ca", ca]
    else:
        extra = ["--turn", "turn:%s:%s@127.0.0.1:%d?transport=%s"
                 % (USER, PASS, turn.port, transport)]
    return sctest.Proc([sctest.SEALCALL, role, "--signal", url, "--json",
                        "--ice-address", "127.0.0.1", "--no-audio",
                        "--no-video", "--relay-only"] + extra, name)


def inspect(p):
    """The consent object and the report's ice object, or (None, None)."""
    mark = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", timeout=10,
                    start=mark)
    if ev is None:
        return None, None
    ice = ev["report"]["ice"]
    return ice.get("consent"), ice


def is_age(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def run(transport, certs):
    turn = turnserver.TurnServer(USER, PASS, tls=certs[1:])
    mitm, port = sctest.recording_relay()
    url = "ws://127.0.0.1:%d/room/consent-relay-%s" % (port, transport)
    ans = endpoint("answer", url, "answerer-" + transport, turn, transport,
                   certs[0])
    off = None
    try:
        ans.wait_event("signaling", state="connected", timeout=20)
        off = endpoint("call", url, "offerer-" + transport, turn, transport,
                       certs[0])
        ok = all(p.wait_event("channel", 30, state="open", label="chat")
                 for p in (off, ans))
        tap.ok(ok, "%s: relay-only call connects" % transport,
               off.stderr_tail(15))
        if not ok:
            return
        consent, ice = inspect(off)
        tap.ok(ice is not None and ice.get("local_type") == "relay" and
               ice.get("remote_type") == "relay",
               "%s: the selected pair is relay -> relay" % transport, ice)

        ages, fresh = [], []
        for i in range(SAMPLES):
            if i:
                time.sleep(SAMPLE_GAP_S)  # sampling interval, not a wait
            consent, _ = inspect(off)
            consent = consent or {}
            ages.append(consent.get("last_response_ms_ago"))
            fresh.append(consent.get("fresh"))
        tap.diag("%s: ages %s" % (transport, ages))
        tap.ok(all(is_age(a) and a < AGE_MAX_MS for a in ages),
               "%s: last_response_ms_ago is always known and below %d ms"
               % (transport, AGE_MAX_MS), ages)
        tap.ok(all(f is True for f in fresh),
               "%s: fresh is true while the path works" % transport, fresh)
        if all(is_age(a) for a in ages):
            pairs = list(zip(ages, ages[1:]))
            tap.ok(any(b > a for a, b in pairs),
                   "%s: the age grows between samples (live)" % transport,
                   ages)
            tap.ok(any(b < a for a, b in pairs),
                   "%s: a new consent response brings the age down"
                   % transport, ages)
        else:
            tap.ok(False, "%s: the age grows between samples" % transport)
            tap.ok(False, "%s: a new response brings the age down"
                   % transport)

        os.kill(turn.proc.pid, signal.SIGSTOP)
        t_stop = time.monotonic()
        after, went_stale, stale_age = [], False, None
        deadline = t_stop + 40
        while time.monotonic() < deadline and not went_stale:
            consent, _ = inspect(off)
            if consent is None:
                break  # the call is over
            after.append(consent.get("last_response_ms_ago"))
            if consent.get("fresh") is False:
                went_stale, stale_age = True, after[-1]
                break
            time.sleep(1.0)  # sampling interval, not a wait
        tap.diag("%s: after coturn stopped: %s" % (transport, after))
        tap.ok(went_stale, "%s: fresh turns false while the call is up, "
               "after the TURN server stopped" % transport, after)
        tap.ok(len(after) >= 2 and all(is_age(a) for a in after) and
               all(b > a for a, b in zip(after, after[1:])),
               "%s: last_response_ms_ago only grows once the path is gone"
               % transport, after)
        tap.ok(is_age(stale_age) and stale_age >= 5000,
               "%s: consent is reported stale only seconds after the last "
               "response" % transport, stale_age)
        e = off.wait_event("ended", timeout=60)
        tap.ok(e is not None and e.get("reason") == "consent-expired",
               "%s: the call then ends with consent-expired" % transport,
               (e, off.stderr_tail(10)))
        detail = (e or {}).get("detail", "")
        m = re.search(r"last consent response (\d+) ms ago", detail)
        tap.ok(m is not None and int(m.group(1)) >= 29000,
               "%s: the end gives the age of the last relayed consent "
               "response (30 s)" % transport, detail)
    finally:
        for p in (off, ans, mitm):
            if p is not None:
                p.kill()
        if turn.proc.poll() is None:
            os.kill(turn.proc.pid, signal.SIGCONT)
        turn.stop()


certdir = tempfile.mkdtemp(prefix="sc-consent-relay-")
try:
    certs = turnserver.make_certs(certdir)  # (ca, server cert, key)
    for t in ("udp", "tcp", "tls"):
        run(t, certs)
finally:
    shutil.rmtree(certdir, ignore_errors=True)
tap.done()
