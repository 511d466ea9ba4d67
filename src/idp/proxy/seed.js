/* The IdP proxy of `sealcall idp` for the message protocol of
 * draft-ietf-rtcweb-security-arch-10 §5.6.5 (and the generic IdP draft):
 * https://DOMAIN[:PORT]/.well-known/idp-proxy/seed
 *
 * The proxy receives requests as message events (event.data) and answers
 * with postMessage(): it says {"type":"READY"} once loaded, then answers
 * each {"type":"SIGN"|"VERIFY","id":ID,"origin":ORIGIN,"message":...}
 * with {"type":"SUCCESS","id":ID,"message":...}, {"type":"ERROR","id":ID,
 * "error":TEXT} or {"type":"LOGINNEEDED","id":ID,"error":TEXT,
 * "loginUrl":URL}. SIGN may carry "username" (the hint). The sandbox must
 * offer postMessage() and either addEventListener('message') or an
 * onmessage property; fetch and location as for the W3C proxy.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
(function (global) {
  'use strict';

  var PROTOCOL = 'seed';

  function send(msg) {
    global.postMessage(msg);
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
    });
  }

  function fail(id, reply, fallback) {
    var j = (reply && reply.json) || {};
    var text = typeof j.message === 'string' ? j.message :
      (reply ? 'HTTP ' + reply.status : fallback);
    if (j.error === 'idp-need-login' && typeof j.loginUrl === 'string') {
      send({ type: 'LOGINNEEDED', id: id, error: text, loginUrl: j.loginUrl });
    } else {
      send({ type: 'ERROR', id: id,
             error: (typeof j.error === 'string' ? j.error + ': ' : '') + text });
    }
  }

  function sign(req) {
    var body = { contents: req.message, origin: req.origin };
    if (typeof req.username === 'string') {
      body.usernameHint = req.username;
    }
    return post('/assert', body).then(function (reply) {
      var j = reply.json;
      if (reply.status !== 200 || !j || typeof j.assertion !== 'string') {
        fail(req.id, reply, 'signing failed');
        return;
      }
      send({ type: 'SUCCESS', id: req.id, message: {
        idp: { domain: location.host, protocol: PROTOCOL },
        assertion: j.assertion
      } });
    });
  }

  function verify(req) {
    return post('/validate', { assertion: req.message, origin: req.origin })
      .then(function (reply) {
        var j = reply.json;
        if (reply.status !== 200 || !j || typeof j.identity !== 'string' ||
            typeof j.contents !== 'string') {
          fail(req.id, reply, 'verification failed');
          return;
        }
        send({ type: 'SUCCESS', id: req.id, message: {
          identity: j.identity,
          contents: j.contents,
          pseudonym: j.pseudonym === true
        } });
      });
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
      send({ type: 'ERROR', id: id,
             error: 'a request needs id, origin and a string message' });
      return;
    }
    var work;
    if (req.type === 'SIGN') {
      work = sign(req);
    } else if (req.type === 'VERIFY') {
      work = verify(req);
    } else {
      send({ type: 'ERROR', id: id, error: 'unknown type' });
      return;
    }
    work.catch(function (e) {
      send({ type: 'ERROR', id: id,
             error: 'cannot reach the IdP: ' + (e && e.message) });
    });
  }

  if (typeof global.addEventListener === 'function') {
    global.addEventListener('message', onMessage);
  } else {
    global.onmessage = onMessage;
  }
  send({ type: 'READY' });
})(this);
