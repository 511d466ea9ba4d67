#!/usr/bin/python3
# bench/aiortc_peer.py - a reference WebRTC peer built on aiortc, speaking the
# relay protocol (interop contract section 1), the data-channel benchmark
# protocol (section 2) and a subset of the scripted JSON-lines mode of the CLI
# (section 3), so that the bench driver runs it and sealcall interchangeably.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   /usr/bin/python3 bench/aiortc_peer.py --role call|answer --signal URL
#
# stdout: one JSON event per line: signaling (connected / offer-sent /
# answer-sent / closed), ice (checking / connected / failed), dtls (connected /
# failed), channel (open / closed), message, bench, ended. stdin: one JSON
# command per line: send, bench, hangup, and the test aid churn (open and
# close channels in a loop: count, label_len, batch; reports a churn
# event). End of stdin is a hangup (so the peer never outlives its driver).
# Exit 0 after hangup or bye (or the peer leaving the room), non-zero on
# failure; `ended` is always printed first.
#
# Loopback only: aiortc gathers on every interface, so aioice's host address
# discovery is replaced by ["127.0.0.1"], no STUN/TURN server is configured,
# and every remote candidate (in SDP or trickled) whose address is not
# 127.0.0.1 is dropped, so nothing is ever sent elsewhere.
#
# Needs Debian's python3-aiortc (1.4) and python3-websockets; run it with
# /usr/bin/python3, not a python without them.

import argparse
import asyncio
import base64
import json
import logging
import os
import sys
import threading
import time

try:
    import aioice.ice
    import websockets
    from aiortc import (RTCConfiguration, RTCPeerConnection,
                        RTCSessionDescription)
    from aiortc.sdp import candidate_from_sdp
except ImportError as exc:  # pragma: no cover
    sys.stderr.write("aiortc_peer: %s: install python3-aiortc and "
                     "python3-websockets (Debian) and run with /usr/bin/python3\n"
                     % exc)
    sys.exit(2)

LOOPBACK = "127.0.0.1"
BENCH_HIGH_WATER = 1024 * 1024
BENCH_LOW_WATER = 256 * 1024
# Bench payload: the byte at stream offset i is i mod 251 (as sealcall sends
# and checks it), so chunk boundaries do not line up with the pattern.
BENCH_PERIOD = 251


def bench_pattern(offset, n, _cache={}):
    base = _cache.get(n)
    if base is None:
        base = bytes(i % BENCH_PERIOD for i in range(n + BENCH_PERIOD))
        if len(_cache) >= 4:
            _cache.clear()
        _cache[n] = base
    o = offset % BENCH_PERIOD
    return base[o:o + n]


def _loopback_only(use_ipv4=True, use_ipv6=False):
    return [LOOPBACK] if use_ipv4 else []


aioice.ice.get_host_addresses = _loopback_only

log = logging.getLogger("aiortc_peer")


class RawText(bytes):
    """Bytes to send as a text message (PPID 51), UTF-8 or not."""


def send_payload(ch, payload):
    if not isinstance(payload, RawText):
        ch.send(payload)
        return
    # aiortc sends only str as text; queue the bytes with the string PPID
    # the way RTCSctpTransport._data_channel_send does
    tr = ch.transport
    ch._addBufferedAmount(len(payload))
    tr._data_channel_queue.append((ch, 51, bytes(payload)))
    asyncio.ensure_future(tr._data_channel_flush())


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def candidate_address(cand_line):
    """Address field of an SDP candidate attribute value (with or without the
    'candidate:' prefix), or None when malformed."""
    if cand_line.startswith("a="):
        cand_line = cand_line[2:]
    if cand_line.startswith("candidate:"):
        cand_line = cand_line[len("candidate:"):]
    bits = cand_line.split()
    if len(bits) < 8:
        return None
    return bits[4]


def filter_sdp(sdp):
    """Drop every a=candidate line whose address is not 127.0.0.1."""
    out = []
    dropped = 0
    for line in sdp.splitlines():
        if line.startswith("a=candidate:") and \
                candidate_address(line) != LOOPBACK:
            dropped += 1
            continue
        out.append(line)
    if dropped:
        log.info("dropped %d non-loopback candidates from SDP", dropped)
    return "\r\n".join(out) + "\r\n"


