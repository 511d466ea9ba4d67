#!/usr/bin/env python3
"""`./quickstart demo`: a relay and two sealcall endpoints on 127.0.0.1 make
a real call (ICE, DTLS 1.2 with fingerprint check, DTLS-SRTP keys, Opus
audio and VP8 video over SRTP, SCTP data channels): the media events and the
packets counted each way, chat both ways, a 16 MiB data channel bench, the
security inspector, hangup, and what the answerer recorded (--record, WebM)
of the caller's audio and video. Then a verified-identity call on its own
(identity_demo()): the reference IdP `sealcall idp` started here with a
throwaway CA, both sides asserting (--idp) and verifying (--peer-identity),
their verified identities and inspector reports; and the same call through
a relay that edits the identity inside the assertion, refused.

    demo.py [SEALCALL]      the demo
    demo.py --identity-only [SEALCALL]   only its identity part (the test)
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
TOP = os.path.dirname(os.path.dirname(HERE))
os.environ.setdefault("TOP_SRCDIR", TOP)   # realidp's make-test-ca.sh
import sctest  # noqa: E402
import realidp  # noqa: E402

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


def python_with(module):
    """An interpreter that has @module: this one, else Debian's."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", "import " + module], capture_output=True,
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


def chat(call, src, dst, text, what):
    """@text from @src to @dst on the chat channel, shown as @what."""
    src.send({"cmd": "send", "label": "chat", "text": text})
    m = dst.wait_event("message", label="chat", timeout=10)
    if m is None:
        fail("%s the chat message did not arrive" % what.strip(), call)
    say(what + m["text"])


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
    identity_only = len(sys.argv) > 1 and sys.argv[1] == "--identity-only"
    if identity_only:
        del sys.argv[1]
    if len(sys.argv) > 1:
        sctest.SEALCALL = sys.argv[1]
    if identity_only:
        identity_demo()
        say("demo OK")
        return

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
    chat(call, off, ans, "Hello from the caller!", "caller   -> answerer: ")
    chat(call, ans, off, "Hi caller, loud and clear.", "answerer -> caller:   ")
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
    py = python_with("gi")
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
    identity_demo()
    say("demo OK")


# ---- verified identity ----

def remote_identity(p, timeout=30):
    return p.wait_for(lambda e: e.get("event") == "identity" and
                      e.get("side") == "remote", timeout)


def identity_demo():
    """A verified-identity call, then the same call through a relay that
    tampers with the assertion. Returns only when both went as they must
    (the first verified both ways, the second refused); fail() otherwise."""
    say()
    say("== verified identity (RFC 8827 §7) ==")
    try:
        idp = realidp.LocalIdp(["alice", "bob"])
    except (RuntimeError, subprocess.SubprocessError) as e:
        fail("the reference IdP did not start: %s" % e)
    relay = None
    try:
        host = idp.domain
        say("IdP:      sealcall idp on https://%s, certificate from a "
            "throwaway CA made now (scripts/make-test-ca.sh; in %s and %s, "
            "deleted at the end)" % (idp.name, idp.ca_tmp, idp.tmp))
        homes = {u: idp.data_home(u) for u in ("alice", "bob")}
        say("          alice and bob log in at its login form; each "
            "sealcall finds its session cookie in $XDG_DATA_HOME/sealcall/"
            "idp-cookies.txt (cookies.txt, 0600), XDG_DATA_HOME being a "
            "directory of its own")
        relay, port = sctest.start_relay()
        env = realidp.sandbox_env()

        def opts(me, peer):
            return ["--ca", idp.ca.ca, "--idp", idp.name,
                    "--identity-hint", me,
                    "--peer-identity", "%s@%s" % (peer, host)]

        def envs(me):
            return dict(env, XDG_DATA_HOME=homes[me])
        say("caller:   sealcall call   ... --idp %s --identity-hint alice "
            "--peer-identity bob@%s --ca ca.pem" % (idp.name, host))
        say("answerer: sealcall answer ... --idp %s --identity-hint bob "
            "--peer-identity alice@%s --ca ca.pem" % (idp.name, host))
        verified_call(host, relay, port, opts, envs)
        relay.kill()
        relay = None
        tampered_call(host, opts, envs)
    finally:
        if relay is not None:
            relay.kill()
        idp.close()


