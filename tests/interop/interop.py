"""Browser interop suite: sealcall <-> headless Chromium / Firefox ESR through
the web client that `sealcall serve` serves at / (web/).

No WebDriver: the relay runs with --test-hooks (tests only), which serves
the test page /test.html (the web client plus its test driver,
web/test-hooks.js); with report=NAME that page speaks JSON through a second
relay room, where tests/interop/reportpeer.py is the harness's end (events
from the page on its stdout, commands to the page on its stdin). The page a
user opens at / has no such hook (tests/interop/test-web-link.py). Browsers are started from the command line only, each in its own
session (process group), killed by group and PID, and their profile
directories removed.

Addresses: neither browser gathers loopback candidates, so every session
runs inside a network namespace made here (veth pair 10.77.0.1/2, docs in
shared DESIGN.md), with the relay, sealcall and the browser all inside, and
the page signals only 10.77.0.1 candidates (ice=10.77.0.1); the namespace is
deleted afterwards whatever happens.

Each browser, each role, first data only (chat, 16 MiB bench both ways,
DTLS facts vs getStats, fingerprints, selected pair, hangup), then the same
with audio and video, plus: sealcall's media events, the page's WebAudio
analyser hearing sealcall's 440 Hz sine, inbound-rtp packets and decoded
frames in the browser, sealcall's inspector media part with the browser's
SRTP cipher, and sealcall's --record of the browser (WebM: decoded video
frames, sound, the browser's 1 kHz fake microphone tone).
"""
import array
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave

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
# IANA DTLS-SRTP profile (getStats srtpCipher) -> the cipher that sealcall's
# inspector lists for each media direction
SRTP_INSPECTOR = {
    "SRTP_AES128_CM_HMAC_SHA1_80": "AES-128-CM / HMAC-SHA1-80",
    "SRTP_AEAD_AES_128_GCM": "AES-128-GCM",
}
MEDIACHECK = os.path.join(os.environ.get("TOP_SRCDIR",
                                         os.path.join(HERE, "..", "..")),
                          "tests", "lib", "mediacheck.py")
# thresholds of the media checks
TONE_HZ, TONE_TOLERANCE_HZ, TONE_MIN_SHARE = 440, 15, 0.2
MIN_FRAMES = 30          # video frames decoded, each way
MIN_AUDIO_PACKETS = 100  # 2 s of 20 ms Opus packets
MIN_SOUND_DB = -45.0     # loudest 100 ms of the recording (RMS, dBFS)


def norm_fp(s):
    """'sha-256 AB:CD...' in any case -> ('sha-256', 'AB:CD...')."""
    if not s:
        return None
    parts = s.split()
    if len(parts) != 2:
        return None
    return parts[0].lower(), parts[1].upper()


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
    # Firefox's own mock audio backend: with no sound server (headless, no
    # PulseAudio) cubeb opens no output, every AudioContext stays
    # "suspended" and resume() never settles, so the page's WebAudio
    # analyser would hear nothing although RTP arrives and decodes
    "media.cubeb.force_mock_context": True,
    # the fake microphone: a sine of this frequency (Chromium gets a WAV
    # file with the same tone), so that sealcall's recording can be checked
    # for the tone, not only for loudness
    "media.navigator.audio.fake_frequency": 1000,
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


BROWSER_TONE_HZ = 1000   # the browsers' fake microphone


def write_tone_wav(path, hz, seconds=2, rate=48000):
    """A mono 16-bit sine at -20 dBFS (a whole number of periods, so that
    Chromium's looping of the file is seamless)."""
    n = rate * seconds
    amp = 3277   # -20 dBFS: room for the browser's automatic gain
    frames = array.array("h", (int(amp * math.sin(2 * math.pi * hz * i /
                                                  rate)) for i in range(n)))
    if sys.byteorder != "little":
        frames.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())


