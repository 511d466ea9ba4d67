"""coturn on 127.0.0.1 for tests, started and stopped by PID (DESIGN.md:
`turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1
--allow-loopback-peers --user U:P --realm sealcall.test --lt-cred-mech
--no-tls --no-dtls --no-cli -p PORT`), with a known relay port range so
that a capture can tell the TURN server's packets from the others.

    turn = TurnServer(user, password)   # raises RuntimeError if not ready
    turn.port, turn.relay_ports         # listening port, range of relays
    turn.touches(flow)                  # does a capture.Flow involve it?
    turn.stop()

Ready means: it answers a STUN Binding request on UDP and accepts a TCP
connection on its port (and its TLS port), by a deadline.

make_certs(dir) makes a CA and a server certificate for IP 127.0.0.1 with
openssl, for `turns:` (coturn --cert/--pkey, sealcall --ca).
"""
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time


def available():
    """None when coturn can run here, else the reason it cannot."""
    if not shutil.which("turnserver"):
        return "turnserver is not installed (Debian package coturn)"
    return None


def _free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (probed, then closed:
    coturn binds it right after)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port for coturn")


def _binding_answered(port, deadline, ip="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    tid = os.urandom(12)
    req = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + tid
    try:
        while time.monotonic() < deadline:
            s.sendto(req, (ip, port))
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            if data[8:20] == tid:
                return True
        return False
    finally:
        s.close()


def make_certs(directory):
    """(ca.pem, server.pem, server.key) in @directory: an EC P-256 CA and
    a server certificate for IP:127.0.0.1 that it signs, valid a day."""
    ca_key = os.path.join(directory, "ca.key")
    ca = os.path.join(directory, "ca.pem")
    key = os.path.join(directory, "server.key")
    csr = os.path.join(directory, "server.csr")
    crt = os.path.join(directory, "server.pem")
    ext = os.path.join(directory, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    run = lambda *a: subprocess.run(["openssl"] + list(a), check=True,
                                     capture_output=True, timeout=60)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", ca_key, "-out", ca, "-days", "1",
        "-subj", "/CN=sealcall test TURN CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
        "-CAcreateserial", "-out", crt, "-days", "1", "-extfile", ext)
    return ca, crt, key


def _tcp_ready(port, deadline, ip="127.0.0.1"):
    while time.monotonic() < deadline:
        try:
            socket.create_connection((ip, port), 0.5).close()
            return True
        except OSError:
            # refused: not listening yet; the next try is the wait
            time.sleep(0.05)
    return False


class TurnServer:
    def __init__(self, user, password, timeout=20.0, tls=None, netns=None,
                 ip="127.0.0.1"):
        """@tls: (certificate file, key file) to listen for TLS too, on
        self.tls_port; else no TLS. @netns: run inside that network
        namespace (made by the test, so its ports are free), on @ip."""
        self.dir = tempfile.mkdtemp(prefix="sc-turn-")
        self.ip = ip
        if netns:
            self.port = random.randrange(20000, 30000)
            self.tls_port = self.port + 1 if tls else None
        else:
            self.port = _free_port()
            self.tls_port = _free_port() if tls else None
        # a range of relay ports of its own (coturn allocates from it), so
        # that "touches the TURN server" is decidable from ports alone
        base = random.randrange(40000, 59000, 50)
        self.relay_ports = range(base, base + 50)
        self.log = open(os.path.join(self.dir, "turn.log"), "w+")
        args = (["ip", "netns", "exec", netns] if netns else []) + [
                "turnserver", "-n", "--listening-ip=" + ip,
                "--relay-ip=" + ip, "--allow-loopback-peers",
                "--user", "%s:%s" % (user, password),
                "--realm", "sealcall.test", "--lt-cred-mech",
                "--no-dtls", "--no-cli", "-p", str(self.port),
                "--min-port", str(base), "--max-port", str(base + 49),
                "--log-file", "stdout", "--simple-log",
                "--pidfile", os.path.join(self.dir, "pid"),
                "--db", os.path.join(self.dir, "db")]
        if tls:
            args += ["--cert", tls[0], "--pkey", tls[1],
                     "--tls-listening-port", str(self.tls_port)]
        else:
            args += ["--no-tls"]
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        if netns:
            # not reachable from here: probed from inside the namespace
            ports = [str(self.port)] + ([str(self.tls_port)] if tls else [])
            r = subprocess.run(["ip", "netns", "exec", netns, sys.executable,
                                os.path.abspath(__file__), "--probe", ip] +
                               ports, capture_output=True, text=True,
                               timeout=timeout + 10)
            if r.returncode != 0:
                tail = self.log_tail() + r.stderr
                self.stop()
                raise RuntimeError("coturn did not start:\n" + tail)
            return
        if not _binding_answered(self.port, deadline) or \
                not self._tcp_ready(self.port, deadline) or \
                (tls and not self._tcp_ready(self.tls_port, deadline)):
            tail = self.log_tail()
            self.stop()
            raise RuntimeError("coturn did not start:\n" + tail)

    def _tcp_ready(self, port, deadline):
        return self.proc.poll() is None and _tcp_ready(port, deadline)

    def ports(self):
        """(proto, port) of its sockets: the port (UDP and TCP), the TLS
        port, the relay ports (UDP)."""
        out = {("udp", self.port), ("tcp", self.port)}
        if self.tls_port:
            out.add(("tcp", self.tls_port))
        return out | {("udp", p) for p in self.relay_ports}

    def touches(self, flow):
        """Does a capture.Flow go to or from one of its sockets?"""
        return (flow.proto, flow.sport) in self.ports() or \
            (flow.proto, flow.dport) in self.ports()

    def log_tail(self, n=30):
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.readlines()[-n:])

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "--probe":
    # --probe IP PORT [TLS_PORT]: exits 0 once coturn answers there (run
    # inside a network namespace by TurnServer)
    end = time.monotonic() + 20
    ip_, port_ = sys.argv[2], int(sys.argv[3])
    ok = _binding_answered(port_, end, ip_) and _tcp_ready(port_, end, ip_)
    for extra in sys.argv[4:]:
        ok = ok and _tcp_ready(int(extra), end, ip_)
    sys.exit(0 if ok else 1)
