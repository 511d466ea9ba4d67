#!/usr/bin/env python3
"""`sealcall idp`, the reference IdP (issue 14 point 6), over real HTTPS
with a throwaway test CA (scripts/make-test-ca.sh): key file modes, TLS
trust, the well-known paths, JWKS, the login flow (CSRF token, bad
password, cookie flags, rate limit), assertions checked independently
(ES256 with python3-cryptography: identity, contents, origin, expiry),
tampered assertions refused by /validate, pseudonyms, request bounds,
no secrets in the log, and both proxy scripts run under node the way
Firefox's IdP sandbox runs them."""
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import (  # noqa: E402
    decode_dss_signature, encode_dss_signature)

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", ".")
DOMAIN = "idp.test"
ALICE_PW = "correct horse battery staple"
BOB_PW = "bob's own password 42"

tap = sctest.Tap()
tmp = tempfile.mkdtemp(prefix="sc-idp-")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def run(args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, timeout=60)


def run_refused(args):
    """Runs a server that must refuse to start: (exit code or None when it
    was still running after 30 s and got killed, stderr)."""
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=30)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, err


# ---- the test CA, users, key modes ----
r = run(["sh", os.path.join(TOP_SRCDIR, "scripts", "make-test-ca.sh"), tmp,
         DOMAIN, "127.0.0.1"])
tap.ok(r.returncode == 0, "make-test-ca.sh makes a CA and a server certificate",
       r.stderr.decode())
modes = {f: os.stat(os.path.join(tmp, f)).st_mode & 0o777
         for f in ("ca.key", "server.key")}
tap.ok(all(m == 0o600 for m in modes.values()), "its key files are 0600", modes)
ca = os.path.join(tmp, "ca.pem")
cert = os.path.join(tmp, "server.pem")
key = os.path.join(tmp, "server.key")
users = os.path.join(tmp, "users")
signing = os.path.join(tmp, "signing.key")

for name, pw in (("alice", ALICE_PW), ("bob", BOB_PW)):
    r = run([sctest.SEALCALL, "idp", "adduser", "--users", users, name],
            stdin=(pw + "\n").encode())
    tap.ok(r.returncode == 0, "adduser %s" % name, r.stderr.decode())
with open(users) as f:
    users_text = f.read()
tap.ok(os.stat(users).st_mode & 0o777 == 0o600 and ALICE_PW not in users_text
       and re.match(r"^alice:scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$"
                    r"[A-Za-z0-9_-]{43}$", users_text.splitlines()[0]),
       "the users file is 0600 and holds scrypt hashes, not passwords",
       users_text)
r = run([sctest.SEALCALL, "idp", "adduser", "--users", users, "p-fake"],
        stdin=b"x\n")
tap.ok(r.returncode == 2, "adduser refuses a name that looks like a pseudonym")
r = run([sctest.SEALCALL, "idp", "adduser", "--users", users, "alice"],
        stdin=b"again\n")
tap.ok(r.returncode == 1, "adduser refuses a user already listed")


def idp_args(extra=()):
    return [sctest.SEALCALL, "idp", "--port", "0", "--domain", DOMAIN,
            "--cert", cert, "--key", key, "--users", users,
            "--signing-key", signing, "-v"] + list(extra)


# the command line
bad = {"no --domain": [a for a in idp_args() if a not in ("--domain", DOMAIN)],
       "--domain a..b": idp_args(["--domain", "a..b"]),
       "--domain with a slash": idp_args(["--domain", "idp.test/x"]),
       "--assertion-lifetime 0": idp_args(["--assertion-lifetime", "0"]),
       "--assertion-lifetime 3601": idp_args(["--assertion-lifetime", "3601"]),
       "--port 70000": idp_args(["--port", "70000"]),
       "--host not-an-ip": idp_args(["--host", "example.org"])}
for what, args in bad.items():
    rc, err = run_refused(args)
    tap.ok(rc == 2 and err.count(b"\n") == 1, "%s: one-line error, exit 2"
           % what, (rc, err.decode()))