def find_exe(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


class Browser:
    """One headless browser process (its own session) and its profile."""

    def __init__(self, kind, url, prefix=None, mdns=False, extra_prefs=None,
                 ca_file=None, extra_args=None):
        """@mdns: keep the browser's default of mDNS names in its host
        candidates (Chromium's WebRtcHideLocalIpsWithMdns); off by
        default so that ice=ADDR can pick raw addresses. Firefox only:
        @extra_prefs are added to the profile's prefs, and @ca_file (PEM)
        is trusted as a CA in the profile's NSS database (certutil, from
        libnss3-tools); @extra_args go before the URL."""
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
            wav = os.path.join(self.tmp, "tone.wav")
            write_tone_wav(wav, BROWSER_TONE_HZ)
            args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    # instead of the default beep: a steady sine
                    "--use-file-for-fake-audio-capture=" + wav,
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
            if mdns:
                # and no media permission: the fake UI grants it, and a page
                # with camera/microphone permission sees raw addresses
                args.remove("--disable-features=WebRtcHideLocalIpsWithMdns")
                args.remove("--use-fake-ui-for-media-stream")
        else:
            exe = find_exe(["firefox-esr", "firefox"])
            prof = os.path.join(self.tmp, "profile")
            os.makedirs(prof)
            if ca_file is not None:
                for cmd in (["certutil", "-N", "-d", "sql:" + prof,
                             "--empty-password"],
                            ["certutil", "-A", "-d", "sql:" + prof, "-n",
                             "sealcall test CA", "-t", "C,,", "-i", ca_file]):
                    subprocess.run(cmd, check=True, capture_output=True,
                                   timeout=30)
            with open(os.path.join(prof, "user.js"), "w") as f:
                for k, v in dict(FIREFOX_PREFS, **(extra_prefs or {})).items():
                    f.write("user_pref(%s, %s);\n" % (json.dumps(k),
                                                      json.dumps(v)))
            env["MOZ_HEADLESS"] = "1"
            env["MOZ_DISABLE_AUTO_SAFE_MODE"] = "1"
            env["MOZ_CRASHREPORTER_DISABLE"] = "1"
            env["MOZ_DISABLE_CONTENT_SANDBOX"] = "1"
            args = [exe, "--headless", "--no-remote", "--profile", prof] + \
                list(extra_args or []) + [url]
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


def require_browser(tap, kind, netns=False, tools=()):
    """Skips the whole test (loudly) unless @kind starts, each of @tools
    ((program, Debian package) pairs) is installed and, with @netns, we
    are root (a network namespace); returns the browser's version."""
    if os.environ.get("SC_SKIP_BROWSERS"):
        tap.skip_all("SC_SKIP_BROWSERS is set")
    ver, why = browser_version(kind)
    if ver is None:
        print("# %s CANNOT START: %s" % (kind.upper(), why), flush=True)
        tap.skip_all("%s cannot start: %s" % (kind, why))
    for tool, pkg in tools:
        if shutil.which(tool) is None:
            print("# %s (%s) is missing" % (tool, pkg), flush=True)
            tap.skip_all("%s (%s) is missing" % (tool, pkg))
    if netns and os.geteuid() != 0:
        print("# %s CANNOT RUN: it needs a network namespace (root)" %
              kind.upper(), flush=True)
        tap.skip_all("%s needs a network namespace (root)" % kind)
    return ver


# ---------------------------------------------------------------- a session

class Session:
    """Relay + report peer + browser + one sealcall endpoint, for one role
    combination. Everything it starts is stopped by close()."""

    def __init__(self, tap, kind, browser_role, netns=None, sc_extra=(),
                 page_extra="", sc_env=None, sc_signal=None):
        """@sc_extra: more options for sealcall; @page_extra: more query
        parameters for the page ("&name=value...", encoded); @sc_env: more
        environment for sealcall; @sc_signal(room_url) -> the URL sealcall
        signals through instead (a relay in the middle)."""
        self.tap = tap
        self.sc_extra = list(sc_extra)
        self.page_extra = page_extra
        self.sc_env = sc_env
        self.sc_signal = sc_signal
        self.kind = kind
        self.browser_role = browser_role            # "call" or "answer"
        self.sc_role = "answer" if browser_role == "call" else "call"
        self.netns = netns
        self.prefix = netns.prefix() if netns else []
        self.ice = "10.77.0.1" if netns else "127.0.0.1"
        self.relay = self.report = self.browser = self.sc = None
        self.tag = "%s-%s" % (kind, browser_role)

    def proc(self, args, name, env=None):
        return sctest.Proc(self.prefix + args, name, env)

    def open_browser(self, url):
        """The browser on the page at @url (a subclass may first prepare
        the browser, then navigate)."""
        return Browser(self.kind, url, self.prefix)

    def start(self, media=False, record=None):
        self.relay = self.proc([sctest.SEALCALL, "serve", "--host",
                                "127.0.0.1", "--port", "0", "--test-hooks"],
                               "relay-" + self.tag)
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
        sc_url = base + call_room
        if self.sc_signal is not None:
            sc_url = self.sc_signal(sc_url)
        sc_args = [sctest.SEALCALL, self.sc_role, "--signal",
                   sc_url, "--json", "--ice-address", self.ice]
        if not media:
            sc_args += ["--no-audio", "--no-video"]
        elif record:
            sc_args += ["--record", record]
        sc_args += self.sc_extra
        url = ("http://127.0.0.1:%d/test.html?room=%s&role=%s&ice=%s&report=%s"
               "&audio=%d&video=%d%s" % (self.port, call_room,
                                         self.browser_role, self.ice,
                                         "rep-" + self.tag, int(media),
                                         int(media), self.page_extra))
        if self.sc_role == "answer":
            self.sc = self.proc(sc_args, "sealcall-" + self.tag, self.sc_env)
            if self.sc.wait_event("signaling", timeout=20,
                                  state="connected") is None:
                raise RuntimeError("sealcall did not join:\n" +
                                   self.sc.stderr_tail())
            self.browser = self.open_browser(url)
            self.wait_page("page", timeout=60)
        else:
            self.browser = self.open_browser(url)
            self.wait_page("signaling", timeout=60, state="connected")
            self.sc = self.proc(sc_args, "sealcall-" + self.tag, self.sc_env)
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

    def ask_page(self, cmd, name, timeout=20, **fields):
        """Sends @cmd to the page and returns the first @name event that
        arrives after it (not an older one), or None at the deadline."""
        start = len(self.report.events)
        self.cmd(cmd)

        def pred(ev):
            return ev.get("event") == name and \
                all(ev.get(k) == v for k, v in fields.items())
        return self.report.wait_for(pred, timeout, start)

    def inspect(self, timeout=15):
        """A fresh inspector report from sealcall (None at the deadline)."""
        start = len(self.sc.events)
        self.sc.send({"cmd": "inspect"})
        ev = self.sc.wait_for(lambda e: e.get("event") == "inspector",
                              timeout, start)
        return (ev or {}).get("report")

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
    who = "%s %s%s" % (kind, "calls sealcall" if browser_role == "call"
                       else "answers sealcall", " with media" if media else "")
    results = {}
    tmp = tempfile.mkdtemp(prefix="sc-interop-")
    record = os.path.join(tmp, "from-%s.webm" % kind) if media else None
    t_begin = time.monotonic()
    try:
        try:
            s.start(media=media, record=record)
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
        # (with media the browser must report its SRTP cipher: wait for it)
        deadline = time.monotonic() + 15
        while True:
            st = (s.ask_page({"cmd": "stats"}, "stats", timeout=15) or
                  {}).get("stats", {})
            t = (st.get("transports") or [{}])[0]
            if not media or t.get("srtpCipher") or \
                    time.monotonic() > deadline:
                break
            s.report.wait_for(lambda e: False, 0.3)
        rep = s.inspect() or {}
        check_security(tap, who, kind, st, dtls, rep, netns is not None,
                       media, s.report.events)

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

        # 6. audio and video while the call is up
        if media:
            check_media(tap, who, s, rep)

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

        # 8. what sealcall recorded of the browser's audio and video (the
        # file is complete once sealcall has exited)
        if media:
            check_recording(tap, who, kind, record, rc == 0)
        return results
    finally:
        s.close()
        shutil.rmtree(tmp, ignore_errors=True)
        tap.diag("%s: session took %.1f s" % (who, time.monotonic() - t_begin))


def check_security(tap, who, kind, st, dtls, rep, in_netns, media,
                   page_events):
    tr = rep.get("transport", {})
    transports = st.get("transports") or []
    t = transports[0] if transports else None
    if t is None:
        tap.ok(False, "%s: the browser reports transport stats" % who, st)
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
        # SRTP: the profile is negotiated on the DTLS handshake even without
        # media; a browser only has to report srtpCipher once it has SRTP
        # streams, so with media it is required
        srtp_std = dtls.get("srtp_profile_standard")
        if t.get("srtpCipher") or media:
            tap.ok(t.get("srtpCipher") is not None and
                   t.get("srtpCipher") == srtp_std and
                   tr.get("srtp_profile_standard") in (None, srtp_std) and
                   t.get("srtpCipher") in SRTP.get(dtls.get("srtp_profile"),
                                                   ()),
                   "%s: SRTP profile agrees (sealcall %s = %s, browser %s)" % (
                       who, dtls.get("srtp_profile"), srtp_std,
                       t.get("srtpCipher")), (t, dtls, tr))
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
    check_selected_pair(tap, who, st, in_netns, page_events)


def signalled_candidates(page_events):
    """(address, port) of every candidate sealcall signalled to the page:
    in its offer or answer (a=candidate lines) or trickled."""
    lines = []
    for e in page_events:
        if e.get("event") == "remote-candidate":
            lines.append(e.get("candidate") or "")
        elif e.get("event") == "sdp" and e.get("direction") == "remote":
            lines += [ln for ln in (e.get("sdp") or "").splitlines()
                      if ln.startswith("a=candidate:")]
    out = set()
    for line in lines:
        f = line.replace("a=", "").split()
        if len(f) > 5 and f[5].isdigit():
            out.add((f[4], int(f[5])))
    return out


def check_selected_pair(tap, who, st, in_netns, page_events):
    """The browser's selected pair is between test addresses. Chromium
    redacts the address of a remote peer-reflexive candidate in getStats
    (address ""): that happens whenever sealcall's first connectivity check
    reaches the browser before the browser has applied sealcall's answer and
    candidates (trickle ICE; libwebrtc keeps the prflx entry). Then the
    remote end is identified by its port among the candidates sealcall
    signalled, all on the test address."""
    sel = st.get("selected") or {}
    lc = sel.get("local") or {}
    rc = sel.get("remote") or {}
    loc, rem = lc.get("address"), rc.get("address")
    ours = (lambda a: a is not None and a.startswith("10.77.0.")) \
        if in_netns else (lambda a: a == "127.0.0.1")
    how = ""
    if rem == "" and rc.get("candidateType") == "prflx":
        match = [a for a, p in signalled_candidates(page_events)
                 if p == rc.get("port") and ours(a)]
        rem = match[0] if match else None
        how = ", remote prflx with its address redacted by the browser: " \
            "port %s is sealcall's signalled %s" % (rc.get("port"), rem)
    tap.ok(ours(loc) and ours(rem),
           "%s: selected pair stays on the test address (%s <-> %s%s)"
           % (who, loc, rem, how),
           (sel, sorted(signalled_candidates(page_events))))


def wait_browser_stats(s, cond, timeout=30):
    """Polls the page's getStats until @cond(stats) holds; returns the last
    stats and whether it held."""
    deadline = time.monotonic() + timeout
    st = {}
    while True:
        ev = s.ask_page({"cmd": "stats"}, "stats",
                        timeout=max(1, deadline - time.monotonic()))
        st = (ev or {}).get("stats", st)
        if cond(st):
            return st, True
        if time.monotonic() > deadline:
            return st, False
        s.report.wait_for(lambda e: False, 0.5)   # read on for 0.5 s


def by_kind(items):
    return {i.get("kind"): i for i in items or []}


def check_media(tap, who, s, rep):
    sc = s.sc
    # sealcall: both kinds flowing both ways (media events)
    for k in ("audio", "video"):
        for d in ("send", "recv"):
            tap.ok(sc.wait_event("media", timeout=30, kind=k, direction=d,
                                 state="flowing") is not None,
                   "%s: sealcall %s %s flowing (media event)" % (who, k, d),
                   [e for e in sc.events if e.get("event") == "media"])
    # the browser hears sealcall's 440 Hz sine through WebAudio
    tone = s.ask_page({"cmd": "tone", "seconds": 2}, "tone", timeout=30) or {}
    hz = tone.get("peak_hz")
    tap.ok(hz is not None and abs(hz - TONE_HZ) <= TONE_TOLERANCE_HZ and
           (tone.get("share") or 0) >= TONE_MIN_SHARE,
           "%s: the browser hears sealcall's 440 Hz tone (peak %s Hz, %.0f%% "
           "of the power, %s dB)" % (who, hz and round(hz, 1),
                                     100 * (tone.get("share") or 0),
                                     tone.get("peak_db") and
                                     round(tone["peak_db"], 1)),
           tone or "no tone event in 30 s: " + s.diag())

    # the browser receives and decodes: getStats inbound-rtp
    def enough(st):
        inb = by_kind(st.get("inbound"))
        return ((inb.get("audio") or {}).get("packetsReceived") or 0) >= \
            MIN_AUDIO_PACKETS and \
            ((inb.get("video") or {}).get("framesDecoded") or 0) >= MIN_FRAMES
    st, _ = wait_browser_stats(s, enough, timeout=30)
    inb = by_kind(st.get("inbound"))
    outb = by_kind(st.get("outbound"))
    a, v = inb.get("audio") or {}, inb.get("video") or {}
    tap.ok((a.get("packetsReceived") or 0) >= MIN_AUDIO_PACKETS,
           "%s: the browser receives sealcall's audio (%s RTP packets)"
           % (who, a.get("packetsReceived")), a)
    tap.ok((v.get("framesDecoded") or 0) >= MIN_FRAMES,
           "%s: the browser decodes sealcall's video (%s frames)"
           % (who, v.get("framesDecoded")), v)
    tap.diag("%s: browser inbound video: %s" % (who, json.dumps(v)))
    tap.diag("%s: browser outbound: audio %s packets; video %s" % (
        who, (outb.get("audio") or {}).get("packetsSent"),
        json.dumps(outb.get("video"))))
    # sealcall's inspector: four encrypted directions, the cipher of the
    # SRTP profile the browser reports, packets counted
    srtp = ((st.get("transports") or [{}])[0]).get("srtpCipher")
    want = SRTP_INSPECTOR.get(srtp)
    rep = s.inspect() or {}
    m = rep.get("media") or []
    dirs = sorted("%s/%s" % (i.get("kind"), i.get("direction")) for i in m)
    tap.ok(dirs == ["audio/recv", "audio/send", "video/recv", "video/send"]
           and want is not None and
           all(i.get("encrypted") is True and i.get("cipher") == want and
               (i.get("packets") or 0) > 0 for i in m),
           "%s: sealcall's inspector lists 4 encrypted media directions with "
           "the browser's SRTP cipher (%s = %s) and packets" % (who, srtp,
                                                               want), m)


def check_recording(tap, who, kind, path, exited):
    """sealcall's --record of the browser's media: decodable video frames,
    sound, and the pitch of the browsers' fake microphone (a 1 kHz sine:
    Firefox's fake_frequency pref, a WAV file for Chromium instead of its
    default beep once a second)."""
    if not exited or not os.path.exists(path):
        tap.ok(False, "%s: sealcall wrote a recording of the browser's media"
               % who, "exited cleanly: %s, file exists: %s" % (
                   exited, os.path.exists(path)))
        return
    size = os.path.getsize(path)
    try:
        p = subprocess.run([PYTHON3, MEDIACHECK, path], capture_output=True,
                           timeout=120)
        r = json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
        r = {"error": "mediacheck: %s" % e}
    with open(path, "rb") as f:
        magic = f.read(4)
    tap.diag("%s: recording %d bytes: %s" % (who, size, json.dumps(r)))
    tap.ok(magic == b"\x1a\x45\xdf\xa3" and r.get("error") is None and
           (r.get("video_frames") or 0) >= MIN_FRAMES,
           "%s: sealcall's WebM recording of %s has decodable video (%s "
           "frames)" % (who, kind, r.get("video_frames")), r)
    db = r.get("audio_peak_rms_db")
    tap.ok(db is not None and db > MIN_SOUND_DB,
           "%s: sealcall's recording of %s's audio has sound, not silence "
           "(peak RMS %s dBFS)" % (who, kind, db and round(db, 1)), r)
    hz = r.get("audio_peak_hz")
    tap.ok(hz is not None and abs(hz - BROWSER_TONE_HZ) <= 20,
           "%s: sealcall's recording carries %s's %d Hz microphone tone "
           "(dominant %s Hz)" % (who, kind, BROWSER_TONE_HZ, hz), r)


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
            print("# " + "!" * 70, flush=True)
            print("# %s CANNOT RUN: it needs a network namespace (root) to "
                  "gather candidates, and this is not root" % kind, flush=True)
            print("# " + "!" * 70, flush=True)
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
    t0 = time.monotonic()
    try:
        figures = {}
        # data only (sealcall --no-audio --no-video, page audio=0 video=0),
        # then audio + video + data, each in both roles
        for media in (False, True):
            for role in ("call", "answer"):
                figures["%s%s" % (role, "-media" if media else "")] = \
                    run_session(tap, kind, role, netns, media=media)
        tap.diag("figures: " + json.dumps(figures))
        tap.diag("%s suite: %.1f s" % (kind, time.monotonic() - t0))
    finally:
        if netns is not None:
            netns.delete()
    tap.done()
