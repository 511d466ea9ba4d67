#!/usr/bin/env python3
"""A JSON-lines bridge to one relay room: the harness's end of the web
page's report room (tests/interop).

    reportpeer.py ws://127.0.0.1:PORT/room/NAME

Connects (RFC 6455, plain ws:// only), prints {"event":"report-connected"},
then prints every text frame received as one line on stdout and sends every
line read from stdin as one text frame. Exits when the connection closes or
stdin ends. Standard library only, so it also runs under `ip netns exec`.
"""
import base64
import json
import os
import select
import socket
import struct
import sys
import urllib.parse


def die(msg):
    print(json.dumps({"event": "report-error", "detail": msg}), flush=True)
    sys.exit(1)


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    if url.scheme != "ws":
        die("only ws:// URLs")
    sock = socket.create_connection((url.hostname, url.port or 80), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" %
           (url.path, url.hostname, url.port or 80, key))
    sock.sendall(req.encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            die("connection closed during the handshake")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        die("handshake refused: " + head.split(b"\r\n", 1)[0].decode())
    sock.settimeout(None)
    print(json.dumps({"event": "report-connected"}), flush=True)

    def send_frame(opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(hdr + mask + masked)

    frag = b""

    def drain():
        """Handles every complete frame in buf; False once closed."""
        nonlocal buf, frag
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n = b1 & 0x7F
            off = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n = struct.unpack("!H", buf[2:4])[0]
                off = 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n = struct.unpack("!Q", buf[2:10])[0]
                off = 10
            if b1 & 0x80:
                off += 4  # servers do not mask; tolerate it anyway
            if len(buf) < off + n:
                break
            payload = buf[off:off + n]
            if b1 & 0x80:
                m = buf[off - 4:off]
                payload = bytes(b ^ m[i % 4] for i, b in enumerate(payload))
            buf = buf[off + n:]
            opcode = b0 & 0x0F
            if opcode in (0x0, 0x1):
                frag += payload
                if b0 & 0x80:
                    sys.stdout.write(frag.decode("utf-8", "replace") + "\n")
                    sys.stdout.flush()
                    frag = b""
            elif opcode == 0x8:
                try:
                    send_frame(0x8, payload[:2])
                except OSError:
                    pass
                return False
            elif opcode == 0x9:
                send_frame(0xA, payload)
        return True

    stdin_open = True
    # frames may have come with the handshake's response
    while drain():
        fds = [sock] + ([sys.stdin] if stdin_open else [])
        r, _, _ = select.select(fds, [], [])
        if sys.stdin in r:
            line = sys.stdin.buffer.readline()
            if not line:
                stdin_open = False
                send_frame(0x8, struct.pack("!H", 1000))
            elif line.strip():
                send_frame(0x1, line.strip())
        if sock in r:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buf += chunk

if __name__ == "__main__":
    main()
