#!/usr/bin/env python3
"""Privacy rules per destination (issue 13 point 7): the rule that applies
to the signaling origin is told before anything is sent (a `privacy` event
with --json, lines on stderr otherwise), appears in the inspector report of
the connected call, and a rule that asks for a capability sealcall does not
have yet refuses the call instead of being ignored. Bad files get
FILE:LINE errors; the command line may only add privacy unless
--privacy-override."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
S = sctest.SEALCALL
home = tempfile.mkdtemp(prefix="sc-privacy-")
conf_dir = os.path.join(home, "sealcall")
os.makedirs(conf_dir)
conf = os.path.join(conf_dir, "privacy.conf")
env = {"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}


def write_conf(text):
    with open(conf, "w") as f:
        f.write(text)


def run(*args, timeout=20):
    e = dict(os.environ)
    e.update(env)
    p = subprocess.run([S] + list(args), capture_output=True, timeout=timeout,
                       env=e, stdin=subprocess.DEVNULL)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def endpoint(role, url, name, extra=()):
    return sctest.Proc([S, role, "--signal", url, "--json", "--ice-address",
                        "127.0.0.1", "--no-audio", "--no-video"] + list(extra),
                       name, env=env)


relay, port = sctest.start_relay()
origin = "ws://127.0.0.1:%d" % port
try:
    # 1. the origin's rule: told first, then the call, then the inspector
    write_conf("""# privacy rules of the test
[profile local]
disclose_identity = pseudonym
key_scope = per-origin

[profile hidden]
relay_only = true

[rule this-relay]
origin = %s
profile = local

[rule strangers]
not_in_contacts = true
profile = hidden

[default]
profile = hidden
""" % origin)
    url = origin + "/room/privacy"
    ans = endpoint("answer", url, "p-answerer")
    ans.wait_event("signaling", state="connected", timeout=20)
    off = endpoint("call", url, "p-offerer")
    try:
        for p in (off, ans):
            ev = p.wait_event("ice", state="connected", timeout=30)
            names = [e.get("event") for e in p.events]
            first = p.events[0] if p.events else {}
            tap.ok(ev is not None and first.get("event") == "privacy" and
                   names.index("privacy") < names.index("signaling"),
                   "%s: the privacy event comes before signaling and ICE"
                   % p.name, names)
            tap.ok(first.get("rule") == "this-relay" and
                   first.get("matched") == "origin" and
                   first.get("origin") == origin and
                   first.get("source") == conf and
                   first.get("profile", {}).get("disclose_identity") ==
                   "pseudonym" and
                   "the peer learns your IP addresses" in first.get("text", ""),
                   "%s: it names the rule, why, and what is revealed" % p.name,
                   first)
        off.send({"cmd": "send", "label": "chat", "text": "hi"})
        got = ans.wait_event("message", text="hi", timeout=20)
        tap.ok(got is not None, "the call carries data", off.stderr_tail())
        off.send({"cmd": "inspect"})
        ins = off.wait_event("inspector", timeout=10) or {}
        rep = ins.get("report", {})
        priv = rep.get("privacy") or {}
        tap.ok(priv.get("rule") == "this-relay" and
               priv.get("matched") == "origin" and
               priv.get("profile", {}).get("relay_only") is False and
               priv.get("profile", {}).get("key_scope") == "per-origin" and
               priv.get("profile", {}).get("disclose_identity") == "pseudonym",
               "the inspector report has the privacy decision", rep)
        tap.ok(all(k in rep for k in ("transport", "peer", "ice", "media",
                                      "channels")) and
               rep["transport"].get("key_scope") == "per-origin" and
               rep["ice"].get("policy") == "all",
               "the report keeps its other fields, and they agree (the "
               "rule's per-origin key scope is in force)", rep)
        tap.ok(len(os.listdir(os.path.join(home, "sealcall", "keys"))) == 1,
               "the rule's per-origin key is in the store", home)
        sctest.hang_up(tap, off, ans)
    finally:
        off.kill()
        ans.kill()

    # 2. interactive: the lines are on stderr before signaling connects (the
    # "relay" accepts TCP and never answers the upgrade)
    mute = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    mute.bind(("127.0.0.1", 0))
    mute.listen(4)
    mport = mute.getsockname()[1]
    write_conf("""[profile local]
disclose_identity = full
key_scope = per-call
[rule mute]
origin = ws://127.0.0.1:%d
profile = local
""" % mport)
    rc, out, err = run("call", "--signal", "ws://127.0.0.1:%d/room/m" % mport,
                       "--no-audio", "--no-video", "-v")
    mute.close()
    lines = err.splitlines()
    first_log = next((i for i, l in enumerate(lines) if "sealcall[" in l),
                     len(lines))
    told = [i for i, l in enumerate(lines) if l.startswith("sealcall: privacy:")]
    tap.ok(rc == 0 and told and max(told) < first_log and
           "signaling connected" not in out and
           "rule 'mute'" in lines[told[0]] and
           "origin: the signaling origin is ws://127.0.0.1:%d" % mport in
           lines[told[0]] and
           any("the peer learns" in lines[i] for i in told),
           "interactive: which rule, why and what is revealed, on stderr "
           "before anything else", err)

    # 3. a rule asking for what is not built: refused, nothing sent
    write_conf("""[profile hidden]
