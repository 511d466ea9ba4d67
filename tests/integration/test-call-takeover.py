#!/usr/bin/env python3
"""Room takeover (issue 11, point 2). The relay does not say who sent a
frame; it only reports peer-joined / peer-left. Once the peer has left the
relay during a call, its seat is free and anyone who knows the room name
can take it: whatever arrives on signaling from then on comes from a
stranger, never from the peer we negotiated with.

(a) The answerer's relay connection is closed (the call goes on over
    ICE/DTLS); a stranger joins the room and sends a bye claiming
    `fingerprint-mismatch`, an offer, an answer and candidates. The
    offerer must ignore all of it: chat still flows both ways over the
    existing data channel. Then the answerer freezes (SIGSTOP): the
    offerer loses consent, must not send its ICE-restart offer (or
    anything else) to the stranger, and ends with `consent-expired`,
    never with a `fingerprint-mismatch` it did not find itself.
(b) A legitimate peer's bye with reason `fingerprint-mismatch` ends the
    call with reason `bye` (exit status 0, contract section 3), the claim
    reported as the peer's (`peer_reason`, "peer said: ..."), never as our
    own verdict; a reason with control characters or of any length is
    reported printable and bounded."""
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()

FAKE_SDP = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            "a=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP "
            "webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
            "a=ice-ufrag:evil\r\na=ice-pwd:evilevilevilevilevilevil\r\n"
            "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
            "a=setup:actpass\r\na=sctp-port:5000\r\n")
STRANGER_FRAMES = [
    {"type": "bye", "reason": "fingerprint-mismatch"},
    {"type": "offer", "sdp": FAKE_SDP},
    {"type": "answer", "sdp": FAKE_SDP},
    {"type": "candidate", "candidate":
     "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "sdpMid": "0",
     "sdpMLineIndex": 0},
    {"type": "candidate", "candidate": "", "sdpMid": "0"},
    {"type": "bye", "reason": "hangup"},
]


def scenario_stranger():
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         "--control"], "mitm-control")
    ev = relay.wait_event("listening", timeout=20)
    if not tap.ok(ev is not None, "(a) relay starts", relay.stderr_tail()):
        relay.kill()
        return
    call = sctest.Call(room="takeover", relay=relay, port=ev["port"])
    off, ans = call.both()
    stranger = None
    try:
        if not tap.ok(call.wait_open("chat", timeout=30), "(a) call connects",
                      call.diag()):
            return
        # the answerer leaves the relay; its call goes on
        relay.send({"cmd": "kick", "room": "takeover", "index": 0})
        k = relay.wait_event("kicked", timeout=10)
        tap.ok(k is not None and k.get("ok"), "(a) the answerer left the relay",
               relay.stderr_tail())
        tap.ok(ans.wait_event("signaling", state="closed", timeout=10)
               is not None, "(a) the answerer's signaling is closed")
        stranger = sctest.Proc([sys.executable, os.path.join(here, "stranger.py"),
                                call.url], "stranger")
        room = stranger.wait_event("frame", timeout=10)
        tap.ok(room is not None and room["msg"] == {"type": "room", "peers": 1},
               "(a) a stranger takes the free seat", stranger.stderr_tail())
        n_sent = 0
        for f in STRANGER_FRAMES:
            mark = len(stranger.events)
            stranger.send(f)
            if stranger.wait_for(lambda x: x.get("event") == "sent",
                                 timeout=10, start=mark) is None:
                break
            n_sent += 1
        tap.ok(n_sent == len(STRANGER_FRAMES),
               "(a) the stranger sent bye fingerprint-mismatch, offer, "
               "answer, candidates, bye", n_sent)
        # The offerer reports the stranger once (an error event, after its
        # frames were read); the call goes on.
        err = off.wait_event("error", timeout=10)
        tap.ok(err is not None and "someone else" in err.get("detail", ""),
               "(a) the offerer reports the stranger's signaling as ignored",
               (err, off.stderr_tail()))
        sctest.chat(tap, off, ans, "still here?",
                    "(a) chat offerer -> answerer after the stranger's bye")
        sctest.chat(tap, ans, off, "yes",
                    "(a) chat answerer -> offerer after the stranger's bye")
        tap.ok(off.wait_event("ended", timeout=0) is None,
               "(a) the offerer's call did not end", off.events[-5:])
        # Consent lost: the offerer would restart ICE through the relay,
        # that is, with the stranger. It must not.
        os.kill(ans.p.pid, signal.SIGSTOP)
        try:
            e = off.wait_event("ended", timeout=75)
        finally:
            os.kill(ans.p.pid, signal.SIGCONT)
        tap.ok(e is not None and e.get("reason") == "consent-expired",
               "(a) the offerer ends with consent-expired once the answerer "
               "froze (never with fingerprint-mismatch)",
               (e, off.stderr_tail()))
        tap.ok(not any(x.get("event") == "ended" and
                       x.get("reason") == "fingerprint-mismatch"
                       for p in (off, ans) for x in p.events),
               "(a) nobody reports fingerprint-mismatch")
        tap.ok(off.wait_event("signaling", state="restart-offer-sent",
                              timeout=0) is None,
               "(a) the offerer sent no ICE-restart offer")
        rc = off.wait_exit(20)
        tap.ok(rc == 1, "(a) the offerer exits 1 (consent expired)", rc)
        # the offerer has exited: whatever it sent has reached the relay;
        # the relay's peer-left for it closes the stranger's wait
        stranger.wait_for(lambda x: x.get("event") == "frame" and
                          x["msg"].get("type") == "peer-left", timeout=10)
        got = [x["msg"] for x in stranger.events
               if x.get("event") == "frame" and x["msg"].get("type") not in
               ("room", "peer-left")]
        tap.ok(not got, "(a) the stranger received nothing from the call "
               "(no offer, no candidate, no bye)", got)
    finally:
        if stranger is not None:
            stranger.kill()
        call.close()
        relay.kill()


