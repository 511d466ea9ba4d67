/* src/sdp/sdp-attr.c - attribute lines: the value syntax shared by parser
 * and writer: ice-char strings (RFC 8839 §5.4), tls-id (RFC 8842 §4),
 * a=setup names (RFC 4145 §4, RFC 5763 §5), direction names (RFC 3264
 * §5.1); the parser's small syntax helpers (token, proto, fmt, numbers);
 * the attributes that may stand at session or media level, kept per scope
 * (ice-ufrag / ice-pwd (RFC 8839 §5.4), ice-options:trickle (RFC 8838),
 * setup (RFC 8842 §5), tls-id, fingerprint (RFC 8122 §5, the value read
 * by sdp-fingerprint.c), directions, identity); and the RTP attributes of
 * a media section: rtpmap and fmtp (RFC 4566 §6), rtcp-fb (RFC 4585 §4.2,
 * RFC 5104 §7.1), ssrc and ssrc-group (RFC 5576) and msid (RFC 8830).
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"
#include "sdp/sdp-priv.h"

#include <gst/sdp/sdp.h>
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


void
sc_sdp_scope_init(Scope *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->fingerprints = g_ptr_array_new_with_free_func(g_free);
}

void
sc_sdp_scope_clear(Scope *sc)
{
    g_free(sc->ice_ufrag);
    g_free(sc->ice_pwd);
    g_free(sc->tls_id);
    g_free(sc->direction);
    g_free(sc->identity);
    g_free(sc->fp_refused);
    if (sc->fingerprints != NULL)
        g_ptr_array_unref(sc->fingerprints);
    memset(sc, 0, sizeof *sc);
}

/* ---- small syntax helpers ---- */

gboolean
sc_sdp_fail_prefixed(GError **error, const char *prefix, const char *fmt,
                     ...)
{
    va_list ap;

    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX, "%s%s", prefix, msg);
    return FALSE;
}

gboolean
sc_sdp_is_token(const char *s, gsize max)
{
    gsize n = 0;

    if (s == NULL || *s == '\0')
        return FALSE;
    for (const char *p = s; *p; p++, n++) {
        if (n >= max)
            return FALSE;
        if (!g_ascii_isalnum(*p) && strchr("!#$%&'*+-.^_`{|}~", *p) == NULL)
            return FALSE;
    }
    return TRUE;
}

/* proto = token *("/" token) */
gboolean
sc_sdp_is_proto(const char *s)
{
    gboolean need_token = TRUE;

    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return FALSE;
    for (const char *p = s; *p; p++) {
        if (*p == '/') {
            if (need_token)
                return FALSE;
            need_token = TRUE;
        } else if (g_ascii_isalnum(*p) ||
                   strchr("!#$%&'*+-.^_`{|}~", *p) != NULL) {
            need_token = FALSE;
        } else {
            return FALSE;
        }
    }
    return !need_token;
}

/* A printable fmt token without white space. */
gboolean
sc_sdp_is_fmt(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return FALSE;
    return TRUE;
}

