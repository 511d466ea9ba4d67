/* sealcall web client: a browser peer for sealcall through `sealcall serve`.
 *
 * Signaling: interop contract section 1 (ws(s)://<this host>/room/<room>).
 * Data-channel benchmark: contract section 2 (label "bench"), both roles.
 *
 * Query parameters (the only inputs a link controls; none of them can make
 * the page talk to another room or host, or run commands):
 *   room=NAME        relay room (default "demo")
 *   role=call|answer call sends the offer when the room has two participants
 *                    (default answer)
 *   audio=0 video=0  no microphone / camera (getUserMedia)
 *   ice=ADDR         signal only the local candidates whose address is ADDR
 *   ice=turn:USER:PASS@HOST[:PORT][?transport=udp|tcp] (or turns:)
 *                    a TURN server (at most 4), sealcall's --turn form,
 *                    percent-encoded as a whole in the link
 *   ice=relay        relay candidates only (iceTransportPolicy "relay",
 *                    sealcall's --relay-only); needs a TURN server
 *   (ice may be given several times; a value that is none of these, or a
 *   malformed TURN URL, is ignored and said so on the page)
 *
 * Opening the page joins its room (the other participant sees it arrive),
 * but nothing else happens until the user presses Join: no camera or
 * microphone, no offer, no answer (an offer that arrives earlier waits), so
 * a link alone never starts a call or sends media.
 *
 * This page reports nothing to anyone and takes no commands. For other
 * scripts of this origin (only the test driver web/test-hooks.js, served by
 * `sealcall serve --test-hooks` alone, in its own page /test.html) it
 * dispatches each event as a "sealcall" CustomEvent on window and offers
 * window.sealcall (join, send, bench, stats, hangup, remoteStream).
 *
 * Plain JS, no framework, no external resources. */
'use strict';

const params = new URLSearchParams(location.search);
const room = params.get('room') || 'demo';
const role = params.get('role') === 'call' ? 'call' : 'answer';
const wantAudio = params.get('audio') !== '0';
const wantVideo = params.get('video') !== '0';

const wsBase = (location.protocol === 'https:' ? 'wss://' : 'ws://') +
    location.host + '/room/';
const $ = (id) => document.getElementById(id);

const BENCH_LABEL = 'bench';
const BENCH_HIGH = 4 * 1024 * 1024;
const BENCH_LOW = 1024 * 1024;

let pc = null;
let sig = null;
let localStream = null;
let remoteStream = null;
let offered = false;
let ended = false;
let joining = false;            /* the user pressed Join */
let joined = false;             /* ... and the media are ready */
let peerPresent = false;        /* the room has the other participant */
let pendingOffer = null;        /* an offer that came before Join */
const pendingCandidates = [];   /* remote candidates before the remote SDP */
const MAX_PENDING_CANDIDATES = 100;
const channels = new Map();     /* label -> RTCDataChannel */
const candStats = {signalled: 0, dropped: 0, addresses: []};
let benchTx = null;
let benchRx = null;
const t0 = performance.now();

/* ---------- the ice parameters (a link is hostile input) ---------- */

const MAX_TURN_SERVERS = 4;
const MAX_ICE_PARAMS = 8;
const MAX_CREDENTIAL = 256;
/* RFC 7065 with sealcall's USER:PASS@: USER and PASS RFC 3986 userinfo
 * characters (percent-encoded as needed; no raw ':' in USER, no '@');
 * HOST an IPv4 address, a bracketed IPv6 address or a DNS name. */
const TURN_RE = new RegExp(
  '^(turns?):' +
  "([A-Za-z0-9._~!$&'()*+,;=%-]+):([A-Za-z0-9._~!$&'()*+,;=%:-]+)@" +
  '(\\[[0-9A-Fa-f:.]+\\]|[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|' +
  '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?' +
  '(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*)' +
  '(?::([0-9]{1,5}))?(?:\\?transport=(udp|tcp))?$');
const ADDR_RE = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]{2,45})$/;

function decodeCredential(s) {
  let v;
  try {
    v = decodeURIComponent(s);
  } catch (e) {
    return null;
  }
  /* no control characters; bounded */
  return v.length > 0 && v.length <= MAX_CREDENTIAL && !/[\x00-\x1f\x7f]/.test(v)
    ? v : null;
}