# a private key that others may read is refused
os.chmod(key, 0o644)
rc, err = run_refused(idp_args())
tap.ok(rc == 1 and b"chmod 600" in err,
       "a TLS key readable by others is refused", (rc, err.decode()))
os.chmod(key, 0o600)
with open(signing, "wb") as f:
    f.write(b"")
os.chmod(signing, 0o640)
rc, err = run_refused(idp_args())
tap.ok(rc == 1 and b"chmod 600" in err,
       "a signing key readable by the group is refused", (rc, err.decode()))
os.unlink(signing)

idp = sctest.Proc(idp_args(), "idp")
ev = idp.wait_event("listening", timeout=30)
if not tap.ok(ev is not None, "sealcall idp listens", idp.stderr_tail()):
    idp.kill()
    tap.done()
port = ev["port"]
tap.ok(os.stat(signing).st_mode & 0o777 == 0o600,
       "the signing key it made is 0600")
with open(signing, "rb") as f:
    sign_key = serialization.load_pem_private_key(f.read(), None)
pub = sign_key.public_key()

ctx = ssl.create_default_context(cafile=ca)


def request(method, path, body=None, headers=None, context=None,
            source="127.0.0.1"):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20,
                                       context=context or ctx,
                                       source_address=(source, 0))
    h = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = body.encode()
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    out = (resp.status, resp.getheaders(), data)
    conn.close()
    return out


def header(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def post_json(path, obj, cookie=None, extra=None):
    h = {"Content-Type": "application/json"}
    if cookie:
        h["Cookie"] = cookie
    h.update(extra or {})
    st, hd, data = request("POST", path, json.dumps(obj), h)
    try:
        j = json.loads(data)
    except ValueError:
        j = None
    return st, hd, j


# ---- TLS ----
try:
    request("GET", "/.well-known/jwks.json", context=ssl.create_default_context())
    tap.ok(False, "without the test CA the certificate is refused")
except ssl.SSLCertVerificationError:
    tap.ok(True, "without the test CA the certificate is refused")
st, hd, data = request("GET", "/.well-known/jwks.json")
tap.ok(st == 200, "with the test CA, HTTPS works")

# ---- JWKS ----
jwks = json.loads(data)
jwk = jwks["keys"][0]
nums = pub.public_numbers()
thumb = b64u(hashlib.sha256(json.dumps(
    {"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]},
    separators=(",", ":"), sort_keys=True).encode()).digest())
tap.ok(header(hd, "Content-Type") == ["application/jwk-set+json"] and
       jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["alg"] == "ES256"
       and unb64u(jwk["x"]) == nums.x.to_bytes(32, "big")
       and unb64u(jwk["y"]) == nums.y.to_bytes(32, "big")
       and jwk["kid"] == thumb == ev["kid"] and "d" not in jwk,
       "the JWKS holds the signing key's public half, kid = RFC 7638 "
       "thumbprint", jwks)

# ---- the proxy scripts ----
for proto in ("default", "seed"):
    st, hd, data = request("GET", "/.well-known/idp-proxy/" + proto)
    tap.ok(st == 200 and header(hd, "Content-Type") ==
           ["application/javascript; charset=utf-8"] and
           header(hd, "X-Content-Type-Options") == ["nosniff"] and
           b"rtcIdentityProvider.register" in data and b"postMessage" in data,
           "/.well-known/idp-proxy/%s is served as JavaScript" % proto)
st, _, _ = request("GET", "/.well-known/idp-proxy/other")
st2, _, _ = request("GET", "/.well-known/idp-proxy/..%2F..%2Fetc%2Fpasswd")
tap.ok(st == 404 and st2 in (400, 404), "other protocols are not found",
       (st, st2))

# ---- login ----
FP = json.dumps({"fingerprint": [{"algorithm": "sha-256", "digest":
                 ":".join(["AB"] * 32)}]}, separators=(",", ":"))
ORIGIN = "https://calling-site.example"
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN})
tap.ok(st == 401 and j["error"] == "idp-need-login" and
       j["loginUrl"] == "https://%s:%d/login" % (DOMAIN, port),
       "not logged in: idp-need-login with loginUrl", j)


