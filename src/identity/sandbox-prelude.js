/* src/identity/sandbox-prelude.js - the IdP sandbox's global scope, run
 * in a fresh JavaScriptCore context before the IdP's script. It is a
 * function expression: sandbox-main.c calls it with its native functions
 * (never visible to the IdP script) and keeps the object it returns.
 * It offers what a Firefox IdP sandbox offers and nothing of ours:
 * rtcIdentityProvider.register(), fetch() and XMLHttpRequest (the parent
 * process fetches, from the IdP's own origin only), setTimeout,
 * setInterval, clearTimeout, clearInterval, atob, btoa, TextEncoder,
 * TextDecoder, location; and for proxies written to the older message
 * protocol (draft-ietf-rtcweb-security-arch-10 §5.6.5), postMessage and
 * addEventListener('message') / onmessage.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
(function (sc) {
  'use strict';
  const g = globalThis;
  const MAX_TIMERS = 1000;
  /* no WebAssembly: the engine runs without JIT and an IdP proxy has no
   * use for it (useWebAssembly=false leaves the global in place) */
  delete g.WebAssembly;
  const def = (name, value) => Object.defineProperty(g, name, {
    value: value, writable: true, configurable: true, enumerable: false });

  /* ---- location: the proxy script's final URL ---- */
  const locFields = JSON.parse(sc.location);
  const location = Object.freeze(Object.assign(Object.create(null), locFields, {
    toString() { return locFields.href; } }));
  def('location', location);

  /* ---- timers (a string callback is not evaluated) ---- */
  const timers = new Map();
  let nextTimer = 1;
  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function')
      throw new TypeError('timer callback must be a function');
    if (timers.size >= MAX_TIMERS)
      throw new RangeError('too many timers');
    let delay = Number(ms);
    if (!(delay > 0)) delay = 0;
    if (delay > 2147483647) delay = 2147483647;
    const id = nextTimer++;
    timers.set(id, { fn: fn, args: args, repeat: repeat });
    sc.setTimer(id, Math.floor(delay), repeat);
    return id;
  }
  function clearTimer(id) {
    id = Number(id);
    if (timers.delete(id)) sc.clearTimer(id);
  }
  def('setTimeout', (fn, ms, ...args) => addTimer(fn, ms, args, false));
  def('setInterval', (fn, ms, ...args) => addTimer(fn, ms, args, true));
  def('clearTimeout', clearTimer);
  def('clearInterval', clearTimer);

  /* ---- atob / btoa (HTML: forgiving base64 of Latin-1 strings) ---- */
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  def('btoa', function btoa(input) {
    const s = String(input);
    let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255)
        throw new Error('InvalidCharacterError: btoa takes Latin-1 only');
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[n >> 18] + B64[(n >> 12) & 63] +
        (i + 1 < s.length ? B64[(n >> 6) & 63] : '=') +
        (i + 2 < s.length ? B64[n & 63] : '=');
    }
    return out;
  });
  def('atob', function atob(input) {
    let s = String(input).replace(/[\t\n\f\r ]/g, '');
    if (s.length % 4 === 0) s = s.replace(/==?$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s))
      throw new Error('InvalidCharacterError: not base64');
    let out = '', bits = 0, acc = 0;
    for (let i = 0; i < s.length; i++) {
      acc = (acc << 6) | B64.indexOf(s[i]);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((acc >> bits) & 255);
      }
    }
    return out;
  });

  /* ---- TextEncoder / TextDecoder (UTF-8 only, as on the Web) ---- */
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input) {
      const s = input === undefined ? '' : String(input);
      const bytes = [];
      for (let i = 0; i < s.length; i++) {
        let c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
          }
        }
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        if (c < 0x80) bytes.push(c);
        else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000)
          bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else
          bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63),
                     0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(bytes);
    }
  }
  class TextDecoder {
    constructor(label) {
      const l = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
      if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8')
        throw new RangeError('TextDecoder: only utf-8');
    }
    get encoding() { return 'utf-8'; }
    decode(input) {
      if (input === undefined) return '';
      const b = ArrayBuffer.isView(input)
        ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : new Uint8Array(input);
      let out = '';
      for (let i = 0; i < b.length;) {
        const c = b[i];
        let n = 0, cp = 0xfffd, min = 0;
        if (c < 0x80) { cp = c; n = 1; }
        else if (c >= 0xc2 && c < 0xe0) { n = 2; cp = c & 31; min = 0x80; }
        else if (c >= 0xe0 && c < 0xf0) { n = 3; cp = c & 15; min = 0x800; }
        else if (c >= 0xf0 && c < 0xf5) { n = 4; cp = c & 7; min = 0x10000; }
        let ok = n > 0 && i + n <= b.length;
        for (let k = 1; ok && k < n; k++) {
          if ((b[i + k] & 0xc0) !== 0x80) ok = false;
          else cp = (cp << 6) | (b[i + k] & 63);
        }
        if (ok && n > 1 && (cp < min || cp > 0x10ffff ||
                            (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
        if (!ok) { out += '\ufffd'; i += 1; continue; }
        out += String.fromCodePoint(cp);
        i += n;
      }
      return out;
    }
  }
  def('TextEncoder', TextEncoder);
  def('TextDecoder', TextDecoder);

  /* ---- fetch and XMLHttpRequest through the parent (own origin only) ---- */
  const pending = new Map();
  let nextRequest = 1;
  function request(url, method, headers, body) {
    return new Promise((resolve, reject) => {
      const id = nextRequest++;
      pending.set(id, { resolve: resolve, reject: reject });
      sc.fetch(JSON.stringify({ id: id, url: String(url), method: method,
                                headers: headers, body: body }));
    });
  }
  function headerPairs(h) {
    const out = [];
    if (h === undefined || h === null) return out;
    if (typeof h.forEach === 'function' && !Array.isArray(h))
      h.forEach((v, k) => out.push([String(k), String(v)]));
    else if (Array.isArray(h))
      for (const p of h) out.push([String(p[0]), String(p[1])]);
    else
      for (const k of Object.keys(h)) out.push([String(k), String(h[k])]);
    return out;
  }
  class Headers {
    constructor(init) {
      this._m = new Map();
      for (const [k, v] of headerPairs(init)) this.append(k, v);
    }
    append(k, v) {
      k = String(k).toLowerCase();
      const old = this._m.get(k);
      this._m.set(k, old === undefined ? String(v) : old + ', ' + String(v));
    }
    set(k, v) { this._m.set(String(k).toLowerCase(), String(v)); }
    get(k) { const v = this._m.get(String(k).toLowerCase()); return v === undefined ? null : v; }
    has(k) { return this._m.has(String(k).toLowerCase()); }
    delete(k) { this._m.delete(String(k).toLowerCase()); }
    forEach(fn, self) { this._m.forEach((v, k) => fn.call(self, v, k, this)); }
    entries() { return this._m.entries(); }
    keys() { return this._m.keys(); }
    values() { return this._m.values(); }
    [Symbol.iterator]() { return this._m.entries(); }
  }
  class Response {
    constructor(r) {
      this.status = r.status;
      this.statusText = r.statusText;
      this.ok = r.status >= 200 && r.status < 300;
      this.url = r.url;
      this.headers = new Headers(r.headers);
      this._body = r.body;
      this.bodyUsed = false;
    }
    _take() {
      if (this.bodyUsed) return Promise.reject(new TypeError('body already used'));
      this.bodyUsed = true;
      return Promise.resolve(this._body);
    }
    text() { return this._take(); }
    json() { return this._take().then((t) => JSON.parse(t)); }
    arrayBuffer() { return this._take().then((t) => new TextEncoder().encode(t).buffer); }
  }
  def('Headers', Headers);
  def('Response', Response);
  def('fetch', function fetch(input, init) {
    try {
      init = init || {};
      const url = typeof input === 'object' && input !== null && 'url' in input
        ? input.url : input;
      const method = String(init.method || 'GET').toUpperCase();
      const body = init.body === undefined || init.body === null ? null : String(init.body);
      return request(url, method, headerPairs(init.headers), body)
        .then((r) => new Response(r));
    } catch (e) {
      return Promise.reject(e);
    }
  });

  class XMLHttpRequest {
    constructor() {
      this.readyState = 0;
      this.status = 0;
      this.statusText = '';
      this.responseText = '';
      this.response = '';
      this.responseType = '';
      this.responseURL = '';
      this.timeout = 0;
      this.withCredentials = false;
      this._headers = [];
      this._resHeaders = new Headers();
      this._listeners = {};
      this.onload = this.onerror = this.onreadystatechange = this.onloadend = null;
      this.onabort = this.ontimeout = null;
    }
    static get UNSENT() { return 0; }
    static get OPENED() { return 1; }
    static get HEADERS_RECEIVED() { return 2; }
    static get LOADING() { return 3; }
    static get DONE() { return 4; }
    addEventListener(type, fn) {
      (this._listeners[type] = this._listeners[type] || []).push(fn);
    }
    removeEventListener(type, fn) {
      const l = this._listeners[type] || [];
      const i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    }
    _fire(type) {
      const ev = { type: type, target: this, currentTarget: this };
      const h = this['on' + type];
      if (typeof h === 'function') h.call(this, ev);
      for (const fn of (this._listeners[type] || []).slice()) fn.call(this, ev);
    }
    open(method, url, async) {
      if (async === false) throw new Error('InvalidAccessError: no synchronous XHR');
      this._method = String(method).toUpperCase();
      this._url = String(url);
      this._headers = [];
      this._aborted = false;
      this.readyState = 1;
      this._fire('readystatechange');
    }
    setRequestHeader(k, v) { this._headers.push([String(k), String(v)]); }
    getResponseHeader(k) { return this._resHeaders.get(k); }
    getAllResponseHeaders() {
      let s = '';
      this._resHeaders.forEach((v, k) => { s += k + ': ' + v + '\r\n'; });
      return s;
    }
    overrideMimeType() {}
    abort() { this._aborted = true; this.readyState = 0; this._fire('abort'); }
    send(body) {
      if (this.readyState !== 1) throw new Error('InvalidStateError');
      const b = body === undefined || body === null ? null : String(body);
      request(this._url, this._method, this._headers, b).then((r) => {
        if (this._aborted) return;
        this.status = r.status;
        this.statusText = r.statusText;
        this.responseURL = r.url;
        this._resHeaders = new Headers(r.headers);
        this.responseText = r.body;
        if (this.responseType === 'json') {
          try { this.response = JSON.parse(r.body); } catch (e) { this.response = null; }
        } else {
          this.response = r.body;
        }
        this.readyState = 4;
        this._fire('readystatechange');
        this._fire('load');
        this._fire('loadend');
      }, () => {
        if (this._aborted) return;
        this.readyState = 4;
        this.status = 0;
        this._fire('readystatechange');
        this._fire('error');
        this._fire('loadend');
      });
    }
  }
  def('XMLHttpRequest', XMLHttpRequest);

  /* ---- rtcIdentityProvider.register() (W3C) ---- */
  let registered = null;
  const registrar = Object.freeze({
    register(idp) {
      if (registered !== null)
        throw new Error('an IdP is already registered');
      if (idp === null || typeof idp !== 'object' ||
          typeof idp.generateAssertion !== 'function' ||
          typeof idp.validateAssertion !== 'function')
        throw new TypeError('register() needs generateAssertion and validateAssertion');
      registered = { obj: idp, gen: idp.generateAssertion, val: idp.validateAssertion };
    }
  });
  def('rtcIdentityProvider', registrar);

  /* ---- the seed message protocol (READY/SIGN/VERIFY/SUCCESS/ERROR/
   *      LOGINNEEDED over postMessage) ---- */
  const listeners = [];
  let ready = false;
  let seedRequest = null;
  let finished = false;
  const HOST_ORIGIN = 'rtcweb://peerconnection';
  function done(result) {
    if (finished) return;
    finished = true;
    let text;
    try { text = JSON.stringify(result); } catch (e) {
      text = JSON.stringify({ ok: false, how: 'bad-result', message: 'result is not JSON' });
    }
    sc.done(text === undefined ? '{"ok":false,"how":"bad-result"}' : text);
  }
  function errorOf(e, how) {
    const r = { ok: false, how: how };
    try {
      if (e !== null && typeof e === 'object') {
        if (typeof e.name === 'string') r.name = e.name;
        if (typeof e.errorDetail === 'string') r.errorDetail = e.errorDetail;
        if (typeof e.loginUrl === 'string') r.loginUrl = e.loginUrl;
        if (typeof e.idpLoginUrl === 'string') r.loginUrl = e.idpLoginUrl;
        if (typeof e.message === 'string') r.message = e.message;
      } else {
        r.message = String(e);
      }
    } catch (x) { /* a hostile getter: keep what we have */ }
    return r;
  }
  const hostWindow = Object.freeze({ postMessage: postMessage });
  function dispatch(data) {
    const ev = Object.freeze({ type: 'message', data: data, origin: HOST_ORIGIN,
                               source: hostWindow });
    const h = g.onmessage;
    if (typeof h === 'function') h.call(g, ev);
    for (const fn of listeners.slice()) fn.call(g, ev);
  }
  function sendSeed() {
    seedRequest.sent = true;
    const data = JSON.parse(JSON.stringify(seedRequest.msg));
    Promise.resolve().then(() => dispatch(data));
  }
  function postMessage(message) {
    let msg;
    try { msg = JSON.parse(JSON.stringify(message)); } catch (e) { return; }
    if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string')
      return;
    if (msg.type === 'READY') {
      ready = true;
      if (seedRequest !== null && !seedRequest.sent) sendSeed();
      return;
    }
    if (seedRequest === null || !seedRequest.sent || String(msg.id) !== seedRequest.msg.id)
      return;   /* not an answer to our request: ignored (draft §5.4.2) */
    if (msg.type === 'SUCCESS')
      done({ ok: true, value: msg.message });
    else if (msg.type === 'LOGINNEEDED')
      done({ ok: false, how: 'reject', errorDetail: 'idp-need-login',
             loginUrl: typeof msg.loginUrl === 'string' ? msg.loginUrl : undefined,
             message: typeof msg.error === 'string' ? msg.error : undefined });
    else if (msg.type === 'ERROR')
      done({ ok: false, how: 'reject',
             message: typeof msg.error === 'string' ? msg.error : undefined });
  }
  def('postMessage', postMessage);
  def('addEventListener', function addEventListener(type, fn) {
    if (type === 'message' && typeof fn === 'function' && !listeners.includes(fn))
      listeners.push(fn);
  });
  def('removeEventListener', function removeEventListener(type, fn) {
    const i = listeners.indexOf(fn);
    if (type === 'message' && i >= 0) listeners.splice(i, 1);
  });
  def('onmessage', null);
  def('window', g);
  def('self', g);
  def('parent', hostWindow);
  def('top', hostWindow);

  /* ---- what sandbox-main.c calls ---- */
  return {
    timer(id) {
      const t = timers.get(id);
      if (t === undefined) return;
      if (!t.repeat) timers.delete(id);
      t.fn.apply(g, t.args);
    },
    fetched(text) {
      const r = JSON.parse(text);
      const p = pending.get(r.id);
      if (p === undefined) return;
      pending.delete(r.id);
      if (typeof r.error === 'string') p.reject(new TypeError('NetworkError: ' + r.error));
      else p.resolve(r);
    },
    mode() {
      if (registered !== null) return 'w3c';
      if (ready || listeners.length > 0 || typeof g.onmessage === 'function') return 'seed';
      return 'none';
    },
    call(kind, argsText) {
      const a = JSON.parse(argsText);
      if (registered === null) {
        const msg = kind === 'generate'
          ? { type: 'SIGN', id: '1', origin: a.origin, message: a.contents }
          : { type: 'VERIFY', id: '1', origin: a.origin, message: a.assertion };
        if (kind === 'generate' && typeof a.usernameHint === 'string')
          msg.username = a.usernameHint;
        seedRequest = { msg: msg, sent: false };
        if (ready) sendSeed();
        return;
      }
      let p;
      try {
        p = kind === 'generate'
          ? registered.gen.call(registered.obj, a.contents, a.origin,
                                { protocol: a.protocol, usernameHint: a.usernameHint })
          : registered.val.call(registered.obj, a.assertion, a.origin);
      } catch (e) {
        done(errorOf(e, 'throw'));
        return;
      }
      Promise.resolve(p).then((v) => done({ ok: true, value: v }),
                              (e) => done(errorOf(e, 'reject')));
    }
  };
})
