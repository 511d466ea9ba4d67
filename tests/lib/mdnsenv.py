"""An mDNS responder for tests: a private D-Bus bus and an avahi-daemon of
the test's own, inside a network namespace the test made, so that sealcall
(which publishes and resolves mDNS names through the Avahi client library,
over the D-Bus system bus) finds a daemon without touching the machine's.

- The bus: `dbus-daemon --config-file=OURS` listening on a socket in a
  temporary directory; sealcall and avahi-daemon are pointed at it with
  DBUS_SYSTEM_BUS_ADDRESS (libdbus honours it for the system bus).
- The daemon: `avahi-daemon --no-drop-root --no-chroot -f OURS` (mDNS on
  the namespace's interfaces only), run as `ip netns exec NS unshare -m sh
  -c 'mount -t tmpfs none /run && exec avahi-daemon ...'`: its pid file
  and socket, at fixed paths under /run/avahi-daemon, land on a tmpfs of
  its own mount namespace, so it never meets the machine's avahi-daemon
  (or another test's). Every exec keeps the PID: it is stopped by PID.

    env = MdnsEnv("NS"); env.start()
    Proc([...], env=env.env())      # sealcall in NS with the bus address
    env.stop()
"""
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

BUS_CONF = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

AVAHI_CONF = """[server]
host-name=sealcall-test
use-ipv4=yes
use-ipv6=no
allow-interfaces=%s
enable-dbus=yes
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=no
publish-hinfo=no
publish-workstation=no
publish-domain=no
[reflector]
[rlimits]
"""


def unavailable(tools=()):
    """Why an MdnsEnv (and the programs @tools) cannot run here, or None."""
    for exe in ("dbus-daemon", "avahi-daemon", "unshare", "ip") + tuple(tools):
        if shutil.which(exe) is None and \
                not os.path.exists("/usr/sbin/" + exe):
            return "%s is not installed (quickstart's TEST_PKGS)" % exe
    if os.geteuid() != 0:
        return "needs root (network namespace, private mount of /run)"
    return None


def _wait_line(proc, fd, needle, timeout, what):
    """Reads @fd until a line holds @needle; returns all read so far."""
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            raise RuntimeError("%s did not start: %s" % (
                what, buf.decode("utf-8", "replace")[-600:]))
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                continue
            buf += chunk
    return buf


class MdnsEnv:
    def __init__(self, netns, interfaces=("v0", "v1")):
        self.netns = netns
        self.interfaces = interfaces
        self.dir = tempfile.mkdtemp(prefix="sc-mdns-")
        self.bus_path = os.path.join(self.dir, "bus")
        self.address = "unix:path=" + self.bus_path
        self.bus = self.avahi = None
        self.avahi_log = os.path.join(self.dir, "avahi.log")
        self._avahi_r = None
        self._log = None

    def env(self):
        return {"DBUS_SYSTEM_BUS_ADDRESS": self.address}

    def start(self, timeout=20.0):
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONF % self.bus_path)
        aconf = os.path.join(self.dir, "avahi.conf")
        with open(aconf, "w") as f:
            f.write(AVAHI_CONF % ",".join(self.interfaces))
        self.bus = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + conf, "--nofork",
             "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL)
        _wait_line(self.bus, self.bus.stdout.fileno(), b"unix:", timeout,
                   "dbus-daemon")
        r, w = os.pipe()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.avahi = subprocess.Popen(
            ["ip", "netns", "exec", self.netns, "unshare", "-m",
             "--propagation", "private", "sh", "-c",
             "mount -t tmpfs none /run && exec avahi-daemon --no-drop-root "
             "--no-chroot -f " + aconf],
            stdout=w, stderr=w, stdin=subprocess.DEVNULL, env=env)
        os.close(w)
        self._avahi_r = r
        self._log = open(self.avahi_log, "wb")
        out = _wait_line(self.avahi, r, b"Server startup complete",
                         timeout, "avahi-daemon")
        self._log.write(out)
        return self

    def log_tail(self):
        """What avahi-daemon printed (drained without blocking)."""
        if self.avahi is not None and self._avahi_r is not None:
            while select.select([self._avahi_r], [], [], 0)[0]:
                chunk = os.read(self._avahi_r, 65536)
                if not chunk:
                    break
                self._log.write(chunk)
            self._log.flush()
        try:
            with open(self.avahi_log, "rb") as f:
                return f.read().decode("utf-8", "replace")[-1500:]
        except OSError:
            return ""

    def _stop(self, p):
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def stop(self):
        self._stop(self.avahi)
        self._stop(self.bus)
        if self._avahi_r is not None:
            os.close(self._avahi_r)
            self._avahi_r = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.bus is not None:
            self.bus.stdout.close()
        self.avahi = self.bus = None
        shutil.rmtree(self.dir, ignore_errors=True)
