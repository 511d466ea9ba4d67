"""The reference IdP `sealcall idp` started locally for a demo, a bench or a
test: a throwaway test CA (scripts/make-test-ca.sh into a fresh temporary
directory, removed by close(); never a committed key), users with random
passwords, the IdP on 127.0.0.1 (port chosen by the kernel) for DOMAIN
(default localhost, which resolves without any DNS setup), and logins
through its own form (CSRF token, POST /login) whose session cookies
become `--idp-session` files (0600). Stopped by PID.

    idp = RefIdp(sealcall, top_srcdir, users=("alice", "bob"))
    idp.domain          # "localhost:PORT", for --idp
    idp.ca              # the CA certificate, for --ca
    idp.session_file("alice")   # logs alice in, returns the file
    idp.env             # SEALCALL_IDP_SANDBOX when run from a build tree
    idp.close()
"""
import http.client
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sctest  # noqa: E402


class RefIdpError(Exception):
    pass


class RefIdp:
    def __init__(self, sealcall, top_srcdir, users=("alice", "bob"),
                 host="localhost", top_builddir=None, prefix=()):
        """@prefix: a command prefix (ip netns exec NS) that runs the IdP,
        and the logins, in a network namespace."""
        self.prefix = list(prefix)
        self.sealcall = sealcall
        self.host = host
        self.proc = None
        self.tmp = tempfile.mkdtemp(prefix="sealcall-refidp-")
        self.passwords = {}
        self.env = {}
        build = top_builddir or os.path.dirname(os.path.dirname(
            os.path.abspath(sealcall)))
        helper = os.path.join(build, "src", "identity", "sealcall-idp-sandbox")
        if os.access(helper, os.X_OK):
            self.env["SEALCALL_IDP_SANDBOX"] = helper
        try:
            self._start(top_srcdir, users)
        except Exception:
            self.close()
            raise

    def _run(self, args, stdin=None):
        r = subprocess.run(args, input=stdin, capture_output=True, timeout=60)
        if r.returncode != 0:
            raise RefIdpError("%s: %s" % (" ".join(args[:3]),
                                          r.stderr.decode("utf-8", "replace")
                                          [-400:]))
        return r

    def _start(self, top_srcdir, users):
        self._run(["sh", os.path.join(top_srcdir, "scripts", "make-test-ca.sh"),
                   self.tmp, self.host, "127.0.0.1"])
        self.ca = os.path.join(self.tmp, "ca.pem")
        ufile = os.path.join(self.tmp, "users")
        for u in users:
            pw = secrets.token_urlsafe(18)
            self._run([self.sealcall, "idp", "adduser", "--users", ufile, u],
                      stdin=(pw + "\n").encode())
            self.passwords[u] = pw
        self.proc = sctest.Proc(self.prefix + [
            self.sealcall, "idp", "--port", "0", "--domain", self.host,
            "--cert", os.path.join(self.tmp, "server.pem"),
            "--key", os.path.join(self.tmp, "server.key"),
            "--users", ufile,
            "--signing-key", os.path.join(self.tmp, "signing.key")],
            "refidp")
        ev = self.proc.wait_event("listening", timeout=30)
        if ev is None:
            raise RefIdpError("sealcall idp did not start: "
                              + self.proc.stderr_tail(5))
        self.port = ev["port"]
        self.domain = "%s:%d" % (self.host, self.port)
        self.cmdline = " ".join(["sealcall", "idp", "--domain", self.host,
                                 "--port", str(self.port), "--cert",
                                 "server.pem", "--key", "server.key",
                                 "--users", "users", "--signing-key",
                                 "signing.key"])

    def login(self, user):
        """Logs @user in through the login form, on one connection; the
        session cookie as NAME=VALUE."""
        if self.prefix:
            return self._login_in_netns(user)
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=20,
            context=ssl.create_default_context(cafile=self.ca))
        try:
            conn.request("GET", "/login")
            page = conn.getresponse().read()
            m = re.search(rb'name="csrf" value="([^"]+)"', page)
            if m is None:
                raise RefIdpError("no CSRF token in the login page")
            form = urllib.parse.urlencode({
                "csrf": m.group(1).decode(), "user": user,
                "password": self.passwords[user]})
            conn.request("POST", "/login", body=form.encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "__Host-sc_idp_csrf=" + m.group(1).decode()})
            resp = conn.getresponse()
            resp.read()
            got = [v.split(";")[0] for v in resp.headers.get_all(
                "Set-Cookie") or [] if v.startswith("__Host-sc_idp_session=")]
        finally:
            conn.close()
        if len(got) != 1:
            raise RefIdpError("login of %s failed (HTTP %d)"
                              % (user, resp.status))
        return got[0]

    def _login_in_netns(self, user):
        """login() run by a Python child in the namespace (the password on
        its stdin)."""
        code = ("import sys; sys.path.insert(0, %r); import refidp; "
                "i = refidp.RefIdp.__new__(refidp.RefIdp); i.prefix = []; "
                "i.ca = %r; i.port = %d; "
                "i.passwords = {%r: sys.stdin.read()}; print(i.login(%r))"
                % (os.path.dirname(os.path.abspath(__file__)), self.ca,
                   self.port, user, user))
        r = subprocess.run(self.prefix + ["/usr/bin/python3", "-c", code],
                           input=self.passwords[user].encode(),
                           capture_output=True, timeout=60)
        if r.returncode != 0:
            raise RefIdpError("login of %s failed: %s" % (
                user, r.stderr.decode("utf-8", "replace")[-400:]))
        return r.stdout.decode().strip()

    def session_file(self, user):
        """Logs @user in; a 0600 file for --idp-session."""
        path = os.path.join(self.tmp, "session-" + user)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.login(user) + "\n")
        return path

    def close(self):
        if self.proc is not None:
            if self.proc.p.poll() is None:
                os.kill(self.proc.p.pid, signal.SIGTERM)
                self.proc.wait_exit(20)
            self.proc.kill()
            self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)
