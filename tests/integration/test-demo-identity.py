#!/usr/bin/env python3
"""The identity part of `./quickstart demo` (issue 14 point 12), and the
login it relies on (`--idp-session`):

- `demo.py --identity-only`: the reference IdP `sealcall idp` started with
  a throwaway CA, alice and bob logged in, a call where both assert and
  verify (both identities verified, shown by the inspector), and the same
  call through a relay that edits the identity inside the answer's
  assertion, refused (identity-rejected, idp-token-invalid); "demo OK";
  its temporary directories are gone;
- without --idp-session the same IdP asks for a login (its login URL),
  so the session is what makes it sign;
- --idp-session refuses a file readable by others (exit 2) and a value
  that is not a cookie, without printing the value; the value is never
  in the log (-v, SC_DEBUG=all);
- the session cookie goes only to the IdP's own origin: a proxy script
  that redirects to another origin (another port) gets none there, nor do
  that origin's own requests;
- a call fetches an IdP's proxy once: validating a peer who uses our own
  IdP runs the script fetched to assert (the per-call cache).
"""
import glob
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
import refidp  # noqa: E402
import idpserver  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"],
                  stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
PY = os.environ.get("PYTHON3", sys.executable)
before = set(glob.glob("/tmp/sealcall-refidp-*"))

# ---- the demo's identity part ----
r = subprocess.run([PY, os.path.join(HERE, "demo.py"), "--identity-only",
                    sctest.SEALCALL], capture_output=True, timeout=300)
out = r.stdout.decode("utf-8", "replace")
tap.diag(out)
tap.ok(r.returncode == 0 and out.rstrip().endswith("demo OK"),
       "demo --identity-only ends demo OK", r.stderr.decode()[-2000:])
tap.ok(re.search(r'caller +\{"event": "identity", "side": "remote", '
                 r'"status": "verified", "identity": "bob@localhost"', out)
       and re.search(r'answerer \{"event": "identity", "side": "remote", '
                     r'"status": "verified", "identity": "alice@localhost"',
                     out),
       "it shows both sides' verified identities")
tap.ok(re.search(r'caller +peer \{"identity": "bob@localhost", "idp": '
                 r'"localhost:\d+", "verified_by": "idp", "authoritative": '
                 r'true\}', out) and
       re.search(r'answerer peer \{"identity": "alice@localhost"', out),
       "it shows both inspectors' verified peers")
tap.ok(re.search(r'caller ended +\{"event": "ended", "reason": '
                 r'"identity-rejected"', out) and
       '"error": "idp-token-invalid"' in out and
       "no channel, message or media reached either side" in out,
       "it shows the tampered call refused, with the reason")
tap.ok(set(glob.glob("/tmp/sealcall-refidp-*")) == before,
       "it removed its temporary directory (the CA and keys)")

