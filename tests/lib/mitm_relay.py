#!/usr/bin/env python3
"""A hostile signaling relay for tests: follows contract section 1 but can
rewrite SDP on the way (an attacker on the signaling path).

  mitm_relay.py --rewrite-fingerprint offer|answer
  mitm_relay.py --sha1-fingerprint offer|answer [--record]
  mitm_relay.py --add-sha1-fingerprint offer|answer
  mitm_relay.py --offer-setup active|passive
  mitm_relay.py --inject-candidates | --inject-reoffers
  mitm_relay.py --inject-reoffers-to-offerer
  mitm_relay.py --record [--sdp] [--drop-candidates] [--stun-after-answer]
  mitm_relay.py --control
  mitm_relay.py --loss PCT [--reorder PCT] [--seed N]
  mitm_relay.py --rename-mdns NAME [--record]

--sha1-fingerprint replaces every a=fingerprint line of that description
with a sha-1 one (a peer that offers nothing stronger);
--add-sha1-fingerprint puts a sha-1 line before each a=fingerprint line
(RFC 8122 §5.1: it must be ignored beside the sha-256 one).
--record prints each forwarded (or dropped) message as a "frame" event
(with "reason" for a bye);
--drop-candidates drops trickled candidate messages; --stun-after-answer
also runs a STUN server (RFC 5389 Binding) on UDP 127.0.0.1 that keeps
every request unanswered until an answer has passed through the relay,
then answers with the mapped address 127.0.0.2:<the client's port>, so
that a client's server-reflexive candidate is found only after its
description is sent. --control reads commands on stdin, one JSON object a
line: {"cmd":"kick","room":NAME,"index":I} closes the connection of
participant I (0 = the one who joined first) as if it had left, then
prints {"event":"kicked"}; {"cmd":"say","room":NAME,"to":I,"msg":{...}}
sends participant I the message as if from the other one, then prints
{"event":"said"}; with --loss, {"cmd":"block","room":NAME,"index":I,
"what":"stun-responses"|"all"|null} makes the proxy drop the STUN Binding
success responses (its checks and consent checks go unanswered), or every
datagram, on the way to participant I's candidates, or nothing again
(null), then prints {"event":"blocking"}.

--edit-identity offer|answer --identity-from A --identity-to B decodes
that description's a=identity (base64 JSON) and replaces A with B in it
(an attacker editing the identity inside the assertion, inside a JWS
assertion's payload too; the "rewrote" event says whether anything
"changed"); --set-identity
offer|answer --identity-value V puts a=identity:V at its session level
instead of whatever was there (an assertion replayed beside another
fingerprint).

--upstream ws://HOST:PORT/room/ makes it a relay in the middle of one
participant's signaling only: each connection to /room/NAME is bridged to
that URL + NAME (where the other participant, a browser's page, talks to
the real relay directly), and the description rewrites above apply to
frames both ways (with --record: "from" 0 is ours, 1 the upstream's).

--rename-mdns replaces every "<uuid>.local" name in descriptions and
trickled candidates with NAME (a peer that signals arbitrary .local names).

--loss runs a lossy UDP proxy (udp_loss_proxy.py) and rewrites every UDP
candidate on 127.0.0.1 in descriptions and trickled candidates to point at
it, so that all of the call's datagrams cross it; it drops PCT % of them
and holds --reorder PCT % of the others until the next one has passed,
from an RNG seeded with --seed. Each stand-in port is announced as
{"event":"proxy-port","real":PORT,"port":PROXY_PORT}. Its counters are printed as a
{"event":"loss-stats",...} line on SIGUSR1.

Prints {"event":"listening","port":N} on stdout (with "stun_port" when
--stun-after-answer), binds 127.0.0.1 only."""
import argparse
import base64
import asyncio
import json
import re
import signal
import struct
import sys
import zlib

import websockets

from udp_loss_proxy import LossProxy

rooms = {}
MDNS_NAME = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                       r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.local\b")
HOSTILE_CANDIDATES = [
    {"type": "candidate", "candidate": "candidate:garbage", "sdpMid": "0"},
    {"type": "candidate", "candidate": "candidate:1 1 udp", "sdpMid": "0"},
    {"type": "candidate", "candidate": "candidate:1 1 udp 99999999999 1.2.3.4 5 typ host",
     "sdpMid": "0"},
    {"type": "candidate", "candidate": "candidate:1 1 udp 1 evil.example.com 5 typ host",
     "sdpMid": "0"},
    {"type": "candidate", "candidate": "candidate:" + "x" * 5000, "sdpMid": "0"},
    {"type": "candidate", "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host ufrag zzzz",
     "sdpMid": "0"},
    {"type": "candidate", "candidate": 42},
    {"type": "candidate"},
]
args = None
offers = {}   # room -> the last offer forwarded
answered = False  # an answer has passed (--stun-after-answer)
proxy = None  # the LossProxy (--loss)
STUN_COOKIE = 0x2112A442


