#!/usr/bin/python3
# bench/mini_relay.py - a tiny signaling relay for testing (interop contract
# section 1), used by the bench harness only when asked (--relay python) or
# while `sealcall serve` is not available.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Rules: ws://HOST:PORT/room/NAME, NAME 1-64 of [A-Za-z0-9_-]; at most two
# participants per room (a third is closed with 4409); the newcomer gets
# {"type":"room","peers":N}, the other {"type":"peer-joined"}; on leave the
# other gets {"type":"peer-left"}; text frames that are JSON objects of at most
# 256 KiB are forwarded unchanged, anything else is dropped.
#
# Prints one line {"event":"listening","host":...,"port":N} on stdout once
# listening. Listens on 127.0.0.1 only.

import argparse
import asyncio
import http
import json
import re
import signal
import sys

try:
    import websockets
except ImportError:
    sys.stderr.write("mini_relay: install python3-websockets (Debian) and run "
                     "with /usr/bin/python3\n")
    sys.exit(2)

ROOM_RE = re.compile(r"^/room/([A-Za-z0-9_-]{1,64})$")
MAX_FRAME = 256 * 1024

rooms = {}  # name -> list of websockets


def log(msg):
    sys.stderr.write("mini_relay: %s\n" % msg)
    sys.stderr.flush()


def room_of(path):
    m = ROOM_RE.match(path.split("?", 1)[0])
    return m.group(1) if m else None


async def process_request(path, headers):
    if room_of(path) is None:
        return (http.HTTPStatus.NOT_FOUND, [], b"not a room\n")
    return None


async def send_json(ws, obj):
    try:
        await ws.send(json.dumps(obj))
    except websockets.ConnectionClosed:
        pass


async def handler(ws, path=None):
    if path is None:
        path = ws.path
    name = room_of(path)
    if name is None:
        await ws.close(4404, "no such room path")
        return
    members = rooms.setdefault(name, [])
    if len(members) >= 2:
        await ws.close(4409, "room full")
        return
    others = list(members)
    members.append(ws)
    await send_json(ws, {"type": "room", "peers": len(others)})
    for o in others:
        await send_json(o, {"type": "peer-joined"})
    try:
        async for frame in ws:
            if not isinstance(frame, str) or len(frame.encode()) > MAX_FRAME:
                continue
            try:
                obj = json.loads(frame)
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            for o in rooms.get(name, []):
                if o is not ws:
                    try:
                        await o.send(frame)
                    except websockets.ConnectionClosed:
                        pass
    except websockets.ConnectionClosed:
        pass
    finally:
        members = rooms.get(name, [])
        if ws in members:
            members.remove(ws)
            for o in members:
                await send_json(o, {"type": "peer-left"})
        if not members:
            rooms.pop(name, None)


async def main():
    ap = argparse.ArgumentParser(description="tiny signaling relay (tests)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="exit after this many seconds (0: never)")
    args = ap.parse_args()

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(
            sig, lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(handler, "127.0.0.1", args.port,
                                process_request=process_request,
                                max_size=4 * MAX_FRAME) as server:
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"event": "listening", "host": "127.0.0.1",
                          "port": port}), flush=True)
        if args.max_seconds > 0:
            try:
                await asyncio.wait_for(stop, args.max_seconds)
            except asyncio.TimeoutError:
                log("max-seconds reached")
        else:
            await stop


if __name__ == "__main__":
    asyncio.run(main())
