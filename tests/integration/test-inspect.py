#!/usr/bin/env python3
"""`sealcall inspect` on a running call through its control socket (issue
15 point 6, README "Inspecting a running call").

A real call between two sealcall processes through a recording relay (for
the ICE passwords its SDP carries). `sealcall inspect --call PID` prints
the call's report, whose fingerprints are the ones the call's own
`inspect` command gives, and which holds no ICE password or TURN
credential; `--watch` follows until the call ends; with no call it says
so and exits 1; several calls are listed. The control socket is mode 0600
in a directory of mode 0700; a connection from another uid is refused,
even one whose capabilities get past the file permissions; a flood of
control connections, over-long requests and requests too fast do not stop
the call. The socket goes away after a hangup and after SIGTERM, and a
crashed call's socket is removed by the next `inspect`. An unsafe
directory disables the socket with a warning and the call goes on.
"""
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests",
                                "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
RUNDIR = tempfile.mkdtemp(prefix="sctest-inspect-")
os.environ["XDG_RUNTIME_DIR"] = RUNDIR  # every child inherits it
CTLDIR = os.path.join(RUNDIR, "sealcall")
TURN_PASS = "Sh0uldNeverShowTurnPw"


def sock_path(pid):
    return os.path.join(CTLDIR, "call-%d.sock" % pid)


def inspect(*args, env=None, timeout=30):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([sctest.SEALCALL, "inspect"] + list(args),
                          capture_output=True, text=True, timeout=timeout,
                          env=e)


def wait_until(cond, timeout=20.0):
    """Polls @cond (a cheap check of files or processes) until it holds or
    the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def ask_raw(path, data, timeout=10.0):
    """Connects to @path, sends @data, returns everything read until the
    server closes (or the timeout)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)  # the server answers, then closes
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except OSError as e:
        return e
    finally:
        s.close()


def own_report(proc):
    """The report the call's own {"cmd":"inspect"} gives."""
    start = len(proc.events)
    proc.send({"cmd": "inspect"})
    ev = proc.wait_for(lambda e: e.get("event") == "inspector", 15,
                       start=start)
    return ev["report"] if ev else None


def ice_passwords(mitm):
    # the relay's events are read as they are awaited
    mitm.wait_for(lambda e: e.get("event") == "frame" and
                  e.get("type") == "answer", 10)
    out = []
    for e in mitm.events:
        for line in (e.get("sdp") or "").splitlines():
            if line.startswith("a=ice-pwd:"):
                out.append(line.split(":", 1)[1].strip())
    return out


# ---- no call ----
r = inspect()
tap.ok(r.returncode == 1 and "no call is running" in r.stderr,
       "no control directory: 'no call is running', exit 1",
       "rc %d\n%s%s" % (r.returncode, r.stdout, r.stderr))

