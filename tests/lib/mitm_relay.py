#!/usr/bin/env python3
"""A hostile signaling relay for tests: follows contract section 1 but can
rewrite SDP on the way (an attacker on the signaling path).

  mitm_relay.py --rewrite-fingerprint offer|answer
  mitm_relay.py --offer-setup active|passive
  mitm_relay.py --inject-candidates | --inject-reoffers

Prints {"event":"listening","port":N} on stdout, binds 127.0.0.1 only."""
import argparse
import asyncio
import json
import re
import sys

import websockets

rooms = {}
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


def new_ice(sdp, tag):
    """The same description with other ICE credentials (an ICE restart)."""
    sdp = re.sub(r"(a=ice-ufrag:)(\S+)", lambda m: m.group(1) + tag + m.group(2)[len(tag):]
                 if len(m.group(2)) > len(tag) else m.group(1) + tag, sdp)
    return re.sub(r"(a=ice-pwd:)(\S+)", lambda m: m.group(1) + "X" * len(m.group(2)), sdp)


def hostile_reoffers(offer):
    """Re-offers the answerer must refuse, the call going on: a new DTLS
    identity behind an ICE restart, a DTLS role change, a renegotiation
    without an ICE restart, and garbage."""
    setup_active = re.sub(r"a=setup:\S+", "a=setup:active", new_ice(offer, "rl"))
    return [
        ("new fingerprint", flip_fingerprint(new_ice(offer, "fp"))),
        ("setup change", setup_active),
        ("same ufrag", offer),
        ("garbage", "v=0\r\nthis is no re-offer\r\n"),
    ]


def flip_fingerprint(sdp):
    """Changes one hex digit of every a=fingerprint value."""
    def flip(m):
        value = m.group(2)
        c = value[-1]
        c2 = "0" if c != "0" else "1"
        return m.group(1) + value[:-1] + c2
    return re.sub(r"(a=fingerprint:\S+ )([0-9A-Fa-f:]+)", flip, sdp)


async def handler(ws, path):
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
            if (args.rewrite_fingerprint and msg.get("type") == args.rewrite_fingerprint
                    and isinstance(msg.get("sdp"), str)):
                msg["sdp"] = flip_fingerprint(msg["sdp"])
                frame = json.dumps(msg)
                print(json.dumps({"event": "rewrote", "type": msg["type"]}), flush=True)
            if (args.offer_setup and msg.get("type") == "offer"
                    and isinstance(msg.get("sdp"), str)):
                msg["sdp"] = msg["sdp"].replace("a=setup:actpass",
                                                "a=setup:" + args.offer_setup)
                frame = json.dumps(msg)
                print(json.dumps({"event": "rewrote", "type": "offer-setup"}), flush=True)
            if msg.get("type") == "offer" and isinstance(msg.get("sdp"), str):
                offers[m.group(1)] = msg["sdp"]
            for other in room:
                if other is not ws:
                    await other.send(frame)
                    if args.inject_candidates and msg.get("type") == "answer":
                        for bad in HOSTILE_CANDIDATES:
                            await other.send(json.dumps(bad))
                        print(json.dumps({"event": "injected"}), flush=True)
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


async def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--rewrite-fingerprint", choices=["offer", "answer"])
    ap.add_argument("--inject-candidates", action="store_true",
                    help="after each answer, send its receiver malformed and "
                         "hostile candidate messages")
    ap.add_argument("--inject-reoffers", action="store_true",
                    help="after an answer, send its sender re-offers it must "
                         "refuse (new fingerprint, DTLS role change, same "
                         "ufrag, garbage)")
    ap.add_argument("--offer-setup", choices=["active", "passive"],
                    help="rewrite a=setup:actpass in the offer (an older endpoint)")
    args = ap.parse_args()
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=1 << 20) as server:
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"event": "listening", "host": "127.0.0.1", "port": port}),
              flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
