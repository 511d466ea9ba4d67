"""The reference IdP `sealcall idp` for tests (issue 14 point 10): a
throwaway CA (scripts/make-test-ca.sh), users with passwords, the server
started on a free port, logins through its own login form, assertions
asked of it directly (as its proxy asks), and the session cookie written
where sealcall's IdP sandbox looks for it when generating
($XDG_DATA_HOME/sealcall/idp-cookies.txt, Mozilla cookies.txt format,
0600).

  ca = realidp.TestCa(tmp, "localhost")        # ca.pem, server.pem/.key
  idp = realidp.RealIdp(ca, ["alice", "bob"])  # sealcall idp --domain localhost
  data_home = idp.data_home("alice")           # XDG_DATA_HOME for sealcall
  idp.close()

  idp = realidp.LocalIdp(["alice", "bob"])     # its own CA, for the demo
  idp.close()                                  # and the bench: both removed
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.parse

import sctest

TOP_SRCDIR = os.environ.get("TOP_SRCDIR", ".")
COOKIE = "__Host-sc_idp_session"


def password(user):
    return "the test password of %s" % user


class TestCa:
    """A CA made now and a server certificate for @host (and 127.0.0.1)."""

    def __init__(self, tmp, host):
        self.dir = os.path.join(tmp, "ca")
        self.host = host
        subprocess.run(["sh", os.path.join(TOP_SRCDIR, "scripts",
                                           "make-test-ca.sh"), self.dir, host,
                        "127.0.0.1"], check=True, capture_output=True,
                       timeout=60)
        self.ca = os.path.join(self.dir, "ca.pem")
        self.cert = os.path.join(self.dir, "server.pem")
        self.key = os.path.join(self.dir, "server.key")


class RealIdp:
    """`sealcall idp` speaking for @domain (default: the certificate's
    host), reached at ca.host:PORT. @prefix runs it in a network namespace
    (`ip netns exec NAME`), where 127.0.0.1 is the namespace's."""

    def __init__(self, ca, users, domain=None, lifetime=None, prefix=None,
                 name="idp"):
        self.ca = ca
        self.domain = domain or ca.host
        self.tmp = tempfile.mkdtemp(prefix="sc-realidp-")
        self.users = os.path.join(self.tmp, "users")
        self.prefix = list(prefix or [])
        for u in users:
            subprocess.run([sctest.SEALCALL, "idp", "adduser", "--users",
                            self.users, u],
                           input=(password(u) + "\n").encode(), check=True,
                           capture_output=True, timeout=60)
        args = [sctest.SEALCALL, "idp", "--port", "0", "--domain",
                self.domain, "--cert", ca.cert, "--key", ca.key, "--users",
                self.users, "--signing-key",
                os.path.join(self.tmp, "signing.key")]
        if lifetime is not None:
            args += ["--assertion-lifetime", str(lifetime)]
        self.proc = sctest.Proc(self.prefix + args, name)
        ev = self.proc.wait_event("listening", timeout=30)
        if ev is None:
            msg = self.proc.stderr_tail()
            self.close()
            raise RuntimeError("sealcall idp did not start: " + msg)
        self.port = ev["port"]
        # what sealcall's --idp and Firefox's setIdentityProvider name
        self.name = "%s:%d" % (ca.host, self.port)
        self.ctx = ssl.create_default_context(cafile=ca.ca)

    def request(self, method, path, body=b"", headers=None):
        """One HTTPS request to the IdP: (status, headers, body). Inside a
        network namespace, through `ip netns exec` and curl-free Python."""
        if self.prefix:
            return self._request_in_netns(method, path, body, headers)
        c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=20,
                                        context=self.ctx)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            c.close()

    def _request_in_netns(self, method, path, body, headers):
        code = (
            "import http.client,json,ssl,sys\n"
            "a=json.loads(sys.stdin.read())\n"
            "x=ssl.create_default_context(cafile=a['ca']);"
            "x.check_hostname=False\n"
            "c=http.client.HTTPSConnection('127.0.0.1',a['port'],timeout=20,"
            "context=x)\n"
            "c.request(a['m'],a['p'],body=a['b'].encode('latin-1'),"
            "headers=a['h'])\n"
            "r=c.getresponse()\n"
            "print(json.dumps({'s':r.status,'h':r.getheaders(),"
            "'b':r.read().decode('latin-1')}))\n")
        arg = json.dumps({"ca": self.ca.ca, "port": self.port, "m": method,
                          "p": path, "b": body.decode("latin-1"),
                          "h": headers or {}})
        r = subprocess.run(self.prefix + ["/usr/bin/python3", "-c", code],
                           input=arg.encode(), capture_output=True,
                           timeout=60, check=True)
        j = json.loads(r.stdout)
        return j["s"], [tuple(h) for h in j["h"]], j["b"].encode("latin-1")

    def login(self, user):
        """Logs @user in through the login form; the session token."""
        _, _, page = self.request("GET", "/login")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
        _, hd, _ = self.request(
            "POST", "/login",
            b"csrf=" + csrf + b"&user=" + user.encode() + b"&password=" +
            urllib.parse.quote_plus(password(user)).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": "__Host-sc_idp_csrf=" + csrf.decode()})
        for k, v in hd:
            if k.lower() == "set-cookie" and v.startswith(COOKIE + "=") and \
                    not v.startswith(COOKIE + "=;"):
                return v.split(";")[0].split("=", 1)[1]
        raise RuntimeError("%s could not log in to the IdP" % user)

    def cookie_line(self, token, host=None):
        """The session cookie as a cookies.txt line (as curl -c writes it:
        HttpOnly, secure, for the IdP's host only, an hour)."""
        return "#HttpOnly_%s\tFALSE\t/\tTRUE\t%d\t%s\t%s\n" % (
            host or self.ca.host, int(time.time()) + 3600, COOKIE, token)

    def data_home(self, user=None, token=None, mode=0o600):
        """An XDG_DATA_HOME whose sealcall/idp-cookies.txt holds @user's
        session (a fresh login) or @token; none with neither."""
        d = tempfile.mkdtemp(prefix="sc-xdg-", dir=self.tmp)
        if user is not None or token is not None:
            if token is None:
                token = self.login(user)
            os.makedirs(os.path.join(d, "sealcall"), mode=0o700)
            path = os.path.join(d, "sealcall", "idp-cookies.txt")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("# Netscape HTTP Cookie File\n")
                f.write(self.cookie_line(token))
            os.chmod(path, mode)
        return d

    def assertion(self, token, contents, origin):
        """An assertion signed now for the user of session @token, as an
        a=identity value (base64 of {idp, assertion}), and the IdP's answer
        plus "exp" (the payload's expiry)."""
        st, _, data = self.request(
            "POST", "/assert",
            json.dumps({"contents": contents, "origin": origin}).encode(),
            {"Content-Type": "application/json",
             "Cookie": "%s=%s" % (COOKIE, token)})
        j = json.loads(data)
        if st != 200:
            raise RuntimeError("/assert: %d %s" % (st, j))
        doc = {"idp": {"domain": self.name, "protocol": "default"},
               "assertion": j["assertion"]}
        # the signed payload's expiry, for tests that wait it out
        p = j["assertion"].split(".")[1]
        j["exp"] = json.loads(base64.urlsafe_b64decode(
            p + "=" * (-len(p) % 4))).get("exp")
        return base64.b64encode(json.dumps(doc).encode()).decode(), j

    def close(self):
        p = getattr(self, "proc", None)
        if p is not None:
            if p.p.poll() is None:
                try:
                    os.kill(p.p.pid, signal.SIGTERM)
                except OSError:
                    pass
                p.wait_exit(20)
            p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


class LocalIdp(RealIdp):
    """RealIdp with a CA of its own, made now in a temporary directory
    that close() removes with the IdP's: `./quickstart demo` and `make
    bench`, which run outside the test harness."""

    def __init__(self, users, host="localhost", prefix=None):
        self.ca_tmp = tempfile.mkdtemp(prefix="sc-realidp-ca-")
        try:
            super().__init__(TestCa(self.ca_tmp, host), users, prefix=prefix)
        except Exception:
            self.close()
            raise

    def close(self):
        if hasattr(self, "tmp"):
            super().close()
        shutil.rmtree(self.ca_tmp, ignore_errors=True)


def sandbox_env():
    """SEALCALL_IDP_SANDBOX for a sealcall run from a build tree (its
    build's sandbox helper, as `make check` sets it); {} otherwise."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(
        sctest.SEALCALL)))
    helper = os.path.join(build, "src", "identity", "sealcall-idp-sandbox")
    return {"SEALCALL_IDP_SANDBOX": helper} if os.access(helper, os.X_OK) \
        else {}


def fingerprint_contents(digest):
    """The contents an endpoint signs for one sha-256 fingerprint."""
    return json.dumps({"fingerprint": [{"algorithm": "sha-256",
                                        "digest": digest}]},
                      separators=(",", ":"))