/* {address, servers: [RTCIceServer], relay, ignored: [reason]} */
function parseIce(values) {
  const out = {address: null, servers: [], relay: false, ignored: []};
  values.slice(0, MAX_ICE_PARAMS).forEach((v, i) => {
    const n = 'ice parameter ' + (i + 1);
    if (v === 'relay') {
      out.relay = true;
      return;
    }
    if (/^turns?:/i.test(v)) {
      const m = v.length <= 1024 ? TURN_RE.exec(v) : null;
      const port = m && m[5] !== undefined ? Number(m[5]) : (m && m[1] === 'turns' ? 5349 : 3478);
      const user = m ? decodeCredential(m[2]) : null;
      const pass = m ? decodeCredential(m[3]) : null;
      /* never show the credentials: only what follows the '@' */
      const where = v.slice(v.lastIndexOf('@') + 1).slice(0, 80);
      if (!m || user === null || pass === null || port < 1 || port > 65535) {
        out.ignored.push(n + ': not turn:USER:PASS@HOST[:PORT][?transport=udp|tcp] (' +
                         (v.indexOf('@') >= 0 ? where : 'no @') + ')');
        return;
      }
      if (m[1] === 'turns' && m[6] === 'udp') {
        out.ignored.push(n + ': turns: over UDP is not supported (' + where + ')');
        return;
      }
      if (out.servers.length >= MAX_TURN_SERVERS) {
        out.ignored.push(n + ': more than ' + MAX_TURN_SERVERS + ' TURN servers');
        return;
      }
      out.servers.push({urls: m[1] + ':' + m[4] + ':' + port +
                              (m[6] ? '?transport=' + m[6] : ''),
                        username: user, credential: pass});
      return;
    }
    if (ADDR_RE.test(v) && out.address === null) {
      out.address = v;
      return;
    }
    out.ignored.push(n + ': not an address, a TURN URL or "relay"');
  });
  if (values.length > MAX_ICE_PARAMS)
    out.ignored.push('ice parameters beyond ' + MAX_ICE_PARAMS);
  if (out.relay && out.servers.length === 0) {
    out.ignored.push('ice=relay without a TURN server');
    out.relay = false;
  }
  return out;
}

const ice = parseIce(params.getAll('ice'));
const iceFilter = ice.address;

/* ---------- events (in this page only) ---------- */

function ms() {
  return Math.round(performance.now() - t0);
}

function emit(obj) {
  obj.t_ms = ms();
  /* wall clock (ms since the epoch), comparable with other processes' */
  obj.t_epoch_ms = performance.timeOrigin + performance.now();
  window.dispatchEvent(new CustomEvent('sealcall', {detail: obj}));
}

function log(line, cls) {
  const div = document.createElement('div');
  div.textContent = line;
  if (cls)
    div.className = cls;
  $('log').appendChild(div);
  $('log').scrollTop = $('log').scrollHeight;
}

function setState(text) {
  $('state').textContent = text;
}

function fail(where, err) {
  const detail = (err && (err.message || err.name)) ? (err.name + ': ' + err.message) : String(err);
  log('error (' + where + '): ' + detail, 'bad');
  emit({event: 'error', where: where, detail: detail});
}

window.addEventListener('error', (e) => {
  emit({event: 'error', where: 'window', detail: String(e.message) + ' at ' + e.filename + ':' + e.lineno});
});
window.addEventListener('unhandledrejection', (e) => {
  emit({event: 'error', where: 'promise', detail: String(e.reason)});
});

/* ---------- signaling ---------- */

function sendSig(obj) {
  if (sig && sig.readyState === WebSocket.OPEN)
    sig.send(JSON.stringify(obj));
}

function candidateAddress(cand) {
  /* candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE ... */
  const f = cand.replace(/^a=/, '').split(/\s+/);
  return f.length > 5 ? f[4] : '';
}

function onLocalCandidate(e) {
  if (!e.candidate || !e.candidate.candidate) {
    /* null (and Firefox's empty candidate): end of candidates, sent once */
    if (!e.candidate) {
      sendSig({type: 'candidate', candidate: '', sdpMid: '0', sdpMLineIndex: 0});
      emit({event: 'candidates', state: 'complete', signalled: candStats.signalled,
            dropped: candStats.dropped, addresses: candStats.addresses});
    }
    return;
  }
  const c = e.candidate;
  const addr = candidateAddress(c.candidate);
  if (iceFilter && addr !== iceFilter) {
    candStats.dropped++;
    return;
  }
  candStats.signalled++;
  if (candStats.addresses.indexOf(addr) < 0)
    candStats.addresses.push(addr);
  sendSig({type: 'candidate', candidate: c.candidate,
           sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex});
}

