/* src/keys/cert.c - DTLS identities: fresh ECDSA P-256 self-signed
 * certificates (RFC 8827 §6.5, RFC 5763 §5), a new certificate over a
 * kept key (the per-origin store, store.c), and loading a configured
 * identity from a PEM file with its refusals (permissions, validity, key
 * type, mismatch); which hash our a=fingerprint uses (RFC 8122 §5).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "keys"
#include "core/core.h"
#include "keys/keys.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ScCert {
    gatomicrefcount ref;
    X509 *x509;
    EVP_PKEY *key;
    STACK_OF(X509) *chain; /* intermediates after the leaf, or NULL */
};

/* Drains OpenSSL's error queue into @error (C5.5: translate at the boundary). */
static void
set_openssl_error(GError **error, ScError code, const char *what)
{
    char detail[256] = "no OpenSSL detail";
    unsigned long e = ERR_peek_last_error();

    if (e != 0)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    g_set_error(error, SC_ERROR, code, "%s: %s", what, detail);
}

static ScCert *
cert_wrap(X509 *x509, EVP_PKEY *key)
{
    ScCert *c = g_new0(ScCert, 1);
    g_atomic_ref_count_init(&c->ref);
    c->x509 = x509;
    c->key = key;
    return c;
}

static gboolean
set_random_serial(X509 *x509)
{
    guint8 raw[16];
    gboolean ok = FALSE;

    sc_random_bytes(raw, sizeof(raw));
    raw[0] &= 0x7f; /* positive */
    raw[0] |= 0x40; /* and a full 127-bit value, never shorter */
    BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
    if (bn != NULL) {
        ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
        if (serial != NULL) {
            ok = X509_set_serialNumber(x509, serial) == 1;
            ASN1_INTEGER_free(serial);
        }
        BN_free(bn);
    }
    return ok;
}

ScCert *
sc_cert_new_for_key(EVP_PKEY *key, guint days, GError **error)
{
    g_return_val_if_fail(key != NULL && days > 0, NULL);
    X509 *x509 = X509_new();
    X509_NAME *name = NULL;
    const char *what = "cannot allocate a certificate";
    if (x509 == NULL)
        goto fail;
    what = "cannot fill in the certificate";
    if (X509_set_version(x509, X509_VERSION_3) != 1 ||
        !set_random_serial(x509) ||
        X509_gmtime_adj(X509_getm_notBefore(x509), -24L * 3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x509), (long)days * 24 * 3600) ==
            NULL ||
        X509_set_pubkey(x509, key) != 1)
        goto fail;
    name = X509_NAME_new();
    if (name == NULL ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"sealcall", -1, -1,
                                   0) != 1 ||
        X509_set_subject_name(x509, name) != 1 ||
        X509_set_issuer_name(x509, name) != 1)
        goto fail;
    X509_NAME_free(name);
    name = NULL;
    what = "cannot sign the certificate";
    if (X509_sign(x509, key, EVP_sha256()) <= 0)
        goto fail;
    if (EVP_PKEY_up_ref(key) != 1)
        goto fail;
    return cert_wrap(x509, key);

fail:
    set_openssl_error(error, SC_ERROR_INTERNAL, what);
    X509_NAME_free(name);
    X509_free(x509);
    return NULL;
}

ScCert *
sc_cert_new_ecdsa(GError **error)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == NULL) {
        set_openssl_error(error, SC_ERROR_INTERNAL,
                          "cannot generate an ECDSA P-256 key");
        return NULL;
    }
    ScCert *cert = sc_cert_new_for_key(key, 30, error);
    EVP_PKEY_free(key);
    return cert;
}

/* ---- loading a configured identity ---- */

gboolean
sc_keys_read_private_file(const char *path, gsize max_len, char **data_out,
                          gsize *len_out, GError **error)
{
    struct stat st;
    int fd;

    g_return_val_if_fail(path != NULL && data_out != NULL, FALSE);
    *data_out = NULL;
    *len_out = 0;
    /* O_NONBLOCK: a FIFO in place of the file must not hang us */
    fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE, "%s: %s", path,
                    g_strerror(e));
        return FALSE;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: not a regular file", path);
        close(fd);
        return FALSE;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: holds a private key but group or others may access "
                    "it (mode %04o); chmod 600 it",
                    path, (unsigned)(st.st_mode & 07777));
        close(fd);
        return FALSE;
    }
    if (st.st_size < 0 || (guint64)st.st_size > max_len) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: file too large (over %" G_GSIZE_FORMAT " bytes)",
                    path, max_len);
        close(fd);
        return FALSE;
    }
    /* one byte more than allowed, to see a file that grew meanwhile */
    gsize cap = (gsize)st.st_size + 1;
    char *buf = g_malloc(cap + 1);
    gsize got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE, "%s: %s",
                        path, g_strerror(e));
            sc_secure_wipe(buf, cap + 1);
            g_free(buf);
            close(fd);
            return FALSE;
        }
        if (n == 0)
            break;
        got += (gsize)n;
    }
    close(fd);
    if (got > max_len) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: file too large (over %" G_GSIZE_FORMAT " bytes)",
                    path, max_len);
        sc_secure_wipe(buf, cap + 1);
        g_free(buf);
        return FALSE;
    }
    buf[got] = '\0';
    *data_out = buf;
    *len_out = got;
    return TRUE;
}