def login_form():
    st, hd, data = request("GET", "/login")
    m = re.search(rb'name="csrf" value="([A-Za-z0-9_=-]+)"', data)
    cookies = header(hd, "Set-Cookie")
    return st, hd, (m.group(1).decode() if m else None), cookies


st, hd, csrf, cookies = login_form()
csrf_cookie = [c for c in cookies if c.startswith("__Host-sc_idp_csrf=")]
tap.ok(st == 200 and csrf and csrf_cookie and
       "SameSite=Strict" in csrf_cookie[0] and "Secure" in csrf_cookie[0] and
       "HttpOnly" in csrf_cookie[0] and
       "form-action 'self'" in header(hd, "Content-Security-Policy")[0],
       "GET /login: a form with a CSRF token, the token also in a cookie",
       cookies)
CSRF_COOKIE = "__Host-sc_idp_csrf=" + csrf


def login(user, pw, token=csrf, cookie=CSRF_COOKIE, extra=None,
          source="127.0.0.1"):
    body = "csrf=%s&user=%s&password=%s" % (token, user, pw.replace(" ", "+").replace("'", "%27"))
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        h["Cookie"] = cookie
    h.update(extra or {})
    return request("POST", "/login", body, h, source=source)


st, _, _ = login("alice", ALICE_PW, cookie=None)
tap.ok(st == 403, "a login without the CSRF cookie is refused (403)")
st, _, _ = login("alice", ALICE_PW, token="A" * 32)
tap.ok(st == 403, "a login with another CSRF token is refused (403)")
st, _, _ = login("alice", ALICE_PW,
                 extra={"Origin": "https://attacker.example"})
tap.ok(st == 403, "a login posted from another origin is refused (403)")
st, hd, _ = login("alice", "wrong password")
tap.ok(st == 401 and not [c for c in header(hd, "Set-Cookie")
                          if c.startswith("__Host-sc_idp_session=")],
       "a wrong password is refused (401), no session")
st, hd, _ = login("alice", ALICE_PW)
sess = [c for c in header(hd, "Set-Cookie")
        if c.startswith("__Host-sc_idp_session=")]
flags = [x.strip() for x in sess[0].split(";")[1:]] if sess else []
tap.ok(st == 303 and header(hd, "Location") == ["/login/done"] and sess and
       "HttpOnly" in flags and "Secure" in flags and "SameSite=Lax" in flags
       and "Path=/" in flags and not any(f.startswith("Domain") for f in flags),
       "the right password: 303 to /login/done, session cookie HttpOnly, "
       "Secure, SameSite=Lax, __Host-", sess)
SESSION = sess[0].split(";")[0]
st, hd, data = request("GET", "/login/done", headers={"Cookie": SESSION})
st2, hd2, js = request("GET", "/login/done.js")
tap.ok(st == 200 and b"alice@idp.test" in data and
       b"WEBRTC-LOGINDONE" in js and st2 == 200,
       "/login/done names the user and posts WEBRTC-LOGINDONE")

# ---- assertions ----
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN},
                     cookie=SESSION, extra={"Origin": "https://evil.example"})
tap.ok(st == 403, "/assert from another origin (CSRF) is refused")
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN},
                     cookie=SESSION)
tap.ok(st == 200 and j["identity"] == "alice@idp.test" and
       j["pseudonym"] is False, "after login, /assert signs for alice", j)
token = j["assertion"]
h64, p64, s64 = token.split(".")
hdr = json.loads(unb64u(h64))
payload = json.loads(unb64u(p64))
sig = unb64u(s64)
try:
    pub.verify(encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                    int.from_bytes(sig[32:], "big")),
               (h64 + "." + p64).encode(), ec.ECDSA(hashes.SHA256()))
    sig_ok = True
except InvalidSignature:
    sig_ok = False
now = int(time.time())
tap.ok(sig_ok and len(sig) == 64 and hdr == {"alg": "ES256", "kid": thumb,
                                             "typ": "JWT"},
       "the ES256 signature verifies with the JWKS key (Python)", hdr)