relay_only = true
[rule strangers]
not_in_contacts = true
profile = hidden
""")
    rc, out, err = run("call", "--signal", url, "--json")
    tap.ok(rc == 2 and out == "" and err.count("\n") == 1 and
           "privacy rule 'strangers' asks for relay_only=true" in err and
           "needs a TURN server" in err and "refused" in err,
           "a rule's relay_only that cannot be honoured refuses the call, "
           "before anything is sent", (rc, out, err))
    write_conf("""[profile guarded]
refuse_anonymous = true
[default]
profile = guarded
""")
    # refuse_anonymous (issue 14): a caller without a verified identity is
    # refused before any media or data (test-call-identity.py has a
    # verified caller let through)
    a_url = origin + "/room/privacy-anon"
    a_ans = endpoint("answer", a_url, "anon-answerer")
    a_off = None
    try:
        a_ans.wait_event("signaling", state="connected", timeout=20)
        write_conf("")
        a_off = endpoint("call", a_url, "anon-offerer")
        e = a_ans.wait_event("ended", timeout=40)
        idev = [x for x in a_ans.events if x.get("event") == "identity"]
        opened = [x for p in (a_ans, a_off) for x in p.events
                  if x.get("event") in ("channel", "message")]
        tap.ok(e is not None and e.get("reason") == "identity-rejected" and
               idev and idev[0].get("status") == "none" and not opened,
               "refuse_anonymous: a caller without an identity is refused "
               "(identity-rejected), nothing opened", (e, idev, opened,
                                                      a_ans.stderr_tail()))
    finally:
        a_ans.kill()
        if a_off is not None:
            a_off.kill()
    # each field whose capability is not built refuses (never ignored)
    # a rule's defer_ice reaches the answerer: the call is announced and
    # waits for a decision (end of input declines it)
    write_conf("[profile p]\ndefer_ice = true\n[default]\nprofile = p\n")
    d_url = origin + "/room/privacy-defer"
    d_ans = endpoint("answer", d_url, "d-answerer")
    d_off = None
    try:
        d_ans.wait_event("signaling", state="connected", timeout=20)
        write_conf("")
        d_off = endpoint("call", d_url, "d-offerer")
        inc = d_ans.wait_event("incoming", timeout=30)
        tap.ok(inc is not None and
               not any(e.get("event") == "ice" for e in d_ans.events),
               "answer with a rule defer_ice=true: the call is announced, "
               "no ICE before a decision", d_ans.events)
        d_ans.send({"cmd": "decline"})
        tap.ok(d_ans.wait_exit(20) == 0 and d_off.wait_exit(20) == 0,
               "declined: both exit 0", d_ans.stderr_tail())
    finally:
        d_ans.kill()
        if d_off is not None:
            d_off.kill()
    write_conf("[profile p]\nip_handling = relay-only\n[default]\nprofile = p\n")
    rc, out, err = run("answer", "--signal", url, "--json")
    tap.ok(rc == 2 and out == "" and err.count("\n") == 1 and
           "privacy rule 'default' asks for relay_only=true" in err and
           "needs a TURN server" in err,
           "answer with a rule ip_handling=relay-only and no TURN server: "
           "refused, naming the rule", (rc, out, err))
    write_conf("[profile p]\nrequire_unlinkable = true\n[default]\n"
               "profile = p\n")
    rc, out, err = run("call", "--signal", url, "--json")
    tap.ok(rc == 2 and out == "" and err.count("\n") == 1 and
           "asks for relay_only=true" in err and "needs a TURN server" in err,
           "call with a rule require_unlinkable=true and no TURN server: "
           "refused (unlinkable implies relay-only)", (rc, out, err))
    # refuse_unlinkable is built: a rule with it no longer refuses every
    # call (test-call-peer-policy.py calls through it)
    write_conf("[profile p]\nrefuse_unlinkable = true\n[default]\n"
               "profile = p\n")
    rc, out, err = run("call", "--signal", url, "--json")
    tap.ok(rc == 0 and "not built" not in err,
           "a rule refuse_unlinkable=true: the caller is not refused (the "
           "callee's field)", (rc, out, err))
    # a rule's ip_handling reaches the call: the inspector says so (asked
    # before the call connects; end of input then hangs up)
    for mode in ("default-route", "default-route-only"):
        write_conf("[profile p]\nip_handling = %s\n[default]\nprofile = p\n"
                   % mode)
        e = dict(os.environ)
        e.update(env)
        p = subprocess.run([S, "call", "--signal", url + "-ip", "--json",
                            "--no-audio", "--no-video"],
                           input=b'{"cmd":"inspect"}\n', capture_output=True,
                           timeout=30, env=e)
        evs = [json.loads(line) for line in p.stdout.decode().splitlines()]
        ins = [ev for ev in evs if ev.get("event") == "inspector"]
        rep = ins[0].get("report", {}) if ins else {}
        tap.ok(p.returncode == 0 and
               rep.get("ice", {}).get("ip_handling") == mode and
               rep.get("privacy", {}).get("profile", {}).get("ip_handling")
               == mode,
               "a rule ip_handling=%s is the call's IP handling" % mode,
               (p.returncode, evs, p.stderr.decode()[-2000:]))
    # a caller has nothing to defer, and refuse_* are the callee's
    write_conf("[profile p]\ndefer_ice = true\nrefuse_anonymous = true\n"
               "[default]\nprofile = p\n")
    rc, out, err = run("call", "--signal", url, "--json")
    first = json.loads(out.splitlines()[0]) if out else {}
    tap.ok(rc == 0 and first.get("rule") == "default" and
           "defer_ice" not in first.get("text", ""),
           "call: the callee's fields do not apply", (rc, out, err))
    rc, out, err = run("call", "--signal", url, "--json",
                       "--privacy-config", "/dev/null")
    first = json.loads(out.splitlines()[0]) if out else {}
    tap.ok(rc == 0 and first.get("event") == "privacy" and
           first.get("matched") == "built-in" and first.get("rule") is None,
           "--privacy-config /dev/null: no rules, the built-in profile",
           (rc, out, err))

    # 4. the command line adds privacy, never removes it (unless overridden)
    write_conf("""[profile call-keys]