async function addRemoteCandidate(m) {
  const init = {candidate: m.candidate || '',
                sdpMid: m.sdpMid != null ? String(m.sdpMid) : '0',
                sdpMLineIndex: m.sdpMLineIndex != null ? m.sdpMLineIndex : 0};
  if (!pc.remoteDescription) {
    if (pendingCandidates.length < MAX_PENDING_CANDIDATES)
      pendingCandidates.push(init);
    return;
  }
  try {
    await pc.addIceCandidate(init);
    emit({event: 'remote-candidate', candidate: init.candidate});
  } catch (err) {
    fail('addIceCandidate ' + JSON.stringify(init.candidate), err);
  }
}

async function flushCandidates() {
  while (pendingCandidates.length > 0) {
    const init = pendingCandidates.shift();
    try {
      await pc.addIceCandidate(init);
      emit({event: 'remote-candidate', candidate: init.candidate, queued: true});
    } catch (err) {
      fail('addIceCandidate ' + JSON.stringify(init.candidate), err);
    }
  }
}

async function makeOffer() {
  if (offered)
    return;
  offered = true;
  try {
    await pc.setLocalDescription(await pc.createOffer());
    sendSig({type: 'offer', sdp: pc.localDescription.sdp});
    emit({event: 'sdp', type: 'offer', direction: 'local', sdp: pc.localDescription.sdp});
  } catch (err) {
    fail('offer', err);
  }
}

async function onRemoteOffer(sdp) {
  emit({event: 'sdp', type: 'offer', direction: 'remote', sdp: sdp});
  try {
    await pc.setRemoteDescription({type: 'offer', sdp: sdp});
    attachLocalTracksToTransceivers();
    await flushCandidates();
    await pc.setLocalDescription(await pc.createAnswer());
    sendSig({type: 'answer', sdp: pc.localDescription.sdp});
    emit({event: 'sdp', type: 'answer', direction: 'local', sdp: pc.localDescription.sdp});
  } catch (err) {
    fail('answer', err);
  }
}

async function onRemoteAnswer(sdp) {
  emit({event: 'sdp', type: 'answer', direction: 'remote', sdp: sdp});
  try {
    await pc.setRemoteDescription({type: 'answer', sdp: sdp});
    await flushCandidates();
  } catch (err) {
    fail('setRemoteDescription(answer)', err);
  }
}

/* The a=fingerprint lines of two descriptions, the same set? */
function sameFingerprints(a, b) {
  const fps = (sdp) => [...new Set((sdp.match(/^a=fingerprint:.*$/gm) || [])
      .map((l) => l.trim().toLowerCase()))].sort().join('\n');
  return fps(a) !== '' && fps(a) === fps(b);
}

function onSigMessage(ev) {
  let m;
  try {
    m = JSON.parse(ev.data);
  } catch (err) {
    return;
  }
  switch (m.type) {
  case 'room':
    peerPresent = m.peers === 1;
    setState(m.peers ? 'peer present' : 'waiting for the peer');
    if (peerPresent && joined && role === 'call')
      makeOffer();
    break;
  case 'peer-joined':
    peerPresent = true;
    setState('peer joined');
    if (joined && role === 'call')
      makeOffer();
    break;
  case 'peer-left':
    peerPresent = false;
    pendingOffer = null;   /* nobody left to answer */
    setState('peer left');
    emit({event: 'signaling', state: 'peer-left'});
    break;
  case 'offer':
    if (typeof m.sdp !== 'string')
      break;
    if (role !== 'answer') {
      /* the callee's ICE restart (sealcall restarts ICE from either
       * side): answered once the first exchange is done, and only with
       * the callee's certificate fingerprints unchanged (whoever holds
       * the seat in the room cannot swap the DTLS peer); while an offer
       * of ours waits for its answer, ours wins the glare */
      if (pc && pc.remoteDescription && pc.signalingState === 'stable' &&
          sameFingerprints(m.sdp, pc.remoteDescription.sdp))
        onRemoteOffer(m.sdp);
      break;
    }
    if (joined) {
      onRemoteOffer(m.sdp);
    } else {
      pendingOffer = m.sdp;
      setState('the peer is calling: press Join to answer');
    }
    break;
  case 'answer':
    if (role === 'call')
      onRemoteAnswer(m.sdp);
    break;
  case 'candidate':
    addRemoteCandidate(m);
    break;
  case 'bye':
    log('peer hung up' + (m.reason ? ': ' + m.reason : ''));
    end('bye', m.reason || '');
    break;
  default:
    break;
  }
}

