/* src/sdp/sdp-fingerprint.c - the a=fingerprint value (RFC 8122 §5) and the
 * one rule for which hashes we accept (RFC 8122 §5, RFC 8827 §6.5): SHA-256,
 * SHA-384 and SHA-512. Every layer that reads a fingerprint (the SDP parser
 * and writer, keys/ for the certificate check, dtls/) goes through
 * sc_fingerprint_parse(); keys/ sits above sdp/ (STYLE.md C2), so the parser
 * lives here.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

#include <string.h>

static const struct {
    const char *name;
    gsize len;
} hash_info[SC_HASH_N] = {
    [SC_HASH_SHA1] = {"sha-1", 20},     [SC_HASH_SHA224] = {"sha-224", 28},
    [SC_HASH_SHA256] = {"sha-256", 32}, [SC_HASH_SHA384] = {"sha-384", 48},
    [SC_HASH_SHA512] = {"sha-512", 64},
};

const char *
sc_hash_to_string(ScHash hash)
{
    if ((guint)hash >= SC_HASH_N)
        return NULL;
    return hash_info[hash].name;
}

gsize
sc_hash_digest_len(ScHash hash)
{
    if ((guint)hash >= SC_HASH_N)
        return 0;
    return hash_info[hash].len;
}

gboolean
sc_hash_is_accepted(ScHash hash)
{
    return hash >= SC_HASH_SHA256 && hash < SC_HASH_N;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static gboolean
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 4566 token characters (RFC 8122: hash-func = ... / token). */
static gboolean
is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`{|}~", c));
}

gboolean
sc_fingerprint_parse(const char *text, ScFingerprint *out, GError **error)
{
    g_return_val_if_fail(text != NULL, FALSE);
    g_return_val_if_fail(out != NULL, FALSE);

    const char *p = text;
    while (is_space(*p))
        p++;
    const char *name = p;
    while (is_token_char(*p))
        p++;
    gsize name_len = (gsize)(p - name);
    if (name_len == 0 || *p != ' ') {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "fingerprint: expected \"<hash> <hex>\"");
        return FALSE;
    }
    p++;

    ScHash hash = SC_HASH_N;
    for (guint i = 0; i < SC_HASH_N; i++) {
        if (strlen(hash_info[i].name) == name_len &&
            g_ascii_strncasecmp(name, hash_info[i].name, name_len) == 0) {
            hash = (ScHash)i;
            break;
        }
    }
    if (!sc_hash_is_accepted(hash)) {
        /* sha-1, sha-224, md2, md5 (RFC 8122 §5 forbids the last two) and
         * unknown tokens. Show at most 16 characters of the name (token
         * characters only, but attacker-chosen). */
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "fingerprint: hash \"%.*s\"%s is not accepted (sha-256, "
                    "sha-384 or sha-512 is required)",
                    (int)MIN(name_len, 16), name, name_len > 16 ? "..." : "");
        return FALSE;
    }

    /* Digest: HEX HEX *(":" HEX HEX), trailing white space allowed. */
    ScFingerprint fp = {.hash = hash, .len = 0};
    gsize want = hash_info[hash].len;
    for (;;) {
        int hi = hex_value(p[0]);
        int lo = hi < 0 ? -1 : hex_value(p[1]);
        if (hi < 0 || lo < 0) {
            g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                        "fingerprint: bad hex at byte %" G_GSIZE_FORMAT,
                        fp.len);
            return FALSE;
        }
        if (fp.len == want) {
            g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                        "fingerprint: %s digest longer than %" G_GSIZE_FORMAT
                        " bytes",
                        hash_info[hash].name, want);
            return FALSE;
        }
        fp.digest[fp.len++] = (guint8)((hi << 4) | lo);
        p += 2;
        if (*p != ':')
            break;
        p++;
    }
    while (is_space(*p))
        p++;
    if (*p != '\0') {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "fingerprint: unexpected character after the digest");
        return FALSE;
    }
    if (fp.len != want) {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "fingerprint: %s digest has %" G_GSIZE_FORMAT
                    " bytes, expected %" G_GSIZE_FORMAT,
                    hash_info[hash].name, fp.len, want);
        return FALSE;
    }
    *out = fp;
    return TRUE;
}

char *
sc_fingerprint_to_string(const ScFingerprint *fp)
{
    static const char hex[] = "0123456789ABCDEF";

    g_return_val_if_fail(fp != NULL, NULL);
    g_return_val_if_fail((guint)fp->hash < SC_HASH_N, NULL);
    g_return_val_if_fail(fp->len == hash_info[fp->hash].len, NULL);

    GString *s = g_string_sized_new(8 + fp->len * 3);
    g_string_append(s, hash_info[fp->hash].name);
    g_string_append_c(s, ' ');
    for (gsize i = 0; i < fp->len; i++) {
        if (i > 0)
            g_string_append_c(s, ':');
        g_string_append_c(s, hex[fp->digest[i] >> 4]);
        g_string_append_c(s, hex[fp->digest[i] & 0xf]);
    }
    return g_string_free(s, FALSE);
}

char *
sc_fingerprint_normalize(const char *text, GError **error)
{
    ScFingerprint fp;

    if (!sc_fingerprint_parse(text, &fp, error))
        return NULL;
    return sc_fingerprint_to_string(&fp);
}

gboolean
sc_fingerprint_equal(const ScFingerprint *a, const ScFingerprint *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);
    return a->hash == b->hash && a->len == b->len &&
           a->len <= sizeof(a->digest) &&
           memcmp(a->digest, b->digest, a->len) == 0;
}