# ---- --idp-session, against the reference IdP ----
idp = refidp.RefIdp(sctest.SEALCALL, TOP_SRCDIR, users=("alice",))
relay, port = sctest.start_relay()
try:
    url = "ws://127.0.0.1:%d/room/" % port

    def call(room, extra, env=None):
        p = sctest.Proc([sctest.SEALCALL, "call", "--signal", url + room,
                         "--json", "--ice-address", "127.0.0.1",
                         "--no-audio", "--no-video", "--ca", idp.ca,
                         "--idp", idp.domain, "--identity-hint", "alice"] +
                        extra, room, env=dict(idp.env, **(env or {})))
        return p

    p = call("nosession", [])
    try:
        li = p.wait_for(lambda e: e.get("event") == "identity", 40)
        tap.ok(li is not None and li.get("error") == "idp-need-login" and
               li.get("login_url") == "https://%s/login" % idp.domain,
               "without --idp-session the IdP asks for a login", li)
    finally:
        p.kill()

    session = idp.session_file("alice")
    with open(session) as f:
        secret = f.read().strip().split("=", 1)[1]
    p = call("session", ["--idp-session", session, "-v"],
             {"SC_DEBUG": "all"})
    try:
        ok = p.wait_event("signaling", state="connected", timeout=40)
        tap.ok(ok is not None and not [e for e in p.events
                                       if e.get("event") == "identity"],
               "with --idp-session it signs: signaling goes on",
               p.stderr_tail())
        with open(p.stderr_path, "rb") as f:
            log = f.read()
    finally:
        p.kill()
    r2 = subprocess.run([sctest.SEALCALL, "call", "--signal", url + "x",
                         "--idp", idp.domain, "--idp-session", session, "-v",
                         "--json", "--no-audio", "--no-video",
                         "--ice-address", "127.0.0.1", "--ca", idp.ca],
                        env=dict(os.environ, SC_DEBUG="all", **idp.env),
                        stdin=subprocess.DEVNULL, capture_output=True,
                        timeout=60)
    tap.ok(secret.encode() not in log + r2.stdout + r2.stderr and
           b"identity" in log and len(r2.stderr) > 0,
           "the session is never in the log (-v, SC_DEBUG=all)")

    os.chmod(session, 0o644)
    r = subprocess.run([sctest.SEALCALL, "call", "--signal", url + "y",
                        "--idp", idp.domain, "--idp-session", session],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    tap.ok(r.returncode == 2 and b"chmod 600" in r.stderr and
           secret.encode() not in r.stdout + r.stderr,
           "a session file readable by others is refused (exit 2)",
           r.stderr.decode())
    os.chmod(session, 0o600)
    bad = os.path.join(idp.tmp, "bad")
    for what, value in (("two cookies", "a=b; c=d" + secret),
                        ("no name", "=" + secret),
                        ("a space", "a=b " + secret)):
        fd = os.open(bad, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, value.encode() + b"\n")
        os.close(fd)
        r = subprocess.run([sctest.SEALCALL, "call", "--signal", url + "z",
                            "--idp", idp.domain, "--idp-session", bad],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30)
        tap.ok(r.returncode == 2 and b"--idp-session" in r.stderr and
               secret.encode() not in r.stderr,
               "a session that is not one cookie is refused: %s" % what,
               r.stderr.decode())
    r = subprocess.run([sctest.SEALCALL, "call", "--signal", url + "z",
                        "--idp-session", session],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    tap.ok(r.returncode == 2 and b"--idp-session needs --idp" in r.stderr,
           "--idp-session without --idp: exit 2", r.stderr.decode())

    # ---- only the IdP's own origin gets it ----
    tmp = tempfile.mkdtemp(prefix="sealcall-refidp-x-")
    ca, cert, key = idpserver.make_ca(tmp, "xo")
    other = idpserver.IdpServer(cert, key, {
        "default": "rtcIdentityProvider.register({ generateAssertion() {"
                   " return fetch('/api/echo', {method: 'POST', body: 'x',"
                   " credentials: 'include'}).then(() => ({ idp: { domain:"
                   " location.host, protocol: 'default' }, assertion: 'x' }));"
                   " }, validateAssertion() { return Promise.reject("
                   "new Error('no')); } });"})
    first = idpserver.IdpServer(cert, key, {
        "hop": ("redirect", "https://localhost:%d/.well-known/idp-proxy/"
                            "default" % other.port)})
    p = sctest.Proc([sctest.SEALCALL, "call", "--signal", url + "hop",
                     "--json", "--ice-address", "127.0.0.1", "--no-audio",
                     "--no-video", "--ca", ca, "--idp",
                     "localhost:%d" % first.port, "--idp-protocol", "hop",
                     "--idp-session", session], "hop", env=idp.env)
    try:
        # its assertion names the other IdP, so the call ends there
        p.wait_event("ended", timeout=40)
        tap.ok(other.hit("/api/echo") == 1,
               "a proxy redirected to another origin ran (and fetched from "
               "its own origin)", (p.events, other.hits, p.stderr_tail()))
        tap.ok([c for _, c in first.cookies] == ["__Host-sc_idp_session=" +
                                                 secret],
               "the IdP's own origin got the session (once, on the proxy "
               "request)", first.cookies)
        tap.ok(other.cookies == [],
               "the other origin got no cookie, neither on the redirected "
               "proxy request nor on the script's fetch", other.cookies)
    finally:
        p.kill()
        first.close()
        other.close()
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- each side fetches the proxy once per call ----
    # (generating our assertion; validating the peer's, from the same IdP,
    # runs that script again: the per-call cache)
    tmp = tempfile.mkdtemp(prefix="sealcall-refidp-x-")
    ca, cert, key = idpserver.make_ca(tmp, "cc")
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
        "--ca", ca, "--idp", dom, "--identity-hint", "alice",
        "--peer-identity", "bob@localhost"], answer_extra=[
        "--ca", ca, "--idp", dom, "--identity-hint", "bob",
        "--peer-identity", "alice@localhost"], offer_env=idp.env,
        answer_env=idp.env)
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
        shutil.rmtree(tmp, ignore_errors=True)
finally:
    relay.kill()
    idp.close()
tap.done()
