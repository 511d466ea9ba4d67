// tests/integration/idp-proxy-harness.js - runs an IdP proxy script of
// `sealcall idp` under node the way Firefox's IdP sandbox runs it
// (dom/media/IdpSandbox.sys.mjs): a fresh context that holds only
// rtcIdentityProvider, location (of the script's final URL), fetch limited
// to the script's origin (sending the session cookie, as a browser sends
// the IdP's cookies to it), atob/btoa and TextEncoder/TextDecoder; no
// timers, no require, no process. For the seed protocol, the context also
// has postMessage() and addEventListener('message').
//
//   node idp-proxy-harness.js SCRIPT_URL COOKIE OPS_JSON
// OPS_JSON: [{"op":"generate","contents":..,"origin":..,"options":..},
//            {"op":"validate","assertion":..,"origin":..},
//            {"op":"message","data":{...}}]   (seed protocol)
// prints {"content_type":..,"registered":bool,"ready":bool,
//         "results":[{"ok":true,"value":..}|{"ok":false,"error":..}]}
// SPDX-License-Identifier: LGPL-2.1-or-later
'use strict';
const vm = require('vm');

const [, , scriptUrl, cookie, opsJson] = process.argv;
const ops = JSON.parse(opsJson);
const base = new URL(scriptUrl);

function plain(v) {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

async function main() {
  const res = await fetch(scriptUrl, { redirect: 'error' });
  if (res.status !== 200) {
    throw new Error('proxy load failed: HTTP ' + res.status);
  }
  const out = { content_type: res.headers.get('content-type'),
                registered: false, ready: false, results: [] };
  const code = await res.text();
  let idp = null;
  let listener = null;
  const posted = [];
  const waiters = [];
  const sandbox = {
    rtcIdentityProvider: {
      register(p) {
        if (idp) throw new Error('registered twice');
        idp = p;
      }
    },
    location: {
      href: base.href, protocol: base.protocol, host: base.host,
      hostname: base.hostname, port: base.port, pathname: base.pathname,
      search: base.search, hash: base.hash, origin: base.origin,
      toString() { return base.href; }
    },
    fetch(url, init) {
      const target = new URL(String(url), base);
      if (target.origin !== base.origin) {
        return Promise.reject(new TypeError('cross-origin fetch refused'));
      }
      const opts = Object.assign({}, init || {});
      const headers = Object.assign({}, opts.headers || {});
      if (cookie && opts.credentials !== 'omit') headers.Cookie = cookie;
      opts.headers = headers;
      opts.redirect = 'error';
      return fetch(target.href, opts);
    },
    atob, btoa, TextEncoder, TextDecoder,
    postMessage(m) {
      const msg = plain(m);
      if (msg && msg.type === 'READY') out.ready = true;
      posted.push(msg);
      for (let i = 0; i < waiters.length; i++) {
        if (waiters[i].match(msg)) {
          waiters[i].resolve(msg);
          waiters.splice(i, 1);
          break;
        }
      }
    },
    addEventListener(type, fn) {
      if (type === 'message') listener = fn;
    }
  };
  vm.createContext(sandbox);
  vm.runInContext(code, sandbox, { filename: scriptUrl, timeout: 2000 });
  out.registered = idp !== null;

  for (const op of ops) {
    try {
      let value;
      if (op.op === 'generate') {
        value = await idp.generateAssertion(op.contents, op.origin, op.options);
      } else if (op.op === 'validate') {
        value = await idp.validateAssertion(op.assertion, op.origin);
      } else if (op.op === 'message') {
        const reply = new Promise(resolve => waiters.push({
          match: m => m && m.id === op.data.id, resolve }));
        listener({ data: op.data, origin: 'null' });
        value = await reply;
      } else {
        throw new Error('unknown op');
      }
      out.results.push({ ok: true, value: plain(value) });
    } catch (e) {
      out.results.push({ ok: false, error: plain(e) || String(e),
                         name: e && e.name, message: e && e.message });
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => {
  process.stdout.write(JSON.stringify({ fatal: String(e && e.stack || e) }) + '\n');
  process.exit(1);
});