function connectSignaling() {
  sig = new WebSocket(wsBase + encodeURIComponent(room));
  sig.onopen = () => emit({event: 'signaling', state: 'connected'});
  sig.onmessage = onSigMessage;
  sig.onclose = (e) => {
    emit({event: 'signaling', state: 'closed', code: e.code});
    if (!ended)
      setState('signaling closed (' + e.code + ')');
  };
}

/* ---------- data channels ---------- */

function setupChannel(dc) {
  dc.binaryType = 'arraybuffer';
  channels.set(dc.label, dc);
  dc.addEventListener('open', () => {
    emit({event: 'channel', state: 'open', label: dc.label, id: dc.id,
          ordered: dc.ordered, protocol: dc.protocol});
    if (dc.label === 'chat')
      log('* chat open');
    if (benchTx && benchTx.dc === dc)
      benchPump();
  });
  dc.addEventListener('close', () => {
    emit({event: 'channel', state: 'closed', label: dc.label, id: dc.id});
    if (channels.get(dc.label) === dc)
      channels.delete(dc.label);
  });
  dc.addEventListener('error', (e) => {
    fail('channel ' + dc.label, e.error || e);
  });
  dc.addEventListener('message', (e) => onChannelMessage(dc, e.data));
}

function getChannel(label) {
  let dc = channels.get(label);
  if (dc && (dc.readyState === 'open' || dc.readyState === 'connecting'))
    return dc;
  dc = pc.createDataChannel(label, {ordered: true});
  setupChannel(dc);
  return dc;
}

function sendOn(label, data) {
  const dc = getChannel(label);
  if (dc.readyState === 'open') {
    dc.send(data);
  } else {
    dc.addEventListener('open', () => dc.send(data), {once: true});
  }
}

function onChannelMessage(dc, data) {
  if (dc.label === BENCH_LABEL) {
    benchReceive(dc, data);
    return;
  }
  if (typeof data === 'string') {
    if (dc.label === 'chat')
      log('peer: ' + data);
    emit({event: 'message', label: dc.label, text: data});
  } else {
    emit({event: 'message', label: dc.label, binary: data});   /* ArrayBuffer */
  }
}

/* ---------- bench (contract section 2) ---------- */

function benchReceive(dc, data) {
  if (typeof data === 'string') {
    let f = data.split(' ');
    if (f[0] === 'start' && f.length === 3) {
      benchRx = {expected: Number(f[1]), chunk: Number(f[2]), received: 0,
                 patternOk: true, t0: performance.now()};
      emit({event: 'bench', role: 'receiver', state: 'started', bytes: benchRx.expected});
      if (benchRx.expected === 0)
        benchDone(dc);
    } else if (f[0] === 'done' && f.length === 2 && benchTx && benchTx.dc === dc) {
      const secs = (performance.now() - benchTx.t0) / 1000;
      const got = Number(f[1]);
      emit({event: 'bench', role: 'sender', state: 'done', bytes: got, chunk: benchTx.chunk,
            seconds: secs, mbps: secs > 0 ? got * 8 / secs / 1e6 : 0});
      log('* bench: ' + got + ' bytes in ' + secs.toFixed(2) + ' s = ' +
          (got * 8 / secs / 1e6).toFixed(1) + ' Mbit/s');
      benchTx = null;
    }
    return;
  }
  if (!benchRx)
    return;
  const u8 = new Uint8Array(data);
  if (benchRx.patternOk) {
    let v = benchRx.received % 251;
    for (let i = 0; i < u8.length; i++) {
      if (u8[i] !== v) {
        benchRx.patternOk = false;
        break;
      }
      v = v === 250 ? 0 : v + 1;
    }
  }
  benchRx.received += u8.length;
  if (benchRx.received >= benchRx.expected)
    benchDone(dc);
}

