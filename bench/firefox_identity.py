# bench/firefox_identity.py - Firefox with Firefox in the identity table of
# `make bench` (bench/identity_bench.py): call setup with a verified
# identity on both sides vs without, in the network namespace of the
# browser pairs (interop.Netns; root).
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# In the namespace: the relay (`sealcall serve --test-hooks`, which serves
# the web client's test page), the reference IdP `sealcall idp`
# (tests/lib/realidp.py, a throwaway CA; alice and bob logged in at its
# form). Each call: two fresh headless Firefox ESR instances (fresh
# profiles that trust the test CA through certutil; the IdP is idp.test,
# resolved by network.dns.localDomains), each started on about:blank; through WebDriver
# BiDi (this file run as `--bidi` inside the namespace) the IdP's session
# cookie is set in the browser (identity calls only) and the page is
# opened: /test.html?...&idp=idp.test:PORT&idp_hint=alice&peer_identity=
# bob@idp.test, whose test driver (web/test-hooks.js) makes every
# RTCPeerConnection call setIdentityProvider() and pass peerIdentity.
# Setup = the offerer page's local offer (made once its assertion is
# there) to the first chat channel open, both stamped by the pages
# (performance.timeOrigin + now(); one machine, one clock).
import asyncio
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "interop"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))

ADDR = "10.77.0.1"
# Firefox blocks an IdP at https://localhost from the page (content
# blocked), so the IdP is named idp.test, which Firefox resolves to
# 127.0.0.1 (network.dns.localDomains), as tests/interop/test-firefox-idp.py
IDP_HOST = "idp.test"


def bidi_main(log_path, domain, cookie, url):
    """Inside the namespace: the browser's BiDi endpoint (from its log),
    the session cookie (unless "-"), then the page."""
    import websockets
    deadline = time.monotonic() + 60
    ws_url = None
    while ws_url is None:
        with open(log_path, "rb") as f:
            m = re.search(rb"WebDriver BiDi listening on (ws://\S+)", f.read())
        if m:
            ws_url = m.group(1).decode().rstrip("/") + "/session"
        elif time.monotonic() > deadline:
            print(json.dumps({"error": "no BiDi address in the log"}))
            return 1
        else:
            time.sleep(0.1)  # a file another process writes: read it again

    async def talk():
        async with websockets.connect(ws_url, max_size=1 << 22) as ws:
            n = [0]

            async def call(method, params):
                n[0] += 1
                await ws.send(json.dumps({"id": n[0], "method": method,
                                          "params": params}))
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if msg.get("id") == n[0]:
                        if msg.get("type") == "error":
                            raise RuntimeError("%s: %s" % (method, msg))
                        return msg.get("result", {})
            await call("session.new", {"capabilities": {}})
            if cookie != "-":
                name, value = cookie.split("=", 1)
                await call("storage.setCookie", {"cookie": {
                    "name": name, "value": {"type": "string", "value": value},
                    "domain": domain, "path": "/", "httpOnly": True,
                    "secure": True, "sameSite": "lax"}})
            tree = await call("browsingContext.getTree", {})
            ctx = tree["contexts"][0]["context"]
            await call("browsingContext.navigate", {"context": ctx, "url": url,
                                                    "wait": "none"})
    try:
        asyncio.run(talk())
    except Exception as e:  # noqa: BLE001 - reported to the driver
        print(json.dumps({"error": repr(e)}))
        return 1
    print(json.dumps({"ok": True}))
    return 0


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--bidi":
    sys.exit(bidi_main(sys.argv[2], sys.argv[3],
                       sys.stdin.readline().strip() or "-", sys.argv[4]))

import subprocess  # noqa: E402
import interop  # noqa: E402
os.environ.setdefault("TOP_SRCDIR", TOP)   # realidp's make-test-ca.sh
import realidp  # noqa: E402
import sctest  # noqa: E402
from browser_bench import TProc, pump, CallFailed  # noqa: E402


