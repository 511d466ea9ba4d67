#!/usr/bin/env python3
"""Call policy per verified peer (issue 13 point 7, issue 14 point 8):
two sealcalls through a relay, the caller asserting an identity with the
test IdP of tests/lib/idpserver.py (the W3C proxy of
test-call-identity.py; "slow" takes 1.5 s to validate, so that a call
that did not wait for the decision would open its channel first).

- privacy rules made again with the verified identity: a peer rule that
  asks more than the call was set up with ends it (identity-rejected,
  naming the rule) before any channel opens; one that asks nothing more
  lets it go on, reported by a `privacy` event (reevaluated) and the
  inspector; a peer rule beats a domain rule on the identity's domain,
  which beats the default; not_in_contacts looks at the contacts file;
- `answer --only-verified`: a verified contact gets through, a verified
  stranger and an anonymous caller end identity-rejected with nothing
  opened; with --defer-ice the stranger is refused before the call is
  announced and before any answer, and the contact is announced with its
  verified identity, IdP and rule;
- {"cmd":"allow"} stores the verified peer in the contacts file (0600),
  after which --only-verified lets it through;
- refuse_unlinkable: a caller with host candidates (linkable) gets
  through; a relay-only caller (coturn) with no identity, or only a
  pseudonym, is refused; with a full identity it is not;
- disclose_identity=pseudonym: --idp needs --identity-hint pseudonym.
"""
import json
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402
import idpserver  # noqa: E402
import turnserver  # noqa: E402

tap = sctest.Tap()
if subprocess.run(["sh", "-c", "command -v openssl"], stdout=subprocess.DEVNULL).returncode:
    tap.skip_all("openssl tool not installed")
build = os.environ.get("TOP_BUILDDIR", ".")
HELPER = os.path.join(build, "src", "identity", "sealcall-idp-sandbox")
tmp = tempfile.mkdtemp(prefix="sealcall-peerpol-")
ca, cert, key = idpserver.make_ca(tmp, "peerpol")


SCRIPTS = {"default": idpserver.hmac_proxy(),
           "slow": idpserver.hmac_proxy(validate_delay=1500)}
for name in list(SCRIPTS):
    SCRIPTS[name] = SCRIPTS[name].replace("PROTOCOL", json.dumps(name))
srv = idpserver.IdpServer(cert, key, SCRIPTS)
IDP = "localhost:%d" % srv.port
PSEUDONYM = "p-abcdefghijklmnopqrstuvwxyz"
xdg = os.path.join(tmp, "config")
os.makedirs(os.path.join(xdg, "sealcall"))
contacts = os.path.join(xdg, "sealcall", "contacts")
env = {"SEALCALL_IDP_SANDBOX": HELPER, "XDG_CONFIG_HOME": xdg,
       "XDG_DATA_HOME": tmp}


def idp(user, protocol="slow"):
    return ["--ca", ca, "--idp", IDP, "--identity-hint", user,
            "--idp-protocol", protocol]


def conf(name, text):
    path = os.path.join(tmp, name + ".conf")
    with open(path, "w") as f:
        f.write(text)
    return ["--ca", ca, "--privacy-config", path]


def call(room, offer_extra, answer_extra):
    return sctest.Call(room=room, offer_extra=offer_extra,
                       answer_extra=answer_extra, offer_env=env,
                       answer_env=env)


def opened(*procs):
    return [e for p in procs for e in p.events
            if e.get("event") in ("channel", "message", "media")]


def ev(p, name):
    return [e for e in p.events if e.get("event") == name]


def refused(what, c, detail_has, timeout=40):
    """The answerer ends identity-rejected with @detail_has in its detail,
    and nothing opened on either side."""
    off, ans = c.both()
    e = ans.wait_event("ended", timeout=timeout)
    off.wait_event("ended", timeout=20)
    tap.ok(e is not None and e.get("reason") == "identity-rejected" and
           all(d in (e.get("detail") or "") for d in detail_has) and
           not opened(off, ans),
           "%s: identity-rejected (%s), nothing opened" % (what, ", ".join(detail_has)),
           (e, opened(off, ans), c.diag()))
    return e


