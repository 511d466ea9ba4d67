#!/usr/bin/python3
# bench/run_bench.py - the `make bench` harness: call setup time, data-channel
# goodput and peak memory of sealcall and of an aiortc reference peer, driven
# through the scripted JSON-lines mode (interop contract section 3) over a
# signaling relay (section 1), with the benchmark protocol of section 2.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   /usr/bin/python3 bench/run_bench.py --sealcall build/ui-cli/sealcall
#   /usr/bin/python3 bench/run_bench.py --relay python        # aiortc only
#
# For each pair (offerer-answerer): N calls (default 20). Setup time = from the
# offerer's {"event":"signaling","state":"offer-sent"} line to the first
# {"event":"channel","state":"open"} line of either side, both timestamped by
# this driver on one monotonic clock as it reads them. On the first call of
# each pair: a chat message each way, then BYTES (16 MiB) benchmarks with each
# chunk size (64 KiB, 1 KiB), RUNS (3) times each, median goodput reported;
# then the peak RSS (VmHWM) of both processes, read before the hangup. Every
# call ends with a hangup from the offerer; both must print `ended` and exit 0.
# For sealcall offerers, the medians of the milestones it reports with its
# first channel open (answer, ICE, DTLS, SCTP, open: ms after its offer, by
# its own clock) are printed under the table: where the setup time goes.
#
# Everything is bounded in time and every child is killed by PID at the end.
# A pair that cannot run (no sealcall binary yet, ...) is reported as
# "unavailable: reason". Prints a table, then one JSON summary line
# ({"event":"bench-summary",...}). Exit 0 when at least one pair was measured.
# Loopback only, except --browsers: sealcall with headless Chromium in both
# roles and Chromium with Chromium, in a network namespace made for the
# purpose (bench/browser_bench.py, root), after the other pairs.
# Then the identity table (bench/identity_bench.py): setup with a verified
# identity on both sides vs without, sealcall with sealcall (and, with
# --browsers, Firefox with Firefox), --identity-calls calls each.

import os
import sys

DEBIAN_PYTHON = "/usr/bin/python3"


def _need_aiortc():
    try:
        import aiortc  # noqa: F401
        import websockets  # noqa: F401
        return
    except ImportError as exc:
        err = exc
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) \
            and os.access(DEBIAN_PYTHON, os.X_OK) \
            and not os.environ.get("SC_BENCH_REEXEC"):
        os.environ["SC_BENCH_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    sys.stderr.write("run_bench: %s\nrun_bench: install python3-aiortc "
                     "(Debian) and python3-websockets, and run with %s\n"
                     % (err, DEBIAN_PYTHON))
    sys.exit(2)


_need_aiortc()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AIORTC_PEER = os.path.join(HERE, "aiortc_peer.py")
MINI_RELAY = os.path.join(HERE, "mini_relay.py")
LOOPBACK = "127.0.0.1"
ARROW = "\u2194"


# the milestones sealcall's offerer reports with its first channel open
STEP_FIELDS = ("setup_answer_ms", "setup_ice_ms", "setup_dtls_ms",
               "setup_sctp_ms", "setup_ms")


class Unavailable(Exception):
    pass


class CallError(Exception):
    """A call went wrong; `partial` holds what was measured before."""
    partial = None


def stderr_tail(path, n=6):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 4096))
            lines = f.read().decode("utf-8", "replace").splitlines()
        return " | ".join(line.strip() for line in lines[-n:] if line.strip())
    except OSError:
        return ""


def vm_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def describe_exit(rc):
    if rc is None:
        return "closed its stdout"
    if rc < 0:
        try:
            return "was killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "was killed by signal %d" % -rc
    return "exited %d" % rc


