#!/usr/bin/env python3
"""A browser-offered call whose path is lost goes on: sealcall, the
answerer, restarts ICE itself (either side restarts, RFC 8445 §9), and the
page, the offerer, answers the restart (web/app.js).

Headless Chromium calls sealcall through the web client (in the test
network namespace, as tests/interop/test-chromium.py). Once chat flows,
the browser is frozen (SIGSTOP on its process group): its consent answers
stop, so sealcall's libnice gives up on the pair (`ice` `disconnected`)
and sealcall sends an ICE-restart offer. Then the browser runs again: the
page answers that offer (its first local answer), a new pair is selected
on sealcall, and chat flows both ways over the same DTLS association (no
second `dtls` event). Before, sealcall as the answerer never restarted
and the page ignored offers, so such a call ended `consent-expired` 30 s
after the last consent response."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402
import sctest  # noqa: E402

KIND = "chromium"


def scenario(tap, netns):
    s = interop.Session(tap, KIND, "call", netns)
    try:
        try:
            s.start()
        except RuntimeError as e:
            tap.ok(False, "session starts", str(e))
            return
        sc = s.sc
        a = sc.wait_event("channel", timeout=40, state="open", label="chat")
        b = s.wait_page("channel", timeout=40, state="open", label="chat")
        if not tap.ok(a is not None and b is not None,
                      "Chromium calls sealcall: chat open on both",
                      s.diag()):
            return
        s.cmd({"cmd": "send", "label": "chat", "text": "before"})
        tap.ok(sc.wait_event("message", timeout=15, text="before")
               is not None, "chat browser -> sealcall before", s.diag())
        n = len(sc.events)
        os.killpg(s.browser.p.pid, signal.SIGSTOP)
        try:
            disc = sc.wait_for(lambda e: e.get("event") == "ice" and
                               e.get("state") == "disconnected", 40,
                               start=n)
            tap.ok(disc is not None, "browser frozen: sealcall loses "
                   "consent (ice disconnected)", s.diag())
            offer = sc.wait_for(lambda e: e.get("event") == "signaling" and
                                e.get("state") == "restart-offer-sent", 10,
                                start=n)
            tap.ok(offer is not None, "sealcall, the answerer, sends an "
                   "ICE-restart offer", s.diag())
        finally:
            os.killpg(s.browser.p.pid, signal.SIGCONT)
        if disc is None or offer is None:
            return
        ans = s.wait_page("sdp", timeout=30, type="answer",
                          direction="local")
        tap.ok(ans is not None, "the page answers the restart", s.diag())
        back = sc.wait_for(lambda e: e.get("event") == "ice" and
                           e.get("state") == "connected", 40,
                           start=sctest.index_of(sc, disc))
        tap.ok(back is not None, "sealcall's ICE connects again",
               s.diag())
        sc.send({"cmd": "send", "label": "chat", "text": "after, sealcall"})
        tap.ok(s.wait_page("message", timeout=30, label="chat",
                           text="after, sealcall") is not None,
               "chat sealcall -> browser after the restart", s.diag())
        s.cmd({"cmd": "send", "label": "chat", "text": "after, browser"})
        tap.ok(sc.wait_event("message", timeout=30, text="after, browser")
               is not None, "chat browser -> sealcall after the restart",
               s.diag())
        dtls = [e for e in sc.events if e.get("event") == "dtls"]
        tap.ok(len(dtls) == 1, "one DTLS handshake only", dtls)
        ended = [e for e in sc.events if e.get("event") == "ended"]
        tap.ok(not ended, "sealcall did not end the call", ended)
        sc.send({"cmd": "hangup"})
        tap.ok(sc.wait_exit(20) == 0, "hangup: sealcall exits 0")
        errs = s.page_errors()
        tap.ok(not errs, "no errors on the page", errs)
    finally:
        s.close()


def main():
    tap = sctest.Tap()
    if os.environ.get("SC_SKIP_BROWSERS"):
        tap.skip_all("SC_SKIP_BROWSERS is set")
    ver, why = interop.browser_version(KIND)
    if ver is None:
        tap.skip_all("%s cannot start: %s" % (KIND, why))
    if os.geteuid() != 0:
        tap.skip_all("%s needs a network namespace (root)" % KIND)
    tap.diag(ver)
    netns = interop.Netns("scrst%d" % os.getpid())
    try:
        try:
            netns.create()
        except (RuntimeError, OSError) as e:
            tap.skip_all("no network namespace: %s" % e)
        scenario(tap, netns)
    finally:
        netns.delete()
    tap.done()


main()
