#!/usr/bin/env python3
"""Two calls with default options share no identifier in their session
descriptions (issue 13 point 8; RFC 8827 §6.5, RFC 7022, WebRTC security
architecture §5.5 "fresh DTLS key pair ... for unlinkability").

A relay records every description (offer and answer of each call, audio,
video and data, so that SSRCs, CNAMEs and msids are present). Between the
two calls' descriptions (both sides of each) these fields must differ:

  o= session id          (RFC 8866 §5.2: "numeric string" chosen per session)
  a=ice-ufrag, a=ice-pwd (also as "ufrag" in any a=candidate)
  a=fingerprint          (the certificate's digest: per call by default)
  a=tls-id               (RFC 8842 §4)
  a=ssrc ids and a=ssrc-group ids
  a=ssrc ... cname:      (RFC 7022: a fresh CNAME per call)
  a=msid stream and track ids (also in a=ssrc ... msid:)

Each must be present in all four descriptions (so the test cannot pass
by finding nothing). Besides those, any other token of six characters or
more that both calls' descriptions contain is reported, unless it is one
of the protocol's own words (lower-case keywords such as "actpass",
"webrtc-datachannel"), or one of the fixed values listed in ALLOWED: the
same for every sealcall of this version, so they identify the software,
not the user or the call. Candidate lines are checked apart: foundation,
component, transport and priority follow from the candidate's type and
the host's interfaces, the same for any sealcall there; the address is
the subject of IP handling (issue 13 points 3-4), and ports are
ephemeral. mid values (0, 1, 2) are positional, and the session version
counts descriptions.

A control proves the detector can fail: two calls whose offerer keeps a
per-origin key must be reported as sharing a=fingerprint (and nothing
else)."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()

FIELDS = ("session-id", "ice-ufrag", "ice-pwd", "fingerprint", "tls-id",
          "ssrc", "cname", "msid-stream", "msid-track")
# fixed values of every sealcall description (not identifiers)
ALLOWED = {"UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", "opus/48000/2", "VP8/90000",
           "262144", "BUNDLE", "0.0.0.0", "127.0.0.1"}
KEYWORD = re.compile(r"^[a-z][a-z0-9-]*$")
TOKEN = re.compile(r"[A-Za-z0-9+/_:.-]{6,}")


def identifiers(sdp, cands=()):
    """field -> set of values in one description (+ trickled candidates)"""
    f = {k: set() for k in FIELDS}
    for line in list(sdp.splitlines()) + ["a=" + c for c in cands]:
        if line.startswith("o="):
            parts = line[2:].split()
            if len(parts) >= 2:
                f["session-id"].add(parts[1])
        elif line.startswith("a=ice-ufrag:"):
            f["ice-ufrag"].add(line.split(":", 1)[1])
        elif line.startswith("a=ice-pwd:"):
            f["ice-pwd"].add(line.split(":", 1)[1])
        elif line.startswith("a=fingerprint:"):
            f["fingerprint"].add(line.split(":", 1)[1])
        elif line.startswith("a=tls-id:"):
            f["tls-id"].add(line.split(":", 1)[1])
        elif line.startswith("a=ssrc:"):
            ssrc, _, rest = line[len("a=ssrc:"):].partition(" ")
            f["ssrc"].add(ssrc)
            if rest.startswith("cname:"):
                f["cname"].add(rest[len("cname:"):])
            elif rest.startswith("msid:"):
                ids = rest[len("msid:"):].split()
                f["msid-stream"].add(ids[0])
                f["msid-track"].update(ids[1:2])
        elif line.startswith("a=ssrc-group:"):
            f["ssrc"].update(line.split()[1:])
        elif line.startswith("a=msid:"):
            ids = line[len("a=msid:"):].split()
            f["msid-stream"].add(ids[0])
            f["msid-track"].update(ids[1:2])
        elif line.startswith("a=candidate:"):
            words = line.split()
            for i, w in enumerate(words[:-1]):
                if w == "ufrag":
                    f["ice-ufrag"].add(words[i + 1])
    return f


def tokens(sdp):
    """tokens of six characters or more outside candidate lines, after an
    attribute's name (a=NAME:)"""
    out = set()
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            continue
        if line.startswith("a="):
            body = line.split(":", 1)[1] if ":" in line else ""
        else:
            body = line[2:]
        out.update(TOKEN.findall(body))
    return out


