#!/usr/bin/env python3
"""The full-screen view of `sealcall call|answer` (issue 15), driven in a
real terminal: tmux (a private server, send-keys and capture-pane) runs
the real program through a real relay, against a `sealcall --json` peer.

- a call without identity: the status area says CONNECTED and NOT
  VERIFIED, every stream encrypted; the security panel's fingerprints
  are the peer's report's (ours is its remote one, its own is our peer
  one), and the SAS is the peer's;
- what the peer controls cannot draw on the screen: chat and a channel
  label with escape sequences, CR/LF and a bidi override show as text, on
  the chat line, and no forged "Peer [VERIFIED]" line appears;
- the microphone and camera keys stop what the peer receives (its
  packet counts stop growing, the other kind's keep growing) and the
  indicator says STOPPED;
- tmux resize-window redraws for the new size;
- Ctrl-C hangs up (exit 0) and leaves the terminal sane (stty: icanon
  echo; the alternate screen left); so do SIGTERM and a crash (SIGABRT:
  the terminal is restored by the fatal-signal handler);
- a peer verified by an IdP (the setup of test-call-identity.py, its
  proxy slowed down by 5 s): connected and NOT VERIFIED, then VERIFIED with the identity
  and the IdP;
- a relay that rewrites the answer's fingerprint: the view shows the
  failure (CALL FAILED: FINGERPRINT-MISMATCH) and never CONNECTED, and
  stays until a key is pressed; exit 1;
- `answer --defer-ice`: the view shows who calls with accept/decline
  keys, the caller learns nothing (no ICE) until y is pressed, then the
  call connects;
- `--plain` and `--json` on a terminal keep lines (no alternate screen).
"""
import atexit
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
build = os.path.abspath(os.environ.get("TOP_BUILDDIR", "."))
SOCK = "sctui-%d" % os.getpid()
try:
    r = subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null", "-V"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        tap.skip_all("tmux does not run: " + r.stderr.decode()[-200:])
except OSError as e:
    tap.skip_all("tmux not installed (%s)" % e)
LANG = "C.UTF-8"


@atexit.register
def tmux_gone():
    """However the test ends: our tmux server (its panes get SIGHUP) and
    its socket file."""
    subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null", "kill-server"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        os.unlink(os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"),
                               "tmux-%d" % os.getuid(), SOCK))
    except OSError:
        pass


def tmux(*args):
    return subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def skip(desc, why):
    tap.n += 1
    print("ok %d - %s # SKIP %s" % (tap.n, desc, why), flush=True)