key_scope = per-call
[default]
profile = call-keys
""")
    rc, out, err = run("call", "--signal", url, "--key-scope", "per-origin")
    tap.ok(rc == 2 and "reveals more" in err and "'default'" in err,
           "--key-scope per-origin against a per-call rule is refused",
           (rc, err))
    rc, out, err = run("call", "--signal", url, "--key-scope", "per-site")
    tap.ok(rc == 2 and err.count("\n") == 1 and
           "--key-scope: 'per-site' is not one of per-call, per-origin" in err,
           "a bad --key-scope value: one line, exit 2", err)
    # a store that cannot be used shows that per-origin keys were asked for
    blocked = os.path.join(home, "blocked")
    os.makedirs(os.path.join(blocked, "sealcall"))
    open(os.path.join(blocked, "sealcall", "keys"), "w").close()
    env["XDG_DATA_HOME"] = blocked
    rc, out, err = run("call", "--signal", url, "--key-scope", "per-origin",
                       "--privacy-override")
    env["XDG_DATA_HOME"] = home
    tap.ok(rc != 0 and os.path.join(blocked, "sealcall", "keys") in err,
           "--privacy-override: the command line decides (per-origin keys "
           "over the rule's per-call)", (rc, err))
    rc, out, err = run("call", "--signal", url, "--require-unlinkable",
                       "--privacy-config", "/dev/null")
    tap.ok(rc == 2 and "--require-unlinkable (it implies relay-only) needs "
           "a TURN server" in err and err.count("\n") == 1,
           "--require-unlinkable without a TURN server is refused", (rc, err))
    # a configured certificate is one key for every origin: never unlinkable
    rc, out, err = run("call", "--signal", url, "--require-unlinkable",
                       "--turn", "turn:u:p@127.0.0.1:9", "--cert",
                       os.path.join(home, "no-such.pem"),
                       "--privacy-config", "/dev/null")
    tap.ok(rc == 2 and "--cert is one key pair for every origin" in err and
           "unlinkable" in err and err.count("\n") == 1,
           "--cert with --require-unlinkable is refused", (rc, err))

    # 5. bad files: one line naming FILE:LINE
    write_conf("[profile p]\nrelay_only = true\nkey_scop = per-call\n")
    rc, out, err = run("call", "--signal", url)
    tap.ok(rc == 2 and err.count("\n") == 1 and
           "%s:3: unknown key 'key_scop'" % conf in err,
           "a typo in the file is refused with file:line", err)
    write_conf("[profile p]\nrelay_only = \x1b]0;owned\x07\\nx\n")
    rc, out, err = run("call", "--signal", url)
    tap.ok(rc == 2 and "\x1b" not in err and "\x07" not in err and
           err.count("\n") == 1 and "'?]0;owned??x'" in err,
           "control characters the file quotes (raw or GKeyFile-escaped) "
           "are not shown", err)
    write_conf("[profile p]\nrelay_\u202eonly = true\n")
    rc, out, err = run("call", "--signal", url)
    tap.ok(rc == 2 and "\u202e" not in err and "relay_\\u202eonly" in err,
           "a bidi override the file quotes is shown escaped", err)
    rc, out, err = run("call", "--signal", url, "--privacy-config",
                       os.path.join(home, "missing.conf"))
    tap.ok(rc == 2 and "missing.conf" in err,
           "a --privacy-config file that does not exist is an error", err)
finally:
    relay.kill()
    shutil.rmtree(home, ignore_errors=True)
tap.done()
