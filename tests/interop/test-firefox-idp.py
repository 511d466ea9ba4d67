#!/usr/bin/env python3
"""Firefox ESR's own IdP code (PeerConnectionIdp, IdpSandbox) against
`sealcall idp` (issue 14 point 6): headless Firefox loads a test page
that (1) sets `sealcall idp` as its identity provider and asks for an
assertion while nobody is logged in: Firefox runs our W3C proxy in its
sandbox and must report IdpLoginError with our loginUrl; (2) puts
a=identity lines with assertions that `sealcall idp` signed for alice (a
name, a pseudonym, one whose identity was edited, one for another
fingerprint) into offers made by a second RTCPeerConnection, and reads
`pc.peerIdentity`: Firefox validates through our proxy's
validateAssertion and must resolve to alice@idp.test and the pseudonym,
and reject the two others; (3) once the browser is logged in (the
session cookie set through WebDriver BiDi, as the login page would),
Firefox's own offer must carry an a=identity that validates as alice for
the page's origin and the offer's fingerprint. Firefox resolves idp.test to 127.0.0.1
(network.dns.localDomains) and trusts the throwaway test CA (certutil
into its profile). No media and no ICE: no network namespace needed."""
import base64
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import interop  # noqa: E402
from interop import sctest  # noqa: E402

import http.client  # noqa: E402
import ssl  # noqa: E402

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", ".")
DOMAIN = "idp.test"
PASSWORD = "alice's test password"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>sealcall idp test</title></head>
<body><script src="/idp-test.js"></script></body></html>
"""

PAGE_JS = r"""
'use strict';
const IDP = new URLSearchParams(location.search).get('idp');
const out = {};

async function withTimeout(p, ms) {
  let t;
  const timer = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error('page timeout')), ms);
  });
  try { return await Promise.race([p, timer]); } finally { clearTimeout(t); }
}

async function offerWithIdentity(mode) {
  const pc1 = new RTCPeerConnection();
  pc1.createDataChannel('x');
  const offer = await pc1.createOffer();
  const m = offer.sdp.match(/^a=fingerprint:(\S+) (\S+)/m);
  const r = await fetch('/assertion?mode=' + mode + '&alg=' +
                        encodeURIComponent(m[1]) + '&digest=' +
                        encodeURIComponent(m[2]));
  const a = await r.json();
  const line = 'a=identity:' + btoa(JSON.stringify(a)) + '\r\n';
  const i = offer.sdp.search(/^m=/m);
  const sdp = offer.sdp.slice(0, i) + line + offer.sdp.slice(i);
  const pc2 = new RTCPeerConnection();
  const res = {};
  try {
    await pc2.setRemoteDescription({ type: 'offer', sdp: sdp });
    const id = await withTimeout(pc2.peerIdentity, 60000);
    res.ok = true; res.idp = id.idp; res.name = id.name;
  } catch (e) {
    res.ok = false; res.error = e.name + ': ' + e.message;
  }
  pc1.close(); pc2.close();
  return res;
}

async function run() {
  const pc = new RTCPeerConnection();
  pc.setIdentityProvider(IDP, { protocol: 'default', usernameHint: 'alice' });
  try {
    await withTimeout(pc.getIdentityAssertion(), 60000);
    out.gen = { ok: true };
  } catch (e) {
    out.gen = { ok: false, name: e.name, message: e.message,
                loginUrl: pc.idpLoginUrl };
  }
  pc.close();
  for (const mode of ['name', 'pseudonym', 'edited', 'otherfp']) {
    out[mode] = await offerWithIdentity(mode);
  }
}

/* then, once the test has logged the browser in (the session cookie set
 * through WebDriver BiDi, as if the user had used the login page), an
 * offer of our own must carry a=identity */
async function ownOffer() {
  const res = {};
  try {
    await fetch('/go');
    const pc = new RTCPeerConnection();
    pc.setIdentityProvider(IDP, { protocol: 'default', usernameHint: 'alice' });
    pc.createDataChannel('x');
    const offer = await withTimeout(pc.createOffer(), 60000);
    res.ok = true; res.sdp = offer.sdp;
    pc.close();
  } catch (e) {
    res.ok = false; res.error = e.name + ': ' + e.message;
  }
  return res;
}

run().catch(e => { out.fatal = String(e && e.stack || e); }).then(() =>
  fetch('/report', { method: 'POST', body: JSON.stringify(out) }))
  .then(ownOffer).then(res =>
  fetch('/report', { method: 'POST', body: JSON.stringify(res) }));
