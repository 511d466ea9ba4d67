#!/usr/bin/env python3
"""The CLI's argument handling: help texts, unknown commands and options,
bad URLs and values get one clear line on stderr and exit status 2; the
scripted mode's signaling and ended events and the hangup command work
before any peer shows up."""
import os
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
S = sctest.SEALCALL


def run(*args, timeout=20):
    p = subprocess.run([S] + list(args), capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


rc, out, err = run("--help")
tap.ok(rc == 0 and "serve" in out and "call" in out and "answer" in out,
       "sealcall --help lists the commands")
rc, out, err = run()
tap.ok(rc == 2 and "Usage" in err, "no command: usage on stderr, exit 2")
for cmd in ("call", "answer", "serve"):
    rc, out, err = run(cmd, "--help")
    tap.ok(rc == 0 and "--" in out, "sealcall %s --help describes options" % cmd)
for cmd in ("call", "answer", "serve"):
    rc, out, err = run(cmd, "--help")
    usage = out.split("\n")[1].strip() if out.count("\n") > 1 else ""
    tap.ok(out.startswith("Usage:") and
           usage.startswith("sealcall %s [OPTION" % cmd),
           "sealcall %s --help: the usage line names the program and the "
           "command" % cmd, out[:80])
rc, out, err = run("call", "--help")
tap.ok("End of input" in out and "hung up" in out,
       "call --help says what end of input means")
for opt in ("--signal", "--json", "--stun", "--ice-address", "--ice-max-pairs",
            "--relay-only",
            "--peer-identity", "--idp", "--turn", "--key-scope", "--defer-ice"):
    tap.ok(opt in out, "call --help mentions %s" % opt)
rc, out, err = run("frobnicate")
tap.ok(rc == 2 and "unknown command" in err and err.count("\n") == 1,
       "unknown command: one-line error, exit 2", err)
rc, out, err = run("call", "--bogus")
tap.ok(rc == 2 and "--bogus" in err and err.count("\n") == 1,
       "unknown option: one-line error, exit 2", err)
rc, out, err = run("call")
tap.ok(rc == 2 and "--signal" in err, "missing --signal: exit 2", err)
for bad in ("http://127.0.0.1:1/room/x", "ws://127.0.0.1:1/other/x",
            "ws://127.0.0.1:1/room/", "ws://127.0.0.1:1/room/bad name",
            "ws://127.0.0.1:1/room/" + "x" * 65, "not a url"):
    rc, out, err = run("answer", "--signal", bad, "--json")
    tap.ok(rc == 2 and err.strip() != "" and err.count("\n") == 1 and out == "",
           "bad URL %r: one-line error, exit 2, nothing on stdout" % bad, err)
rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a", "--stun", "nope")
tap.ok(rc == 2 and "STUN" in err, "bad --stun: exit 2", err)
rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a", "--ice-address", "eth0")
tap.ok(rc == 2 and "address" in err, "bad --ice-address: exit 2", err)
for bad in ("0", "1001", "-3"):
    rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a",
                       "--ice-max-pairs", bad)
    tap.ok(rc == 2 and "checklist limit" in err and err.count("\n") == 1,
           "--ice-max-pairs %s: one-line error, exit 2" % bad, err)
rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a",
                   "--ice-max-pairs", "many")
tap.ok(rc == 2 and "ice-max-pairs" in err, "--ice-max-pairs many: exit 2", err)
# the identity options are built (issue 14): a malformed value is a usage
# error, not ignored
for args, what in ((("--peer-identity", "bob"), "USER@DOMAIN"),
                   (("--idp", "a/b"), "--idp"),
                   (("--idp-protocol", "x"), "need --idp"),
                   (("--trust-idp", "example.org"), "DOMAIN=SUFFIX")):
    rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a", *args)
    tap.ok(rc == 2 and what in err, "%s: refused, exit 2" % " ".join(args), err)
for args, what in ((("call", "--defer-ice"), "is for `sealcall answer`"),
                   (("answer", "--accept-timeout", "5"), "needs --defer-ice"),
                   (("answer", "--defer-ice", "--accept-timeout", "86401"),
                    "accept timeout"),
                   (("answer", "--defer-ice", "--accept-timeout", "-1"),
                    "accept timeout")):
    rc, out, err = run(args[0], "--signal", "ws://127.0.0.1:1/room/a", *args[1:])
    tap.ok(rc == 2 and what in err and err.count("\n") == 1,
           "%s: one-line error, exit 2" % " ".join(args), err)
rc, out, err = run("call", "--signal", "ws://127.0.0.1:1/room/a", "--relay-only")
tap.ok(rc == 2 and "needs a TURN server" in err and err.count("\n") == 1,
       "--relay-only without --turn: one-line error, exit 2", err)
