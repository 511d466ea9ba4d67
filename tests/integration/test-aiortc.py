#!/usr/bin/env python3
"""Interop with an independent WebRTC stack, aiortc (Debian python3-aiortc),
in both roles: chat both ways, the bench protocol with content checked by
sealcall's receiver, and hangups from either side, including aiortc closing
its peer connection immediately after its bye (its SCTP ABORT then overtakes
the bye on the relay)."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

top = os.environ.get("TOP_SRCDIR", ".")
tap = sctest.Tap()
try:
    import aiortc  # noqa: F401
except ImportError:
    tap.skip_all("python3-aiortc is not installed (Debian package python3-aiortc)")


def aiortc_peer(role, url, name, extra=()):
    return sctest.Proc([sys.executable, os.path.join(top, "bench", "aiortc_peer.py"),
                        "--role", role, "--signal", url, "--json",
                        "--ice-address", "127.0.0.1"] + list(extra), name)


relay, port = sctest.start_relay()
try:
    for sc_role, ai_role in (("answer", "call"), ("call", "answer")):
        room = "aiortc-" + sc_role
        url = "ws://127.0.0.1:%d/room/%s" % (port, room)
        first = sctest.endpoint(sc_role, url, "sealcall-" + sc_role) \
            if sc_role == "answer" else aiortc_peer(ai_role, url, "aiortc-" + ai_role,
                                                    ["--bye-grace", "0"])
        first.wait_event("signaling", state="connected", timeout=20)
        second = aiortc_peer(ai_role, url, "aiortc-" + ai_role, ["--bye-grace", "0"]) \
            if sc_role == "answer" else sctest.endpoint(sc_role, url, "sealcall-" + sc_role)
        sc, ai = (first, second) if sc_role == "answer" else (second, first)
        what = "sealcall %s / aiortc %s" % (sc_role, ai_role)
        try:
            a = sc.wait_event("channel", state="open", timeout=40)
            b = ai.wait_event("channel", state="open", timeout=40)
            tap.ok(a is not None and b is not None, what + ": a channel opens",
                   sc.stderr_tail() + "\n" + ai.stderr_tail())
            d = sc.wait_event("dtls", state="connected", timeout=1) or {}
            tap.ok(d.get("version") == "DTLSv1.2" and d.get("role") ==
                   ("client" if sc_role == "answer" else "server"),
                   what + ": DTLS 1.2, roles from a=setup", d)
            sc.send({"cmd": "send", "label": "chat", "text": "to aiortc"})
            ai.send({"cmd": "send", "label": "chat", "text": "to sealcall"})
            tap.ok(ai.wait_event("message", text="to aiortc", timeout=15) is not None,
                   what + ": chat sealcall -> aiortc")
            tap.ok(sc.wait_event("message", text="to sealcall", timeout=15) is not None,
                   what + ": chat aiortc -> sealcall")
            sc.send({"cmd": "bench", "bytes": 4 * 1024 * 1024, "chunk": 65536})
            bb = sc.wait_event("bench", role="sender", timeout=120)
            ab = ai.wait_event("bench", role="receiver", timeout=30)
            tap.ok(bb is not None and bb.get("bytes") == 4 * 1024 * 1024 and
                   ab is not None and ab.get("pattern") == "ok",
                   what + ": 4 MiB bench sealcall -> aiortc, aiortc found "
                   "our pattern right", (bb, ab))
            ai.send({"cmd": "bench", "bytes": 2 * 1024 * 1024, "chunk": 16384})
            rb = sc.wait_event("bench", role="receiver", timeout=120)
            tap.ok(rb is not None and rb.get("pattern") == "ok",
                   what + ": 2 MiB bench aiortc -> sealcall, content checked", rb)
            # one byte wrong, deep inside a message and past a period of
            # the pattern: sealcall must say so
            mark = len(sc.events)
            ai.send({"cmd": "bench", "bytes": 1024 * 1024, "chunk": 16384,
                     "corrupt_at": 3 * 16384 + 4000})
            rb = sc.wait_for(lambda ev: ev.get("event") == "bench" and
                             ev.get("role") == "receiver", 120, start=mark)
            tap.ok(rb is not None and rb.get("pattern") == "mismatch",
                   what + ": a bench with one wrong byte is reported as a "
                   "pattern mismatch", rb)
            if sc_role == "answer":
                # aiortc hangs up and closes at once
                ai.send({"cmd": "hangup"})
                e = sc.wait_event("ended", timeout=30)
                rc = sc.wait_exit(20)
                tap.ok(e is not None and e.get("reason") == "bye" and rc == 0,
                       what + ": aiortc hangs up and closes at once: sealcall "
                       "ends bye, exit 0", (e, rc, sc.stderr_tail()))
            else:
                sc.send({"cmd": "hangup"})
                e = sc.wait_event("ended", timeout=30)
                rc = sc.wait_exit(20)
                rc2 = ai.wait_exit(30)
                tap.ok(e is not None and e.get("reason") == "hangup" and rc == 0
                       and rc2 == 0, what + ": sealcall hangs up: both exit 0",
                       (e, rc, rc2))
        finally:
            sc.kill()
            ai.kill()
finally:
    relay.kill()
tap.done()
