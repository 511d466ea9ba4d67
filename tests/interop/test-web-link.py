#!/usr/bin/env python3
"""The page a user opens has no test hook (issue 11, point 6).

A crafted link such as http://RELAY/?room=R&test=1&report=LEAK once made the
web client copy every event (received chat included) to the relay room LEAK
and run the commands arriving there. The test driver now lives in
web/test-hooks.js and the test page /test.html, which the relay serves only
under `sealcall serve --test-hooks` (tests only).

1. Over HTTP, from a plain `sealcall serve`: the page and app.js carry no
   reporting or command code, /test.html and /test-hooks.js are 404, and
   the Content-Security-Policy lets the page connect only to its own origin;
   with --test-hooks the test page is served and a warning is printed.
2. In headless Chromium and Firefox, a plain relay, the link
   /?room=OWN&role=answer&test=1&report=LEAK&audio=0&video=0: a participant
   in OWN sees the page join (the positive signal that the page is loaded
   and connected), while a participant in LEAK sees nobody join and no
   event arrive, and commands it sends there (send, hangup) have no effect
   on OWN. Nor does the page answer the offer OWN sends it: a link alone
   never starts a call, the user has to press Join.

No network namespace is needed: the page only talks to the relay over
WebSocket on 127.0.0.1 (no ICE pair ever has to form).
"""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402
import sctest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# after the positive signal, how long the LEAK room is watched for anything
# (on the old page its first events reached LEAK before the page even joined
# OWN) and OWN for an answer to its offer (the old page answered within
# 0.1 s)
QUIET_S = 3.0