def goes_on(what, c):
    off, ans = c.both()
    ok = c.wait_open()
    tap.ok(ok, "%s: the call goes on" % what, c.diag())
    if ok:
        sctest.chat(tap, off, ans, "hello " + what, "%s: chat flows" % what)
    return ok


RULES = """[profile hidden]
relay_only = true
[profile friends]
disclose_identity = full
[rule mallory]
peer = mallory@localhost
profile = hidden
[rule alice]
peer = alice@localhost
profile = friends
[rule local-ids]
domain = localhost
profile = hidden
"""

# ---- 1. a peer rule asking more than was applied ends the call ----
c = call("peer-more", idp("mallory"), conf("more", RULES))
try:
    refused("a peer rule that asks more (relay_only) once mallory verifies",
            c, ["rule 'mallory'", "relay_only=true", "peer"])
    ip = [x for x in ev(c.answerer, "identity") if x.get("side") == "remote"]
    tap.ok(ip and ip[0].get("status") == "verified",
           "mallory's identity verified before the refusal", ip)
finally:
    c.close()

# ---- 2. precedence: peer > domain (on the identity's domain) ----
c = call("peer-alice", idp("alice"), conf("prec", RULES))
try:
    if goes_on("alice's peer rule (asks nothing more)", c):
        pe = [x for x in ev(c.answerer, "privacy") if x.get("reevaluated")]
        tap.ok(pe and pe[0].get("rule") == "alice" and
               pe[0].get("matched") == "peer" and
               pe[0].get("peer_identity") == "alice@localhost" and
               pe[0].get("profile", {}).get("disclose_identity") == "full",
               "a privacy event reports the re-evaluated rule (peer beats "
               "the domain rule on localhost)", pe)
        c.answerer.send({"cmd": "inspect"})
        rep = c.answerer.wait_event("inspector", timeout=10)
        pr = rep["report"].get("privacy", {}) if rep else {}
        tap.ok(pr.get("rule") == "alice" and pr.get("matched") == "peer",
               "the inspector's privacy object has the re-evaluated rule", pr)
finally:
    c.close()
c = call("peer-bob", idp("bob"), conf("prec2", RULES))
try:
    refused("bob@localhost: the domain rule on the identity's domain "
            "applies (no peer rule)", c, ["rule 'local-ids'", "domain",
                                          "peer's domain localhost"])
finally:
    c.close()

# ---- 2b. disclose_identity counts only when we asserted an identity ----
DISC = """[profile open]
disclose_identity = full
[profile pseu]
disclose_identity = pseudonym
[rule frank]
peer = frank@localhost
profile = pseu
[default]
profile = open
"""
c = call("disc-asserted", idp("frank", "default"),
         conf("disc", DISC) + idp("alice", "default"))
try:
    refused("frank's rule asks for at most a pseudonym, and we asserted "
            "alice@localhost", c, ["rule 'frank'", "disclose_identity"])
finally:
    c.close()
c = call("disc-none", idp("frank", "default"), conf("disc", DISC))
try:
    goes_on("frank's rule asks for at most a pseudonym, and we asserted "
            "nothing", c)
finally:
    c.close()

# ---- 3. not_in_contacts looks at the contacts file ----
with open(contacts, "w") as f:
    f.write("# test\ncarol@LOCALHOST\n")
os.chmod(contacts, 0o600)
NIC = """[profile strangers]
disclose_identity = none
[profile known]
disclose_identity = full
[rule strangers]
not_in_contacts = true
profile = strangers
[default]
profile = known
"""
for who, rule in (("carol", "default"), ("dave", "strangers")):
    c = call("nic-" + who, idp(who, "default"), conf("nic", NIC))
    try:
        if goes_on("not_in_contacts, %s" % who, c):
            pe = [x for x in ev(c.answerer, "privacy") if x.get("reevaluated")]
            tap.ok(pe and pe[0].get("rule") == rule,
                   "%s: re-evaluated rule '%s' (contacts file: carol)" % (who, rule),
                   pe)
    finally:
        c.close()

