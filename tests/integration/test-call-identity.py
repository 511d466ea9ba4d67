#!/usr/bin/env python3
"""Calls with identity (issue 14 points 3, 4 and 5), two sealcalls through
a relay, the test IdP of tests/lib/idpserver.py (HTTPS, a CA made now and
given with --ca) with a W3C proxy whose assertion is an HMAC over
{identity, contents, origin}:

- both assert (--idp), both verify: a=identity at session level of the
  offer and the answer, `identity` events (verified, user@localhost), the
  inspector's `peer` object, chat flows, DTLS ALPN c-webrtc/webrtc;
- --peer-identity that matches: verified, chat flows;
- --peer-identity that differs: identity-rejected, and nothing reached
  either side before (the proxy takes 1.5 s to validate, so a call
  without the gate would open its channel first): no channel, no message,
  no media either way;
- a relay that edits the identity inside the assertion: rejected
  (idp-token-invalid), identity-rejected with --peer-identity;
- a relay that puts a valid assertion over another fingerprint into a
  peer's answer (the peer has its own DTLS key, so DTLS succeeds):
  rejected (the fingerprint is not in the assertion);
- a privacy rule refuse_anonymous lets a verified caller through
  (test-privacy-rules.py: and refuses one without an identity);
- an IdP asserting for a domain not its own: rejected; accepted with
  --trust-idp, shown as not authoritative;
- an expired assertion: idp-token-expired;
- a peer that sends no assertion: `none`, identity-rejected with
  --peer-identity;
- an IdP that needs a login: the login URL shown (on the terminal and the event's
  login_url), the call ends, the relay never sees an offer.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import idpserver  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"], stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
build = os.environ.get("TOP_BUILDDIR", ".")
DRIVE = os.path.join(build, "tests", "lib", "idp-drive")
HELPER = os.path.join(build, "src", "identity", "sealcall-idp-sandbox")
tmp = tempfile.mkdtemp(prefix="sealcall-idcall-")
ca, cert, key = idpserver.make_ca(tmp, "idcall")


def proxy(id_domain="localhost", validate_delay=0, validate_error=None):
    return idpserver.hmac_proxy(id_domain, validate_delay, validate_error)


SCRIPTS = {
    "default": proxy(),
    "slow": proxy(validate_delay=1500),
    "thirdparty": proxy(id_domain="example.org"),
    "expired": proxy(validate_error="idp-token-expired"),
    "login": "rtcIdentityProvider.register({ generateAssertion() { return Promise.reject("
             "{ name: 'IdpLoginError', loginUrl: location.origin + '/login?u=1' }); },"
             " validateAssertion() { return Promise.reject(new Error('no')); } });",
}
for name in list(SCRIPTS):
    SCRIPTS[name] = SCRIPTS[name].replace("PROTOCOL", json.dumps(name))
srv = idpserver.IdpServer(cert, key, SCRIPTS)
IDP = "localhost:%d" % srv.port
env = {"SEALCALL_IDP_SANDBOX": HELPER}


def idp(user, protocol="default"):
    return ["--ca", ca, "--idp", IDP, "--identity-hint", user,
            "--idp-protocol", protocol]


def events(p, name):
    return [e for e in p.events if e.get("event") == name]


def leaked(*procs):
    return [e for p in procs for e in p.events
            if e.get("event") in ("channel", "message", "media")]


mitm = sctest.mitm_relay


def call(room, offer_extra, answer_extra, relay=None, port=None, media=False):
    return sctest.Call(room=room, relay=relay, port=port, offer_extra=offer_extra,
                       answer_extra=answer_extra, offer_env=env,
                       answer_env=env, media=media)


def rejected(what, relay, c, check, check_what):
    """The offerer (with --peer-identity) rejects the answerer: its
    identity event passes @check, it ends identity-rejected, and nothing
    reached either side."""
    off, ans = c.both()
    try:
        e = off.wait_event("ended", timeout=40)
        io = remote_identity(off, 1)
        tap.ok(relay.wait_event("rewrote", timeout=1) is not None,
               "%s: the relay rewrote the answer" % what)
        tap.ok(io is not None and io.get("status") == "failed" and check(io),
               "%s: %s" % (what, check_what), (io, c.diag()))
        tap.ok(e is not None and e.get("reason") == "identity-rejected",
               "%s: ended identity-rejected" % what, e)
        tap.ok(not leaked(off, ans), "%s: nothing delivered" % what,
               leaked(off, ans))
    finally:
        c.close()
        relay.kill()


def inspect_peer(p):
    p.send({"cmd": "inspect"})
    rep = p.wait_event("inspector", timeout=10)
    return rep["report"]["peer"] if rep else None


def remote_identity(p, timeout=30):
    return p.wait_for(lambda e: e.get("event") == "identity" and
                      e.get("side") == "remote", timeout)


# ---- 1. both assert, both verify ----
relay, port = mitm("--record", "--sdp", name="rec")
c = call("both", idp("alice"), idp("bob"), relay, port)
off, ans = c.both()
try:
    io, ia = remote_identity(off), remote_identity(ans)
    tap.ok(io is not None and io.get("status") == "verified" and
           io.get("identity") == "bob@localhost" and io.get("idp") == IDP,
           "offerer verifies the answerer as bob@localhost", (io, c.diag()))
    tap.ok(ia is not None and ia.get("status") == "verified" and
           ia.get("identity") == "alice@localhost",
           "answerer verifies the offerer as alice@localhost", ia)
    tap.ok(c.wait_open(), "the channel opens", c.diag())
    sctest.chat(tap, off, ans, "hello bob", "chat flows with identities")
    alpn = [e.get("alpn") for p in (off, ans) for e in events(p, "dtls")]
    tap.ok(alpn == ["webrtc", "webrtc"], "ALPN webrtc negotiated", alpn)
    ids = [e for p in (off, ans) for e in events(p, "identity")]
    tap.ok(ids and all(e.get("status") in ("verified", "failed", "none")
                       for e in ids),
           "every identity event has a status of the contract "
           "(verified, failed, none)", ids)
    frames = {}
    while len(frames) < 2:
        f = relay.wait_for(lambda e: e.get("event") == "frame" and
                           e.get("type") in ("offer", "answer") and
                           e.get("type") not in frames, 5)
        if f is None:
            break
        frames[f["type"]] = f["sdp"]
    for kind, who in (("offer", "alice"), ("answer", "bob")):
        sdp = frames.get(kind, "")
        head = sdp.split("\r\nm=")[0]
        attrs = [ln for ln in head.split("\r\n") if ln.startswith("a=identity:")]
        ok = len(attrs) == 1
        if ok:
            doc = json.loads(base64.b64decode(attrs[0][len("a=identity:"):]))
            inner = json.loads(json.loads(doc["assertion"])["payload"])
            fps = [ln[len("a=fingerprint:"):] for ln in sdp.split("\r\n")
                   if ln.startswith("a=fingerprint:")]
            want = [{"algorithm": f.split(" ")[0], "digest": f.split(" ")[1]}
                    for f in fps]
            ok = (doc["idp"] == {"domain": IDP, "protocol": "default"} and
                  json.loads(inner["contents"]) == {"fingerprint": want} and
                  inner["contents"] == json.dumps({"fingerprint": want},
                                                  separators=(",", ":")) and
                  inner["origin"] == "http://127.0.0.1:%d" % port and
                  inner["identity"] == who + "@localhost")
        tap.ok(ok, "the %s carries one a=identity at session level over its "
               "fingerprints, for the relay's origin" % kind, sdp)
    off.send({"cmd": "inspect"})
    rep = off.wait_event("inspector", timeout=10)
    peer = rep["report"]["peer"] if rep else None
    tap.ok(peer == {"identity": "bob@localhost", "idp": IDP,
                    "verified_by": "idp", "authoritative": True,
                    "pseudonym": False},
           "inspector: the peer object", peer)
    sctest.hang_up(tap, off, ans)
finally:
    c.close()
    relay.kill()

# ---- 2. --peer-identity that matches ----
c = call("match", ["--ca", ca, "--peer-identity", "bob@LOCALHOST"], idp("bob"))
off, ans = c.both()
try:
    io = remote_identity(off)
    tap.ok(io is not None and io.get("status") == "verified",
           "--peer-identity bob@LOCALHOST: verified", (io, c.diag()))
    tap.ok(c.wait_open(), "--peer-identity matches: the channel opens", c.diag())
    sctest.chat(tap, ans, off, "hi alice", "--peer-identity matches: chat flows")
    alpn = [e.get("alpn") for p in (off, ans) for e in events(p, "dtls")]
    tap.ok(alpn == ["c-webrtc", "c-webrtc"],
           "--peer-identity: ALPN c-webrtc negotiated (RFC 8833)", alpn)
    sctest.hang_up(tap, off, ans)
finally:
    c.close()

# ---- 3. --peer-identity that differs: nothing either way ----
c = call("mismatch", ["--ca", ca, "--peer-identity", "carol@localhost",
                      "--no-video"], idp("bob", "slow") + ["--no-video"],
         media=True)
off, ans = c.both()
try:
    # both ask for a channel at once: queued until it opens, which must be never
    for p in (off, ans):
        p.send({"cmd": "send", "label": "chat", "text": "leak?"})
    e = off.wait_event("ended", timeout=40)
    io = remote_identity(off, 1)
    tap.ok(io is not None and io.get("status") == "failed" and
           io.get("identity") == "bob@localhost" and
           io.get("error") == "peer-identity-mismatch" and
           "not carol@localhost" in (io.get("detail") or ""),
           "mismatch: identity failed (peer-identity-mismatch: the assertion "
           "is valid, it names someone else), naming both", (io, c.diag()))
    tap.ok(e is not None and e.get("reason") == "identity-rejected" and
           off.wait_exit(20) not in (0, None),
           "mismatch: ended identity-rejected, exit non-zero", e)
    tap.ok(events(off, "dtls") and events(off, "dtls")[0].get("state") == "connected",
           "mismatch: DTLS was up while the peer was unverified",
           events(off, "dtls"))
    ea = ans.wait_event("ended", timeout=40)
    tap.ok(ea is not None and ea.get("peer_reason") == "identity-rejected",
           "mismatch: the peer is told identity-rejected", ea)
    tap.ok(not leaked(off, ans),
           "mismatch: no channel, message or media on either side",
           leaked(off, ans))
finally:
    c.close()

# ---- 4. a relay edits the identity inside the assertion ----
relay, port = mitm("--edit-identity", "answer", "--identity-from",
                   "alice@localhost", "--identity-to", "mallory@localhost")
rejected("edited", relay,
         call("edit", ["--ca", ca, "--peer-identity", "mallory@localhost"],
              idp("alice"), relay, port),
         lambda io: io.get("error") == "idp-token-invalid",
         "identity failed, idp-token-invalid")

# ---- 5. a valid assertion beside another fingerprint (a MITM's) ----
other_fp = ":".join(["5A"] * 32)
r = subprocess.run([DRIVE, "--ca", ca, "generate", IDP, "default",
                    json.dumps({"fingerprint": [{"algorithm": "sha-256",
                                                 "digest": other_fp}]}),
                    "http://127.0.0.1", "alice"],
                   env=dict(os.environ, **env), stdout=subprocess.PIPE, timeout=60)
attr = json.loads(r.stdout.decode()).get("attr")
tap.ok(attr is not None, "replay: a valid assertion over another fingerprint", r.stdout)
relay, port = mitm("--set-identity", "answer", "--identity-value", attr or "x")
rejected("replay", relay,
         call("swap", ["--ca", ca, "--peer-identity", "alice@localhost"], [],
              relay, port),
         lambda io: (io.get("identity") == "alice@localhost" and
                     "is not in its identity assertion" in (io.get("detail") or "")),
         "the signature holds but the fingerprint is not covered")

# ---- 6. an IdP asserting for another domain; --trust-idp ----
for trust in (False, True):
    extra = ["--ca", ca] + (["--trust-idp", "localhost=example.org"] if trust else [])
    c = call("third%d" % trust, extra, idp("alice", "thirdparty"))
    off, ans = c.both()
    try:
        io = remote_identity(off)
        if not trust:
            tap.ok(io is not None and io.get("status") == "failed" and
                   "not authoritative" in (io.get("detail") or ""),
                   "third party without --trust-idp: rejected", (io, c.diag()))
        else:
            tap.ok(io is not None and io.get("status") == "verified" and
                   io.get("identity") == "alice@example.org" and
                   io.get("authoritative") is False and
                   io.get("pseudonym") is False,
                   "third party with --trust-idp: verified, the event says "
                   "not authoritative, not a pseudonym", (io, c.diag()))
            c.wait_open()
            off.send({"cmd": "inspect"})
            rep = off.wait_event("inspector", timeout=10)
            peer = rep["report"]["peer"] if rep else None
            tap.ok(peer is not None and peer.get("authoritative") is False and
                   peer.get("verified_by") == "idp",
                   "third party: inspector says not authoritative", peer)
    finally:
        c.close()

# ---- 6b. a privacy rule refuse_anonymous lets a verified caller through ----
conf = os.path.join(tmp, "privacy.conf")
with open(conf, "w") as f:
    f.write("[profile guarded]\nrefuse_anonymous = true\n[default]\nprofile = guarded\n")
c = call("anon", idp("alice"), ["--ca", ca, "--privacy-config", conf])
off, ans = c.both()
try:
    ia = remote_identity(ans)
    tap.ok(ia is not None and ia.get("status") == "verified" and c.wait_open(),
           "refuse_anonymous: a verified caller gets through", (ia, c.diag()))
    sctest.chat(tap, off, ans, "it is alice", "refuse_anonymous: chat flows")
finally:
    c.close()

# ---- 7. expired; 8. no assertion with --peer-identity ----
c = call("expired", ["--ca", ca], idp("alice", "expired"))
off, ans = c.both()
try:
    io = remote_identity(off)
    tap.ok(io is not None and io.get("status") == "failed" and
           io.get("error") == "idp-token-expired",
           "expired assertion: idp-token-expired", (io, c.diag()))
finally:
    c.close()
c = call("none", ["--ca", ca, "--peer-identity", "alice@localhost"], [])
off, ans = c.both()
try:
    e = off.wait_event("ended", timeout=40)
    io = remote_identity(off, 1)
    tap.ok(io is not None and io.get("status") == "none" and
           e is not None and e.get("reason") == "identity-rejected" and
           not leaked(off, ans),
           "no assertion with --peer-identity: none, identity-rejected",
           (io, e, c.diag()))
finally:
    c.close()

# ---- 9. the IdP needs a login: no offer without the assertion ----
relay, port = mitm("--record", name="login-relay")
c = call("login", idp("alice", "login"), [], relay, port)
off, ans = c.both()
try:
    e, rc, li = sctest.own_identity_failure(off)
    url = "https://%s/login?u=1" % IDP
    tap.ok(li is not None and li.get("status") == "failed" and
           li.get("error") == "idp-need-login" and li.get("login_url") == url,
           "login: identity event with idp-need-login and login_url", li)
    tap.ok(e is not None and e.get("reason") == "error" and
           url in (e.get("detail") or "") and rc not in (0, None),
           "login: the call ends naming the URL to open", (e, rc))
    offers = relay.wait_for(lambda x: x.get("event") == "frame" and
                            x.get("type") == "offer", 1)
    tap.ok(offers is None and not events(ans, "identity"),
           "login: no offer ever reached the relay", offers)
finally:
    c.close()
    relay.kill()

# on a terminal (no --json): the URL to open is printed, the exit is 1
# (stdin stays open: its end would hang up)
r = subprocess.Popen([sctest.SEALCALL, "call", "--signal",
                      "ws://127.0.0.1:%d/room/login-tty" % port, "--no-audio",
                      "--no-video", "--ice-address", "127.0.0.1"] +
                     idp("alice", "login"), env=dict(os.environ, **env),
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
try:
    r.wait(timeout=60)
except subprocess.TimeoutExpired:
    r.kill()
    r.wait()
r.stdout, r.stderr = r.stdout.read(), r.stderr.read()
out = r.stdout.decode("utf-8", "replace")
tap.ok(r.returncode == 1 and
       ("the IdP asks you to log in: open https://%s/login?u=1" % IDP) in out,
       "login on a terminal: the URL to open is shown, exit 1",
       (r.returncode, out, r.stderr.decode()[-1000:]))

# ---- 10. an IdP identity and an X.509 one on the same peer (issue 14
# point 7): both shown, either satisfies --peer-identity, a difference
# between them is named ----
pki = os.path.join(tmp, "pki")
for args in ([pki, "localhost"], ["--person", pki, "alice", "alice@example.org"]):
    subprocess.run(["sh", os.path.join(os.environ.get("TOP_SRCDIR", "."), "scripts",
                                       "make-test-ca.sh")] + args,
                   check=True, stdout=subprocess.DEVNULL)
both_ca = os.path.join(tmp, "both-ca.pem")
with open(both_ca, "w") as f:
    for part in (ca, os.path.join(pki, "ca.pem")):
        with open(part) as src:
            f.write(src.read())
alice_cert = ["--cert", os.path.join(pki, "alice.pem")]


def by(p, source, timeout=30):
    return p.wait_for(lambda e: e.get("event") == "identity" and
                      e.get("side") == "remote" and
                      e.get("verified_by") == source, timeout)


for want, shown in ((None, "idp"), ("alice@example.org", "x509"),
                    ("bob@localhost", "idp")):
    extra = ["--ca", both_ca] + (["--peer-identity", want] if want else [])
    c = call("both-%s" % shown + ("-req" if want else ""), extra,
             idp("bob") + alice_cert)
    off, ans = c.both()
    what = "IdP bob and X.509 alice" + (", --peer-identity " + want if want else "")
    try:
        ii, ix = by(off, "idp"), by(off, "x509")
        tap.ok(c.wait_open(), "%s: the channel opens" % what, c.diag())
        tap.ok((want == "alice@example.org" or ii is not None) and
               (want == "bob@localhost" or ix is not None),
               "%s: each identity that verifies has its event" % what,
               events(off, "identity"))
        peer = inspect_peer(off)
        tap.ok(peer is not None and peer.get("verified_by") == shown and
               peer.get("subject") == ("CN=alice" if shown == "x509" or not want else None) and
               peer.get("identity") == ("alice@example.org" if shown == "x509"
                                        else "bob@localhost"),
               "%s: the inspector shows the %s identity" % (what, shown), peer)
        if want is None:
            second = ix if off.events.index(ix) > off.events.index(ii) else ii
            tap.ok(second.get("conflict") in ("alice@example.org", "bob@localhost") and
                   peer.get("x509_identity") == "alice@example.org" and
                   peer.get("identity_conflict") is True,
                   "%s: the difference is named (event and inspector)" % what,
                   (second, peer))
        else:
            failed = [e for e in events(off, "identity") if e.get("status") == "failed"]
            tap.ok(len(failed) == 1 and "not " + want in failed[0].get("detail", ""),
                   "%s: the other identity fails --peer-identity, shown" % what,
                   failed)
    finally:
        c.close()

srv.close()
tap.done()