tap.ok(payload["identity"] == "alice@idp.test" and payload["contents"] == FP
       and payload["origin"] == ORIGIN and
       payload["iss"] == "https://%s:%d" % (DOMAIN, port) and
       payload["exp"] - payload["iat"] == 300 and
       abs(payload["iat"] - now) < 30,
       "the payload binds identity, contents, origin, iat and exp (300 s)",
       payload)

st, _, v = post_json("/validate", {"assertion": token, "origin": ORIGIN})
tap.ok(st == 200 and v["identity"] == "alice@idp.test" and
       v["contents"] == FP and v["origin"] == ORIGIN and
       v["pseudonym"] is False, "/validate returns identity and contents", v)


def sign_raw(header_obj, payload_obj, key_obj=sign_key):
    hh = b64u(json.dumps(header_obj, separators=(",", ":")).encode())
    pp = b64u(json.dumps(payload_obj, separators=(",", ":")).encode())
    der = key_obj.sign((hh + "." + pp).encode(), ec.ECDSA(hashes.SHA256()))
    r_, s_ = decode_dss_signature(der)
    return hh + "." + pp + "." + b64u(r_.to_bytes(32, "big") +
                                      s_.to_bytes(32, "big"))


def refused(tok, detail="idp-token-invalid"):
    st, _, j = post_json("/validate", {"assertion": tok, "origin": ORIGIN})
    return st == 400 and j is not None and j["error"] == detail, j


# a control: a token made here with the IdP's key validates, so the
# refusals below are about what was changed
tap.ok(post_json("/validate", {"assertion": sign_raw(hdr, payload)})[0] == 200,
       "control: a token signed here with the IdP key validates")
edited = dict(payload, identity="mallory@idp.test")
ok, j = refused(h64 + "." + b64u(json.dumps(edited).encode()) + "." + s64)
tap.ok(ok, "identity edited, signature kept: idp-token-invalid", j)
edited = dict(payload, contents=FP.replace("AB", "CD"))
ok, j = refused(h64 + "." + b64u(json.dumps(edited).encode()) + "." + s64)
tap.ok(ok, "contents (fingerprint) edited: idp-token-invalid", j)
edited = dict(payload, origin="https://other.example")
ok, j = refused(h64 + "." + b64u(json.dumps(edited).encode()) + "." + s64)
tap.ok(ok, "origin edited: idp-token-invalid", j)
bad_sig = bytearray(sig)
bad_sig[10] ^= 1
ok, j = refused(h64 + "." + p64 + "." + b64u(bytes(bad_sig)))
tap.ok(ok, "signature changed: idp-token-invalid", j)
none_hdr = b64u(json.dumps({"alg": "none", "kid": thumb}).encode())
ok1, j = refused(none_hdr + "." + p64 + ".")
ok2, _ = refused(none_hdr + "." + p64 + "." + s64)
tap.ok(ok1 and ok2, "alg=none: idp-token-invalid", j)
other_key = ec.generate_private_key(ec.SECP256R1())
ok, j = refused(sign_raw(hdr, payload, other_key))
tap.ok(ok, "signed by another key under our kid: idp-token-invalid", j)
ok, j = refused(sign_raw(hdr, dict(payload, iat=now - 400, exp=now - 100)),
                "idp-token-expired")
tap.ok(ok, "expired: idp-token-expired", j)
ok, j = refused(sign_raw(hdr, dict(payload, iat=now, exp=now + 7200)))
tap.ok(ok, "a lifetime over the IdP's: idp-token-invalid", j)
ok, j = refused(sign_raw(hdr, dict(payload, identity="alice@other.example")))
tap.ok(ok, "an identity outside the IdP's domain: idp-token-invalid", j)
ok, j = refused(sign_raw(dict(hdr, jku="https://evil/jwks"), payload))
tap.ok(ok, "a header that names a key URL (jku): idp-token-invalid", j)
ok, j = refused("x" * 9000)
tap.ok(ok, "an oversize assertion: idp-token-invalid", j)

# ---- pseudonyms ----
ps = {}
for origin in ("https://site-one.example", "https://site-two.example"):
    st, _, j = post_json("/assert", {"contents": FP, "origin": origin,
                                     "usernameHint": "pseudonym"},
                         cookie=SESSION)
    ps[origin] = j
