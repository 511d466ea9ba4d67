"""Helpers for sealcall's integration tests and demo (TAP output).

Every wait has a deadline; nothing sleeps and hopes. Processes are started
and stopped by PID. Only 127.0.0.1 is used.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time

SEALCALL = os.environ.get("SEALCALL") or os.path.join(
    os.environ.get("TOP_BUILDDIR", "."), "ui-cli", "sealcall")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            if diag:
                for line in str(diag).splitlines():
                    print("# " + line, flush=True)
        return cond

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def skip_all(self, reason):
        print("1..0 # SKIP " + reason, flush=True)
        sys.exit(0)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


class Proc:
    """A child process speaking JSON lines on stdout."""

    kept = 0

    def __init__(self, args, name, env=None):
        self.name = name
        self.args = args
        e = dict(os.environ)
        if env:
            e.update(env)
        if (SEALCALL in args and not ("--no-video" in args and "--no-audio" in args)
                and "ASAN_OPTIONS" in e):
            # GStreamer's plugin loading makes GLib grow its quark table,
            # whose old array GLib leaks on purpose; LeakSanitizer can only
            # match that allocation (made under a library constructor,
            # suppressed as _dl_init in tests/lsan.supp) with slow unwinding.
            e["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0:malloc_context_size=8"
        self.stderr_path = "/tmp/sctest-%d-%s.err" % (os.getpid(), name)
        self.stderr = open(self.stderr_path, "wb")
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.stderr,
                                  env=e)
        self.buf = b""
        self.events = []     # every parsed event, in order
        self.lines = []      # stdout lines (decoded, bad bytes replaced)
        self.raw_lines = []  # stdout lines as bytes, exactly as written
        self.eof = False

    def _read_some(self, timeout):
        if self.eof:
            return False
        r, _, _ = select.select([self.p.stdout], [], [], max(0, timeout))
        if not r:
            return False
        chunk = os.read(self.p.stdout.fileno(), 65536)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.raw_lines.append(line)
            text = line.decode("utf-8", "replace")
            self.lines.append(text)
            try:
                ev = json.loads(text)
            except ValueError:
                ev = {"event": "_non_json", "line": text}
            self.events.append(ev)
        return True

    def wait_for(self, pred, timeout=20.0, start=0, also=()):
        """Returns the first event (from index @start) matching @pred.
        @also: other Procs whose stdout is read meanwhile. A child whose
        stdout pipe fills blocks in write(): its main loop stops, and with
        it ICE consent (its peer ends the call within 30 s). Pass the other
        endpoint when it prints much while this one is awaited."""
        deadline = time.monotonic() + timeout
        i = start
        while True:
            while i < len(self.events):
                if pred(self.events[i]):
                    return self.events[i]
                i += 1
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                # one last drain if EOF
                return None
            others = [o for o in also if not o.eof]
            if not others:
                self._read_some(min(left, 0.5))
                continue
            r, _, _ = select.select([self.p.stdout] +
                                    [o.p.stdout for o in others], [], [],
                                    min(left, 0.5))
            for o in others:
                if o.p.stdout in r:
                    o._read_some(0)
            if self.p.stdout in r:
                self._read_some(0)

    def wait_event(self, name, timeout=20.0, **fields):
        def pred(ev):
            if ev.get("event") != name:
                return False
            return all(ev.get(k) == v for k, v in fields.items())
        return self.wait_for(pred, timeout)

    def send(self, obj):
        try:
            self.p.stdin.write((json.dumps(obj) + "\n").encode())
            self.p.stdin.flush()
            return True
        except (BrokenPipeError, ValueError):
            return False

    def wait_exit(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # keep reading stdout so the child never blocks on a full pipe
            self._read_some(0.1)
            rc = self.p.poll()
            if rc is not None:
                while self._read_some(0):
                    pass
                return rc
        return None

    def stderr_tail(self, n=30):
        try:
            with open(self.stderr_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def kill(self):
        if self.p.poll() is None:
            try:
                os.kill(self.p.pid, signal.SIGCONT)
            except OSError:
                pass
            self.p.kill()
            self.p.wait()
        self.stderr.close()
        keep = os.environ.get("SCTEST_KEEP_LOGS")
        try:
            if keep:
                # SCTEST_KEEP_LOGS=DIR keeps every child's stderr and
                # stdout there (DIR/N-NAME.err, .out), for debugging
                os.makedirs(keep, exist_ok=True)
                Proc.kept += 1
                base = os.path.join(keep, "%d-%d-%s" % (
                    os.getpid(), Proc.kept, self.name))
                shutil.move(self.stderr_path, base + ".err")
                with open(base + ".out", "w") as f:
                    f.write("\n".join(self.lines) + "\n")
            else:
                os.unlink(self.stderr_path)
        except OSError:
            pass


def under_asan(pid):
    """True if process @pid runs a program built with AddressSanitizer
    (whose quarantine keeps freed memory: RSS bounds do not apply)."""
    with open("/proc/%d/exe" % pid, "rb") as f:
        return b"AddressSanitizer" in f.read()


def start_relay(tap=None):
    """Starts `sealcall serve --port 0`; returns (Proc, port)."""
    relay = Proc([SEALCALL, "serve", "--host", "127.0.0.1", "--port", "0"],
                 "relay")
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        msg = "relay did not start:\n" + relay.stderr_tail()
        relay.kill()
        raise RuntimeError(msg)
    return relay, ev["port"]


def index_of(proc, ev):
    """The index of event @ev (the object itself) in @proc.events."""
    for i, e in enumerate(proc.events):
        if e is ev:
            return i
    return len(proc.events)


def control_proxy_relay(tap):
    """tests/lib/mitm_relay.py with a UDP proxy that loses and reorders
    nothing but can block datagrams (--control --loss 0 --reorder 0, see
    block()); returns (Proc, port). If it does not start, the test ends
    there."""
    mitm = Proc([sys.executable,
                 os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "mitm_relay.py"),
                 "--control", "--loss", "0", "--reorder", "0"], "mitm")
    ev = mitm.wait_event("listening", timeout=20)
    tap.ok(ev is not None, "relay with a UDP proxy starts",
           mitm.stderr_tail())
    if ev is None:
        mitm.kill()
        tap.done()
    return mitm, ev["port"]


def block(mitm, room, index, what):
    """Makes control_proxy_relay()'s proxy drop @what ("stun-responses",
    "all", or None: nothing) on its way to participant @index of @room
    (0: the one who joined first). TRUE once the relay confirmed."""
    start = len(mitm.events)
    mitm.send({"cmd": "block", "room": room, "index": index, "what": what})
    ev = mitm.wait_for(lambda e: e.get("event") == "blocking", 10,
                       start=start)
    return ev is not None and ev.get("ok") is True


def chat(tap, sender, receiver, text, what="chat flows"):
    """@sender sends @text on the "chat" channel; @receiver must get it."""
    sender.send({"cmd": "send", "label": "chat", "text": text})
    tap.ok(receiver.wait_event("message", text=text, timeout=15) is not None,
           what)


def hang_up(tap, caller, other, what="both exit 0 after hangup"):
    """@caller hangs up; both processes must exit 0."""
    caller.send({"cmd": "hangup"})
    tap.ok(caller.wait_exit(20) == 0 and other.wait_exit(20) == 0, what)


def endpoint(role, url, name=None, extra=None, media=False, env=None):
    """A `sealcall call|answer --json` on 127.0.0.1; data-only unless
    @media (audio and video cost CPU that data tests do not need); @env
    adds to its environment."""
    args = [SEALCALL, role, "--signal", url, "--json",
            "--ice-address", "127.0.0.1"]
    if not media:
        args += ["--no-audio", "--no-video"]
    if extra:
        args += extra
    return Proc(args, name or role, env=env)


class Call:
    """A relay plus an offerer and an answerer on 127.0.0.1."""

    def __init__(self, room="t", relay=None, port=None, offer_extra=None,
                 answer_extra=None, media=False, offer_env=None,
                 answer_env=None):
        self.own_relay = relay is None
        if relay is None:
            relay, port = start_relay()
        self.relay, self.port = relay, port
        self.url = "ws://127.0.0.1:%d/room/%s" % (port, room)
        self.answerer = endpoint("answer", self.url, "answerer", answer_extra,
                                 media, answer_env)
        self.answerer.wait_event("signaling", state="connected", timeout=20)
        self.offerer = endpoint("call", self.url, "offerer", offer_extra, media,
                                offer_env)

    def both(self):
        return (self.offerer, self.answerer)

    def wait_open(self, label="chat", timeout=30):
        a = self.offerer.wait_event("channel", timeout, state="open",
                                    label=label)
        b = self.answerer.wait_event("channel", timeout, state="open",
                                     label=label)
        return a is not None and b is not None

    def close(self):
        for p in (self.offerer, self.answerer):
            p.kill()
        if self.own_relay:
            self.relay.kill()

    def diag(self):
        return ("offerer stderr:\n" + self.offerer.stderr_tail() +
                "\nanswerer stderr:\n" + self.answerer.stderr_tail())


def mitm_relay(*options, name="mitm"):
    """tests/lib/mitm_relay.py with @options; returns (Proc, port). Raises
    RuntimeError when it does not start."""
    mitm = Proc([sys.executable,
                 os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "mitm_relay.py")] + list(options), name)
    ev = mitm.wait_event("listening", timeout=20)
    if ev is None:
        msg = mitm.stderr_tail()
        mitm.kill()
        raise RuntimeError("mitm relay did not start: " + msg)
    return mitm, ev["port"]


def own_identity_failure(p):
    """A call whose own assertion fails (--idp): its `ended` event, its
    exit code and its identity event of side local (each None at the
    deadline)."""
    e = p.wait_event("ended", timeout=40)
    rc = p.wait_exit(20)
    li = p.wait_for(lambda x: x.get("event") == "identity" and
                    x.get("side") == "local", 1)
    return e, rc, li


def recording_relay(*options):
    """mitm_relay() with --record (every signaling frame reported as a
    "frame" event) and @options."""
    return mitm_relay("--record", *options)


def relay_only_candidate(line):
    """True for a "candidate:..." line of a relay candidate whose related
    address is suppressed (raddr 0.0.0.0 rport 0), as relay-only writes
    it."""
    f = line.split()
    return ("typ" in f and f[f.index("typ") + 1] == "relay" and
            "raddr" in f and f[f.index("raddr") + 1] == "0.0.0.0" and
            "rport" in f and f[f.index("rport") + 1] == "0")