/* 1*DIGIT fitting in guint64 (and <= @max). */
gboolean
sc_sdp_parse_u64(const char *s, guint64 max, guint64 *out)
{
    guint64 v = 0;

    if (s == NULL || *s == '\0')
        return FALSE;
    for (const char *p = s; *p; p++) {
        guint d;

        if (!g_ascii_isdigit(*p))
            return FALSE;
        d = (guint)(*p - '0');
        if (v > (G_MAXUINT64 - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    if (v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean
sc_sdp_str_in_array(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], s) == 0)
            return TRUE;
    return FALSE;
}

gboolean
sc_sdp_same_set(GPtrArray *a, GPtrArray *b)
{
    for (guint i = 0; i < a->len; i++)
        if (!sc_sdp_str_in_array(b, a->pdata[i]))
            return FALSE;
    for (guint i = 0; i < b->len; i++)
        if (!sc_sdp_str_in_array(a, b->pdata[i]))
            return FALSE;
    return TRUE;
}

static gboolean
is_direction(const char *key)
{
    return strcmp(key, "sendrecv") == 0 || strcmp(key, "sendonly") == 0 ||
           strcmp(key, "recvonly") == 0 || strcmp(key, "inactive") == 0;
}

/* Sets *@slot to @value, refusing a second, different value. */
gboolean
sc_sdp_set_once(char **slot, const char *value, const char *attr,
                const char *where, GError **error)
{
    if (*slot != NULL) {
        if (strcmp(*slot, value) == 0)
            return TRUE;
        return sc_sdp_fail(error, "two different a=%s at %s", attr, where);
    }
    *slot = g_strdup(value);
    return TRUE;
}

/* Handles the attributes that may appear at session or media level.
 * Unknown attributes are ignored (RFC 4566 §5.13). */
gboolean
sc_sdp_scope_add_attr(Scope *sc, const char *key, const char *value,
                      const char *where, GError **error)
{
    if (strcmp(key, "ice-ufrag") == 0) {
        if (!sc_sdp_is_ice_chars(value, 4, 256))
            return sc_sdp_fail(error,
                               "a=ice-ufrag at %s must be 4-256 ice-chars "
                               "(RFC 8839 section 5.4), got %zu characters",
                               where, strlen(value));
        return sc_sdp_set_once(&sc->ice_ufrag, value, key, where, error);
    }
    if (strcmp(key, "ice-pwd") == 0) {
        /* never put the password itself in a message */
        if (!sc_sdp_is_ice_chars(value, 22, 256))
            return sc_sdp_fail(error,
                               "a=ice-pwd at %s must be 22-256 ice-chars "
                               "(RFC 8839 section 5.4), got %zu characters",
                               where, strlen(value));
        return sc_sdp_set_once(&sc->ice_pwd, value, key, where, error);
    }
    if (strcmp(key, "ice-options") == 0) {
        g_auto(GStrv) opts = g_strsplit(value, " ", -1);
        for (guint i = 0; opts[i] != NULL; i++)
            if (g_ascii_strcasecmp(opts[i], "trickle") == 0)
                sc->trickle = TRUE;
        return TRUE;
    }
    if (strcmp(key, "setup") == 0) {
        ScSdpSetup setup;

        if (g_ascii_strcasecmp(value, "actpass") == 0)
            setup = SC_SDP_SETUP_ACTPASS;
        else if (g_ascii_strcasecmp(value, "active") == 0)
            setup = SC_SDP_SETUP_ACTIVE;
        else if (g_ascii_strcasecmp(value, "passive") == 0)
            setup = SC_SDP_SETUP_PASSIVE;
        else if (g_ascii_strcasecmp(value, "holdconn") == 0)
            return sc_sdp_fail(
                error,
                "a=setup:holdconn at %s is not allowed for DTLS "
                "(RFC 8842 section 5)",
                where);
        else
            return sc_sdp_fail(error,
                               "a=setup at %s has an unknown value \"%.32s\"",
                               where, value);
        if (sc->has_setup && sc->setup != setup)
            return sc_sdp_fail(error, "two different a=setup at %s", where);
        sc->has_setup = TRUE;
        sc->setup = setup;
        return TRUE;
    }
    if (strcmp(key, "tls-id") == 0) {
        if (!sc_sdp_tls_id_is_valid(value))
            return sc_sdp_fail(error,
                               "a=tls-id at %s must be 20-255 characters of "
                               "ALPHA / DIGIT / + / - _ (RFC 8842 section 4)",
                               where);
        return sc_sdp_set_once(&sc->tls_id, value, key, where, error);
    }
    if (strcmp(key, "fingerprint") == 0) {
        GError *local = NULL;
        char *fp = sc_fingerprint_normalize(value, &local);

        sc->n_fp_lines++;
        if (fp == NULL &&
            g_error_matches(local, SC_ERROR, SC_ERROR_NOT_SUPPORTED)) {
            /* RFC 8122 §5.1: a hash we do not use; another line may have
             * one we do (validate_desc() refuses a scope without one) */
            if (sc->fp_refused == NULL)
                sc->fp_refused = g_strdup(local->message);
            g_error_free(local);
            return TRUE;
        }
        if (fp == NULL) {
            sc_sdp_fail(error, "a=%s at %s", local->message, where);
            g_error_free(local);
            return FALSE;
        }
        if (sc_sdp_str_in_array(sc->fingerprints, fp)) {
            g_free(fp);
            return TRUE;
        }
        if (sc->fingerprints->len == SC_SDP_MAX_FINGERPRINTS) {
            g_free(fp);
            return sc_sdp_fail(error,
                               "more than %d different a=fingerprint values "
                               "at %s",
                               SC_SDP_MAX_FINGERPRINTS, where);
        }
        g_ptr_array_add(sc->fingerprints, fp);
        return TRUE;
    }
    if (is_direction(key)) {
        if (sc->direction == NULL)
            sc->direction = g_strdup(key);
        return TRUE;
    }
    if (strcmp(key, "identity") == 0) {
        if (sc->identity == NULL && *value != '\0')
            sc->identity = g_strdup(value);
        return TRUE;
    }
    return TRUE;
}

const char *
sc_sdp_attr_value(const GstSDPAttribute *a)
{
    return a->value != NULL ? a->value : "";
}

/* ---- RTP attributes of a media section ---- */

void
sc_sdp_section_add_rtpmap(ScSdpSection *s, const char *value)
{
    /* "PT ENC/RATE[/CH]" */
    g_auto(GStrv) sp = g_strsplit(value, " ", 2);
    g_auto(GStrv) enc = NULL;
    guint64 pt, rate, ch = 0;
    ScSdpCodec *c;

    if (sp[0] == NULL || sp[1] == NULL || !sc_sdp_parse_u64(sp[0], 127, &pt))
        return;
    enc = g_strsplit(sp[1], "/", 4);
    if (enc[0] == NULL || !sc_sdp_is_token(enc[0], 64) || enc[1] == NULL ||
        !sc_sdp_parse_u64(enc[1], G_MAXUINT32, &rate))
        return;
    if (enc[2] != NULL &&
        (!sc_sdp_parse_u64(enc[2], 255, &ch) || enc[3] != NULL))
        return;
    for (guint i = 0; i < s->codecs->len; i++)
        if (((ScSdpCodec *)s->codecs->pdata[i])->pt == pt)
            return; /* first rtpmap for a payload type wins */
    c = g_new0(ScSdpCodec, 1);
    c->pt = (guint)pt;
    c->encoding = g_strdup(enc[0]);
    c->clock_rate = (guint)rate;
    c->channels = (guint)ch;
    g_ptr_array_add(s->codecs, c);
}

void
sc_sdp_section_add_fmtp(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) sp = g_strsplit(value, " ", 2);
    guint64 pt;

    if (sp[0] == NULL || sp[1] == NULL || !sc_sdp_parse_u64(sp[0], 127, &pt))
        return;
    for (guint i = 0; i < s->codecs->len; i++) {
        ScSdpCodec *c = s->codecs->pdata[i];
        if (c->pt == pt && c->fmtp == NULL)
            c->fmtp = g_strdup(sp[1]);
    }
}

/* "a=rtcp-fb:<pt>|* <type> [<subtype>] [params]" (RFC 4585 §4.2) */
void
sc_sdp_section_add_rtcp_fb(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 4);
    guint64 pt = 0;
    gboolean any;
    guint flag = 0;

    if (f[0] == NULL || f[1] == NULL)
        return;
    any = strcmp(f[0], "*") == 0;
    if (!any && !sc_sdp_parse_u64(f[0], 127, &pt))
        return;
    if (g_ascii_strcasecmp(f[1], "nack") == 0)
        flag = f[2] == NULL ? SC_SDP_RTCP_FB_NACK
               : g_ascii_strcasecmp(f[2], "pli") == 0 ? SC_SDP_RTCP_FB_NACK_PLI
                                                      : 0;
    else if (g_ascii_strcasecmp(f[1], "ccm") == 0 && f[2] != NULL &&
             g_ascii_strcasecmp(f[2], "fir") == 0)
        flag = SC_SDP_RTCP_FB_CCM_FIR;
    else if (g_ascii_strcasecmp(f[1], "goog-remb") == 0 && f[2] == NULL)
        flag = SC_SDP_RTCP_FB_GOOG_REMB;
    else if (g_ascii_strcasecmp(f[1], "transport-cc") == 0 && f[2] == NULL)
        flag = SC_SDP_RTCP_FB_TRANSPORT_CC;
    for (guint i = 0; i < s->codecs->len; i++) {
        ScSdpCodec *c = s->codecs->pdata[i];
        if (any || c->pt == pt)
            c->rtcp_fb |= flag;
    }
}

