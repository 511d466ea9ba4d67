#!/usr/bin/env python3
"""Audio and video between two sealcall endpoints: Opus 440 Hz sine and a
VP8 test pattern both ways over SRTP, `media` events, the inspector's media
part, recordings checked for the tone and for decodable video frames; and a
call where one side has --no-video (only audio flows, recorded as Ogg)."""
import json
import os
import subprocess
import sys
import tempfile
import time

top = os.environ.get("TOP_SRCDIR", ".")
sys.path.insert(0, os.path.join(top, "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
tmp = tempfile.mkdtemp(prefix="sc-media-")
CHECK = os.path.join(top, "tests", "lib", "mediacheck.py")


def check(path):
    p = subprocess.run([sys.executable, CHECK, path], capture_output=True,
                       timeout=120)
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": p.stderr.decode()[-500:]}


def wait_packets(p, kind, direction, n, timeout=40):
    """Polls the inspector until @kind/@direction has counted @n packets."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        start = len(p.events)
        p.send({"cmd": "inspect"})
        ev = p.wait_for(lambda e: e.get("event") == "inspector", 10, start)
        if ev is None:
            return None
        for m in ev["report"].get("media", []):
            if m["kind"] == kind and m["direction"] == direction and \
                    m.get("packets", 0) >= n:
                return ev["report"]
        p.wait_for(lambda e: False, 0.5)   # read more output for 0.5 s
    return None


rec_a = os.path.join(tmp, "answerer.webm")
rec_o = os.path.join(tmp, "offerer.webm")
call = sctest.Call(room="media", media=True, answer_extra=["--record", rec_a],
                   offer_extra=["--record", rec_o])
off, ans = call.both()
try:
    tap.ok(call.wait_open("chat", timeout=40), "call with media connects",
           call.diag())
    for p, who in ((off, "offerer"), (ans, "answerer")):
        for kind in ("audio", "video"):
            for d in ("send", "recv"):
                ev = p.wait_event("media", timeout=30, kind=kind, direction=d,
                                  state="flowing")
                tap.ok(ev is not None, "%s: %s %s flowing" % (who, kind, d))
    rep = wait_packets(ans, "video", "recv", 150)
    tap.ok(rep is not None, "answerer received 150 video packets", call.diag())
    media = (rep or {}).get("media", [])
    tap.ok(len(media) == 4 and all(m.get("encrypted") is True and
                                   m.get("cipher") == "AES-128-CM / HMAC-SHA1-80"
                                   for m in media),
           "inspector lists 4 encrypted media directions with the SRTP cipher",
           media)
    # the peer's SSRCs are those its a=ssrc lines signalled: none refused
    tap.ok([m.get("ssrc_refused") for m in media
            if m.get("direction") == "recv"] == [0, 0],
           "no RTP from a signalled peer is refused for its SSRC", media)
    tap.ok(wait_packets(off, "audio", "recv", 100) is not None,
           "offerer received 100 audio packets")
    off.send({"cmd": "hangup"})
    tap.ok(off.wait_exit(30) == 0 and ans.wait_exit(30) == 0,
           "both exit 0 after hangup (recordings finalized)")
    for path, who in ((rec_a, "answerer"), (rec_o, "offerer")):
        r = check(path)
        tap.ok(r.get("error") is None and r.get("video_frames", 0) >= 30,
               "%s's WebM recording has decodable video frames" % who, r)
        tap.ok((r.get("audio_peak_rms_db") or -200) > -40,
               "%s's recording has sound, not silence" % who, r)
        tap.ok(r.get("audio_peak_hz") is not None and
               abs(r["audio_peak_hz"] - 440) <= 20,
               "%s hears the peer's 440 Hz tone" % who, r)
finally:
    call.close()

# one side without video: only audio is negotiated and flows
rec = os.path.join(tmp, "audio-only.ogg")
call = sctest.Call(room="audio", media=True, answer_extra=["--record", rec],
                   offer_extra=["--no-video"])
off, ans = call.both()
try:
    tap.ok(call.wait_open("chat", timeout=40), "audio-only call connects",
           call.diag())
    tap.ok(ans.wait_event("media", timeout=30, kind="audio", direction="recv",
                          state="flowing") is not None,
           "--no-video on the offerer: audio still flows")
    rep = wait_packets(ans, "audio", "recv", 100)
    kinds = sorted(set(m["kind"] for m in (rep or {}).get("media", [])))
    tap.ok(kinds == ["audio"], "no video is negotiated", kinds)
    off.send({"cmd": "hangup"})
    rc_off = off.wait_exit(30)
    # the answerer finalizes its recording as it exits
    rc_ans = ans.wait_exit(30)
    tap.ok(rc_off == 0 and rc_ans == 0,
           "audio-only: both exit 0 after hangup (recording finalized)",
           (rc_off, rc_ans, ans.events[-5:], ans.stderr_tail()))
    tap.ok(not any(e.get("event") == "media" and e.get("kind") == "video"
                   for e in off.events + ans.events),
           "no video media events on either side")
    r = check(rec)
    with open(rec, "rb") as f:
        magic = f.read(4)
    tap.ok(magic == b"OggS" and r.get("video_frames") == 0 and
           (r.get("audio_peak_rms_db") or -200) > -40,
           "audio-only recording is Ogg/Opus with sound",
           (magic, r, [e for e in ans.events if e.get("event") in
                       ("media", "ended")], ans.stderr_tail()))
finally:
    call.close()
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
tap.done()
