"""A throwaway HTTPS server for IdP proxy tests (tests only).

make_ca() makes a test CA and a server certificate for localhost and
127.0.0.1 with the openssl tool, in a temporary directory, at test time:
no key is ever committed. IdpServer serves proxy scripts at
/.well-known/idp-proxy/NAME from a dict, plus a few endpoints the scripts
use (/api/sign and /api/verify: an HMAC over the contents, with a key made
at start), redirects, and counts every request by path, so a test can
tell that a request never reached the server.
"""
import hashlib
import hmac
import http.server
import json
import os
import secrets
import ssl
import subprocess
import threading
import urllib.parse


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    """Makes NAME-ca.pem and NAME-server.{pem,key} in d; returns their paths."""
    ca_key, ca = name + "-ca.key", name + "-ca.pem"
    key, csr, crt = name + "-server.key", name + "-server.csr", name + "-server.pem"
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca_key, cwd=d)
    _openssl("req", "-x509", "-new", "-key", ca_key, "-sha256", "-days", "2",
             "-subj", "/CN=sealcall test CA " + name, "-out", ca,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key, cwd=d)
    _openssl("req", "-new", "-key", key, "-subj", "/CN=localhost", "-out", csr, cwd=d)
    ext = os.path.join(d, name + "-ext.cnf")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
             "-CAcreateserial", "-days", "2", "-sha256", "-extfile", ext,
             "-out", crt, cwd=d)
    return os.path.join(d, ca), os.path.join(d, crt), os.path.join(d, key)


def hmac_proxy(id_domain="localhost", validate_delay=0, validate_error=None):
    """An IdP proxy script (W3C register API) whose assertion is an HMAC
    by this server over {identity, contents, origin} for USER@id_domain
    (the username hint, or alice); validation waits @validate_delay ms, or
    fails with @validate_error. PROTOCOL in it is to be replaced with the
    protocol's name as a JS string."""
    gen = r"""
  generateAssertion(contents, origin, options) {
    const user = (options && options.usernameHint) || 'alice';
    const payload = JSON.stringify({ identity: user + '@ID_DOMAIN', contents, origin });
    return fetch('/api/sign', { method: 'POST', body: JSON.stringify({ contents: payload }) })
      .then((r) => r.json())
      .then((j) => ({ idp: { domain: location.host, protocol: PROTOCOL },
                      assertion: JSON.stringify({ payload, sig: j.sig }) }));
  },"""
    if validate_error:
        val = "validateAssertion() { return Promise.reject({ errorDetail: '%s', message: 'too old' }); }" % validate_error
    else:
        val = r"""
  validateAssertion(assertion, origin) {
    const a = JSON.parse(assertion);
    return new Promise((res) => setTimeout(res, DELAY))
      .then(() => fetch('/api/verify?sig=' + encodeURIComponent(a.sig) +
                        '&c=' + encodeURIComponent(a.payload)))
      .then((r) => r.json())
      .then((j) => {
        if (!j.ok) throw new Error('bad signature');
        const p = JSON.parse(a.payload);
        return { identity: p.identity, contents: p.contents };
      });
  }""".replace("DELAY", str(validate_delay))
    return ("rtcIdentityProvider.register({" + gen + val + "});").replace(
        "ID_DOMAIN", id_domain)


class IdpServer:
    def __init__(self, cert, key, scripts, tls=True):
        self.scripts = scripts
        self.hits = {}
        self.cookies = []   # (path, the request's Cookie header or None)
        self.secret = secrets.token_bytes(32)
        self.lock = threading.Lock()
        srv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, code, body=b"", ctype="application/javascript",
                      headers=()):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self):
                u = urllib.parse.urlsplit(self.path)
                with srv.lock:
                    srv.hits[u.path] = srv.hits.get(u.path, 0) + 1
                    srv.cookies.append((u.path, self.headers.get("Cookie")))
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                prefix = "/.well-known/idp-proxy/"
                if u.path.startswith(prefix):
                    name = u.path[len(prefix):]
                    s = srv.scripts.get(name)
                    if s is None:
                        return self._send(404, b"no such proxy", "text/plain")
                    if isinstance(s, tuple):   # ("redirect", location)
                        return self._send(302, b"", "text/plain",
                                          [("Location", s[1].replace("PORT", str(srv.port)))])
                    return self._send(200, s.replace("PORT", str(srv.port)).encode())
                if u.path == "/api/sign":
                    req = json.loads(body or b"{}")
                    mac = hmac.new(srv.secret, req.get("contents", "").encode(),
                                   hashlib.sha256).hexdigest()
                    return self._send(200, json.dumps({"sig": mac}).encode(),
                                      "application/json")
                if u.path == "/api/verify":
                    q = urllib.parse.parse_qs(u.query)
                    contents = q.get("c", [""])[0]
                    want = hmac.new(srv.secret, contents.encode(),
                                    hashlib.sha256).hexdigest()
                    ok = hmac.compare_digest(want, q.get("sig", [""])[0])
                    return self._send(200, json.dumps({"ok": ok}).encode(),
                                      "application/json")
                if u.path == "/api/echo":
                    return self._send(200, json.dumps({"method": self.command,
                                                       "body": body.decode()}).encode(),
                                      "application/json")
                return self._send(404, b"not found", "text/plain")

            do_GET = do_POST = do_HEAD = do_PUT = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def hit(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def close(self):  # noqa: D401
        self.httpd.shutdown()
        self.httpd.server_close()
