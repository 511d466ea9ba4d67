#!/usr/bin/env python3
"""Browser interop: headless Chromium <-> sealcall through the web client
served by `sealcall serve`, both roles.

Chromium gathers no loopback candidates: on 127.0.0.1 its checks come from
the machine's own interface address (seen as prflx by sealcall), so the test
could not keep to 127.0.0.1. Like Firefox, it therefore runs inside a
network namespace made by the test (10.77.0.1/24 on a veth pair), with the
relay and sealcall, and the page signals only 10.77.0.1. See interop.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402

interop.run_browser_suite("chromium", use_netns=True)