again = post_json("/assert", {"contents": FP, "origin": "https://site-one.example",
                              "usernameHint": "pseudonym"}, cookie=SESSION)[2]
one = ps["https://site-one.example"]
two = ps["https://site-two.example"]
tap.ok(one["pseudonym"] is True and
       re.match(r"^p-[a-z2-7]{26}@idp\.test$", one["identity"]) and
       "alice" not in one["identity"],
       "hint 'pseudonym': a p-...@idp.test identity, flagged", one)
tap.ok(again["identity"] == one["identity"] and
       two["identity"] != one["identity"],
       "the pseudonym is stable per origin and differs across origins",
       (one["identity"], again["identity"], two["identity"]))
st, _, v = post_json("/validate", {"assertion": one["assertion"]})
tap.ok(st == 200 and v["pseudonym"] is True and
       v["identity"] == one["identity"] and "alice" not in json.dumps(v),
       "the verifier learns it is a verified pseudonym, not whose", v)
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN,
                                 "usernameHint": "bob"}, cookie=SESSION)
tap.ok(st == 401 and j["error"] == "idp-need-login",
       "a hint naming another user asks for a login", j)
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN,
                                 "usernameHint": "alice@idp.test"},
                     cookie=SESSION)
tap.ok(st == 200 and j["identity"] == "alice@idp.test",
       "a hint naming the user logged in works")

# ---- bounds ----
st, _, j = post_json("/assert", {"contents": "x" * 4097, "origin": ORIGIN},
                     cookie=SESSION)
st2, _, _ = post_json("/assert", {"contents": FP, "origin": "https://a\x01b"},
                      cookie=SESSION)
st3, _, _ = post_json("/assert", {"contents": FP, "origin": "o" * 513},
                      cookie=SESSION)
st4, _, _ = post_json("/assert", {"contents": FP, "origin": ORIGIN,
                                  "usernameHint": 5}, cookie=SESSION)
tap.ok((st, st2, st3, st4) == (400, 400, 400, 400),
       "contents over 4096 bytes, an origin with a control character or "
       "over 512 bytes, a hint not a string: 400", (st, st2, st3, st4))
deep = b'{"contents":' + b"[" * 8000 + b"]" * 8000 + b"}"
st, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN},
                     cookie=SESSION)
st_deep, _, _ = request("POST", "/assert", deep,
                        {"Content-Type": "application/json",
                         "Cookie": SESSION})
nested = b64u(b'{"alg":"ES256","x":' + b"[" * 3000 + b"]" * 3000 + b"}")
ok_deep, _ = refused(nested + "." + p64 + "." + s64)
st2, _, _ = post_json("/assert", {"contents": FP, "origin": ORIGIN},
                      cookie=SESSION)
tap.ok(st == 200 and st_deep == 400 and ok_deep and st2 == 200 and
       idp.p.poll() is None,
       "JSON nested 8000 deep in a body, 3000 deep in a JWS header: "
       "refused before parsing; the server lives on", (st_deep, ok_deep))
st, _, _ = request("POST", "/assert", b"{" + b" " * 20000 + b"}",
                   {"Content-Type": "application/json", "Cookie": SESSION})
tap.ok(st == 413, "a body over 16 KiB: 413")
conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=ctx)
conn.putrequest("POST", "/assert")
conn.putheader("Content-Type", "application/json")
conn.putheader("Transfer-Encoding", "chunked")
conn.endheaders()
conn.send(b"2\r\n{}\r\n0\r\n\r\n")
st = conn.getresponse().status
conn.close()
tap.ok(st == 411, "a chunked body: 411 (Content-Length required)")
st, _, _ = request("POST", "/assert", json.dumps({"contents": FP, "origin": ORIGIN}),
                   {"Content-Type": "text/plain", "Cookie": SESSION})
tap.ok(st == 400, "/assert as text/plain (a CORS-simple request): 400")
st, _, _ = request("PUT", "/assert", b"{}", {"Content-Type": "application/json"})
tap.ok(st == 405, "another method: 405")

