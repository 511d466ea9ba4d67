"""Browser interop suite: sealcall <-> headless Chromium / Firefox ESR through
the web client that `sealcall serve` serves at / (web/).

No WebDriver: the page runs in test mode (test=1&report=NAME) and speaks JSON
through a second relay room, where tests/interop/reportpeer.py is the
harness's end (events from the page on its stdout, commands to the page on
its stdin). Browsers are started from the command line only, each in its own
session (process group), killed by group and PID, and their profile
directories removed.

Addresses: Chromium runs on 127.0.0.1 (the page signals only 127.0.0.1
candidates: ice=127.0.0.1). Firefox gathers no loopback candidates, so its
runs happen inside a network namespace made here (veth pair 10.77.0.1/2,
docs in shared DESIGN.md), with the relay, sealcall and firefox all inside;
the namespace is deleted afterwards whatever happens.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR",
                                               os.path.join(HERE, "..", "..")),
                                "tests", "lib"))
import sctest  # noqa: E402

PYTHON3 = os.environ.get("PYTHON3") or sys.executable or "python3"
BENCH_BYTES = 16 * 1024 * 1024
BENCH_CHUNK = 65536

# OpenSSL cipher name -> IANA name (what browsers' getStats report), for a
# sealcall that does not report cipher_standard itself.
IANA = {
    "ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305":
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
}
# sealcall's srtp_profile (OpenSSL's name) -> getStats srtpCipher, which
# Chromium reports as the IANA DTLS-SRTP protection profile name (RFC 5764
# registry); the SDES crypto-suite spelling is accepted too.
SRTP = {
    "SRTP_AES128_CM_SHA1_80": ("SRTP_AES128_CM_HMAC_SHA1_80",
                               "AES_CM_128_HMAC_SHA1_80"),
    "SRTP_AES128_CM_SHA1_32": ("SRTP_AES128_CM_HMAC_SHA1_32",
                               "AES_CM_128_HMAC_SHA1_32"),
    "SRTP_AEAD_AES_128_GCM": ("SRTP_AEAD_AES_128_GCM", "AEAD_AES_128_GCM"),
    "SRTP_AEAD_AES_256_GCM": ("SRTP_AEAD_AES_256_GCM", "AEAD_AES_256_GCM"),
}
DTLS_VERSION = {"DTLSv1.2": "FEFD", "DTLSv1.3": "FEFC"}


def norm_fp(s):
    """'sha-256 AB:CD...' in any case -> ('sha-256', 'AB:CD...')."""
    if not s:
        return None
    parts = s.split()
    if len(parts) != 2:
        return None
    return parts[0].lower(), parts[1].upper()


def media_built():
    """True when the CLI lists --record (audio/video in the CLI)."""
    try:
        out = subprocess.run([sctest.SEALCALL, "call", "--help"],
                             capture_output=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--record" in out


# ---------------------------------------------------------------- netns

class Netns:
    """A network namespace with lo up and a veth pair 10.77.0.1 <-> .2."""

    def __init__(self, name):
        self.name = name
        self.made = False

    def _ip(self, *args):
        r = subprocess.run(["ip"] + list(args), capture_output=True,
                           timeout=20)
        if r.returncode != 0:
            raise RuntimeError("ip %s: %s" % (" ".join(args),
                                              r.stderr.decode().strip()))

    def create(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True,
                       timeout=20)
        self._ip("netns", "add", self.name)
        self.made = True
        n = self.name
        self._ip("-n", n, "link", "set", "lo", "up")
        self._ip("-n", n, "link", "add", "v0", "type", "veth", "peer",
                 "name", "v1")
        self._ip("-n", n, "addr", "add", "10.77.0.1/24", "dev", "v0")
        self._ip("-n", n, "addr", "add", "10.77.0.2/24", "dev", "v1")
        self._ip("-n", n, "link", "set", "v0", "up")
        self._ip("-n", n, "link", "set", "v1", "up")
        self._ip("-n", n, "route", "add", "default", "via", "10.77.0.2",
                 "dev", "v0")

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def delete(self):
        if self.made:
            subprocess.run(["ip", "netns", "del", self.name],
                           capture_output=True, timeout=20)
            self.made = False


# ---------------------------------------------------------------- browsers

FIREFOX_PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    # raw host addresses in candidates (no mDNS names), so ice=ADDR works
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    "media.peerconnection.ice.default_address_only": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "startup.homepage_welcome_url": "",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "trailhead.firstrun.didSeeAboutWelcome": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.policy.firstRunURL": "",
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.archive.enabled": False,
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "browser.search.update": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.ping-centre.telemetry": False,
    "browser.discovery.enabled": False,
    "services.settings.server": "",
    "browser.region.update.enabled": False,
    "browser.tabs.remote.autostart": True,
    "security.sandbox.content.level": 0,
    "dom.ipc.processCount": 1,
}


def find_exe(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


class Browser:
    """One headless browser process (its own session) and its profile."""

    def __init__(self, kind, url, prefix=None):
        self.kind = kind
        self.tmp = tempfile.mkdtemp(prefix="sc-%s-" % kind)
        self.log_path = os.path.join(self.tmp, "browser.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ)
        env["HOME"] = self.tmp
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        if kind == "chromium":
            exe = find_exe(["chromium", "chromium-browser"])
            args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    "--autoplay-policy=no-user-gesture-required",
                    "--user-data-dir=" + os.path.join(self.tmp, "profile"),
                    "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run",
                    "--no-default-browser-check",
                    # raw host addresses in candidates, not mDNS names, so
                    # that ice=127.0.0.1 can select them
                    "--disable-features=WebRtcHideLocalIpsWithMdns",
                    "--enable-logging=stderr", "--v=0",
                    url]
        else:
            exe = find_exe(["firefox-esr", "firefox"])
            prof = os.path.join(self.tmp, "profile")
            os.makedirs(prof)
            with open(os.path.join(prof, "user.js"), "w") as f:
                for k, v in FIREFOX_PREFS.items():
                    f.write("user_pref(%s, %s);\n" % (json.dumps(k),
                                                      json.dumps(v)))
            env["MOZ_HEADLESS"] = "1"
            env["MOZ_DISABLE_AUTO_SAFE_MODE"] = "1"
            env["MOZ_CRASHREPORTER_DISABLE"] = "1"
            env["MOZ_DISABLE_CONTENT_SANDBOX"] = "1"
            args = [exe, "--headless", "--no-remote", "--profile", prof, url]
        if exe is None:
            raise RuntimeError("%s is not installed" % kind)
        self.args = (prefix or []) + args
        self.t_launch = time.monotonic()
        self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                  stdout=self.log, stderr=subprocess.STDOUT,
                                  env=env, start_new_session=True)

    def alive(self):
        return self.p.poll() is None

    def log_tail(self, n=25):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def close(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        # whatever is left of the group (renderers, GPU, content processes)
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def browser_version(kind):
    exe = find_exe(["chromium", "chromium-browser"] if kind == "chromium"
                   else ["firefox-esr", "firefox"])
    if exe is None:
        return None, "%s is not installed (apt-get install %s)" % (
            kind, "chromium" if kind == "chromium" else "firefox-esr")
    try:
        env = dict(os.environ, HOME=tempfile.gettempdir())
        r = subprocess.run([exe, "--version"], capture_output=True,
                           timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "%s --version failed: %s" % (exe, e)
    if r.returncode != 0:
        return None, "%s --version exited %d: %s" % (
            exe, r.returncode, r.stderr.decode("utf-8", "replace")[-300:])
    return r.stdout.decode().strip(), None


# ---------------------------------------------------------------- a session

class Session:
    """Relay + report peer + browser + one sealcall endpoint, for one role
    combination. Everything it starts is stopped by close()."""

    def __init__(self, tap, kind, browser_role, netns=None):
        self.tap = tap
        self.kind = kind
        self.browser_role = browser_role            # "call" or "answer"
        self.sc_role = "answer" if browser_role == "call" else "call"
        self.netns = netns
        self.prefix = netns.prefix() if netns else []
        self.ice = "10.77.0.1" if netns else "127.0.0.1"
        self.relay = self.report = self.browser = self.sc = None
        self.tag = "%s-%s" % (kind, browser_role)

    def proc(self, args, name):
        return sctest.Proc(self.prefix + args, name)

    def start(self, media=False):
        self.relay = self.proc([sctest.SEALCALL, "serve", "--host",
                                "127.0.0.1", "--port", "0"], "relay-" + self.tag)
        ev = self.relay.wait_event("listening", timeout=20)
        if ev is None:
            raise RuntimeError("relay did not start:\n" +
                               self.relay.stderr_tail())
        self.port = ev["port"]
        base = "ws://127.0.0.1:%d/room/" % self.port
        self.report = self.proc([PYTHON3, os.path.join(HERE, "reportpeer.py"),
                                 base + "rep-" + self.tag], "report-" + self.tag)
        if self.report.wait_event("report-connected", timeout=20) is None:
            raise RuntimeError("report peer did not connect: %s\n%s" % (
                self.report.events, self.report.stderr_tail()))
        call_room = "call-" + self.tag
        sc_args = [sctest.SEALCALL, self.sc_role, "--signal",
                   base + call_room, "--json", "--ice-address", self.ice]
        if not media and media_built():
            sc_args += ["--no-audio", "--no-video"]
        url = ("http://127.0.0.1:%d/?room=%s&role=%s&ice=%s&test=1&report=%s"
               "&audio=%d&video=%d" % (self.port, call_room, self.browser_role,
                                       self.ice, "rep-" + self.tag,
                                       int(media), int(media)))
        if self.sc_role == "answer":
            self.sc = self.proc(sc_args, "sealcall-" + self.tag)
            if self.sc.wait_event("signaling", timeout=20,
                                  state="connected") is None:
                raise RuntimeError("sealcall did not join:\n" +
                                   self.sc.stderr_tail())
            self.browser = Browser(self.kind, url, self.prefix)
            self.wait_page("page", timeout=60)
        else:
            self.browser = Browser(self.kind, url, self.prefix)
            self.wait_page("signaling", timeout=60, state="connected")
            self.sc = self.proc(sc_args, "sealcall-" + self.tag)
        self.t_started = time.monotonic()

    def wait_page(self, name, timeout=30, **fields):
        ev = self.report.wait_event(name, timeout=timeout, **fields)
        if ev is None and name in ("page", "signaling") and \
                not self.page_loaded():
            raise RuntimeError("the page did not load in %s (%s):\n%s" % (
                self.kind, "exited %s" % self.browser.p.poll()
                if not self.browser.alive() else "still running",
                self.browser.log_tail()))
        return ev

    def page_loaded(self):
        return any(e.get("event") == "page" for e in self.report.events)

    def cmd(self, obj):
        self.report.send(obj)

    def page_errors(self):
        return [e for e in self.report.events if e.get("event") == "error"]

    def diag(self):
        return ("sealcall stderr:\n" + (self.sc.stderr_tail(15) if self.sc
                                        else "") +
                "\npage errors: %s" % self.page_errors() +
                "\npage events: %s" % [e.get("event") + ":" + str(e.get("state", ""))
                                       for e in self.report.events
                                       if "event" in e][-25:] +
                "\nbrowser log:\n" + (self.browser.log_tail(10)
                                      if self.browser else ""))

    def close(self):
        for p in (self.sc, self.report, self.relay):
            if p is not None:
                p.kill()
        if self.browser is not None:
            self.browser.close()


# ---------------------------------------------------------------- checks

def run_session(tap, kind, browser_role, netns=None, media=False):
    s = Session(tap, kind, browser_role, netns)
    who = "%s %s" % (kind, "calls sealcall" if browser_role == "call"
                     else "answers sealcall")
    results = {}
    try:
        try:
            s.start(media=media)
        except RuntimeError as e:
            tap.ok(False, "%s: session starts" % who, str(e))
            return results
        sc = s.sc
        # 1. the call connects: chat open on both sides
        a = sc.wait_event("channel", timeout=40, state="open", label="chat")
        b = s.wait_page("channel", timeout=max(1, 40 - (time.monotonic() -
                                                        s.t_started)),
                        state="open", label="chat")
        ok = tap.ok(a is not None and b is not None,
                    "%s: the call connects, chat channel open on both" % who,
                    s.diag())
        if not ok:
            return results
        offer_ev = s.report.wait_event("sdp", timeout=1, type="offer")
        if offer_ev is not None:
            results["setup_ms"] = b["t_ms"] - offer_ev["t_ms"]
            tap.diag("%s: offer -> chat open (page clock): %d ms" %
                     (who, results["setup_ms"]))
        dtls = sc.wait_event("dtls", timeout=5, state="connected") or {}
        ice = sc.wait_event("ice", timeout=5, state="connected") or {}
        tap.diag("%s: sealcall DTLS role %s, ICE pair %s/%s" % (
            who, dtls.get("role"), ice.get("local_type"),
            ice.get("remote_type")))

        # 2. chat both ways
        s.cmd({"cmd": "send", "label": "chat", "text": "hello from %s ✓" % kind})
        tap.ok(sc.wait_event("message", timeout=15, label="chat",
                             text="hello from %s ✓" % kind) is not None,
               "%s: chat browser -> sealcall (UTF-8)" % who, s.diag())
        sc.send({"cmd": "send", "label": "chat", "text": "hello from sealcall"})
        tap.ok(s.wait_page("message", timeout=15, label="chat",
                           text="hello from sealcall") is not None,
               "%s: chat sealcall -> browser" % who, s.diag())
        blob = "AAECA/79/P8="
        sc.send({"cmd": "send", "label": "chat", "binary": blob})
        s.cmd({"cmd": "send", "label": "chat", "binary": blob})
        tap.ok(s.wait_page("message", timeout=15, label="chat",
                           binary=blob) is not None and
               sc.wait_event("message", timeout=15, label="chat",
                             binary=blob) is not None,
               "%s: binary messages both ways" % who, s.diag())

        # 3. security facts: page getStats vs sealcall dtls event + inspector
        s.cmd({"cmd": "stats"})
        st = s.wait_page("stats", timeout=15)
        st = st.get("stats", {}) if st else {}
        sc.send({"cmd": "inspect"})
        ins = sc.wait_event("inspector", timeout=15)
        tr = (ins or {}).get("report", {}).get("transport", {})
        check_security(tap, who, kind, st, dtls, tr, netns is not None)

        # 4. bench sealcall -> browser
        sc.send({"cmd": "bench", "bytes": BENCH_BYTES, "chunk": BENCH_CHUNK})
        bs = sc.wait_event("bench", timeout=120, role="sender")
        br = s.wait_page("bench", timeout=10, role="receiver", state="done")
        ok = tap.ok(bs is not None and bs.get("bytes") == BENCH_BYTES and
                    br is not None and br.get("pattern") == "ok",
                    "%s: 16 MiB bench sealcall -> browser, every byte checked"
                    % who, (bs, br, s.diag()))
        if bs:
            results["bench_sc_to_browser"] = bs["mbps"]
            tap.diag("%s: bench sealcall -> %s: %.1f Mbit/s (%.2f s)" %
                     (who, kind, bs["mbps"], bs["seconds"]))
        # 5. bench browser -> sealcall
        s.cmd({"cmd": "bench", "bytes": BENCH_BYTES, "chunk": BENCH_CHUNK})
        ps = s.wait_page("bench", timeout=120, role="sender", state="done")
        sr = sc.wait_event("bench", timeout=10, role="receiver")
        tap.ok(ps is not None and ps.get("bytes") == BENCH_BYTES and
               sr is not None and sr.get("pattern") == "ok" and
               sr.get("bytes") == BENCH_BYTES,
               "%s: 16 MiB bench browser -> sealcall, every byte checked"
               % who, (ps, sr, s.diag()))
        if ps:
            results["bench_browser_to_sc"] = ps["mbps"]
            tap.diag("%s: bench %s -> sealcall: %.1f Mbit/s (%.2f s)" %
                     (who, kind, ps["mbps"], ps["seconds"]))

        # 6. media (when the CLI has it)
        if media:
            check_media(tap, who, s)

        # 7. hangup from sealcall ends the page with bye
        sc.send({"cmd": "hangup"})
        e1 = sc.wait_event("ended", timeout=20)
        rc = sc.wait_exit(20)
        e2 = s.wait_page("ended", timeout=20)
        tap.ok(e1 is not None and e1.get("reason") == "hangup" and rc == 0
               and e2 is not None and e2.get("reason") == "bye",
               "%s: sealcall hangup ends both (exit 0, page got bye)" % who,
               (e1, rc, e2))
        errs = [e for e in s.page_errors()]
        tap.ok(not errs, "%s: no errors on the page" % who, errs)
        return results
    finally:
        s.close()


def check_security(tap, who, kind, st, dtls, tr, in_netns):
    transports = st.get("transports") or []
    t = transports[0] if transports else None
    if t is None:
        tap.ok(True, "%s: DTLS facts agree # SKIP %s has no transport stats"
               % (who, kind))
    else:
        ver = dtls.get("version")
        tap.ok(t.get("dtlsState") == "connected" and ver is not None and
               t.get("tlsVersion") == DTLS_VERSION.get(ver) and
               tr.get("dtls_version") == ver,
               "%s: DTLS version agrees (sealcall %s, browser tlsVersion %s)"
               % (who, ver, t.get("tlsVersion")), (t, dtls, tr))
        want = dtls.get("cipher_standard") or IANA.get(dtls.get("cipher"))
        tap.ok(want is not None and t.get("dtlsCipher") == want and
               (tr.get("cipher_standard") in (None, want)),
               "%s: DTLS cipher agrees (sealcall %s = %s, browser %s)"
               % (who, dtls.get("cipher"), want, t.get("dtlsCipher")),
               (t, dtls))
        # SRTP: negotiated on the DTLS handshake even without media; the
        # browser only reports srtpCipher once it has SRTP streams
        if t.get("srtpCipher"):
            tap.ok(t.get("srtpCipher") in SRTP.get(dtls.get("srtp_profile"), ()),
                   "%s: SRTP profile agrees (%s = %s)" % (
                       who, dtls.get("srtp_profile"), t.get("srtpCipher")))
        else:
            tap.ok(True, "%s: SRTP profile agrees # SKIP no srtpCipher "
                   "without media streams (sealcall: %s)" % (
                       who, dtls.get("srtp_profile")))
        role = dtls.get("role")
        if t.get("dtlsRole") in ("client", "server") and role:
            tap.ok(t.get("dtlsRole") != role,
                   "%s: DTLS roles are opposite (sealcall %s, browser %s)"
                   % (who, role, t.get("dtlsRole")))
    # fingerprints: sealcall verified the browser's certificate
    local = st.get("localCertificate")
    if local and local.get("fingerprint"):
        page_fp = norm_fp("%s %s" % (local.get("fingerprintAlgorithm"),
                                     local.get("fingerprint")))
        src = "certificate stats"
    else:
        page_fp = norm_fp(st.get("sdpLocalFingerprint"))
        src = "local SDP (no certificate stats)"
    tap.ok(page_fp is not None and
           page_fp == norm_fp(dtls.get("remote_fingerprint")) and
           page_fp == norm_fp(tr.get("remote_fingerprint")),
           "%s: sealcall verified the browser's certificate (%s)" % (who, src),
           (page_fp, dtls.get("remote_fingerprint"),
            tr.get("remote_fingerprint")))
    remote = st.get("remoteCertificate")
    if remote and remote.get("fingerprint"):
        tap.ok(norm_fp("%s %s" % (remote.get("fingerprintAlgorithm"),
                                  remote.get("fingerprint"))) ==
               norm_fp(tr.get("local_fingerprint")),
               "%s: the browser saw sealcall's certificate" % who,
               (remote, tr.get("local_fingerprint")))
    sel = st.get("selected") or {}
    loc = (sel.get("local") or {}).get("address")
    rem = (sel.get("remote") or {}).get("address")
    ours = (lambda a: a.startswith("10.77.0.")) if in_netns else \
        (lambda a: a == "127.0.0.1")
    tap.ok(loc is not None and rem is not None and ours(loc) and ours(rem),
           "%s: selected pair stays on the test address (%s <-> %s)"
           % (who, loc, rem), sel)


def check_media(tap, who, s):
    s.cmd({"cmd": "tone", "seconds": 2})
    tone = s.wait_page("tone", timeout=20) or {}
    hz = tone.get("peak_hz")
    tap.ok(hz is not None and abs(hz - 440) < 15,
           "%s: the browser hears sealcall's 440 Hz tone (peak %s Hz)"
           % (who, hz), tone)
    s.cmd({"cmd": "stats"})
    st = (s.wait_page("stats", timeout=15) or {}).get("stats", {})
    inbound = {i.get("kind"): i for i in st.get("inbound", [])}
    a = inbound.get("audio") or {}
    v = inbound.get("video") or {}
    tap.ok((a.get("packetsReceived") or 0) > 0,
           "%s: browser receives audio RTP" % who, a)
    tap.ok((v.get("framesDecoded") or 0) > 0,
           "%s: browser decodes sealcall's video" % who, v)
    m = s.sc.wait_event("media", timeout=15, kind="audio", direction="recv",
                        state="flowing")
    tap.ok(m is not None, "%s: sealcall receives the browser's audio" % who)


def run_browser_suite(kind, use_netns):
    tap = sctest.Tap()
    if os.environ.get("SC_SKIP_BROWSERS"):
        tap.skip_all("SC_SKIP_BROWSERS is set")
    ver, why = browser_version(kind)
    if ver is None:
        print("# " + "!" * 70, flush=True)
        print("# %s CANNOT START: %s" % (kind, why), flush=True)
        print("# " + "!" * 70, flush=True)
        tap.skip_all("%s cannot start: %s" % (kind, why))
    tap.diag("%s; sealcall %s" % (ver, sctest.SEALCALL))
    netns = None
    if use_netns:
        if os.geteuid() != 0:
            tap.skip_all("%s needs a network namespace (root) to gather "
                         "candidates, and this is not root" % kind)
        netns = Netns("scweb%d" % os.getpid())
        try:
            netns.create()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            netns.delete()
            print("# %s CANNOT RUN: no network namespace: %s" % (kind, e),
                  flush=True)
            tap.skip_all("%s cannot run: network namespace: %s" % (kind, e))
    media = media_built()
    try:
        figures = {}
        for role in ("call", "answer"):
            figures[role] = run_session(tap, kind, role, netns, media=False)
        if media:
            for role in ("call", "answer"):
                run_session(tap, kind, role, netns, media=True)
        else:
            tap.ok(True, "%s: audio/video checks # SKIP media not built yet "
                   "(sealcall call --help lists no --record)" % kind)
        tap.diag("figures: " + json.dumps(figures))
    finally:
        if netns is not None:
            netns.delete()
    tap.done()