def percentile(values, p):
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def median(values):
    if not values:
        return None
    s = sorted(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


class Proc:
    """A child speaking JSON lines; every stdout line is timestamped on the
    driver's monotonic clock when read."""

    def __init__(self, name, argv, logdir):
        self.name = name
        self.argv = argv
        self.errpath = os.path.join(logdir, name + ".stderr")
        self.outpath = os.path.join(logdir, name + ".stdout")
        self.p = None
        self.events = []  # (t, dict)
        self.bad_lines = []
        self.eof = False
        self.changed = asyncio.Event()
        self.reader = None
        self.spawned_at = None

    @property
    def pid(self):
        return self.p.pid if self.p else None

    async def start(self):
        errf = open(self.errpath, "wb")
        try:
            self.p = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=errf,
                limit=4 * 1024 * 1024)
        except OSError as exc:
            raise Unavailable("%s: %s" % (self.argv[0], exc))
        finally:
            errf.close()
        self.spawned_at = time.monotonic()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        with open(self.outpath, "wb") as log:
            while True:
                try:
                    line = await self.p.stdout.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    self.bad_lines.append("<line too long>")
                    continue
                if not line:
                    break
                t = time.monotonic()
                log.write(line)
                text = line.decode("utf-8", "replace").strip()
                if not text:
                    continue
                try:
                    ev = json.loads(text)
                    if not isinstance(ev, dict) or "event" not in ev:
                        raise ValueError
                except ValueError:
                    self.bad_lines.append(text[:120])
                    continue
                self.events.append((t, ev))
                self.changed.set()
        self.eof = True
        self.changed.set()

    def find(self, pred, start=0):
        for i in range(start, len(self.events)):
            if pred(self.events[i][1]):
                return self.events[i]
        return None

    async def wait_event(self, pred, timeout, what, start=0):
        deadline = time.monotonic() + timeout
        i = start
        while True:
            while i < len(self.events):
                t, ev = self.events[i]
                i += 1
                if pred(ev):
                    return t, ev
                if ev.get("event") == "ended":
                    raise CallError("%s ended (%s: %s) while waiting for %s"
                                    % (self.name, ev.get("reason"),
                                       ev.get("detail"), what))
            if self.eof:
                rc = await self.wait_exit(2)
                raise CallError("%s %s while waiting for %s%s"
                                % (self.name, describe_exit(rc), what,
                                   self.stderr_hint()))
            rem = deadline - time.monotonic()
            if rem <= 0:
                raise CallError("%s: timeout (%gs) waiting for %s%s"
                                % (self.name, timeout, what,
                                   self.stderr_hint()))
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), rem)
            except asyncio.TimeoutError:
                pass

    def stderr_hint(self):
        tail = stderr_tail(self.errpath, 3)
        return " [stderr: %s]" % tail if tail else ""

    async def command(self, obj):
        if self.p is None or self.p.stdin is None or self.p.stdin.is_closing():
            raise CallError("%s: stdin closed" % self.name)
        try:
            self.p.stdin.write((json.dumps(obj) + "\n").encode())
            await asyncio.wait_for(self.p.stdin.drain(), 5)
        except (BrokenPipeError, ConnectionResetError, asyncio.TimeoutError):
            raise CallError("%s: cannot write command %s" %
                            (self.name, obj.get("cmd")))

    async def wait_exit(self, timeout):
        try:
            return await asyncio.wait_for(self.p.wait(), timeout)
        except asyncio.TimeoutError:
            return None

    async def kill(self):
        if self.p is None:
            return
        if self.p.returncode is None:
            for sig, grace in ((signal.SIGTERM, 2), (signal.SIGKILL, 5)):
                try:
                    os.kill(self.p.pid, sig)
                except ProcessLookupError:
                    break
                if await self.wait_exit(grace) is not None:
                    break
        try:
            if self.p.stdin and not self.p.stdin.is_closing():
                self.p.stdin.close()
        except Exception:  # noqa: BLE001
            pass
        if self.reader is not None:
            try:
                await asyncio.wait_for(self.reader, 2)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self.reader.cancel()


class Relay:
    def __init__(self, kind, sealcall, logdir):
        self.kind = kind
        self.sealcall = sealcall
        self.logdir = logdir
        self.proc = None
        self.port = None

    async def start(self):
        if self.kind == "sealcall":
            if not self.sealcall or not os.access(self.sealcall, os.X_OK):
                raise Unavailable("relay: no sealcall binary at %s"
                                  % self.sealcall)
            argv = [self.sealcall, "serve", "--port", "0"]
        else:
            argv = [sys.executable, MINI_RELAY, "--port", "0",
                    "--max-seconds", "7200"]
        self.proc = Proc("relay-" + self.kind, argv, self.logdir)
        await self.proc.start()
        try:
            _, ev = await self.proc.wait_event(
                lambda e: e.get("event") == "listening", 10, "listening")
        except CallError as exc:
            await self.proc.kill()
            raise Unavailable("relay (%s serve): %s"
                              % (self.kind, exc))
        try:
            self.port = int(ev["port"])
        except (KeyError, TypeError, ValueError):
            await self.proc.kill()
            raise Unavailable("relay: listening event without port: %s" % ev)

    def url(self, room):
        return "ws://%s:%d/room/%s" % (LOOPBACK, self.port, room)

    async def stop(self):
        if self.proc:
            await self.proc.kill()


