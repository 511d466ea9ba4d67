#!/usr/bin/env python3
"""Bad remote descriptions are refused with a clear error. A first offer
that is refused ends the answerer's call: it sends `bye` with reason
`error` and ends with reason `error`, the detail naming the refusal, rather
than waiting (and parsing) on; this holds for malformed offers and for one
over the m-section limit. Frames that are no offer at all (no sdp, sdp of
the wrong type) are dropped and the answerer then takes a real call.
Hostile candidates and hostile re-offers to either side (new DTLS
identity behind an ICE restart, DTLS role change, renegotiation, garbage)
from the signaling path are refused mid-call and the call goes on with the
same DTLS peer."""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import websockets  # noqa: E402

HEAD = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
        "a=setup:actpass\r\n")
DATA = ("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
        "c=IN IP4 0.0.0.0\r\na=mid:%d\r\na=sctp-port:5000\r\n")
BAD_OFFERS = [
    ("garbage", "this is not SDP at all", "SDP has no v= line"),
    ("no fingerprint",
     "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
     "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
     "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
     "a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n",
     "no a=fingerprint"),
    ("no data section",
     "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
     "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
     "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
     "a=setup:actpass\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n",
     "offer has no data channel section"),
    ("65 m-sections", HEAD + "".join(DATA % i for i in range(65)),
     "SDP has 65 m-sections, more than the limit of 64"),
]
# frames that are not offers the answerer could parse: dropped, no effect
JUNK = [{"type": "offer"}, {"type": "offer", "sdp": 42}]

tap = sctest.Tap()
relay, port = sctest.start_relay()


def room_url(name):
    return "ws://127.0.0.1:%d/room/%s" % (port, name)


async def fake_peer(url, frames, wait_bye):
    """Joins @url second, sends @frames; returns the bye it then gets (or
    None: no bye within 20 s, or @wait_bye false)."""
    async with websockets.connect(url) as ws:
        await ws.recv()  # room
        for f in frames:
            await ws.send(json.dumps(f))
        if not wait_bye:
            return None
        try:
            async with asyncio.timeout(20):
                async for frame in ws:
                    msg = json.loads(frame)
                    if msg.get("type") == "bye":
                        return msg
        except (TimeoutError, websockets.ConnectionClosed):
            pass
        return None


answerers = []
try:
    for i, _ in enumerate(BAD_OFFERS):
        answerers.append(sctest.endpoint("answer", room_url("bad%d" % i),
                                         "answer-bad%d" % i))
    for i, (name, sdp, needle) in enumerate(BAD_OFFERS):
        ans = answerers[i]
        tap.ok(ans.wait_event("signaling", state="connected", timeout=20)
               is not None, "answerer %d joins its room" % i)
        frames = JUNK + [{"type": "offer", "sdp": sdp}]
        bye = asyncio.run(fake_peer(room_url("bad%d" % i), frames, True))
        tap.ok(bye is not None and bye.get("reason") == "error",
               "malformed offer (%s): the peer gets bye with reason error"
               % name, bye)
        e = ans.wait_event("ended", timeout=20)
        tap.ok(e is not None and e.get("reason") == "error" and
               (e.get("detail") or "").startswith("refused offer: ") and
               needle in e.get("detail"),
               "malformed offer (%s): the answerer ends with reason error, "
               "naming the refusal" % name, (e, ans.stderr_tail()))
        rc = ans.wait_exit(20)
        tap.ok(rc not in (0, None), "malformed offer (%s): the answerer "
               "exits non-zero" % name, rc)
        answered = [x for x in ans.events if x.get("event") == "signaling"
                    and x.get("state") == "answer-sent"]
        tap.ok(not answered, "malformed offer (%s): nothing was answered"
               % name, answered)

    # junk that is no offer changes nothing: a real call then works
    ans = sctest.endpoint("answer", room_url("junk"), "answer-junk")
    answerers.append(ans)
    tap.ok(ans.wait_event("signaling", state="connected", timeout=20)
           is not None, "answerer joins the room")
    asyncio.run(fake_peer(room_url("junk"), JUNK, False))
    off = sctest.endpoint("call", room_url("junk"), "offerer")
    try:
        o1 = off.wait_event("channel", state="open", label="chat", timeout=30)
        o2 = ans.wait_event("channel", state="open", label="chat", timeout=30)
        tap.ok(o1 is not None and o2 is not None,
               "after frames that are no offer, a real call to the same "
               "answerer works", off.stderr_tail() + ans.stderr_tail())
        sctest.hang_up(tap, off, ans)
    finally:
        off.kill()
