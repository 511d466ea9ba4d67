#!/usr/bin/env python3
"""`./quickstart demo`: a relay and two sealcall endpoints on 127.0.0.1 make
a real call (ICE, DTLS 1.2 with fingerprint check, DTLS-SRTP keys, SCTP data
channels), chat both ways, print the security inspector, and hang up."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sctest  # noqa: E402

if len(sys.argv) > 1:
    sctest.SEALCALL = sys.argv[1]


def say(msg):
    print(msg, flush=True)


def fail(msg, call=None):
    say("demo FAILED: " + msg)
    if call is not None:
        say(call.diag())
    sys.exit(1)


relay, port = sctest.start_relay()
say("relay:    sealcall serve listening on ws://127.0.0.1:%d" % port)
call = sctest.Call(room="demo", relay=relay, port=port)
off, ans = call.both()
say("answerer: sealcall answer --signal %s --json" % call.url)
say("caller:   sealcall call   --signal %s --json" % call.url)
try:
    if not call.wait_open("chat", timeout=30):
        fail("the call did not connect", call)
    ice = off.wait_event("ice", state="connected", timeout=1) or {}
    dtls = off.wait_event("dtls", state="connected", timeout=1) or {}
    chan = off.wait_event("channel", state="open", timeout=1) or {}
    say("")
    say("call connected in %.1f ms (offer sent -> first data channel open)"
        % chan.get("setup_ms", float("nan")))
    say("  ICE pair:  %s -> %s" % (ice.get("local_type"), ice.get("remote_type")))
    say("  DTLS:      %s %s (we were the %s)" % (dtls.get("version"), dtls.get("cipher"),
                                                 dtls.get("role")))
    say("  SRTP keys: %s, exported from DTLS" % dtls.get("srtp_profile"))
    say("  peer cert: %s (matches the signalled a=fingerprint)"
        % dtls.get("remote_fingerprint"))
    say("")
    off.send({"cmd": "send", "label": "chat", "text": "Hello from the caller!"})
    m = ans.wait_event("message", label="chat", timeout=10)
    if m is None:
        fail("chat message did not arrive", call)
    say("caller   -> answerer: %s" % m["text"])
    ans.send({"cmd": "send", "label": "chat", "text": "Hi caller, loud and clear."})
    m = off.wait_event("message", label="chat", timeout=10)
    if m is None:
        fail("chat reply did not arrive", call)
    say("answerer -> caller:   %s" % m["text"])
    off.send({"cmd": "bench", "bytes": 16 * 1024 * 1024, "chunk": 65536})
    b = off.wait_event("bench", role="sender", timeout=120)
    if b is not None:
        say("bench: 16 MiB over a reliable channel in %.3f s = %.0f Mbit/s"
            % (b["seconds"], b["mbps"]))
    off.send({"cmd": "inspect"})
    ins = off.wait_event("inspector", timeout=10)
    if ins is None:
        fail("no inspector report", call)
    say("")
    say("security inspector (caller's view):")
    say(json.dumps(ins["report"], indent=2))
    off.send({"cmd": "hangup"})
    e1 = off.wait_event("ended", timeout=20)
    e2 = ans.wait_event("ended", timeout=20)
    rc1, rc2 = off.wait_exit(20), ans.wait_exit(20)
    say("")
    say("caller ended: %s; answerer ended: %s; exit statuses %s %s"
        % (e1 and e1["reason"], e2 and e2["reason"], rc1, rc2))
    if rc1 != 0 or rc2 != 0:
        fail("unclean exit", call)
    say("demo OK")
finally:
    call.close()
    relay.kill()
