#!/usr/bin/env python3
"""X.509 peer identities (issue 14 point 7, seed 001 §5.5), two sealcalls
through a relay, with a throwaway CA of scripts/make-test-ca.sh and person
certificates it issues (--person, an email SAN):

- --cert alice (from the CA) and --ca on both sides, both ways: each
  verifies the other, the `identity` event says verified, verified_by
  x509, the identity (the email SAN), subject and issuer; the inspector's
  `peer` object the same; chat flows;
- a person issued by an intermediate whose --cert file holds the chain:
  verified (the intermediate travels in the handshake);
- --peer-identity satisfied by the X.509 identity (no IdP): the channel
  opens; a different one: identity-rejected, nothing either way;
- each failure, reported as failed, verified_by none, with the error name
  and why, and identity-rejected with --peer-identity: a self-signed
  per-call key, a certificate from another CA, a chain that does not
  reach --ca (the intermediate left out), an expired intermediate, the CA
  certificate itself as the leaf, a leaf issued by a certificate that is
  no CA (CA:FALSE);
- without --ca no X.509 event at all (nothing changes for browsers);
- on a terminal, the verified peer is shown as verified by X.509.
(An IdP identity beside an X.509 one: test-call-identity.py section 10.)
"""
import os
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"], stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
top = os.environ.get("TOP_SRCDIR", ".")
build = os.environ.get("TOP_BUILDDIR", ".")
SCRIPT = os.path.join(top, "scripts", "make-test-ca.sh")
tmp = tempfile.mkdtemp(prefix="sealcall-x509-")
ca_dir, other_dir = os.path.join(tmp, "ca"), os.path.join(tmp, "other")


