/* src/keys/fingerprint.c - the certificate check (RFC 8122 §5.1, RFC 5763
 * §5, RFC 8842 §5) and the SAS. The a=fingerprint value syntax and the rule
 * for acceptable hashes are sdp/sdp-fingerprint.c's (one parser).
 * Pure apart from the digest computation: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "keys"
#include "core/core.h"
#include "keys/keys.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

static const EVP_MD *
hash_md(ScHash hash)
{
    switch (hash) {
    case SC_HASH_SHA1:
        return EVP_sha1();
    case SC_HASH_SHA224:
        return EVP_sha224();
    case SC_HASH_SHA256:
        return EVP_sha256();
    case SC_HASH_SHA384:
        return EVP_sha384();
    case SC_HASH_SHA512:
        return EVP_sha512();
    case SC_HASH_N:
    default:
        return NULL;
    }
}

gboolean
sc_fingerprint_compute(X509 *cert, ScHash hash, ScFingerprint *out)
{
    unsigned int n = 0;
    ScFingerprint fp = {.hash = hash};

    g_return_val_if_fail(cert != NULL, FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    const EVP_MD *md = hash_md(hash);
    g_return_val_if_fail(md != NULL, FALSE);

    if (X509_digest(cert, md, fp.digest, &n) != 1 ||
        n != sc_hash_digest_len(hash)) {
        ERR_clear_error();
        return FALSE;
    }
    fp.len = n;
    *out = fp;
    return TRUE;
}

gboolean
sc_fingerprint_verify(X509 *cert, const ScFingerprint *fps, gsize n_fps,
                      ScFingerprint *matched_out, GError **error)
{
    g_return_val_if_fail(cert != NULL, FALSE);
    g_return_val_if_fail(fps != NULL || n_fps == 0, FALSE);

    /* RFC 8122 §5.1: the set of fingerprints under our most preferred hash
     * among those offered. We prefer the strongest; below SHA-256 we refuse
     * (RFC 8122 prefers SHA-256, and SHA-1 is broken for collisions). */
    ScHash best = SC_HASH_N;
    for (gsize i = 0; i < n_fps; i++) {
        if ((guint)fps[i].hash >= SC_HASH_N ||
            fps[i].len != sc_hash_digest_len(fps[i].hash) ||
            !sc_hash_is_accepted(fps[i].hash))
            continue;
        if (best == SC_HASH_N || fps[i].hash > best)
            best = fps[i].hash;
    }
    if (best == SC_HASH_N) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "no usable remote fingerprint (%" G_GSIZE_FORMAT
                    " offered; sha-256 or stronger is required)",
                    n_fps);
        return FALSE;
    }

    ScFingerprint got;
    if (!sc_fingerprint_compute(cert, best, &got)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                    "cannot compute the %s digest of the peer certificate",
                    sc_hash_to_string(best));
        return FALSE;
    }

    /* Compare against every candidate without an early exit. */
    gsize match = n_fps;
    for (gsize i = 0; i < n_fps; i++) {
        if (fps[i].hash != best || fps[i].len != got.len)
            continue;
        if (sc_secure_equal(fps[i].digest, got.digest, got.len) &&
            match == n_fps)
            match = i;
    }
    if (match == n_fps) {
        g_autofree char *received = sc_fingerprint_to_string(&got);
        const ScFingerprint *first = NULL;
        for (gsize i = 0; i < n_fps && first == NULL; i++)
            if (fps[i].hash == best)
                first = &fps[i];
        g_autofree char *expected = sc_fingerprint_to_string(first);
        g_set_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH,
                    "certificate fingerprint mismatch: expected %s, "
                    "received %s",
                    expected, received);
        return FALSE;
    }
    if (matched_out != NULL)
        *matched_out = fps[match];
    return TRUE;
}

/* Orders fingerprints by (hash, len, digest): public values, plain memcmp. */
static int
fingerprint_cmp(const ScFingerprint *a, const ScFingerprint *b)
{
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return memcmp(a->digest, b->digest, a->len);
}

char *
sc_fingerprint_sas(const ScFingerprint *a, const ScFingerprint *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, NULL);
    g_return_val_if_fail(a->len <= SC_FINGERPRINT_MAX_DIGEST, NULL);
    g_return_val_if_fail(b->len <= SC_FINGERPRINT_MAX_DIGEST, NULL);

    const ScFingerprint *lo = a, *hi = b;
    if (fingerprint_cmp(a, b) > 0) {
        lo = b;
        hi = a;
    }
    guint8 buf[2 * (1 + SC_FINGERPRINT_MAX_DIGEST)];
    gsize n = 0;
    buf[n++] = (guint8)lo->hash;
    memcpy(buf + n, lo->digest, lo->len);
    n += lo->len;
    buf[n++] = (guint8)hi->hash;
    memcpy(buf + n, hi->digest, hi->len);
    n += hi->len;

    guint8 md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(buf, n, md, &md_len, EVP_sha256(), NULL) != 1 ||
        md_len < 8) {
        ERR_clear_error();
        return NULL;
    }
    return g_strdup_printf("%02X%02X-%02X%02X-%02X%02X-%02X%02X", md[0],
                           md[1], md[2], md[3], md[4], md[5], md[6], md[7]);
}
