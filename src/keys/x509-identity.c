/* src/keys/x509-identity.c - X.509 peer identities (seed 001 §5.5, issue
 * 14 point 7): the peer's DTLS certificate chain checked against the
 * trust anchors of --ca only (never the system's web PKI, which does not
 * vouch for persons): validity dates, basic constraints and path length
 * (OpenSSL's chain check), and for the leaf itself no CA, key usage
 * allowing signatures and an extended key usage allowing TLS where
 * present; then who it names: its first rfc822Name (email) SAN in
 * user@domain form, else its subject CN, and the subject and issuer as
 * RFC 2253 strings. Everything read from the certificate is the peer's:
 * bounded and limited to printable text.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "keys"
#include "core/core.h"
#include "keys/keys.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#define NAME_MAX_LEN 1024 /* RFC 2253 subject or issuer shown, bytes */
#define IDENTITY_MAX_LEN 512

G_DEFINE_QUARK(sc-x509-error-quark, sc_x509_error)

static const char *const names[SC_X509_ERROR_N] = {
    [SC_X509_ERROR_UNTRUSTED] = "x509-untrusted",
    [SC_X509_ERROR_EXPIRED] = "x509-expired",
    [SC_X509_ERROR_USAGE] = "x509-bad-usage",
    [SC_X509_ERROR_NO_IDENTITY] = "x509-no-identity",
    [SC_X509_ERROR_ANCHORS] = "x509-no-anchors",
    [SC_X509_ERROR_MISMATCH] = "x509-identity-mismatch",
};

const char *
sc_x509_error_name(ScX509Error code)
{
    return (guint)code < SC_X509_ERROR_N ? names[code] : "x509-untrusted";
}

void
sc_x509_identity_free(ScX509Identity *id)
{
    if (id == NULL)
        return;
    g_free(id->identity);
    g_free(id->subject);
    g_free(id->issuer);
    g_free(id);
}

X509_STORE *
sc_x509_anchors_load(const char *path, GError **error)
{
    X509_STORE *store;

    g_return_val_if_fail(path != NULL, NULL);
    /* a store of its own: nothing from the system's default paths */
    store = X509_STORE_new();
    if (store == NULL || X509_STORE_load_file(store, path) != 1) {
        char detail[256] = "no OpenSSL detail";
        unsigned long e = ERR_peek_last_error();
        if (e != 0)
            ERR_error_string_n(e, detail, sizeof detail);
        ERR_clear_error();
        X509_STORE_free(store);
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_ANCHORS,
                    "cannot read the --ca trust anchors (%s)", detail);
        return NULL;
    }
    return store;
}

/* Printable ASCII only (what RFC 2253 output is, its escapes included),
 * at most @max bytes: anything else becomes '?'. */
static char *
printable(const char *s, gsize len, gsize max)
{
    char *out = g_strndup(s, MIN(len, max));

    for (char *p = out; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    return out;
}

static char *
name_rfc2253(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem = NULL;
    char *out = NULL;
    long n;

    if (bio == NULL)
        return g_strdup("?");
    /* RFC 2253 with its escapes: control characters and bytes over 0x7f
     * come out as \XX, so the text is ASCII */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
        (n = BIO_get_mem_data(bio, &mem)) >= 0)
        out = printable(mem != NULL ? mem : "", (gsize)n, NAME_MAX_LEN);
    BIO_free(bio);
    ERR_clear_error();
    return out != NULL ? out : g_strdup("?");
}

/* "user@domain": one '@' with text on both sides, printable ASCII, no
 * space; the domain a host name. */
static gboolean
email_ok(const unsigned char *s, int len)
{
    const unsigned char *at = NULL;

    if (len < 3 || len > IDENTITY_MAX_LEN)
        return FALSE;
    for (int i = 0; i < len; i++) {
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return FALSE;
        if (s[i] == '@') {
            if (at != NULL)
                return FALSE;
            at = s + i;
        }
    }
    if (at == NULL || at == s || at == s + len - 1)
        return FALSE;
    for (const unsigned char *p = at + 1; p < s + len; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
            return FALSE;
    return TRUE;
}

static char *
email_san(X509 *leaf)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL,
                                           NULL);
    char *out = NULL;

    for (int i = 0; gens != NULL && out == NULL &&
                    i < sk_GENERAL_NAME_num(gens);
         i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type != GEN_EMAIL)
            continue;
        const unsigned char *d = ASN1_STRING_get0_data(g->d.rfc822Name);
        int n = ASN1_STRING_length(g->d.rfc822Name);
        if (d != NULL && email_ok(d, n))
            out = g_strndup((const char *)d, (gsize)n);
    }
    GENERAL_NAMES_free(gens);
    ERR_clear_error();
    return out;
}

/* The subject CN as UTF-8 without control characters, or NULL. */
static char *
subject_cn(X509 *leaf)
{
    const X509_NAME *name = X509_get_subject_name(leaf);
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    unsigned char *utf8 = NULL;
    char *out = NULL;
    int n;

    if (i < 0)
        return NULL;
    n = ASN1_STRING_to_UTF8(
        &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n > 0 && n <= IDENTITY_MAX_LEN &&
        g_utf8_validate((const char *)utf8, n, NULL)) {
        gboolean ok = TRUE;
        for (const char *p = (const char *)utf8; ok && p < (char *)utf8 + n;
             p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            ok = !g_unichar_iscntrl(c) && c != 0 &&
                 g_unichar_type(c) != G_UNICODE_FORMAT;
        }
        if (ok)
            out = g_strndup((const char *)utf8, (gsize)n);
    }
    OPENSSL_free(utf8);
    ERR_clear_error();
    return out;
}

