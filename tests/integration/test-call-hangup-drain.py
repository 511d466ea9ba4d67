#!/usr/bin/env python3
"""A hangup right after queueing data loses none of it: the caller queues
50 messages of 10 KB on a new ordered, reliable channel (its open is still
on the way) and hangs up in the same write. The answering peer receives
all 50, in order and intact, and only then `ended` with reason `bye`; the
caller reports `ended` hangup once, and both exit 0 (src/call/hangup.c:
SCTP finishes, then DTLS close_notify, then the bye).

Then the wait is bounded: a peer that stops acknowledging (frozen with
SIGSTOP) does not hold a hangup open; the caller ends `hangup` after the
grace period (5 s), saying the shutdown did not complete, and exits 0."""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

N = 50
SIZE = 10 * 1024

tap = sctest.Tap()
call = sctest.Call(room="drain")
off, ans = call.both()
try:
    ok = call.wait_open("chat", timeout=30)
    tap.ok(ok, "both sides see the chat channel open", call.diag())
    if not ok:
        tap.done()
    off.send({"cmd": "send", "label": "chat", "text": "up"})
    tap.ok(ans.wait_event("message", label="chat", text="up") is not None,
           "the association carries data", call.diag())

    texts = ["%03d:" % i + chr(ord("a") + i % 26) * (SIZE - 4)
             for i in range(N)]
    batch = "".join(json.dumps({"cmd": "send", "label": "bulk", "text": t})
                    + "\n" for t in texts)
    batch += json.dumps({"cmd": "hangup"}) + "\n"
    off.p.stdin.write(batch.encode())
    off.p.stdin.flush()

    ended = ans.wait_event("ended", timeout=60)
    tap.ok(ended is not None and ended.get("reason") == "bye",
           "the peer's call ends with reason bye", (ended, call.diag()))
    ans.wait_exit(20)
    got = [e.get("text") for e in ans.events
           if e.get("event") == "message" and e.get("label") == "bulk"]
    tap.ok(len(got) == N, "the peer receives all %d messages" % N,
           "got %d" % len(got))
    tap.ok(got == texts, "in order and intact",
           [g[:4] if g else g for g in got][:60])
    names = [e.get("event") for e in ans.events]
    last_msg = max((i for i, e in enumerate(ans.events)
                    if e.get("event") == "message"), default=-1)
    tap.ok("ended" in names and last_msg < names.index("ended"),
           "every message comes before the peer's ended event", names[-8:])
    rc = off.wait_exit(30)
    oended = [e for e in off.events if e.get("event") == "ended"]
    tap.ok(rc == 0 and len(oended) == 1 and
           oended[0].get("reason") == "hangup" and
           oended[0].get("detail") == "local hangup",
           "the caller ends once, hangup (SCTP shutdown completed), exit 0",
           (rc, oended))
    errs = [e for e in off.events if e.get("event") == "error"]
    tap.ok(not errs, "no error event on the caller", errs)
    tap.ok(ans.wait_exit(20) == 0, "the peer exits 0")
finally:
    call.close()

# 2. a peer that stops acknowledging: the grace period ends the hangup
call = sctest.Call(room="drain2")
off, ans = call.both()
try:
    ok = call.wait_open("chat", timeout=30)
    tap.ok(ok, "frozen peer: the chat channel opens", call.diag())
    if not ok:
        tap.done()
    os.kill(ans.p.pid, signal.SIGSTOP)
    off.send({"cmd": "send", "label": "chat", "text": "x" * 10000})
    off.send({"cmd": "hangup"})
    ev = off.wait_event("ended", timeout=60)
    tap.ok(ev is not None and ev.get("reason") == "hangup" and
           "not complete" in ev.get("detail", ""),
           "frozen peer: the caller ends hangup once the grace period is "
           "over, saying the shutdown did not complete", ev)
    tap.ok(off.wait_exit(30) == 0, "frozen peer: the caller exits 0")
    tap.ok(sum(1 for e in off.events if e.get("event") == "ended") == 1,
           "frozen peer: one ended event")
finally:
    call.close()
tap.done()