static gboolean
parse_ssrc_id(const char *s, guint32 *out)
{
    guint64 v;

    if (!sc_sdp_parse_u64(s, G_MAXUINT32, &v))
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

void
sc_sdp_section_add_ssrc_id(ScSdpSection *s, guint32 id)
{
    for (guint i = 0; i < s->ssrcs->len; i++)
        if (g_array_index(s->ssrcs, guint32, i) == id)
            return;
    if (s->ssrcs->len >= SC_SDP_MAX_SSRCS)
        return; /* bounds this loop: the ids are the peer's choice */
    if (s->ssrcs->len == 0)
        s->ssrc = id;
    g_array_append_val(s->ssrcs, id);
}

/* RFC 5576 §4.1: "a=ssrc:<ssrc-id> <attribute>[:<value>]"; lines that do
 * not follow it are ignored, like unusable a=rtpmap lines. */
void
sc_sdp_section_add_ssrc(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 2);
    guint32 id;

    if (f[0] == NULL || f[1] == NULL || !parse_ssrc_id(f[0], &id))
        return;
    sc_sdp_section_add_ssrc_id(s, id);
    if (s->cname == NULL && g_str_has_prefix(f[1], "cname:") &&
        f[1][6] != '\0' && strlen(f[1] + 6) <= 255 && sc_sdp_is_fmt(f[1] + 6))
        s->cname = g_strdup(f[1] + 6);
}

/* "a=ssrc-group:FID <primary> <rtx>" (RFC 5576 §4.2, RFC 4588 §8.3):
 * the first FID group names the primary and retransmission SSRCs. */
void
sc_sdp_parse_fid_group(const char *value, gboolean *have_fid, guint32 fid[2])
{
    g_auto(GStrv) f = g_strsplit(value, " ", 4);

    if (*have_fid || f[0] == NULL || strcmp(f[0], "FID") != 0 ||
        f[1] == NULL || f[2] == NULL || !parse_ssrc_id(f[1], &fid[0]) ||
        !parse_ssrc_id(f[2], &fid[1]))
        return;
    *have_fid = TRUE;
}

/* "a=msid:<stream> [<track>]" (RFC 8830 §2): the first one counts. */
void
sc_sdp_section_add_msid(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 3);

    if (s->msid_stream != NULL || f[0] == NULL || !sc_sdp_is_token(f[0], 64))
        return;
    if (f[1] != NULL && !sc_sdp_is_token(f[1], 64))
        return;
    s->msid_stream = g_strdup(f[0]);
    s->msid_track = g_strdup(f[1]);
}