function benchDone(dc) {
  const secs = (performance.now() - benchRx.t0) / 1000;
  dc.send('done ' + benchRx.received);
  emit({event: 'bench', role: 'receiver', state: 'done', bytes: benchRx.received, seconds: secs,
        mbps: secs > 0 ? benchRx.received * 8 / secs / 1e6 : 0,
        pattern: benchRx.patternOk ? 'ok' : 'mismatch'});
  log('* bench received ' + benchRx.received + ' bytes');
  benchRx = null;
}

function benchStart(bytes, chunk) {
  if (benchTx) {
    fail('bench', new Error('a bench is already running'));
    return;
  }
  const dc = getChannel(BENCH_LABEL);
  const pattern = new Uint8Array(chunk + 251);
  for (let i = 0; i < pattern.length; i++)
    pattern[i] = i % 251;
  benchTx = {dc: dc, bytes: bytes, chunk: chunk, sent: 0, started: false,
             pattern: pattern, t0: 0};
  dc.bufferedAmountLowThreshold = BENCH_LOW;
  dc.onbufferedamountlow = benchPump;
  if (dc.readyState === 'open')
    benchPump();
}

function benchPump() {
  const b = benchTx;
  if (!b || b.dc.readyState !== 'open')
    return;
  try {
    if (!b.started) {
      b.started = true;
      b.t0 = performance.now();
      b.dc.send('start ' + b.bytes + ' ' + b.chunk);
    }
    while (b.sent < b.bytes && b.dc.bufferedAmount < BENCH_HIGH) {
      const n = Math.min(b.chunk, b.bytes - b.sent);
      const off = b.sent % 251;
      b.dc.send(b.pattern.subarray(off, off + n));
      b.sent += n;
    }
  } catch (err) {
    fail('bench send', err);
    benchTx = null;
  }
}

/* ---------- media ---------- */

function attachLocalTracksToTransceivers() {
  /* Answerer: reuse the transceivers the offer created, so the answer has
   * exactly the offer's m-lines. */
  if (!localStream)
    return;
  for (const track of localStream.getTracks()) {
    const t = pc.getTransceivers().find((x) =>
        !x.stopped && x.receiver.track && x.receiver.track.kind === track.kind &&
        !x.sender.track);
    if (t) {
      t.sender.replaceTrack(track);
      t.direction = 'sendrecv';
    }
  }
}

async function startMedia() {
  if (!wantAudio && !wantVideo)
    return;
  try {
    localStream = await navigator.mediaDevices.getUserMedia({audio: wantAudio, video: wantVideo});
    $('local').srcObject = localStream;
    emit({event: 'local-media', tracks: localStream.getTracks().map((t) => t.kind)});
  } catch (err) {
    fail('getUserMedia', err);
  }
}

/* ---------- stats ---------- */