def http_get(port, path, headers=None):
    """(status, body text) of GET http://127.0.0.1:PORT/PATH; the response
    headers go into the dict @headers if given."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=10) as r:
            if headers is not None:
                headers.update((k.lower(), v) for k, v in r.headers.items())
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def start_serve(extra, name):
    relay = sctest.Proc([sctest.SEALCALL, "serve", "--host", "127.0.0.1",
                         "--port", "0"] + extra, name)
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        relay.kill()
        raise RuntimeError("relay did not start: " + relay.stderr_tail())
    return relay, ev["port"]


def check_http(tap):
    relay, port = start_serve([], "relay-plain")
    try:
        st, page = http_get(port, "/?room=x&test=1&report=leak")
        tap.ok(st == 200 and "sealcall web client" in page,
               "plain serve: / is the web client (%s)" % st)
        hdrs = {}
        http_get(port, "/", hdrs)
        csp = [d.strip() for d in
               hdrs.get("content-security-policy", "").split(";")]
        tap.ok("connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
               and "default-src 'self'" in csp,
               "plain serve: the page may connect only to its own origin and "
               "may not be framed (Content-Security-Policy)", csp)
        scripts = re.findall(r"<script[^>]*>", page)
        tap.ok(scripts == ['<script src="app.js">'],
               "plain serve: the page loads app.js and nothing else",
               scripts)
        st, js = http_get(port, "/app.js")
        tap.ok(st == 200 and js.count("new WebSocket(") == 1 and
               "wsBase + encodeURIComponent(room)" in js,
               "plain serve: app.js opens one WebSocket, to its own room",
               "status %s, %d WebSocket()" % (st, js.count("new WebSocket(")))
        code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)   # no comments
        found = [w for w in ("report", "cmd", "runCommand", "'test'")
                 if w in code]
        tap.ok(st == 200 and not found,
               "plain serve: app.js has no reporting or command code",
               found)
        for path in ("/test.html", "/test-hooks.js",
                     "/test.html?room=x&report=leak"):
            st, _ = http_get(port, path)
            tap.ok(st == 404, "plain serve: %s is 404 (%s)" % (path, st))
    finally:
        relay.kill()
    relay, port = start_serve(["--test-hooks"], "relay-hooks")
    try:
        st, page = http_get(port, "/test.html")
        tap.ok(st == 200 and '<script src="test-hooks.js"></script>'
               '<script src="app.js"></script>' in page and
               "TEST PAGE" in page,
               "--test-hooks: /test.html loads the driver, then app.js (%s)"
               % st)
        st, hooks = http_get(port, "/test-hooks.js")
        tap.ok(st == 200 and "runCommand" in hooks,
               "--test-hooks: /test-hooks.js is served (%s)" % st)
        st, page = http_get(port, "/")
        tap.ok(st == 200 and "test-hooks" not in page,
               "--test-hooks: / is still the plain page")
        err = ""
        deadline = time.monotonic() + 10
        while "WARNING" not in err and time.monotonic() < deadline:
            relay.wait_for(lambda e: False, 0.2)
            err = relay.stderr_tail()
        tap.ok("WARNING" in err and "tests only" in err,
               "--test-hooks: a warning on stderr", err)
    finally:
        relay.kill()
    r = subprocess.run([sctest.SEALCALL, "serve", "--help"],
                       capture_output=True, timeout=20)
    out = r.stdout.decode()
    tap.ok(r.returncode == 0 and re.search(r"--test-hooks\s+TESTS ONLY", out),
           "serve --help lists --test-hooks as tests only", out)


# A data-only offer as a relay participant would send it: enough for the
# page to answer (no ICE pair has to form for this test).
OFFER = "\r\n".join([
    "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0", "a=msid-semantic: WMS",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:Xk3q", "a=ice-pwd:0123456789abcdefghijklmn",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 " + ":".join(["%02X" % ((i * 37 + 11) & 0xFF)
                                         for i in range(32)]),
    "a=setup:actpass", "a=mid:0", "a=sctp-port:5000",
    "a=max-message-size:262144", ""])


def check_browser(tap, kind):
    ver, why = interop.browser_version(kind)
    if ver is None:
        tap.ok(True, "%s: crafted link # SKIP %s" % (kind, why))
        return
    tap.diag(ver)
    tag = "%s-%d" % (kind, os.getpid())
    own_room, leak_room = "own-" + tag, "leak-" + tag
    relay, port = start_serve([], "relay-" + kind)
    base = "ws://127.0.0.1:%d/room/" % port
    own = leak = browser = None
    try:
        peers = {}
        for name, room in (("own", own_room), ("leak", leak_room)):
            p = sctest.Proc([interop.PYTHON3, os.path.join(HERE,
                                                            "reportpeer.py"),
                             base + room], "%s-%s" % (name, kind))
            peers[name] = p
            if name == "own":
                own = p
            else:
                leak = p
            if p.wait_for(lambda e: e.get("type") == "room", 20) is None:
                raise RuntimeError("%s watcher did not join: %s %s" % (
                    name, p.events, p.stderr_tail()))
        leak_start = len(leak.events)
        url = ("http://127.0.0.1:%d/?room=%s&role=answer&test=1&report=%s"
               "&audio=0&video=0" % (port, own_room, leak_room))
        browser = interop.Browser(kind, url)
        joined = own.wait_for(lambda e: e.get("type") == "peer-joined", 60)
        tap.ok(joined is not None,
               "%s: the page opened from the crafted link joins its own room"
               % kind, "browser %s:\n%s" % (
                   "running" if browser.alive() else "exited",
                   browser.log_tail()))
        if joined is None:
            return
        # the page is up and in its room: LEAK must get nothing, commands
        # sent there must not reach the page, and the offer must wait for
        # the user
        mark = len(own.events)
        own.send({"type": "offer", "sdp": OFFER})
        leak.send({"cmd": "send", "label": "chat", "text": "leak-test"})
        leak.send({"cmd": "hangup"})
        got = leak.wait_for(lambda e: True, QUIET_S, leak_start)
        tap.ok(got is None,
               "%s: nothing reaches the report room named by the link "
               "(watched %.0f s after the page joined its room)"
               % (kind, QUIET_S), leak.events[leak_start:][:10])
        bye = own.wait_for(lambda e: e.get("type") == "bye", 0.5, mark)
        tap.ok(bye is None,
               "%s: commands sent to the report room are not run (no bye "
               "from the page)" % kind, bye)
        answer = own.wait_for(lambda e: e.get("type") == "answer", 0, mark)
        tap.ok(answer is None,
               "%s: the page does not answer an offer before the user "
               "presses Join (watched %.0f s)" % (kind, QUIET_S),
               [e.get("type") for e in own.events[mark:]])
    finally:
        for p in (own, leak, relay):
            if p is not None:
                p.kill()
        if browser is not None:
            browser.close()


def main():
    tap = sctest.Tap()
    try:
        check_http(tap)
    except RuntimeError as e:
        tap.ok(False, "the relays start", str(e))
    if os.environ.get("SC_SKIP_BROWSERS"):
        tap.ok(True, "crafted link in browsers # SKIP SC_SKIP_BROWSERS is set")
        tap.done()
    for kind in ("chromium", "firefox"):
        try:
            check_browser(tap, kind)
        except RuntimeError as e:
            tap.ok(False, "%s: crafted-link session starts" % kind, str(e))
    tap.done()


if __name__ == "__main__":
    main()