def split_candidates(sdp):
    """SDP without its candidates, and the candidate messages (contract
    section 1) that carry them, ending with the end-of-candidates one."""
    out, cands = [], []
    index, mid = -1, None
    for line in sdp.splitlines():
        if line.startswith("m="):
            index += 1
            mid = None
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:"):]
            for c in cands:
                if c["sdpMLineIndex"] == index and c["sdpMid"] is None:
                    c["sdpMid"] = mid
        if line.startswith("a=candidate:"):
            cands.append({"type": "candidate", "candidate": line[2:],
                          "sdpMid": mid, "sdpMLineIndex": max(index, 0)})
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        out.append(line)
    first = cands[0] if cands else {"sdpMid": "0", "sdpMLineIndex": 0}
    cands.append({"type": "candidate", "candidate": "",
                  "sdpMid": first["sdpMid"],
                  "sdpMLineIndex": first["sdpMLineIndex"]})
    return "\r\n".join(out) + "\r\n", cands


class Peer:
    def __init__(self, args):
        self.args = args
        self.role = args.role
        self.ws = None
        self.pc = None
        self.loop = None
        self.finished = None  # future: exit code
        self.ending = False
        self.offer_sent = False
        self.remote_set = False
        self.pending_cands = []
        self.channels = {}  # label -> most recent channel with that label
        self.opened = set()  # id(channel) already announced open
        self.pending_sends = {}  # id(channel) -> list of payloads
        self.bench_ch = None
        self.bench_lock = asyncio.Lock()
        self.bench_done = None
        self.bench_low = asyncio.Event()
        self.bench_rx = {}  # id(channel) -> [target, count, pattern ok]
        self.peer_left = asyncio.Event()
        self.ice_connected = False
        self.dtls_reported = False
        self.any_open = False

    # ---- lifecycle -------------------------------------------------------

    async def finish(self, reason, detail="", code=0, send_bye=False):
        if self.ending:
            return
        self.ending = True
        if send_bye and self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.send(json.dumps(
                    {"type": "bye", "reason": reason})), 2)
                # Let the bye reach the peer before our SCTP/DTLS shutdown
                # does: wait (briefly) for the peer to leave the room.
                if self.args.bye_grace > 0:
                    await asyncio.wait_for(self.peer_left.wait(),
                                           self.args.bye_grace)
            except asyncio.TimeoutError:
                pass
            except Exception as exc:  # noqa: BLE001
                log.info("bye not sent: %s", exc)
        if self.pc is not None:
            try:
                await asyncio.wait_for(self.pc.close(), 5)
            except Exception as exc:  # noqa: BLE001
                log.info("pc.close: %s", exc)
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 2)
            except Exception:  # noqa: BLE001
                pass
            emit({"event": "signaling", "state": "closed"})
        emit({"event": "ended", "reason": reason, "detail": detail})
        if not self.finished.done():
            self.finished.set_result(code)

    def fail(self, reason, detail):
        asyncio.ensure_future(self.finish(reason, detail, code=1,
                                          send_bye=True))

    # ---- signaling -------------------------------------------------------

    async def ws_send(self, obj):
        await self.ws.send(json.dumps(obj))

    async def send_offer(self):
        if self.offer_sent:
            return
        self.offer_sent = True
        offer = await self.pc.createOffer()
        await self.pc.setLocalDescription(offer)
        await self.send_description("offer")
        emit({"event": "signaling", "state": "offer-sent",
              "t": time.monotonic()})

    async def send_description(self, kind):
        sdp = filter_sdp(self.pc.localDescription.sdp)
        cands = []
        if self.args.trickle:
            sdp, cands = split_candidates(sdp)
        await self.ws_send({"type": kind, "sdp": sdp})
        for c in cands:
            await self.ws_send(c)

    async def on_offer(self, sdp):
        await self.pc.setRemoteDescription(
            RTCSessionDescription(sdp=filter_sdp(sdp), type="offer"))
        self.remote_set = True
        await self.flush_candidates()
        answer = await self.pc.createAnswer()
        await self.pc.setLocalDescription(answer)
        await self.send_description("answer")
        emit({"event": "signaling", "state": "answer-sent",
              "t": time.monotonic()})

    async def on_answer(self, sdp):
        await self.pc.setRemoteDescription(
            RTCSessionDescription(sdp=filter_sdp(sdp), type="answer"))
        self.remote_set = True
        await self.flush_candidates()

    def bundle_mids(self):
        """mids of the m-lines that own an ICE transport (not bundled)."""
        mids = []
        try:
            for t in self.pc.getTransceivers():
                if t.mid is not None and not t._bundled:
                    mids.append(t.mid)
            sctp = self.pc.sctp
            if sctp is not None and sctp.mid is not None and not sctp._bundled:
                mids.append(sctp.mid)
        except AttributeError:
            pass
        return mids

    async def add_candidate(self, msg):
        line = msg.get("candidate")
        if not isinstance(line, str) or line == "":
            return  # end of candidates: ignored (aiortc does not need it)
        if candidate_address(line) != LOOPBACK:
            log.info("dropping non-loopback remote candidate")
            return
        text = line[len("candidate:"):] if line.startswith("candidate:") \
            else line
        try:
            cand = candidate_from_sdp(text)
        except (AssertionError, ValueError, IndexError) as exc:
            log.info("bad remote candidate: %s", exc)
            return
        mids = self.bundle_mids()
        mid = msg.get("sdpMid")
        if mid not in mids and mids:
            mid = mids[0]  # BUNDLE: the candidate belongs to the bundle owner
        cand.sdpMid = mid
        cand.sdpMLineIndex = msg.get("sdpMLineIndex")
        if cand.sdpMid is None and cand.sdpMLineIndex is None:
            cand.sdpMLineIndex = 0
        await self.pc.addIceCandidate(cand)

    async def flush_candidates(self):
        pending, self.pending_cands = self.pending_cands, []
        for msg in pending:
            await self.add_candidate(msg)

    async def ws_loop(self):
        try:
            async for frame in self.ws:
                if not isinstance(frame, str):
                    continue
                try:
                    msg = json.loads(frame)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                await self.on_signal(msg)
                if self.ending:
                    return
        except websockets.ConnectionClosed:
            pass
        if self.ending:
            return
        if self.any_open:
            # The call goes on without signaling.
            emit({"event": "signaling", "state": "closed"})
            self.ws = None
        else:
            code = getattr(self.ws, "close_code", None)
            reason = getattr(self.ws, "close_reason", "") or ""
            await self.finish("error", "signaling closed before the call "
                              "was up (code %s%s)"
                              % (code, ": " + reason if reason else ""),
                              code=1)

    async def on_signal(self, msg):
        kind = msg.get("type")
        try:
            if kind == "room":
                if self.role == "call" and msg.get("peers", 0) >= 1:
                    await self.send_offer()
            elif kind == "peer-joined":
                if self.role == "call":
                    await self.send_offer()
            elif kind == "peer-left":
                self.peer_left.set()
                await self.finish("bye", "peer-left", code=0)
            elif kind == "offer" and isinstance(msg.get("sdp"), str):
                if self.role == "answer":
                    await self.on_offer(msg["sdp"])
            elif kind == "answer" and isinstance(msg.get("sdp"), str):
                if self.role == "call":
                    await self.on_answer(msg["sdp"])
            elif kind == "candidate":
                if self.remote_set:
                    await self.add_candidate(msg)
                else:
                    self.pending_cands.append(msg)
            elif kind == "bye":
                await self.finish("bye", str(msg.get("reason", "")), code=0)
        except Exception as exc:  # noqa: BLE001
            log.exception("handling %s", kind)
            await self.finish("error", "%s: %s" % (kind, exc), code=1,
                              send_bye=True)

    # ---- peer connection events ---------------------------------------------

    def ice_transport(self):
        try:
            return self.pc.sctp.transport.transport
        except AttributeError:
            for t in self.pc.getTransceivers():
                return t.receiver.transport.transport
        return None

    def on_ice_state(self):
        state = self.pc.iceConnectionState
        if state == "checking":
            emit({"event": "ice", "state": "checking"})
        elif state == "completed" and not self.ice_connected:
            self.ice_connected = True
            ev = {"event": "ice", "state": "connected"}
            try:
                pair = self.ice_transport()._connection._nominated.get(1)
                ev["local_type"] = pair.local_candidate.type
                ev["remote_type"] = pair.remote_candidate.type
            except AttributeError:
                pass
            emit(ev)
        elif state == "failed":
            emit({"event": "ice", "state": "failed"})
            if self.ice_connected:
                self.fail("consent-expired", "ICE consent lost")
            else:
                self.fail("ice-failed", "ICE failed")

    def dtls_info(self):
        ev = {"event": "dtls", "state": "connected"}
        try:
            dtls = self.pc.sctp.transport
        except AttributeError:
            return ev
        try:
            ev["version"] = dtls.ssl.get_protocol_version_name()
            ev["cipher"] = dtls.ssl.get_cipher_name()
            ev["role"] = dtls._role
            x509 = dtls.ssl.get_peer_certificate()
            if x509 is not None:
                ev["remote_fingerprint"] = "sha-256 " + \
                    x509.digest("SHA256").decode("ascii").upper()
        except Exception as exc:  # noqa: BLE001
            log.info("dtls info: %s", exc)
        try:
            from OpenSSL import SSL
            prof = SSL._lib.SSL_get_selected_srtp_profile(dtls.ssl._ssl)
            if prof != SSL._ffi.NULL:
                ev["srtp_profile"] = SSL._ffi.string(prof.name).decode()
        except Exception:  # noqa: BLE001
            pass
        return ev

    def on_conn_state(self):
        state = self.pc.connectionState
        if state == "connected" and not self.dtls_reported:
            self.dtls_reported = True
            emit(self.dtls_info())
        elif state == "failed" and not self.ending:
            if self.pc.iceConnectionState != "failed":
                emit({"event": "dtls", "state": "failed"})
                self.fail("dtls-failed", "DTLS failed")

    # ---- data channels ------------------------------------------------------

    def announce_open(self, ch):
        if id(ch) in self.opened:
            return
        self.opened.add(id(ch))
        self.any_open = True
        self.channels[ch.label] = ch
        emit({"event": "channel", "state": "open", "label": ch.label,
              "id": ch.id})
        for payload in self.pending_sends.pop(id(ch), []):
            send_payload(ch, payload)

    def hook(self, ch):
        self.channels.setdefault(ch.label, ch)

        @ch.on("open")
        def _open():
            self.announce_open(ch)

        @ch.on("message")
        def _message(data):
            self.on_message(ch, data)

        @ch.on("close")
        def _close():
            if id(ch) in self.opened and not self.ending:
                emit({"event": "channel", "state": "closed",
                      "label": ch.label, "id": ch.id})

        if ch.readyState == "open":
            self.announce_open(ch)

    def on_message(self, ch, data):
        if ch.label == "bench":
            self.on_bench_message(ch, data)
            return
        ev = {"event": "message", "label": ch.label}
        if isinstance(data, str):
            ev["text"] = data
        else:
            ev["binary"] = base64.b64encode(data).decode("ascii")
        emit(ev)

    def on_bench_message(self, ch, data):
        if isinstance(data, str):
            words = data.split()
            if len(words) == 3 and words[0] == "start":
                try:
                    target = int(words[1])
                except ValueError:
                    return
                self.bench_rx[id(ch)] = [target, 0, True]
                if target <= 0:
                    self.bench_received(ch, self.bench_rx.pop(id(ch)))
            elif len(words) == 2 and words[0] == "done":
                if self.bench_done is not None and not self.bench_done.done():
                    self.bench_done.set_result(int(words[1]))
            return
        st = self.bench_rx.get(id(ch))
        if st is None:
            return
        if st[2] and data != bench_pattern(st[1], len(data)):
            st[2] = False
        st[1] += len(data)
        if st[1] >= st[0]:
            self.bench_received(ch, self.bench_rx.pop(id(ch)))

    def bench_received(self, ch, st):
        ch.send("done %d" % st[0])
        emit({"event": "bench", "role": "receiver", "bytes": st[1],
              "pattern": "ok" if st[2] else "mismatch"})

    def channel_for(self, label):
        ch = self.channels.get(label)
        if ch is not None and ch.readyState in ("connecting", "open"):
            return ch
        ch = self.pc.createDataChannel(label)
        self.hook(ch)
        self.channels[label] = ch
        return ch

    def cmd_send(self, cmd):
        label = cmd.get("label", "chat")
        if "text" in cmd:
            payload = str(cmd["text"])
        elif "text_bytes" in cmd:
            # not in the contract: a test aid (a text message whose bytes
            # need not be UTF-8, as a hostile peer sends it)
            payload = RawText(base64.b64decode(cmd["text_bytes"]))
        elif "binary" in cmd:
            payload = base64.b64decode(cmd["binary"])
        else:
            log.warning("send: no text or binary")
            return
        ch = self.channel_for(label)
        if ch.readyState == "open" and id(ch) in self.opened:
            send_payload(ch, payload)
        else:
            self.pending_sends.setdefault(id(ch), []).append(payload)

    async def cmd_bench(self, nbytes, chunk, corrupt_at=None):
        async with self.bench_lock:
            try:
                ev = await self.run_bench(nbytes, chunk, corrupt_at)
            except Exception as exc:  # noqa: BLE001
                log.exception("bench")
                ev = {"event": "bench", "bytes": nbytes, "chunk": chunk,
                      "error": str(exc) or type(exc).__name__}
            if not self.ending:
                emit(ev)

    async def run_bench(self, nbytes, chunk, corrupt_at=None):
        ch = self.bench_ch
        if ch is None or ch.readyState != "open":
            ch = self.pc.createDataChannel("bench", ordered=True)
            self.bench_ch = ch
            opened = asyncio.Event()
            ch.on("open", opened.set)
            ch.on("bufferedamountlow", self.bench_low.set)
            self.hook(ch)
            await asyncio.wait_for(opened.wait(), self.args.connect_timeout)
        ch.bufferedAmountLowThreshold = BENCH_LOW_WATER
        self.bench_done = self.loop.create_future()
        t0 = time.monotonic()
        ch.send("start %d %d" % (nbytes, chunk))
        sent = 0
        while sent < nbytes:
            if ch.readyState != "open":
                raise RuntimeError("bench channel closed")
            if ch.bufferedAmount > BENCH_HIGH_WATER:
                self.bench_low.clear()
                if ch.bufferedAmount > BENCH_LOW_WATER:
                    await asyncio.wait_for(self.bench_low.wait(), 60)
                continue
            n = min(chunk, nbytes - sent)
            data = bench_pattern(sent, n)
            if corrupt_at is not None and sent <= corrupt_at < sent + n:
                # test aid: one wrong byte, which the receiver must notice
                data = bytearray(data)
                data[corrupt_at - sent] ^= 0xFF
                data = bytes(data)
            ch.send(data)
            sent += n
        got = await asyncio.wait_for(self.bench_done,
                                     self.args.bench_timeout)
        secs = time.monotonic() - t0
        return {"event": "bench", "bytes": nbytes, "seconds": round(secs, 6),
                "mbps": round(nbytes * 8 / secs / 1e6, 3) if secs > 0 else 0,
                "chunk": chunk, "acked": got}

    async def churn_open(self, i, label_len):
        """Opens one channel with a label of @label_len bytes; returns it
        and whether the peer accepted it (it opened rather than closed)."""
        prefix = "%d-" % i
        label = prefix + "x" * max(0, label_len - len(prefix))
        ch = self.pc.createDataChannel(label)
        opened, closed = asyncio.Event(), asyncio.Event()
        ch.on("open", opened.set)
        ch.on("close", closed.set)
        ch.churn_closed = closed
        waits = [asyncio.ensure_future(opened.wait()),
                 asyncio.ensure_future(closed.wait())]
        await asyncio.wait(waits, timeout=60,
                           return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
        return ch, opened.is_set() and not closed.is_set()

    async def cmd_churn(self, count, label_len, batch):
        """Test aid (not in the contract): a peer opening and closing
        channels in a loop: @batch at once, "churn I" sent on each one
        accepted, then all closed. aiortc 1.4 reuses a stream id as soon
        as its own outgoing reset is acknowledged, before the peer's reset
        of the other direction (RFC 8831 section 6.7 wants both): an open
        can then be refused ("stream in use") or closed by that late reset
        (docs/internals/aiortc-stream-reuse.md). Those count as refused;
        "closed_early" counts channels that opened and closed before their
        message could be sent."""
        opened = refused = closed_early = 0
        try:
            for start in range(0, count, batch):
                res = await asyncio.gather(*[
                    self.churn_open(i, label_len)
                    for i in range(start, min(count, start + batch))])
                for i, (ch, ok) in enumerate(res):
                    if ok and ch.readyState == "open":
                        opened += 1
                        ch.send("churn %d" % (start + i))
                    elif ok:
                        closed_early += 1
                        refused += 1
                    else:
                        refused += 1
                for ch, ok in res:
                    if ok:
                        ch.close()
                await asyncio.wait_for(asyncio.gather(*[
                    ch.churn_closed.wait() for ch, _ in res]), 60)
            ev = {"event": "churn", "count": count, "opened": opened,
                  "refused": refused, "closed_early": closed_early}
        except Exception as exc:  # noqa: BLE001
            log.exception("churn")
            ev = {"event": "churn", "error": str(exc) or type(exc).__name__}
        if not self.ending:
            emit(ev)

    # ---- commands -----------------------------------------------------------

    async def on_command(self, line):
        try:
            cmd = json.loads(line)
        except ValueError:
            log.warning("not JSON: %r", line[:80])
            return
        if not isinstance(cmd, dict):
            return
        name = cmd.get("cmd")
        if name == "hangup":
            await self.finish("hangup", "local hangup", code=0, send_bye=True)
        elif name == "send":
            try:
                self.cmd_send(cmd)
            except Exception as exc:  # noqa: BLE001
                log.warning("send: %s", exc)
        elif name == "bench":
            try:
                nbytes = int(cmd.get("bytes", 16 * 1024 * 1024))
                chunk = int(cmd.get("chunk", 64 * 1024))
                # not in the contract: a test aid (one byte flipped)
                corrupt_at = cmd.get("corrupt_at")
                corrupt_at = None if corrupt_at is None else int(corrupt_at)
            except (TypeError, ValueError):
                log.warning("bench: bad bytes/chunk")
                return
            if nbytes < 0 or chunk <= 0 or chunk > 256 * 1024:
                log.warning("bench: bad bytes/chunk")
                return
            asyncio.ensure_future(self.cmd_bench(nbytes, chunk, corrupt_at))
        elif name == "churn":
            try:
                count = int(cmd.get("count", 300))
                label_len = int(cmd.get("label_len", 1000))
                batch = int(cmd.get("batch", 10))
            except (TypeError, ValueError):
                log.warning("churn: bad count/label_len/batch")
                return
            if count < 0 or not 0 <= label_len <= 65535 or batch < 1:
                log.warning("churn: bad count/label_len/batch")
                return
            asyncio.ensure_future(self.cmd_churn(count, label_len, batch))
        else:
            log.warning("unsupported cmd %r", name)

    def start_stdin_reader(self):
        loop = self.loop

        def reader():
            for line in sys.stdin:
                line = line.strip()
                if line:
                    loop.call_soon_threadsafe(
                        lambda l=line: asyncio.ensure_future(
                            self.on_command(l)))
            if not self.args.no_eof_hangup:
                loop.call_soon_threadsafe(
                    lambda: asyncio.ensure_future(self.finish(
                        "hangup", "end of input", code=0, send_bye=True)))

        threading.Thread(target=reader, daemon=True).start()

    # ---- main ---------------------------------------------------------------

    async def run(self):
        self.loop = asyncio.get_running_loop()
        self.finished = self.loop.create_future()
        try:
            self.ws = await asyncio.wait_for(
                websockets.connect(self.args.signal, max_size=1024 * 1024,
                                   open_timeout=None),
                self.args.connect_timeout)
        except Exception as exc:  # noqa: BLE001
            emit({"event": "ended", "reason": "error",
                  "detail": "signaling: %s" % exc})
            return 1
        emit({"event": "signaling", "state": "connected"})

        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc = self.pc
        pc.on("iceconnectionstatechange", self.on_ice_state)
        pc.on("connectionstatechange", self.on_conn_state)
        pc.on("datachannel", self.hook)
        if self.role == "call":
            self.hook(pc.createDataChannel("chat"))

        self.start_stdin_reader()
        ws_task = asyncio.ensure_future(self.ws_loop())

        async def watchdog():
            await asyncio.sleep(self.args.connect_timeout)
            if not self.any_open and not self.ending:
                await self.finish("error", "no channel open after %gs"
                                  % self.args.connect_timeout, code=1,
                                  send_bye=True)

        async def lifetime():
            await asyncio.sleep(self.args.max_seconds)
            await self.finish("hangup", "max-seconds reached", code=0,
                              send_bye=True)

        tasks = [ws_task, asyncio.ensure_future(watchdog())]
        if self.args.max_seconds > 0:
            tasks.append(asyncio.ensure_future(lifetime()))
        code = await self.finished
        for t in tasks:
            t.cancel()
        return code


def main():
    ap = argparse.ArgumentParser(
        description="aiortc reference peer (sealcall interop contract)")
    ap.add_argument("--role", choices=["call", "answer"], required=True)
    ap.add_argument("--signal", required=True,
                    help="ws://HOST:PORT/room/NAME")
    ap.add_argument("--json", action="store_true",
                    help="accepted for symmetry with sealcall (always on)")
    ap.add_argument("--ice-address", default=LOOPBACK,
                    help="only 127.0.0.1 is supported")
    ap.add_argument("--connect-timeout", type=float, default=30.0,
                    help="give up if no channel opens in this time (s)")
    ap.add_argument("--bench-timeout", type=float, default=300.0)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="hang up after this many seconds (0: never)")
    ap.add_argument("--trickle", action="store_true",
                    help="send our candidates as candidate messages after "
                    "the SDP instead of inside it (to test trickle)")
    ap.add_argument("--bye-grace", type=float, default=1.0,
                    help="after sending bye, wait up to this long (s) for the "
                    "peer to leave before closing the connection (0: no wait)")
    ap.add_argument("--no-eof-hangup", action="store_true",
                    help="keep running when stdin ends")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    args = ap.parse_args()
    if args.ice_address != LOOPBACK:
        ap.error("--ice-address: only 127.0.0.1 is supported")

    handler = logging.StreamHandler(sys.stderr)

    class _Mono(logging.Filter):
        def filter(self, record):
            record.mono = time.monotonic()  # same clock as sealcall's logs
            return True

    handler.addFilter(_Mono())
    handler.setFormatter(logging.Formatter(
        "%(mono).3f aiortc_peer[%(process)d] %(levelname)s %(name)s: "
        "%(message)s"))
    logging.basicConfig(
        handlers=[handler],
        level=[logging.WARNING, logging.INFO, logging.DEBUG][
            min(args.verbose, 2)])
    try:
        code = asyncio.run(Peer(args).run())
    except KeyboardInterrupt:
        emit({"event": "ended", "reason": "error", "detail": "interrupted"})
        code = 1
    except Exception as exc:  # noqa: BLE001
        logging.getLogger("aiortc_peer").exception("fatal")
        emit({"event": "ended", "reason": "error", "detail": str(exc)})
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