def stun_success(request, addr):
    """A Binding success response to @request with the mapped address
    127.0.0.2:<addr's port>: RFC 5389 §7.3.1 (XOR-MAPPED-ADDRESS and a
    FINGERPRINT) when the request has the magic cookie, else RFC 3489
    §11.2.1 (MAPPED-ADDRESS, the 16-byte transaction id echoed), which is
    what libnice's server-reflexive discovery sends."""
    ip = struct.unpack("!I", bytes([127, 0, 0, 2]))[0]
    if struct.unpack("!I", request[4:8])[0] != STUN_COOKIE:
        ma = struct.pack("!HHBBHI", 0x0001, 8, 0, 0x01, addr[1], ip)
        return struct.pack("!HH", 0x0101, len(ma)) + request[4:20] + ma
    port = addr[1] ^ (STUN_COOKIE >> 16)
    xma = struct.pack("!HHBBHI", 0x0020, 8, 0, 0x01, port, ip ^ STUN_COOKIE)
    head = struct.pack("!HHI", 0x0101, len(xma) + 8, STUN_COOKIE) + request[8:20]
    # RFC 5389 §15.5: over the message before the attribute, with a
    # length that already counts it
    crc = (zlib.crc32(head + xma) ^ 0x5354554E) & 0xFFFFFFFF
    return head + xma + struct.pack("!HHI", 0x8028, 4, crc)