class Side:
    def __init__(self, ctx, role, room, tag):
        self.ctx, self.role, self.room, self.tag = ctx, role, room, tag
        self.rep = self.browser = None

    def start(self):
        c = self.ctx
        rep = "rep-" + self.tag
        self.rep_room = rep
        self.rep = TProc(c.prefix + [interop.PYTHON3, os.path.join(
            TOP, "tests", "interop", "reportpeer.py"), c.base + rep],
            "ffid-rep-" + self.tag)
        if self.wait(lambda e: e.get("event") == "report-connected",
                     20) is None:
            raise CallFailed("report peer did not connect")
        self.browser = interop.Browser(
            "firefox", "about:blank", c.prefix,
            extra_prefs={"media.peerconnection.identity.timeout": 30000,
                         "network.dns.localDomains": IDP_HOST},
            ca_file=c.idp.ca.ca, extra_args=["--remote-debugging-port", "0"])

    def open_page(self, ident, me, peer):
        c = self.ctx
        url = ("http://127.0.0.1:%d/test.html?room=%s&role=%s&ice=%s"
               "&report=%s&audio=0&video=0" % (c.port, self.room, self.role,
                                               ADDR, self.rep_room))
        if ident:
            url += "&idp=%s&idp_hint=%s&peer_identity=%s@%s" % (
                c.idp.name, me, peer, c.idp.domain)
        r = subprocess.run(c.prefix + ["/usr/bin/python3",
                                       os.path.abspath(__file__), "--bidi",
                                       self.browser.log_path, c.idp.domain,
                                       url],
                           input=(c.sessions[me] if ident else "-").encode()
                           + b"\n", capture_output=True, timeout=90)
        if r.returncode != 0:
            raise CallFailed("BiDi: %s %s" % (r.stdout.decode()[-300:],
                                              r.stderr.decode()[-300:]))

    def wait(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.rep.events:
                if pred(e):
                    return e
            left = deadline - time.monotonic()
            if left <= 0 or self.rep.eof:
                return None
            pump(self.ctx.procs(), min(left, 0.2))

    def close(self):
        if self.rep is not None:
            self.rep.kill()
        if self.browser is not None:
            self.browser.close()


class Context:
    def __init__(self, sealcall):
        self.sealcall = sealcall
        self.netns = self.relay = self.idp = None
        self.sides = []

    def open(self):
        ver, why = interop.browser_version("firefox")
        if ver is None:
            raise CallFailed(why)
        self.version = ver
        if os.geteuid() != 0:
            raise CallFailed("the browsers need a network namespace (root)")
        if subprocess.run(["sh", "-c", "command -v certutil"],
                          capture_output=True).returncode != 0:
            raise CallFailed("certutil (libnss3-tools) is missing")
        self.netns = interop.Netns("scffid%d" % os.getpid())
        self.netns.create()
        self.prefix = self.netns.prefix()
        self.relay = TProc(self.prefix + [self.sealcall, "serve", "--host",
                                          "127.0.0.1", "--port", "0",
                                          "--test-hooks"], "ffid-relay")
        ev = self.relay.wait_event("listening", timeout=20)
        if ev is None:
            raise CallFailed("relay did not start")
        self.port = ev["port"]
        self.base = "ws://127.0.0.1:%d/room/" % self.port
        sctest.SEALCALL = self.sealcall
        self.idp = realidp.LocalIdp(["alice", "bob"], host=IDP_HOST,
                                    prefix=self.prefix)
        self.sessions = {u: "%s=%s" % (realidp.COOKIE, self.idp.login(u))
                         for u in ("alice", "bob")}

    def procs(self):
        return [s.rep for s in self.sides if s.rep is not None]

    def close(self):
        for s in self.sides:
            s.close()
        if self.idp is not None:
            self.idp.close()
        if self.relay is not None:
            self.relay.kill()
        if self.netns is not None:
            self.netns.delete()


def one_call(ctx, i, ident, timeout):
    tag = "%d-%d-%d" % (os.getpid(), i, ident)
    room = "ffid-" + tag
    ans = Side(ctx, "answer", room, "a-" + tag)
    off = Side(ctx, "call", room, "o-" + tag)
    ctx.sides = [ans, off]
    try:
        ans.start()
        off.start()
        ans.open_page(ident, "bob", "alice")
        if ans.wait(lambda e: e.get("event") == "signaling" and
                    e.get("state") == "connected", 60) is None:
            raise CallFailed("the answerer's page did not join:\n" +
                             ans.browser.log_tail(6))
        off.open_page(ident, "alice", "bob")

        def is_open(e):
            return e.get("event") == "channel" and \
                e.get("state") == "open" and e.get("label") == "chat"
        a, b = off.wait(is_open, timeout), ans.wait(is_open, timeout)
        if a is None or b is None:
            raise CallFailed("chat channel not open (%s)" % [
                e for s in (off, ans) for e in s.rep.events
                if e.get("event") in ("peer-identity", "error", "connection")][-6:])
        sent = off.wait(lambda e: e.get("event") == "sdp" and
                        e.get("type") == "offer" and
                        e.get("direction") == "local", 1)
        if sent is None:
            raise CallFailed("the offerer reported no offer")
        if ident:
            ids = [s.wait(lambda e: e.get("event") == "peer-identity", 10)
                   for s in (off, ans)]
            want = ["bob@" + ctx.idp.domain, "alice@" + ctx.idp.domain]
            if [i and i.get("ok") and i.get("name") for i in ids] != want:
                raise CallFailed("peerIdentity: %s" % ids)
        return {"setup": (min(a["t_epoch_ms"], b["t_epoch_ms"]) -
                          sent["t_epoch_ms"]) / 1000.0}
    finally:
        for s in (off, ans):
            s.close()
        ctx.sides = []


def run(args, log, summary):
    name = "firefox-firefox"
    ctx = Context(args.sealcall)
    try:
        try:
            ctx.open()
        except (CallFailed, RuntimeError, OSError,
                subprocess.SubprocessError) as e:
            return [{"pair": name, "available": False, "reason": str(e)}]
        log("run_bench: identity rows with %s, %d calls each\n"
            % (ctx.version, args.browser_calls))
        res = {False: [], True: []}
        fails = {False: [], True: []}
        for i in range(args.browser_calls):
            for ident in (False, True):
                try:
                    r = one_call(ctx, i, ident, args.setup_timeout)
                    res[ident].append(r)
                    log("  %s %s call %d: setup %.1f ms\n" % (
                        name, "identity" if ident else "plain", i,
                        r["setup"] * 1000))
                except CallFailed as e:
                    fails[ident].append("call %d: %s" % (i, e))
                    log("  %s %s call %d FAILED: %s\n" % (
                        name, "identity" if ident else "plain", i, e))
        return [dict(summary(name, m, res[m], args.browser_calls, fails[m]),
                     available=bool(res[m]),
                     reason="; ".join(fails[m][:1]),
                     conditions="%s, network namespace, data only, pages "
                     "of sealcall serve --test-hooks; identity: sealcall "
                     "idp on https://%s" % (ctx.version, ctx.idp.name))
                for m in (False, True)]
    finally:
        ctx.close()
