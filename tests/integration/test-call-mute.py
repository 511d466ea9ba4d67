#!/usr/bin/env python3
"""Stopping and resuming what we send of one medium at once
(sc_call_set_media_sending(), sealcall's own `media` command): between two
sealcall endpoints with audio and video, after {"cmd":"media","send":false}
the peer's received packet count of that kind stops growing while the other
kind goes on, and grows again after "send": true; a `media` event and the
inspector's `sending` tell it. Stopping before the call connects starts the
medium stopped. A medium that is not negotiated, and a bad command, are
errors. Also the inspector's per-stream RTCP statistics between the two
(bytes, bitrate, loss, jitter, round-trip time; issue 15 point 3)."""
import os
import sys
import tempfile
import time

top = os.environ.get("TOP_SRCDIR", ".")
sys.path.insert(0, os.path.join(top, "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()


def entry(p, kind, direction, other):
    """The inspector's media entry (or {} when there is none)."""
    start = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", 10, start,
                    also=(other,))
    if ev is None:
        return None
    for m in ev["report"].get("media", []):
        if m["kind"] == kind and m["direction"] == direction:
            return m
    return {}


def count(p, kind, direction, other):
    m = entry(p, kind, direction, other)
    return None if m is None else m.get("packets", 0)


def wait_count(p, kind, direction, n, other, timeout=40):
    """Polls the inspector until @kind/@direction has counted @n packets;
    returns the count, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = count(p, kind, direction, other)
        if c is None:
            return None
        if c >= n:
            return c
        p.wait_for(lambda e: False, 0.3, also=(other,))  # read output
    return None


def event_after(p, start, other, timeout=20, **fields):
    def pred(e):
        return all(e.get(k) == v for k, v in fields.items())
    return p.wait_for(pred, timeout, start, also=(other,))


def switch(off, ans, kind, send):
    """The offerer stops or resumes @kind: its `media` event tells it."""
    n = len(off.events)
    off.send({"cmd": "media", "kind": kind, "send": send})
    ev = event_after(off, n, ans, event="media", kind=kind, direction="send",
                     state="flowing" if send else "stopped")
    tap.ok(ev is not None and ev.get("sending") is send,
           "%s: the sender tells it %s (sending %s)" %
           (kind, "flowing" if send else "stopped", send),
           ev or off.events[n:])


def rtcp_report(p, other, timeout=30):
    """Polls @p's inspector until every media entry has its RTCP figures
    and the send entries a round-trip time; returns the entries."""
    deadline = time.monotonic() + timeout
    media = []
    while time.monotonic() < deadline:
        start = len(p.events)
        p.send({"cmd": "inspect"})
        ev = p.wait_for(lambda e: e.get("event") == "inspector", 10, start,
                        also=(other,))
        media = (ev or {}).get("report", {}).get("media", [])
        if len(media) == 4 and all(
                m.get("packets_lost") is not None and
                m.get("jitter_us") is not None and
                (m["direction"] == "recv" or
                 m.get("round_trip_us") is not None) for m in media):
            return media
        p.wait_for(lambda e: False, 0.5, also=(other,))
    return media


def check_rtcp(off, ans):
    a = {(m["kind"], m["direction"]): m for m in rtcp_report(ans, off)}
    o = {(m["kind"], m["direction"]): m for m in rtcp_report(off, ans)}
    tap.ok(len(a) == 4 and len(o) == 4,
           "both inspectors have RTCP figures for 4 streams", (a, o))
    for (kind, d), m in sorted(a.items()):
        ok = (m.get("bytes", 0) > m.get("packets", 0) > 0 and
              m.get("bitrate", 0) > 0 and
              m.get("rtcp_from") == ("peer" if d == "send" else "local") and
              0 <= m.get("fraction_lost", -1) <= 1 and
              0 <= m.get("packets_lost", -1) <= m["packets"] and
              0 <= m.get("jitter_us", -1) <= 10000000 and
              (m.get("round_trip_us") is None or
               0 <= m["round_trip_us"] < 5000000))
        tap.ok(ok, "answerer %s %s: bytes, bitrate, loss, jitter%s" %
               (kind, d, ", round trip" if d == "send" else ""), m)
    for kind in ("audio", "video"):
        # the offerer's send figures are the answerer's receiver report,
        # made a little earlier than the answerer's own current count
        s_, r_ = o.get((kind, "send"), {}), a.get((kind, "recv"), {})
        tap.ok(s_.get("packets_lost") is not None and
               r_.get("packets_lost") is not None and
               s_["packets_lost"] <= r_["packets_lost"],
               "%s: the offerer's peer-reported loss (%s) is the answerer's "
               "own (%s) or older" % (kind, s_.get("packets_lost"),
                                      r_.get("packets_lost")))


def check_stop_resume(off, ans, kind, clock_kind):
    """The offerer stops @kind; the answerer's @clock_kind count shows time
    passing meanwhile."""
    n_ans = len(ans.events)
    switch(off, ans, kind, False)
    m = entry(off, kind, "send", ans)
    tap.ok(m is not None and m.get("sending") is False,
           "%s: the sender's inspector says sending false" % kind, m)
    # the receiver's flow watch says stopped after ~2 s without packets
    ev = event_after(ans, n_ans, off, event="media", kind=kind,
                     direction="recv", state="stopped")
    tap.ok(ev is not None, "%s: the receiver sees its flow stop" % kind,
           ans.events[n_ans:])
    c1 = count(ans, kind, "recv", off)
    base = count(ans, clock_kind, "recv", off)
    got = wait_count(ans, clock_kind, "recv", (base or 0) + 100, off)
    c2 = count(ans, kind, "recv", off)
    tap.ok(c1 is not None and got is not None and c2 == c1,
           "%s: the receiver's packet count stops growing (%s -> %s) while "
           "%s goes on (%s -> %s)" % (kind, c1, c2, clock_kind, base, got))

    n_ans = len(ans.events)
    switch(off, ans, kind, True)
    tap.ok(event_after(ans, n_ans, off, event="media", kind=kind,
                       direction="recv", state="flowing") is not None,
           "%s: the receiver sees it flow again" % kind)
    c3 = wait_count(ans, kind, "recv", (c2 or 0) + 50, off)
    tap.ok(c3 is not None, "%s: the receiver's count grows again (%s -> %s)"
           % (kind, c2, c3))
    m = entry(off, kind, "send", ans)
    tap.ok(m is not None and m.get("sending") is True,
           "%s: the sender's inspector says sending true" % kind, m)


call = sctest.Call(room="mute", media=True)
off, ans = call.both()
try:
    tap.ok(call.wait_open("chat", timeout=40), "call with media connects",
           call.diag())
    for kind in ("audio", "video"):
        tap.ok(wait_count(ans, kind, "recv", 30, off) is not None,
               "answerer receives %s" % kind)
    check_rtcp(off, ans)
    check_stop_resume(off, ans, "audio", "video")
    check_stop_resume(off, ans, "video", "audio")

    for bad, why in (({"cmd": "media", "kind": "screen", "send": False},
                      "unknown kind"),
                     ({"cmd": "media", "kind": "audio"}, "no send field"),
                     ({"cmd": "media", "kind": "audio", "send": "no"},
                      "send not a boolean")):
        n = len(off.events)
        off.send(bad)
        ev = event_after(off, n, ans, event="error")
        tap.ok(ev is not None and "media" in ev.get("detail", ""),
               "bad media command (%s) is an error" % why, ev)
    m = entry(off, "audio", "send", ans)
    tap.ok(m is not None and m.get("sending") is True,
           "a bad command changes nothing", m)
    off.send({"cmd": "hangup"})
    tap.ok(off.wait_exit(30) == 0 and ans.wait_exit(30) == 0,
           "both exit 0 after hangup")
finally:
    call.close()

# Stopped before the call connects: the medium starts stopped. The answerer
# takes no video, so stopping video on the offerer is refused.
call = sctest.Call(room="mute-early", media=True,
                   answer_extra=["--no-video"])
off, ans = call.both()
try:
    n = len(off.events)
    off.send({"cmd": "media", "kind": "audio", "send": False})
    ev = event_after(off, n, ans, event="media", kind="audio",
                     direction="send", state="stopped")
    tap.ok(ev is not None and ev.get("sending") is False,
           "stopping audio before the call connects is told at once", ev)
    tap.ok(call.wait_open("chat", timeout=40), "the call connects",
           call.diag())
    got = wait_count(off, "audio", "recv", 100, ans)
    c = count(ans, "audio", "recv", off)
    tap.ok(got is not None and c == 0,
           "no audio reaches the answerer while the offerer receives its "
           "(%s, %s)" % (c, got))
    tap.ok(not any(e.get("event") == "media" and e.get("kind") == "audio" and
                   e.get("direction") == "send" and e.get("state") == "flowing"
                   for e in off.events),
           "the offerer never tells audio send flowing while stopped")
    n = len(off.events)
    off.send({"cmd": "media", "kind": "video", "send": False})
    ev = event_after(off, n, ans, event="error")
    tap.ok(ev is not None and "not negotiated" in ev.get("detail", ""),
           "stopping video the answerer refused is an error", ev)
    off.send({"cmd": "media", "kind": "audio", "send": True})
    tap.ok(wait_count(ans, "audio", "recv", 50, off) is not None,
           "after resuming, audio reaches the answerer")
    off.send({"cmd": "hangup"})
    tap.ok(off.wait_exit(30) == 0 and ans.wait_exit(30) == 0,
           "both exit 0 after hangup")
finally:
    call.close()

# Interactive: /mute audio, /unmute audio (and /mute video without video)
relay, port = sctest.start_relay(tap)
url = "ws://127.0.0.1:%d/room/mute-human" % port
tmp = tempfile.mkdtemp(prefix="sc-mute-")
ans = sctest.endpoint("answer", url, extra=["--no-video"], media=True)
human = None
try:
    ans.wait_event("signaling", state="connected", timeout=20)
    human = sctest.Proc([sctest.SEALCALL, "call", "--signal", url,
                         "--ice-address", "127.0.0.1", "--no-video",
                         "--record", os.path.join(tmp, "h.ogg")], "human")

    def line(text):
        human.p.stdin.write(text.encode() + b"\n")
        human.p.stdin.flush()

    tap.ok(ans.wait_for(lambda e: e.get("event") == "media" and
                        e.get("kind") == "audio" and
                        e.get("direction") == "recv" and
                        e.get("state") == "flowing", 40, also=(human,))
           is not None, "interactive caller: audio flows", human.stderr_tail())
    n = len(ans.events)
    line("/mute audio")
    tap.ok(event_after(ans, n, human, event="media", kind="audio",
                       direction="recv", state="stopped") is not None,
           "/mute audio: the answerer's audio stops")
    tap.ok(any("audio" in t and "stopped" in t for t in human.lines),
           "/mute audio is shown", human.lines[-5:])
    line("/mute video")
    line("/mute screen")
    n = len(ans.events)
    line("/unmute audio")
    tap.ok(event_after(ans, n, human, event="media", kind="audio",
                       direction="recv", state="flowing") is not None,
           "/unmute audio: the answerer's audio flows again")
    err = human.stderr_tail(50)
    tap.ok("video is not enabled" in err and "\"kind\"" in err,
           "/mute of a kind not sent, or unknown, is refused", err)
    line("/hangup")
    rc_h, rc_a = human.wait_exit(30), ans.wait_exit(30)
    tap.ok(rc_h == 0 and rc_a == 0, "interactive: both exit 0 after /hangup",
           {"human": rc_h, "answerer": rc_a,
            "human stderr": human.stderr_tail(30),
            "answerer stderr": ans.stderr_tail(30),
            "answerer events": ans.events[-5:]})
finally:
    for p in (human, ans, relay):
        if p is not None:
            p.kill()
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
tap.done()
