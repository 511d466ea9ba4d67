#!/usr/bin/env python3
"""mDNS host candidates and RFC 8828 IP handling between two sealcall
endpoints, no browser: inside a network namespace made here (veth pair
10.77.0.1/2, default route via v0), with an avahi-daemon and a D-Bus bus
of the test's own (tests/lib/mdnsenv.py).

Signaling goes through tests/lib/mitm_relay.py --record, which reports
every candidate each side put on the wire.

1. Both `--mdns --ip-handling default-route`: every host candidate either
   signals is a <uuid>.local name, no address of the namespace appears in
   a signalled candidate, each side resolves the other's name (through
   Avahi) and the pair is host -> host on the default route's address
   (for the side whose peer's checks came before the name resolved, the
   peer-reflexive candidate becomes the resolved host one, draft §3.2.2);
   a second daemon across the veth pair, in a second namespace, resolves
   the name through mDNS on the wire while the call is up, and no longer
   once it has ended (Avahi's goodbye); the inspector says so, and shows
   each side's address and the peer's as the mDNS names, never the
   namespace's addresses behind them (issue 15 point 3).
2. Mode 3 (`--ip-handling default-route-only`) on the answerer: it signals
   no candidate at all, and the call still connects through the
   offerer's candidates; the offerer, in Mode 1, signals the address of
   a second interface (10.78.0.1, not on the default route) too. The
   answerer's inspector hides its own address (default-route-only), the
   offerer's shows its own.
3. A peer that signals a .local name of another form ("printer.local",
   which the daemon would resolve: it is published here): the name is
   never looked up and the candidate never reaches libnice (draft
   §3.2.1: only names of the UUID form), the call connecting on the
   other side's candidates, which in Mode 2 hold the default route's
   interface address and not the second interface's.
4. In a namespace with no default route (lo only), a Mode 2 call ends
   ice-failed, saying why.
5. --ice-address with a default-route mode is a usage error.
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("TOP_SRCDIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
sys.path.insert(0, os.path.join(TOP, "tests", "interop"))
import mdnsenv  # noqa: E402
import sctest  # noqa: E402
from interop import Netns  # noqa: E402

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-" \
       r"[0-9a-fA-F]{12}\.local"


def start_relay(netns, *options):
    """mitm_relay.py --record in @netns: (Proc, room base URL)."""
    relay = sctest.Proc(netns.prefix() + [
        os.environ.get("PYTHON3", sys.executable),
        os.path.join(TOP, "tests", "lib", "mitm_relay.py"), "--record"] +
        list(options), "relay")
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        raise RuntimeError("relay: " + relay.stderr_tail())
    return relay, "ws://127.0.0.1:%d/room/" % ev["port"]


def signalled(relay, index):
    """The candidate lines participant @index (0: the one who joined
    first) put on the wire, in its description and trickled."""
    # read until its end-of-candidates (in the description or trickled):
    # everything before it was recorded too
    relay.wait_for(lambda e: e.get("event") == "frame" and
                   e.get("from") == index and
                   (e.get("sdp_end_of_candidates") or
                    e.get("candidate") == ""), 10)
    out = []
    for e in relay.events:
        if e.get("event") == "frame" and e.get("from") == index:
            out += e.get("sdp_candidates") or []
            if e.get("candidate"):
                out.append(e["candidate"])
    return out


def host_addresses(lines):
    return {ln.split()[4] for ln in lines if " typ host" in ln}


def log_of(proc):
    return open(proc.stderr_path, "rb").read().decode("utf-8", "replace")


def resolved(proc):
    return dict(re.findall(r"mDNS: (" + UUID + r") is (\S+)", log_of(proc)))


def avahi_resolve(ns, env, name):
    r = subprocess.run(["ip", "netns", "exec", ns, "avahi-resolve", "-4",
                        "-n", name],
                       capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, **env.env()))
    parts = r.stdout.split()
    return parts[1] if r.returncode == 0 and len(parts) == 2 else None


def wait_remote_host(p, timeout=10):
    """The inspector's remote_type, polled until it is host (the
    resolved candidate replaces a peer-reflexive one) or the deadline."""
    deadline = time.monotonic() + timeout
    rep = {}
    while time.monotonic() < deadline:
        rep = inspect(p)
        if rep.get("remote_type") == "host":
            break
    return rep.get("remote_type")


def endpoint(netns, env, role, url, extra):
    args = netns.prefix() + [sctest.SEALCALL, role, "--signal", url,
                             "--json", "--no-audio", "--no-video", "-v"]
    return sctest.Proc(args + extra, role,
                       env=dict(env.env(), SC_DEBUG="ice"))


def inspect(p):
    start = len(p.events)
    p.send({"cmd": "inspect"})
    ev = p.wait_for(lambda e: e.get("event") == "inspector", 15, start)
    return ((ev or {}).get("report") or {}).get("ice", {})


def both_mdns(tap, netns, env, observer):
    extra = ["--mdns", "--ip-handling", "default-route"]
    relay, base = start_relay(netns)
    ans = endpoint(netns, env, "answer", base + "both", extra)
    off = None
    try:
        ans.wait_event("signaling", state="connected", timeout=20)
        off = endpoint(netns, env, "call", base + "both", extra)
        ok = (off.wait_event("channel", 30, state="open") is not None and
              ans.wait_event("channel", 30, state="open") is not None)
        tap.ok(ok, "mDNS on both sides: the call connects",
               off.stderr_tail() + ans.stderr_tail() + env.log_tail())
        for p in (off, ans):
            ice = p.wait_event("ice", 5, state="connected") or {}
            rtype = wait_remote_host(p)
            tap.ok(ice.get("local_type") == "host" and rtype == "host",
                   "%s: host -> host pair" % p.name,
                   "%s, then %s" % (ice, rtype))
        names = {}
        for p, idx in ((off, 1), (ans, 0)):
            lines = signalled(relay, idx)
            hosts = [ln for ln in lines if " typ host" in ln]
            tap.ok(len(hosts) > 0 and
                   all(re.search(r" " + UUID + r" \d+ typ host", ln)
                       for ln in hosts),
                   "%s signalled its host candidates as <uuid>.local" %
                   p.name, "\n".join(lines))
            tap.ok(not any(net in ln for ln in lines
                           for net in ("10.77.0.", "10.78.0.")),
                   "%s signalled no address of the namespace" % p.name,
                   "\n".join(lines))
            names[p.name] = {ln.split()[4] for ln in hosts}
        for p, q in ((off, ans), (ans, off)):
            got = resolved(p)
            tap.ok(any(got.get(n) == "10.77.0.1" for n in names[q.name]),
                   "%s resolved %s's name to 10.77.0.1" % (p.name, q.name),
                   "resolved %s, %s signalled %s" % (got, q.name,
                                                     names[q.name]))
        rep = inspect(off)
        tap.ok(rep.get("mdns") is True and
               rep.get("ip_handling") == "default-route" and
               rep.get("related_address_suppressed") is True,
               "the inspector reports mdns, ip_handling and suppressed "
               "related addresses", str(rep))
        # issue 15 point 3: the addresses as the peer was told them, the
        # names, never the namespace's addresses behind them
        for p, q in ((off, ans), (ans, off)):
            rep = inspect(p)
            la = rep.get("local_address") or ""
            ra = rep.get("remote_address") or ""
            tap.ok(la.rsplit(":", 1)[0].lower() in
                   {n.lower() for n in names[p.name]} and
                   rep.get("local_address_hidden") is True and
                   rep.get("local_address_hidden_by") == "mdns",
                   "%s: the inspector shows its own address as its mDNS "
                   "name" % p.name, "%s; names %s" % (rep, names[p.name]))
            tap.ok(ra.rsplit(":", 1)[0].lower() in
                   {n.lower() for n in names[q.name]},
                   "%s: the peer's address is shown as the peer's name"
                   % p.name, "%s; names %s" % (rep, names[q.name]))
        name = sorted(names["call"])[0] if names["call"] else ""
        tap.ok(avahi_resolve(observer[0], observer[1], name) == "10.77.0.1",
               "another host resolves the offerer's name over mDNS during "
               "the call", name + "\n" + observer[1].log_tail())
        sctest.chat(tap, off, ans, "over mDNS")
        sctest.chat(tap, ans, off, "and back")
        sctest.hang_up(tap, off, ans)
        # the goodbye (TTL 0) makes the observer's cache drop the record
        # within a second (RFC 6762 section 10.1); each failed lookup
        # takes Avahi's own timeout
        deadline = time.monotonic() + 30
        gone = False
        while not gone and time.monotonic() < deadline:
            gone = avahi_resolve(observer[0], observer[1], name) is None
        tap.ok(gone, "the name is withdrawn from the network when the call "
               "ends", name)
    finally:
        for p in (off, ans, relay):
            if p is not None:
                p.kill()


def mode3(tap, netns, env, base):
    ans = endpoint(netns, env, "answer", base + "mode3",
                   ["--ip-handling", "default-route-only"])
    off = None
    try:
        ans.wait_event("signaling", state="connected", timeout=20)
        off = endpoint(netns, env, "call", base + "mode3", [])
        ok = (off.wait_event("channel", 30, state="open") is not None and
              ans.wait_event("channel", 30, state="open") is not None)
        tap.ok(ok, "mode 3 answerer: the call connects",
               off.stderr_tail() + ans.stderr_tail())
        sent = re.findall(r"\] local (candidate:[^\n]*)", log_of(ans))
        tap.ok(sent == [], "mode 3: the answerer signalled no candidate",
               "\n".join(sent))
        hosts = host_addresses(re.findall(r"\] local (candidate:[^\n]*)",
                                          log_of(off)))
        tap.ok({"10.77.0.1", "10.78.0.1"} <= hosts,
               "mode 1: the offerer signalled both interfaces' addresses",
               str(hosts))
        rep = inspect(ans)
        tap.ok(rep.get("ip_handling") == "default-route-only" and
               rep.get("related_address_suppressed") is True,
               "mode 3: the inspector says so", str(rep))
        tap.ok(rep.get("local_address") is None and
               rep.get("local_address_hidden") is True and
               rep.get("local_address_hidden_by") == "default-route-only" and
               (rep.get("remote_address") or "").startswith("10.7"),
               "mode 3: the inspector hides the answerer's address, not "
               "the offerer's", str(rep))
        rep = inspect(off)
        tap.ok((rep.get("local_address") or "").startswith("10.7") and
               rep.get("local_address_hidden") is False,
               "mode 1: the offerer's inspector shows its address", str(rep))
        sctest.hang_up(tap, off, ans)
    finally:
        for p in (off, ans):
            if p is not None:
                p.kill()


def hostile_name(tap, netns, env):
    """The offerer's names reach the answerer as printer.local, a name the
    daemon resolves (published here to the offerer's address)."""
    pub = subprocess.Popen(
        netns.prefix() + ["avahi-publish", "-a", "-R", "printer.local",
                          "10.77.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=dict(os.environ, **env.env()))
    relay, base = start_relay(netns, "--rename-mdns", "printer.local")
    ans = off = None
    try:
        tap.ok(b"Established" in pub.stdout.readline(),
               "printer.local is published (it would resolve)")
        ans = endpoint(netns, env, "answer", base + "hostile",
                       ["--ip-handling", "default-route"])
        ans.wait_event("signaling", state="connected", timeout=20)
        off = endpoint(netns, env, "call", base + "hostile",
                       ["--mdns", "--ip-handling", "default-route"])
        ok = (off.wait_event("channel", 30, state="open") is not None and
              ans.wait_event("channel", 30, state="open") is not None)
        tap.ok(ok, "the call connects on the answerer's candidates",
               off.stderr_tail() + ans.stderr_tail())
        got = [ln for ln in signalled(relay, 1) if "printer.local" in ln]
        tap.ok(len(got) > 0, "the answerer was sent printer.local "
               "candidates", str(relay.events[-8:]))
        log = log_of(ans)
        tap.ok("ignoring mDNS candidate printer.local (not a <uuid>.local "
               "name)" in log and "looking up printer.local" not in log
               and "printer.local is" not in log,
               "the answerer never looks printer.local up", log[-1500:])
        hosts = host_addresses(signalled(relay, 0))
        tap.ok(hosts == {"10.77.0.1"}, "mode 2: the answerer signalled only "
               "the default route's interface address", str(hosts))
        ice = ans.wait_event("ice", 5, state="connected") or {}
        tap.ok(ice.get("remote_type") == "prflx",
               "the answerer knows the offerer only from its checks "
               "(peer-reflexive)", str(ice))
        sctest.hang_up(tap, off, ans)
    finally:
        for p in (off, ans, relay):
            if p is not None:
                p.kill()
        pub.terminate()
        pub.wait(10)
        pub.stdout.close()


def no_default_route(tap):
    ns = "scnoroute%d" % os.getpid()
    prefix = ["ip", "netns", "exec", ns]
    procs = []
    try:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"],
                       check=True)
        relay = sctest.Proc(prefix + [sctest.SEALCALL, "serve", "--host",
                                      "127.0.0.1", "--port", "0"], "relay")
        procs.append(relay)
        ev = relay.wait_event("listening", timeout=20)
        if ev is None:
            raise RuntimeError("relay: " + relay.stderr_tail())
        url = "ws://127.0.0.1:%d/room/noroute" % ev["port"]
        ans = sctest.Proc(prefix + [sctest.SEALCALL, "answer", "--signal",
                                    url, "--json", "--no-audio",
                                    "--no-video", "--ice-address",
                                    "127.0.0.1"], "answer")
        procs.append(ans)
        ans.wait_event("signaling", state="connected", timeout=20)
        off = sctest.Proc(prefix + [sctest.SEALCALL, "call", "--signal", url,
                                    "--json", "--no-audio", "--no-video",
                                    "--ip-handling", "default-route"], "call")
        procs.append(off)
        ended = off.wait_event("ended", timeout=20) or {}
        tap.ok(ended.get("reason") == "ice-failed" and
               "no default route" in (ended.get("detail") or "") and
               off.wait_exit(20) == 1,
               "no default route: a mode 2 call ends ice-failed, saying why",
               str(ended))
    finally:
        for p in procs:
            p.kill()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def usage(tap):
    p = sctest.Proc([sctest.SEALCALL, "call", "--signal",
                     "ws://127.0.0.1:9/room/x", "--ice-address", "127.0.0.1",
                     "--ip-handling", "default-route"], "usage")
    tap.ok(p.wait_exit(20) == 2,
           "--ice-address with --ip-handling default-route: usage error")
    p = sctest.Proc([sctest.SEALCALL, "call", "--signal",
                     "ws://127.0.0.1:9/room/x", "--ip-handling", "nat"],
                    "usage2")
    tap.ok(p.wait_exit(20) == 2, "an unknown mode: usage error")


def main():
    tap = sctest.Tap()
    usage(tap)
    why = mdnsenv.unavailable(("avahi-resolve", "avahi-publish"))
    if why:
        # the rest needs the namespace and the daemons: a TAP skip
        tap.n += 1
        print("ok %d # SKIP mDNS calls: %s" % (tap.n, why), flush=True)
        tap.done()
    netns = Netns("sccallmdns%d" % os.getpid())
    other = "sccallmdnsb%d" % os.getpid()
    env = obs = relay = None
    try:
        netns.create()
        # v1 (10.77.0.2) moves to a second namespace: another host on the
        # link, with its own mDNS daemon, to watch what goes on the wire
        subprocess.run(["ip", "netns", "del", other], capture_output=True)
        for cmd in (["netns", "add", other],
                    ["-n", netns.name, "link", "set", "v1", "netns", other],
                    ["-n", other, "addr", "add", "10.77.0.2/24", "dev", "v1"],
                    ["-n", other, "link", "set", "v1", "up"],
                    ["-n", other, "link", "set", "lo", "up"],
                    # a second interface, not on the default route
                    ["-n", netns.name, "link", "add", "v2", "type", "veth",
                     "peer", "name", "v3"],
                    ["-n", netns.name, "addr", "add", "10.78.0.1/24", "dev",
                     "v2"],
                    ["-n", netns.name, "addr", "add", "10.78.0.2/24", "dev",
                     "v3"],
                    ["-n", netns.name, "link", "set", "v2", "up"],
                    ["-n", netns.name, "link", "set", "v3", "up"]):
            r = subprocess.run(["ip"] + cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("ip %s: %s" % (" ".join(cmd), r.stderr))
        env = mdnsenv.MdnsEnv(netns.name, ("v0",)).start()
        obs = mdnsenv.MdnsEnv(other, ("v1",)).start()
        relay = sctest.Proc(netns.prefix() + [
            sctest.SEALCALL, "serve", "--host", "127.0.0.1", "--port", "0"],
            "relay")
        ev = relay.wait_event("listening", timeout=20)
        if ev is None:
            raise RuntimeError("relay: " + relay.stderr_tail())
        base = "ws://127.0.0.1:%d/room/" % ev["port"]
        both_mdns(tap, netns, env, (other, obs))
        mode3(tap, netns, env, base)
        hostile_name(tap, netns, env)
        no_default_route(tap)
    except RuntimeError as e:
        tap.ok(False, "setup", str(e))
    finally:
        if relay is not None:
            relay.kill()
        for e in (env, obs):
            if e is not None:
                e.stop()
        netns.delete()
        subprocess.run(["ip", "netns", "del", other], capture_output=True)
    tap.done()


main()
