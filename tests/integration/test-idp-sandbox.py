#!/usr/bin/env python3
"""The IdP proxy sandbox (issue 14 points 1 and 2), against a local HTTPS
server with a test CA made now (tests/lib/idpserver.py), driven through
identity/'s asynchronous API by tests/lib/idp-drive:

- a W3C proxy (rtcIdentityProvider.register) that signs through fetch()
  to its own origin: generate, then validate the result (identity,
  contents, authoritative); a tampered assertion is idp-token-invalid;
- a proxy written to the seed message protocol (READY / SIGN / VERIFY /
  SUCCESS over postMessage): the same round trip; ERROR and LOGINNEEDED;
- the sandbox's globals: what a Firefox IdP sandbox offers is there
  (fetch, XMLHttpRequest, timers, atob/btoa, TextEncoder/TextDecoder,
  location), nothing else (require, process, Deno, Bun, document, files,
  import());
- hostile proxies, each with its W3C error: syntax error and a throw at
  load (idp-bad-script-failure), no register() (the same), a throwing
  generateAssertion (idp-execution-failure), a promise that never
  settles and an endless loop (idp-timeout, the child process gone), a
  memory hog (stopped by the memory limit: idp-execution-failure before
  the deadline), fetch() and XHR to another origin (refused: the server
  never sees them), redirect to http, 404 (idp-load-failure), a
  certificate from an unknown CA (idp-tls-failure), a login request
  (idp-need-login with its loginUrl), an oversized assertion (refused),
  an assertion for another IdP (refused);
- a redirect to https is followed, and the sandbox's origin is then the
  final URL's;
- the user's IdP cookies (a cookies.txt): sent when generating where they
  match (domain, path), never when validating; a file others may read is
  refused before any request (idp-load-failure).
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import idpserver  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"], stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
build = os.environ.get("TOP_BUILDDIR", ".")
DRIVE = os.path.join(build, "tests", "lib", "idp-drive")
HELPER = os.path.join(build, "src", "identity", "sealcall-idp-sandbox")
tmp = tempfile.mkdtemp(prefix="sealcall-idp-")
ca, cert, key = idpserver.make_ca(tmp, "good")
_, bad_cert, bad_key = idpserver.make_ca(tmp, "unknown")

GOOD = r"""
rtcIdentityProvider.register({
  generateAssertion(contents, origin, options) {
    const user = (options && options.usernameHint) || 'alice';
    return fetch('/api/sign', { method: 'POST', body: JSON.stringify({ contents }) })
      .then((r) => r.json())
      .then((j) => ({ idp: { domain: location.host, protocol: 'good' },
                      assertion: JSON.stringify({ identity: user + '@localhost',
                                                  contents, origin, sig: j.sig }) }));
  },
  validateAssertion(assertion, origin) {
    const a = JSON.parse(assertion);
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('GET', '/api/verify?sig=' + encodeURIComponent(a.sig) +
                    '&c=' + encodeURIComponent(a.contents));
      x.onload = () => {
        if (JSON.parse(x.responseText).ok) resolve({ identity: a.identity, contents: a.contents });
        else reject(new Error('bad signature'));
      };
      x.onerror = () => reject(new Error('network'));
      x.send();
    });
  }
});
"""

SEED = r"""
window.addEventListener('message', function (ev) {
  if (ev.origin !== 'rtcweb://peerconnection') return;
  var m = ev.data;
  if (m.type === 'SIGN') {
    setTimeout(function () {
      window.parent.postMessage({ type: 'SUCCESS', id: m.id, message: {
        idp: { domain: location.host, protocol: 'seed' },
        assertion: JSON.stringify({ identity: (m.username || 'bob') + '@localhost',
                                    contents: m.message, origin: m.origin }) } }, '*');
    }, 10);
  } else if (m.type === 'VERIFY') {
    var a = JSON.parse(m.message);
    if (a.contents.indexOf('tampered') >= 0)
      window.parent.postMessage({ type: 'ERROR', id: m.id, error: 'Signature verification failed' }, '*');
    else
      window.parent.postMessage({ type: 'SUCCESS', id: m.id,
                                  message: { identity: a.identity, contents: a.contents } }, '*');
  }
});
window.parent.postMessage({ type: 'READY' }, '*');
"""

SEED_LOGIN = r"""
window.onmessage = function (ev) {
  window.parent.postMessage({ type: 'LOGINNEEDED', id: ev.data.id, error: 'who are you?',
                              loginUrl: location.origin + '/login?ctx=42' }, '*');
};
setTimeout(function () { window.parent.postMessage({ type: 'READY' }, '*'); }, 5);
"""

PROBE = r"""
const names = ['require', 'process', 'Deno', 'Bun', 'document', 'importScripts',
  'readFile', 'read', 'load', 'print', 'quit', 'callOnMainThread', 'WebAssembly',
  'fetch', 'XMLHttpRequest', 'setTimeout', 'clearTimeout', 'setInterval',
  'clearInterval', 'atob', 'btoa', 'TextEncoder', 'TextDecoder', 'location',
  'rtcIdentityProvider', 'postMessage', 'addEventListener'];