# ---- 4. --only-verified ----
c = call("ov-dave", idp("dave"), ["--ca", ca, "--only-verified"])
try:
    refused("--only-verified, a verified stranger", c,
            ["dave@localhost", "not in your contacts"])
finally:
    c.close()
c = call("ov-anon", [], ["--ca", ca, "--only-verified"])
try:
    refused("--only-verified, an anonymous caller", c,
            ["no identity assertion"])
finally:
    c.close()
c = call("ov-carol", idp("carol"), ["--ca", ca, "--only-verified"])
try:
    goes_on("--only-verified, a verified contact", c)
finally:
    c.close()

# ---- 5. --only-verified --defer-ice: decided before the announcement ----
rec, rport = sctest.recording_relay()
try:
    url_room = "ov-defer-dave"
    c = sctest.Call(room=url_room, relay=rec, port=rport,
                    offer_extra=idp("dave", "default"),
                    answer_extra=["--ca", ca, "--only-verified", "--defer-ice"],
                    offer_env=env, answer_env=env)
    try:
        refused("--defer-ice --only-verified, a verified stranger", c,
                ["dave@localhost", "not in your contacts"])
        rec.wait_for(lambda e: e.get("event") == "frame" and
                     e.get("from") == 0 and e.get("type") == "bye", 10)
        sent = [e.get("type") for e in rec.events
                if e.get("event") == "frame" and e.get("from") == 0]
        tap.ok(not ev(c.answerer, "incoming") and not ev(c.answerer, "ice") and
               sent == ["bye"],
               "the stranger is refused before the call is announced; the "
               "callee sent nothing but the bye", (ev(c.answerer, "incoming"), sent))
    finally:
        c.close()
finally:
    rec.kill()
c = call("ov-defer-carol", idp("carol", "default"),
         ["--ca", ca, "--only-verified", "--defer-ice"])
try:
    inc = c.answerer.wait_event("incoming", timeout=40)
    tap.ok(inc is not None and inc.get("identity") == "carol@localhost" and
           inc.get("verified") is True and inc.get("idp") == IDP and
           inc.get("pseudonym") is False and
           inc.get("identity_status") == "verified" and "rule_matched" in inc,
           "--defer-ice: the incoming event says who verified calls, by "
           "which IdP, and the rule", (inc, c.diag()))
    tap.ok(not ev(c.answerer, "ice"), "no ICE before accept", c.answerer.events)
    c.answerer.send({"cmd": "accept"})
    goes_on("--defer-ice, accepted contact", c)
finally:
    c.close()

# ---- 6. {"cmd":"allow"} stores a verified peer ----
c = call("allow", idp("erin", "default"), ["--ca", ca])
try:
    if c.wait_open() and c.answerer.wait_for(
            lambda e: e.get("event") == "identity" and
            e.get("status") == "verified", 30):
        c.answerer.send({"cmd": "allow"})
        a = c.answerer.wait_event("contacts", timeout=10)
        with open(contacts) as f:
            lines = f.read().split()
        tap.ok(a is not None and "erin@localhost" in lines and
               stat.S_IMODE(os.stat(contacts).st_mode) == 0o600,
               "allow: erin@localhost is in the contacts file (0600)",
               (a, lines))
        c.offerer.send({"cmd": "allow"})
        err = c.offerer.wait_event("error", timeout=10)
        tap.ok(err is not None and "no verified identity" in err.get("detail", ""),
               "allow: refused for a peer without a verified identity", err)
    else:
        tap.ok(False, "allow: the call opens", c.diag())
finally:
    c.close()