class Screen:
    """One tmux session running `sh -c CMD`; after the program the shell
    prints its exit status and `stty -a`, then waits (the pane stays)."""

    n = 0

    def __init__(self, argv, env=None, cols=160, rows=50):
        Screen.n += 1
        self.name = "s%d" % Screen.n
        envs = ["LANG=" + LANG, "TERM=tmux-256color"] + [
            "%s=%s" % kv for kv in (env or {}).items()]
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                  "SC_DEBUG", "G_SLICE", "G_DEBUG"):
            if k in os.environ:
                v = os.environ[k]
                if k == "ASAN_OPTIONS" and not ("--no-audio" in argv and
                                                "--no-video" in argv):
                    # as sctest.Proc: GStreamer's quark-table leak is
                    # matched to its suppression only with slow unwinding
                    v += ":fast_unwind_on_malloc=0:malloc_context_size=8"
                envs.append("%s=%s" % (k, v))
        cmd = ("trap true INT; ulimit -c 0; %s; echo SEALCALL-EXIT=$?; "
               "stty -a; echo STTY-DONE; exec sleep 3600" %
               " ".join(shlex.quote(a) for a in argv))
        r = tmux("new-session", "-d", "-s", self.name, "-x", str(cols),
                 "-y", str(rows), "env", *envs, "sh", "-c", cmd)
        if r.returncode != 0:
            raise RuntimeError("tmux new-session: " + r.stderr)
        self.seen = []

    def text(self):
        t = tmux("capture-pane", "-p", "-t", self.name).stdout
        self.seen.append(t)
        return t

    def wait(self, pred, timeout=40):
        """The pane's text once @pred(text) holds, None at the deadline
        (captures are polled: the condition is the screen itself)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.text()
            if pred(t):
                return t
            time.sleep(0.2)
        return None

    def wait_text(self, s, timeout=40):
        return self.wait(lambda t: s in t, timeout)

    def keys(self, *k):
        tmux("send-keys", "-t", self.name, *k)

    def fmt(self, f):
        return tmux("display", "-p", "-t", self.name, f).stdout.strip()

    def program_pid(self):
        """The sealcall under the pane's shell."""
        sh = int(self.fmt("#{pane_pid}"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/task/%d/children" % (sh, sh)) as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                kids = []
            if kids:
                return kids[0]
            time.sleep(0.1)
        return None

    def exit_status(self, timeout=40):
        t = self.wait_text("STTY-DONE", timeout)
        m = re.search(r"SEALCALL-EXIT=(\d+)", t or "")
        return (int(m.group(1)) if m else None), (t or "")

    def kill(self):
        tmux("kill-session", "-t", self.name)


def sane(t):
    """stty -a of a terminal given back as it was."""
    words = set(t.replace(";", " ").split())
    return ({"icanon", "echo", "isig", "icrnl", "opost"} <= words and
            not words & {"-icanon", "-echo", "-isig"})


def tui_args(role, url, extra=(), media=False):
    a = [sctest.SEALCALL, role, "--signal", url, "--ice-address", "127.0.0.1"]
    if not media:
        a += ["--no-audio", "--no-video"]
    return a + list(extra)


def view_calls(url, name, extra=(), media=False, env=None, peer_extra=None):
    """A `sealcall answer --json` peer in @url's room, then the view
    calling it; returns (peer, Screen)."""
    peer = sctest.endpoint("answer", url, name, peer_extra, media=media,
                           env=env)
    peer.wait_event("signaling", state="connected", timeout=20)
    return peer, Screen(tui_args("call", url, extra, media=media), env=env)


def status_lines(t):
    """The status area: the lines above the first divider."""
    out = []
    for ln in t.splitlines():
        if ln.startswith("\u2500") or ln.startswith("q" * 10):
            break
        out.append(ln)
    return out


def panel_value(t, label):
    """A row of the security panel, its wrapped continuation joined."""
    lines = t.splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith(" %-12s " % label):
            v = ln[14:].rstrip()
            j = i + 1
            while j < len(lines) and lines[j].startswith(" " * 14) and \
                    lines[j].strip():
                v += lines[j][14:].rstrip()
                j += 1
            return v
    return None


def report(p):
    start = len(p.events)
    p.send({"cmd": "inspect"})
    e = p.wait_for(lambda e: e.get("event") == "inspector", 10, start=start)
    return e["report"] if e else None


def recv_packets(p, kind):
    rep = report(p) or {}
    for m in rep.get("media", []):
        if m.get("kind") == kind and m.get("direction") == "recv":
            return m.get("packets")
    return None


def stopped_growing(p, kind, other, timeout=20):
    """The peer's received @kind count stays put over 2 s while @other's
    grows; polled until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        a, b = recv_packets(p, kind), recv_packets(p, other)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 2:
            p.wait_for(lambda e: False, 0.5)  # keep its stdout read
        a2, b2 = recv_packets(p, kind), recv_packets(p, other)
        if None not in (a, a2, b, b2) and a2 == a and b2 > b:
            return True, (a, a2, b, b2)
    return False, (a, a2, b, b2)


# ---- 1. a call without identity, with media ----
relay, port = sctest.start_relay()
url = "ws://127.0.0.1:%d/room/tui" % port
peer = scr = None
try:
    peer, scr = view_calls(url, "peer", media=True)
    t = scr.wait(lambda t: "CONNECTED" in t and "audio: encrypted" in t and
                 "video: encrypted" in t and "data: encrypted" in t and
                 "microphone: IN USE" in t and "camera: IN USE" in t, 60)
    st = status_lines(t or "")
    tap.ok(t is not None and st and st[0].startswith(" sealcall call ws://"),
           "the status area is on top and says CONNECTED", t or scr.text())
    peer_line = [ln for ln in st if ln.startswith("Peer ")]
    tap.ok(len(peer_line) == 1 and "[NOT VERIFIED] no identity asserted"
           in peer_line[0],
           "without identity the status area says NOT VERIFIED", st)
    tap.ok(any(ln.startswith("Keys ") and "pairwise" in ln and "DTLS-SRTP"
               in ln for ln in st),
           "keying: pairwise DTLS-SRTP, up front", st)
    tap.ok(any(ln.startswith("Sent ") and "audio: encrypted" in ln and
               "video: encrypted" in ln and "data: encrypted" in ln
               for ln in st) and
           any(ln.startswith("Received ") and "audio: encrypted" in ln
               for ln in st),
           "each direction of audio, video and data: encrypted", st)
    tap.ok(any(ln.startswith("Privacy ") and "direct candidates" in ln and
               "keys per-call" in ln for ln in st),
           "the privacy profile, up front", st)
    dev = [ln for ln in st if ln.startswith("Devices ")]
    tap.ok(dev and "microphone: IN USE" in dev[0] and "camera: IN USE" in dev[0],
           "microphone and camera shown in use", dev)
    tap.ok("F2/^A mic" in t and "F3/^V camera" in t and "F4/Tab security" in t,
           "the help line shows the keys", t)

    # the security panel against the peer's own report
    scr.keys("F4")
    t = scr.wait(lambda t: panel_value(t, "Peer cert") is not None and
                 "packets" in t, 20)
    rep = report(peer)
    tr = (rep or {}).get("transport", {})
    ours = panel_value(t or "", "Our cert")
    theirs = (panel_value(t or "", "Peer cert") or "").replace(
        " (matches its signalled fingerprint)", "")
    tap.ok(tr.get("remote_fingerprint") and ours == tr["remote_fingerprint"],
           "panel: our fingerprint is the one the peer verified",
           (ours, tr.get("remote_fingerprint")))
    tap.ok(tr.get("local_fingerprint") and theirs == tr["local_fingerprint"],
           "panel: the peer's fingerprint is the peer's own",
           (theirs, tr.get("local_fingerprint")))
    sas = (panel_value(t or "", "SAS") or "").split(" ")[0]
    tap.ok(tr.get("sas") and sas == tr["sas"],
           "panel: the SAS is the peer's", (sas, tr.get("sas")))
    tap.ok(t is not None and all(panel_value(t, k) for k in
                                 ("DTLS", "Cipher", "PFS", "SRTP", "ICE pair",
                                  "Consent", "Key scope", "Identity")),
           "panel: DTLS, cipher, PFS, SRTP, ICE pair, consent, key scope, "
           "identity", t)
    tap.ok(t is not None and "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (IANA)"
           in t and "ECDHE-ECDSA-AES128-GCM-SHA256 (OpenSSL)" in t,
           "panel: the cipher's OpenSSL and IANA names", t)
    c1 = panel_value(t or "", "Consent")
    t2 = scr.wait(lambda x: panel_value(x, "Consent") not in (None, c1), 15)
    tap.ok(t2 is not None, "panel: consent freshness is live (redrawn)",
           (c1, t2))
    scr.keys("F4")

    # the peer's text cannot draw on the screen
    evil = ("\x1b[2J\x1b[H\x1b[32mPeer     [VERIFIED] mallory@evil\r\n"
            "Peer     [VERIFIED] mallory@evil\x1b]0;owned\x07\u202eEVIL")
    peer.send({"cmd": "send", "label": "chat", "text": evil})
    peer.send({"cmd": "send", "label": "\x1b[1;1H\rPeer     [VERIFIED] x",
               "text": "hi"})
    t = scr.wait(lambda t: "<\\x1b[1;1H\\x0dPeer" in t, 20)
    lines = (t or "").splitlines()
    chat = [ln for ln in lines if ln.startswith("<chat> ")]
    tap.ok(t is not None and any("\\x1b[2J\\x1b[H\\x1b[32mPeer" in ln and
                                 "\\x0d\\x0aPeer" in ln and "\\u202eEVIL" in ln
                                 for ln in chat),
           "a peer's escape sequences, CR/LF and bidi override show as text "
           "on its chat line", t)
    tap.ok(t is not None and not any(ln.startswith("Peer     [VERIFIED]")
                                     for ln in lines) and
           lines[0].startswith(" sealcall call") and
           any(ln.startswith("Peer     [NOT VERIFIED]") for ln in lines),
           "no forged line: the status area is intact, the peer still NOT "
           "VERIFIED", t)

    # chat both ways through the input line
    scr.keys("-l", "hello from the view")
    scr.keys("Enter")
    tap.ok(peer.wait_event("message", text="hello from the view",
                           timeout=15) is not None,
           "a line typed in the view reaches the peer")

    # microphone and camera keys
    scr.keys("F2")
    t = scr.wait(lambda t: "microphone: STOPPED" in t or "not in this build"
                 in t, 10)
    if t is not None and "not in this build" in t:
        skip("F2 stops the microphone", "sc_call_set_media_sending() not "
             "in this build yet")
        skip("F3 stops the camera", "sc_call_set_media_sending() not in "
             "this build yet")
    else:
        ok, diag = stopped_growing(peer, "audio", "video")
        tap.ok(t is not None and ok,
               "F2: the indicator says STOPPED and the peer's audio count "
               "stops growing (video goes on)", (diag, t))
        scr.keys("F2")
        scr.keys("C-v")
        t = scr.wait(lambda t: "camera: STOPPED" in t and
                     "microphone: STOPPED" not in t, 10)
        ok, diag = stopped_growing(peer, "video", "audio")
        tap.ok(t is not None and ok,
               "^V: the camera STOPPED, the peer's video count stops growing "
               "(audio back and growing)", (diag, t))

    # resize
    tmux("resize-window", "-t", scr.name, "-x", "100", "-y", "30")
    t = scr.wait(lambda t: len(t.splitlines()) <= 30 and
                 "F2/^A mic" in t.splitlines()[-1] if t.splitlines() else False,
                 15)
    lines = (t or "").splitlines()
    tap.ok(t is not None and lines[0].startswith(" sealcall call") and
           max(len(ln) for ln in lines) <= 100 and
           any(ln.startswith("\u2500" * 100) for ln in lines),
           "resize-window: redrawn for 100x30 (help line at the bottom)", t)

    # Ctrl-C hangs up; the terminal is given back
    scr.keys("C-c")
    rc, t = scr.exit_status()
    e = peer.wait_event("ended", timeout=20)
    tap.ok(rc == 0 and e is not None and e.get("reason") == "bye",
           "Ctrl-C hangs up: exit 0, the peer gets bye", (rc, e, t))
    tap.ok(sane(t) and scr.fmt("#{alternate_on}") == "0",
           "after Ctrl-C the terminal is sane and the alternate screen left",
           t)
    tap.ok("sealcall: call ended: hangup" in t,
           "the way the call ended is printed after the view", t)
finally:
    if scr:
        scr.kill()
    if peer:
        peer.kill()

# ---- 2. SIGTERM and a crash restore the terminal too ----
for sig, want in ((signal.SIGTERM, 0), (signal.SIGABRT, 128 + signal.SIGABRT)):
    url2 = "ws://127.0.0.1:%d/room/sig%d" % (port, sig)
    peer = scr = None
    try:
        peer, scr = view_calls(url2, "peer-sig")
        t = scr.wait_text("CONNECTED", 40)
        pid = scr.program_pid()
        if pid:
            os.kill(pid, sig)
        rc, t = scr.exit_status()
        tap.ok(t is not None and pid and rc == want and sane(t) and
               scr.fmt("#{alternate_on}") == "0",
               "%s: exit %s, the terminal sane, the alternate screen left" %
               (signal.Signals(sig).name, want), (rc, t))
    finally:
        if scr:
            scr.kill()
        if peer:
            peer.kill()

# ---- 3. a relay rewrites the answer's fingerprint ----
mitm = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                    "--rewrite-fingerprint", "answer"], "mitm")
ev = mitm.wait_event("listening", timeout=20)
url3 = "ws://127.0.0.1:%d/room/fp" % (ev or {}).get("port", 1)
peer = scr = None
try:
    peer, scr = view_calls(url3, "peer-fp")
    t = scr.wait_text("CALL FAILED: FINGERPRINT-MISMATCH", 60)
    tap.ok(t is not None and "press any key to leave" in t,
           "fingerprint mismatch: the view shows CALL FAILED: "
           "FINGERPRINT-MISMATCH and stays", t or scr.text())
    tap.ok(not any("CONNECTED" in x or "[VERIFIED]" in x for x in scr.seen),
           "fingerprint mismatch: never shown as connected",
           [x for x in scr.seen if "CONNECTED" in x][:1])
    scr.keys("q")
    rc, t = scr.exit_status()
    tap.ok(rc == 1 and "call ended: fingerprint-mismatch" in t and sane(t),
           "a key leaves: exit 1, the reason printed, the terminal sane",
           (rc, t))
finally:
    if scr:
        scr.kill()
    if peer:
        peer.kill()
    mitm.kill()

# ---- 4. answer --defer-ice: who calls, before anything is revealed ----
url4 = "ws://127.0.0.1:%d/room/defer" % port
scr = Screen(tui_args("answer", url4, ["--defer-ice"]))
caller = None
try:
    scr.wait_text("signaling connected", 30)
    caller = sctest.endpoint("call", url4, "caller")
    t = scr.wait(lambda t: "INCOMING CALL" in t and "y accept" in t, 30)
    tap.ok(t is not None and "[NOT VERIFIED] no identity asserted" in t and
           "127.0.0.1:%d" % port in t and "defer" in t and "sha-256" in t,
           "defer: the view shows who calls (relay, room, certificate, "
           "NOT VERIFIED) with accept/decline keys", t or scr.text())
    caller.wait_for(lambda e: False, 1)
    ice = [e for e in caller.events if e.get("event") == "ice" and
           e.get("state") == "connected"]
    tap.ok(not ice, "defer: no ICE with the caller before the answer", ice)
    scr.keys("y")
    t = scr.wait_text("CONNECTED", 40)
    tap.ok(t is not None and caller.wait_event("channel", state="open",
                                               timeout=20) is not None,
           "defer: y accepts, the call connects", t or scr.text())
    scr.keys("-l", "/hangup")
    scr.keys("Enter")
    rc, t = scr.exit_status()
    tap.ok(rc == 0 and sane(t), "/hangup in the view: exit 0", (rc, t))
finally:
    scr.kill()
    if caller:
        caller.kill()

# n declines: the caller is told, nothing was revealed, exit 0
url4 = "ws://127.0.0.1:%d/room/decline" % port
scr = Screen(tui_args("answer", url4, ["--defer-ice"]))
caller = None
try:
    scr.wait_text("signaling connected", 30)
    caller = sctest.endpoint("call", url4, "caller-n")
    t = scr.wait(lambda t: "INCOMING CALL" in t and "n decline" in t, 30)
    scr.keys("n")
    e = caller.wait_event("ended", timeout=30)
    rc, t = scr.exit_status()
    tap.ok(e is not None and e.get("reason") == "bye" and
           e.get("peer_reason") == "declined" and rc == 0 and sane(t) and
           not [x for x in caller.events if x.get("event") == "ice" and
                x.get("state") == "connected"],
           "defer: n declines (the caller gets bye, declined; no ICE), "
           "exit 0", (e, rc, t))
finally:
    scr.kill()
    if caller:
        caller.kill()

# ---- 5. a peer verified by an IdP ----
if subprocess.run(["sh", "-c", "command -v openssl"],
                  stdout=subprocess.DEVNULL).returncode:
    skip("identity shown once verified", "openssl tool not installed")
else:
    import tempfile
    import idpserver  # noqa: E402
    tmp = tempfile.mkdtemp(prefix="sealcall-tui-")
    ca, cert, key = idpserver.make_ca(tmp, "tui")
    proxy = idpserver.hmac_proxy(validate_delay=5000).replace(
        "PROTOCOL", json.dumps("slow"))
    srv = idpserver.IdpServer(cert, key, {"slow": proxy})
    IDP = "localhost:%d" % srv.port
    env = {"SEALCALL_IDP_SANDBOX": os.path.join(
        build, "src", "identity", "sealcall-idp-sandbox")}
    url5 = "ws://127.0.0.1:%d/room/id" % port
    peer = scr = None
    try:
        peer, scr = view_calls(url5, "peer-id", ["--ca", ca], env=env,
                               peer_extra=["--ca", ca, "--idp", IDP,
                                           "--identity-hint", "bob",
                                           "--idp-protocol", "slow"])
        t1 = scr.wait(lambda t: "CONNECTED" in t or "[VERIFIED]" in t, 60)
        t2 = scr.wait_text("[VERIFIED] bob@localhost", 60)
        before = [x for x in scr.seen if "CONNECTED" in x and
                  "Peer     [NOT VERIFIED] no identity known yet" in x]
        tap.ok(before, "identity: connected, and NOT VERIFIED while the "
               "assertion is being checked", t1)
        line = [ln for ln in (t2 or "").splitlines()
                if ln.startswith("Peer ")]
        tap.ok(line and ("(by IdP %s, authoritative)" % IDP) in line[0],
               "identity: once verified the status area shows VERIFIED "
               "bob@localhost by IdP %s" % IDP,
               (t2 or scr.text()) + "\npeer: %s\n%s" % (peer.events,
                                                       peer.stderr_tail()))
        scr.keys("C-c")
        rc, t = scr.exit_status()
        tap.ok(rc == 0, "identity call: Ctrl-C, exit 0", (rc, t))
    finally:
        if scr:
            scr.kill()
        if peer:
            peer.kill()
        srv.close()

# ---- 6. --plain and --json on a terminal: lines, as before ----
for opt, want in (("--plain", "* signaling connected"),
                  ("--json", '{"event":"signaling","state":"connected"}')):
    scr = Screen(tui_args("answer", "ws://127.0.0.1:%d/room/plain" % port,
                          [opt]))
    try:
        t = scr.wait_text(want, 30)
        tap.ok(t is not None and scr.fmt("#{alternate_on}") == "0" and
               "F2/^A mic" not in t,
               "%s on a terminal: lines, no full-screen view" % opt,
               t or scr.text())
        scr.keys("C-c")
        rc, t = scr.exit_status()
        tap.ok(rc == 0, "%s: Ctrl-C, exit 0" % opt, (rc, t))
    finally:
        scr.kill()

relay.kill()
tap.done()
