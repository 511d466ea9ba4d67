/* sealcall web client, TEST DRIVER: for the browser interop suite
 * (tests/interop) and `make bench` only.
 *
 * Served only by `sealcall serve --test-hooks`, and only in the test page
 * /test.html (web/index.html with this script loaded before app.js); the page
 * a user opens at / never loads it.
 *
 * With report=NAME in the page's query, every event of the page (app.js's
 * "sealcall" events on window, received chat included) is sent as a JSON
 * object to the relay room NAME, and JSON commands arriving there are run
 * (send, bench, stats, tone, hangup; see runCommand()), and the page joins
 * its call at once, as if the user had pressed Join. The identity
 * parameters (idp, idp_hint, peer_identity; see below) configure the
 * page's RTCPeerConnection. That is remote
 * control of the page by whoever is in room NAME, which is why this file
 * must never be part of the user's page. */
'use strict';

(function () {
  const reportRoom = new URLSearchParams(location.search).get('report');
  if (!reportRoom)
    return;
  const wsBase = (location.protocol === 'https:' ? 'wss://' : 'ws://') +
      location.host + '/room/';
  const report = new WebSocket(wsBase + encodeURIComponent(reportRoom));
  const queue = [];

  function b64encode(buf) {
    const u8 = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000)
      s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  }

  function b64decode(s) {
    const bin = atob(s);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++)
      u8[i] = bin.charCodeAt(i);
    return u8;
  }

  function send(obj) {
    if (obj.binary instanceof ArrayBuffer)
      obj = Object.assign({}, obj, {binary: b64encode(obj.binary)});
    if (obj.t_epoch_ms === undefined)
      obj.t_epoch_ms = performance.timeOrigin + performance.now();
    const text = JSON.stringify(obj);
    if (report.readyState === WebSocket.OPEN)
      report.send(text);
    else
      queue.push(text);
  }

  function delay(msec) {
    return new Promise((resolve) => setTimeout(resolve, msec));
  }

  async function analyseTone(seconds) {
    /* Peak of the remote audio spectrum, averaged over @seconds. An
     * AudioContext only runs when the browser can open an audio output:
     * headless Firefox without a sound server stays "suspended" forever
     * (resume() never settles), so the wait has a deadline and the state is
     * reported (the interop suite gives Firefox a mock audio backend). */
    const remoteStream = window.sealcall.remoteStream();
    if (!remoteStream || remoteStream.getAudioTracks().length === 0) {
      send({event: 'tone', error: 'no remote audio track'});
      return;
    }
    const AC = window.AudioContext || window.webkitAudioContext;
    const ctx = new AC();
    if (ctx.state !== 'running')
      await Promise.race([ctx.resume().catch(() => {}), delay(5000)]);
    if (ctx.state !== 'running') {
      send({event: 'tone', error: 'the AudioContext stays ' + ctx.state +
            ' (no audio output device?)', audio_context: ctx.state});
      ctx.close().catch(() => {});
      return;
    }
    const src = ctx.createMediaStreamSource(new MediaStream(remoteStream.getAudioTracks()));
    const an = ctx.createAnalyser();
    an.fftSize = 8192;
    an.smoothingTimeConstant = 0;
    src.connect(an);
    const bins = new Float32Array(an.frequencyBinCount);
    const sum = new Float64Array(an.frequencyBinCount);
    let frames = 0;
    const until = performance.now() + seconds * 1000;
    await new Promise((resolve) => {
      const tick = () => {
        an.getFloatFrequencyData(bins);
        for (let i = 0; i < bins.length; i++)
          sum[i] += isFinite(bins[i]) ? Math.pow(10, bins[i] / 10) : 0;
        frames++;
        if (performance.now() >= until)
          resolve();
        else
          setTimeout(tick, 50);
      };
      setTimeout(tick, 50);
    });
    let peak = 1;
    let total = 0;
    for (let i = 1; i < sum.length; i++) {
      total += sum[i];
      if (sum[i] > sum[peak])
        peak = i;
    }
    const hz = peak * ctx.sampleRate / an.fftSize;
    send({event: 'tone', peak_hz: hz, peak_db: 10 * Math.log10(sum[peak] / frames + 1e-30),
          share: total > 0 ? sum[peak] / total : 0, frames: frames,
          sample_rate: ctx.sampleRate, audio_context: ctx.state});
    src.disconnect();
    ctx.close();
  }

  async function runCommand(c) {
    const page = window.sealcall;
    switch (c.cmd) {
    case 'send':
      if (c.binary !== undefined)
        page.send(c.label, b64decode(c.binary));
      else
        page.send(c.label, c.text !== undefined ? String(c.text) : '');
      break;
    case 'bench':
      page.bench(Number(c.bytes), Number(c.chunk || 65536));
      break;
    case 'stats':
      send({event: 'stats', stats: await page.stats()});
      break;
    case 'tone':
      await analyseTone(Number(c.seconds || 2));
      break;
    case 'hangup':
      page.hangup();
      break;
    default:
      send({event: 'error', where: 'command', detail: 'unknown command ' + c.cmd});
    }
  }

  /* Identity (issue 14 point 10), test page only: with idp=DOMAIN[:PORT]
   * the page's RTCPeerConnection asserts the browser's identity with that
   * IdP (setIdentityProvider, protocol "default", usernameHint idp_hint),
   * with peer_identity=USER@DOMAIN its RTCConfiguration.peerIdentity
   * requires that peer; with either, or identity=1, the outcome of
   * pc.peerIdentity is reported as a peer-identity event. The page a user
   * opens has none of this: app.js makes a plain RTCPeerConnection, which
   * this wrapper, loaded before app.js, hands to it configured. */
  const idParams = new URLSearchParams(location.search);
  const idp = idParams.get('idp');
  const idpHint = idParams.get('idp_hint');
  const peerIdentity = idParams.get('peer_identity');
  if (idp || peerIdentity || idParams.get('identity') === '1') {
    const NativePC = window.RTCPeerConnection;
    const IdentityPC = function (config) {
      const c = Object.assign({}, config || {});
      if (peerIdentity)
        c.peerIdentity = peerIdentity;
      const pc = new NativePC(c);
      if (idp) {
        const opts = {protocol: 'default'};
        if (idpHint)
          opts.usernameHint = idpHint;
        pc.setIdentityProvider(idp, opts);
      }
      pc.peerIdentity.then(
          (id) => send({event: 'peer-identity', ok: true, name: id.name, idp: id.idp}),
          (err) => send({event: 'peer-identity', ok: false,
                         error: (err && err.name) ? err.name + ': ' + err.message : String(err)}));
      return pc;
    };
    IdentityPC.prototype = NativePC.prototype;
    window.RTCPeerConnection = IdentityPC;
  }

  window.addEventListener('sealcall', (e) => send(e.detail));
  /* the harness plays the user who presses Join as soon as the page is up
   * (app.js has run by the load event) */
  window.addEventListener('load', () => window.sealcall.join());
  report.onopen = () => {
    while (queue.length > 0)
      report.send(queue.shift());
  };
  report.onmessage = (ev) => {
    let c;
    try {
      c = JSON.parse(ev.data);
    } catch (err) {
      return;
    }
    if (c && typeof c.cmd === 'string') {
      runCommand(c).catch((err) => send({
        event: 'error', where: 'command ' + c.cmd,
        detail: (err && err.name) ? err.name + ': ' + err.message : String(err)}));
    }
  };
})();
