/* The IdP proxy of `sealcall idp`, served at
 *   https://DOMAIN[:PORT]/.well-known/idp-proxy/default  (W3C API)
 *   https://DOMAIN[:PORT]/.well-known/idp-proxy/seed     (message protocol)
 * The path it was loaded from (location.pathname) picks the protocol.
 *
 * default: the W3C "Identity for WebRTC 1.0" API. It runs in the
 * browser's IdP sandbox (Firefox: IdpSandbox.sys.mjs), which offers
 * rtcIdentityProvider, fetch, location, atob/btoa and little else (no
 * timers, no DOM), so it uses nothing more.
 *
 * seed: the message protocol of draft-ietf-rtcweb-security-arch-10
 * §5.6.5. The proxy receives requests as message events (event.data) and
 * answers with postMessage(): {"type":"READY"} once loaded, then each
 * {"type":"SIGN"|"VERIFY","id":ID,"origin":ORIGIN,"message":...} with
 * {"type":"SUCCESS","id":ID,"message":...}, {"type":"ERROR","id":ID,
 * "error":TEXT} or {"type":"LOGINNEEDED","id":ID,"error":TEXT,
 * "loginUrl":URL}. SIGN may carry "username" (the hint). The sandbox must
 * offer postMessage() and addEventListener('message') or onmessage.
 *
 * The server does the work: POST /assert signs (the session cookie says
 * who is logged in), POST /validate checks the signature and the expiry.
 * Both are fetched from this script's own origin, so the sandbox's
 * same-origin rules hold.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
(function (global) {
  'use strict';

  var PROTOCOL = /\/seed$/.test(location.pathname) ? 'seed' : 'default';

  /* POST @body as JSON to @path on our own origin: {status, json} */
  function post(path, body) {
    return fetch(location.origin + path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try {
          json = JSON.parse(text);
        } catch (e) {
          json = null;
        }
        return { status: response.status, json: json || {} };
      });
    });
  }

  /* The server's answers, as {ok, value} or {ok:false, detail, message,
   * loginUrl} */
  function sign(contents, origin, hint) {
    var body = { contents: String(contents), origin: String(origin) };
    if (typeof hint === 'string') {
      body.usernameHint = hint;
    }
    return post('/assert', body).then(function (reply) {
      var j = reply.json;
      if (reply.status === 200 && typeof j.assertion === 'string') {
        return { ok: true, value: {
          idp: { domain: location.host, protocol: PROTOCOL },
          assertion: j.assertion
        } };
      }
      return failure(reply, 'idp-execution-failure');
    });
  }

  function verify(assertion, origin) {
    return post('/validate', {
      assertion: String(assertion),
      origin: String(origin)
    }).then(function (reply) {
      var j = reply.json;
      if (reply.status === 200 && typeof j.identity === 'string' &&
          typeof j.contents === 'string') {
        /* identity and contents as the W3C asks; pseudonym tells the
         * verifier that the IdP vouches for a pseudonym, not a name */
        return { ok: true, value: {
          identity: j.identity,
          contents: j.contents,
          pseudonym: j.pseudonym === true
        } };
      }
      return failure(reply, 'idp-token-invalid');
    });
  }

  function failure(reply, fallback) {
    var j = reply.json;
    return {
      ok: false,
      detail: typeof j.error === 'string' ? j.error : fallback,
      message: typeof j.message === 'string' ? j.message :
        'HTTP ' + reply.status,
      loginUrl: typeof j.loginUrl === 'string' ? j.loginUrl : undefined
    };
  }

  function unreachable(e) {
    return { ok: false, detail: 'idp-execution-failure',
             message: 'cannot reach the IdP: ' + (e && e.message) };
  }

  /* ---- W3C: rtcIdentityProvider.register ---- */

  /* A rejection both APIs understand: Firefox reads name ("IdpLoginError")
   * and loginUrl; the W3C names the detail (idp-need-login, ...). A plain
   * object, so that the browser can read it across the sandbox. */
  function rejection(r) {
    var e = {
      name: r.detail === 'idp-need-login' ? 'IdpLoginError' : 'IdpError',
      errorDetail: r.detail,
      message: r.message
    };
    if (r.loginUrl !== undefined) {
      e.loginUrl = r.loginUrl;
    }
    return e;
  }

  function settle(r) {
    if (r.ok) {
      return r.value;
    }
    throw rejection(r);
  }

  function registerW3C() {
    global.rtcIdentityProvider.register({
      generateAssertion: function (contents, origin, options) {
        /* options is {protocol, usernameHint, peerIdentity} (W3C); older
         * callers passed the hint itself */
        var hint = typeof options === 'string' ? options :
          (options && typeof options.usernameHint === 'string' ?
            options.usernameHint : undefined);
        if (location.protocol !== 'https:') {
          return Promise.reject(rejection({
            detail: 'idp-execution-failure',
            message: 'the IdP proxy must run over https' }));
        }
        return sign(contents, origin, hint).then(settle, function (e) {
          throw rejection(unreachable(e));
        });
      },
      validateAssertion: function (assertion, origin) {
        return verify(assertion, origin).then(settle, function (e) {
          throw rejection(unreachable(e));
        });
      }
    });
  }

  /* ---- seed: the postMessage protocol ---- */

  function answer(id, r) {
    if (r.ok) {
      global.postMessage({ type: 'SUCCESS', id: id, message: r.value });
    } else if (r.detail === 'idp-need-login' && r.loginUrl !== undefined) {
      global.postMessage({ type: 'LOGINNEEDED', id: id, error: r.message,
                           loginUrl: r.loginUrl });
    } else {
      global.postMessage({ type: 'ERROR', id: id,
                           error: r.detail + ': ' + r.message });
    }
  }

  function onMessage(event) {
    var req = event && typeof event === 'object' && 'data' in event ?
      event.data : event;
    if (!req || typeof req !== 'object' || typeof req.type !== 'string') {
      return; /* not a request of this protocol */
    }
    var id = req.id;
    if ((typeof id !== 'string' && typeof id !== 'number') ||
        typeof req.origin !== 'string' || typeof req.message !== 'string') {
      global.postMessage({ type: 'ERROR', id: id,
        error: 'a request needs id, origin and a string message' });
      return;
    }
    var work;
    if (req.type === 'SIGN') {
      work = sign(req.message, req.origin,
                  typeof req.username === 'string' ? req.username : undefined);
    } else if (req.type === 'VERIFY') {
      work = verify(req.message, req.origin);
    } else {
      global.postMessage({ type: 'ERROR', id: id, error: 'unknown type' });
      return;
    }
    work.then(function (r) {
      answer(id, r);
    }, function (e) {
      answer(id, unreachable(e));
    });
  }

  function startSeed() {
    if (typeof global.addEventListener === 'function') {
      global.addEventListener('message', onMessage);
    } else {
      global.onmessage = onMessage;
    }
    global.postMessage({ type: 'READY' });
  }

  if (PROTOCOL === 'seed') {
    startSeed();
  } else {
    registerW3C();
  }
})(this);
