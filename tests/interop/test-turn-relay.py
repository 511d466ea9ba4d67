#!/usr/bin/env python3
"""Browser interop through TURN (issue 13 point 9): headless Chromium and
Firefox ESR with iceTransportPolicy "relay" (the page's ice=relay and
ice=turn:... parameters) and sealcall --relay-only, through the same coturn,
in both roles. Everything runs in a network namespace made here (browsers
gather no loopback candidates; see interop.py), coturn listening and
relaying on 10.77.0.1.

Each way: the call connects, chat both ways, sealcall's selected pair is
relay/relay and its inspector says relay-only with the related address
suppressed, the browser's selected pair is relay on its side, every
candidate the browser signalled is a relay candidate, and the page showed
the TURN server it took from the link but not its credentials. The page
also refuses a malformed TURN URL and ice=relay without a server, saying
so (the link is hostile input), and starts no call by itself."""
import os
import secrets
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import interop  # noqa: E402
import sctest  # noqa: E402
import turnserver  # noqa: E402

USER = "web-user-" + secrets.token_hex(4)
PASS = "web:pass/" + secrets.token_hex(6)


def started(tap, s, what):
    """Starts @s; the page's 'page' event ({} if none), or None when the
    session could not start (reported)."""
    try:
        s.start()
    except RuntimeError as e:
        tap.ok(False, "%s: session starts" % what, str(e))
        return None
    return s.wait_page("page", timeout=5) or {}


def run(tap, kind, role, netns, turn):
    url = "turn:%s:%s@10.77.0.1:%d?transport=udp" % (
        urllib.parse.quote(USER, safe=""), urllib.parse.quote(PASS, safe=""),
        turn.port)
    page = "&ice=relay&ice=" + urllib.parse.quote(url, safe="")
    s = interop.Session(tap, kind, role, netns,
                        sc_extra=["--relay-only", "--turn", url],
                        page_extra=page)
    who = "%s %s sealcall through TURN" % (
        kind, "calls" if role == "call" else "answers")
    try:
        loaded = started(tap, s, who)
        if loaded is None:
            return
        tap.ok(loaded.get("relay_only") is True and
               loaded.get("turn_servers") == [
                   "turn:10.77.0.1:%d?transport=udp" % turn.port] and
               not loaded.get("ice_ignored"),
               "%s: the page took the TURN server and relay policy from "
               "the link" % who, loaded)
        a = s.sc.wait_event("channel", timeout=40, state="open", label="chat")
        b = s.wait_page("channel", timeout=40, state="open", label="chat")
        if not tap.ok(a is not None and b is not None,
                      "%s: the call connects" % who, s.diag()):
            return
        s.cmd({"cmd": "send", "label": "chat", "text": "via turn"})
        tap.ok(s.sc.wait_event("message", timeout=15, label="chat",
                               text="via turn") is not None,
               "%s: chat browser -> sealcall" % who, s.diag())
        s.sc.send({"cmd": "send", "label": "chat", "text": "back via turn"})
        tap.ok(s.wait_page("message", timeout=15, label="chat",
                           text="back via turn") is not None,
               "%s: chat sealcall -> browser" % who, s.diag())
        ice = s.sc.wait_event("ice", timeout=5, state="connected") or {}
        tap.ok(ice.get("local_type") == "relay" and
               ice.get("remote_type") == "relay",
               "%s: sealcall's pair is relay/relay" % who, ice)
        rep = (s.inspect() or {}).get("ice", {})
        tap.ok(rep.get("policy") == "relay-only" and
               rep.get("related_address_suppressed") is True,
               "%s: sealcall's inspector says relay-only, related address "
               "suppressed" % who, rep)
        st = (s.ask_page({"cmd": "stats"}, "stats", timeout=15) or
              {}).get("stats", {})
        sel = st.get("selected") or {}
        tap.ok((sel.get("local") or {}).get("candidateType") == "relay",
               "%s: the browser's selected pair is relayed on its side"
               % who, sel)
        cands = [c for c in (st.get("candidates") or {}).values()
                 if c.get("type") == "local-candidate"]
        tap.ok(cands and all(c.get("candidateType") == "relay"
                             for c in cands),
               "%s: the browser gathered relay candidates only" % who,
               [(c.get("candidateType"), c.get("address")) for c in cands])
        page_text = str(s.report.events)
        tap.ok(PASS not in page_text and
               urllib.parse.quote(PASS, safe="") not in page_text,
               "%s: the page's events never show the TURN password" % who)
        s.sc.send({"cmd": "hangup"})
        tap.ok(s.sc.wait_exit(20) == 0, "%s: sealcall hangs up, exit 0"
               % who)
    finally:
        s.close()


def hostile_link(tap, kind, netns):
    """A link with a malformed TURN URL and ice=relay: the page ignores
    both, says so, and the call is not relay-only."""
    bad = "turn:%s:a@b@10.77.0.1:1?transport=sctp" % USER
    s = interop.Session(tap, kind, "answer", netns,
                        page_extra="&ice=relay&ice=" +
                        urllib.parse.quote(bad, safe=""))
    try:
        ev = started(tap, s, "%s hostile link" % kind)
        if ev is None:
            return
        ign = ev.get("ice_ignored") or []
        tap.ok(ev.get("relay_only") is False and ev.get("turn_servers") == []
               and len(ign) == 2 and USER not in str(ign),
               "%s: a malformed TURN URL and ice=relay without a server are "
               "ignored, said so, without the credentials" % kind, ev)
    finally:
        s.close()


def main():
    tap = sctest.Tap()
    why = turnserver.available()
    if why:
        tap.skip_all(why)
    if os.environ.get("SC_SKIP_BROWSERS"):
        tap.skip_all("SC_SKIP_BROWSERS is set")
    if os.geteuid() != 0:
        tap.skip_all("needs a network namespace (root)")
    for kind in ("chromium", "firefox"):
        ver, why = interop.browser_version(kind)
        if ver is None:
            tap.diag("%s cannot start: %s" % (kind, why))
            tap.ok(False, "%s starts" % kind, why)
            continue
        tap.diag(ver)
        netns = interop.Netns("scturn%d" % os.getpid())
        turn = None
        try:
            netns.create()
            turn = turnserver.TurnServer(USER, PASS, netns=netns.name,
                                         ip="10.77.0.1")
            for role in ("call", "answer"):
                run(tap, kind, role, netns, turn)
            hostile_link(tap, kind, netns)
        finally:
            if turn is not None:
                turn.stop()
            netns.delete()
    tap.done()


main()
