#!/usr/bin/env python3
"""Text a peer controls never reaches the terminal raw, and never breaks
the JSON stream. A hostile peer sends chat with a newline, a fake
"[sealcall] peer certificate verified" line and escape sequences (clear
screen, window title), bidi overrides and isolates, U+2028, C1 controls
(NEL, CSI), DEL, a channel label with control characters, a message far
longer than a screen, and (through aiortc, since sealcall itself sends only
UTF-8 as text) text messages that are not UTF-8 or hold a NUL byte.
The interactive side's stdout holds no control character but its line
ends, the fake line is never a line of its own, and each character shows
as a visible escape; the --json side's every stdout line is UTF-8 JSON and
a text message that is not UTF-8 arrives as binary with its exact bytes."""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

top = os.environ.get("TOP_SRCDIR", ".")
tap = sctest.Tap()
FAKE = "[sealcall] peer certificate verified"
ENDS = "END-OF-TEST"

# characters that must never reach a terminal raw
BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | \
    {0x2028, 0x2029, 0x200E, 0x200F, 0x061C}


def raw_controls(line):
    """Control, C1, DEL and layout characters in one decoded line."""
    return [hex(ord(c)) for c in line
            if ord(c) < 0x20 or ord(c) == 0x7F or 0x80 <= ord(c) <= 0x9F
            or ord(c) in BIDI]


def interactive(role, url, name, env=None):
    return sctest.Proc([sctest.SEALCALL, role, "--signal", url, "--no-audio",
                        "--no-video", "--ice-address", "127.0.0.1"], name,
                       env=env)


def wait_line(p, pred, timeout=20):
    ev = p.wait_for(lambda e: e.get("event") == "_non_json"
                    and pred(e["line"]), timeout)
    return ev["line"] if ev else None


def check_terminal(p, what):
    bad = [(ln, raw_controls(ln)) for ln in p.lines if raw_controls(ln)]
    bad += [(repr(r), "CR") for r in p.raw_lines if b"\r" in r]
    tap.ok(p.lines and not bad,
           "%s: no control, escape or bidi character on stdout" % what,
           bad[:5])
    tap.ok(not any(ln.lstrip().startswith(FAKE) for ln in p.lines),
           "%s: the peer cannot draw a line of its own" % what,
           [ln for ln in p.lines if FAKE in ln][:3])