const out = {};
for (const n of names) out[n] = typeof globalThis[n];
out.href = location.href;
out.origin = location.origin;
out.b64 = btoa('hi') + ' ' + atob('aGk=');
out.utf8 = Array.from(new TextEncoder().encode('é€😀')).join(',');
out.text = new TextDecoder().decode(new TextEncoder().encode('é€😀'));
rtcIdentityProvider.register({
  generateAssertion(contents) {
    const tries = [
      import('file:///etc/passwd').then(() => 'imported', (e) => 'import refused'),
      fetch('file:///etc/passwd').then(() => 'fetched', (e) => 'file fetch refused'),
      new Promise((res) => setTimeout(() => res('timer ran'), 1)),
      new Promise((res) => { let n = 0; const t = setInterval(() => { if (++n === 3) { clearInterval(t); res('interval x3'); } }, 1); }),
    ];
    return Promise.all(tries).then((r) => {
      out.tries = r;
      return { idp: { domain: location.host, protocol: 'probe' }, assertion: JSON.stringify(out) };
    });
  },
  validateAssertion() { return Promise.reject(new Error('no')); }
});
"""

def w3c(gen, val="return Promise.reject(new Error('no'));", top=""):
    return top + ("\nrtcIdentityProvider.register({ generateAssertion(contents, origin, options) {"
                  + gen + "}, validateAssertion(assertion, origin) {" + val + "} });\n")

ok_result = "return { idp: { domain: location.host, protocol: PROTO }, assertion: A };"

SCRIPTS = {
    "good": GOOD,
    "seed": SEED,
    "seed-login": SEED_LOGIN,
    "probe": PROBE,
    "syntax": "rtcIdentityProvider.register({ generateAssertion( {",
    "load-throws": "throw new Error('boom at load');",
    "no-register": "var x = 1;",
    "gen-throws": w3c("throw new Error('kaboom');"),
    "never": w3c("return new Promise(() => {});"),
    "loop": w3c("while (true) {}"),
    "loop-at-load": "for (;;) {}",
    # grows until the memory limit stops it; without a limit it stops at
    # about 4 GiB and spins, so it could only end by the deadline
    "hog": w3c("const keep = []; for (let i = 0; i < 512; i++) keep.push(new Array(1 << 20).fill(i + 0.5)); while (true) {}"),
    "other-origin": w3c(
        "return fetch('https://127.0.0.1:PORT/api/echo').then(() => 'reached', (e) => 'refused: ' + e.message)"
        ".then((s) => ({ idp: { domain: location.host, protocol: 'other-origin' }, assertion: s }));"),
    "other-origin-xhr": w3c(
        "return new Promise((res) => { const x = new XMLHttpRequest(); x.open('POST', 'https://127.0.0.1:PORT/api/echo');"
        " x.onload = () => res('reached'); x.onerror = () => res('refused'); x.send('x'); })"
        ".then((s) => ({ idp: { domain: location.host, protocol: 'other-origin-xhr' }, assertion: s }));"),
    "own-origin": w3c(
        "return fetch('https://localhost:PORT/api/echo', { method: 'PUT', body: 'hello' }).then((r) => r.json())"
        ".then((j) => ({ idp: { domain: location.host, protocol: 'own-origin' }, assertion: j.method + ' ' + j.body }));"),
    "to-http": ("redirect", "http://localhost:HTTPPORT/.well-known/idp-proxy/good"),
    "to-https": ("redirect", "https://localhost:PORT/.well-known/idp-proxy/redirected"),
    "redirected": w3c("return { idp: { domain: 'localhost:PORT', protocol: 'to-https' }, assertion: location.pathname };"),
    "login": w3c("return Promise.reject({ name: 'IdpLoginError', loginUrl: location.origin + '/login?u=1' });"),
    "login-w3c": w3c("return Promise.reject({ errorDetail: 'idp-need-login', loginUrl: 'https://localhost:PORT/login' });"),
    "expired": w3c("return Promise.reject(new Error('no'));",
                   "return Promise.reject({ errorDetail: 'idp-token-expired', message: 'too old' });"),
    "huge": w3c("return { idp: { domain: location.host, protocol: 'huge' }, assertion: 'A'.repeat(100000) };"),
    "enormous": w3c("return { idp: { domain: location.host, protocol: 'enormous' }, assertion: 'A'.repeat(8 << 20) };"),
    "big-script": "// " + "x" * (1 << 20) + "\n" + GOOD,
    "other-idp": w3c("return { idp: { domain: 'evil.example', protocol: 'other-idp' }, assertion: 'x' };"),
    "cookies": w3c(
        "return fetch('/api/echo', { method: 'POST', body: 'gen' })"
        ".then(() => ({ idp: { domain: location.host, protocol: 'cookies' }, assertion: 'x' }));",
        "return fetch('/api/echo', { method: 'POST', body: 'val' })"
        ".then(() => ({ identity: 'alice@localhost', contents: '{}' }));"),
}

plain = idpserver.IdpServer(None, None, {"good": GOOD}, tls=False)
SCRIPTS["to-http"] = ("redirect", SCRIPTS["to-http"][1].replace("HTTPPORT", str(plain.port)))
srv = idpserver.IdpServer(cert, key, SCRIPTS)
bad = idpserver.IdpServer(bad_cert, bad_key, {"good": GOOD})
DOM = "localhost:%d" % srv.port
ORIGIN = "https://calling-site.example"
CONTENTS = json.dumps({"fingerprint": [{"algorithm": "sha-256", "digest": "AB:CD"}]})
env = dict(os.environ)
env["SEALCALL_IDP_SANDBOX"] = HELPER


def drive(*args, timeout=15000, memory=None, ca_file=ca, cancel=False,
          cookies=None):
    cmd = [DRIVE, "--timeout", str(timeout)]
    if cancel:
        cmd += ["--cancel-at-spawn", "1"]
    if cookies:
        cmd += ["--cookies", cookies]
    if ca_file:
        cmd += ["--ca", ca_file]
    if memory:
        cmd += ["--memory", str(memory)]
    cmd += list(args)
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout / 1000 + 60)
    except subprocess.TimeoutExpired:
        return {"ok": None, "error": "the driver never finished", "rc": None}
    try:
        r = json.loads(p.stdout.decode())
    except ValueError:
        r = {"ok": None, "stdout": p.stdout.decode(), "stderr": p.stderr.decode()[-2000:]}
    r["rc"] = p.returncode
    return r


def gen(proto, **kw):
    return drive("generate", kw.pop("domain", DOM), proto, kw.pop("contents", CONTENTS),
                 ORIGIN, *kw.pop("hint", []), **kw)


def gone(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def expect_error(r, name, what):
    tap.ok(r.get("ok") is False and r.get("error") == name, what + " -> " + name, r)
    tap.ok(r.get("pid") in (0, None) or gone(r["pid"]),
           what + ": the sandbox process is gone", r)


try:
    # ---- W3C round trip, fetch/XHR to its own origin ----
    r = gen("good", hint=["carol"])
    tap.ok(r.get("ok") is True and r.get("domain") == DOM and r.get("protocol") == "good",
           "W3C proxy: generateAssertion gives an a=identity for this IdP", r)
    a = json.loads(r.get("assertion", "{}") or "{}")
    tap.ok(a.get("identity") == "carol@localhost" and a.get("contents") == CONTENTS
           and a.get("origin") == ORIGIN,
           "the IdP got the contents, the origin and the username hint", a)
    attr = r.get("attr", "")
    decoded = json.loads(base64.b64decode(attr)) if attr else {}
    tap.ok(decoded.get("idp") == {"domain": DOM, "protocol": "good"} and
           isinstance(decoded.get("assertion"), str),
           "a=identity is base64 of {idp:{domain,protocol},assertion}", decoded)
    v = drive("validate", attr, ORIGIN)
    tap.ok(v.get("ok") is True and v.get("identity") == "carol@localhost" and
           v.get("contents") == CONTENTS and v.get("authoritative") is True,
           "W3C proxy: validateAssertion gives identity and contents back (authoritative)", v)
    tap.ok(srv.hit("/api/sign") >= 1 and srv.hit("/api/verify") >= 1,
           "fetch() and XMLHttpRequest reached the IdP's own origin")
    t = dict(decoded)
    inner = json.loads(t["assertion"]) if "assertion" in t else {}
    inner["contents"] = inner.get("contents", "") + "x"
    t["assertion"] = json.dumps(inner)
    tampered = base64.b64encode(json.dumps(t).encode()).decode()
    v = drive("validate", tampered, ORIGIN)
    expect_error(v, "idp-token-invalid", "a tampered assertion")
    v = drive("validate", "not base64!", ORIGIN)
    expect_error(v, "idp-token-invalid", "an a=identity that is not base64")

    # ---- seed message protocol ----
    r = gen("seed", hint=["dave"])
    sa = json.loads(r.get("assertion", "{}") or "{}")
    tap.ok(r.get("ok") is True and r.get("protocol") == "seed" and
           sa.get("identity") == "dave@localhost" and sa.get("contents") == CONTENTS and
           sa.get("origin") == ORIGIN,
           "seed protocol: READY, SIGN -> SUCCESS gives an assertion", r)
    v = drive("validate", r.get("attr", ""), ORIGIN)
    tap.ok(v.get("ok") is True and v.get("identity") == "dave@localhost" and
           v.get("contents") == CONTENTS,
           "seed protocol: VERIFY -> SUCCESS gives identity and contents", v)
    st = json.loads(base64.b64decode(r.get("attr", "")) or b"{}")
    si = json.loads(st.get("assertion", "{}"))
    si["contents"] = "tampered"
    st["assertion"] = json.dumps(si)
    v = drive("validate", base64.b64encode(json.dumps(st).encode()).decode(), ORIGIN)
    expect_error(v, "idp-token-invalid", "seed protocol: VERIFY -> ERROR")
    r = gen("seed-login")
    expect_error(r, "idp-need-login", "seed protocol: LOGINNEEDED")
    tap.ok(r.get("loginUrl") == "https://%s/login?ctx=42" % DOM,
           "LOGINNEEDED carries its loginUrl", r)

    # ---- what the sandbox offers, and what it does not ----
    r = gen("probe")
    p = json.loads(r.get("assertion", "{}") or "{}")
    tap.ok(r.get("ok") is True, "probe proxy ran", r)
    offered = ["fetch", "XMLHttpRequest", "setTimeout", "clearTimeout", "setInterval",
               "clearInterval", "atob", "btoa", "TextEncoder", "TextDecoder",
               "rtcIdentityProvider", "postMessage", "addEventListener"]
    tap.ok(all(p.get(n) == "function" or (n == "rtcIdentityProvider" and p.get(n) == "object")
               for n in offered) and p.get("location") == "object",
           "offered: fetch, XHR, timers, atob/btoa, TextEncoder/Decoder, location, register",
           p)
    absent = ["require", "process", "Deno", "Bun", "document", "importScripts",
              "readFile", "read", "load", "print", "quit", "callOnMainThread", "WebAssembly"]
    tap.ok(all(p.get(n) == "undefined" for n in absent),
           "absent: require, process, Deno, Bun, document, file readers, WebAssembly", p)
    tap.ok(p.get("tries") == ["import refused", "file fetch refused", "timer ran", "interval x3"],
           "import() and fetch of a file are refused; timers run", p.get("tries"))
    tap.ok(p.get("href") == "https://%s/.well-known/idp-proxy/probe" % DOM and
           p.get("origin") == "https://" + DOM and p.get("b64") == "aGk= hi" and
           p.get("utf8") == "195,169,226,130,172,240,159,152,128" and p.get("text") == "é€😀",
           "location is the proxy URL; atob/btoa and UTF-8 TextEncoder/Decoder work", p)

    # ---- hostile scripts ----
    expect_error(gen("syntax"), "idp-bad-script-failure", "a syntax error")
    expect_error(gen("load-throws"), "idp-bad-script-failure", "a throw while loading")
    expect_error(gen("no-register"), "idp-bad-script-failure", "no register() call")
    expect_error(gen("gen-throws"), "idp-execution-failure", "generateAssertion throws")
    r = gen("never", timeout=2000)
    expect_error(r, "idp-timeout", "a promise that never settles")
    tap.ok(r.get("seccomp") == 2, "the sandbox ran under a seccomp filter", r)
    r = gen("loop", timeout=2000)
    expect_error(r, "idp-timeout", "while(true){} in generateAssertion")
    tap.ok(isinstance(r.get("pid"), int) and r["pid"] > 0 and gone(r["pid"]),
           "the looping sandbox was started and is really gone", r)
    r = gen("loop", timeout=60000, cancel=True)
    tap.ok(r.get("error") == "g-io-error-quark" and "cancel" in r.get("message", "") and
           isinstance(r.get("pid"), int) and r["pid"] > 0 and gone(r["pid"]),
           "cancelling a run stops it at once: cancelled, the looping child gone", r)
    r = gen("loop-at-load", timeout=2000)
    expect_error(r, "idp-timeout", "an endless loop while loading")
    r = gen("hog", timeout=120000, memory=256 << 20)
    expect_error(r, "idp-execution-failure", "a memory hog (256 MiB limit, 120 s deadline)")
    tap.diag("memory hog: " + str(r.get("message")))
    before = srv.hit("/api/echo")
    r = gen("other-origin")
    tap.ok(r.get("ok") is True and r.get("assertion", "").startswith("refused"),
           "fetch() to another origin is refused", r)
    r = gen("other-origin-xhr")
    tap.ok(r.get("ok") is True and r.get("assertion") == "refused",
           "XMLHttpRequest to another origin is refused", r)
    tap.ok(srv.hit("/api/echo") == before,
           "the other origin never saw a request", srv.hits)
    r = gen("own-origin")
    tap.ok(r.get("ok") is True and r.get("assertion") == "PUT hello",
           "fetch() to its own origin works (method and body)", r)
    expect_error(gen("to-http"), "idp-load-failure", "a redirect to http")
    tap.ok(plain.hit("/.well-known/idp-proxy/good") == 0,
           "the http URL was never requested", plain.hits)
    r = gen("to-https")
    tap.ok(r.get("ok") is True and r.get("protocol") == "to-https" and
           r.get("assertion") == "/.well-known/idp-proxy/redirected",
           "a redirect to https is followed; location is the final URL", r)
    expect_error(gen("nope"), "idp-load-failure", "404")
    expect_error(gen("big-script"), "idp-load-failure", "a proxy script over 1 MiB")
    expect_error(gen("good", domain="localhost:%d" % bad.port), "idp-tls-failure",
                 "a certificate from an unknown CA")
    expect_error(gen("good", ca_file=None), "idp-tls-failure",
                 "our test CA without --ca")
    tap.ok(bad.hit("/.well-known/idp-proxy/good") == 0,
           "nothing was requested over the untrusted connection", bad.hits)
    r = gen("login")
    expect_error(r, "idp-need-login", "IdpLoginError")
    tap.ok(r.get("loginUrl") == "https://%s/login?u=1" % DOM, "with its loginUrl", r)
    r = gen("login-w3c")
    tap.ok(r.get("error") == "idp-need-login" and
           r.get("loginUrl") == "https://localhost:%d/login" % srv.port,
           "errorDetail idp-need-login with loginUrl", r)
    v = drive("validate", base64.b64encode(json.dumps(
        {"idp": {"domain": DOM, "protocol": "expired"}, "assertion": "x"}).encode()).decode(),
        ORIGIN)
    expect_error(v, "idp-token-expired", "validateAssertion says idp-token-expired")
    expect_error(gen("huge"), "idp-execution-failure", "a 100 kB assertion is refused")
    expect_error(gen("enormous"), "idp-execution-failure", "an 8 MiB assertion is refused")
    expect_error(gen("other-idp"), "idp-execution-failure",
                 "an assertion naming another IdP is refused")
    expect_error(gen("a/b"), "idp-load-failure", "a protocol with '/'")
    expect_error(gen("..", domain=DOM), "idp-load-failure", "protocol '..'")
    expect_error(gen("good", domain="user@" + DOM), "idp-load-failure",
                 "a domain with userinfo")

    # the user's IdP sessions (a cookies.txt): sent when generating, only
    # where they match; never when validating; refused when others may
    # read the file
    jar = os.path.join(tmp, "idp-cookies.txt")
    fd = os.open(jar, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("#HttpOnly_localhost\tFALSE\t/\tTRUE\t%d\tsess\tmine\n"
                "example.org\tFALSE\t/\tTRUE\t%d\tother\tnot-for-you\n"
                "localhost\tFALSE\t/elsewhere\tTRUE\t%d\tpath\tno\n" %
                ((int(time.time()) + 3600,) * 3))
    srv.cookies.clear()
    r = gen("cookies", cookies=jar)
    seen = [c for path, c in srv.cookies]
    tap.ok(r.get("ok") and len(seen) == 2 and seen == ["sess=mine"] * 2,
           "generate: the script's load and its fetch carry the matching "
           "IdP session cookie, and only it", (r, srv.cookies))
    srv.cookies.clear()
    v = drive("validate", r.get("attr", ""), ORIGIN, cookies=jar)
    tap.ok(v.get("ok") and len(srv.cookies) == 2 and
           all(c is None for _, c in srv.cookies),
           "validate: no cookie is sent, even with a cookie file",
           (v, srv.cookies))
    os.chmod(jar, 0o644)
    srv.cookies.clear()
    expect_error(gen("cookies", cookies=jar), "idp-load-failure",
                 "a cookie file others may read")
    tap.ok(srv.cookies == [], "... and nothing was requested",
           srv.cookies)
    srv.cookies.clear()
    r = gen("cookies", cookies=os.path.join(tmp, "no-such-file"))
    tap.ok(r.get("ok") and [c for _, c in srv.cookies] == [None, None],
           "no cookie file: no cookie", (r, srv.cookies))
finally:
    srv.close()
    bad.close()
    plain.close()
tap.done()