rc, out, err = run("serve", "--port", "99999")
tap.ok(rc == 2 and err.count("\n") == 1, "serve --port 99999: exit 2", err)
for opt, bad in (("--max-connections", "0"), ("--max-rooms", "x"),
                 ("--max-queued", "262143"), ("--frame-rate", "0"),
                 ("--frame-burst", "-1")):
    rc, out, err = run("serve", "--port", "0", opt, bad)
    tap.ok(rc == 2 and opt in err and err.count("\n") == 1,
           "serve %s %s: one-line error, exit 2" % (opt, bad), err)

# scripted mode against a real relay, no peer: signaling connected, then
# hangup ends with `ended` hangup and exit 0
relay, port = sctest.start_relay()
try:
    url = "ws://127.0.0.1:%d/room/lonely" % port
    p = sctest.endpoint("call", url, "lonely")
    ev = p.wait_event("signaling", state="connected", timeout=20)
    tap.ok(ev is not None, "signaling connected event", p.stderr_tail())
    p.send({"cmd": "hangup"})
    ev = p.wait_event("ended", timeout=20)
    rc = p.wait_exit(20)
    tap.ok(ev is not None and ev.get("reason") == "hangup" and rc == 0,
           "hangup: ended hangup, exit 0", (ev, rc))
    p.kill()
    # a third participant is refused by the relay: the call ends with an error
    a = sctest.endpoint("answer", url.replace("lonely", "full"), "a")
    b = sctest.endpoint("answer", url.replace("lonely", "full"), "b")
    a.wait_event("signaling", state="connected", timeout=20)
    b.wait_event("signaling", state="connected", timeout=20)
    c = sctest.endpoint("answer", url.replace("lonely", "full"), "c")
    ev = c.wait_event("ended", timeout=20)
    rc = c.wait_exit(20)
    tap.ok(ev is not None and ev.get("reason") == "error" and "4409" in
           (ev.get("detail") or "") + c.stderr_tail() and rc == 1,
           "third participant: ended error (room full, 4409), exit 1", (ev, rc))
    for x in (a, b, c):
        x.kill()
    # the relay goes away: a waiting call ends with an error, exit 1
    p = sctest.endpoint("answer", url, "orphan")
    p.wait_event("signaling", state="connected", timeout=20)
    relay.kill()
    ev = p.wait_event("ended", timeout=30)
    rc = p.wait_exit(20)
    tap.ok(ev is not None and ev.get("reason") == "error" and rc == 1,
           "relay gone before the call: ended error, exit 1", (ev, rc))
    p.kill()
    # nobody listening: connection refused is an ended error, not a hang
    p = sctest.endpoint("call", "ws://127.0.0.1:1/room/x", "refused")
    ev = p.wait_event("ended", timeout=20)
    tap.ok(ev is not None and ev.get("reason") == "error" and p.wait_exit(20) == 1,
           "relay unreachable: ended error, exit 1", ev)
    p.kill()
finally:
    relay.kill()

# A hangup before signaling connects (end of input, SIGTERM, SIGINT, the
# hangup command) ends the call quietly: `ended` hangup, exit 0, and no
# warning on stderr (there is nobody to send a bye to yet). The "relay"
# here accepts TCP connections and never answers, so signaling stays
# connecting for as long as the test needs.
mute = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mute.bind(("127.0.0.1", 0))
mute.listen(16)
mute_url = "ws://127.0.0.1:%d/room/mute" % mute.getsockname()[1]
try:
    for how in ("eof", "SIGTERM", "SIGINT", "hangup"):
        p = sctest.endpoint("call", mute_url, "early-" + how)
        # the TCP connection is made, the WebSocket upgrade never answered
        conn, _ = mute.accept()
        if how == "eof":
            p.p.stdin.close()
        elif how == "hangup":
            p.send({"cmd": "hangup"})
        else:
            os.kill(p.p.pid, getattr(signal, how))
        ev = p.wait_event("ended", timeout=20)
        rc = p.wait_exit(20)
        connected = p.wait_event("signaling", state="connected", timeout=0)
        err = open(p.stderr_path, "rb").read().decode("utf-8", "replace")
        tap.ok(ev is not None and ev.get("reason") == "hangup" and rc == 0 and
               connected is None and err.strip() == "",
               "hangup (%s) before signaling connects: ended hangup, exit 0, "
               "nothing on stderr" % how, (ev, rc, err))
        p.kill()
        conn.close()
    # a message given before the call is up waits for it; if the call ends
    # first, an error event says it was not sent, before `ended`
    p = sctest.endpoint("call", mute_url, "early-send")
    conn, _ = mute.accept()
    p.send({"cmd": "send", "label": "chat", "text": "never"})
    p.send({"cmd": "hangup"})
    ev = p.wait_event("ended", timeout=20)
    rc = p.wait_exit(20)
    names = [e.get("event") for e in p.events]
    err = [e for e in p.events if e.get("event") == "error"]
    tap.ok(ev is not None and rc == 0 and len(err) == 1 and
           names.index("error") == names.index("ended") - 1 and
           "ended before the messages on channel 'chat'" in
           err[0].get("detail", ""),
           "a send the call ended before: one error event naming the channel, "
           "then ended", p.events)
    p.kill()
    conn.close()
finally:
    mute.close()
tap.done()