finally:
    for a in answerers:
        a.kill()
    relay.kill()

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")


def hostile_call(option, room, what, body):
    """A call through mitm_relay.py OPTION: it must connect despite WHAT,
    pass body(mitm, offerer, answerer), then hang up cleanly."""
    mitm = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                        option], "mitm-" + room)
    ev = mitm.wait_event("listening", timeout=20)
    try:
        tap.ok(ev is not None, "hostile relay (%s) starts" % option,
               mitm.stderr_tail())
        if ev is None:
            return
        call = sctest.Call(room=room, relay=mitm, port=ev["port"])
        off, ans = call.both()
        try:
            tap.ok(call.wait_open("chat", timeout=30), "the call connects "
                   "despite %s" % what, call.diag())
            body(mitm, off, ans)
            sctest.hang_up(tap, off, ans, "both exit 0 (%s)" % what)
        finally:
            call.close()
    finally:
        mitm.kill()


# hostile candidate messages from the signaling path: refused or ignored,
# the call connects and carries data
def candidates(mitm, off, ans):
    tap.ok(mitm.wait_event("injected", timeout=5) is not None,
           "the relay injected its candidates")
    off.send({"cmd": "send", "label": "chat", "text": "still here"})
    tap.ok(ans.wait_event("message", text="still here", timeout=15)
           is not None, "data flows after the hostile candidates")


hostile_call("--inject-candidates", "cand",
             "malformed and hostile candidates", candidates)


# hostile re-offers mid-call (from the signaling path): each refused with
# an error event; no ICE restart, the DTLS peer unchanged, the call goes on.
# To the answerer, and (either side may restart ICE) to the offerer.
def reoffers(mitm, off, ans):
    reoffers_to(mitm, off, ans, ans)


def reoffers_to_offerer(mitm, off, ans):
    reoffers_to(mitm, off, ans, off)


def reoffers_to(mitm, off, ans, target):
    other = off if target is ans else ans
    want = {"new fingerprint": "a=fingerprint",
            "setup change": "DTLS role",
            "same ufrag": "without an ICE restart",
            "garbage": "SDP has no",
            "sha-1 only": "no acceptable a=fingerprint",
            "too many m-sections": "SC_SDP_MAX_SECTIONS"}
    for name, needle in want.items():
        tap.ok(mitm.wait_event("injected", timeout=5, what=name)
               is not None, "the relay sent a re-offer: %s" % name)
        err = target.wait_for(
            lambda e: e.get("event") == "error" and
            needle in (e.get("detail") or ""), 15)
        tap.ok(err is not None, "re-offer with %s refused by the %s with "
               "an error naming it" % (name, target.name),
               [e for e in target.events if e.get("event") == "error"])
    off.send({"cmd": "send", "label": "chat", "text": "after"})
    tap.ok(ans.wait_event("message", text="after", timeout=15)
           is not None, "offerer -> answerer after the re-offers")
    ans.send({"cmd": "send", "label": "chat", "text": "back"})
    tap.ok(off.wait_event("message", text="back", timeout=15)
           is not None, "answerer -> offerer after the re-offers")
    restarted = [e for e in target.events if e.get("event") == "signaling"
                 and "restart" in (e.get("state") or "")]
    ended = [e for e in ans.events + off.events if e.get("event") == "ended"]
    tap.ok(not restarted and not ended, "no ICE restart happened and "
           "nothing ended", restarted + ended)
    reps = []
    for p in (other, target):
        start = len(p.events)
        p.send({"cmd": "inspect"})
        r = p.wait_for(lambda e: e.get("event") == "inspector", 15, start)
        reps.append(((r or {}).get("report") or {}).get("transport") or {})
    tap.ok(reps[0].get("local_fingerprint") and
           reps[1].get("remote_fingerprint") ==
           reps[0].get("local_fingerprint") and
           reps[1].get("dtls_state") == "connected",
           "the %s's DTLS peer is still the %s's certificate"
           % (target.name, other.name), reps)


hostile_call("--inject-reoffers", "reoffer", "hostile re-offers", reoffers)
hostile_call("--inject-reoffers-to-offerer", "reoffer-off",
             "hostile re-offers to the offerer", reoffers_to_offerer)
tap.done()
