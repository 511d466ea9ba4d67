#!/usr/bin/env python3
"""Drives a Firefox started with --remote-debugging-port 0 through
WebDriver BiDi: sets a cookie (storage.setCookie: an IdP's session, as if
the user had logged in on its login page), then opens a page
(browsingContext.navigate; the browser started on about:blank).

  bidi.py BROWSER_LOG [--cookie NAME=VALUE --domain DOMAIN] [--navigate URL]

BROWSER_LOG is Firefox's output, where it prints "WebDriver BiDi
listening on ws://...". Run it where Firefox's loopback is (in its
network namespace). Exit 0 when done, 1 with the reason on stdout."""
import argparse
import asyncio
import json
import re
import sys
import time

import websockets


def bidi_url(log, deadline):
    while time.monotonic() < deadline:
        try:
            with open(log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        m = re.search(r"WebDriver BiDi listening on (ws://\S+)", text)
        if m:
            return m.group(1).rstrip("/") + "/session"
        time.sleep(0.2)   # the log is a file: read it again shortly
    return None


async def prepare(url, page, cookie, domain):
    async with websockets.connect(url, max_size=1 << 22) as ws:
        async def call(i, method, params):
            await ws.send(json.dumps({"id": i, "method": method,
                                      "params": params}))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if msg.get("id") == i:
                    if msg.get("type") == "error":
                        raise RuntimeError("%s: %s" % (method, msg))
                    return msg.get("result", {})
        await call(1, "session.new", {"capabilities": {}})
        if cookie is not None:
            name, value = cookie.split("=", 1)
            await call(2, "storage.setCookie", {"cookie": {
                "name": name, "value": {"type": "string", "value": value},
                "domain": domain, "path": "/", "httpOnly": True,
                "secure": True, "sameSite": "lax"}})
        if page is not None:
            tree = await call(3, "browsingContext.getTree", {})
            ctx = tree["contexts"][0]["context"]
            await call(4, "browsingContext.navigate", {"context": ctx,
                                                       "url": page,
                                                       "wait": "none"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--navigate")
    ap.add_argument("--cookie")
    ap.add_argument("--domain")
    a = ap.parse_args()
    url = bidi_url(a.log, time.monotonic() + 60)
    if url is None:
        print("no WebDriver BiDi address in the browser's log")
        return 1
    try:
        asyncio.run(prepare(url, a.navigate, a.cookie, a.domain))
    except Exception as e:  # noqa: BLE001
        print(repr(e))
        return 1
    return 0


sys.exit(main())
