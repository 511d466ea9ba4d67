#!/usr/bin/env python3
"""Logs never carry secrets and never leak into the scripted stream: a call
with every debug switch on (SC_DEBUG=trace, G_MESSAGES_DEBUG=all,
NICE_DEBUG=all for libnice's own messages, which print ICE passwords, raw
in its agent's messages and hex-encoded as "key : 0x..." in its STUN
code's) keeps stdout to JSON events only (interop contract section 3), and
neither side's ICE password (read from the descriptions by a recording
relay) appears in either side's output in any form: raw, hex (lower and
upper case, bare, with ':' or ' ' separators, "0x"-prefixed, libnice's
"key : 0x" line) or base64 (standard and URL alphabets, padded or not).
The library withholds them, not the CLI (a library user gets the same)."""
import base64
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
DEBUG = {"SC_DEBUG": "trace", "G_MESSAGES_DEBUG": "all", "NICE_DEBUG": "all"}


def forms(pwd):
    """Every way a log could show @pwd."""
    raw = pwd.encode()
    hx = raw.hex()
    out = {"raw": pwd}
    for case, h in (("lower", hx), ("upper", hx.upper())):
        pairs = [h[i:i + 2] for i in range(0, len(h), 2)]
        out["hex " + case] = h
        out["hex %s ':'" % case] = ":".join(pairs)
        out["hex %s ' '" % case] = " ".join(pairs)
        out["0x hex " + case] = "0x" + h
    out["libnice 'key : 0x'"] = "key     : 0x" + hx
    b64 = base64.b64encode(raw).decode()
    url = base64.urlsafe_b64encode(raw).decode()
    out["base64"] = b64
    out["base64 unpadded"] = b64.rstrip("=")
    out["base64url"] = url.rstrip("=")
    return out


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


mitm = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                    "--record", "--sdp"], "mitm")
ev = mitm.wait_event("listening", timeout=20)
tap.ok(ev is not None, "recording relay starts", mitm.stderr_tail())
if ev is None:
    mitm.kill()
    tap.done()
    sys.exit(0)
url = "ws://127.0.0.1:%d/room/logs" % ev["port"]
base = ["--json", "--no-audio", "--no-video", "--ice-address", "127.0.0.1"]
ans = sctest.Proc([sctest.SEALCALL, "answer", "--signal", url] + base,
                  "answerer", env=DEBUG)
off = None
try:
    tap.ok(ans.wait_event("signaling", state="connected", timeout=20)
           is not None, "the answerer joins")
    # -v on one side: it must not lower SC_DEBUG=trace to info
    off = sctest.Proc([sctest.SEALCALL, "call", "--signal", url, "-v"] + base,
                      "offerer", env=DEBUG)
    tap.ok(off.wait_event("channel", state="open", label="chat", timeout=30)
           is not None and
           ans.wait_event("channel", state="open", label="chat", timeout=30)
           is not None, "the call connects with all debug output on",
           off.stderr_tail() + ans.stderr_tail())
    sctest.chat(tap, off, ans, "quiet please")
    sctest.hang_up(tap, off, ans)
    pwds = []
    for kind in ("offer", "answer"):
        d = mitm.wait_for(lambda e: e.get("event") == "frame"
                          and e.get("type") == kind, 5)
        m = re.search(r"a=ice-pwd:(\S+)", (d or {}).get("sdp", ""))
        if m:
            pwds.append(m.group(1))
    tap.ok(len(pwds) == 2, "both ICE passwords read from the descriptions")
    for p in (off, ans):
        bad = [ln for ln in p.lines if not ln.startswith("{")]
        tap.ok(p.lines and not bad and
               all(e.get("event") != "_non_json" for e in p.events),
               "%s: stdout holds JSON events only" % p.name, bad[:5])
        err = read(p.stderr_path)
        tap.ok("libnice" in err and "sealcall[" in err and
               " trace: " in err,
               "%s: the debug output (trace level included) went to stderr"
               % p.name)
        tap.ok("libnice-stun" in err and "libnice-DEBUG" in err,
               "%s: libnice's agent and STUN debug output is on" % p.name)
        out = "\n".join(p.lines)
        for pwd in pwds:
            which = "its own" if pwd == pwds[0 if p is off else 1] else "the peer's"
            leaked = [name for name, text in forms(pwd).items()
                      if text in err or text in out]
            tap.ok(not leaked,
                   "%s: %s ICE password in no form (raw, hex, base64) in "
                   "its output" % (p.name, which), leaked)
        tap.ok(len(pwds) == 2, "%s: both passwords were checked" % p.name)
finally:
    if off is not None:
        off.kill()
    ans.kill()
    mitm.kill()

tap.done()