def data_only(room, relay, port, opts, envs):
    """alice calls bob, each with the IdP session in its own
    XDG_DATA_HOME"""
    return sctest.Call(room=room, relay=relay, port=port,
                       offer_extra=opts("alice", "bob"),
                       answer_extra=opts("bob", "alice"),
                       offer_env=envs("alice"), answer_env=envs("bob"))


def verified_call(host, relay, port, opts, envs):
    call = data_only("demo-identity", relay, port, opts, envs)
    off, ans = call.both()
    try:
        io, ia = remote_identity(off), remote_identity(ans)
        say()
        say("identity events (each side verified the other through the "
            "IdP's proxy, run in sealcall's sandbox):")
        say("  caller   %s" % json.dumps(io))
        say("  answerer %s" % json.dumps(ia))
        want = {off: ("bob", io), ans: ("alice", ia)}
        for p, (who, ev) in want.items():
            if ev is None or ev.get("status") != "verified" or \
                    ev.get("identity") != "%s@%s" % (who, host):
                fail("%s was not verified" % who, call)
        if not call.wait_open("chat", timeout=30):
            fail("the verified call did not open its channel", call)
        chan = off.wait_event("channel", state="open", timeout=1) or {}
        say("call connected in %.1f ms (offer sent -> first data channel "
            "open, both assertions checked on the way)"
            % chan.get("setup_ms", float("nan")))
        alpn = [(p.wait_event("dtls", state="connected", timeout=1) or {})
                .get("alpn") for p in (off, ans)]
        say("DTLS ALPN: %s / %s (RFC 8833: confidential, as --peer-identity "
            "asks)" % tuple(alpn))
        say()
        say("inspector (the --json \"inspect\" command, /inspect "
            "interactively), both sides:")
        for who, p in (("caller", off), ("answerer", ans)):
            rep = inspect(p)
            if rep is None:
                fail("no inspector report from the %s" % who, call)
            peer = rep.get("peer") or {}
            say("  %-8s peer %s" % (who, json.dumps(peer)))
            tr = rep.get("transport") or {}
            say("  %-8s transport %s" % ("", json.dumps(
                {k: tr[k] for k in ("dtls_version", "cipher",
                                    "remote_fingerprint") if k in tr})))
            if peer.get("verified_by") != "idp" or not peer.get(
                    "authoritative") or peer.get("identity") != (
                    want[p][1] or {}).get("identity"):
                fail("the %s's inspector does not show the verified peer"
                     % who, call)
        chat(call, off, ans, "Hello bob, verified by our IdP.",
             "caller -> answerer: ")
        off.send({"cmd": "hangup"})
        off.wait_exit(20)
        ans.wait_exit(20)
    finally:
        call.close()


def tampered_call(host, opts, envs):
    who = "bob@" + host
    py = python_with("websockets")
    if py is None:
        fail("the tampering relay needs python3-websockets")
    relay = sctest.Proc([py, os.path.join(HERE, "mitm_relay.py"),
                         "--edit-identity", "answer", "--identity-from", who,
                         "--identity-to", "mallory@" + host],
                        "demo-mitm")
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        relay.kill()
        fail("the tampering relay did not start: " + relay.stderr_tail())
    say()
    say("the same call through a relay that rewrites %s to mallory@%s "
        "inside the answer's assertion (the IdP's signature kept):"
        % (who, host))
    call = data_only("demo-tampered", relay, ev["port"], opts, envs)
    off, ans = call.both()
    try:
        end = off.wait_event("ended", timeout=40)
        io = remote_identity(off, 1)
        rewrote = relay.wait_event("rewrote", timeout=1)
        say("  caller identity %s" % json.dumps(io))
        say("  caller ended    %s" % json.dumps(end))
        leaked = [e for p in (off, ans) for e in p.events
                  if e.get("event") in ("channel", "message", "media")]
        if rewrote is None:
            fail("the relay did not tamper with the answer", call)
        if io is None or io.get("status") != "failed" or \
                end is None or end.get("reason") != "identity-rejected":
            fail("the tampered assertion was not refused", call)
        if leaked:
            fail("something reached the other side: %s" % leaked, call)
        say("refused: the caller ended the call identity-rejected (%s); "
            "no channel, message or media reached either side"
            % io.get("error"))
    finally:
        call.close()
        relay.kill()


if __name__ == "__main__":
    main()