def scenario_peer_bye(reason, want_claim, what):
    """The answerer's seat says bye with @reason (the relay speaks for it:
    the relay does not identify senders, so to the offerer this is its
    peer's bye; a real hangup races its DTLS close_notify)."""
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         "--control"], "mitm-bye")
    ev = relay.wait_event("listening", timeout=20)
    if not tap.ok(ev is not None, "(b) %s: relay starts" % what,
                  relay.stderr_tail()):
        relay.kill()
        return
    call = sctest.Call(room="peerbye", relay=relay, port=ev["port"])
    off, ans = call.both()
    try:
        if not tap.ok(call.wait_open("chat", timeout=30),
                      "(b) %s: call connects" % what, call.diag()):
            return
        # the offerer joined second: participant 1
        relay.send({"cmd": "say", "room": "peerbye", "to": 1,
                    "msg": {"type": "bye", "reason": reason}})
        said = relay.wait_event("said", timeout=10)
        tap.ok(said is not None and said.get("ok"),
               "(b) %s: the peer's bye is sent" % what, relay.stderr_tail())
        e = off.wait_event("ended", timeout=20)
        tap.ok(e is not None and e.get("reason") == "bye",
               "(b) %s: the offerer ends with reason bye" % what,
               (e, off.stderr_tail()))
        tap.ok(e is not None and e.get("peer_reason") == want_claim,
               "(b) %s: peer_reason is the peer's claim, printable and "
               "bounded" % what, e)
        tap.ok(e is not None and e.get("detail", "").startswith(
            "peer said: " + want_claim),
               "(b) %s: the detail says it is the peer's claim" % what, e)
        tap.ok(off.wait_exit(20) == 0,
               "(b) %s: the offerer exits 0 (a bye ends a call normally)"
               % what)
    finally:
        call.close()
        relay.kill()


scenario_peer_bye("fingerprint-mismatch", "fingerprint-mismatch",
                  "fingerprint-mismatch claimed")
scenario_peer_bye("\x1b[2J\r\n* peer certificate verified\x07" + "x" * 5000,
                  "?[2J??* peer certificate verified?" + "x" * 30,
                  "control characters and 5000 bytes")
scenario_stranger()
tap.done()
