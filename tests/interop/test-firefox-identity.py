#!/usr/bin/env python3
"""Identity between headless Firefox ESR and sealcall, both ways, with the
reference IdP `sealcall idp` (issue 14 point 10), in the test network
namespace of test-firefox.py (interop.py): the IdP, the relay (`sealcall
serve --test-hooks`), sealcall and Firefox all inside it. The IdP speaks
for "localhost" with a throwaway CA that Firefox's profile and sealcall's
--ca trust. Firefox's identity comes from the test page /test.html
(web/test-hooks.js: idp=, idp_hint=, peer_identity=), never from the
user's page.

1. Firefox calls sealcall: the page asserts alice@localhost
   (setIdentityProvider; the browser logged in to the IdP, its session
   cookie set through WebDriver BiDi before the page opens), its offer
   carries a=identity; sealcall answers with --peer-identity
   alice@localhost and verifies it: `identity` verified, ALPN c-webrtc,
   chat both ways.
2. sealcall calls Firefox (and then both assert and require each other,
   Firefox validating sealcall's answer): sealcall asserts bob@localhost (--idp, its
   session in the cookie file), the page requires peerIdentity
   bob@localhost: Firefox's pc.peerIdentity resolves to bob@localhost by
   this IdP, DTLS has c-webrtc (Firefox fails without it), chat both
   ways.
3. Attacks where Firefox verifies, through a relay in the middle of
   sealcall's signaling (tests/lib/mitm_relay.py --upstream): the identity
   inside sealcall's assertion edited; sealcall's fingerprint swapped, the
   assertion kept; a peer identity other than the page's peerIdentity;
   an IdP asserting for a domain not its own (example.org from the IdP
   at localhost:PORT); an expired assertion.
   Firefox rejects each (pc.peerIdentity rejects, setRemoteDescription
   fails) and the call never connects.
4. An attack where sealcall verifies: the identity inside Firefox's
   assertion edited: `identity` failed idp-token-invalid, ended
   identity-rejected, nothing delivered; the page is told bye."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import interop  # noqa: E402
from interop import sctest  # noqa: E402
import realidp  # noqa: E402  (tests/lib, on the path through interop)

PYTHON3 = interop.PYTHON3
BIDI = os.path.join(HERE, "bidi.py")
MITM = os.path.join(os.environ.get("TOP_SRCDIR", os.path.join(HERE, "..",
                                                              "..")),
                    "tests", "lib", "mitm_relay.py")
SANDBOX = os.path.join(os.environ.get("TOP_BUILDDIR", "."), "src",
                       "identity", "sealcall-idp-sandbox")


class IdSession(interop.Session):
    """A Firefox session whose browser trusts the test CA and, with
    @cookie, is logged in to the IdP before the page opens."""

    def __init__(self, tap, role, netns, ca, cookie=None, **kw):
        super().__init__(tap, "firefox", role, netns, **kw)
        self.ca = ca
        self.cookie = cookie
        self.mitm = None

    def open_browser(self, url):
        b = interop.Browser(
            "firefox", "about:blank", self.prefix,
            extra_prefs={"media.peerconnection.identity.timeout": 30000,
                         "network.dns.localDomains": "localhost"},
            ca_file=self.ca.ca, extra_args=["--remote-debugging-port", "0"])
        args = [PYTHON3, BIDI, b.log_path, "--navigate", url]
        if self.cookie is not None:
            args += ["--cookie", "%s=%s" % (realidp.COOKIE, self.cookie),
                     "--domain", "localhost"]
        r = subprocess.run(self.prefix + args, capture_output=True,
                           timeout=120)
        if r.returncode != 0:
            log = b.log_tail()
            b.close()
            raise RuntimeError("WebDriver BiDi: %s %s\n%s" % (
                r.stdout.decode(errors="replace"),
                r.stderr.decode(errors="replace")[-500:], log))
        return b

    def start_mitm(self, *opts):
        """A relay in the middle of sealcall's signaling: returns the
        sc_signal function for the session."""
        def signal(room_url):
            base, room = room_url.rsplit("/", 1)
            self.mitm = sctest.Proc(self.prefix + [
                PYTHON3, MITM, "--upstream", base + "/"] + list(opts),
                "mitm-" + self.tag)
            ev = self.mitm.wait_event("listening", timeout=20)
            if ev is None:
                raise RuntimeError("mitm relay did not start: " +
                                   self.mitm.stderr_tail())
            return "ws://127.0.0.1:%d/room/%s" % (ev["port"], room)
        return signal

    def close(self):
        if self.mitm is not None:
            self.mitm.kill()
        super().close()


def page_events(s, name):
    return [e for e in s.report.events if e.get("event") == name]


def chat_both_ways(tap, who, s):
    sc = s.sc
    s.cmd({"cmd": "send", "label": "chat", "text": "hello from firefox"})
    tap.ok(sc.wait_event("message", timeout=15, label="chat",
                         text="hello from firefox") is not None,
           "%s: chat Firefox -> sealcall" % who, s.diag())
    sc.send({"cmd": "send", "label": "chat", "text": "hello from sealcall"})
    tap.ok(s.wait_page("message", timeout=15, label="chat",
                       text="hello from sealcall") is not None,
           "%s: chat sealcall -> Firefox" % who, s.diag())


def call_works(tap, who, s, why):
    """The call connects, chat flows both ways, DTLS negotiated c-webrtc
    (@why), and the page saw no error."""
    a = s.sc.wait_event("channel", timeout=60, state="open", label="chat")
    b = s.wait_page("channel", timeout=30, state="open", label="chat")
    if tap.ok(a is not None and b is not None,
              "%s: the call connects, chat open on both" % who, s.diag()):
        chat_both_ways(tap, who, s)
        e = s.sc.wait_event("dtls", timeout=5, state="connected") or {}
        tap.ok(e.get("alpn") == "c-webrtc",
               "%s: DTLS ALPN c-webrtc (%s)" % (who, why), e)
    tap.ok(not s.page_errors(), "%s: no errors on the page" % who,
           s.page_errors())


def sc_asserts(ca, idp, home, user, extra=()):
    """IdSession options for a sealcall that asserts @user with @idp (its
    session in the cookie file of the XDG_DATA_HOME @home); no --idp when
    @idp is None."""
    args = ["--ca", ca.ca] + list(extra)
    if idp is not None:
        args += ["--idp", idp.name, "--identity-hint", user]
    return {"sc_extra": args,
            "sc_env": {"SEALCALL_IDP_SANDBOX": SANDBOX,
                       "XDG_DATA_HOME": home}}


def run(tap, who, s, body):
    """Starts session @s, runs @body(s), closes it whatever happens."""
    try:
        s.start()
        body(s)
    except RuntimeError as e:
        tap.ok(False, "%s: session starts" % who, str(e))
    finally:
        s.close()


def remote_identity(s, timeout):
    return s.sc.wait_for(lambda e: e.get("event") == "identity" and
                         e.get("side") == "remote", timeout)


def firefox_calls(tap, netns, ca, idp, token):
    who = "Firefox (alice) calls sealcall"

    def body(s):
        ev = remote_identity(s, 60)
        tap.ok(ev is not None and ev.get("status") == "verified" and
               ev.get("identity") == "alice@localhost" and
               ev.get("idp") == idp.name,
               "%s: sealcall verifies Firefox's assertion: alice@localhost "
               "by %s" % (who, idp.name), (ev, s.diag()))
        offer = s.wait_page("sdp", timeout=5, type="offer",
                            direction="local") or {}
        head = (offer.get("sdp") or "").split("\r\nm=")[0]
        tap.ok("\r\na=identity:" in head,
               "%s: Firefox's offer carries a=identity at session level" %
               who, (offer.get("sdp") or "")[:600])
        call_works(tap, who, s, "sealcall requires the peer")
    run(tap, who, IdSession(
        tap, "call", netns, ca, cookie=token,
        sc_extra=["--ca", ca.ca, "--peer-identity", "alice@localhost"],
        sc_env={"SEALCALL_IDP_SANDBOX": SANDBOX},
        page_extra="&idp=%s&idp_hint=alice" % idp.name), body)


def mutual(tap, netns, ca, idp, token, bob_home):
    """Both assert and both require the other: Firefox (alice, logged
    in) calls with peerIdentity bob@localhost, sealcall (bob, --idp)
    answers with --peer-identity alice@localhost; Firefox validates
    sealcall's answer."""
    who = "Firefox (alice) and sealcall (bob) verify each other"

    def body(s):
        ev = remote_identity(s, 60)
        pi = s.wait_page("peer-identity", timeout=60)
        tap.ok(ev is not None and ev.get("status") == "verified" and
               ev.get("identity") == "alice@localhost" and
               pi is not None and pi.get("ok") is True and
               pi.get("name") == "bob@localhost",
               "%s: sealcall verifies alice@localhost, Firefox's "
               "pc.peerIdentity is bob@localhost (from the answer)" % who,
               (ev, pi, s.diag()))
        call_works(tap, who, s, "both require the peer")
    run(tap, who, IdSession(
        tap, "call", netns, ca, cookie=token,
        page_extra="&idp=%s&idp_hint=alice&peer_identity=bob@localhost" %
        idp.name, **sc_asserts(ca, idp, bob_home, "bob",
                               ["--peer-identity", "alice@localhost"])),
        body)