# ---- the proxies under node, as Firefox's sandbox runs them ----
node = shutil.which("node")
harness = os.path.join(TOP_SRCDIR, "tests", "integration",
                       "idp-proxy-harness.js")


def run_proxy(proto, cookie, ops):
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=ca)
    r = subprocess.run([node, harness, "https://127.0.0.1:%d/.well-known/"
                        "idp-proxy/%s" % (port, proto), cookie or "",
                        json.dumps(ops)], capture_output=True, env=env,
                       timeout=60)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"fatal": r.stdout.decode() + r.stderr.decode()}


if node is None:
    tap.diag("node not found: the proxy tests are skipped")
else:
    out = run_proxy("default", SESSION, [
        {"op": "generate", "contents": FP, "origin": ORIGIN,
         "options": {"protocol": "default"}},
        {"op": "generate", "contents": FP, "origin": ORIGIN,
         "options": {"usernameHint": "pseudonym"}}])
    res = out.get("results", [{}, {}])
    gen = res[0].get("value") or {}
    tap.ok(out.get("registered") and res[0].get("ok") and
           gen.get("idp") == {"domain": "127.0.0.1:%d" % port,
                              "protocol": "default"} and
           isinstance(gen.get("assertion"), str),
           "W3C proxy: generateAssertion gives {idp, assertion}", out)
    # what Firefox puts in a=identity, then validates on the other side
    a_identity = base64.b64encode(json.dumps(gen).encode()).decode()
    decoded = json.loads(base64.b64decode(a_identity))
    out2 = run_proxy("default", None, [
        {"op": "validate", "assertion": decoded["assertion"], "origin": ORIGIN},
        {"op": "validate", "assertion": res[1].get("value", {}).get("assertion", ""),
         "origin": ORIGIN},
        {"op": "validate", "assertion": decoded["assertion"][:-3] + "AAA",
         "origin": ORIGIN}])
    r2 = out2.get("results", [{}, {}, {}])
    val = r2[0].get("value") or {}
    tap.ok(r2[0].get("ok") and val.get("identity") == "alice@idp.test" and
           json.loads(val.get("contents"))["fingerprint"][0]["digest"] ==
           ":".join(["AB"] * 32),
           "W3C proxy: validateAssertion (no cookie) gives identity and "
           "the fingerprints", out2)
    tap.ok(r2[1].get("ok") and r2[1]["value"]["pseudonym"] is True and
           r2[1]["value"]["identity"].startswith("p-"),
           "W3C proxy: a pseudonym validates, flagged", r2[1])
    tap.ok(not r2[2].get("ok") and
           r2[2].get("error", {}).get("errorDetail") == "idp-token-invalid",
           "W3C proxy: a bad signature rejects with idp-token-invalid", r2[2])
    out3 = run_proxy("default", None, [
        {"op": "generate", "contents": FP, "origin": ORIGIN, "options": {}}])
    e = out3.get("results", [{}])[0].get("error") or {}
    tap.ok(e.get("name") == "IdpLoginError" and
           e.get("errorDetail") == "idp-need-login" and
           e.get("loginUrl") == "https://%s:%d/login" % (DOMAIN, port),
           "W3C proxy, not logged in: rejects IdpLoginError / idp-need-login "
           "with loginUrl", out3)

    out4 = run_proxy("seed", SESSION, [
        {"op": "message", "data": {"type": "SIGN", "id": "1", "origin": ORIGIN,
                                   "message": FP}},
        {"op": "message", "data": {"type": "SIGN", "id": "2", "origin": ORIGIN,
                                   "message": FP, "username": "pseudonym"}}])
    r4 = out4.get("results", [{}, {}])
    m1 = (r4[0].get("value") or {})
    m2 = (r4[1].get("value") or {})
    tap.ok(out4.get("ready") and m1.get("type") == "SUCCESS" and
           m1["message"]["idp"]["protocol"] == "seed" and
           m2.get("type") == "SUCCESS",
           "seed proxy: READY, then SIGN gives SUCCESS with idp and assertion",
           out4)
    out5 = run_proxy("seed", None, [
        {"op": "message", "data": {"type": "VERIFY", "id": 7, "origin": ORIGIN,
                                   "message": m1.get("message", {}).get("assertion", "")}},
        {"op": "message", "data": {"type": "VERIFY", "id": 8, "origin": ORIGIN,
                                   "message": token[:-3] + "AAA"}},
        {"op": "message", "data": {"type": "SIGN", "id": 9, "origin": ORIGIN,
                                   "message": FP}},
        {"op": "message", "data": {"type": "VERIFY", "id": 10, "origin": ORIGIN,
                                   "message": m2.get("message", {}).get("assertion", "")}}])
    r5 = [x.get("value") or {} for x in out5.get("results", [{}] * 4)]
    tap.ok(r5[0].get("type") == "SUCCESS" and r5[0].get("id") == 7 and
           r5[0]["message"]["identity"] == "alice@idp.test" and
           r5[0]["message"]["contents"] == FP,
           "seed proxy: VERIFY gives SUCCESS with identity and contents", r5[0])
    tap.ok(r5[1].get("type") == "ERROR" and "idp-token-invalid" in
           r5[1].get("error", ""), "seed proxy: a bad signature gives ERROR",
           r5[1])
    tap.ok(r5[2].get("type") == "LOGINNEEDED" and
           r5[2].get("loginUrl") == "https://%s:%d/login" % (DOMAIN, port),
           "seed proxy, not logged in: LOGINNEEDED with loginUrl", r5[2])
    tap.ok(r5[3].get("type") == "SUCCESS" and
           r5[3]["message"]["pseudonym"] is True,
           "seed proxy: a pseudonym verifies, flagged", r5[3])