async function collectStats() {
  const out = {transports: [], certificates: {}, pairs: {}, candidates: {},
               inbound: [], outbound: [], data: []};
  const st = await pc.getStats();
  st.forEach((s) => {
    switch (s.type) {
    case 'transport':
      out.transports.push({id: s.id, dtlsState: s.dtlsState, tlsVersion: s.tlsVersion,
                           dtlsCipher: s.dtlsCipher, srtpCipher: s.srtpCipher,
                           dtlsRole: s.dtlsRole, iceRole: s.iceRole,
                           iceState: s.iceState,
                           selectedCandidatePairId: s.selectedCandidatePairId,
                           localCertificateId: s.localCertificateId,
                           remoteCertificateId: s.remoteCertificateId});
      break;
    case 'certificate':
      out.certificates[s.id] = {fingerprint: s.fingerprint,
                                fingerprintAlgorithm: s.fingerprintAlgorithm};
      break;
    case 'candidate-pair':
      out.pairs[s.id] = {state: s.state, nominated: s.nominated, selected: s.selected,
                         localCandidateId: s.localCandidateId,
                         remoteCandidateId: s.remoteCandidateId,
                         currentRoundTripTime: s.currentRoundTripTime,
                         bytesSent: s.bytesSent, bytesReceived: s.bytesReceived};
      break;
    case 'local-candidate':
    case 'remote-candidate':
      out.candidates[s.id] = {type: s.type, candidateType: s.candidateType,
                              address: s.address || s.ip, port: s.port,
                              protocol: s.protocol};
      break;
    case 'inbound-rtp':
      out.inbound.push({kind: s.kind || s.mediaType, packetsReceived: s.packetsReceived,
                        bytesReceived: s.bytesReceived, framesDecoded: s.framesDecoded,
                        packetsLost: s.packetsLost, codecId: s.codecId,
                        totalSamplesReceived: s.totalSamplesReceived,
                        audioLevel: s.audioLevel, framesReceived: s.framesReceived,
                        framesDropped: s.framesDropped, keyFramesDecoded: s.keyFramesDecoded,
                        frameWidth: s.frameWidth, frameHeight: s.frameHeight,
                        framesPerSecond: s.framesPerSecond, pliCount: s.pliCount,
                        firCount: s.firCount, nackCount: s.nackCount, jitter: s.jitter});
      break;
    case 'outbound-rtp':
      out.outbound.push({kind: s.kind || s.mediaType, packetsSent: s.packetsSent,
                         bytesSent: s.bytesSent, framesEncoded: s.framesEncoded,
                         frameWidth: s.frameWidth, frameHeight: s.frameHeight,
                         pliCount: s.pliCount, nackCount: s.nackCount});
      break;
    case 'data-channel':
      out.data.push({label: s.label, state: s.state, messagesSent: s.messagesSent,
                     messagesReceived: s.messagesReceived});
      break;
    default:
      break;
    }
  });
  /* The selected pair: from the transport, else the pair marked selected
   * (Firefox), else the nominated succeeded one. */
  let selId = out.transports.length ? out.transports[0].selectedCandidatePairId : null;
  if (!selId) {
    for (const id in out.pairs) {
      const p = out.pairs[id];
      if (p.selected || (p.nominated && p.state === 'succeeded' && !selId))
        selId = id;
    }
  }
  const sel = selId ? out.pairs[selId] : null;
  out.selected = sel ? {local: out.candidates[sel.localCandidateId] || null,
                        remote: out.candidates[sel.remoteCandidateId] || null,
                        id: selId} : null;
  const t = out.transports[0];
  if (t && t.localCertificateId && out.certificates[t.localCertificateId])
    out.localCertificate = out.certificates[t.localCertificateId];
  if (t && t.remoteCertificateId && out.certificates[t.remoteCertificateId])
    out.remoteCertificate = out.certificates[t.remoteCertificateId];
  /* The fingerprints of the descriptions, for browsers without
   * certificate stats. */
  const fp = (sdp) => {
    const m = sdp ? /a=fingerprint:(\S+) (\S+)/.exec(sdp) : null;
    return m ? m[1] + ' ' + m[2] : null;
  };
  out.sdpLocalFingerprint = fp(pc.localDescription && pc.localDescription.sdp);
  out.sdpRemoteFingerprint = fp(pc.remoteDescription && pc.remoteDescription.sdp);
  out.connectionState = pc.connectionState;
  out.iceConnectionState = pc.iceConnectionState;
  out.sctp = pc.sctp ? {maxMessageSize: pc.sctp.maxMessageSize, state: pc.sctp.state,
                        dtlsState: pc.sctp.transport ? pc.sctp.transport.state : null}
                     : null;
  return out;
}

async function showSecurity() {
  if (!pc || ended)
    return;
  try {
    const s = await collectStats();
    const t = s.transports[0] || {};
    const lines = [
      'connection: ' + s.connectionState + ' (ICE ' + s.iceConnectionState + ')',
      'DTLS: ' + (t.dtlsState || '?') + ', version ' + (t.tlsVersion || '?') +
          (t.tlsVersion === 'FEFD' ? ' (DTLS 1.2)' : t.tlsVersion === 'FEFC' ? ' (DTLS 1.3)' : ''),
      'cipher: ' + (t.dtlsCipher || '?'),
      'SRTP: ' + (t.srtpCipher || '(no media)'),
      'local fingerprint:  ' + (s.localCertificate ? s.localCertificate.fingerprintAlgorithm + ' ' +
          s.localCertificate.fingerprint : s.sdpLocalFingerprint),
      'remote fingerprint: ' + (s.remoteCertificate ? s.remoteCertificate.fingerprintAlgorithm + ' ' +
          s.remoteCertificate.fingerprint : s.sdpRemoteFingerprint),
    ];
    if (s.selected && s.selected.local && s.selected.remote)
      lines.push('pair: ' + s.selected.local.candidateType + ' ' + s.selected.local.address +
                 ' <-> ' + s.selected.remote.candidateType + ' ' + s.selected.remote.address);
    $('security').textContent = lines.join('\n');
  } catch (err) {
    $('security').textContent = 'getStats failed: ' + err;
  }
}