def sealcall_calls(tap, netns, ca, idp, bob_home):
    who = "sealcall (bob) calls Firefox"

    def body(s):
        pi = s.wait_page("peer-identity", timeout=60)
        tap.ok(pi is not None and pi.get("ok") is True and
               pi.get("name") == "bob@localhost" and
               pi.get("idp") == idp.name,
               "%s: Firefox's pc.peerIdentity resolves to bob@localhost by "
               "%s" % (who, idp.name), (pi, s.diag()))
        call_works(tap, who, s, "Firefox with peerIdentity requires it")
    run(tap, who, IdSession(
        tap, "answer", netns, ca, page_extra="&peer_identity=bob@localhost",
        **sc_asserts(ca, idp, bob_home, "bob")), body)


def firefox_rejects(tap, netns, ca, idp, bob_home, what, mitm_opts,
                    expect, peer_identity="bob@localhost", user="bob"):
    """sealcall (@user, its session in @bob_home, with @idp, or none
    when @idp is None) calls Firefox, whose page requires @peer_identity;
    @mitm_opts (if any) tamper with sealcall's offer on the way. Firefox
    must reject (its error saying @expect) and the call must not
    connect."""
    who = "Firefox rejects %s" % what

    def body(s):
        if s.mitm is not None:
            rw = s.mitm.wait_event("rewrote", timeout=60)
            tap.ok(rw is not None and rw.get("changed", True),
                   "%s: the relay tampered with sealcall's offer" % who,
                   (rw, s.mitm.stderr_tail()))
        pi = s.wait_page("peer-identity", timeout=60)
        tap.ok(pi is not None and pi.get("ok") is False and
               expect in (pi.get("error") or ""),
               "%s: Firefox's pc.peerIdentity rejects (\"%s\")" % (
                   who, expect), (pi, s.diag()))
        err = s.wait_page("error", timeout=30, where="answer")
        tap.diag("%s: peerIdentity %s; page error %s" % (
            who, (pi or {}).get("error"), (err or {}).get("detail")))
        tap.ok(err is not None,
               "%s: Firefox refuses the offer (setRemoteDescription "
               "fails, no answer)" % who, (err, s.diag()))
        # the page never answered: nothing can have connected
        opened = [e for e in page_events(s, "channel") +
                  page_events(s, "connection")
                  if e.get("state") in ("open", "connected")] + \
            [e for e in s.sc.events if e.get("event") in
             ("channel", "message", "dtls")]
        sdps = page_events(s, "sdp")
        got_offer = any(e.get("direction") == "remote" for e in sdps)
        answered = any(e.get("direction") == "local" for e in sdps)
        tap.ok(got_offer and not answered and not opened,
               "%s: the offer reached the page, no answer, no DTLS, no "
               "channel on either side" % who, (sdps, opened))
    s = IdSession(tap, "answer", netns, ca,
                  page_extra="&peer_identity=" + peer_identity,
                  **sc_asserts(ca, idp, bob_home, user))
    if mitm_opts:
        s.sc_signal = s.start_mitm(*mitm_opts)
    run(tap, who, s, body)


