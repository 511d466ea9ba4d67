#!/usr/bin/env python3
"""Browser interop: headless Firefox ESR <-> sealcall through the web client
served by `sealcall serve`, both roles. Firefox gathers no loopback
candidates, so everything runs inside a network namespace made by the test
(10.77.0.1/24 on a veth pair), deleted afterwards. See interop.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402

interop.run_browser_suite("firefox", use_netns=True)
