#!/usr/bin/env python3
"""`./quickstart demo`: a relay and two sealcall endpoints on 127.0.0.1 make
a real call (ICE, DTLS 1.2 with fingerprint check, DTLS-SRTP keys, Opus
audio and VP8 video over SRTP, SCTP data channels): the media events and the
packets counted each way, chat both ways, a 16 MiB data channel bench, the
security inspector, hangup, and what the answerer recorded (--record, WebM)
of the caller's audio and video.

    demo.py [SEALCALL]      the demo
    demo.py --probe FILE    (internal) one JSON line about a recording
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sctest  # noqa: E402

KINDS = ("audio", "video")


def probe(path):
    """Duration (GStreamer discoverer) and content (mediacheck: sound level,
    dominant frequency, decoded video frames) of a recording."""
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstPbutils", "1.0")
    from gi.repository import Gst, GstPbutils
    import mediacheck
    Gst.init(None)
    out = {}
    try:
        info = GstPbutils.Discoverer.new(20 * Gst.SECOND).discover_uri(
            Gst.filename_to_uri(path))
        out["duration_s"] = info.get_duration() / Gst.SECOND
        out["streams"] = [s.get_caps().get_structure(0).get_name()
                          for s in info.get_stream_list()
                          if s.get_caps() is not None]
    except Exception as e:   # noqa: BLE001 - reported, not fatal
        out["discoverer_error"] = str(e)
    out.update(mediacheck.analyse(path))
    return out


def python_with_gi():
    """An interpreter with python3-gi: this one, else Debian's."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", "import gi"], capture_output=True,
                timeout=30).returncode == 0:
            return py
    return None


def say(msg=""):
    print(msg, flush=True)


def fail(msg, call=None):
    say("demo FAILED: " + msg)
    if call is not None:
        say(call.diag())
    sys.exit(1)


def inspect(p, timeout=10):
    start = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", timeout, start)
    return ev["report"] if ev else None


def packets(report):
    """{(kind, direction): packets} from an inspector report."""
    return {(m.get("kind"), m.get("direction")): m.get("packets", 0)
            for m in (report or {}).get("media", [])}


