#!/usr/bin/env python3
"""The identity part of `./quickstart demo` (issue 14 point 12), and the
login it relies on (the user's IdP session in
$XDG_DATA_HOME/sealcall/idp-cookies.txt, tests/lib/realidp.py):

- `demo.py --identity-only`: the reference IdP `sealcall idp` started with
  a throwaway CA, alice and bob logged in, a call where both assert and
  verify (both identities verified, shown by the inspector), and the same
  call through a relay that edits the identity inside the answer's
  assertion, refused (identity-rejected, idp-token-invalid); "demo OK";
  its temporary directories are gone;
- without a session the same IdP asks for a login (its login URL), so the
  session is what makes it sign; with one it signs, and the session
  cookie is never in the log (-v, SC_DEBUG=all);
- a call fetches an IdP's proxy once: validating a peer who uses our own
  IdP runs the script fetched to assert (the per-call cache).
(The cookie file's own rules, its mode, which requests get which cookie,
are test-idp-sandbox.py's and test-call-identity-realidp.py's.)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", ".")
HERE = os.path.join(TOP_SRCDIR, "tests", "lib")
sys.path.insert(0, HERE)
import sctest  # noqa: E402
import realidp  # noqa: E402
import idpserver  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"],
                  stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
PY = os.environ.get("PYTHON3", sys.executable)
SANDBOX = realidp.sandbox_env()   # this build's sandbox helper

# ---- the demo's identity part ----
r = subprocess.run([PY, os.path.join(HERE, "demo.py"), "--identity-only",
                    sctest.SEALCALL], capture_output=True, timeout=300)
out = r.stdout.decode("utf-8", "replace")
tap.diag(out)
tap.ok(r.returncode == 0 and out.rstrip().endswith("demo OK"),
       "demo --identity-only ends demo OK", r.stderr.decode()[-2000:])
tap.ok(re.search(r'caller +\{"event": "identity", "side": "remote", '
                 r'"status": "verified", "verified_by": "idp", '
                 r'"identity": "bob@localhost"', out)
       and re.search(r'answerer \{"event": "identity", "side": "remote", '
                     r'"status": "verified", "verified_by": "idp", '
                     r'"identity": "alice@localhost"',
                     out),
       "it shows both sides' verified identities")
tap.ok(re.search(r'caller +peer \{"identity": "bob@localhost", "idp": '
                 r'"localhost:\d+", "verified_by": "idp", "authoritative": '
                 r'true, "pseudonym": false\}', out) and
       re.search(r'answerer peer \{"identity": "alice@localhost"', out),
       "it shows both inspectors' verified peers")
tap.ok(re.search(r'caller ended +\{"event": "ended", "reason": '
                 r'"identity-rejected"', out) and
       '"error": "idp-token-invalid"' in out and
       "no channel, message or media reached either side" in out,
       "it shows the tampered call refused, with the reason")
dirs = re.search(r"\(scripts/make-test-ca.sh; in (\S+) and (\S+), deleted",
                 out)
tap.ok(dirs is not None and not any(os.path.exists(d) for d in dirs.groups()),
       "it removed its temporary directories (the CA, keys, sessions)",
       dirs and dirs.groups())

# ---- the session, in the cookie file, against the reference IdP ----
tmp = tempfile.mkdtemp(prefix="sc-realidp-demo-")
idp = relay = None
try:
    ca = realidp.TestCa(tmp, "localhost")
    idp = realidp.RealIdp(ca, ["alice"])
    relay, port = sctest.start_relay()
    url = "ws://127.0.0.1:%d/room/" % port

    def call(room, extra, env):
        return sctest.Proc([sctest.SEALCALL, "call", "--signal", url + room,
                            "--json", "--ice-address", "127.0.0.1",
                            "--no-audio", "--no-video", "--ca", ca.ca,
                            "--idp", idp.name, "--identity-hint", "alice"] +
                           extra, room, env=dict(SANDBOX, **env))

    p = call("nosession", [], {"XDG_DATA_HOME": idp.data_home()})
    try:
        li = p.wait_for(lambda e: e.get("event") == "identity", 40)
        tap.ok(li is not None and li.get("error") == "idp-need-login" and
               li.get("login_url") == "https://%s/login" % idp.name,
               "without a session the IdP asks for a login", li)
    finally:
        p.kill()

    secret = idp.login("alice")
    home = idp.data_home(token=secret)
    p = call("session", ["-v"], {"XDG_DATA_HOME": home, "SC_DEBUG": "all"})
    try:
        ok = p.wait_event("signaling", state="connected", timeout=40)
        tap.ok(ok is not None and not [e for e in p.events
                                       if e.get("event") == "identity"],
               "with the session in idp-cookies.txt it signs: signaling "
               "goes on", p.stderr_tail())
        with open(p.stderr_path, "rb") as f:
            log = f.read()
    finally:
        p.kill()
    r2 = subprocess.run([sctest.SEALCALL, "call", "--signal", url + "x",
                         "--idp", idp.name, "-v", "--json", "--no-audio",
                         "--no-video", "--ice-address", "127.0.0.1",
                         "--ca", ca.ca],
                        env=dict(os.environ, SC_DEBUG="all",
                                 XDG_DATA_HOME=home, **SANDBOX),
                        stdin=subprocess.DEVNULL, capture_output=True,
                        timeout=60)
    # (the first run signed, so the session was loaded and sent)
    tap.ok(ok is not None and secret.encode() not in
           log + r2.stdout + r2.stderr and b"identity" in log and
           len(r2.stderr) > 0,
           "the session is never in the log (-v, SC_DEBUG=all)")

    # ---- each side fetches the proxy once per call ----
    # (generating our assertion; validating the peer's, from the same IdP,
    # runs that script again: the per-call cache)
    ctmp = tempfile.mkdtemp(prefix="sc-realidp-cache-")
    cca, cert, key = idpserver.make_ca(ctmp, "cc")
    plain = idpserver.IdpServer(cert, key, {"default": (
        "rtcIdentityProvider.register({"
        " generateAssertion(contents, origin, o) { return Promise.resolve({"
        " idp: { domain: location.host, protocol: 'default' }, assertion:"
        " JSON.stringify({ id: o.usernameHint + '@localhost', contents }) });"
        " },"
        " validateAssertion(a) { const v = JSON.parse(a); return"
        " Promise.resolve({ identity: v.id, contents: v.contents }); } });")})
    dom = "localhost:%d" % plain.port
    c = sctest.Call(room="cache", relay=relay, port=port, offer_extra=[
        "--ca", cca, "--idp", dom, "--identity-hint", "alice",
        "--peer-identity", "bob@localhost"], answer_extra=[
        "--ca", cca, "--idp", dom, "--identity-hint", "bob",
        "--peer-identity", "alice@localhost"], offer_env=SANDBOX,
        answer_env=SANDBOX)
    off, ans = c.both()
    try:
        ok = c.wait_open()
        ids = [p.wait_event("identity", timeout=5) for p in (off, ans)]
        tap.ok(ok and [i and i.get("status") for i in ids] ==
               ["verified", "verified"], "a call where both sides use the "
               "same IdP verifies both ways", (ids, c.diag()))
        tap.ok(plain.hit("/.well-known/idp-proxy/default") == 2,
               "the proxy was fetched twice (once per side): validation ran "
               "the script this call fetched to assert",
               plain.hit("/.well-known/idp-proxy/default"))
    finally:
        c.close()
        plain.close()
        shutil.rmtree(ctmp, ignore_errors=True)
finally:
    if relay is not None:
        relay.kill()
    if idp is not None:
        idp.close()
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
