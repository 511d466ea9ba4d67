#!/usr/bin/env python3
"""DTLS key scopes (issue 13 point 1, interop contract section 5), with
real calls through a relay that records every description:

- `--key-scope per-origin`: two calls through one relay (one signaling
  origin) put the same a=fingerprint in their descriptions, on each side
  (each endpoint has its own store: its own XDG_DATA_HOME), and connect; a
  call through another relay (another origin) gets another key; default
  calls get a fresh one each time. The inspector's transport.key_scope
  says which. The store is 0700 with 0600 files.
- `sealcall keys list` shows the origin and the fingerprint the calls
  used; `keys forget ORIGIN` removes it (exit 0), a second forget says
  there is none (exit 1), and the next per-origin call makes a new key.
- `--cert FILE`: certificates made now with the openssl tool (ECDSA P-256
  signed with SHA-256, P-384 with SHA-384, RSA-2048): the calls connect, our
  a=fingerprint is the certificate's (sha-384 for the second: the hash
  follows the certificate), key_scope is "configured".
- Each refusal of a configured certificate, from the command line: a
  one-line error naming the file and the reason, exit 1, nothing on
  stdout, no signaling (a group-readable file, an expired and a not yet
  valid certificate, a malformed one, a P-521 key, a 1024-bit RSA key,
  a key that does not match); --cert with --key-scope is a usage error
  (exit 2); a store directory others may read makes a per-origin call
  fail before signaling, naming the directory."""
import datetime
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib"))
import sctest  # noqa: E402

here = os.path.join(os.environ.get("TOP_SRCDIR", "."), "tests", "lib")
tap = sctest.Tap()
tmp = tempfile.mkdtemp(prefix="sealcall-keys-")
O_ENV = {"XDG_DATA_HOME": os.path.join(tmp, "o")}
A_ENV = {"XDG_DATA_HOME": os.path.join(tmp, "a")}
PER_ORIGIN = ["--key-scope", "per-origin"]


def start_recording_relay(name):
    relay = sctest.Proc([sys.executable, os.path.join(here, "mitm_relay.py"),
                         "--record", "--sdp"], name)
    ev = relay.wait_event("listening", timeout=20)
    if ev is None:
        raise RuntimeError("relay did not start: " + relay.stderr_tail())
    return relay, ev["port"]


