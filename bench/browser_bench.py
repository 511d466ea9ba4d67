# bench/browser_bench.py - the browser pairs of `make bench` (run_bench.py
# --browsers): call setup time and data channel goodput of sealcall with
# headless Chromium in both roles, and of Chromium with Chromium, measured in
# the same run as the other pairs.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Reuses the browser interop harness (tests/interop/interop.py): a network
# namespace made here (veth 10.77.0.1/2; Chromium gathers no loopback
# candidates), the web client served by `sealcall serve --test-hooks` inside
# it, its test page (/test.html, tests only) driven through a report room
# (tests/interop/reportpeer.py). Every
# call gets fresh processes (browser profiles included); Chromium-Chromium
# is two browser instances in the namespace, one page calls, one answers.
#
# Setup time = from the offer being sent to the first data channel open of
# either side, each instant taken on the wall clock of the process that saw
# it: a page stamps its events (performance.timeOrigin + now()), sealcall's
# lines are stamped by this driver as it reads them (every child's stdout is
# read as soon as it is readable). Goodput = the bench sender's own figure
# (contract section 2: from "start" to the receiver's "done"); the offerer
# sends, on the first call of each pair, RUNS times; the receiver checks
# every byte. Data only: sealcall runs --no-audio --no-video, pages
# audio=0&video=0.
import os
import select
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "interop"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
import interop  # noqa: E402
import sctest  # noqa: E402

ADDR = "10.77.0.1"
IMPLS = ("sealcall", "chromium")


class Unavailable(Exception):
    pass


class CallFailed(Exception):
    partial = None


class TProc(sctest.Proc):
    """sctest.Proc whose events carry the wall-clock time they were read."""

    def __init__(self, args, name, env=None):
        super().__init__(args, name, env=env)
        self.times = []

    def _read_some(self, timeout):
        n = len(self.events)
        r = super()._read_some(timeout)
        now = time.time()
        self.times += [now] * (len(self.events) - n)
        return r


def pump(procs, timeout):
    """Reads whatever any of @procs has written, for at most @timeout s."""
    live = [p for p in procs if p is not None and not p.eof]
    if not live:
        time.sleep(min(timeout, 0.05))
        return
    r, _, _ = select.select([p.p.stdout for p in live], [], [],
                            max(0, timeout))
    for p in live:
        if p.p.stdout in r:
            p._read_some(0)