/* RFC 8827 §6.5 and what browsers take: ECDSA on P-256 (what every
 * WebRTC stack makes) or P-384, or RSA of 2048 (NIST's minimum) to 8192
 * bits (beyond that a handshake costs seconds, and BoringSSL refuses
 * larger keys); no RSA-PSS, Ed25519 or P-521, which Chromium's DTLS does
 * not accept. */
static gboolean
check_key(EVP_PKEY *key, const char *name, GError **error)
{
    int type = EVP_PKEY_get_base_id(key);

    if (type == EVP_PKEY_RSA) {
        int bits = EVP_PKEY_get_bits(key);
        if (bits < 2048 || bits > 8192) {
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                        "%s: RSA key of %d bits is %s (2048 to 8192 bits)",
                        name, bits, bits < 2048 ? "too short" : "too long");
            return FALSE;
        }
        return TRUE;
    }
    if (type == EVP_PKEY_EC) {
        char group[64] = "";
        size_t glen = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof group, &glen) != 1)
            g_strlcpy(group, "an unnamed curve", sizeof group);
        ERR_clear_error();
        if (strcmp(group, "prime256v1") == 0 ||
            strcmp(group, "secp384r1") == 0)
            return TRUE;
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: unsupported key: ECDSA on %s (P-256 or P-384, or "
                    "RSA of at least 2048 bits)",
                    name, group);
        return FALSE;
    }
    g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                "%s: unsupported key type %s (ECDSA P-256 or P-384, or RSA "
                "of at least 2048 bits)",
                name, OBJ_nid2sn(type));
    return FALSE;
}

/* The certificates after the first (the leaf): the intermediates of a
 * CA-issued identity, sent in the handshake after it. */
static gboolean
read_chain(const char *data, int len, const char *name,
           STACK_OF(X509) **chain_out, GError **error)
{
    BIO *bio = BIO_new_mem_buf(data, len);
    X509 *c;

    *chain_out = NULL;
    if (bio == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: out of memory", name);
        return FALSE;
    }
    X509_free(PEM_read_bio_X509(bio, NULL, NULL, NULL)); /* the leaf */
    /* the file is at most 1 MiB: the count is checked as we go */
    while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (*chain_out == NULL)
            *chain_out = sk_X509_new_null();
        if (*chain_out == NULL || sk_X509_push(*chain_out, c) <= 0) {
            X509_free(c);
            goto oom;
        }
        if (sk_X509_num(*chain_out) > SC_CERT_CHAIN_MAX) {
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                        "%s: more than %d intermediate certificates after "
                        "the first",
                        name, SC_CERT_CHAIN_MAX);
            goto fail;
        }
    }
    BIO_free(bio);
    ERR_clear_error(); /* the last read ends with "no start line" */
    return TRUE;

oom:
    g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE, "%s: out of memory",
                name);
fail:
    BIO_free(bio);
    sk_X509_pop_free(*chain_out, X509_free);
    *chain_out = NULL;
    ERR_clear_error();
    return FALSE;
}

ScCert *
sc_cert_from_pem(const char *data, gsize len, const char *name,
                 GError **error)
{
    g_return_val_if_fail(data != NULL && name != NULL, NULL);

    X509 *x509 = NULL;
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;
    BIO *bio = NULL;
    if (len > G_MAXINT) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: file too large", name);
        return NULL;
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: out of memory", name);
        goto out;
    }
    x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x509 == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: malformed certificate (no readable PEM certificate "
                    "in the file)",
                    name);
        goto out;
    }
    /* The key may come before or after the certificate: reread from the
     * start. A passphrase-protected key is refused (no callback, empty
     * passphrase). */
    BIO_free(bio);
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: out of memory", name);
        goto out;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    ERR_clear_error();
    if (key != NULL && !read_chain(data, (int)len, name, &chain, error))
        goto out;
    if (key == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: no readable (unencrypted) PEM private key in the "
                    "file",
                    name);
        goto out;
    }
    ERR_clear_error(); /* PEM readers leave "no start line" entries */
    if (!check_key(key, name, error))
        goto out;
    if (X509_check_private_key(x509, key) != 1) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: the private key does not match the certificate",
                    name);
        goto out;
    }
    BIO_free(bio);
    ScCert *c = cert_wrap(x509, key);
    c->chain = chain;
    return c;

out:
    BIO_free(bio);
    X509_free(x509);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    return NULL;
}