def record_call(relay, port, room, offer_extra=None, media=True, env=None):
    """offer and answer of one call (and its trickled candidates), the
    call ended once both descriptions have passed"""
    start = len(relay.events)
    call = sctest.Call(room=room, relay=relay, port=port, media=media,
                       offer_extra=offer_extra, offer_env=env)
    got = {}
    try:
        for kind in ("offer", "answer"):
            ev = relay.wait_for(lambda e, k=kind: e.get("event") == "frame" and
                                e.get("type") == k and "sdp" in e, 30, start)
            got[kind] = ev["sdp"] if ev else None
        # what trickled until now (the descriptions carry most)
        got["cands"] = [e.get("candidate") for e in relay.events[start:]
                        if e.get("event") == "frame" and
                        e.get("type") == "candidate" and
                        isinstance(e.get("candidate"), str)]
    finally:
        call.close()
    return got


def compare(a, b):
    """(fields shared by calls @a and @b, other shared tokens, fields
    missing from a description)"""
    ids = []
    for call in (a, b):
        for kind in ("offer", "answer"):
            ids.append(identifiers(call[kind] or "", call["cands"]))
    missing = [(i, k) for i, f in enumerate(ids) for k in FIELDS if not f[k]]
    shared = {}
    for k in FIELDS:
        common = (ids[0][k] | ids[1][k]) & (ids[2][k] | ids[3][k])
        if common:
            shared[k] = sorted(common)
    ta = tokens(a["offer"] or "") | tokens(a["answer"] or "")
    tb = tokens(b["offer"] or "") | tokens(b["answer"] or "")
    other = sorted(t for t in ta & tb
                   if t not in ALLOWED and not KEYWORD.match(t))
    return shared, other, missing


relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                     "--record", "--sdp"], "relay")
ev = relay.wait_event("listening", timeout=20)
tmp = tempfile.mkdtemp(prefix="sealcall-unlink-")
try:
    port = ev["port"]
    one = record_call(relay, port, "u1")
    two = record_call(relay, port, "u2")
    tap.ok(all(c[k] for c in (one, two) for k in ("offer", "answer")),
           "both calls' offers and answers were recorded")
    shared, other, missing = compare(one, two)
    tap.ok(not missing, "every compared field is in all four descriptions "
           "(audio, video and data)", missing)
    tap.ok(not shared, "default options: no identifier shared between the "
           "two calls (%s)" % ", ".join(FIELDS), shared)
    tap.ok(not other, "default options: no other token shared beyond the "
           "protocol's fixed words", other)
    # within a call, the two sides do not share an identifier either
    for name, call in (("first", one), ("second", two)):
        o = identifiers(call["offer"] or "")
        a = identifiers(call["answer"] or "")
        both = {k: sorted(o[k] & a[k]) for k in FIELDS if o[k] & a[k]}
        tap.ok(not both, "%s call: offer and answer share no identifier"
               % name, both)

    # control: a per-origin offerer is linkable, and the test says so
    env = {"XDG_DATA_HOME": os.path.join(tmp, "o")}
    po = ["--key-scope", "per-origin"]
    three = record_call(relay, port, "u3", po, media=False, env=env)
    four = record_call(relay, port, "u4", po, media=False, env=env)
    shared, other, _ = compare(three, four)
    fp = identifiers(three["offer"] or "")["fingerprint"]
    tap.ok(list(shared) == ["fingerprint"] and
           shared["fingerprint"] == sorted(fp) and
           other == [f.split(" ", 1)[1] for f in sorted(fp)],
           "control: two calls of a per-origin offerer are found to share "
           "its a=fingerprint and nothing else (the test can fail)",
           (shared, other))
finally:
    relay.kill()
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