def sealcall_rejects_edited(tap, netns, ca, idp, token):
    who = "sealcall rejects Firefox's edited assertion"

    def body(s):
        rw = s.mitm.wait_event("rewrote", timeout=60)
        tap.ok(rw is not None and rw.get("changed") is True,
               "%s: the relay edited the identity in Firefox's offer" % who,
               (rw, s.mitm.stderr_tail()))
        e = s.sc.wait_event("ended", timeout=60)
        io = remote_identity(s, 1)
        tap.ok(io is not None and io.get("status") == "failed" and
               io.get("error") == "idp-token-invalid" and
               io.get("identity") is None,
               "%s: identity failed, idp-token-invalid: the IdP no longer "
               "validates it" % who, (io, s.diag()))
        tap.ok(e is not None and e.get("reason") == "identity-rejected",
               "%s: ended identity-rejected" % who, e)
        bye = s.wait_page("ended", timeout=30)
        leaked = [x for x in s.sc.events
                  if x.get("event") in ("channel", "message", "media")] + \
            [x for x in page_events(s, "channel") + page_events(s, "message")
             if x.get("state") != "closed"]   # its own channel, closing
        tap.ok(bye is not None and not leaked,
               "%s: the page is told bye, nothing delivered either way" %
               who, (bye, leaked))
    s = IdSession(tap, "call", netns, ca, cookie=token,
                  sc_extra=["--ca", ca.ca, "--peer-identity",
                            "mallory@localhost"],
                  sc_env={"SEALCALL_IDP_SANDBOX": SANDBOX},
                  page_extra="&idp=%s&idp_hint=alice" % idp.name)
    s.sc_signal = s.start_mitm("--edit-identity", "offer",
                               "--identity-from", "alice@localhost",
                               "--identity-to", "mallory@localhost")
    run(tap, who, s, body)