class StunAfterAnswer(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if len(data) < 20 or struct.unpack("!H", data[:2])[0] != 0x0001:
            return
        if not answered:
            print(json.dumps({"event": "stun-held"}), flush=True)
            return
        self.transport.sendto(stun_success(data, addr), addr)
        print(json.dumps({"event": "stun-answered"}), flush=True)


def record(msg, sender, dropped=False):
    """A "frame" event: type, sender (0 = the participant who joined the
    room first), candidate lines and end-of-candidates of a description,
    or the trickled candidate."""
    ev = {"event": "frame", "type": msg.get("type"), "from": sender,
          "dropped": dropped}
    if isinstance(msg.get("sdp"), str):
        lines = msg["sdp"].splitlines()
        ev["sdp_candidates"] = [ln[2:] for ln in lines
                                if ln.startswith("a=candidate:")]
        ev["sdp_end_of_candidates"] = "a=end-of-candidates" in lines
        if args.sdp:
            ev["sdp"] = msg["sdp"]
    if msg.get("type") == "candidate":
        ev["candidate"] = msg.get("candidate")
    if msg.get("type") == "bye":
        ev["reason"] = msg.get("reason")
    print(json.dumps(ev), flush=True)


def new_ice(sdp, tag):
    """The same description with other ICE credentials (an ICE restart)."""
    sdp = re.sub(r"(a=ice-ufrag:)(\S+)", lambda m: m.group(1) + tag + m.group(2)[len(tag):]
                 if len(m.group(2)) > len(tag) else m.group(1) + tag, sdp)
    return re.sub(r"(a=ice-pwd:)(\S+)", lambda m: m.group(1) + "X" * len(m.group(2)), sdp)


def hostile_reoffers(offer, role_change="active"):
    """Re-offers the answerer must refuse, the call going on: a new DTLS
    identity behind an ICE restart, a DTLS role change, a renegotiation
    without an ICE restart, garbage, only sha-1 fingerprints, and more
    m-sections than the limit (64). With the answer as @offer (made an
    offer: a=setup:actpass) and @role_change "passive", the same from the
    answerer's side, for the offerer (either side may restart ICE)."""
    offer = re.sub(r"a=setup:\S+", "a=setup:actpass", offer)
    setup_active = re.sub(r"a=setup:\S+", "a=setup:" + role_change,
                          new_ice(offer, "rl"))
    restart = new_ice(offer, "mx")
    first_m = restart.index("m=")
    many = restart[:first_m] + "".join(
        "m=audio 0 UDP/TLS/RTP/SAVPF 0\r\na=mid:x%d\r\n" % i
        for i in range(65)) + restart[first_m:]
    return [
        ("new fingerprint", flip_fingerprint(new_ice(offer, "fp"))),
        ("setup change", setup_active),
        ("same ufrag", offer),
        ("garbage", "v=0\r\nthis is no re-offer\r\n"),
        ("sha-1 only", sha1_fingerprint(new_ice(offer, "s1"))),
        ("too many m-sections", many),
    ]


SHA1_LINE = "a=fingerprint:sha-1 " + ":".join(["5A"] * 20)


def sha1_fingerprint(sdp):
    """Every a=fingerprint line becomes a sha-1 one."""
    return re.sub(r"a=fingerprint:[^\r\n]*", SHA1_LINE, sdp)


def add_sha1_fingerprint(sdp):
    """A sha-1 line before every a=fingerprint line."""
    return re.sub(r"(a=fingerprint:[^\r\n]*)",
                  lambda m: SHA1_LINE + "\r\n" + m.group(1), sdp)


JWS = re.compile(r"[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def edit_identity(sdp):
    """Replaces --identity-from with --identity-to in the a=identity's
    JSON, and inside its assertion when that is a JWS compact
    serialization (the reference IdP's: the payload is base64url, so the
    identity is not in the attribute's plain text); the signature is
    kept."""
    def edit_jws(token):
        m = JWS.fullmatch(token)
        if not m:
            return token
        try:
            payload = b64url_decode(m.group(1)).decode()
        except (ValueError, UnicodeDecodeError):
            return token
        payload = payload.replace(args.identity_from, args.identity_to)
        enc = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
        return token[:m.start(1)] + enc + token[m.end(1):]

    def edit(m):
        doc = base64.b64decode(m.group(1)).decode()
        try:
            j = json.loads(doc)
            if isinstance(j, dict) and isinstance(j.get("assertion"), str):
                j["assertion"] = edit_jws(j["assertion"])
                doc = json.dumps(j)
        except ValueError:
            pass
        doc = doc.replace(args.identity_from, args.identity_to)
        return "a=identity:" + base64.b64encode(doc.encode()).decode()
    return re.sub(r"a=identity:([A-Za-z0-9+/=]+)", edit, sdp)


def set_identity(sdp):
    lines = [ln for ln in sdp.split("\r\n") if not ln.startswith("a=identity:")]
    m = next(i for i, ln in enumerate(lines) if ln.startswith("m="))
    lines.insert(m, "a=identity:" + args.identity_value)
    return "\r\n".join(lines)


def flip_fingerprint(sdp):
    """Changes one hex digit of every a=fingerprint value."""
    def flip(m):
        value = m.group(2)
        c = value[-1]
        c2 = "0" if c != "0" else "1"
        return m.group(1) + value[:-1] + c2
    return re.sub(r"(a=fingerprint:\S+ )([0-9A-Fa-f:]+)", flip, sdp)


def tamper(msg, frame):
    """The description rewrites asked for (--rewrite-fingerprint,
    --sha1-fingerprint, --add-sha1-fingerprint, --edit-identity,
    --set-identity), each told as a "rewrote" event; the frame to send."""
    if (args.rewrite_fingerprint and msg.get("type") == args.rewrite_fingerprint
            and isinstance(msg.get("sdp"), str)):
        msg["sdp"] = flip_fingerprint(msg["sdp"])
        frame = json.dumps(msg)
        print(json.dumps({"event": "rewrote", "type": msg["type"]}), flush=True)
    for opt, fn, tag in (
            (args.sha1_fingerprint, sha1_fingerprint, ""),
            (args.add_sha1_fingerprint, add_sha1_fingerprint, ""),
            (args.edit_identity, edit_identity, "identity-"),
            (args.set_identity, set_identity, "identity-")):
        if (opt and msg.get("type") == opt
                and isinstance(msg.get("sdp"), str)):
            before = msg["sdp"]
            msg["sdp"] = fn(before)
            frame = json.dumps(msg)
            print(json.dumps({"event": "rewrote", "type": tag + opt,
                              "changed": msg["sdp"] != before}), flush=True)
    return frame


async def bridge(ws, path):
    """--upstream: this connection is bridged to the same room of the
    upstream relay, every frame both ways passing tamper() (a relay in the
    middle of one participant's signaling; the other uses the upstream
    relay directly)."""
    m = re.fullmatch(r"/room/([A-Za-z0-9_-]{1,64})", path)
    if not m:
        await ws.close(4404, "no such path")
        return

    async def pump(src, dst, who):
        async for frame in src:
            if isinstance(frame, str):
                try:
                    msg = json.loads(frame)
                except ValueError:
                    msg = None
                if isinstance(msg, dict):
                    frame = tamper(msg, frame)
                    if args.record:
                        record(msg, who)
            await dst.send(frame)

    try:
        async with websockets.connect(args.upstream + m.group(1),
                                      max_size=1 << 20) as up:
            tasks = [asyncio.ensure_future(pump(ws, up, 0)),
                     asyncio.ensure_future(pump(up, ws, 1))]
            done, pending = await asyncio.wait(
                tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
    except (websockets.ConnectionClosed, OSError):
        pass
    finally:
        await ws.close()


async def handler(ws, path):
    global answered
    if args.upstream:
        await bridge(ws, path)
        return
    m = re.fullmatch(r"/room/([A-Za-z0-9_-]{1,64})", path)
    if not m:
        await ws.close(4404, "no such path")
        return
    room = rooms.setdefault(m.group(1), [])
    if len(room) >= 2:
        await ws.close(4409, "room is full")
        return
    await ws.send(json.dumps({"type": "room", "peers": len(room)}))
    for other in room:
        await other.send(json.dumps({"type": "peer-joined"}))
    room.append(ws)
    try:
        async for frame in ws:
            if not isinstance(frame, str):
                continue
            try:
                msg = json.loads(frame)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            frame = tamper(msg, frame)
            if (args.offer_setup and msg.get("type") == "offer"
                    and isinstance(msg.get("sdp"), str)):
                msg["sdp"] = msg["sdp"].replace("a=setup:actpass",
                                                "a=setup:" + args.offer_setup)
                frame = json.dumps(msg)
                print(json.dumps({"event": "rewrote", "type": "offer-setup"}), flush=True)
            if msg.get("type") == "offer" and isinstance(msg.get("sdp"), str):
                offers[m.group(1)] = msg["sdp"]
            if proxy is not None and msg.get("type") in ("offer", "answer") \
                    and isinstance(msg.get("sdp"), str):
                msg["sdp"] = proxy.rewrite(msg["sdp"], id(ws))
                frame = json.dumps(msg)
            if proxy is not None and msg.get("type") == "candidate" \
                    and isinstance(msg.get("candidate"), str):
                msg["candidate"] = proxy.rewrite(msg["candidate"], id(ws))
                frame = json.dumps(msg)
            for key in ("sdp", "candidate"):
                if args.rename_mdns and isinstance(msg.get(key), str) \
                        and MDNS_NAME.search(msg[key]):
                    msg[key] = MDNS_NAME.sub(args.rename_mdns, msg[key])
                    frame = json.dumps(msg)
                    print(json.dumps({"event": "rewrote", "type": "mdns-name"}),
                          flush=True)
            if args.drop_candidates and msg.get("type") == "candidate":
                if args.record:
                    record(msg, room.index(ws), dropped=True)
                continue
            if args.record:
                record(msg, room.index(ws))
            if msg.get("type") == "answer":
                answered = True
            for other in room:
                if other is not ws:
                    await other.send(frame)
                    if args.inject_candidates and msg.get("type") == "answer":
                        for bad in HOSTILE_CANDIDATES:
                            await other.send(json.dumps(bad))
                        print(json.dumps({"event": "injected"}), flush=True)
            if (args.inject_reoffers_to_offerer and
                    msg.get("type") == "answer" and
                    isinstance(msg.get("sdp"), str)):
                # to the offerer, as if from its answerer
                for other in room:
                    if other is ws:
                        continue
                    for name, sdp in hostile_reoffers(msg["sdp"],
                                                      "passive"):
                        await other.send(json.dumps({"type": "offer",
                                                     "sdp": sdp}))
                        print(json.dumps({"event": "injected",
                                          "what": name}), flush=True)
            if (args.inject_reoffers and msg.get("type") == "answer"
                    and m.group(1) in offers):
                # to the answerer itself, as if from its offerer
                for name, sdp in hostile_reoffers(offers.pop(m.group(1))):
                    await ws.send(json.dumps({"type": "offer", "sdp": sdp}))
                    print(json.dumps({"event": "injected", "what": name}), flush=True)
    except websockets.ConnectionClosed:
        pass
    finally:
        room.remove(ws)
        for other in room:
            try:
                await other.send(json.dumps({"type": "peer-left"}))
            except websockets.ConnectionClosed:
                pass


async def control():
    """--control: commands on stdin (see the module's doc)."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd = json.loads(line)
        if cmd.get("cmd") == "kick":
            room = rooms.get(cmd.get("room"), [])
            index = cmd.get("index", 0)
            ok = 0 <= index < len(room)
            if ok:
                ws = room[index]
                await ws.close(1000, "kicked")
                # the handler's finally removes it and tells the other one
                # peer-left: wait for that (bounded)
                for _ in range(500):
                    if ws not in room:
                        break
                    await asyncio.sleep(0.01)
                ok = ws not in room
            print(json.dumps({"event": "kicked", "ok": ok}), flush=True)
        elif cmd.get("cmd") == "say":
            room = rooms.get(cmd.get("room"), [])
            to = cmd.get("to", 0)
            ok = 0 <= to < len(room)
            if ok:
                await room[to].send(json.dumps(cmd.get("msg")))
            print(json.dumps({"event": "said", "ok": ok}), flush=True)
        elif cmd.get("cmd") == "block":
            room = rooms.get(cmd.get("room"), [])
            index = cmd.get("index", 0)
            what = cmd.get("what")
            ok = (proxy is not None and 0 <= index < len(room) and
                  what in ("stun-responses", "all", None))
            if ok:
                proxy.block(id(room[index]), what)
            print(json.dumps({"event": "blocking", "ok": ok, "what": what}),
                  flush=True)


def report_loss():
    print(json.dumps(dict(event="loss-stats", **proxy.stats)), flush=True)


def percent(text):
    v = float(text)
    if not 0 <= v <= 100:
        raise argparse.ArgumentTypeError("a percentage in 0..100")
    return v


async def main():
    global args, proxy
    ap = argparse.ArgumentParser()
    ap.add_argument("--rewrite-fingerprint", choices=["offer", "answer"])
    ap.add_argument("--sha1-fingerprint", choices=["offer", "answer"],
                    help="replace that description's a=fingerprint lines "
                         "with a sha-1 one")
    ap.add_argument("--add-sha1-fingerprint", choices=["offer", "answer"],
                    help="add a sha-1 a=fingerprint line before each one")
    ap.add_argument("--inject-candidates", action="store_true",
                    help="after each answer, send its receiver malformed and "
                         "hostile candidate messages")
    ap.add_argument("--inject-reoffers", action="store_true",
                    help="after an answer, send its sender re-offers it must "
                         "refuse (new fingerprint, DTLS role change, same "
                         "ufrag, garbage)")
    ap.add_argument("--edit-identity", choices=["offer", "answer"])
    ap.add_argument("--identity-from", default="")
    ap.add_argument("--identity-to", default="")
    ap.add_argument("--set-identity", choices=["offer", "answer"])
    ap.add_argument("--identity-value", default="")
    ap.add_argument("--inject-reoffers-to-offerer", action="store_true",
                    help="the same, from the answerer's side: after an "
                         "answer, send the offerer offers it must refuse")
    ap.add_argument("--offer-setup", choices=["active", "passive"],
                    help="rewrite a=setup:actpass in the offer (an older endpoint)")
    ap.add_argument("--record", action="store_true",
                    help="print every message as a frame event")
    ap.add_argument("--sdp", action="store_true",
                    help="with --record: the whole SDP in frame events")
    ap.add_argument("--drop-candidates", action="store_true",
                    help="drop trickled candidate messages")
    ap.add_argument("--stun-after-answer", action="store_true",
                    help="run a STUN server that answers only after an "
                         "answer has passed")
    ap.add_argument("--upstream", metavar="URL",
                    help="bridge each /room/NAME connection to URL + NAME "
                         "(ws://HOST:PORT/room/), tampering on the way")
    ap.add_argument("--rename-mdns", metavar="NAME",
                    help="replace <uuid>.local names in candidates with NAME")
    ap.add_argument("--control", action="store_true",
                    help="obey commands on stdin (kick a participant, speak for one)")
    ap.add_argument("--loss", type=percent,
                    help="proxy every UDP datagram of the call, dropping "
                         "this percentage")
    ap.add_argument("--reorder", type=percent, default=10.0,
                    help="with --loss: percentage of datagrams held until "
                         "the next one has passed (default 10)")
    ap.add_argument("--seed", type=int, default=1,
                    help="with --loss: RNG seed (default 1)")
    args = ap.parse_args()
    if args.control:
        asyncio.get_running_loop().create_task(control())
    listening = {"event": "listening", "host": "127.0.0.1"}
    if args.loss is not None:
        proxy = LossProxy(asyncio.get_running_loop(), args.loss / 100.0,
                          args.reorder / 100.0, args.seed,
                          on_port=lambda real, port: print(json.dumps(
                              {"event": "proxy-port", "real": real[1],
                               "port": port}), flush=True))
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1,
                                                      report_loss)
    if args.stun_after_answer:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            StunAfterAnswer, local_addr=("127.0.0.1", 0))
        listening["stun_port"] = transport.get_extra_info("sockname")[1]
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=1 << 20) as server:
        listening["port"] = server.sockets[0].getsockname()[1]
        print(json.dumps(listening), flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