class Bench:
    def __init__(self, args, relay, logdir):
        self.args = args
        self.relay = relay
        self.logdir = logdir
        self.seq = 0

    def argv(self, impl, role, url):
        verbose = ["-v"] if self.args.verbose_peers else []
        if impl == "sealcall":
            return [self.args.sealcall, role, "--signal", url, "--json",
                    "--ice-address", LOOPBACK, "--no-audio",
                    "--no-video"] + verbose
        return [sys.executable, AIORTC_PEER, "--role", role, "--signal", url,
                "--connect-timeout", str(self.args.setup_timeout),
                "--bench-timeout", str(self.args.bench_timeout),
                "--max-seconds", "3600"] + verbose

    async def one_call(self, offer_impl, answer_impl, idx, full):
        self.seq += 1
        room = "bench-%d-%d" % (os.getpid(), self.seq)
        url = self.relay.url(room)
        tag = "%s-%s-%02d" % (offer_impl, answer_impl, idx)
        off = Proc(tag + "-offerer", self.argv(offer_impl, "call", url),
                   self.logdir)
        ans = Proc(tag + "-answerer", self.argv(answer_impl, "answer", url),
                   self.logdir)
        res = {}
        to = self.args.setup_timeout
        try:
            await off.start()
            await ans.start()

            def is_open(label=None):
                return lambda e: (e.get("event") == "channel" and
                                  e.get("state") == "open" and
                                  (label is None or e.get("label") == label))

            await asyncio.gather(
                off.wait_event(is_open("chat"), to, "chat channel open"),
                ans.wait_event(is_open("chat"), to, "chat channel open"))
            t_open = min(off.find(is_open())[0], ans.find(is_open())[0])
            sent = off.find(lambda e: e.get("event") == "signaling" and
                            e.get("state") == "offer-sent")
            if sent is not None:
                res["setup"] = t_open - sent[0]
                res["setup_basis"] = "offer-sent"
                # where the time went, by the offerer's own clock (sealcall
                # reports its milestones with the first channel open)
                oo = off.find(is_open("chat"))
                if oo is not None:
                    res["steps"] = {k: oo[1][k] for k in STEP_FIELDS
                                    if isinstance(oo[1].get(k), (int, float))}
            else:
                res["setup"] = t_open - ans.spawned_at
                res["setup_basis"] = "spawn"

            # chat both ways
            for src, dst, text in ((off, ans, "ping %d" % idx),
                                   (ans, off, "pong %d" % idx)):
                start = len(dst.events)
                await src.command({"cmd": "send", "label": "chat",
                                   "text": text})
                await dst.wait_event(
                    lambda e, text=text: e.get("event") == "message" and
                    e.get("label") == "chat" and e.get("text") == text,
                    10, "chat message %r" % text, start)

            if full:
                res["goodput"] = {}
                await self.run_benches(off, ans, res["goodput"])
                res["rss_kib"] = {"offerer": vm_hwm_kib(off.pid),
                                  "answerer": vm_hwm_kib(ans.pid)}

            # hangup from the offerer; the answerer must end on the bye
            await off.command({"cmd": "hangup"})
            for pr in (off, ans):
                await pr.wait_event(lambda e: e.get("event") == "ended",
                                    15, "ended after hangup")
                rc = await pr.wait_exit(10)
                if rc is None:
                    raise CallError("%s printed ended but did not exit"
                                    % pr.name)
                if rc != 0:
                    raise CallError("%s %s after hangup%s"
                                    % (pr.name, describe_exit(rc),
                                       pr.stderr_hint()))
            for pr in (off, ans):
                if pr.bad_lines:
                    raise CallError("%s printed non-JSON stdout: %r"
                                    % (pr.name, pr.bad_lines[0]))
            return res
        except CallError as exc:
            if full and "goodput" in res and "rss_kib" not in res:
                res["rss_kib"] = {"offerer": vm_hwm_kib(off.pid),
                                  "answerer": vm_hwm_kib(ans.pid)}
            exc.partial = res
            raise
        finally:
            await asyncio.gather(off.kill(), ans.kill())

    async def run_benches(self, off, ans, out):
        """Fills `out` as it goes, so a failure keeps the runs done so far."""
        for chunk in self.args.chunks:
            runs = []
            errors = []
            out[str(chunk)] = {"median_mbps": None, "runs_mbps": runs}
            rx_start = len(ans.events)
            for _ in range(self.args.runs):
                start = len(off.events)
                await off.command({"cmd": "bench", "bytes": self.args.bytes,
                                   "chunk": chunk})
                try:
                    _, ev = await off.wait_event(
                        lambda e: e.get("event") == "bench" and
                        e.get("role") != "receiver",
                        self.args.bench_timeout,
                        "bench result (chunk %d)" % chunk, start)
                except CallError as exc:
                    out[str(chunk)]["error"] = str(exc)
                    raise
                if "error" in ev or "mbps" not in ev:
                    errors.append(str(ev.get("error", ev)))
                    break
                runs.append(round(float(ev["mbps"]), 3))
                out[str(chunk)]["median_mbps"] = round(median(runs), 3)
            if errors:
                out[str(chunk)]["error"] = errors[0]
            # A receiver that checks the payload (sealcall and aiortc_peer
            # both do: byte i of the stream is i mod 251) reports it.
            def rx_events():
                return [e for _, e in ans.events[rx_start:]
                        if e.get("event") == "bench" and
                        e.get("role") == "receiver"]
            deadline = time.monotonic() + 5
            while rx_events() and len(rx_events()) < len(runs) and \
                    not ans.eof and time.monotonic() < deadline:
                ans.changed.clear()
                try:
                    await asyncio.wait_for(ans.changed.wait(), 0.5)
                except asyncio.TimeoutError:
                    pass
            rx = rx_events()
            out[str(chunk)]["receiver_pattern"] = (
                None if not rx else
                "mismatch" if any(e.get("pattern") == "mismatch" for e in rx)
                else "ok")

    async def run_pair(self, offer_impl, answer_impl):
        row = {"pair": "%s-%s" % (offer_impl, answer_impl),
               "offerer": offer_impl, "answerer": answer_impl,
               "available": False}
        for impl in (offer_impl, answer_impl):
            if impl == "sealcall" and (not self.args.sealcall or
                                       not os.access(self.args.sealcall,
                                                     os.X_OK)):
                row["reason"] = "no sealcall binary at %s" % self.args.sealcall
                return row
        setups = []
        steps = {k: [] for k in STEP_FIELDS}
        basis = set()
        failures = []
        oks = 0
        for i in range(self.args.calls):
            full = (i == 0)
            ok = 0
            try:
                res = await self.one_call(offer_impl, answer_impl, i, full)
                ok = 1
            except (CallError, Unavailable) as exc:
                failures.append("call %d: %s" % (i, exc))
                res = getattr(exc, "partial", None) or {}
            oks += ok
            if "setup" in res:
                setups.append(res["setup"])
                basis.add(res["setup_basis"])
            for k, v in res.get("steps", {}).items():
                steps[k].append(v)
            if "goodput" in res:
                row["goodput"] = res["goodput"]
            if "rss_kib" in res:
                row["rss_kib"] = res["rss_kib"]
            if not self.args.quiet:
                sys.stderr.write("  %s call %d: %s, setup %s ms\n"
                                 % (row["pair"], i, "ok" if ok else "FAILED",
                                    fmt(res.get("setup") and
                                        res["setup"] * 1000)))
            if i == 0 and "setup" not in res:
                row["reason"] = failures[0].split(": ", 1)[1]
                row["failures"] = failures
                return row
            if len(failures) > self.args.calls // 2:
                break
        row["available"] = True
        row["calls"] = self.args.calls
        row["ok"] = oks
        row["failures"] = failures
        row["setup_basis"] = sorted(basis)
        ms = [s * 1000 for s in setups]
        row["setup_ms"] = {k: (round(v, 2) if v is not None else None)
                           for k, v in (("p50", percentile(ms, 50)),
                                        ("p95", percentile(ms, 95)),
                                        ("max", max(ms) if ms else None))}
        if all(steps[k] for k in STEP_FIELDS):
            row["setup_steps_ms_p50"] = {
                k[len("setup_"):-len("_ms")] or "first_open":
                round(percentile(steps[k], 50), 2) for k in STEP_FIELDS}
        return row