/* The leaf identifies a person (or a service), not an authority, and may
 * sign a TLS handshake. */
static gboolean
leaf_usage_ok(X509 *leaf, GError **error)
{
    uint32_t flags = X509_get_extension_flags(leaf); /* caches them */

    if ((flags & EXFLAG_INVALID) != 0)
        return g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_USAGE,
                           "the peer's certificate has malformed "
                           "extensions"),
               FALSE;
    if (X509_check_ca(leaf) != 0)
        return g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_USAGE,
                           "the peer's certificate is a CA certificate "
                           "(basicConstraints CA:TRUE, keyCertSign or a v1 "
                           "root), not one issued to a person"),
               FALSE;
    if ((flags & EXFLAG_KUSAGE) != 0 &&
        (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0)
        return g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_USAGE,
                           "the peer's certificate's keyUsage does not "
                           "allow digitalSignature (a DTLS handshake "
                           "signs)"),
               FALSE;
    if ((flags & EXFLAG_XKUSAGE) != 0 &&
        (X509_get_extended_key_usage(leaf) &
         (XKU_SSL_CLIENT | XKU_SSL_SERVER | XKU_ANYEKU)) == 0)
        return g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_USAGE,
                           "the peer's certificate's extendedKeyUsage "
                           "allows neither clientAuth nor serverAuth"),
               FALSE;
    return TRUE;
}

static void
chain_error(X509_STORE_CTX *ctx, GError **error)
{
    int err = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    X509 *at = X509_STORE_CTX_get_current_cert(ctx);
    g_autofree char *who =
        at != NULL ? name_rfc2253(X509_get_subject_name(at)) : g_strdup("?");
    g_autofree char *issuer =
        at != NULL ? name_rfc2253(X509_get_issuer_name(at)) : g_strdup("?");
    ScX509Error code = SC_X509_ERROR_UNTRUSTED;
    const char *why = X509_verify_cert_error_string(err);

    switch (err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        g_set_error(error, SC_X509_ERROR, code,
                    "the peer's certificate (%s) is self-signed, not issued "
                    "by a --ca authority",
                    who);
        return;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        g_set_error(error, SC_X509_ERROR, code,
                    "the chain does not reach a --ca authority: the issuer "
                    "%s of %s (depth %d) is neither in --ca nor sent by the "
                    "peer",
                    issuer, who, depth);
        return;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        g_set_error(error, SC_X509_ERROR, code,
                    "the chain ends at %s, which is not a --ca authority",
                    who);
        return;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        code = SC_X509_ERROR_EXPIRED;
        break;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_INVALID_EXTENSION:
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
        code = SC_X509_ERROR_USAGE;
        break;
    default:
        break;
    }
    g_set_error(error, SC_X509_ERROR, code, "%s (depth %d): %s", who, depth,
                why);
}

ScX509Identity *
sc_x509_identity_verify(X509 *leaf, STACK_OF(X509) *untrusted,
                        X509_STORE *anchors, gint64 now, GError **error)
{
    X509_STORE_CTX *ctx = NULL;
    ScX509Identity *id = NULL;
    X509_VERIFY_PARAM *param;

    g_return_val_if_fail(leaf != NULL && anchors != NULL, NULL);
    if (untrusted != NULL && sk_X509_num(untrusted) > SC_CERT_CHAIN_MAX + 1) {
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_UNTRUSTED,
                    "the peer sent %d certificates (at most %d)",
                    sk_X509_num(untrusted), SC_CERT_CHAIN_MAX + 1);
        return NULL;
    }
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || X509_STORE_CTX_init(ctx, anchors, leaf, untrusted) != 1) {
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_UNTRUSTED,
                    "cannot set up the chain check");
        goto out;
    }
    param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_depth(param, SC_CERT_CHAIN_MAX);
    if (now >= 0)
        X509_VERIFY_PARAM_set_time(param, (time_t)now);
    if (X509_verify_cert(ctx) != 1) {
        chain_error(ctx, error);
        goto out;
    }
    if (!leaf_usage_ok(leaf, error))
        goto out;
    /* a trust anchor is not a person's certificate, even one pinned in
     * --ca: the leaf must be issued by one */
    if (sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) < 2) {
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_USAGE,
                    "the peer's certificate is itself a --ca trust anchor, "
                    "not one issued by it");
        goto out;
    }
    id = g_new0(ScX509Identity, 1);
    id->subject = name_rfc2253(X509_get_subject_name(leaf));
    id->issuer = name_rfc2253(X509_get_issuer_name(leaf));
    id->identity = email_san(leaf);
    if (id->identity == NULL)
        id->identity = subject_cn(leaf);
    if (id->identity == NULL) {
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_NO_IDENTITY,
                    "the peer's certificate (%s) names nobody: no "
                    "user@domain email SAN and no printable subject CN",
                    id->subject);
        g_clear_pointer(&id, sc_x509_identity_free);
    }

out:
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return id;
}
