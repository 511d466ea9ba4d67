"""An independent look at consent responses for tests: a packet capture on
the loopback interface (AF_PACKET, needs root or CAP_NET_RAW) of the STUN
Binding success responses (RFC 5389) sent to one UDP port, with the
kernel's receive timestamps (CLOCK_REALTIME, comparable with time.time()).
A classic BPF filter keeps everything else on the (shared) loopback out.
"""
import ctypes
import socket
import struct
import threading
import time

ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
PACKET_HOST = 0
STUN_COOKIE = 0x2112A442


def _udp_dst_filter(port):
    """BPF: IPv4, UDP, not a fragment, destination port @port."""
    insns = [
        (0x28, 0, 0, 12),          # ldh [12]            ethertype
        (0x15, 0, 8, 0x0800),      # jne IPv4 -> drop
        (0x30, 0, 0, 23),          # ldb [23]            protocol
        (0x15, 0, 6, 17),          # jne UDP -> drop
        (0x28, 0, 0, 20),          # ldh [20]            fragment offset
        (0x45, 4, 0, 0x1fff),      # jset -> drop
        (0xb1, 0, 0, 14),          # ldxb 4*([14]&0xf)   IP header length
        (0x48, 0, 0, 16),          # ldh [x+16]          UDP destination
        (0x15, 0, 1, port),        # jne port -> drop
        (0x06, 0, 0, 0x40000),     # ret: accept
        (0x06, 0, 0, 0),           # drop: ret 0
    ]
    prog = b"".join(struct.pack("HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(prog)
    # struct sock_fprog { unsigned short len; struct sock_filter *filter; }
    fprog = struct.pack("HL", len(insns), ctypes.addressof(buf))
    return fprog, buf


class StunResponses:
    """Times (time.time() scale) of Binding success responses from UDP
    port @src_port to UDP port @dst_port on 127.0.0.1, captured from now."""

    def __init__(self, src_port, dst_port):
        self.src_port = src_port
        self.times = []
        self.lock = threading.Condition()
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        fprog, self._keep = _udp_dst_filter(dst_port)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data, anc, _, addr = self.sock.recvmsg(2048, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] != PACKET_HOST:   # loopback shows each packet twice
                continue
            ts = None
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    ts = sec + nsec / 1e9
            if ts is None:
                ts = time.time()
            ihl = (data[14] & 0x0F) * 4
            udp = data[14 + ihl:]
            if len(udp) < 8 + 20:
                continue
            sport = struct.unpack("!H", udp[0:2])[0]
            stun = udp[8:]
            mtype, _, cookie = struct.unpack("!HHI", stun[:8])
            if sport == self.src_port and mtype == 0x0101 and cookie == STUN_COOKIE:
                with self.lock:
                    self.times.append(ts)
                    self.lock.notify_all()

    def wait_count(self, n, timeout):
        """Waits until @n responses were captured; returns the list."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.times) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            return list(self.times)

    def snapshot(self):
        with self.lock:
            return list(self.times)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def available():
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL)).close()
        return True
    except (PermissionError, OSError):
        return False