"""


def set_cookie_bidi(browser, token):
    """Sets the IdP's session cookie in Firefox through WebDriver BiDi
    (storage.setCookie, bidi.py); None, or what went wrong."""
    r = subprocess.run([interop.PYTHON3, os.path.join(HERE, "bidi.py"),
                        browser.log_path, "--cookie",
                        "__Host-sc_idp_session=" + token, "--domain",
                        DOMAIN], capture_output=True, timeout=120)
    if r.returncode != 0:
        return (r.stdout + r.stderr).decode(errors="replace")[-1000:]
    return None


def main():
    tap = sctest.Tap()
    tap.diag(interop.require_browser(tap, "firefox", tools=(
        ("certutil", "libnss3-tools"),)))
    tmp = tempfile.mkdtemp(prefix="sc-ffidp-")
    idp = browser = httpd = None
    try:
        subprocess.run(["sh", os.path.join(TOP_SRCDIR, "scripts",
                                           "make-test-ca.sh"), tmp, DOMAIN,
                        "127.0.0.1"], check=True, capture_output=True,
                       timeout=60)
        users = os.path.join(tmp, "users")
        subprocess.run([sctest.SEALCALL, "idp", "adduser", "--users", users,
                        "alice"], input=(PASSWORD + "\n").encode(),
                       check=True, capture_output=True, timeout=60)
        idp = sctest.Proc([sctest.SEALCALL, "idp", "--port", "0", "--domain",
                           DOMAIN, "--cert", os.path.join(tmp, "server.pem"),
                           "--key", os.path.join(tmp, "server.key"),
                           "--users", users, "--signing-key",
                           os.path.join(tmp, "signing.key")], "idp")
        ev = idp.wait_event("listening", timeout=30)
        if not tap.ok(ev is not None, "sealcall idp listens",
                      idp.stderr_tail()):
            return tap.done()
        port = ev["port"]
        ctx = ssl.create_default_context(cafile=os.path.join(tmp, "ca.pem"))

        def idp_request(method, path, body=b"", headers=None):
            c = http.client.HTTPSConnection("127.0.0.1", port, timeout=20,
                                            context=ctx)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            out = (r.status, r.getheaders(), r.read())
            c.close()
            return out

        # alice logs in (as a browser would, through the form)
        _, hd, page = idp_request("GET", "/login")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
        _, hd, _ = idp_request(
            "POST", "/login",
            b"csrf=" + csrf + b"&user=alice&password=" +
            urllib.parse.quote_plus(PASSWORD).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": "__Host-sc_idp_csrf=" + csrf.decode()})
        session = [v.split(";")[0] for k, v in hd if k == "Set-Cookie" and
                   v.startswith("__Host-sc_idp_session=")]
        tap.ok(len(session) == 1, "alice logged in (for the page's "
               "assertions)")

        reports = []
        got = threading.Event()
        go = threading.Event()
        state = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, code, ctype, body):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                u = urllib.parse.urlparse(self.path)
                q = urllib.parse.parse_qs(u.query)
                if u.path == "/idp.html":
                    return self.send(200, "text/html", PAGE.encode())
                if u.path == "/idp-test.js":
                    return self.send(200, "application/javascript",
                                     PAGE_JS.encode())
                if u.path == "/go":
                    go.wait(120)
                    return self.send(200, "text/plain", b"go\n")
                if u.path == "/assertion":
                    mode = q["mode"][0]
                    digest = q["digest"][0]
                    if mode == "otherfp":
                        digest = ":".join(["AB"] * 32)
                    # the contents exactly as Firefox makes them
                    contents = json.dumps({"fingerprint": [
                        {"algorithm": q["alg"][0], "digest": digest}]},
                        separators=(",", ":"))
                    body = {"contents": contents, "origin": state["origin"]}
                    if mode == "pseudonym":
                        body["usernameHint"] = "pseudonym"
                    st, _, data = idp_request(
                        "POST", "/assert", json.dumps(body).encode(),
                        {"Content-Type": "application/json",
                         "Cookie": session[0]})
                    j = json.loads(data)
                    state.setdefault("identities", {})[mode] = j.get("identity")
                    token = j.get("assertion", "")
                    if mode == "edited":
                        h, p, s = token.split(".")
                        pl = json.loads(base64.urlsafe_b64decode(
                            p + "=" * (-len(p) % 4)))
                        pl["identity"] = "mallory@" + DOMAIN
                        p = base64.urlsafe_b64encode(json.dumps(
                            pl).encode()).rstrip(b"=").decode()
                        token = h + "." + p + "." + s
                    res = {"idp": {"domain": "%s:%d" % (DOMAIN, port),
                                   "protocol": "default"},
                           "assertion": token}
                    return self.send(200, "application/json",
                                     json.dumps(res).encode())
                self.send(404, "text/plain", b"no\n")

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(min(n, 1 << 20))
                if self.path == "/report":
                    reports.append(json.loads(data))
                    got.set()
                self.send(200, "text/plain", b"ok\n")

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        web = "http://127.0.0.1:%d" % httpd.server_address[1]
        state["origin"] = web
        browser = interop.Browser(
            "firefox", web + "/idp.html?idp=%s:%d" % (DOMAIN, port),
            extra_prefs={"network.dns.localDomains": DOMAIN,
                         "media.peerconnection.identity.timeout": 60000},
            ca_file=os.path.join(tmp, "ca.pem"),
            extra_args=["--remote-debugging-port", "0"])
        got.wait(180)
        if not tap.ok(reports, "the page reports", browser.log_tail()):
            return tap.done()
        r = reports[0]
        tap.diag(json.dumps(r))
        tap.ok("fatal" not in r, "the page ran to the end", r.get("fatal"))
        gen = r.get("gen", {})
        tap.ok(gen.get("ok") is False and gen.get("name") == "IdpLoginError"
               and gen.get("loginUrl") == "https://%s:%d/login" % (DOMAIN,
                                                                   port),
               "not logged in: Firefox runs our proxy and reports "
               "IdpLoginError with our loginUrl (pc.idpLoginUrl)", gen)
        name = r.get("name", {})
        tap.ok(name.get("ok") and name.get("name") == "alice@" + DOMAIN and
               name.get("idp") == "%s:%d" % (DOMAIN, port),
               "Firefox validates our assertion: peerIdentity is "
               "alice@idp.test", name)
        ps = r.get("pseudonym", {})
        tap.ok(ps.get("ok") and ps.get("name") ==
               state.get("identities", {}).get("pseudonym") and
               ps.get("name", "").startswith("p-"),
               "Firefox validates a pseudonym assertion: peerIdentity is "
               "the pseudonym", ps)
        tap.ok(r.get("edited", {}).get("ok") is False,
               "an assertion whose identity was edited: peerIdentity "
               "rejects", r.get("edited"))
        tap.ok(r.get("otherfp", {}).get("ok") is False,
               "an assertion for another fingerprint: peerIdentity rejects",
               r.get("otherfp"))

        # log the browser in: the session cookie, set through BiDi
        got.clear()
        err = set_cookie_bidi(browser, session[0].split("=", 1)[1])
        go.set()
        tap.ok(err is None, "the session cookie is set in Firefox (BiDi)",
               err)
        got.wait(180)
        if not tap.ok(len(reports) == 2, "the page reports its own offer",
                      browser.log_tail()):
            return tap.done()
        own = reports[1]
        sdp = own.get("sdp", "")
        session_part = sdp.split("\r\nm=")[0]
        m = re.search(r"^a=identity:(\S+)", session_part, re.M)
        tap.ok(own.get("ok") and m is not None,
               "logged in, Firefox's offer carries a=identity at session "
               "level", own.get("error") or sdp[:400])
        if m is not None:
            a = json.loads(base64.b64decode(m.group(1)))
            st, _, data = idp_request(
                "POST", "/validate",
                json.dumps({"assertion": a["assertion"]}).encode(),
                {"Content-Type": "application/json"})
            v = json.loads(data)
            fp = re.search(r"^a=fingerprint:(\S+) (\S+)", sdp, re.M)
            tap.ok(st == 200 and a["idp"] == {"domain": "%s:%d" % (DOMAIN, port),
                                              "protocol": "default"} and
                   v["identity"] == "alice@" + DOMAIN and
                   v["origin"] == web and
                   json.loads(v["contents"]) == {"fingerprint": [
                       {"algorithm": fp.group(1), "digest": fp.group(2)}]},
                   "it validates as alice@idp.test, for the page's origin "
                   "and the offer's fingerprint", (a, v))
    finally:
        if browser is not None:
            browser.close()
        if httpd is not None:
            httpd.shutdown()
        if idp is not None:
            if idp.p.poll() is None:
                os.kill(idp.p.pid, signal.SIGTERM)
                idp.wait_exit(20)
            idp.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


main()
