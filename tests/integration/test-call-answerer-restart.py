#!/usr/bin/env python3
"""Either side restarts ICE (RFC 8445 §9, JSEP §5.2.1), not only the
offerer: here only the answerer loses consent, and it restarts ICE itself.

The call crosses the UDP proxy of mitm_relay.py --loss 0 (nothing lost,
nothing reordered), which can drop the STUN Binding success responses on
their way to one participant (sctest.block()): the answerer's
consent checks then go unanswered, while the offerer's are answered as
usual. So only the answerer's libnice gives up on the pair (`ice`
`disconnected` 10 s after the last response, RFC 7675 consent kept for
30 s); it must send an ICE-restart offer (`restart-offer-sent`), the
offerer must answer it (`restart-answer-sent`) and never need a restart
of its own. Once the responses pass again, a pair is selected on the
answerer and the call goes on: the same DTLS association (no second
`dtls` event on either side, the same remote fingerprint in the
inspector), chat both ways, consent fresh on both sides.

On the code before answerer restarts, the answerer only waits: no
restart offer, and the call ends consent-expired 30 s later."""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

tap = sctest.Tap()
ROOM = "answerer-restart"


def events(proc, name, **fields):
    return [e for e in proc.events if e.get("event") == name and
            all(e.get(k) == v for k, v in fields.items())]


def inspect(proc):
    start = len(proc.events)
    proc.send({"cmd": "inspect"})
    ev = proc.wait_for(lambda e: e.get("event") == "inspector", 10,
                       start=start)
    return ev["report"] if ev else None


mitm, port = sctest.control_proxy_relay(tap)
# the answerer joins first: participant 0
call = sctest.Call(room=ROOM, relay=mitm, port=port)
off, ans = call.both()
try:
    ok = call.wait_open("chat", timeout=60)
    tap.ok(ok, "the call connects through the proxy", call.diag())
    if not ok:
        raise SystemExit
    sctest.chat(tap, off, ans, "before", "chat offerer -> answerer before")
    before = {p.name: inspect(p) for p in (off, ans)}
    dtls_before = {p.name: len(events(p, "dtls")) for p in (off, ans)}

    tap.ok(sctest.block(mitm, ROOM, 0, "stun-responses"),
           "the proxy drops the STUN responses to the answerer")
    n_off, n_ans = len(off.events), len(ans.events)
    disc = ans.wait_for(lambda e: e.get("event") == "ice" and
                        e.get("state") == "disconnected", 40, start=n_ans,
                        also=(off,))
    tap.ok(disc is not None, "the answerer loses consent (ice "
           "disconnected)", call.diag())
    offer = ans.wait_for(lambda e: e.get("event") == "signaling" and
                         e.get("state") == "restart-offer-sent", 10,
                         start=n_ans, also=(off,))
    tap.ok(offer is not None, "the answerer sends an ICE-restart offer",
           ans.stderr_tail())
    answer = off.wait_for(lambda e: e.get("event") == "signaling" and
                          e.get("state") == "restart-answer-sent", 20,
                          start=n_off, also=(ans,))
    tap.ok(answer is not None, "the offerer answers it", off.stderr_tail())
    tap.ok(sctest.block(mitm, ROOM, 0, None),
           "the proxy passes the responses again")
    back = ans.wait_for(lambda e: e.get("event") == "ice" and
                        e.get("state") == "connected", 40,
                        start=sctest.index_of(ans, disc), also=(off,))
    tap.ok(back is not None, "the answerer's ICE connects again on a new "
           "pair", call.diag())

    for sender, receiver, text in ((off, ans, "after the restart"),
                                   (ans, off, "answerer here")):
        n = len(receiver.events)
        sender.send({"cmd": "send", "label": "chat", "text": text})
        m = receiver.wait_for(lambda e: e.get("event") == "message" and
                              e.get("text") == text, 30, start=n,
                              also=(sender,))
        tap.ok(m is not None, "chat %s -> %s after the restart"
               % (sender.name, receiver.name), call.diag())

    tap.ok(not events(off, "signaling", state="restart-offer-sent"),
           "the offerer, whose consent held, never restarted",
           events(off, "signaling"))
    tap.ok(not events(off, "ice", state="disconnected"),
           "the offerer never lost consent", events(off, "ice"))
    tap.ok({p.name: len(events(p, "dtls")) for p in (off, ans)} ==
           dtls_before, "no new DTLS handshake on either side",
           [events(p, "dtls") for p in (off, ans)])
    after = {p.name: inspect(p) for p in (off, ans)}
    for name in ("offerer", "answerer"):
        b, a = before.get(name), after.get(name)
        tap.ok(a is not None and b is not None and
               a["transport"]["remote_fingerprint"] ==
               b["transport"]["remote_fingerprint"] and
               a["ice"]["consent"]["fresh"] is True,
               "%s: same remote fingerprint, consent fresh again" % name,
               (b and b["transport"], a and a["transport"], a and a["ice"]))
    ended = [e for p in (off, ans) for e in events(p, "ended")]
    tap.ok(not ended, "neither side ended the call", ended)
    sctest.hang_up(tap, off, ans)
except SystemExit:
    pass
finally:
    call.close()
    mitm.kill()
tap.done()