def main():
    tap = sctest.Tap()
    ver = interop.require_browser(tap, "firefox", netns=True,
                                  tools=(("certutil", "libnss3-tools"),
                                         ("openssl", "openssl")))
    tap.diag(ver)
    netns = interop.Netns("scffid%d" % os.getpid())
    tmp = tempfile.mkdtemp(prefix="sc-ffid-")
    idp = None
    t0 = time.monotonic()
    try:
        try:
            netns.create()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            tap.skip_all("firefox cannot run: network namespace: %s" % e)
        os.chmod(tmp, 0o755)
        ca = realidp.TestCa(tmp, "localhost")
        idp = realidp.RealIdp(ca, ["alice", "bob"], prefix=netns.prefix())
        alice = idp.login("alice")
        bob_home = idp.data_home("bob")

        firefox_calls(tap, netns, ca, idp, alice)
        sealcall_calls(tap, netns, ca, idp, bob_home)
        mutual(tap, netns, ca, idp, alice, bob_home)
        # the edited assertion claims mallory@localhost, the identity the
        # page requires: only the IdP's validation can refuse it
        firefox_rejects(tap, netns, ca, idp, bob_home,
                        "an edited identity",
                        ["--edit-identity", "offer", "--identity-from",
                         "bob@localhost", "--identity-to",
                         "mallory@localhost"],
                        "IdpError: idp-token-invalid: bad signature",
                        peer_identity="mallory@localhost")
        firefox_rejects(tap, netns, ca, idp, bob_home,
                        "a swapped fingerprint (assertion kept)",
                        ["--rewrite-fingerprint", "offer"],
                        "the fingerprints must be covered by the assertion")
        firefox_rejects(tap, netns, ca, idp, bob_home,
                        "another identity than peerIdentity", [],
                        "Peer Identity mismatch, expected: carol@localhost",
                        peer_identity="carol@localhost")
        # an IdP that signs for a domain not its own: example.org's
        # identities from the IdP at localhost:PORT
        other = realidp.RealIdp(ca, ["alice"], domain="example.org",
                                prefix=netns.prefix(), name="idp-example")
        try:
            firefox_rejects(tap, netns, ca, other, other.data_home("alice"),
                            "an IdP asserting for another domain", [],
                            "name \"alice@example.org\" doesn't match IdP",
                            peer_identity="alice@example.org",
                            user="alice")
        finally:
            other.close()
        # an expired assertion of bob's (an IdP whose assertions live 1 s)
        # put into sealcall's offer, which asserts nothing itself
        brief = realidp.RealIdp(ca, ["bob"], lifetime=1,
                                prefix=netns.prefix(), name="idp-brief")
        try:
            attr, j = brief.assertion(brief.login("bob"),
                                      realidp.fingerprint_contents(
                                          ":".join(["5A"] * 32)),
                                      "http://127.0.0.1")
            exp = j["exp"]
            deadline = time.monotonic() + 10
            while time.time() <= exp + 1 and time.monotonic() < deadline:
                time.sleep(0.1)   # the condition is the clock itself
            firefox_rejects(tap, netns, ca, None, bob_home,
                            "an expired assertion",
                            ["--set-identity", "offer", "--identity-value",
                             attr], "idp-token-expired")
        finally:
            brief.close()
        sealcall_rejects_edited(tap, netns, ca, idp, alice)
        tap.diag("firefox identity suite: %.1f s" % (time.monotonic() - t0))
    finally:
        if idp is not None:
            idp.close()
        netns.delete()
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


main()