def wait_media(off, ans, n=45, timeout=20):
    """Until both sides have received @n packets of each kind (about 3 s of
    video at 15 frames/s); returns the last inspector reports."""
    deadline = time.monotonic() + timeout
    while True:
        ro, ra = inspect(off), inspect(ans)
        po, pa = packets(ro), packets(ra)
        if all(p.get((k, "recv"), 0) >= n for p in (po, pa) for k in KINDS) \
                or time.monotonic() > deadline:
            return ro, ra
        off.wait_for(lambda e: False, 0.5)   # read on for 0.5 s


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        print(json.dumps(probe(sys.argv[2])))
        return
    if len(sys.argv) > 1:
        sctest.SEALCALL = sys.argv[1]

    tmp = tempfile.mkdtemp(prefix="sealcall-demo-")
    rec = os.path.join(tmp, "answerer-received.webm")
    relay, port = sctest.start_relay()
    say("relay:    sealcall serve listening on ws://127.0.0.1:%d" % port)
    call = sctest.Call(room="demo", relay=relay, port=port, media=True,
                       answer_extra=["--record", rec])
    off, ans = call.both()
    say("answerer: sealcall answer --signal %s --json --record %s"
        % (call.url, rec))
    say("caller:   sealcall call   --signal %s --json" % call.url)
    say("          (both send a 440 Hz sine and a test pattern, as on a "
        "machine without devices)")
    try:
        run(call, off, ans, rec)
    finally:
        call.close()
        relay.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def run(call, off, ans, rec):
    if not call.wait_open("chat", timeout=30):
        fail("the call did not connect", call)
    ice = off.wait_event("ice", state="connected", timeout=1) or {}
    dtls = off.wait_event("dtls", state="connected", timeout=1) or {}
    chan = off.wait_event("channel", state="open", timeout=1) or {}
    say()
    say("call connected in %.1f ms (offer sent -> first data channel open)"
        % chan.get("setup_ms", float("nan")))
    say("  ICE pair:  %s -> %s" % (ice.get("local_type"),
                                   ice.get("remote_type")))
    say("  DTLS:      %s %s (we were the %s)" % (
        dtls.get("version"), dtls.get("cipher"), dtls.get("role")))
    say("  SRTP keys: %s, exported from DTLS" % dtls.get("srtp_profile"))
    say("  peer cert: %s (matches the signalled a=fingerprint)"
        % dtls.get("remote_fingerprint"))

    # media: the first `media` event of each kind and direction, both sides
    say()
    say("media events (scripted mode):")
    for who, p in (("caller", off), ("answerer", ans)):
        for k in KINDS:
            for d in ("send", "recv"):
                ev = p.wait_event("media", timeout=20, kind=k, direction=d,
                                  state="flowing")
                if ev is None:
                    fail("%s: no %s %s media event" % (who, k, d), call)
                say("  %-8s %s" % (who, json.dumps(ev)))
    ro, ra = wait_media(off, ans)
    po, pa = packets(ro), packets(ra)
    say()
    say("SRTP packets after a few seconds (inspector counts):")
    say("  %-6s %14s %16s   %14s %16s" % ("", "caller sent", "answerer got",
                                           "answerer sent", "caller got"))
    for k in KINDS:
        say("  %-6s %14d %16d   %14d %16d" % (
            k, po.get((k, "send"), 0), pa.get((k, "recv"), 0),
            pa.get((k, "send"), 0), po.get((k, "recv"), 0)))
        if pa.get((k, "recv"), 0) == 0 or po.get((k, "recv"), 0) == 0:
            fail("%s does not flow both ways" % k, call)

    # chat and a data channel bench, while media flows
    say()
    off.send({"cmd": "send", "label": "chat", "text": "Hello from the caller!"})
    m = ans.wait_event("message", label="chat", timeout=10)
    if m is None:
        fail("chat message did not arrive", call)
    say("caller   -> answerer: %s" % m["text"])
    ans.send({"cmd": "send", "label": "chat",
              "text": "Hi caller, loud and clear."})
    m = off.wait_event("message", label="chat", timeout=10)
    if m is None:
        fail("chat reply did not arrive", call)
    say("answerer -> caller:   %s" % m["text"])
    off.send({"cmd": "bench", "bytes": 16 * 1024 * 1024, "chunk": 65536})
    b = off.wait_event("bench", role="sender", timeout=120)
    if b is not None:
        say("bench: 16 MiB over a reliable channel in %.3f s = %.0f Mbit/s "
            "(alongside audio and video)" % (b["seconds"], b["mbps"]))

    rep = inspect(off)
    if rep is None:
        fail("no inspector report", call)
    say()
    say("security inspector (caller's view):")
    say(json.dumps(rep, indent=2))

    off.send({"cmd": "hangup"})
    e1 = off.wait_event("ended", timeout=20)
    e2 = ans.wait_event("ended", timeout=20)
    rc1, rc2 = off.wait_exit(20), ans.wait_exit(20)
    say()
    say("caller ended: %s; answerer ended: %s; exit statuses %s %s"
        % (e1 and e1["reason"], e2 and e2["reason"], rc1, rc2))
    if rc1 != 0 or rc2 != 0:
        fail("unclean exit", call)

    # the answerer's recording, complete now that it has exited
    say()
    if not os.path.exists(rec):
        fail("the answerer wrote no recording")
    say("the answerer's recording of what it received: %d bytes (WebM)"
        % os.path.getsize(rec))
    py = python_with_gi()
    if py is None:
        say("  (python3-gi is not installed: not inspecting it)")
    else:
        r = subprocess.run([py, os.path.abspath(__file__), "--probe", rec],
                           capture_output=True, timeout=120)
        try:
            info = json.loads(r.stdout.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            fail("cannot inspect the recording: %s"
                 % r.stderr.decode("utf-8", "replace")[-500:])
        say("  duration %.1f s, streams %s" % (
            info.get("duration_s") or float("nan"),
            ", ".join(info.get("streams") or [])))
        say("  video: %d frames decoded" % info.get("video_frames", 0))
        say("  audio: loudest %.1f dBFS, dominant %s Hz (the caller's sine)"
            % (info.get("audio_peak_rms_db") or float("-inf"),
               info.get("audio_peak_hz")))
        if info.get("error") or not info.get("video_frames") or \
                (info.get("audio_peak_rms_db") or -200) < -40:
            fail("the recording is not what the caller sent: %s" % info)
    say("demo OK")


if __name__ == "__main__":
    main()
