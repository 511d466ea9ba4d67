#!/usr/bin/env python3
"""Inspects a recording made by `sealcall --record` with GStreamer
(python3-gi): prints one JSON line with the audio level (peak RMS in dB),
the dominant audio frequency, the number of audio buffers and of decoded
video frames.

  mediacheck.py FILE
"""
import array
import json
import math
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

RATE = 48000


def analyse(path, timeout_s=60):
    Gst.init(None)
    pipe = Gst.parse_launch(
        "filesrc name=src ! decodebin name=dec "
        "dec. ! queue ! audioconvert ! audioresample ! "
        "audio/x-raw,format=S16LE,rate=%d,channels=1 ! "
        "level name=level interval=100000000 ! "
        "appsink name=asink emit-signals=true sync=false" % RATE)
    pipe.get_by_name("src").set_property("location", path)
    result = {"file": path, "audio_peak_rms_db": None, "audio_peak_hz": None,
              "audio_messages": 0, "video_frames": 0, "error": None}
    samples = array.array("h")
    dec = pipe.get_by_name("dec")

    def on_sample(sink):
        sample = sink.emit("pull-sample")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            if len(samples) < RATE * 20:   # analyse at most 20 s
                samples.frombytes(bytes(info.data[:len(info.data) & ~1]))
            buf.unmap(info)
        return Gst.FlowReturn.OK

    pipe.get_by_name("asink").connect("new-sample", on_sample)

    def on_pad(_dec, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        name = caps.get_structure(0).get_name() if caps else ""
        if name.startswith("video/"):
            sink = Gst.ElementFactory.make("fakesink")
            sink.set_property("sync", False)
            pipe.add(sink)
            sink.sync_state_with_parent()

            def count(_pad, _info):
                result["video_frames"] += 1
                return Gst.PadProbeReturn.OK
            sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, count)
            pad.link(sink.get_static_pad("sink"))

    dec.connect("pad-added", on_pad)
    loop = GLib.MainLoop()

    def on_message(_bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "level":
                rms = s.get_value("rms")
                if rms:
                    v = max(rms)
                    if not math.isinf(v):
                        cur = result["audio_peak_rms_db"]
                        result["audio_peak_rms_db"] = v if cur is None else max(cur, v)
                result["audio_messages"] += 1
        elif t == Gst.MessageType.EOS:
            loop.quit()
        elif t == Gst.MessageType.ERROR:
            err, _dbg = msg.parse_error()
            result["error"] = err.message
            loop.quit()
        return True

    bus = pipe.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add_seconds(timeout_s, lambda: (result.update(error="timeout"),
                                                 loop.quit()) and False)
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    result["audio_peak_hz"] = dominant_hz(samples)
    return result


def dominant_hz(samples):
    """Strongest of 50..4000 Hz (Goertzel, 10 Hz steps) over the loudest
    second of the recording; None for silence."""
    if len(samples) < RATE // 2:
        return None
    best_start, best_energy = 0, -1
    for start in range(0, len(samples) - RATE // 2, RATE // 4):
        e = sum(x * x for x in samples[start:start + RATE // 2:8])
        if e > best_energy:
            best_start, best_energy = start, e
    if best_energy <= 0:
        return None
    block = samples[best_start:best_start + 4800]   # 100 ms
    n = len(block)
    best_f, best_p = None, 0.0
    for f in range(50, 4001, 10):
        coeff = 2 * math.cos(2 * math.pi * f / RATE)
        s1 = s2 = 0.0
        for x in block:
            s0 = x + coeff * s1 - s2
            s2, s1 = s1, s0
        p = s1 * s1 + s2 * s2 - coeff * s1 * s2
        if p > best_p:
            best_f, best_p = f, p
    return best_f


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: mediacheck.py FILE", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(analyse(sys.argv[1])))
