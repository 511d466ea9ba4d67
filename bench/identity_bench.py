# bench/identity_bench.py - the identity rows of `make bench` (issue 14
# point 11): call setup time with a verified identity on both sides against
# the same call without, sealcall with sealcall on loopback and, with
# --browsers, Firefox with Firefox (bench/firefox_identity.py).
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Identity on both sides: the reference IdP `sealcall idp` started for the
# run (tests/lib/realidp.py: a throwaway test CA, users alice and bob logged
# in at its login form); each side asserts (--idp, its session cookie in
# the idp-cookies.txt of an XDG_DATA_HOME of its own) and insists on the
# other (--peer-identity). Calls with and without identity
# alternate, so that both see the same machine load.
#
# Two measures per call, on the driver's clock:
#   setup  = offer sent -> first data channel open (the main table's basis;
#            it includes validating the peer's assertion, and with
#            --peer-identity nothing opens before that);
#   start  = both endpoints started -> first data channel open (the
#            processes spawned; sealcall only); it adds generating our own
#            assertion, which both do before they signal anything.
# Reported as median and p90 over the calls that completed.
#
# sealcall pairs run on loopback.
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, HERE)
os.environ.setdefault("TOP_SRCDIR", TOP)   # realidp's make-test-ca.sh
import realidp  # noqa: E402
import sctest  # noqa: E402

from browser_bench import TProc, pump, CallFailed  # noqa: E402


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return round(s[k], 2)


def summary(name, mode, results, calls, failures):
    setups = [r["setup"] * 1000 for r in results]
    starts = [r["start"] * 1000 for r in results if "start" in r]
    return {"pair": name, "identity": mode, "calls": calls,
            "ok": len(results), "failures": failures[:3],
            "setup_ms": {"p50": pct(setups, 50), "p90": pct(setups, 90)},
            "start_ms": {"p50": pct(starts, 50), "p90": pct(starts, 90)}}


# ---- sealcall with sealcall, loopback ----

def wait_any(procs, pred_for, timeout):
    """Until every proc has an event matching its predicate."""
    deadline = time.monotonic() + timeout
    while True:
        found = [next((e for e in p.events if pred_for(p)(e)), None)
                 for p in procs]
        if all(found):
            return found
        left = deadline - time.monotonic()
        if left <= 0 or any(p.eof for p in procs):
            return None
        pump(procs, min(left, 0.2))


def when(p, ev):
    for e, t in zip(p.events, p.times):
        if e is ev:
            return t
    return None


def sealcall_call(sealcall, relay_port, room, ident, idp, homes, timeout):
    url = "ws://127.0.0.1:%d/room/%s" % (relay_port, room)
    base = ["--signal", url, "--json", "--ice-address", "127.0.0.1",
            "--no-audio", "--no-video"]

    def extra(me, peer):
        if not ident:
            return []
        return ["--ca", idp.ca.ca, "--idp", idp.name, "--identity-hint", me,
                "--peer-identity", "%s@%s" % (peer, idp.domain)]
    t0 = time.time()
    ans = TProc([sealcall, "answer"] + base + extra("bob", "alice"),
                "idb-a-" + room, env={"XDG_DATA_HOME": homes["bob"]})
    off = TProc([sealcall, "call"] + base + extra("alice", "bob"),
                "idb-o-" + room, env={"XDG_DATA_HOME": homes["alice"]})
    try:
        def opened(p):
            return lambda e: e.get("event") == "channel" and \
                e.get("state") == "open" and e.get("label") == "chat"
        got = wait_any([off, ans], opened, timeout)
        if got is None:
            raise CallFailed("no channel open: %s / %s" % (
                off.stderr_tail(3), ans.stderr_tail(3)))
        if ident:
            ids = [next((e for e in p.events if e.get("event") == "identity"
                         and e.get("side") == "remote"), None)
                   for p in (off, ans)]
            if not all(i and i.get("status") == "verified" for i in ids):
                raise CallFailed("identity not verified: %s" % ids)
        sent = next((e for e in off.events if e.get("event") == "signaling"
                     and e.get("state") == "offer-sent"), None)
        t_open = min(when(off, got[0]), when(ans, got[1]))
        res = {"setup": t_open - when(off, sent), "start": t_open - t0}
        off.send({"cmd": "hangup"})
        wait_any([off, ans], lambda p: lambda e: e.get("event") == "ended",
                 20)
        return res
    finally:
        off.kill()
        ans.kill()