# ---- a request that never completes is closed (10 s) ----
import socket  # noqa: E402
raw = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), 20),
                      server_hostname="127.0.0.1")
raw.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end
raw.settimeout(40)
t0 = time.monotonic()
try:
    closed = raw.recv(100) == b""
except (ssl.SSLError, ConnectionError):
    closed = True
except socket.timeout:
    closed = False
tap.ok(closed, "a request still unfinished after 10 s has its connection "
       "closed (%.1f s)" % (time.monotonic() - t0))
raw.close()

# ---- logout, rate limit ----
st, _, _ = request("POST", "/logout", b"", {"Cookie": SESSION,
                                            "Content-Length": "0"})
st2, _, j = post_json("/assert", {"contents": FP, "origin": ORIGIN},
                      cookie=SESSION)
tap.ok(st == 200 and st2 == 401, "after logout the session no longer signs")

# from 127.0.0.2: five failures for bob; then bob is refused from any
# address, and any user from that address
codes = [login("bob", "not bob's password %d" % i, source="127.0.0.2")[0]
         for i in range(5)]
st, hd, _ = login("bob", BOB_PW, source="127.0.0.3")
tap.ok(codes == [401] * 5 and st == 429 and header(hd, "Retry-After"),
       "5 failed logins of a user, then even the right password gets 429 "
       "with Retry-After, from another address too", (codes, st))
st, hd, _ = login("alice", ALICE_PW, source="127.0.0.2")
st2, _, _ = login("alice", ALICE_PW, source="127.0.0.4")
tap.ok(st == 429 and st2 == 303,
       "and the address that failed gets 429 for every user; others do not",
       (st, st2))

# ---- no secrets in the log ----
log = open(idp.stderr_path, "rb").read().decode("utf-8", "replace")
secrets = [ALICE_PW, BOB_PW, SESSION.split("=", 1)[1], csrf]
with open(signing) as f:
    secrets += [l for l in f.read().splitlines() if not l.startswith("-----")]
tap.ok(not any(s in log for s in secrets) and "logged in" in log,
       "the log (-v) shows logins but no password, cookie or key")

os.kill(idp.p.pid, signal.SIGTERM)
tap.ok(idp.wait_exit(20) == 0, "SIGTERM: exit 0", idp.stderr_tail())
idp.kill()
shutil.rmtree(tmp, ignore_errors=True)
tap.done()