class Peer:
    """One end of a call: a sealcall in scripted mode, or a Chromium test
    page with its report peer."""

    def __init__(self, impl, role, ctx, room, tag):
        self.impl, self.role, self.ctx = impl, role, ctx
        self.room, self.tag = room, tag
        self.proc = None       # sealcall, or the page's report peer
        self.browser = None

    def start(self):
        c = self.ctx
        if self.impl == "sealcall":
            self.proc = TProc(c.prefix + [
                c.sealcall, self.role, "--signal", c.base + self.room,
                "--json", "--ice-address", ADDR, "--no-audio", "--no-video"],
                "bench-sc-" + self.tag)
            if self.wait(lambda e: e.get("event") == "signaling" and
                         e.get("state") == "connected", 20) is None:
                raise CallFailed("sealcall %s did not join the room: %s" % (
                    self.role, self.proc.stderr_tail(5)))
            return
        rep = "rep-" + self.tag
        self.proc = TProc(c.prefix + [interop.PYTHON3,
                                      os.path.join(TOP, "tests", "interop",
                                                   "reportpeer.py"),
                                      c.base + rep], "bench-rep-" + self.tag)
        if self.wait(lambda e: e.get("event") == "report-connected",
                     20) is None:
            raise CallFailed("report peer did not connect")
        url = ("http://127.0.0.1:%d/test.html?room=%s&role=%s&ice=%s&report=%s"
               "&audio=0&video=0" % (c.port, self.room, self.role, ADDR, rep))
        self.browser = interop.Browser("chromium", url, c.prefix)
        if self.wait(lambda e: e.get("event") == "signaling" and
                     e.get("state") == "connected", 60) is None:
            raise CallFailed("the page did not join the room (%s):\n%s" % (
                "running" if self.browser.alive() else "browser exited",
                self.browser.log_tail(8)))

    def wait(self, pred, timeout, start=0):
        """First event from index @start matching @pred, reading every
        peer of the call meanwhile (so that read times stay exact)."""
        deadline = time.monotonic() + timeout
        i = start
        while True:
            while i < len(self.proc.events):
                if pred(self.proc.events[i]):
                    return self.proc.events[i]
                i += 1
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.eof:
                return None
            pump(self.ctx.procs(), min(left, 0.2))

    def when(self, ev):
        """Wall-clock time (s) of one of this peer's events."""
        if "t_epoch_ms" in ev:
            return ev["t_epoch_ms"] / 1000.0
        for e, t in zip(self.proc.events, self.proc.times):
            if e is ev:
                return t
        return None

    def first(self, pred):
        for e in self.proc.events:
            if pred(e):
                return e
        return None

    def command(self, obj):
        self.proc.send(obj)

    def offer_sent(self):
        if self.impl == "sealcall":
            return self.first(lambda e: e.get("event") == "signaling" and
                              e.get("state") == "offer-sent")
        return self.first(lambda e: e.get("event") == "sdp" and
                          e.get("type") == "offer" and
                          e.get("direction") == "local")

    def rss_kib(self):
        if self.impl != "sealcall":
            return None
        try:
            with open("/proc/%d/status" % self.proc.p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return None

    def close(self):
        if self.proc is not None:
            self.proc.kill()
        if self.browser is not None:
            self.browser.close()


class Context:
    """The namespace and the relay (which also serves the page)."""

    def __init__(self, sealcall):
        self.sealcall = sealcall
        self.netns = None
        self.relay = None
        self.peers = []

    def open(self):
        if not self.sealcall or not os.access(self.sealcall, os.X_OK):
            raise Unavailable("no sealcall binary at %s" % self.sealcall)
        ver, why = interop.browser_version("chromium")
        if ver is None:
            raise Unavailable(why)
        self.version = ver
        if os.geteuid() != 0:
            raise Unavailable("Chromium needs a network namespace to gather "
                              "candidates (root), and this is not root")
        self.netns = interop.Netns("scbench%d" % os.getpid())
        try:
            self.netns.create()
        except (RuntimeError, OSError) as e:
            self.netns.delete()
            raise Unavailable("network namespace: %s" % e)
        self.prefix = self.netns.prefix()
        self.relay = TProc(self.prefix + [self.sealcall, "serve", "--host",
                                          "127.0.0.1", "--port", "0",
                                          "--test-hooks"],
                           "bench-relay")
        ev = self.relay.wait_event("listening", timeout=20)
        if ev is None:
            raise Unavailable("relay did not start: %s" %
                              self.relay.stderr_tail(5))
        self.port = ev["port"]
        self.base = "ws://127.0.0.1:%d/room/" % self.port

    def procs(self):
        return [p.proc for p in self.peers]

    def close(self):
        if self.relay is not None:
            self.relay.kill()
        if self.netns is not None:
            self.netns.delete()


def one_call(ctx, off_impl, ans_impl, idx, full, args, log):
    tag = "%s-%s-%d-%d" % (off_impl, ans_impl, os.getpid(), idx)
    room = "bench-" + tag
    off = Peer(off_impl, "call", ctx, room, "o-" + tag)
    ans = Peer(ans_impl, "answer", ctx, room, "a-" + tag)
    ctx.peers = [off, ans]
    res = {}
    try:
        ans.start()
        off.start()

        def is_open(e):
            return e.get("event") == "channel" and e.get("state") == "open" \
                and e.get("label") == "chat"
        a = off.wait(is_open, args.setup_timeout)
        b = ans.wait(is_open, args.setup_timeout)
        if a is None or b is None:
            raise CallFailed("chat channel not open on %s within %g s" % (
                "the offerer" if a is None else "the answerer",
                args.setup_timeout))
        sent = off.offer_sent()
        if sent is None:
            raise CallFailed("the offerer reported no offer")
        res["setup"] = min(off.when(a), ans.when(b)) - off.when(sent)
        if full:
            runs = []
            res["goodput"] = {"65536": {"median_mbps": None,
                                        "runs_mbps": runs}}
            for _ in range(args.runs):
                start = len(off.proc.events)
                rstart = len(ans.proc.events)
                off.command({"cmd": "bench", "bytes": args.bytes,
                             "chunk": 65536})
                ev = off.wait(lambda e: e.get("event") == "bench" and
                              e.get("role") != "receiver" and
                              e.get("state", "done") == "done",
                              args.bench_timeout, start)
                rx = ans.wait(lambda e: e.get("event") == "bench" and
                              e.get("role") == "receiver" and
                              e.get("state", "done") == "done", 10, rstart)
                if ev is None or "mbps" not in ev:
                    res["goodput"]["65536"]["error"] = "no bench result"
                    raise CallFailed("bench: no result from the offerer")
                if rx is None or rx.get("pattern") != "ok":
                    res["goodput"]["65536"]["receiver_pattern"] = "mismatch"
                    raise CallFailed("bench: the receiver reports %s" % rx)
                res["goodput"]["65536"]["receiver_pattern"] = "ok"
                runs.append(round(float(ev["mbps"]), 3))
                runs_sorted = sorted(runs)
                res["goodput"]["65536"]["median_mbps"] = \
                    runs_sorted[len(runs) // 2] if len(runs) % 2 else \
                    round((runs_sorted[len(runs) // 2 - 1] +
                           runs_sorted[len(runs) // 2]) / 2, 3)
            res["rss_kib"] = {"offerer": off.rss_kib(),
                              "answerer": ans.rss_kib()}
        # hangup from the offerer; both must end
        off.command({"cmd": "hangup"})
        for p, reason in ((off, "hangup"), (ans, "bye")):
            e = p.wait(lambda e: e.get("event") == "ended", 20)
            if e is None or e.get("reason") != reason:
                raise CallFailed("%s did not end with %s: %s" % (
                    p.role, reason, e))
        return res
    except CallFailed as exc:
        exc.partial = res
        raise
    finally:
        for p in (off, ans):
            p.close()
        ctx.peers = []


def run_pairs(args, log):
    """Returns run_bench rows for the browser pairs."""
    pairs = [("sealcall", "chromium"), ("chromium", "sealcall"),
             ("chromium", "chromium")]
    rows = []
    ctx = Context(args.sealcall)
    try:
        try:
            ctx.open()
        except Unavailable as exc:
            return [{"pair": "%s-%s" % p, "offerer": p[0], "answerer": p[1],
                     "available": False, "reason": str(exc)} for p in pairs]
        log("run_bench: browser pairs with %s, %d calls each\n"
            % (ctx.version, args.browser_calls))
        for a, b in pairs:
            row = {"pair": "%s-%s" % (a, b), "offerer": a, "answerer": b,
                   "available": False}
            setups, failures, oks = [], [], 0
            for i in range(args.browser_calls):
                ok = False
                try:
                    res = one_call(ctx, a, b, i, i == 0, args, log)
                    ok = True
                    oks += 1
                except CallFailed as exc:
                    failures.append("call %d: %s" % (i, exc))
                    res = exc.partial or {}
                if "setup" in res:
                    setups.append(res["setup"] * 1000)
                for k in ("goodput", "rss_kib"):
                    if k in res:
                        row[k] = res[k]
                log("  %s call %d: %s, setup %s ms\n" % (
                    row["pair"], i, "ok" if ok else "FAILED",
                    "%.1f" % (res["setup"] * 1000) if "setup" in res
                    else "-"))
                if i == 0 and "setup" not in res:
                    row["reason"] = failures[0].split(": ", 1)[1]
                    row["failures"] = failures
                    break
            else:
                row["available"] = True
            if not row["available"]:
                rows.append(row)
                continue
            s = sorted(setups)

            def pct(p):
                if not s:
                    return None
                k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
                return round(s[k], 2)
            row.update(calls=args.browser_calls, ok=oks, failures=failures,
                       setup_basis=["offer sent (own clock of the offerer) "
                                    "to first channel open (wall clock)"],
                       setup_ms={"p50": pct(50), "p95": pct(95),
                                 "max": round(s[-1], 2) if s else None})
            rows.append(row)
    finally:
        ctx.close()
    return rows