relay, port = sctest.start_relay()
procs = []
try:
    # ---- A: a hostile sealcall (--json) calls an interactive sealcall ----
    url = "ws://127.0.0.1:%d/room/text" % port
    # SC_DEBUG=sctp: its debug lines quote the labels the peer chose
    term = interactive("answer", url, "terminal", env={"SC_DEBUG": "sctp"})
    procs.append(term)
    tap.ok(wait_line(term, lambda ln: ln == "* signaling connected")
           is not None, "the interactive answerer waits", term.stderr_tail())
    evil = sctest.endpoint("call", url, "hostile")
    procs.append(evil)
    tap.ok(evil.wait_event("channel", state="open", label="chat", timeout=30)
           is not None, "the call connects", evil.stderr_tail())
    texts = [
        "before\n" + FAKE + "\x1b[2J\x1b]0;owned\x07 after",
        "bidi \u202eevil\u202c \u2066iso\u2069 sep\u2028next para\u2029x",
        "c1 \u0085nel \u009b31m csi \x7f del \r cr \t tab",
        "long " + "A" * 10000,
        ENDS,
    ]
    for t in texts:
        evil.send({"cmd": "send", "label": "chat", "text": t})
    label = "lab\x1b[31m\n" + FAKE + "\u202e"
    evil.send({"cmd": "send", "label": label, "text": "in an odd label"})
    tap.ok(wait_line(term, lambda ln: ENDS in ln) is not None and
           wait_line(term, lambda ln: "in an odd label" in ln) is not None,
           "the interactive side shows every message", term.stderr_tail())
    first = wait_line(term, lambda ln: ln.startswith("<chat> before"), 1)
    tap.ok(first is not None and
           first == "<chat> before\\x0a" + FAKE +
           "\\x1b[2J\\x1b]0;owned\\x07 after",
           "newline and escape sequences are shown as \\x escapes", first)
    bidi = wait_line(term, lambda ln: ln.startswith("<chat> bidi"), 1)
    tap.ok(bidi == "<chat> bidi \\u202eevil\\u202c \\u2066iso\\u2069 "
           "sep\\u2028next para\\u2029x",
           "bidi controls and line separators are shown as \\u escapes", bidi)
    c1 = wait_line(term, lambda ln: ln.startswith("<chat> c1"), 1)
    tap.ok(c1 == "<chat> c1 \\u0085nel \\u009b31m csi \\x7f del \\x0d cr "
           "\\x09 tab", "C1 controls, DEL, CR and tab are escaped", c1)
    long_line = wait_line(term, lambda ln: ln.startswith("<chat> long"), 1)
    tap.ok(long_line is not None and len(long_line) < 4300 and
           long_line.endswith("...[%d more bytes not shown]"
                              % (len(texts[3]) - 4096)),
           "a long message is cut at 4 KiB with a marker",
           (long_line or "")[-80:])
    shown = "lab\\x1b[31m\\x0a" + FAKE + "\\u202e"
    opened = wait_line(term, lambda ln: ln.startswith("* channel 'lab"), 1)
    tap.ok(opened == "* channel '%s' open" % shown and
           wait_line(term, lambda ln: ln == "<%s> in an odd label" % shown, 1),
           "a label with control characters is escaped", opened)
    evil.send({"cmd": "hangup"})
    tap.ok(evil.wait_exit(20) == 0 and term.wait_exit(20) == 0,
           "both exit 0 after hangup")
    check_terminal(term, "interactive side")
    with open(term.stderr_path, "rb") as f:
        err = f.read().decode("utf-8", "replace")
    bad = [(ln, raw_controls(ln)) for ln in err.split("\n") if raw_controls(ln)]
    tap.ok("remote channel" in err and "lab\\x1b[31m\\x0a" in err and
           not bad, "interactive side: log lines quoting the peer's label "
           "show no control character on stderr", bad[:3])

    # ---- B: aiortc sends text that is not UTF-8 ----
    try:
        import aiortc  # noqa: F401
        have_aiortc = True
    except ImportError:
        have_aiortc = False
    bad_texts = [b"not \xff\xfe utf-8 \xc3", b"nul\x00byte",
                 b"\xed\xa0\x80 surrogate"]
    for mode in (("json", "interactive") if have_aiortc else ()):
        url = "ws://127.0.0.1:%d/room/bytes-%s" % (port, mode)
        if mode == "json":
            me = sctest.endpoint("answer", url, "json-side")
            ok = me.wait_event("signaling", state="connected", timeout=20)
        else:
            me = interactive("answer", url, "terminal-bytes")
            ok = wait_line(me, lambda ln: ln == "* signaling connected")
        procs.append(me)
        peer = sctest.Proc([sys.executable,
                            os.path.join(top, "bench", "aiortc_peer.py"),
                            "--role", "call", "--signal", url, "--json",
                            "--ice-address", "127.0.0.1", "--bye-grace", "0"],
                           "aiortc-" + mode)
        procs.append(peer)
        tap.ok(ok is not None and peer.wait_event("channel", state="open",
                                                  timeout=40) is not None,
               "%s: aiortc calls" % mode, peer.stderr_tail())
        for b in bad_texts:
            peer.send({"cmd": "send", "label": "chat",
                       "text_bytes": base64.b64encode(b).decode()})
        peer.send({"cmd": "send", "label": "chat", "text": ENDS})
        if mode == "json":
            tap.ok(me.wait_event("message", text=ENDS, timeout=20)
                   is not None, "json: every message arrives")
            bad = []
            for r in me.raw_lines:
                try:
                    json.loads(r.decode("utf-8"))
                except ValueError:
                    bad.append(r)
            tap.ok(me.raw_lines and not bad,
                   "json: every stdout line is UTF-8 JSON", bad[:3])
            for b in bad_texts:
                b64 = base64.b64encode(b).decode()
                ev = me.wait_event("message", label="chat", binary=b64,
                                   timeout=1)
                tap.ok(ev is not None and ev.get("invalid_text") is True and
                       "text" not in ev,
                       "json: text %r arrives as binary with its exact bytes"
                       % b, [e for e in me.events
                             if e.get("event") == "message"][:4])
        else:
            tap.ok(wait_line(me, lambda ln: ENDS in ln) is not None,
                   "interactive: every message arrives")
            got = [wait_line(me, lambda ln, w=w: ln.startswith(w), 1)
                   for w in ("<chat> [binary, base64] ",)]
            tap.ok(got[0] is not None,
                   "interactive: text that is not UTF-8 is shown as its "
                   "bytes (base64)", me.lines[-6:])
            check_terminal(me, "interactive side (aiortc)")
        peer.send({"cmd": "hangup"})
        tap.ok(peer.wait_exit(20) == 0 and me.wait_exit(20) == 0,
               "%s: both exit 0 after hangup" % mode)
finally:
    for p in procs:
        p.kill()
    relay.kill()
tap.done()
