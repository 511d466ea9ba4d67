#!/usr/bin/env python3
"""Calls with identity against the reference IdP `sealcall idp` (issue 14
point 10; test-call-identity.py covers the same gate against a scripted
test IdP): a throwaway CA, `sealcall idp --domain localhost` with users
alice and bob, each logged in through the login form, the session cookie
in the sealcall's $XDG_DATA_HOME/sealcall/idp-cookies.txt (what its IdP
sandbox sends to the IdP when generating).

- both ways: alice calls bob and bob calls alice, both asserting with
  --idp and requiring the other with --peer-identity: verified, ALPN
  c-webrtc, chat both ways;
- attacks, each rejected by the verifier (identity event with the error,
  `ended` identity-rejected, nothing delivered either way): a relay that
  edits the identity inside the assertion (idp-token-invalid); one that
  keeps a valid assertion of alice's but swaps the fingerprint (another
  peer's DTLS key: the fingerprint is not in the assertion); an IdP that
  signs for a domain not its own (not authoritative; accepted with
  --trust-idp, shown as such); an expired assertion (idp-token-expired);
  a peer identity other than --peer-identity;
- an IdP that needs a login: no cookie file, a stale session, both
  idp-need-login with the IdP's login URL and no offer sent; a cookie file
  that others may read is refused (idp-load-failure), never sent;
- --ca as a relative path works; a CA that is not the IdP's fails with
  idp-tls-failure, named once in the detail.
"""
import json
import os
import select
import subprocess
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests",
                                "lib"))
import sctest  # noqa: E402
import realidp  # noqa: E402

tap = sctest.Tap()
if shutil.which("openssl") is None:
    tap.skip_all("openssl tool not installed")
build = os.environ.get("TOP_BUILDDIR", ".")
SANDBOX = {"SEALCALL_IDP_SANDBOX": os.path.join(build, "src", "identity",
                                                "sealcall-idp-sandbox")}
tmp = tempfile.mkdtemp(prefix="sc-realidp-call-")
ca = realidp.TestCa(tmp, "localhost")
idp = realidp.RealIdp(ca, ["alice", "bob"])
IDP = idp.name
homes = {u: idp.data_home(u) for u in ("alice", "bob")}


def env(user=None, home=None):
    e = dict(SANDBOX)
    if home is None:
        home = homes[user] if user else idp.data_home()
    e["XDG_DATA_HOME"] = home
    return e


def asserting(user, server=None):
    return ["--ca", ca.ca, "--idp", (server or idp).name, "--identity-hint",
            user]


def events(p, name):
    return [e for e in p.events if e.get("event") == name]


def leaked(*procs):
    return [e for p in procs for e in p.events
            if e.get("event") in ("channel", "message", "media")]


def remote_identity(p, timeout=30):
    return p.wait_for(lambda e: e.get("event") == "identity" and
                      e.get("side") == "remote", timeout)


mitm = sctest.mitm_relay


def call(room, offer_extra, answer_extra, offer_env, answer_env, relay=None,
         port=None):
    return sctest.Call(room=room, relay=relay, port=port,
                       offer_extra=offer_extra, answer_extra=answer_extra,
                       offer_env=offer_env, answer_env=answer_env)


def rejected(what, c, verifier, check, check_what, relay=None):
    """@verifier ("offerer" or "answerer", with --peer-identity) rejects
    the other: its identity event passes @check, it ends
    identity-rejected, and nothing reached either side."""
    off, ans = c.both()
    v = off if verifier == "offerer" else ans
    try:
        e = v.wait_event("ended", timeout=40)
        io = remote_identity(v, 1)
        if relay is not None:
            rw = relay.wait_event("rewrote", timeout=1)
            tap.ok(rw is not None and rw.get("changed", True),
                   "%s: the relay rewrote the description" % what, rw)
        tap.ok(io is not None and io.get("status") == "failed" and check(io),
               "%s: %s" % (what, check_what), (io, c.diag()))
        tap.ok(e is not None and e.get("reason") == "identity-rejected",
               "%s: the %s ends identity-rejected" % (what, verifier), e)
        tap.ok(not leaked(off, ans), "%s: nothing delivered either way" %
               what, leaked(off, ans))
    finally:
        c.close()
        if relay is not None:
            relay.kill()