mitm, port = sctest.recording_relay("--sdp")
# a TURN server nobody runs: its credentials are in the call's
# configuration, and must not reach the report
turn = "turn:inspuser:%s@127.0.0.1:9" % TURN_PASS
# the answerer's DTLS key is one we know, to look for in its report
CERT = os.path.join(RUNDIR, "cert.pem")
subprocess.run(["openssl", "req", "-x509", "-nodes", "-sha256", "-days", "30",
                "-subj", "/CN=sealcall-test", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-keyout", CERT + ".key", "-out",
                CERT + ".crt"], check=True, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
with open(CERT, "wb") as f:
    for part in (CERT + ".crt", CERT + ".key"):
        with open(part, "rb") as g:
            f.write(g.read())
os.chmod(CERT, 0o600)
with open(CERT + ".key") as f:
    KEY_LINES = [ln for ln in f.read().splitlines()
                 if ln and not ln.startswith("-----")]
call = sctest.Call(relay=mitm, port=port, offer_extra=["--turn", turn],
                   answer_extra=["--cert", CERT])
off, ans = call.both()
ok = call.wait_open("chat", 40) or call.wait_open("chat", 1)
sctest.chat(tap, off, ans, "hello before inspect")
if not tap.ok(ok, "a call between two sealcall processes connects",
              call.diag()):
    call.close()
    mitm.kill()
    tap.done()

# ---- the socket and its directory ----
st_dir = os.lstat(CTLDIR) if os.path.lexists(CTLDIR) else None
tap.ok(st_dir is not None and stat.S_ISDIR(st_dir.st_mode) and
       stat.S_IMODE(st_dir.st_mode) == 0o700 and
       st_dir.st_uid == os.geteuid(),
       "control directory $XDG_RUNTIME_DIR/sealcall is ours, mode 0700",
       st_dir and oct(st_dir.st_mode))
modes = {}
for p in (off, ans):
    path = sock_path(p.p.pid)
    if os.path.lexists(path):
        modes[p.name] = os.lstat(path)
tap.ok(len(modes) == 2 and all(stat.S_ISSOCK(s.st_mode) and
                               stat.S_IMODE(s.st_mode) == 0o600 and
                               s.st_uid == os.geteuid()
                               for s in modes.values()),
       "each call listens on call-PID.sock, a socket of mode 0600",
       {k: oct(v.st_mode) for k, v in modes.items()})

# ---- the report ----
mine = own_report(off)
r = inspect("--call", str(off.p.pid), "--json")
try:
    theirs = json.loads(r.stdout)
except ValueError:
    theirs = None
tap.ok(r.returncode == 0 and theirs is not None and mine is not None and
       theirs["transport"]["local_fingerprint"] ==
       mine["transport"]["local_fingerprint"] and
       theirs["transport"]["remote_fingerprint"] ==
       mine["transport"]["remote_fingerprint"] and
       theirs["transport"]["sas"] == mine["transport"]["sas"] and
       mine["transport"]["remote_fingerprint"] is not None,
       "inspect --call PID --json: the fingerprints and SAS of the call's "
       "own inspect command",
       "rc %d\n%s\n%s\nown: %s" % (r.returncode, r.stdout[:2000], r.stderr,
                                   mine))
peer = own_report(ans)
tap.ok(theirs is not None and peer is not None and
       theirs["transport"]["remote_fingerprint"] ==
       peer["transport"]["local_fingerprint"],
       "its remote fingerprint is the answerer's own")
pws = ice_passwords(mitm)
secrets = pws + [TURN_PASS]
tap.ok(theirs is not None and len(pws) >= 2 and
       not any(s in r.stdout for s in secrets),
       "the report holds neither side's ICE password nor the TURN "
       "credential", "ice-pwd lines: %d" % len(pws))
ra = inspect("--call", str(ans.p.pid), "--json")
tap.ok(ra.returncode == 0 and '"configured"' in ra.stdout and
       len(KEY_LINES) >= 2 and not any(k in ra.stdout for k in KEY_LINES) and
       not any(s in ra.stdout for s in pws),
       "the answerer's report (--cert): no line of its private key, no ICE "
       "password", ra.stdout[:300] + ra.stderr)

r = inspect("--call", str(off.p.pid))
tap.ok(r.returncode == 0 and
       mine is not None and mine["transport"]["sas"] in r.stdout and
       mine["transport"]["local_fingerprint"] in r.stdout,
       "inspect --call PID: the report for a person (fingerprint, SAS)",
       r.stdout[:500] + r.stderr)

r = inspect()
tap.ok(r.returncode == 2 and str(off.p.pid) in r.stdout and
       str(ans.p.pid) in r.stdout and "--call" in r.stderr,
       "two calls running: both listed (pid), --call asked for, exit 2",
       r.stdout + r.stderr)

r = inspect("--call", "999999999")
tap.ok(r.returncode == 1 and "no call with PID" in r.stderr,
       "--call of a PID that runs no call: said, exit 1", r.stderr)

# ---- strangers ----
STRANGER = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect-failed", e.errno); sys.exit(0)
try:
    s.sendall(b'{"cmd":"inspect"}\n')
    data = s.recv(65536)
    print("received", len(data))
except OSError as e:
    print("closed", e.errno)
"""
if os.geteuid() != 0 or shutil.which("setpriv") is None:
    tap.ok(True, "# SKIP another user's connection: needs root and "
                 "setpriv")
else:
    base = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    r = subprocess.run(base + [sys.executable, "-c", STRANGER,
                               sock_path(off.p.pid)],
                       capture_output=True, text=True, timeout=30)
    tap.ok(os.path.exists(sock_path(off.p.pid)) and
           r.stdout.startswith("connect-failed"),
           "uid nobody cannot reach the socket (directory 0700)",
           r.stdout + r.stderr)
    # capabilities that pass the file permissions: only SO_PEERCRED stops it
    caps = ["--inh-caps=+dac_override", "--ambient-caps=+dac_override"]
    r = subprocess.run(base + caps + [sys.executable, "-c", STRANGER,
                                      sock_path(off.p.pid)],
                       capture_output=True, text=True, timeout=30)
    tap.ok(r.stdout.strip() in ("received 0", "closed 104", "closed 32"),
           "uid nobody past the file permissions: connected, then closed "
           "without a report (peer uid checked)", r.stdout + r.stderr)
    tap.ok("refused a connection from uid 65534" in off.stderr_tail(200),
           "the call says once that it refused uid 65534")

# ---- hostile clients of our own uid ----
path = sock_path(off.p.pid)
out = ask_raw(path, b'{"cmd":"' + b"x" * 2000 + b'"}\n')
tap.ok(isinstance(out, bytes) and b"request too long" in out,
       "a request over 1024 bytes: an error, then closed", out)
out = ask_raw(path, b'{"cmd":"info"}\n' * 40)
tap.ok(isinstance(out, bytes) and b"too many requests" in out and
       out.count(b'"pid"') <= 10,
       "40 requests at once: at most 10 answered, then an error and closed",
       out[-300:] if isinstance(out, bytes) else out)

out = ask_raw(path, b'{"cmd":"hangup"}\nnot json\n{"cmd":"info"}\n')
lines = out.splitlines() if isinstance(out, bytes) else []
try:
    parsed = [json.loads(x) for x in lines]
except ValueError:
    parsed = []
tap.ok(len(parsed) == 3 and "error" in parsed[0] and "error" in parsed[1] and
       parsed[2].get("pid") == off.p.pid and off.p.poll() is None,
       "a command that is not inspect, watch or info (hangup) and a line "
       "that is not JSON: an error line each, nothing done", out)

# a flood of connections: some kept open (more than the 4 served), the
# rest opened and closed as fast as possible, while chat goes on
stop = threading.Event()
flood = {"connected": 0, "busy": 0, "errors": 0}


def flooder():
    held = []
    while not stop.is_set():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect(path)
            flood["connected"] += 1
        except OSError:
            flood["errors"] += 1
            s.close()
            continue
        if len(held) < 20:
            held.append(s)
            if len(held) > 6:
                try:
                    if b"busy" in s.recv(200):
                        flood["busy"] += 1
                except OSError:
                    pass
        else:
            s.close()
    for s in held:
        s.close()


th = threading.Thread(target=flooder)
th.start()
delivered = 0
for i in range(10):
    off.send({"cmd": "send", "label": "chat", "text": "during flood %d" % i})
    if ans.wait_event("message", text="during flood %d" % i, timeout=20):
        delivered += 1
# the flood goes on until it has made 300 connections (a minute at most)
deadline = time.monotonic() + 60
while flood["connected"] < 300 and time.monotonic() < deadline:
    th.join(0.2)
off.send({"cmd": "send", "label": "chat", "text": "after 300"})
delivered += ans.wait_event("message", text="after 300",
                            timeout=20) is not None
stop.set()
th.join(30)
tap.ok(flood["connected"] >= 300 and flood["busy"] > 0,
       "the flood's connections were accepted, those beyond 4 told busy",
       flood)
tap.ok(delivered == 11, "chat delivered during the flood", delivered)
ok = wait_until(lambda: inspect("--call", str(off.p.pid),
                                "--json").returncode == 0, 30)
tap.ok(ok, "after the flood, inspect works again")

# ---- --watch follows the answerer through 200 messages, to the end ----
t0 = time.monotonic()
w = subprocess.Popen([sctest.SEALCALL, "inspect", "--watch", "--json",
                      "--call", str(ans.p.pid)], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
first = w.stdout.readline()  # blocks until the first report: no sleep
try:
    first_ok = "transport" in json.loads(first)
except ValueError:
    first_ok = False
tap.ok(first_ok, "--watch prints the report at once", first)
watched = []
reader = threading.Thread(target=lambda: watched.extend(w.stdout))
reader.start()
for i in range(200):
    off.send({"cmd": "send", "label": "chat", "text": "m%d" % i})
got = ans.wait_event("message", text="m199", timeout=30)
tap.ok(got is not None, "200 messages reach the watched answerer")
sctest.hang_up(tap, ans, off, "both exit 0 after the answerer's hangup")
try:
    w.wait(timeout=20)
except subprocess.TimeoutExpired:
    w.kill()
    w.wait()
reader.join(20)
werr = w.stderr.read()
elapsed = time.monotonic() - t0
reports = [ln for ln in watched if '"transport"' in ln]
last = watched[-1] if watched else ""
try:
    ended = json.loads(last)
except ValueError:
    ended = {}
tap.ok(w.returncode == 0 and ended.get("event") == "ended" and
       ended.get("reason") == "hangup",
       "--watch follows until the call ends by hangup, then exits 0",
       "rc %s\n%s\n%s" % (w.returncode, last[-300:], werr))
# an upper bound only: a slow machine makes fewer reports, never more
tap.ok(1 <= len(reports) <= 5 * elapsed + 3,
       "200 message events coalesced: %d reports in %.1f s (at most 5 a "
       "second)" % (len(reports) + 1, elapsed))
tap.ok(len(modes) == 2 and not os.path.lexists(sock_path(off.p.pid)) and
       not os.path.lexists(sock_path(ans.p.pid)),
       "both sockets removed after the hangup",
       os.listdir(CTLDIR) if os.path.isdir(CTLDIR) else "no directory")
call.close()

# ---- SIGTERM, and a crash ----
call = sctest.Call(relay=mitm, port=port, room="t2")
off, ans = call.both()
ok = call.wait_open("chat", 40)
existed = os.path.exists(sock_path(off.p.pid))
tap.ok(ok, "a second call is up", call.diag())
off.p.send_signal(signal.SIGTERM)
rc = off.wait_exit(20)
tap.ok(existed and rc is not None and
       not os.path.lexists(sock_path(off.p.pid)),
       "socket removed after SIGTERM", "existed %s rc %s" % (existed, rc))
ans.wait_exit(20)
call.close()

call = sctest.Call(relay=mitm, port=port, room="t3")
off, ans = call.both()
ok = call.wait_open("chat", 40)
pids = (off.p.pid, ans.p.pid)
for p in (off, ans):
    p.p.kill()  # SIGKILL: nothing can clean up
    p.p.wait()
left = all(os.path.lexists(sock_path(p)) for p in pids)
r = inspect()
tap.ok(ok and left and r.returncode == 1 and
       "no call is running" in r.stderr and
       not any(os.path.lexists(sock_path(p)) for p in pids),
       "killed calls' sockets: inspect removes them, 'no call is running', "
       "exit 1", "left %s rc %d %s" % (left, r.returncode, r.stderr))
call.close()

# ---- an unsafe directory: no socket, a warning, the call goes on ----
bad = tempfile.mkdtemp(prefix="sctest-inspect-bad-")
os.mkdir(os.path.join(bad, "sealcall"), 0o755)
os.chmod(os.path.join(bad, "sealcall"), 0o755)
other = tempfile.mkdtemp(prefix="sctest-inspect-link-")
os.chmod(other, 0o700)
link = tempfile.mkdtemp(prefix="sctest-inspect-sym-")
os.symlink(other, os.path.join(link, "sealcall"))
for rundir, what in ((bad, "mode 0755"), (link, "a symlink")):
    url = "ws://127.0.0.1:%d/room/unsafe" % port
    a = sctest.endpoint("answer", url, "unsafe",
                        env={"XDG_RUNTIME_DIR": rundir})
    up = a.wait_event("signaling", state="connected", timeout=20)
    err = a.stderr_tail(50)
    tap.ok(up is not None and "control socket disabled" in err and
           os.listdir(os.path.join(rundir, "sealcall")) == [],
           "control directory %s: socket disabled with a warning, the call "
           "goes on" % what, err)
    r = inspect(env={"XDG_RUNTIME_DIR": rundir})
    tap.ok(r.returncode == 1 and "refusing" in r.stderr,
           "inspect refuses a control directory that is %s" % what,
           r.stderr)
    a.send({"cmd": "hangup"})
    a.wait_exit(10)
    a.kill()

mitm.kill()
for d in (RUNDIR, bad, other, link):
    shutil.rmtree(d, ignore_errors=True)
tap.done()