def mk(*args):
    subprocess.run(["sh", SCRIPT] + list(args), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


mk(ca_dir, "localhost")
mk(other_dir, "localhost")
mk("--person", ca_dir, "alice", "alice@example.org")
mk("--person", ca_dir, "bob", "bob@example.org")
mk("--intermediate", ca_dir, "sub")
mk("--person", ca_dir, "carol", "carol@example.org", "--issuer", "sub")
mk("--person", ca_dir, "nochain", "dan@example.org", "--issuer", "sub",
   "--no-chain")
mk("--intermediate", ca_dir, "old", "--expired")
mk("--person", ca_dir, "stale", "erin@example.org", "--issuer", "old")
mk("--intermediate", ca_dir, "notca", "--not-ca")
mk("--person", ca_dir, "fake", "frank@example.org", "--issuer", "notca")
mk("--person", other_dir, "mallory", "alice@example.org")
CA = os.path.join(ca_dir, "ca.pem")
# the CA's own certificate and key as a --cert file
ca_leaf = os.path.join(tmp, "ca-leaf.pem")
with open(ca_leaf, "w") as f:
    for part in ("ca.pem", "ca.key"):
        with open(os.path.join(ca_dir, part)) as src:
            f.write(src.read())
os.chmod(ca_leaf, 0o600)


def cert(name, d=ca_dir):
    return ["--cert", os.path.join(d, name + ".pem")]


def events(p, name):
    return [e for e in p.events if e.get("event") == name]


def leaked(*procs):
    return [e for p in procs for e in p.events
            if e.get("event") in ("channel", "message", "media")]


def x509_event(p, timeout=30):
    """The peer's identity event of the X.509 check: verified_by x509, or
    an error named x509-..."""
    return p.wait_for(lambda e: e.get("event") == "identity" and
                      e.get("side") == "remote" and
                      (e.get("verified_by") == "x509" or
                       (e.get("error") or "").startswith("x509-")), timeout)


def inspect(p):
    p.send({"cmd": "inspect"})
    rep = p.wait_event("inspector", timeout=10)
    return rep["report"]["peer"] if rep else None


ISSUER = "CN=sealcall throwaway test CA"

# ---- 1. both sides CA-issued, both verify, both ways ----
for first, second in (("alice", "bob"), ("bob", "alice")):
    c = sctest.Call(room="ok-" + first, offer_extra=cert(first) + ["--ca", CA],
                    answer_extra=cert(second) + ["--ca", CA])
    off, ans = c.both()
    try:
        io, ia = x509_event(off), x509_event(ans)
        for who, ev, peer in (("offerer", io, second), ("answerer", ia, first)):
            tap.ok(ev is not None and ev.get("status") == "verified" and
                   ev.get("verified_by") == "x509" and
                   ev.get("identity") == peer + "@example.org" and
                   ev.get("subject") == "CN=" + peer and
                   ev.get("issuer") == ISSUER,
                   "%s %s: verifies %s@example.org by X.509 (identity event)"
                   % (first, who, peer), (ev, c.diag()))
        tap.ok(c.wait_open(), "%s calls %s: the channel opens" % (first, second),
               c.diag())
        sctest.chat(tap, off, ans, "hello", "%s calls %s: chat flows" % (first, second))
        for who, p, peer in (("offerer", off, second), ("answerer", ans, first)):
            got = inspect(p)
            tap.ok(got == {"identity": peer + "@example.org", "idp": None,
                           "verified_by": "x509", "authoritative": True,
                           "pseudonym": False, "subject": "CN=" + peer, "issuer": ISSUER},
                   "%s calls %s, %s: the inspector's peer object" %
                   (first, second, who), got)
        sctest.hang_up(tap, off, ans)
    finally:
        c.close()

# ---- 2. a person issued by an intermediate, the chain in --cert ----
c = sctest.Call(room="chain", offer_extra=["--ca", CA], answer_extra=cert("carol"))
off, ans = c.both()
try:
    io = x509_event(off)
    tap.ok(io is not None and io.get("status") == "verified" and
           io.get("identity") == "carol@example.org" and
           io.get("issuer") == "CN=sub",
           "via an intermediate sent in the handshake: verified", (io, c.diag()))
    tap.ok(not [e for e in events(ans, "identity")
                if (e.get("error") or "").startswith("x509-")],
           "the side without --ca reports no X.509 check", events(ans, "identity"))
finally:
    c.close()

# ---- 3. --peer-identity satisfied by X.509, and refused ----
c = sctest.Call(room="match", offer_extra=["--ca", CA, "--peer-identity",
                                           "alice@EXAMPLE.org"],
                answer_extra=cert("alice"))
off, ans = c.both()
try:
    io = x509_event(off)
    tap.ok(io is not None and io.get("status") == "verified",
           "--peer-identity alice@EXAMPLE.org: verified by X.509", (io, c.diag()))
    tap.ok(c.wait_open(), "--peer-identity matched by X.509: the channel opens",
           c.diag())
    sctest.chat(tap, ans, off, "it is alice", "--peer-identity by X.509: chat flows")
    tap.ok([e.get("alpn") for e in events(off, "dtls")] == ["c-webrtc"],
           "--peer-identity: ALPN c-webrtc", events(off, "dtls"))
    sctest.hang_up(tap, off, ans)
finally:
    c.close()


LEAK = {"cmd": "send", "label": "chat", "text": "leak?"}


def refused(room, what, answer_extra, error, detail_has, peer="alice@example.org",
            offer_extra=()):
    """The offerer with --ca and --peer-identity PEER refuses the answerer:
    the X.509 event is failed, verified_by none, with ERROR and a detail
    naming why; the call ends identity-rejected, nothing either way."""
    c = sctest.Call(room=room, offer_extra=["--ca", CA, "--peer-identity", peer,
                                            "--no-video"] + list(offer_extra),
                    answer_extra=list(answer_extra) + ["--no-video"], media=True)
    off, ans = c.both()
    try:
        # both ask for a channel at once: queued until it opens (never)
        off.send(LEAK)
        ans.send(LEAK)
        e, io = off.wait_event("ended", timeout=40), x509_event(off, 1)
        tap.ok(io is not None and io.get("status") == "failed" and
               io.get("verified_by") == "none" and io.get("error") == error and
               detail_has in (io.get("detail") or ""),
               "%s: identity failed, %s, saying why" % (what, error),
               (io, c.diag()))
        tap.ok(e is not None and e.get("reason") == "identity-rejected" and
               off.wait_exit(20) not in (0, None),
               "%s: ended identity-rejected" % what, (e, c.diag()))
        tap.ok(not leaked(off, ans), "%s: no channel, message or media" % what,
               leaked(off, ans))
    finally:
        c.close()


refused("mismatch", "another person", cert("bob"), "x509-identity-mismatch",
        "the peer is bob@example.org, not alice@example.org")
refused("selfsigned", "a self-signed per-call key", [], "x509-untrusted",
        "self-signed")
refused("otherca", "a certificate from another CA (same name)", cert("mallory", other_dir),
        "x509-untrusted", "does not reach a --ca authority")
refused("nochain", "a chain that does not reach --ca", cert("nochain"),
        "x509-untrusted", "issuer CN=sub")
refused("expired", "an expired intermediate", cert("stale"), "x509-expired",
        "expired", peer="erin@example.org")
refused("caleaf", "the CA certificate as the leaf", ["--cert", ca_leaf],
        "x509-bad-usage", "CA certificate")
refused("notca", "a leaf issued by a non-CA certificate", cert("fake"),
        "x509-bad-usage", "invalid CA", peer="frank@example.org")

# ---- 4. without --ca: nothing X.509 reported, the call as before ----
c = sctest.Call(room="noca", offer_extra=[], answer_extra=cert("alice"))
off, ans = c.both()
try:
    tap.ok(c.wait_open(), "without --ca: the call opens", c.diag())
    got = inspect(off)
    tap.ok(x509_event(off, 1) is None and got is not None and
           got.get("verified_by") == "none" and "subject" not in got,
           "without --ca: no X.509 identity checked or shown", (got, off.events))
finally:
    c.close()

# ---- 5. a failure without --peer-identity is reported, the call goes on ----
c = sctest.Call(room="soft", offer_extra=["--ca", CA], answer_extra=[])
off, ans = c.both()
try:
    io = x509_event(off)
    tap.ok(io is not None and io.get("status") == "failed" and
           io.get("error") == "x509-untrusted",
           "without --peer-identity: a self-signed peer is reported", (io, c.diag()))
    tap.ok(c.wait_open(), "without --peer-identity: the call goes on unverified",
           c.diag())
    got = inspect(off)
    tap.ok(got is not None and got.get("verified_by") == "none" and
           got.get("identity") is None and got.get("x509_error") == "x509-untrusted",
           "inspector: unverified, the X.509 error shown", got)
finally:
    c.close()

# ---- 6. on a terminal (no --json): the verified peer is shown as such ----
relay, port = sctest.start_relay()
url = "ws://127.0.0.1:%d/room/tty" % port
ans = sctest.endpoint("answer", url, extra=cert("alice"))
ans.wait_event("signaling", state="connected", timeout=20)
tty = subprocess.Popen([sctest.SEALCALL, "call", "--signal", url, "--no-audio",
                        "--no-video", "--ice-address", "127.0.0.1", "--ca", CA],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
try:
    # the IdP's "none asserted" comes first, then the X.509 verdict
    want = (b"* peer identity VERIFIED: alice@example.org (by its X.509 "
            b"certificate from CN=sealcall throwaway test CA)\n")
    out, deadline = b"", time.monotonic() + 30
    while (want not in out and b"NOT verified" not in out and
           time.monotonic() < deadline):
        if select.select([tty.stdout], [], [], 1)[0]:
            chunk = os.read(tty.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    tap.ok(want in out, "on a terminal: the X.509 identity is shown verified",
           out)
    tap.ok(b"UNVERIFIED" not in out,
           "on a terminal with --ca: a peer without an IdP assertion is not "
           "first called UNVERIFIED (its certificate is checked next)", out)
finally:
    tty.kill()
    tty.wait()
    ans.kill()
    relay.kill()

tap.done()
