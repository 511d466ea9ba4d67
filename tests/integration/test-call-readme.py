#!/usr/bin/env python3
"""The README's scripting example, exactly as written there (only the
program's path and the relay's port differ): a piped command list sent to
`sealcall call --json`, whose end of input comes long before signaling
connects. Every command is carried out once the call is up ("hi" reaches
the answering peer), then the caller hangs up: an `ended` hangup event,
both sides exit 0, and every stdout line is a JSON event."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
top = os.environ.get("TOP_SRCDIR", ".")

with open(os.path.join(top, "README.md"), encoding="utf-8") as f:
    readme = f.read()
section = readme.split("## Scripting", 1)[1].split("\n## ", 1)[0]
lines = [ln for ln in section.splitlines()
         if ln.startswith("echo ") and "| sealcall call " in ln]
tap.ok(len(lines) == 1, "the README's Scripting section has one piped example",
       lines)
if len(lines) != 1:
    tap.done()
example = lines[0]
m = re.search(r"ws://127\.0\.0\.1:(\d+)/room/(\w+)", example)
tap.ok(m is not None, "the example names a relay room on 127.0.0.1", example)
if m is None:
    tap.done()
room = m.group(2)

relay, port = sctest.start_relay()
ans = None
sh = None
try:
    url = "ws://127.0.0.1:%d/room/%s" % (port, room)
    ans = sctest.endpoint("answer", url, "answerer")
    tap.ok(ans.wait_event("signaling", state="connected", timeout=20)
           is not None, "the answering peer waits in the room")
    # the example verbatim, with the built program and this relay's port
    cmd = example.replace("| sealcall call ",
                          "| '%s' call " % sctest.SEALCALL, 1)
    cmd = cmd.replace("ws://127.0.0.1:%s/" % m.group(1),
                      "ws://127.0.0.1:%d/" % port, 1)
    tap.diag("running: " + cmd)
    err_path = "/tmp/sctest-%d-readme.err" % os.getpid()
    with open(err_path, "wb") as err:
        sh = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE,
                              stderr=err, stdin=subprocess.DEVNULL)
        try:
            out, _ = sh.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            sh.kill()
            out, _ = sh.communicate()
    rc = sh.returncode
    with open(err_path, "rb") as f:
        err_text = f.read().decode("utf-8", "replace")
    os.unlink(err_path)
    events = []
    bad = []
    for ln in out.decode("utf-8", "replace").splitlines():
        try:
            events.append(json.loads(ln))
        except ValueError:
            bad.append(ln)
    tap.ok(not bad and all("event" in e for e in events),
           "the caller's stdout is JSON events only", bad[:5])
    got = ans.wait_event("message", label="chat", text="hi", timeout=30)
    tap.ok(got is not None, "the answering peer receives \"hi\"",
           ans.stderr_tail() + err_text)
    ended = [e for e in events if e.get("event") == "ended"]
    tap.ok(rc == 0 and len(ended) == 1 and ended[0].get("reason") == "hangup",
           "the caller hangs up once it is done: ended hangup, exit 0",
           (rc, ended, err_text[-2000:]))
    names = [e.get("event") for e in events]
    tap.ok("error" not in names and
           names.index("ended") > names.index("channel")
           if "ended" in names and "channel" in names else False,
           "no error event; the call was up before it ended", names)
    tap.ok("warn" not in err_text, "no warning on stderr", err_text[-2000:])
    ev = ans.wait_event("ended", timeout=20)
    tap.ok(ev is not None and ev.get("reason") == "bye" and
           ans.wait_exit(20) == 0, "the peer sees the bye and exits 0", ev)
finally:
    if sh is not None and sh.poll() is None:
        sh.kill()
    if ans is not None:
        ans.kill()
    relay.kill()
tap.done()
