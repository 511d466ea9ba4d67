"""Packet captures for privacy tests, with Wireshark's own tools: dumpcap
writes the capture, tshark reads it back. Used to prove what an endpoint
sent to whom (TURN-only, deferred ICE): a test lists the UDP/TCP flows
between addresses and ports it knows, and asserts which exist.

A capture proves itself live: start() sends marker datagrams until one of
them comes back through dumpcap, and stop() finds them in the file, so an
empty capture can never pass for "no packet was sent". Marker packets are
left out of the flows stop() returns.

    cap = Capture("lo")                 # or Capture("v0", netns="NS")
    cap.start()
    ... run the call ...
    flows = cap.stop()                  # list of Flow
    direct = [f for f in flows if f.between(port_a, port_b)]

Needs root (or CAP_NET_RAW) and Debian's tshark package (dumpcap comes
with it); `available()` says why not when it cannot run.
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid


class Flow:
    """One packet as tshark read it: transport (udp/tcp), addresses, ports,
    length of the frame, and the UDP or TCP payload (bytes; for a tunnelled
    packet the outer one's)."""

    __slots__ = ("proto", "src", "sport", "dst", "dport", "length", "payload")

    def __init__(self, proto, src, sport, dst, dport, length, payload=b""):
        self.proto = proto
        self.src = src
        self.sport = sport
        self.dst = dst
        self.dport = dport
        self.length = length
        self.payload = payload

    def ports(self):
        return (self.sport, self.dport)

    def between(self, port_a, port_b):
        """True when this packet went from @port_a to @port_b or back."""
        return {self.sport, self.dport} == {port_a, port_b}

    def touches(self, port):
        return port in (self.sport, self.dport)

    def __repr__(self):
        return "%s %s:%d -> %s:%d (%d B)" % (self.proto, self.src, self.sport,
                                            self.dst, self.dport, self.length)


def available():
    """None when captures can run here, else the reason they cannot."""
    for tool in ("dumpcap", "tshark"):
        if not shutil.which(tool):
            return "%s is not installed (Debian package tshark)" % tool
    if os.geteuid() != 0:
        return "packet capture needs root"
    return None


class Capture:
    def __init__(self, iface="lo", netns=None, marker_addr="127.0.0.1"):
        self.iface = iface
        self.netns = netns
        self.marker_addr = marker_addr
        self.dir = tempfile.mkdtemp(prefix="sc-cap-")
        self.path = os.path.join(self.dir, "cap.pcapng")
        self.proc = None
        self.marker = b"sealcall-capture-marker-" + uuid.uuid4().hex.encode()
        self.marker_port = None

    def _prefix(self):
        return ["ip", "netns", "exec", self.netns] if self.netns else []

    def start(self, timeout=20.0):
        # udp or tcp only: ARP, ICMP and the rest say nothing about privacy.
        # dumpcap writes to a pipe (flushed per packet) that a thread copies
        # to the file, so start() can see its marker arrive: dumpcap says
        # "Capturing on" a moment before it really captures.
        args = self._prefix() + ["dumpcap", "-q", "-P", "-i", self.iface,
                                 "-f", "udp or tcp", "-w", "-"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     start_new_session=True)
        self._file = open(self.path, "wb")
        self._seen = threading.Event()
        self._want = self.marker
        self._reader = threading.Thread(target=self._copy, daemon=True)
        self._reader.start()
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind((self.marker_addr, 0))
        self.marker_port = probe.getsockname()[1]
        self._probe = probe
        self._send_until_seen(self.marker, timeout)
        return self

    def _send_until_seen(self, marker, timeout):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        deadline = time.monotonic() + timeout
        try:
            while not self._seen.wait(0.05):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    err = b""
                    if self.proc.poll() is not None:
                        err = self.proc.stderr.read() or b""
                    self._kill()
                    raise RuntimeError("dumpcap did not start capturing on %s: %s"
                                       % (self.iface, err.decode(errors="replace").strip()))
                s.sendto(marker, (self.marker_addr, self.marker_port))
        finally:
            s.close()

    def _copy(self):
        tail = b""
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self._file.write(chunk)
            want = self._want
            if want and not self._seen.is_set():
                if want in tail + chunk:
                    self._seen.set()
            tail = (tail + chunk)[-64:]
        self._file.close()

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=20.0):
        """Ends the capture and returns every UDP/TCP packet in it as Flow.
        Raises RuntimeError when the capture was not live (no marker)."""
        if self.proc.poll() is None:
            # An end marker seen in the stream means every packet before it
            # was written: dumpcap drops what is queued when interrupted.
            end = self.marker[:-8] + b"end-" + self.marker[-8:]
            self._seen.clear()
            self._want = end
            self._send_until_seen(end, timeout)
            self._probe.close()
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        self._reader.join(timeout)
        out = subprocess.run(
            ["tshark", "-n", "-r", self.path, "-T", "fields",
             "-E", "separator=|",
             "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
             "-e", "udp.srcport", "-e", "udp.dstport",
             "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "frame.len",
             "-e", "udp.payload", "-e", "tcp.payload"],
            capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("tshark could not read %s: %s"
                               % (self.path, out.stderr.strip()))
        flows = []
        marker_hex = self.marker.hex()
        prefix_hex = b"sealcall-capture-marker-".hex()
        seen_marker = False
        for line in out.stdout.splitlines():
            f = line.split("|")
            if len(f) < 10:
                continue
            src = f[0] or f[2]
            dst = f[1] or f[3]
            if f[4]:
                proto, sp, dp = "udp", f[4], f[5]
            elif f[6]:
                proto, sp, dp = "tcp", f[6], f[7]
            else:
                continue
            # tshark joins repeated fields (tunnelled packets) with commas:
            # the outer header comes first.
            sp, dp = int(sp.split(",")[0]), int(dp.split(",")[0])
            if proto == "udp" and dp == self.marker_port and \
                    prefix_hex in f[9].replace(":", ""):
                seen_marker = seen_marker or marker_hex in f[9].replace(":", "")
                continue
            payload = (f[9] if proto == "udp" else
                       (f[10] if len(f) > 10 else "")).split(",")[0]
            try:
                payload = bytes.fromhex(payload.replace(":", ""))
            except ValueError:
                payload = b""
            flows.append(Flow(proto, src.split(",")[0], sp,
                              dst.split(",")[0], dp, int(f[8] or 0), payload))
        if not seen_marker:
            raise RuntimeError("capture on %s was not live: its marker "
                               "datagrams are missing" % self.iface)
        return flows

    def close(self):
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False
