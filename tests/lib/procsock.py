"""The sockets a process holds, from /proc (no ss, no lsof): which local
ports are an endpoint's, so that a capture's flows can be attributed.

    ports(pid)              # {("udp", 51234), ("tcp", 40123), ...}
"""
import os


def _inodes(pid):
    out = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def ports(pid):
    """(proto, local port) of every UDP and TCP socket of @pid (IPv4 and
    IPv6), listening, bound or connected."""
    inodes = _inodes(pid)
    out = set()
    for proto in ("udp", "tcp", "udp6", "tcp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, proto)) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if len(f) > 9 and f[9] in inodes:
                out.add((proto.rstrip("6"), int(f[1].rsplit(":", 1)[1], 16)))
    return out