c = call("allow-2", idp("erin", "default"), ["--ca", ca, "--only-verified"])
try:
    goes_on("--only-verified after allow", c)
finally:
    c.close()
r = subprocess.run([sctest.SEALCALL, "contacts", "list"], capture_output=True,
                   env=dict(os.environ, **env), timeout=20)
tap.ok(r.returncode == 0 and r.stdout.decode().split() ==
       ["carol@localhost", "erin@localhost"],
       "sealcall contacts list", (r.returncode, r.stdout, r.stderr))

# ---- 7. refuse_unlinkable ----
UNL = "[profile p]\nrefuse_unlinkable = true\n[default]\nprofile = p\n"
c = call("unl-host", [], conf("unl", UNL))
try:
    goes_on("refuse_unlinkable, a caller with host candidates", c)
finally:
    c.close()
why = turnserver.available()
if why:
    tap.diag("skipping the relay-only callers: " + why)
else:
    turn = turnserver.TurnServer("u", "p")
    try:
        relay_only = ["--relay-only", "--turn",
                      "turn:u:p@127.0.0.1:%d" % turn.port]
        for label, extra, refused_expected in (
                ("no identity", [], True),
                ("a pseudonym", idp(PSEUDONYM, "default"), True),
                ("a full identity", idp("alice", "default"), False)):
            c = call("unl-" + label.replace(" ", "-"), relay_only + extra,
                     conf("unl", UNL) + ["--turn", "turn:u:p@127.0.0.1:%d" % turn.port])
            try:
                if refused_expected:
                    refused("refuse_unlinkable, a relay-only caller with %s" % label,
                            c, ["unlinkable", "refuse_unlinkable"])
                else:
                    goes_on("refuse_unlinkable, a relay-only caller with %s" % label, c)
            finally:
                c.close()
        # deferred: judged on the caller's candidates before the call is
        # announced (its offer may carry none: they trickle)
        c = call("unl-defer", relay_only,
                 conf("unl", UNL) + ["--defer-ice", "--turn",
                                     "turn:u:p@127.0.0.1:%d" % turn.port])
        try:
            refused("--defer-ice, refuse_unlinkable, a relay-only caller "
                    "without identity", c, ["unlinkable"])
            tap.ok(not ev(c.answerer, "incoming"),
                   "--defer-ice: the unlinkable caller is refused before the "
                   "call is announced", c.answerer.events)
        finally:
            c.close()
    finally:
        turn.stop()
c = call("unl-defer-host", [], conf("unl", UNL) + ["--defer-ice"])
try:
    inc = c.answerer.wait_event("incoming", timeout=40)
    tap.ok(inc is not None, "--defer-ice, refuse_unlinkable: a caller with "
           "host candidates is announced", c.diag())
    c.answerer.send({"cmd": "decline"})
finally:
    c.close()
ANON = "[profile p]\nrefuse_anonymous = true\n[default]\nprofile = p\n"
c = call("anon-defer", [], conf("anon", ANON) + ["--defer-ice"])
try:
    refused("--defer-ice, refuse_anonymous, an anonymous caller", c,
            ["no identity assertion"])
    tap.ok(not ev(c.answerer, "incoming"),
           "--defer-ice: the anonymous caller is refused before the call is "
           "announced", c.answerer.events)
finally:
    c.close()

# ---- 8. disclose_identity = pseudonym ----
p = subprocess.run([sctest.SEALCALL, "call", "--signal",
                    "ws://127.0.0.1:9/room/x"] +
                   conf("pseu", "[profile p]\ndisclose_identity = pseudonym\n"
                                "[default]\nprofile = p\n") +
                   ["--idp", IDP, "--identity-hint", "alice"],
                   capture_output=True, env=dict(os.environ, **env), timeout=20)
tap.ok(p.returncode == 2 and b"--identity-hint pseudonym" in p.stderr,
       "disclose_identity=pseudonym refuses --idp with another user",
       p.stderr)

srv.close()
tap.done()
