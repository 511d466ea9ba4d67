/* The IdP proxy of `sealcall idp` for the W3C "Identity for WebRTC 1.0"
 * API: https://DOMAIN[:PORT]/.well-known/idp-proxy/default
 *
 * It runs in the browser's IdP sandbox (Firefox: IdpSandbox.sys.mjs),
 * which offers rtcIdentityProvider, fetch, location, atob/btoa and little
 * else (no timers, no DOM), so it uses nothing more. The server does the
 * work: POST /assert signs (the session cookie says who is logged in),
 * POST /validate checks a signature and the expiry. Both are fetched
 * from this script's own origin, so the sandbox's same-origin rules hold.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
(function (global) {
  'use strict';

  var PROTOCOL = 'default';

  /* A rejection both APIs understand: Firefox reads name ("IdpLoginError")
   * and loginUrl; the W3C names the detail (idp-need-login, ...). A plain
   * object, so that the browser can read it across the sandbox. */
  function idpError(detail, message, loginUrl) {
    var e = {
      name: detail === 'idp-need-login' ? 'IdpLoginError' : 'IdpError',
      errorDetail: detail,
      message: String(message || detail)
    };
    if (typeof loginUrl === 'string') {
      e.loginUrl = loginUrl;
    }
    return e;
  }

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
        return { status: response.status, json: json };
      });
    }, function (e) {
      throw idpError('idp-execution-failure',
                     'cannot reach the IdP: ' + (e && e.message));
    });
  }

  function failure(reply, fallback) {
    var j = reply.json || {};
    var detail = typeof j.error === 'string' ? j.error : fallback;
    return idpError(detail, j.message || ('HTTP ' + reply.status),
                    typeof j.loginUrl === 'string' ? j.loginUrl : undefined);
  }

  function generateAssertion(contents, origin, options) {
    /* options is {protocol, usernameHint, peerIdentity} (W3C); older
     * callers passed the hint itself */
    var hint = typeof options === 'string' ? options :
      (options && typeof options.usernameHint === 'string' ?
        options.usernameHint : undefined);
    if (location.protocol !== 'https:') {
      return Promise.reject(idpError('idp-execution-failure',
                                     'the IdP proxy must run over https'));
    }
    var body = { contents: String(contents), origin: String(origin) };
    if (hint !== undefined) {
      body.usernameHint = hint;
    }
    return post('/assert', body).then(function (reply) {
      var j = reply.json;
      if (reply.status !== 200 || !j || typeof j.assertion !== 'string') {
        throw failure(reply, 'idp-execution-failure');
      }
      return {
        idp: { domain: location.host, protocol: PROTOCOL },
        assertion: j.assertion
      };
    });
  }

  function validateAssertion(assertion, origin) {
    return post('/validate', {
      assertion: String(assertion),
      origin: String(origin)
    }).then(function (reply) {
      var j = reply.json;
      if (reply.status !== 200 || !j || typeof j.identity !== 'string' ||
          typeof j.contents !== 'string') {
        throw failure(reply, 'idp-token-invalid');
      }
      /* identity and contents as the W3C asks; pseudonym tells the
       * verifier that the IdP vouches for a pseudonym, not a name */
      return {
        identity: j.identity,
        contents: j.contents,
        pseudonym: j.pseudonym === true
      };
    });
  }

  global.rtcIdentityProvider.register({
    generateAssertion: generateAssertion,
    validateAssertion: validateAssertion
  });
})(this);