def run_sealcall(args, log):
    name = "sealcall-sealcall"
    if not args.sealcall or not os.access(args.sealcall, os.X_OK):
        return [{"pair": name, "available": False,
                 "reason": "no sealcall binary"}]
    idp = relay = None
    try:
        sctest.SEALCALL = args.sealcall
        try:
            idp = realidp.LocalIdp(["alice", "bob"])
            # a directory per user, as two users' machines would have
            homes = {u: idp.data_home(u) for u in ("alice", "bob")}
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            return [{"pair": name, "available": False, "reason": str(e)}]
        os.environ.update(realidp.sandbox_env())   # this build's helper
        relay, port = sctest.start_relay()
        res = {False: [], True: []}
        fails = {False: [], True: []}
        for i in range(args.identity_calls):
            for ident in (False, True):
                room = "idb-%d-%d-%d" % (os.getpid(), i, ident)
                try:
                    r = sealcall_call(args.sealcall, port, room, ident, idp,
                                      homes, args.setup_timeout)
                    res[ident].append(r)
                    log("  %s %s call %d: setup %.1f ms, start %.1f ms\n" % (
                        name, "identity" if ident else "plain", i,
                        r["setup"] * 1000, r["start"] * 1000))
                except CallFailed as e:
                    fails[ident].append("call %d: %s" % (i, e))
                    log("  %s call %d FAILED: %s\n" % (name, i, e))
        return [dict(summary(name, m, res[m], args.identity_calls, fails[m]),
                     available=bool(res[m]), offerer="sealcall",
                     answerer="sealcall",
                     conditions="loopback, data only, sealcall serve relay; "
                     "identity: sealcall idp on https://%s" % idp.name)
                for m in (False, True)]
    finally:
        if relay is not None:
            relay.kill()
        if idp is not None:
            idp.close()


def print_table(rows):
    print()
    print("call setup with a verified identity on both sides (sealcall idp, "
          "--idp and --peer-identity; Firefox: setIdentityProvider and "
          "peerIdentity) vs without:")
    head = ["pair", "identity", "ok", "setup p50", "p90", "start p50", "p90"]
    lines = []
    for r in rows:
        name = r["pair"].replace("-", browser_bench_arrow())
        if not r.get("available"):
            lines.append([name, "unavailable: " + r.get("reason", "?")])
            continue
        lines.append([name, "yes" if r["identity"] else "no",
                      "%d/%d" % (r["ok"], r["calls"])] +
                     ["-" if r[k][q] is None else "%.1f ms" % r[k][q]
                      for k in ("setup_ms", "start_ms") for q in ("p50", "p90")])
    from run_bench import print_aligned
    print_aligned(head, lines)
    by = {}
    for r in rows:
        if r.get("available"):
            by.setdefault(r["pair"], {})[r["identity"]] = r
    for pair, m in by.items():
        if True in m and False in m and m[False]["setup_ms"]["p50"]:
            line = "  %s: identity costs x%.2f setup (p50)" % (
                pair.replace("-", browser_bench_arrow()),
                m[True]["setup_ms"]["p50"] / m[False]["setup_ms"]["p50"])
            if m[True]["start_ms"]["p50"] and m[False]["start_ms"]["p50"]:
                line += ", x%.2f from start" % (m[True]["start_ms"]["p50"] /
                                                m[False]["start_ms"]["p50"])
            print(line)
    print("  setup = offer sent -> first channel open; start = both "
          "endpoints started -> first channel open (adds generating our own "
          "assertion)")
    for r in rows:
        for f in r.get("failures", []):
            print("  %s%s: %s" % (r["pair"], " identity" if r.get("identity")
                                  else "", f))


def browser_bench_arrow():
    return "\u2194"


def run(args, log):
    rows = run_sealcall(args, log)
    if args.browsers:
        import firefox_identity
        rows += firefox_identity.run(args, log, summary)
    print_table(rows)
    return rows
