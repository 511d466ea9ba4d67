/* src/sdp/sdp-attr.c - attribute value syntax shared by parser and writer:
 * ice-char strings (RFC 8839 §5.4), tls-id (RFC 8842 §4), a=fingerprint
 * (RFC 8122 §5), a=setup names (RFC 4145 §4, RFC 5763 §5), direction
 * names (RFC 3264 §5.1).
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

#include <string.h>

gboolean
sc_sdp_is_ice_chars(const char *s, gsize min, gsize max)
{
    gsize n = 0;

    if (s == NULL)
        return FALSE;
    for (const char *p = s; *p; p++, n++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/')
            return FALSE;
        if (n >= max)
            return FALSE;
    }
    return n >= min;
}

gboolean
sc_sdp_tls_id_is_valid(const char *s)
{
    gsize n = 0;

    if (s == NULL)
        return FALSE;
    for (const char *p = s; *p; p++, n++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '-' &&
            *p != '_')
            return FALSE;
        if (n >= 255)
            return FALSE;
    }
    return n >= 20;
}

const char *
sc_sdp_setup_to_string(ScSdpSetup setup)
{
    switch (setup) {
    case SC_SDP_SETUP_ACTPASS:
        return "actpass";
    case SC_SDP_SETUP_ACTIVE:
        return "active";
    case SC_SDP_SETUP_PASSIVE:
        return "passive";
    }
    return NULL;
}

const char *
sc_sdp_direction_to_string(ScSdpDirection dir)
{
    switch (dir) {
    case SC_SDP_DIRECTION_INACTIVE:
        return "inactive";
    case SC_SDP_DIRECTION_SENDONLY:
        return "sendonly";
    case SC_SDP_DIRECTION_RECVONLY:
        return "recvonly";
    case SC_SDP_DIRECTION_SENDRECV:
        return "sendrecv";
    }
    return NULL;
}

ScSdpDirection
sc_sdp_direction_reverse(ScSdpDirection dir)
{
    guint d = (guint)dir & 3u;

    return (ScSdpDirection)(((d & 1u) << 1) | ((d & 2u) >> 1));
}

const char *
sc_sdp_type_to_string(ScSdpType type)
{
    return type == SC_SDP_TYPE_ANSWER ? "answer" : "offer";
}

static const struct {
    const char *name;
    guint len;
} known_hashes[] = {
    {"sha-1", 20},   {"sha-224", 28}, {"sha-256", 32},
    {"sha-384", 48}, {"sha-512", 64},
};

/* RFC 4566 token characters (RFC 8122 hash-func = ... / token). */
static gboolean
is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`{|}~", c));
}

char *
sc_sdp_fingerprint_normalize(const char *value, gboolean *usable,
                             GError **error)
{
    const char *sp, *p;
    g_autofree char *hash = NULL;
    GString *out;
    guint n_bytes = 0;
    int expect = -1;

    g_return_val_if_fail(value != NULL, NULL);

    while (*value == ' ' || *value == '\t')
        value++;
    sp = strchr(value, ' ');
    if (sp == NULL || sp == value) {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "a=fingerprint must be \"<hash> <XX:XX:...>\"");
        return NULL;
    }
    for (p = value; p < sp; p++) {
        if (!is_token_char(*p)) {
            g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                        "a=fingerprint hash name has an invalid character");
            return NULL;
        }
    }
    hash = g_ascii_strdown(value, sp - value);
    if (strcmp(hash, "md5") == 0 || strcmp(hash, "md2") == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "a=fingerprint uses %s, which RFC 8122 forbids", hash);
        return NULL;
    }
    for (guint i = 0; i < G_N_ELEMENTS(known_hashes); i++)
        if (strcmp(hash, known_hashes[i].name) == 0)
            expect = (int)known_hashes[i].len;

    p = sp + 1;
    while (*p == ' ')
        p++;
    out = g_string_new(hash);
    g_string_append_c(out, ' ');
    for (;;) {
        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1])) {
            g_string_free(out, TRUE);
            g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                        "a=fingerprint value is not colon-separated hex "
                        "byte pairs");
            return NULL;
        }
        if (n_bytes > 0)
            g_string_append_c(out, ':');
        g_string_append_c(out, g_ascii_toupper(p[0]));
        g_string_append_c(out, g_ascii_toupper(p[1]));
        n_bytes++;
        p += 2;
        if (*p == ':') {
            p++;
            continue;
        }
        break;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p != '\0') {
        g_string_free(out, TRUE);
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "a=fingerprint value is not colon-separated hex byte "
                    "pairs");
        return NULL;
    }
    if (n_bytes > 64 && expect < 0) {
        g_string_free(out, TRUE);
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "a=fingerprint with hash %s is longer than 64 bytes", hash);
        return NULL;
    }
    if (expect >= 0 && n_bytes != (guint)expect) {
        g_string_free(out, TRUE);
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "a=fingerprint %s has %u bytes, expected %d", hash, n_bytes,
                    expect);
        return NULL;
    }
    if (usable != NULL)
        *usable = expect >= 0;
    return g_string_free(out, FALSE);
}