def fingerprint(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=fingerprint:"):
            return line[len("a=fingerprint:"):]
    return None


def key_scope(p):
    p.send({"cmd": "inspect"})
    ev = p.wait_event("inspector", timeout=10)
    if ev is None:
        return None, None
    t = ev.get("report", {}).get("transport", {})
    return t.get("key_scope"), t.get("local_fingerprint")


def run_call(relay, port, room, offer_extra=None, answer_extra=None,
             connect=True):
    """One call; returns (offer fp, answer fp, offerer's and answerer's
    (key_scope, inspector fingerprint) or None when not @connect)."""
    start = len(relay.events)
    call = sctest.Call(room=room, relay=relay, port=port,
                       offer_extra=offer_extra, answer_extra=answer_extra,
                       offer_env=O_ENV, answer_env=A_ENV)
    off, ans = call.both()
    res = {"offer": None, "answer": None, "off": None, "ans": None,
           "diag": ""}
    try:
        for kind in ("offer", "answer"):
            ev = relay.wait_for(lambda e, k=kind: e.get("event") == "frame" and
                                e.get("type") == k and "sdp" in e, 30, start)
            res[kind] = fingerprint(ev["sdp"]) if ev else None
        if connect:
            if call.wait_open():
                res["off"] = key_scope(off)
                res["ans"] = key_scope(ans)
            off.send({"cmd": "hangup"})
            off.wait_exit(20)
            ans.wait_exit(20)
        res["diag"] = call.diag()
    finally:
        call.close()
    return res


def keys_cmd(env, *args):
    e = dict(os.environ)
    e.update(env)
    r = subprocess.run([sctest.SEALCALL, "keys"] + list(args), env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


r1, p1 = start_recording_relay("relay-1")
r2, p2 = start_recording_relay("relay-2")
origin1 = "ws://127.0.0.1:%d" % p1
try:
    # ---- per-origin: the same key for one origin, on both sides ----
    c1 = run_call(r1, p1, "k1", PER_ORIGIN, PER_ORIGIN)
    c2 = run_call(r1, p1, "k2", PER_ORIGIN, PER_ORIGIN)
    tap.ok(c1["off"] is not None and c2["off"] is not None,
           "two per-origin calls through one relay connect", c1["diag"])
    tap.ok(c1["offer"] is not None and c1["offer"] == c2["offer"],
           "per-origin: the offerer's a=fingerprint is the same in both "
           "calls", (c1["offer"], c2["offer"]))
    tap.ok(c1["answer"] is not None and c1["answer"] == c2["answer"],
           "per-origin: the answerer's a=fingerprint is the same in both "
           "calls", (c1["answer"], c2["answer"]))
    tap.ok(c1["offer"] != c1["answer"],
           "each endpoint has its own key (own store)")
    tap.ok(c2["off"] == ("per-origin", c2["offer"]) and
           c2["ans"] == ("per-origin", c2["answer"]),
           "inspector: key_scope per-origin and the fingerprint signalled",
           (c2["off"], c2["ans"]))
    c3 = run_call(r2, p2, "k3", PER_ORIGIN, PER_ORIGIN, connect=False)
    tap.ok(c3["offer"] is not None and c3["offer"] != c1["offer"] and
           c3["answer"] != c1["answer"],
           "per-origin: another relay (origin) gets another key",
           (c3["offer"], c1["offer"]))

    # ---- per-call (default): a fresh key each call ----
    d1 = run_call(r1, p1, "d1")
    d2 = run_call(r1, p1, "d2", connect=False)
    tap.ok(None not in (d1["offer"], d2["offer"], d1["answer"], d2["answer"])
           and d1["offer"] != d2["offer"] and d1["answer"] != d2["answer"] and
           c1["offer"] not in (d1["offer"], d2["offer"]),
           "default: each call's a=fingerprint is fresh, on both sides",
           (d1["offer"], d2["offer"]))
    tap.ok(d1["off"] is not None and d1["off"][0] == "per-call",
           "inspector: key_scope per-call by default", d1["off"])

    # ---- the store on disk ----
    store = os.path.join(O_ENV["XDG_DATA_HOME"], "sealcall", "keys")
    files = sorted(os.listdir(store)) if os.path.isdir(store) else []
    modes = [stat.S_IMODE(os.stat(os.path.join(store, f)).st_mode)
             for f in files]
    tap.ok(stat.S_IMODE(os.stat(store).st_mode) == 0o700 and
           len(files) == 2 and all(m == 0o600 for m in modes) and
           all(f.endswith(".pem") and not f.startswith(".") for f in files),
           "store: directory 0700, one 0600 file per origin, nothing else",
           (files, [oct(m) for m in modes]))

    # ---- keys list / forget ----
    rc, out, err = keys_cmd(O_ENV, "list")
    line1 = [ln for ln in out.splitlines() if ln.startswith(origin1 + " ")]
    tap.ok(rc == 0 and len(line1) == 1 and c1["offer"] in line1[0] and
           "ws://127.0.0.1:%d " % p2 in out and "expires " in line1[0],
           "keys list: origin, fingerprint and dates of each key", out + err)
    rc, out, err = keys_cmd(O_ENV, "forget", origin1 + "/room/k1")
    tap.ok(rc == 0 and "forgot" in out and origin1 in out,
           "keys forget ORIGIN (given as the signal URL): exit 0", out + err)
    rc, out, err = keys_cmd(O_ENV, "list")
    tap.ok(rc == 0 and origin1 + " " not in out and
           "ws://127.0.0.1:%d " % p2 in out,
           "keys list: the forgotten origin is gone, the other stays", out)
    rc, out, err = keys_cmd(O_ENV, "forget", origin1)
    tap.ok(rc == 1 and "no key for " + origin1 in err and
           err.count("\n") == 1 and out == "",
           "keys forget again: one-line 'no key for ORIGIN', exit 1", err)
    rc, out, err = keys_cmd(O_ENV, "forget", "../../etc/passwd")
    tap.ok(rc == 2 and err.count("\n") == 1,
           "keys forget with a non-origin: usage error, exit 2", err)
    c4 = run_call(r1, p1, "k4", PER_ORIGIN, PER_ORIGIN, connect=False)
    tap.ok(c4["offer"] is not None and c4["offer"] != c1["offer"] and
           c4["answer"] == c1["answer"],
           "after forget, the origin gets a new key (the peer's is kept)",
           (c4["offer"], c1["offer"]))
    # a key file whose origin line holds escape sequences (written by
    # someone else into the store): shown escaped, never raw
    with open(os.path.join(store, sorted(os.listdir(store))[0]), "rb") as f:
        body = f.read().split(b"\n", 3)[3]
    evil = os.path.join(store, "evil.pem")
    with open(evil, "wb") as f:
        f.write(b"origin: ws://\x1b[2J\x1b]0;owned\x07x:80\ncreated: 1\n" + body)
    os.chmod(evil, 0o600)
    rc, out, err = keys_cmd(O_ENV, "list")
    tap.ok(rc == 0 and "\x1b" not in out and "\x07" not in out and
           "\\x1b[2J" in out,
           "keys list: an origin read from a file is shown escaped", out)
    os.unlink(evil)
    rc, out, err = keys_cmd({"XDG_DATA_HOME": os.path.join(tmp, "none")},
                            "list")
    tap.ok(rc == 0 and "no per-origin keys" in out,
           "keys list on an empty store", out + err)

    # ---- --cert FILE ----
    def openssl_cert(name, newkey, md, days=30):
        key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".crt")
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-" + md,
                        "-days", str(days), "-subj", "/CN=sealcall-test",
                        "-keyout", key, "-out", crt] + newkey, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return key, crt

    def bundle(name, key, crt, mode=0o600):
        path = os.path.join(tmp, name + ".pem")
        with open(path, "wb") as f:
            for part in (crt, key):
                with open(part, "rb") as g:
                    f.write(g.read())
        os.chmod(path, mode)
        return path

    def openssl_fp(crt, md):
        out = subprocess.run(["openssl", "x509", "-in", crt, "-noout",
                              "-fingerprint", "-" + md], check=True,
                             stdout=subprocess.PIPE).stdout.decode()
        return out.strip().split("=", 1)[1]

    ec_key, ec_crt = openssl_cert("ec256", ["-newkey", "ec", "-pkeyopt",
                                            "ec_paramgen_curve:P-256"],
                                  "sha256")
    p384_key, p384_crt = openssl_cert("ec384", ["-newkey", "ec", "-pkeyopt",
                                                "ec_paramgen_curve:P-384"],
                                      "sha384")
    ec_pem = bundle("ec256", ec_key, ec_crt)
    p384_pem = bundle("ec384", p384_key, p384_crt)
    cc = run_call(r1, p1, "c1", ["--cert", ec_pem], ["--cert", p384_pem])
    tap.ok(cc["off"] is not None,
           "--cert: a call with configured certificates connects", cc["diag"])
    tap.ok(cc["offer"] == "sha-256 " + openssl_fp(ec_crt, "sha256"),
           "--cert: the offer's a=fingerprint is the P-256 certificate's",
           cc["offer"])
    tap.ok(cc["answer"] == "sha-384 " + openssl_fp(p384_crt, "sha384"),
           "--cert: a SHA-384-signed certificate is signalled as sha-384",
           cc["answer"])
    tap.ok(cc["off"] == ("configured", cc["offer"]) and
           cc["ans"] == ("configured", cc["answer"]),
           "inspector: key_scope configured", (cc["off"], cc["ans"]))

    rsa_key2, rsa_crt2 = openssl_cert("rsa2048", ["-newkey", "rsa:2048"],
                                      "sha256")
    rsa_pem = bundle("rsa2048", rsa_key2, rsa_crt2)
    cr = run_call(r1, p1, "c2", ["--cert", rsa_pem])
    tap.ok(cr["off"] is not None and cr["off"][0] == "configured" and
           cr["offer"] == "sha-256 " + openssl_fp(rsa_crt2, "sha256"),
           "--cert: an RSA-2048 certificate works too (ECDHE-RSA)",
           (cr["off"], cr["diag"]))

    # ---- refusals, from the command line ----
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def dated(name, start, end):
        k = ec.generate_private_key(ec.SECP256R1())
        n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "t")])
        c = (x509.CertificateBuilder().subject_name(n).issuer_name(n)
             .public_key(k.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(end)
             .sign(k, hashes.SHA256()))
        path = os.path.join(tmp, name + ".pem")
        with open(path, "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.PEM))
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        os.chmod(path, 0o600)
        return path

    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    p521_key, p521_crt = openssl_cert("ec521", ["-newkey", "ec", "-pkeyopt",
                                                "ec_paramgen_curve:P-521"],
                                      "sha512")
    rsa_key, rsa_crt = openssl_cert("rsa1024", ["-newkey", "rsa:1024"],
                                    "sha256")
    garbage = os.path.join(tmp, "garbage.pem")
    with open(garbage, "wb") as f:
        f.write(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
                b"-----END CERTIFICATE-----\n")
    os.chmod(garbage, 0o600)
    refusals = [
        (bundle("group", ec_key, ec_crt, 0o640), "group or others may access"),
        (bundle("world", ec_key, ec_crt, 0o604), "group or others may access"),
        (dated("expired", now - 10 * day, now - day), "the certificate expired on"),
        (dated("future", now + day, now + 10 * day), "not valid before"),
        (garbage, "malformed certificate"),
        (bundle("p521", p521_key, p521_crt), "unsupported key: ECDSA on secp521r1"),
        (bundle("rsa1024", rsa_key, rsa_crt), "RSA key of 1024 bits is too short"),
        (bundle("mismatch", p384_key, ec_crt), "does not match the certificate"),
        (os.path.join(tmp, "missing.pem"), "No such file"),
    ]
    url = "ws://127.0.0.1:%d/room/refused" % p1
    before = len(r1.events)
    for path, reason in refusals:
        p = sctest.endpoint("call", url, "refused", ["--cert", path],
                            env=O_ENV)
        rc = p.wait_exit(20)
        err = open(p.stderr_path, "rb").read().decode(errors="replace")
        tap.ok(rc == 1 and path in err and reason in err and
               err.count("\n") == 1 and p.lines == [],
               "--cert %s: refused with one line naming the file and '%s', "
               "exit 1" % (os.path.basename(path), reason), (rc, err))
    tap.ok(not any(e.get("event") == "frame" for e in r1.events[before:]),
           "a refused certificate: nothing was signalled")
    p = sctest.endpoint("call", url, "both", ["--cert", ec_pem] + PER_ORIGIN,
                        env=O_ENV)
    rc = p.wait_exit(20)
    err = open(p.stderr_path, "rb").read().decode(errors="replace")
    tap.ok(rc == 2 and "contradict" in err, "--cert with --key-scope: exit 2",
           err)
    p = sctest.endpoint("call", url, "badscope", ["--key-scope", "per-site"],
                        env=O_ENV)
    rc = p.wait_exit(20)
    err = open(p.stderr_path, "rb").read().decode(errors="replace")
    tap.ok(rc == 2 and "not one of per-call, per-origin" in err and
           err.count("\n") == 1, "--key-scope per-site: exit 2", err)
    os.chmod(store, 0o755)
    p = sctest.endpoint("call", url, "openstore", PER_ORIGIN, env=O_ENV)
    rc = p.wait_exit(20)
    err = open(p.stderr_path, "rb").read().decode(errors="replace")
    tap.ok(rc == 1 and store in err and "mode 0755" in err and
           err.count("\n") == 1,
           "per-origin with a store others may read: refused, exit 1", err)
    os.chmod(store, 0o700)
finally:
    r1.kill()
    r2.kill()
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