try:
    # ---- 1. both ways, each asserting and requiring the other ----
    for caller, callee in (("alice", "bob"), ("bob", "alice")):
        c = call("both-" + caller,
                 asserting(caller) + ["--peer-identity", callee + "@localhost"],
                 asserting(callee) + ["--peer-identity", caller + "@localhost"],
                 env(caller), env(callee))
        off, ans = c.both()
        who = "%s calls %s" % (caller, callee)
        try:
            io, ia = remote_identity(off), remote_identity(ans)
            tap.ok(io is not None and io.get("status") == "verified" and
                   io.get("identity") == callee + "@localhost" and
                   io.get("idp") == IDP,
                   "%s: the caller verifies %s@localhost by `sealcall idp`" %
                   (who, callee), (io, c.diag()))
            tap.ok(ia is not None and ia.get("status") == "verified" and
                   ia.get("identity") == caller + "@localhost" and
                   ia.get("idp") == IDP,
                   "%s: the callee verifies %s@localhost" % (who, caller),
                   (ia, c.diag()))
            tap.ok(c.wait_open(), "%s: the channel opens" % who, c.diag())
            sctest.chat(tap, off, ans, "hello from " + caller,
                        "%s: chat caller -> callee" % who)
            sctest.chat(tap, ans, off, "hello from " + callee,
                        "%s: chat callee -> caller" % who)
            alpn = [e.get("alpn") for p in (off, ans)
                    for e in events(p, "dtls")]
            tap.ok(alpn == ["c-webrtc", "c-webrtc"],
                   "%s: ALPN c-webrtc" % who, alpn)
            off.send({"cmd": "inspect"})
            rep = off.wait_event("inspector", timeout=10)
            peer = rep["report"]["peer"] if rep else None
            tap.ok(peer == {"identity": callee + "@localhost", "idp": IDP,
                            "verified_by": "idp", "authoritative": True,
                            "pseudonym": False},
                   "%s: the caller's inspector shows the verified peer" %
                   who, peer)
            sctest.hang_up(tap, off, ans, "%s: both exit 0 after hangup" %
                           who)
        finally:
            c.close()

    # ---- 1b. a pseudonym (issue 14 points 6 and 9): alice asserts the
    # pseudonym `sealcall idp` makes for her and this origin; bob learns
    # that it is verified, authoritative and a pseudonym, not who is
    # behind it (the identity event, the inspector, the terminal line) ----
    c = call("pseudo", asserting("pseudonym"), ["--ca", ca.ca], env("alice"),
             env("bob"))
    off, ans = c.both()
    try:
        ia = remote_identity(ans)
        pid = (ia or {}).get("identity") or ""
        tap.ok(ia is not None and ia.get("status") == "verified" and
               pid.startswith("p-") and pid.endswith("@localhost") and
               "alice" not in pid and ia.get("pseudonym") is True and
               ia.get("authoritative") is True,
               "a pseudonym: the identity event says verified, "
               "authoritative, pseudonym, and names no alice", (ia, c.diag()))
        tap.ok(c.wait_open(), "a pseudonym: the channel opens", c.diag())
        ans.send({"cmd": "inspect"})
        rep = ans.wait_event("inspector", timeout=10)
        peer = rep["report"]["peer"] if rep else None
        tap.ok(peer is not None and peer.get("identity") == pid and
               peer.get("pseudonym") is True and
               peer.get("verified_by") == "idp",
               "a pseudonym: the inspector says pseudonym true", peer)
        sctest.hang_up(tap, off, ans, "a pseudonym: both exit 0 after hangup")
    finally:
        c.close()

    # the terminal line of a pseudonym, as `sealcall answer` prints it
    # without --json: verified, and said to be a pseudonym
    relay, port = sctest.start_relay()
    url = "ws://127.0.0.1:%d/room/pseudo-line" % port
    tty_env = dict(os.environ, **env("bob"))
    tty = subprocess.Popen([sctest.SEALCALL, "answer", "--signal", url,
                            "--no-audio", "--no-video", "--ice-address",
                            "127.0.0.1", "--plain", "--ca", ca.ca],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=tty_env)
    caller = sctest.endpoint("call", url, extra=asserting("pseudonym"),
                             env=env("alice"))
    try:
        want = b"* peer identity VERIFIED PSEUDONYM: p-"
        out, deadline = b"", time.monotonic() + 30
        while (b"vouches for this pseudonym" not in out and
               b"NOT verified" not in out and time.monotonic() < deadline):
            if select.select([tty.stdout], [], [], 1)[0]:
                chunk = os.read(tty.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
        tap.ok(want in out and b"authoritative: it vouches for this "
               b"pseudonym, not for who is behind it" in out,
               "a pseudonym: the terminal line says VERIFIED PSEUDONYM",
               out)
    finally:
        tty.kill()
        tty.wait()
        caller.kill()
        relay.kill()

    # ---- 2. a relay edits the identity inside alice's assertion ----
    relay, port = mitm("--edit-identity", "offer", "--identity-from",
                       "alice@localhost", "--identity-to", "mallory@localhost")
    rejected("edited identity",
             call("edit", asserting("alice"),
                  ["--ca", ca.ca, "--peer-identity", "mallory@localhost"],
                  env("alice"), env(), relay, port),
             "answerer",
             lambda io: (io.get("error") == "idp-token-invalid" and
                         io.get("identity") is None and
                         "not mallory" not in (io.get("detail") or "")),
             "identity failed, idp-token-invalid: the IdP no longer "
             "validates it (the signature does not hold)", relay)

    # ---- 3. alice's valid assertion kept, the fingerprint swapped: the
    # answer comes from another peer (its own DTLS key, so DTLS would
    # succeed) with alice's assertion over alice's fingerprint ----
    token = idp.login("alice")
    alice_fp = ":".join(["5A"] * 32)
    attr, _ = idp.assertion(token, realidp.fingerprint_contents(alice_fp),
                            "http://127.0.0.1")
    relay, port = mitm("--set-identity", "answer", "--identity-value", attr)
    rejected("swapped fingerprint",
             call("swap", ["--ca", ca.ca, "--peer-identity",
                           "alice@localhost"], [], env(), env(), relay,
                  port),
             "offerer",
             lambda io: (io.get("identity") == "alice@localhost" and
                         "is not in its identity assertion" in
                         (io.get("detail") or "")),
             "alice's signature holds, but the peer's fingerprint is not in "
             "it", relay)

    # ---- 4. an IdP that signs for a domain not its own ----
    other = realidp.RealIdp(ca, ["alice"], domain="example.org",
                            name="idp-example")
    try:
        ohome = other.data_home("alice")
        c = call("third", asserting("alice", other),
                 ["--ca", ca.ca, "--peer-identity", "alice@example.org"],
                 env(home=ohome), env())
        rejected("IdP for another domain", c, "answerer",
                 lambda io: "not authoritative" in (io.get("detail") or ""),
                 "localhost:PORT may not assert alice@example.org")
        c = call("third-trust", asserting("alice", other),
                 ["--ca", ca.ca, "--peer-identity", "alice@example.org",
                  "--trust-idp", "localhost=example.org"],
                 env(home=ohome), env())
        off, ans = c.both()
        try:
            ia = remote_identity(ans)
            tap.ok(ia is not None and ia.get("status") == "verified" and
                   ia.get("identity") == "alice@example.org" and
                   c.wait_open(),
                   "IdP for another domain, --trust-idp localhost="
                   "example.org: verified, the channel opens",
                   (ia, c.diag()))
            ans.send({"cmd": "inspect"})
            rep = ans.wait_event("inspector", timeout=10)
            peer = rep["report"]["peer"] if rep else None
            tap.ok(peer is not None and peer.get("authoritative") is False,
                   "--trust-idp: the inspector says not authoritative", peer)
        finally:
            c.close()
    finally:
        other.close()

    # ---- 5. an expired assertion (an IdP whose assertions live 1 s) ----
    brief = realidp.RealIdp(ca, ["alice"], lifetime=1, name="idp-brief")
    try:
        attr, j = brief.assertion(brief.login("alice"),
                                  realidp.fingerprint_contents(alice_fp),
                                  "http://127.0.0.1")
        # the IdP says when it expires: wait until that has passed
        _, _, data = brief.request(
            "POST", "/validate",
            json.dumps({"assertion": j["assertion"]}).encode(),
            {"Content-Type": "application/json"})
        exp = json.loads(data).get("exp")
        deadline = time.monotonic() + 10
        while exp is not None and time.time() <= exp + 1 and \
                time.monotonic() < deadline:
            time.sleep(0.1)   # the condition is the clock itself
        relay, port = mitm("--set-identity", "offer", "--identity-value",
                           attr)
        rejected("expired assertion",
                 call("expired", [], ["--ca", ca.ca, "--peer-identity",
                                      "alice@localhost"], env(), env(),
                      relay, port),
                 "answerer", lambda io: io.get("error") == "idp-token-expired",
                 "identity failed, idp-token-expired", relay)
    finally:
        brief.close()

    # ---- 6. a peer identity other than --peer-identity ----
    rejected("another identity",
             call("mismatch", asserting("alice"),
                  ["--ca", ca.ca, "--peer-identity", "carol@localhost"],
                  env("alice"), env()),
             "answerer",
             lambda io: (io.get("identity") == "alice@localhost" and
                         io.get("error") == "peer-identity-mismatch" and
                         "not carol@localhost" in (io.get("detail") or "")),
             "verified as alice@localhost, not carol@localhost")

    # ---- 7. the IdP needs a login: no session, a stale one, a cookie
    # file others may read ----
    login_url = "https://%s/login" % IDP
    cases = [
        ("no cookie file", idp.data_home(), "idp-need-login"),
        ("a stale session", idp.data_home(token="A" * 43), "idp-need-login"),
        ("bob's session for alice", homes["bob"], "idp-need-login"),
        ("a cookie file others may read",
         idp.data_home("alice", mode=0o644), "idp-load-failure"),
    ]
    for what, home, err in cases:
        relay, port = mitm("--record", name="login-relay")
        c = call("login", asserting("alice"), [], env(home=home), env(),
                 relay, port)
        off, ans = c.both()
        try:
            e, rc, li = sctest.own_identity_failure(off)
            tap.ok(li is not None and li.get("status") == "failed" and
                   li.get("error") == err and
                   (li.get("login_url") == login_url
                    if err == "idp-need-login" else True),
                   "%s: identity event with %s%s" % (
                       what, err, " and the IdP's login URL"
                       if err == "idp-need-login" else ""), (li, c.diag()))
            tap.ok(e is not None and e.get("reason") == "error" and
                   rc not in (0, None),
                   "%s: the call ends with an error" % what, (e, rc))
            offers = relay.wait_for(lambda x: x.get("event") == "frame" and
                                    x.get("type") == "offer", 1)
            tap.ok(offers is None, "%s: no offer reached the relay" % what,
                   offers)
        finally:
            c.close()
            relay.kill()

    # ---- 8. --ca as a relative path (GTlsFileDatabase wants an absolute
    # one: every certificate failed); a CA that is not the IdP's: one
    # idp-tls-failure, its name said once ----
    rel = os.path.relpath(ca.ca)
    c = call("relative-ca", ["--ca", rel, "--idp", IDP, "--identity-hint",
                             "alice"],
             ["--ca", rel, "--peer-identity", "alice@localhost"],
             env("alice"), env())
    off, ans = c.both()
    try:
        ia = remote_identity(ans)
        tap.ok(ia is not None and ia.get("status") == "verified" and
               c.wait_open(),
               "--ca %s (relative): both sides reach the IdP, verified" % rel,
               (ia, c.diag()))
    finally:
        c.close()
    wrong = realidp.TestCa(os.path.join(tmp, "wrong"), "localhost")
    c = call("wrong-ca", ["--ca", wrong.ca, "--idp", IDP, "--identity-hint",
                          "alice"], [], env("alice"), env())
    off, ans = c.both()
    try:
        off.wait_event("ended", timeout=40)
        li = off.wait_for(lambda x: x.get("event") == "identity" and
                          x.get("side") == "local", 1)
        d = (li or {}).get("detail") or ""
        tap.ok(li is not None and li.get("error") == "idp-tls-failure" and
               d.startswith("idp-tls-failure: ") and
               d.count("idp-tls-failure") == 1,
               "a CA that is not the IdP's: idp-tls-failure, said once",
               li)
    finally:
        c.close()
finally:
    idp.close()
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