/* seconds since the epoch of an ASN1_TIME; FALSE if unreadable */
static gboolean
asn1_time_to_unix(const ASN1_TIME *t, gint64 *out)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return FALSE;
    g_autoptr(GDateTime) dt =
        g_date_time_new_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (dt == NULL)
        return FALSE;
    *out = g_date_time_to_unix(dt);
    return TRUE;
}

void
sc_cert_get_validity(ScCert *cert, gint64 *not_before, gint64 *not_after)
{
    g_return_if_fail(cert != NULL);
    if (!asn1_time_to_unix(X509_get0_notBefore(cert->x509), not_before))
        *not_before = G_MAXINT64; /* unreadable: never valid */
    if (!asn1_time_to_unix(X509_get0_notAfter(cert->x509), not_after))
        *not_after = G_MININT64;
}

static char *
format_utc(gint64 t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
    return dt != NULL ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S UTC")
                      : g_strdup("an unreadable date");
}

gboolean
sc_cert_check_validity(ScCert *cert, gint64 now, const char *name,
                       GError **error)
{
    gint64 nb, na;

    g_return_val_if_fail(cert != NULL && name != NULL, FALSE);
    sc_cert_get_validity(cert, &nb, &na);
    if (nb == G_MAXINT64 || na == G_MININT64) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: malformed certificate (unreadable validity period)",
                    name);
        return FALSE;
    }
    if (now < nb) {
        g_autofree char *when = format_utc(nb);
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: the certificate is not valid before %s", name,
                    when);
        return FALSE;
    }
    if (now > na) {
        g_autofree char *when = format_utc(na);
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: the certificate expired on %s", name, when);
        return FALSE;
    }
    return TRUE;
}

ScCert *
sc_cert_load_pem(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);

    char *data = NULL;
    gsize len = 0;
    if (!sc_keys_read_private_file(path, 1024 * 1024, &data, &len, error))
        return NULL;
    ScCert *cert = sc_cert_from_pem(data, len, path, error);
    sc_secure_wipe(data, len);
    g_free(data);
    if (cert != NULL &&
        !sc_cert_check_validity(cert, g_get_real_time() / G_USEC_PER_SEC,
                                path, error))
        g_clear_pointer(&cert, sc_cert_unref);
    return cert;
}

char *
sc_cert_to_pem(ScCert *cert, gsize *len_out)
{
    char *mem = NULL;
    char *out = NULL;

    g_return_val_if_fail(cert != NULL && len_out != NULL, NULL);
    BIO *bio = BIO_new(BIO_s_secmem());
    if (bio == NULL)
        return NULL;
    if (PEM_write_bio_PrivateKey(bio, cert->key, NULL, NULL, 0, NULL,
                                 NULL) == 1 &&
        PEM_write_bio_X509(bio, cert->x509) == 1) {
        long n = BIO_get_mem_data(bio, &mem);
        if (n > 0) {
            out = g_malloc((gsize)n + 1);
            memcpy(out, mem, (gsize)n);
            out[n] = '\0';
            *len_out = (gsize)n;
        }
    }
    BIO_free(bio); /* a secure-heap BIO: cleansed when freed */
    ERR_clear_error();
    return out;
}

ScHash
sc_cert_get_fingerprint_hash(ScCert *cert)
{
    int md = NID_undef;

    g_return_val_if_fail(cert != NULL, SC_HASH_SHA256);
    if (X509_get_signature_info(cert->x509, &md, NULL, NULL, NULL) != 1)
        md = NID_undef;
    ERR_clear_error();
    switch (md) {
    case NID_sha384:
        return SC_HASH_SHA384;
    case NID_sha512:
        return SC_HASH_SHA512;
    default:
        return SC_HASH_SHA256;
    }
}

ScCert *
sc_cert_ref(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    g_atomic_ref_count_inc(&cert->ref);
    return cert;
}

void
sc_cert_unref(ScCert *cert)
{
    if (cert == NULL)
        return;
    if (!g_atomic_ref_count_dec(&cert->ref))
        return;
    X509_free(cert->x509);
    EVP_PKEY_free(cert->key);
    sk_X509_pop_free(cert->chain, X509_free);
    g_free(cert);
}

X509 *
sc_cert_get_x509(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    return cert->x509;
}

STACK_OF(X509) *
sc_cert_get_chain(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    return cert->chain;
}

EVP_PKEY *
sc_cert_get_key(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    return cert->key;
}

char *
sc_cert_get_fingerprint(ScCert *cert, ScHash hash)
{
    ScFingerprint fp;

    g_return_val_if_fail(cert != NULL, NULL);
    g_return_val_if_fail((guint)hash < SC_HASH_N, NULL);
    if (!sc_fingerprint_compute(cert->x509, hash, &fp))
        return NULL;
    return sc_fingerprint_to_string(&fp);
}
