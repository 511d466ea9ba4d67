#!/usr/bin/env python3
"""A stranger in a relay room, for tests: joins ws://.../room/NAME and
prints every frame it receives as {"event":"frame","msg":{...}} (or
{"event":"frame","raw":"..."} if not JSON), {"event":"joined"} once
connected and {"event":"closed"} when the relay closes it. Each line on
stdin is a JSON object sent as one frame.

  stranger.py URL"""
import asyncio
import json
import sys

import websockets


async def main(url):
    loop = asyncio.get_running_loop()
    async with websockets.connect(url) as ws:
        print(json.dumps({"event": "joined"}), flush=True)

        async def sender():
            while True:
                line = await loop.run_in_executor(None, sys.stdin.readline)
                if not line:
                    return
                await ws.send(line.strip())
                print(json.dumps({"event": "sent"}), flush=True)

        task = loop.create_task(sender())
        try:
            async for frame in ws:
                try:
                    ev = {"event": "frame", "msg": json.loads(frame)}
                except ValueError:
                    ev = {"event": "frame", "raw": str(frame)[:200]}
                print(json.dumps(ev), flush=True)
        except websockets.ConnectionClosed:
            pass
        task.cancel()
    print(json.dumps({"event": "closed"}), flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        sys.exit(0)