/* ---------- call ---------- */

function end(reason, detail) {
  if (ended)
    return;
  ended = true;
  setState('ended: ' + reason);
  emit({event: 'ended', reason: reason, detail: detail});
  if (pc)
    pc.close();
  if (localStream)
    localStream.getTracks().forEach((t) => t.stop());
  if (sig)
    sig.close();
}

async function main() {
  $('room').textContent = room;
  $('role').textContent = role;
  emit({event: 'page', state: 'loaded', role: role, room: room,
        user_agent: navigator.userAgent,
        turn_servers: ice.servers.map((s) => s.urls),
        relay_only: ice.relay, ice_ignored: ice.ignored});
  /* what the link configured, before Join: the user sees which TURN
   * servers will learn their address (never the credentials) */
  ice.servers.forEach((s) => log('TURN server from the link: ' + s.urls));
  if (ice.relay)
    log('relay only: the peer learns only the TURN server\'s address');
  ice.ignored.forEach((r) => log('ignored ' + r, 'bad'));

  pc = new RTCPeerConnection({iceServers: ice.servers,
                              iceTransportPolicy: ice.relay ? 'relay' : 'all'});
  pc.onicecandidate = onLocalCandidate;
  pc.oniceconnectionstatechange = () =>
    emit({event: 'ice', state: pc.iceConnectionState});
  pc.onicegatheringstatechange = () =>
    emit({event: 'gathering', state: pc.iceGatheringState});
  pc.onconnectionstatechange = () => {
    setState(pc.connectionState);
    emit({event: 'connection', state: pc.connectionState});
    if (pc.connectionState === 'connected')
      showSecurity();
  };
  pc.ondatachannel = (e) => setupChannel(e.channel);
  pc.ontrack = (e) => {
    if (!remoteStream) {
      remoteStream = new MediaStream();
      $('remote').srcObject = remoteStream;
    }
    remoteStream.addTrack(e.track);
    emit({event: 'track', kind: e.track.kind, mid: e.transceiver ? e.transceiver.mid : null});
  };

  connectSignaling();
  setInterval(showSecurity, 2000);

  $('join').addEventListener('click', join);
  $('join').disabled = false;
  $('chat').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value;
    if (text === '' || !joined)
      return;
    sendOn('chat', text);
    log('me: ' + text);
    $('text').value = '';
  });
  $('hangup').addEventListener('click', hangup);
}

/* The user's go-ahead: media, then the offer (role call, once the peer is
 * there) or the answer to the offer that is waiting (role answer). */
async function join() {
  if (joining || ended || !pc)
    return;
  joining = true;
  $('join').disabled = true;
  emit({event: 'join'});
  await startMedia();
  if (ended)
    return;
  joined = true;   /* offers that arrive from now on are answered at once */
  if (role === 'call') {
    if (localStream)
      localStream.getTracks().forEach((t) => pc.addTrack(t, localStream));
    /* like sealcall: the caller opens "chat" before making the offer */
    setupChannel(pc.createDataChannel('chat', {ordered: true}));
    if (peerPresent)
      makeOffer();
  } else if (pendingOffer !== null) {
    const sdp = pendingOffer;
    pendingOffer = null;
    onRemoteOffer(sdp);
  }
}

function hangup() {
  sendSig({type: 'bye', reason: 'hangup'});
  end('hangup', '');
}

/* For scripts of this origin in the same page (see the header). */
window.sealcall = Object.freeze({
  join: join,
  send: (label, data) => sendOn(label || 'chat', data),  /* string or bytes */
  bench: (bytes, chunk) => benchStart(bytes, chunk),
  stats: () => collectStats(),
  hangup: hangup,
  remoteStream: () => remoteStream,
});

main().catch((err) => fail('main', err));
