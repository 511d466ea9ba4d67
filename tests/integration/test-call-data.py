#!/usr/bin/env python3
"""Two sealcall endpoints through `sealcall serve` on 127.0.0.1: data
channels (text, binary, empty; unordered; partially reliable), the 16 MiB
bench with its content checked, the inspector report from live state, and
hangup ending both sides with exit status 0."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
call = sctest.Call(room="data")
off, ans = call.both()
try:
    ok = call.wait_open("chat", timeout=30)
    tap.ok(ok, "both sides see the chat channel open", call.diag())
    if not ok:
        tap.done()

    ev = off.wait_event("dtls", state="connected", timeout=5)
    tap.ok(ev is not None and ev.get("version") == "DTLSv1.2"
           and ev.get("srtp_profile") == "SRTP_AES128_CM_SHA1_80"
           and ev.get("cipher") == "ECDHE-ECDSA-AES128-GCM-SHA256"
           and ev.get("role") == "server",
           "offerer dtls event: DTLSv1.2, ECDHE-ECDSA-AES128-GCM-SHA256, "
           "SRTP_AES128_CM_SHA1_80, server role", ev)
    ev2 = ans.wait_event("dtls", state="connected", timeout=5)
    tap.ok(ev2 is not None and ev2.get("role") == "client",
           "answerer is the DTLS client (a=setup:active)", ev2)
    iev = off.wait_event("ice", state="connected", timeout=5)
    tap.ok(iev is not None and iev.get("local_type") == "host"
           and iev.get("remote_type") in ("host", "prflx"),
           "ice connected event names the pair types", iev)

    # text both ways
    off.send({"cmd": "send", "label": "chat", "text": "hello from offerer"})
    ans.send({"cmd": "send", "label": "chat", "text": "héllo from answerer ✓"})
    m1 = ans.wait_event("message", label="chat", text="hello from offerer")
    m2 = off.wait_event("message", label="chat", text="héllo from answerer ✓")
    tap.ok(m1 is not None, "text offerer -> answerer")
    tap.ok(m2 is not None, "text (UTF-8) answerer -> offerer")

    # binary both ways, including every byte value
    blob = bytes(range(256)) * 3
    b64 = base64.b64encode(blob).decode()
    off.send({"cmd": "send", "label": "chat", "binary": b64})
    ans.send({"cmd": "send", "label": "chat", "binary": b64})
    tap.ok(ans.wait_event("message", label="chat", binary=b64) is not None,
           "binary offerer -> answerer")
    tap.ok(off.wait_event("message", label="chat", binary=b64) is not None,
           "binary answerer -> offerer")

    # empty messages (PPID 56/57)
    off.send({"cmd": "send", "label": "chat", "text": ""})
    ans.send({"cmd": "send", "label": "chat", "binary": ""})
    tap.ok(ans.wait_event("message", label="chat", text="") is not None,
           "empty text offerer -> answerer")
    tap.ok(off.wait_event("message", label="chat", binary="") is not None,
           "empty binary answerer -> offerer")

    # a channel opened on demand by the answerer (odd stream id)
    ans.send({"cmd": "send", "label": "side", "text": "x"})
    evo = off.wait_event("channel", state="open", label="side")
    tap.ok(evo is not None, "answerer's on-demand channel opens on the offerer", evo)
    tap.ok(off.wait_event("message", label="side", text="x") is not None,
           "message queued before open is delivered")
    evc = off.wait_event("channel", state="open", label="chat")
    tap.ok(evc is not None and evc.get("id", 0) % 2 == 1,
           "offerer (DTLS server) opened chat on an odd stream id", evc)
    steps = [(evc or {}).get(k) for k in
             ("setup_answer_ms", "setup_ice_ms", "setup_dtls_ms",
              "setup_sctp_ms", "setup_ms")]
    tap.ok(all(isinstance(v, (int, float)) and v > 0 for v in steps) and
           steps == sorted(steps),
           "the offerer's first channel open reports its setup milestones "
           "in order (answer, ICE, DTLS, SCTP, open)", evc)
    # the answerer did not send the offer: it reports no setup time
    eva = ans.wait_event("channel", state="open", label="chat")
    tap.ok(eva is not None and "setup_ms" not in eva,
           "the answerer reports no setup time", eva)
    evs = ans.wait_event("channel", state="open", label="side")
    tap.ok(evs is not None and evs.get("id", 1) % 2 == 0,
           "answerer (DTLS client) opened its channel on an even id", evs)

    # unordered and partially reliable channels
    for i in range(20):
        off.send({"cmd": "send", "label": "unordered", "ordered": False,
                  "text": "u%d" % i})
    got = set()
    for i in range(20):
        ev = ans.wait_event("message", label="unordered", text="u%d" % i)
        if ev is not None:
            got.add(i)
    tap.ok(len(got) == 20, "unordered channel delivers all 20 messages",
           "got %s" % sorted(got))
    off.send({"cmd": "send", "label": "pr-rexmit", "max_retransmits": 0,
              "text": "once"})
    off.send({"cmd": "send", "label": "pr-timed", "ordered": False,
              "max_lifetime": 500, "text": "soon"})
    tap.ok(ans.wait_event("message", label="pr-rexmit", text="once") is not None,
           "partially reliable (max_retransmits 0) channel delivers")
    tap.ok(ans.wait_event("message", label="pr-timed", text="soon") is not None,
           "partially reliable (max lifetime) unordered channel delivers")

    # bad commands get a clear error and lose nothing
    off.send({"cmd": "send", "label": "chat"})
    err = off.wait_event("error", timeout=10)
    tap.ok(err is not None and "text" in err.get("detail", ""),
           "send without text/binary is refused with an error event", err)
    off.send({"cmd": "frobnicate"})
    err = off.wait_for(lambda e: e.get("event") == "error"
                       and "frobnicate" in e.get("detail", ""), 10)
    tap.ok(err is not None, "unknown command is refused with an error event")

    # 16 MiB bench, offerer as sender, content checked by the receiver
    off.send({"cmd": "bench", "bytes": 16 * 1024 * 1024, "chunk": 65536})
    b = off.wait_event("bench", timeout=120, role="sender")
    tap.ok(b is not None and b.get("bytes") == 16 * 1024 * 1024,
           "16 MiB bench completes on the sender", b or call.diag())
    r = ans.wait_event("bench", timeout=10, role="receiver")
    tap.ok(r is not None and r.get("pattern") == "ok"
           and r.get("bytes") == 16 * 1024 * 1024,
           "receiver got every byte of the bench pattern in order", r)
    if b:
        tap.diag("bench 16 MiB / 64 KiB chunks: %.1f Mbit/s" % b["mbps"])
    # and the other direction with 1 KiB chunks
    ans.send({"cmd": "bench", "bytes": 2 * 1024 * 1024, "chunk": 1024})
    b = ans.wait_event("bench", timeout=120, role="sender")
    r = off.wait_event("bench", timeout=10, role="receiver")
    tap.ok(b is not None and r is not None and r.get("pattern") == "ok",
           "2 MiB bench with 1 KiB chunks, answerer -> offerer", (b, r))

    # inspector report from live state
    off.send({"cmd": "inspect"})
    ins = off.wait_event("inspector", timeout=10)
    rep = ins.get("report", {}) if ins else {}
    tr = rep.get("transport", {})
    tap.ok(tr.get("dtls_version") == "DTLSv1.2" and tr.get("pfs") is True
           and tr.get("null_cipher") is False
           and tr.get("srtp_profile") == "SRTP_AES128_CM_SHA1_80"
           and tr.get("keying") == "pairwise-dtls-srtp",
           "inspector transport part is filled from live DTLS", tr)
    dtls_ans = ans.wait_event("dtls", state="connected", timeout=1) or {}
    tap.ok(tr.get("remote_fingerprint") is not None
           and tr.get("remote_fingerprint") == off.wait_event(
               "dtls", state="connected", timeout=1).get("remote_fingerprint"),
           "inspector remote fingerprint is the verified one")
    ice = rep.get("ice", {})
    tap.ok(ice.get("local_type") == "host" and ice.get("consent", {}).get("fresh") is True,
           "inspector ice part: host pair, consent fresh", ice)
    labels = sorted(c["label"] for c in rep.get("channels", []))
    tap.ok("chat" in labels and all(c.get("encrypted") for c in rep.get("channels", [])),
           "inspector lists encrypted channels", labels)
    ans.send({"cmd": "inspect"})
    ins2 = ans.wait_event("inspector", timeout=10) or {}
    tr2 = ins2.get("report", {}).get("transport", {})
    tap.ok(tr2.get("sas") is not None and tr2.get("sas") == tr.get("sas"),
           "both sides compute the same short authentication string",
           (tr.get("sas"), tr2.get("sas")))
    tap.ok(tr2.get("local_fingerprint") == tr.get("remote_fingerprint")
           and tr.get("local_fingerprint") == dtls_ans.get("remote_fingerprint"),
           "each side verified exactly the other's certificate")

    # hangup: both exit 0 with ended events
    off.send({"cmd": "hangup"})
    e1 = off.wait_event("ended", timeout=20)
    e2 = ans.wait_event("ended", timeout=20)
    rc1 = off.wait_exit(20)
    rc2 = ans.wait_exit(20)
    tap.ok(e1 is not None and e1.get("reason") == "hangup" and rc1 == 0,
           "offerer: ended hangup, exit 0", (e1, rc1))
    tap.ok(e2 is not None and e2.get("reason") == "bye" and rc2 == 0,
           "answerer: ended bye, exit 0", (e2, rc2))
    tap.ok(all(l.startswith("{") for l in off.lines + ans.lines),
           "stdout carries only JSON lines")
finally:
    call.close()
tap.done()
