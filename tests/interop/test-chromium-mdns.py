#!/usr/bin/env python3
"""Chromium with its default mDNS obfuscation calls sealcall, and answers
its call. The page has no camera or microphone permission (data only, no
getUserMedia), so Chromium signals each host candidate as a
"<uuid>.local" name (WebRtcHideLocalIpsWithMdns, not disabled here,
unlike the other browser suites) and answers mDNS queries for it itself,
on the network. sealcall must resolve the names (Avahi: a daemon of the
test's own in the test's network namespace, tests/lib/mdnsenv.py) and
connect over the resolved host pair.

Asserted, for each role: every candidate the page signalled was a .local
name (so the browser really obfuscated); sealcall resolved one of those
names to the browser's address (its log); the call connects and
sealcall's selected pair has a host remote candidate (without resolution
it would be a peer-reflexive one, learnt from the browser's checks, or no
pair at all); data flows both ways. A third call, Chromium answering,
has sealcall signal mDNS names too (--mdns): the page got only .local
names from sealcall, and Chromium resolved them (its selected remote
candidate is host, not peer-reflexive). Chromium answering, because then
it has our names from the offer on, long before our first check: calling,
it gets them in our answer while our checks are about to start, and a
check that wins that race leaves libwebrtc with a peer-reflexive
candidate for good. Skips, with the reason, when Chromium, avahi-daemon or
dbus-daemon is missing or not root."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402
import mdnsenv  # noqa: E402  (tests/lib, on the path through interop)
import sctest  # noqa: E402

UUID_LOCAL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                        r"[0-9a-f]{12}\.local$", re.I)


def session(tap, netns, env, browser_role, sc_mdns=False):
    """One call, the browser in @browser_role ("call" or "answer");
    @sc_mdns: sealcall signals mDNS names too."""
    who = "chromium %s%s" % ("calls sealcall" if browser_role == "call"
                             else "answers sealcall",
                             " --mdns" if sc_mdns else "")
    tag = browser_role + ("-mdns" if sc_mdns else "")
    prefix = netns.prefix()
    relay = report = sc = browser = None
    try:
        relay = sctest.Proc(prefix + [sctest.SEALCALL, "serve", "--host",
                                      "127.0.0.1", "--port", "0",
                                      "--test-hooks"], "relay-" + tag)
        ev = relay.wait_event("listening", timeout=20)
        if ev is None:
            raise RuntimeError("relay: " + relay.stderr_tail())
        base = "ws://127.0.0.1:%d/room/" % ev["port"]
        report = sctest.Proc(prefix + [interop.PYTHON3,
                                       os.path.join(interop.HERE,
                                                    "reportpeer.py"),
                                       base + "rep-" + tag], "report-" + tag)
        if report.wait_event("report-connected", timeout=20) is None:
            raise RuntimeError("report peer: " + report.stderr_tail())
        sc_args = prefix + [sctest.SEALCALL,
                            "answer" if browser_role == "call" else "call",
                            "--signal", base + "call-" + tag, "--json",
                            "--ice-address", "10.77.0.1", "--no-audio",
                            "--no-video", "-v"] + (["--mdns"] if sc_mdns
                                                   else [])
        # no ice= filter: the page signals every candidate Chromium gathers
        url = ("http://127.0.0.1:%d/test.html?room=call-%s&role=%s"
               "&report=rep-%s&audio=0&video=0" % (ev["port"], tag,
                                                   browser_role, tag))
        if browser_role == "call":
            sc = sctest.Proc(sc_args, "sealcall-" + tag, env=env.env())
            if sc.wait_event("signaling", timeout=20,
                             state="connected") is None:
                raise RuntimeError("sealcall: " + sc.stderr_tail())
            browser = interop.Browser("chromium", url, prefix, mdns=True)
        else:
            browser = interop.Browser("chromium", url, prefix, mdns=True)
            if report.wait_event("signaling", timeout=60,
                                 state="connected") is None:
                raise RuntimeError("page did not connect:\n" +
                                   browser.log_tail())
            sc = sctest.Proc(sc_args, "sealcall-" + tag, env=env.env())

        cands = report.wait_event("candidates", timeout=60, state="complete")
        addrs = (cands or {}).get("addresses") or []
        tap.ok(cands is not None and len(addrs) > 0 and
               all(UUID_LOCAL.match(a) for a in addrs),
               "%s: Chromium signalled only <uuid>.local host candidates"
               % who, "candidates event: %s\nbrowser log:\n%s" % (
                   cands, browser.log_tail()))

        opened = sc.wait_event("channel", timeout=60, state="open") and \
            report.wait_event("channel", timeout=30, state="open")
        tap.ok(opened is not None,
               "%s: the call connects (data channel open on both)" % who,
               "sealcall:\n%s\navahi:\n%s\npage: %s" % (
                   sc.stderr_tail(), env.log_tail(), report.events[-10:]))

        # sealcall's log: "mDNS: NAME is ADDR" for a name the page sent
        log = open(sc.stderr_path, "rb").read().decode("utf-8", "replace")
        resolved = re.findall(r"mDNS: (\S+\.local) is (10\.77\.0\.\d+)", log)
        tap.ok(any(n.lower() in [a.lower() for a in addrs]
                   for n, _ in resolved),
               "%s: sealcall resolved the browser's mDNS names" % who,
               "resolved %s, signalled %s" % (resolved, addrs))

        # the resolved host candidate, possibly after a peer-reflexive one
        # made from the browser's first checks (draft section 3.2.2)
        ice = sc.wait_event("ice", timeout=5, state="connected") or {}
        deadline = time.monotonic() + 10
        remote_type = None
        while time.monotonic() < deadline:
            start = len(sc.events)
            sc.send({"cmd": "inspect"})
            rep = sc.wait_for(lambda e: e.get("event") == "inspector", 10,
                              start)
            remote_type = ((rep or {}).get("report") or {}).get(
                "ice", {}).get("remote_type")
            if remote_type == "host":
                break
        tap.ok(remote_type == "host",
               "%s: the selected pair's remote candidate is the resolved "
               "host candidate" % who, "ice event %s, inspector remote_type "
               "%s" % (ice, remote_type))

        if sc_mdns:
            ours = [a for a, _ in interop.signalled_candidates(report.events)]
            tap.ok(len(ours) > 0 and all(UUID_LOCAL.match(a) for a in ours),
                   "%s: the browser got only <uuid>.local candidates from "
                   "sealcall" % who, str(ours))
            # Chromium's remote candidate is host only if it resolved our
            # name (through the test's avahi-daemon, over the veth): else
            # it knows us from our checks alone, as peer-reflexive. Asked
            # once the channel is open: Chromium, answering, has had our
            # names since the offer, before any check of ours can reach it
            start = len(report.events)
            report.send({"cmd": "stats"})
            ev = report.wait_for(lambda e: e.get("event") == "stats", 15,
                                 start) or {}
            rtype = (((ev.get("stats") or {}).get("selected") or {})
                     .get("remote") or {}).get("candidateType")
            tap.ok(rtype == "host", "%s: Chromium resolved sealcall's name "
                   "(its selected remote candidate is host)" % who,
                   "remote candidateType %s" % rtype)

        report.send({"cmd": "send", "label": "chat", "text": "hi from page"})
        tap.ok(sc.wait_event("message", text="hi from page", timeout=15)
               is not None, "%s: browser -> sealcall message" % who)
        sc.send({"cmd": "send", "label": "chat", "text": "hi from sealcall"})
        tap.ok(report.wait_event("message", text="hi from sealcall",
                                 timeout=15) is not None,
               "%s: sealcall -> browser message" % who)
        sc.send({"cmd": "hangup"})
        tap.ok(sc.wait_exit(20) == 0,
               "%s: sealcall exits 0 after hangup" % who)
    except RuntimeError as e:
        tap.ok(False, "%s: setup" % who, str(e))
    finally:
        for p in (sc, report, relay):
            if p is not None:
                p.kill()
        if browser is not None:
            browser.close()


def main():
    tap = sctest.Tap()
    why = mdnsenv.unavailable()
    if why:
        tap.skip_all(why)
    version, err = interop.browser_version("chromium")
    if version is None:
        tap.skip_all(err)
    tap.diag(version)
    netns = interop.Netns("scmdns%d" % os.getpid())
    env = None
    try:
        netns.create()
        env = mdnsenv.MdnsEnv(netns.name).start()
        for role in ("call", "answer"):
            session(tap, netns, env, role)
        session(tap, netns, env, "answer", sc_mdns=True)
    except RuntimeError as e:
        tap.ok(False, "setup", str(e))
    finally:
        if env is not None:
            env.stop()
        netns.delete()
    tap.done()


main()