def fmt(v, spec="%.1f"):
    return "-" if v is None else spec % v


def print_aligned(head, lines):
    """Columns under @head; a line of two cells (a row's name and why it
    is unavailable) is printed as it is."""
    widths = [len(h) for h in head]
    widths[0] = max([widths[0]] + [len(cells[0]) for cells in lines])
    for cells in lines:
        if len(cells) == len(head):
            widths = [max(w, len(c)) for w, c in zip(widths, cells)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for cells in lines:
        if len(cells) == len(head):
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)))
        else:
            print(cells[0].ljust(widths[0]) + "  " + cells[1])


def print_table(rows, args):
    chunks = [str(c) for c in args.chunks]
    head = ["pair", "ok", "setup p50", "p95", "max"]
    head += ["Mbit/s %s" % (("%d KiB" % (int(c) // 1024)) if int(c) >= 1024
                            else "%s B" % c) for c in chunks]
    head += ["RSS off", "RSS ans"]
    lines = []
    for r in rows:
        name = r["pair"].replace("-", ARROW)
        if not r["available"]:
            lines.append([name, "unavailable: " + r.get("reason", "?")])
            continue
        gp = r.get("goodput", {})
        rss = r.get("rss_kib", {})
        cells = [name, "%d/%d" % (r["ok"], r["calls"]),
                 fmt(r["setup_ms"]["p50"]) + " ms",
                 fmt(r["setup_ms"]["p95"]) + " ms",
                 fmt(r["setup_ms"]["max"]) + " ms"]
        for c in chunks:
            g = gp.get(c, {})
            cell = fmt(g.get("median_mbps"))
            if g.get("error"):
                cell += " (error)"
            if g.get("receiver_pattern") == "mismatch":
                cell += " (BAD DATA)"
            cells.append(cell)
        cells += [fmt(rss.get("offerer") and rss["offerer"] / 1024,
                      "%.1f MiB"),
                  fmt(rss.get("answerer") and rss["answerer"] / 1024,
                      "%.1f MiB")]
        lines.append(cells)
    print_aligned(head, lines)
    for r in rows:
        if not r["available"]:
            continue
        st = r.get("setup_steps_ms_p50")
        if st:
            print("  %s setup steps, ms after the offer (offerer's clock, "
                  "medians): answer %.1f, ICE %.1f, DTLS %.1f, SCTP %.1f, "
                  "its channel open %.1f"
                  % (r["pair"].replace("-", ARROW), st["answer"], st["ice"],
                     st["dtls"], st["sctp"], st["first_open"]))
        for f in r.get("failures", [])[:3]:
            print("  %s: %s" % (r["pair"].replace("-", ARROW), f))
        for c, g in r.get("goodput", {}).items():
            if g.get("error"):
                print("  %s bench chunk %s: %s"
                      % (r["pair"].replace("-", ARROW), c, g["error"]))
            if g.get("receiver_pattern") == "mismatch":
                print("  %s bench chunk %s: the receiver saw wrong payload "
                      "bytes" % (r["pair"].replace("-", ARROW), c))


async def amain(args):
    logdir = args.logdir or tempfile.mkdtemp(prefix="sc-bench-")
    os.makedirs(logdir, exist_ok=True)
    relay = Relay(args.relay, args.sealcall, logdir)
    rows = []
    try:
        try:
            await relay.start()
        except Unavailable as exc:
            for a, b in args.pairs:
                rows.append({"pair": "%s-%s" % (a, b), "offerer": a,
                             "answerer": b, "available": False,
                             "reason": str(exc)})
        else:
            bench = Bench(args, relay, logdir)
            for a, b in args.pairs:
                if not args.quiet:
                    sys.stderr.write("run_bench: %s%s%s, %d calls\n"
                                     % (a, ARROW, b, args.calls))
                rows.append(await bench.run_pair(a, b))
    finally:
        await relay.stop()
    if args.browsers:
        # synchronous (the interop harness), after the other pairs so that
        # nothing else competes for the CPU
        import browser_bench
        rows += browser_bench.run_pairs(
            args, lambda msg: None if args.quiet else sys.stderr.write(msg))
    print_table(rows, args)
    id_rows = []
    if args.identity_calls > 0:
        # the identity table (bench/identity_bench.py), after the others
        import identity_bench
        id_rows = identity_bench.run(
            args, lambda msg: None if args.quiet else sys.stderr.write(msg))
    keep = bool(args.logdir) or not all(
        r["available"] and not r.get("failures") for r in rows)
    summary = {"event": "bench-summary", "relay": args.relay,
               "calls": args.calls, "bytes": args.bytes,
               "chunks": args.chunks, "runs": args.runs,
               "setup_metric": "offer-sent to first channel open",
               "logdir": logdir if keep else None, "pairs": rows,
               "identity": id_rows}
    print(json.dumps(summary, separators=(",", ":")), flush=True)
    if not keep:
        shutil.rmtree(logdir, ignore_errors=True)
    return 0 if any(r["available"] for r in rows) else 1


def parse_pairs(text):
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        a, sep, b = item.partition("-")
        if not sep or a not in ("sealcall", "aiortc") or \
                b not in ("sealcall", "aiortc"):
            raise argparse.ArgumentTypeError("bad pair %r (OFFERER-ANSWERER "
                                             "of sealcall|aiortc)" % item)
        pairs.append((a, b))
    return pairs


def main():
    ap = argparse.ArgumentParser(description="sealcall bench harness")
    ap.add_argument("--sealcall", help="path of the sealcall program")
    ap.add_argument("--relay", choices=["sealcall", "python"],
                    help="signaling relay: `sealcall serve` (default when "
                    "--sealcall is given) or bench/mini_relay.py")
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--bytes", type=int, default=16 * 1024 * 1024)
    ap.add_argument("--chunks", default="65536,1024",
                    help="comma-separated chunk sizes")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pairs", type=parse_pairs,
                    default=parse_pairs("sealcall-sealcall,aiortc-aiortc"),
                    help="OFFERER-ANSWERER,... of sealcall|aiortc")
    ap.add_argument("--interop", action="store_true",
                    help="also run sealcall-aiortc and aiortc-sealcall")
    ap.add_argument("--browsers", action="store_true",
                    help="also sealcall-chromium, chromium-sealcall and "
                    "chromium-chromium (headless Chromium in a network "
                    "namespace: root; see bench/browser_bench.py)")
    ap.add_argument("--browser-calls", type=int, default=5,
                    help="calls per browser pair (default 5)")
    ap.add_argument("--identity-calls", type=int, default=10,
                    help="calls with and without identity per pair of the "
                    "identity table (default 10; 0 leaves it out)")
    ap.add_argument("--setup-timeout", type=float, default=30.0)
    ap.add_argument("--bench-timeout", type=float, default=180.0)
    ap.add_argument("--max-seconds", type=float, default=3000.0,
                    help="bound on the whole run")
    ap.add_argument("--logdir", help="keep children's stdout/stderr here")
    ap.add_argument("--verbose-peers", action="store_true",
                    help="pass -v to the peers (their stderr goes to the "
                    "log directory)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    if args.sealcall:
        args.sealcall = os.path.abspath(args.sealcall)
    if args.relay is None:
        args.relay = "sealcall" if args.sealcall else "python"
    try:
        args.chunks = [int(c) for c in args.chunks.split(",") if c.strip()]
    except ValueError:
        ap.error("--chunks: integers")
    if args.calls < 1 or args.runs < 1 or args.bytes < 0 or \
            any(c <= 0 for c in args.chunks):
        ap.error("bad --calls/--runs/--bytes/--chunks")
    if args.interop:
        for p in (("sealcall", "aiortc"), ("aiortc", "sealcall")):
            if p not in args.pairs:
                args.pairs.append(p)

    async def bounded():
        return await asyncio.wait_for(amain(args), args.max_seconds)
    try:
        code = asyncio.run(bounded())
    except asyncio.TimeoutError:
        sys.stderr.write("run_bench: gave up after %gs\n" % args.max_seconds)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
