/* src/sdp/sdp-parse.c - parsing and validating session descriptions:
 * RFC 8829 §5.8 (JSEP parsing and semantics checks), RFC 8843 (BUNDLE:
 * offerer/answerer tagged m-section, shared transport), RFC 8839 §5.4
 * (ice-ufrag / ice-pwd), RFC 8838 (ice-options:trickle, end-of-candidates),
 * RFC 8122 §5 (fingerprint), RFC 5763 §5 / RFC 8842 §5 (setup, tls-id),
 * RFC 8841 (sctp-port, max-message-size) and the legacy
 * draft-ietf-mmusic-sctp-sdp-05 form (DTLS/SCTP <port> + a=sctpmap);
 * RTP media sections: RFC 4566 §6 (rtpmap, fmtp, directions), RFC 4585
 * §4.2 / RFC 5104 §7.1 (rtcp-fb), RFC 5761 (rtcp-mux), RFC 5506
 * (rtcp-rsize), RFC 5576 (ssrc, ssrc-group), RFC 8830 (msid), RFC 7587
 * (Opus) and RFC 7741 (VP8) for the codecs we support.
 * SDP syntax itself is GstSDPMessage's; it is lenient, so the lines JSEP
 * needs are checked again here.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#define SC_SDP_DEFAULT_MAX_MESSAGE_SIZE 65536

/* The ICE/DTLS attributes of one scope (session level or one m-section). */
typedef struct {
    char *ice_ufrag, *ice_pwd, *tls_id, *direction, *identity;
    gboolean has_setup;
    ScSdpSetup setup;
    GPtrArray *fingerprints; /* char *: normalised, accepted hashes only, no
                              * duplicates, at most SC_SDP_MAX_FINGERPRINTS */
    guint n_fp_lines;        /* a=fingerprint lines, ignored ones included */
    char *fp_refused;        /* why the first ignored line was ignored */
    gboolean trickle;
} Scope;

static void
scope_init(Scope *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->fingerprints = g_ptr_array_new_with_free_func(g_free);
}

static void
scope_clear(Scope *sc)
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

/* Lookups while one description is parsed, so that the work stays linear
 * in the number of m-sections and mids: mid -> m-section index + 1, and the
 * set of mids in the chosen BUNDLE group. Keys borrow from the sections
 * and from ScSdpDesc.bundle_mids. */
typedef struct {
    GHashTable *mids;
    GHashTable *bundle;
} Lookup;

static int
lookup_mid(const Lookup *lk, const char *mid)
{
    if (mid == NULL)
        return -1;
    return GPOINTER_TO_INT(g_hash_table_lookup(lk->mids, mid)) - 1;
}

static gboolean
lookup_in_bundle(const Lookup *lk, const char *mid)
{
    return mid != NULL && g_hash_table_contains(lk->bundle, mid);
}

/* ---- freeing ---- */

static void
codec_free(gpointer p)
{
    ScSdpCodec *c = p;

    g_free(c->encoding);
    g_free(c->fmtp);
    g_free(c);
}

static void
section_free(gpointer p)
{
    ScSdpSection *s = p;

    g_free(s->media);
    g_free(s->proto);
    g_free(s->mid);
    g_free(s->direction);
    g_ptr_array_unref(s->formats);
    g_ptr_array_unref(s->codecs);
    g_free(s->ice_ufrag);
    g_free(s->ice_pwd);
    g_free(s->tls_id);
    g_ptr_array_unref(s->fingerprints);
    g_ptr_array_unref(s->candidates);
    g_array_unref(s->ssrcs);
    g_free(s->cname);
    g_free(s->msid_stream);
    g_free(s->msid_track);
    g_free(s);
}

static ScSdpSection *
section_new(void)
{
    ScSdpSection *s = g_new0(ScSdpSection, 1);

    s->formats = g_ptr_array_new_with_free_func(g_free);
    s->codecs = g_ptr_array_new_with_free_func(codec_free);
    s->fingerprints = g_ptr_array_new_with_free_func(g_free);
    s->candidates =
        g_ptr_array_new_with_free_func((GDestroyNotify)sc_ice_candidate_free);
    s->ssrcs = g_array_new(FALSE, FALSE, sizeof(guint32));
    s->max_message_size = SC_SDP_DEFAULT_MAX_MESSAGE_SIZE;
    return s;
}

void
sc_sdp_desc_free(ScSdpDesc *d)
{
    if (d == NULL)
        return;
    g_free(d->ice_ufrag);
    g_free(d->ice_pwd);
    if (d->fingerprints != NULL)
        g_ptr_array_unref(d->fingerprints);
    g_free(d->tls_id);
    g_free(d->identity);
    g_strfreev(d->bundle_mids);
    if (d->sections != NULL)
        g_ptr_array_unref(d->sections);
    g_free(d->session_id);
    g_free(d);
}

/* ---- small syntax helpers ---- */

static gboolean
fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
fail(GError **error, const char *fmt, ...)
{
    va_list ap;

    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, SC_ERROR, SC_ERROR_SDP_SYNTAX, msg);
    return FALSE;
}

static gboolean
is_token(const char *s, gsize max)
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
static gboolean
is_proto(const char *s)
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
static gboolean
is_fmt(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return FALSE;
    return TRUE;
}

/* 1*DIGIT fitting in guint64 (and <= @max). */
static gboolean
parse_u64(const char *s, guint64 max, guint64 *out)
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

static gboolean
str_in_array(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], s) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
same_set(GPtrArray *a, GPtrArray *b)
{
    for (guint i = 0; i < a->len; i++)
        if (!str_in_array(b, a->pdata[i]))
            return FALSE;
    for (guint i = 0; i < b->len; i++)
        if (!str_in_array(a, b->pdata[i]))
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
static gboolean
set_once(char **slot, const char *value, const char *attr, const char *where,
         GError **error)
{
    if (*slot != NULL) {
        if (strcmp(*slot, value) == 0)
            return TRUE;
        return fail(error, "two different a=%s at %s", attr, where);
    }
    *slot = g_strdup(value);
    return TRUE;
}

/* Handles the attributes that may appear at session or media level.
 * Unknown attributes are ignored (RFC 4566 §5.13). */
static gboolean
scope_add_attr(Scope *sc, const char *key, const char *value,
               const char *where, GError **error)
{
    if (strcmp(key, "ice-ufrag") == 0) {
        if (!sc_sdp_is_ice_chars(value, 4, 256))
            return fail(error,
                        "a=ice-ufrag at %s must be 4-256 ice-chars "
                        "(RFC 8839 section 5.4), got %zu characters",
                        where, strlen(value));
        return set_once(&sc->ice_ufrag, value, key, where, error);
    }
    if (strcmp(key, "ice-pwd") == 0) {
        /* never put the password itself in a message */
        if (!sc_sdp_is_ice_chars(value, 22, 256))
            return fail(error,
                        "a=ice-pwd at %s must be 22-256 ice-chars "
                        "(RFC 8839 section 5.4), got %zu characters",
                        where, strlen(value));
        return set_once(&sc->ice_pwd, value, key, where, error);
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
            return fail(error,
                        "a=setup:holdconn at %s is not allowed for DTLS "
                        "(RFC 8842 section 5)",
                        where);
        else
            return fail(error, "a=setup at %s has an unknown value \"%.32s\"",
                        where, value);
        if (sc->has_setup && sc->setup != setup)
            return fail(error, "two different a=setup at %s", where);
        sc->has_setup = TRUE;
        sc->setup = setup;
        return TRUE;
    }
    if (strcmp(key, "tls-id") == 0) {
        if (!sc_sdp_tls_id_is_valid(value))
            return fail(error,
                        "a=tls-id at %s must be 20-255 characters of "
                        "ALPHA / DIGIT / + / - _ (RFC 8842 section 4)",
                        where);
        return set_once(&sc->tls_id, value, key, where, error);
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
            fail(error, "a=%s at %s", local->message, where);
            g_error_free(local);
            return FALSE;
        }
        if (str_in_array(sc->fingerprints, fp)) {
            g_free(fp);
            return TRUE;
        }
        if (sc->fingerprints->len == SC_SDP_MAX_FINGERPRINTS) {
            g_free(fp);
            return fail(error, "more than %d different a=fingerprint values "
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

static const char *
attr_value(const GstSDPAttribute *a)
{
    return a->value != NULL ? a->value : "";
}

/* ---- media sections ---- */

typedef struct {
    gboolean has_sctp_port;
    gboolean sctpmap_ok;     /* an a=sctpmap with webrtc-datachannel */
    guint16 sctpmap_port;
} SctpInfo;

static void
section_add_rtpmap(ScSdpSection *s, const char *value)
{
    /* "PT ENC/RATE[/CH]" */
    g_auto(GStrv) sp = g_strsplit(value, " ", 2);
    g_auto(GStrv) enc = NULL;
    guint64 pt, rate, ch = 0;
    ScSdpCodec *c;

    if (sp[0] == NULL || sp[1] == NULL || !parse_u64(sp[0], 127, &pt))
        return;
    enc = g_strsplit(sp[1], "/", 4);
    if (enc[0] == NULL || !is_token(enc[0], 64) || enc[1] == NULL ||
        !parse_u64(enc[1], G_MAXUINT32, &rate))
        return;
    if (enc[2] != NULL && (!parse_u64(enc[2], 255, &ch) || enc[3] != NULL))
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

static void
section_add_fmtp(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) sp = g_strsplit(value, " ", 2);
    guint64 pt;

    if (sp[0] == NULL || sp[1] == NULL || !parse_u64(sp[0], 127, &pt))
        return;
    for (guint i = 0; i < s->codecs->len; i++) {
        ScSdpCodec *c = s->codecs->pdata[i];
        if (c->pt == pt && c->fmtp == NULL)
            c->fmtp = g_strdup(sp[1]);
    }
}

/* "a=rtcp-fb:<pt>|* <type> [<subtype>] [params]" (RFC 4585 §4.2) */
static void
section_add_rtcp_fb(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 4);
    guint64 pt = 0;
    gboolean any;
    guint flag = 0;

    if (f[0] == NULL || f[1] == NULL)
        return;
    any = strcmp(f[0], "*") == 0;
    if (!any && !parse_u64(f[0], 127, &pt))
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

    if (!parse_u64(s, G_MAXUINT32, &v))
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

static void
section_add_ssrc_id(ScSdpSection *s, guint32 id)
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
static void
section_add_ssrc(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 2);
    guint32 id;

    if (f[0] == NULL || f[1] == NULL || !parse_ssrc_id(f[0], &id))
        return;
    section_add_ssrc_id(s, id);
    if (s->cname == NULL && g_str_has_prefix(f[1], "cname:") &&
        f[1][6] != '\0' && strlen(f[1] + 6) <= 255 && is_fmt(f[1] + 6))
        s->cname = g_strdup(f[1] + 6);
}

/* "a=ssrc-group:FID <primary> <rtx>" (RFC 5576 §4.2, RFC 4588 §8.3):
 * the first FID group names the primary and retransmission SSRCs. */
static void
parse_fid_group(const char *value, gboolean *have_fid, guint32 fid[2])
{
    g_auto(GStrv) f = g_strsplit(value, " ", 4);

    if (*have_fid || f[0] == NULL || strcmp(f[0], "FID") != 0 ||
        f[1] == NULL || f[2] == NULL || !parse_ssrc_id(f[1], &fid[0]) ||
        !parse_ssrc_id(f[2], &fid[1]))
        return;
    *have_fid = TRUE;
}

/* "a=msid:<stream> [<track>]" (RFC 8830 §2): the first one counts. */
static void
section_add_msid(ScSdpSection *s, const char *value)
{
    g_auto(GStrv) f = g_strsplit(value, " ", 3);

    if (s->msid_stream != NULL || f[0] == NULL || !is_token(f[0], 64))
        return;
    if (f[1] != NULL && !is_token(f[1], 64))
        return;
    s->msid_stream = g_strdup(f[0]);
    s->msid_track = g_strdup(f[1]);
}

/* The first format on the m= line that we support (RFC 8829 §5.3.1: the
 * offerer's order is its preference). */
static void
section_pick_codec(ScSdpSection *s)
{
    gboolean audio = strcmp(s->media, "audio") == 0;
    gboolean video = strcmp(s->media, "video") == 0;

    if (!audio && !video)
        return;
    for (guint i = 0; i < s->formats->len; i++) {
        guint64 pt;

        if (!parse_u64(s->formats->pdata[i], 127, &pt))
            continue;
        for (guint k = 0; k < s->codecs->len; k++) {
            const ScSdpCodec *c = s->codecs->pdata[k];

            if (c->pt != pt)
                continue;
            if ((audio && g_ascii_strcasecmp(c->encoding, "opus") == 0 &&
                 c->clock_rate == 48000 && c->channels == 2) ||
                (video && g_ascii_strcasecmp(c->encoding, "VP8") == 0 &&
                 c->clock_rate == 90000 && c->channels == 0)) {
                s->codec = c;
                return;
            }
        }
    }
}

static gboolean
proto_is_sctp(const char *proto)
{
    return g_ascii_strcasecmp(proto, "UDP/DTLS/SCTP") == 0 ||
           g_ascii_strcasecmp(proto, "TCP/DTLS/SCTP") == 0 ||
           g_ascii_strcasecmp(proto, "DTLS/SCTP") == 0;
}

static ScSdpSection *
parse_section(const GstSDPMedia *md, guint index, Scope *scope,
              GError **error)
{
    ScSdpSection *s = section_new();
    g_autofree char *where = NULL;
    SctpInfo sctp = {0};
    GPtrArray *rtpmaps = g_ptr_array_new(), *fmtps = g_ptr_array_new();
    GPtrArray *rtcpfbs = g_ptr_array_new();
    gboolean is_rtp, have_fid = FALSE;
    guint32 fid[2] = {0, 0};

    where = g_strdup_printf("m-section %u", index);
    scope_init(scope);

    if (!is_token(md->media, 32)) {
        fail(error, "%s: m= line has no valid media type", where);
        goto error;
    }
    s->media = g_strdup(md->media);
    g_free(where);
    where = g_strdup_printf("m-section %u (m=%s)", index, s->media);
    if (md->port > 65535) {
        fail(error, "%s: port %u is not 0..65535", where, md->port);
        goto error;
    }
    s->port = (guint16)md->port;
    if (!is_proto(md->proto)) {
        fail(error, "%s: m= line has no valid protocol", where);
        goto error;
    }
    s->proto = g_strdup(md->proto);
    for (guint i = 0; i < gst_sdp_media_formats_len(md); i++) {
        const char *f = gst_sdp_media_get_format(md, i);

        if (f == NULL || *f == '\0')
            continue; /* GstSDP reports trailing blanks as empty formats */
        if (!is_fmt(f)) {
            fail(error, "%s: invalid format on the m= line", where);
            goto error;
        }
        g_ptr_array_add(s->formats, g_strdup(f));
    }
    if (s->formats->len == 0) {
        fail(error, "%s: m= line has no format", where);
        goto error;
    }
    is_rtp = strstr(s->proto, "RTP") != NULL;

    for (guint i = 0; i < gst_sdp_media_attributes_len(md); i++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute(md, i);
        const char *key = a->key, *value = attr_value(a);
        guint64 v;

        if (key == NULL)
            continue;
        if (strcmp(key, "mid") == 0) {
            if (!is_token(value, 256)) {
                fail(error, "%s: a=mid must be a token of 1-256 characters",
                     where);
                goto error;
            }
            if (!set_once(&s->mid, value, key, where, error))
                goto error;
        } else if (strcmp(key, "bundle-only") == 0) {
            s->bundle_only = TRUE;
        } else if (strcmp(key, "rtcp-mux") == 0) {
            s->rtcp_mux = TRUE;
        } else if (strcmp(key, "rtcp-rsize") == 0) {
            s->rtcp_rsize = TRUE;
        } else if (strcmp(key, "rtcp-fb") == 0) {
            g_ptr_array_add(rtcpfbs, (gpointer)value);
        } else if (strcmp(key, "ssrc") == 0) {
            if (is_rtp)
                section_add_ssrc(s, value);
        } else if (strcmp(key, "ssrc-group") == 0) {
            if (is_rtp)
                parse_fid_group(value, &have_fid, fid);
        } else if (strcmp(key, "msid") == 0) {
            if (is_rtp)
                section_add_msid(s, value);
        } else if (strcmp(key, "end-of-candidates") == 0) {
            s->end_of_candidates = TRUE;
        } else if (strcmp(key, "candidate") == 0) {
            g_autofree char *line = g_strconcat("candidate:", value, NULL);
            GError *local = NULL;
            ScIceCandidate *c = sc_ice_candidate_parse(line, &local);

            if (c != NULL) {
                g_ptr_array_add(s->candidates, c);
            } else {
                /* RFC 8839 §5.1: ignore candidates we cannot use */
                SC_LOG_DEBUG(NULL, "%s: ignoring a=candidate: %s", where,
                             local->message);
                g_error_free(local);
            }
        } else if (strcmp(key, "sctp-port") == 0) {
            if (!parse_u64(value, 65535, &v)) {
                fail(error, "%s: a=sctp-port \"%.16s\" is not 0..65535", where,
                     value);
                goto error;
            }
            if (sctp.has_sctp_port && s->sctp_port != v) {
                fail(error, "two different a=sctp-port at %s", where);
                goto error;
            }
            sctp.has_sctp_port = TRUE;
            s->sctp_port = (guint16)v;
        } else if (strcmp(key, "max-message-size") == 0) {
            if (!parse_u64(value, G_MAXUINT64, &v)) {
                fail(error,
                     "%s: a=max-message-size \"%.24s\" is not a number", where,
                     value);
                goto error;
            }
            s->max_message_size = v;
        } else if (strcmp(key, "sctpmap") == 0) {
            /* legacy: "5000 webrtc-datachannel 1024" */
            g_auto(GStrv) f = g_strsplit(value, " ", 3);

            if (!sctp.sctpmap_ok && f[0] != NULL && f[1] != NULL &&
                parse_u64(f[0], 65535, &v) &&
                strcmp(f[1], "webrtc-datachannel") == 0) {
                sctp.sctpmap_ok = TRUE;
                sctp.sctpmap_port = (guint16)v;
            }
        } else if (strcmp(key, "rtpmap") == 0) {
            g_ptr_array_add(rtpmaps, (gpointer)value);
        } else if (strcmp(key, "fmtp") == 0) {
            g_ptr_array_add(fmtps, (gpointer)value);
        } else if (!scope_add_attr(scope, key, value, where, error)) {
            goto error;
        }
    }

    if (is_rtp) {
        for (guint i = 0; i < rtpmaps->len; i++)
            section_add_rtpmap(s, rtpmaps->pdata[i]);
        for (guint i = 0; i < fmtps->len; i++)
            section_add_fmtp(s, fmtps->pdata[i]);
        for (guint i = 0; i < rtcpfbs->len; i++)
            section_add_rtcp_fb(s, rtcpfbs->pdata[i]);
        section_pick_codec(s);
        if (have_fid) {
            /* the group may name SSRCs without a=ssrc lines */
            section_add_ssrc_id(s, fid[0]);
            section_add_ssrc_id(s, fid[1]);
            s->ssrc = fid[0];
            s->rtx_ssrc = fid[1];
        }
    }

    /* data channels (RFC 8841 §4, JSEP §5.8.2; legacy sctpmap) */
    if (g_ascii_strcasecmp(s->media, "application") == 0 &&
        proto_is_sctp(s->proto)) {
        gboolean rejected = s->port == 0 && !s->bundle_only;

        if (str_in_array(s->formats, "webrtc-datachannel")) {
            s->is_datachannel = TRUE;
            if (!sctp.has_sctp_port && sctp.sctpmap_ok)
                s->sctp_port = sctp.sctpmap_port;
            else if (!sctp.has_sctp_port && !rejected) {
                fail(error, "%s: data channel section has no a=sctp-port "
                            "(RFC 8841 section 5.1)",
                     where);
                goto error;
            }
        } else if (g_ascii_strcasecmp(s->proto, "DTLS/SCTP") == 0 &&
                   sctp.sctpmap_ok) {
            s->is_datachannel = TRUE;
            s->legacy_sctpmap = TRUE;
            s->sctp_port = sctp.sctpmap_port;
        }
    }

    g_ptr_array_unref(rtpmaps);
    g_ptr_array_unref(fmtps);
    g_ptr_array_unref(rtcpfbs);
    return s;

error:
    g_ptr_array_unref(rtpmaps);
    g_ptr_array_unref(fmtps);
    g_ptr_array_unref(rtcpfbs);
    section_free(s);
    scope_clear(scope);
    return NULL;
}

/* ---- the whole description ---- */

static gboolean
check_setup(ScSdpType type, const Scope *sc, const char *where,
            GError **error)
{
    if (!sc->has_setup)
        return TRUE;
    if (type == SC_SDP_TYPE_ANSWER && sc->setup == SC_SDP_SETUP_ACTPASS)
        return fail(error,
                    "a=setup:actpass at %s is not allowed in an answer; it "
                    "must be active or passive (RFC 5763 section 5)",
                    where);
    return TRUE;
}

static gboolean
section_is_rejected(const ScSdpSection *s)
{
    return s->port == 0 && !s->bundle_only;
}

int
sc_sdp_desc_find_mid(const ScSdpDesc *d, const char *mid)
{
    g_return_val_if_fail(d != NULL, -1);
    if (mid == NULL)
        return -1;
    for (guint i = 0; i < d->sections->len; i++) {
        const ScSdpSection *s = d->sections->pdata[i];
        if (s->mid != NULL && strcmp(s->mid, mid) == 0)
            return (int)i;
    }
    return -1;
}

static gboolean
mid_in_bundle(const ScSdpDesc *d, const char *mid)
{
    if (d->bundle_mids == NULL || mid == NULL)
        return FALSE;
    return g_strv_contains((const char *const *)d->bundle_mids, mid);
}

gboolean
sc_sdp_desc_candidate_mid_ok(const ScSdpDesc *d, const char *mid,
                             int mline_index)
{
    int idx;
    const ScSdpSection *s;

    g_return_val_if_fail(d != NULL, FALSE);
    if (d->data_section < 0)
        return FALSE;
    if (mid != NULL)
        idx = sc_sdp_desc_find_mid(d, mid);
    else
        idx = mline_index;
    if (idx < 0 || (guint)idx >= d->sections->len)
        return FALSE;
    if (idx == d->data_section)
        return TRUE;
    s = d->sections->pdata[idx];
    if (section_is_rejected(s))
        return FALSE;
    /* bundled with the data section: same transport */
    return mid_in_bundle(d, s->mid) &&
           mid_in_bundle(d, ((ScSdpSection *)
                                 d->sections->pdata[d->data_section])->mid);
}

static ScSdpDirection
direction_from_string(const char *s)
{
    if (strcmp(s, "sendonly") == 0)
        return SC_SDP_DIRECTION_SENDONLY;
    if (strcmp(s, "recvonly") == 0)
        return SC_SDP_DIRECTION_RECVONLY;
    if (strcmp(s, "inactive") == 0)
        return SC_SDP_DIRECTION_INACTIVE;
    return SC_SDP_DIRECTION_SENDRECV;
}

static gboolean
proto_is_dtls_srtp(const char *proto)
{
    /* JSEP §5.1.2: media runs over DTLS-SRTP with RTCP feedback */
    return g_ascii_strcasecmp(proto, "UDP/TLS/RTP/SAVPF") == 0 ||
           g_ascii_strcasecmp(proto, "TCP/TLS/RTP/SAVPF") == 0;
}

/* An RTP section we could run: on the one transport the data uses. */
static gboolean
media_usable(const ScSdpDesc *d, const Lookup *lk, const ScSdpSection *s)
{
    if (section_is_rejected(s) || !proto_is_dtls_srtp(s->proto) ||
        !s->rtcp_mux || s->codec == NULL || s->mid == NULL ||
        !lookup_in_bundle(lk, s->mid))
        return FALSE;
    if (d->data_section >= 0) {
        const ScSdpSection *ds = d->sections->pdata[d->data_section];
        return lookup_in_bundle(lk, ds->mid);
    }
    return TRUE;
}

/* ScSdpSection.accepted: the data section and the first usable audio and
 * video sections (one of each: a second one is rejected in our answers). */
static void
mark_accepted(ScSdpDesc *d, const Lookup *lk)
{
    gboolean audio = FALSE, video = FALSE;

    for (guint i = 0; i < d->sections->len; i++) {
        ScSdpSection *s = d->sections->pdata[i];

        if ((int)i == d->data_section) {
            s->accepted = TRUE;
        } else if (!audio && strcmp(s->media, "audio") == 0 &&
                   media_usable(d, lk, s)) {
            s->accepted = audio = TRUE;
        } else if (!video && strcmp(s->media, "video") == 0 &&
                   media_usable(d, lk, s)) {
            s->accepted = video = TRUE;
        }
    }
}

int
sc_sdp_desc_find_media_index(const ScSdpDesc *d, const char *kind)
{
    g_return_val_if_fail(d != NULL, -1);
    g_return_val_if_fail(kind != NULL, -1);
    for (guint i = 0; i < d->sections->len; i++) {
        const ScSdpSection *s = d->sections->pdata[i];
        if (s->accepted && strcmp(s->media, kind) == 0)
            return (int)i;
    }
    return -1;
}

const ScSdpSection *
sc_sdp_desc_find_media(const ScSdpDesc *d, const char *kind)
{
    int i = sc_sdp_desc_find_media_index(d, kind);

    return i < 0 ? NULL : d->sections->pdata[i];
}

gboolean
sc_sdp_media_negotiated(const ScSdpDesc *local, const ScSdpDesc *remote,
                        const char *kind, ScSdpMedia *out)
{
    const ScSdpDesc *answer;
    const ScSdpSection *ls, *rs;
    int idx;

    g_return_val_if_fail(out != NULL, FALSE);
    memset(out, 0, sizeof *out);
    g_return_val_if_fail(local != NULL && remote != NULL, FALSE);
    g_return_val_if_fail(kind != NULL, FALSE);
    g_return_val_if_fail(local->type != remote->type, FALSE);

    answer = local->type == SC_SDP_TYPE_ANSWER ? local : remote;
    idx = sc_sdp_desc_find_media_index(answer, kind);
    if (idx < 0 || (guint)idx >= local->sections->len ||
        (guint)idx >= remote->sections->len)
        return FALSE;
    ls = local->sections->pdata[idx];
    rs = remote->sections->pdata[idx];
    if (!ls->accepted || !rs->accepted || strcmp(ls->media, rs->media) != 0 ||
        g_strcmp0(ls->mid, rs->mid) != 0 || ls->codec == NULL ||
        rs->codec == NULL)
        return FALSE;
    out->index = (guint)idx;
    out->mid = ls->mid;
    out->direction =
        (ScSdpDirection)(ls->dir & sc_sdp_direction_reverse(rs->dir));
    out->send_codec = rs->codec;
    out->recv_codec = ls->codec;
    out->rtcp_fb = ls->codec->rtcp_fb & rs->codec->rtcp_fb;
    out->local = ls;
    out->remote = rs;
    return TRUE;
}

/* Parses "BUNDLE a b c" groups; returns them (NULL-terminated vectors,
 * duplicates dropped). Every mid must name an m-section. */
static gboolean
collect_groups(const GstSDPMessage *msg, const Lookup *lk, GPtrArray *groups,
               GError **error)
{
    for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++) {
        const GstSDPAttribute *a = gst_sdp_message_get_attribute(msg, i);
        g_auto(GStrv) f = NULL;
        GPtrArray *mids;
        GHashTable *seen;

        if (a->key == NULL || strcmp(a->key, "group") != 0)
            continue;
        f = g_strsplit(attr_value(a), " ", -1);
        if (f[0] == NULL || g_ascii_strcasecmp(f[0], "BUNDLE") != 0)
            continue;
        mids = g_ptr_array_new_with_free_func(g_free);
        seen = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint k = 1; f[k] != NULL; k++) {
            if (f[k][0] == '\0')
                continue;
            if (!is_token(f[k], 256)) {
                g_ptr_array_unref(mids);
                g_hash_table_unref(seen);
                return fail(error, "a=group:BUNDLE has an invalid mid");
            }
            if (lookup_mid(lk, f[k]) < 0) {
                fail(error,
                     "a=group:BUNDLE names mid \"%.64s\" but no m-section "
                     "has it",
                     f[k]);
                g_ptr_array_unref(mids);
                g_hash_table_unref(seen);
                return FALSE;
            }
            if (g_hash_table_add(seen, f[k]))
                g_ptr_array_add(mids, g_strdup(f[k]));
        }
        g_hash_table_unref(seen);
        if (mids->len == 0) {
            g_ptr_array_unref(mids);
            continue; /* an empty group bundles nothing */
        }
        g_ptr_array_add(mids, NULL);
        g_ptr_array_add(groups, g_ptr_array_free(mids, FALSE));
    }
    return TRUE;
}

/* The BUNDLE-tagged section: the first mid of the group that is not
 * rejected (RFC 8843 §7.2.1, §7.3.1). */
static int
tagged_section(const ScSdpDesc *d, const Lookup *lk)
{
    int first = -1;

    if (d->bundle_mids == NULL)
        return -1;
    for (guint i = 0; d->bundle_mids[i] != NULL; i++) {
        int idx = lookup_mid(lk, d->bundle_mids[i]);
        if (idx < 0)
            continue;
        if (first < 0)
            first = idx;
        if (!section_is_rejected(d->sections->pdata[idx]))
            return idx;
    }
    return first;
}

typedef struct {
    const char *ufrag, *pwd, *tls_id;
    GPtrArray *fingerprints;
    guint n_fp_lines;
    const char *fp_refused;
    gboolean has_setup;
    ScSdpSetup setup;
} Effective;

static void
effective_of(const Scope *sess, const Scope *sec, Effective *e)
{
    e->ufrag = sec->ice_ufrag ? sec->ice_ufrag : sess->ice_ufrag;
    e->pwd = sec->ice_pwd ? sec->ice_pwd : sess->ice_pwd;
    e->tls_id = sec->tls_id ? sec->tls_id : sess->tls_id;
    /* media-level a=fingerprint lines replace the session-level ones */
    const Scope *fp = sec->n_fp_lines > 0 ? sec : sess;
    e->fingerprints = fp->fingerprints;
    e->n_fp_lines = fp->n_fp_lines;
    e->fp_refused = fp->fp_refused;
    if (sec->has_setup) {
        e->has_setup = TRUE;
        e->setup = sec->setup;
    } else {
        e->has_setup = sess->has_setup;
        e->setup = sess->setup;
    }
}

static gboolean
validate_desc(ScSdpDesc *d, const Lookup *lk, const Scope *sess,
              Scope *scopes, GError **error)
{
    Effective eff;
    int tagged = tagged_section(d, lk);
    const ScSdpSection *ts;

    if (!check_setup(d->type, sess, "session level", error))
        return FALSE;
    for (guint i = 0; i < d->sections->len; i++) {
        g_autofree char *where = g_strdup_printf("m-section %u", i);
        if (section_is_rejected(d->sections->pdata[i]))
            continue;
        if (!check_setup(d->type, &scopes[i], where, error))
            return FALSE;
    }

    /* the transport that carries the data */
    if (d->data_section >= 0) {
        const ScSdpSection *ds = d->sections->pdata[d->data_section];
        if (tagged >= 0 && lookup_in_bundle(lk, ds->mid))
            d->transport_section = tagged;
        else
            d->transport_section = d->data_section;
    } else if (tagged >= 0) {
        d->transport_section = tagged;
    } else {
        d->transport_section = 0;
        for (guint i = 0; i < d->sections->len; i++) {
            if (!section_is_rejected(d->sections->pdata[i])) {
                d->transport_section = (int)i;
                break;
            }
        }
    }
    ts = d->sections->pdata[d->transport_section];
    effective_of(sess, &scopes[d->transport_section], &eff);

    if (eff.ufrag == NULL)
        return fail(error, "remote description has no a=ice-ufrag (m-section "
                           "%d, m=%s)",
                    d->transport_section, ts->media);
    if (eff.pwd == NULL)
        return fail(error, "remote description has no a=ice-pwd (m-section "
                           "%d, m=%s)",
                    d->transport_section, ts->media);
    if (eff.n_fp_lines == 0)
        return fail(error, "remote description has no a=fingerprint");
    if (eff.fingerprints->len == 0) {
        /* the peer cannot be authenticated: a refusal of its certificate,
         * not a syntax problem (the call reports fingerprint-mismatch) */
        g_set_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH,
                    "remote description has no acceptable a=fingerprint "
                    "(%s)",
                    eff.fp_refused != NULL
                        ? eff.fp_refused
                        : "sha-256, sha-384 or sha-512 is required");
        return FALSE;
    }

    /* Bundled sections that repeat transport attributes must agree with the
     * tagged one (RFC 8843 §7.1.3: same transport, same credentials). */
    if (tagged >= 0) {
        Effective teff;

        effective_of(sess, &scopes[tagged], &teff);
        for (guint k = 0; d->bundle_mids[k] != NULL; k++) {
            int idx = lookup_mid(lk, d->bundle_mids[k]);
            const Scope *sc;

            if (idx < 0 || idx == tagged ||
                section_is_rejected(d->sections->pdata[idx]))
                continue;
            sc = &scopes[idx];
            if (sc->ice_ufrag != NULL &&
                (teff.ufrag == NULL || strcmp(sc->ice_ufrag, teff.ufrag) != 0))
                return fail(error,
                            "bundled m-section %d (mid %s) has a different "
                            "a=ice-ufrag than the BUNDLE-tagged m-section %d",
                            idx, d->bundle_mids[k], tagged);
            if (sc->ice_pwd != NULL &&
                (teff.pwd == NULL || strcmp(sc->ice_pwd, teff.pwd) != 0))
                return fail(error,
                            "bundled m-section %d (mid %s) has a different "
                            "a=ice-pwd than the BUNDLE-tagged m-section %d",
                            idx, d->bundle_mids[k], tagged);
            if (sc->n_fp_lines > 0 &&
                !same_set(sc->fingerprints, teff.fingerprints))
                return fail(error,
                            "bundled m-section %d (mid %s) has different "
                            "a=fingerprint values than the BUNDLE-tagged "
                            "m-section %d",
                            idx, d->bundle_mids[k], tagged);
        }
    }

    d->ice_ufrag = g_strdup(eff.ufrag);
    d->ice_pwd = g_strdup(eff.pwd);
    d->tls_id = g_strdup(eff.tls_id);
    for (guint i = 0; i < eff.fingerprints->len; i++)
        g_ptr_array_add(d->fingerprints, g_strdup(eff.fingerprints->pdata[i]));
    /* RFC 4145 §4: "active" when absent (JSEP endpoints always send it) */
    d->setup = eff.has_setup ? eff.setup : SC_SDP_SETUP_ACTIVE;
    d->ice_trickle = sess->trickle || scopes[d->transport_section].trickle;
    return TRUE;
}

static gboolean
check_session_lines(const GstSDPMessage *msg, ScSdpDesc *d, GError **error)
{
    const GstSDPOrigin *o = gst_sdp_message_get_origin(msg);
    const char *v = gst_sdp_message_get_version(msg);

    if (v == NULL)
        return fail(error, "SDP has no v= line");
    if (strcmp(v, "0") != 0)
        return fail(error, "SDP v= must be 0");
    if (o == NULL || o->username == NULL || o->sess_id == NULL ||
        o->sess_version == NULL || o->nettype == NULL || o->addrtype == NULL ||
        o->addr == NULL || *o->sess_id == '\0' || *o->addr == '\0')
        return fail(error, "SDP has no complete o= line");
    if (!is_fmt(o->sess_id))
        return fail(error, "SDP o= line has an invalid session id");
    if (!parse_u64(o->sess_version, G_MAXUINT64, &d->session_version))
        return fail(error, "SDP o= session version is not a number");
    if (gst_sdp_message_get_session_name(msg) == NULL)
        return fail(error, "SDP has no s= line");
    if (gst_sdp_message_medias_len(msg) == 0)
        return fail(error, "SDP has no m= line");
    d->session_id = g_strdup(o->sess_id);
    return TRUE;
}

/* The number of m= lines GstSDPMessage will see: like its parser, a line
 * starts at the beginning of the text or after '\n', its white space
 * skipped, and is an m-line if it then reads "m=". One pass, no copy. */
static gsize
count_m_lines(const char *p)
{
    gsize n = 0;

    for (;;) {
        while (g_ascii_isspace(*p))
            p++;
        if (*p == '\0')
            return n;
        if (p[0] == 'm' && p[1] == '=')
            n++;
        p = strchr(p, '\n');
        if (p == NULL)
            return n;
        p++;
    }
}

/* The limits of sdp.h, before GstSDPMessage or anything else runs. */
static gboolean
check_limits(const char *text, GError **error)
{
    gsize n;

    if (strnlen(text, SC_SDP_MAX_SIZE + 1) > SC_SDP_MAX_SIZE)
        return fail(error, "SDP is larger than %d bytes (SC_SDP_MAX_SIZE)",
                    SC_SDP_MAX_SIZE);
    n = count_m_lines(text);
    if (n > SC_SDP_MAX_SECTIONS)
        return fail(error,
                    "SDP has %" G_GSIZE_FORMAT " m-sections, more than the "
                    "limit of %d (SC_SDP_MAX_SECTIONS)",
                    n, SC_SDP_MAX_SECTIONS);
    return TRUE;
}

ScSdpDesc *
sc_sdp_parse(ScSdpType type, const char *text, GError **error)
{
    GstSDPMessage *msg = NULL;
    g_autoptr(ScSdpDesc) d = NULL;
    Scope sess;
    Scope *scopes = NULL;
    GPtrArray *groups = NULL;
    Lookup lk = {NULL, NULL};
    guint n_media = 0;
    gboolean ok = FALSE;

    g_return_val_if_fail(text != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (*text == '\0') {
        fail(error, "SDP is empty");
        return NULL;
    }
    if (!check_limits(text, error))
        return NULL;
    scope_init(&sess);
    if (gst_sdp_message_new_from_text(text, &msg) != GST_SDP_OK ||
        msg == NULL) {
        scope_clear(&sess);
        if (msg != NULL)
            gst_sdp_message_free(msg);
        fail(error, "SDP could not be parsed");
        return NULL;
    }

    d = g_new0(ScSdpDesc, 1);
    d->type = type;
    d->sections = g_ptr_array_new_with_free_func(section_free);
    d->fingerprints = g_ptr_array_new_with_free_func(g_free);
    d->data_section = -1;
    d->transport_section = -1;

    if (!check_session_lines(msg, d, error))
        goto out;

    for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++) {
        const GstSDPAttribute *a = gst_sdp_message_get_attribute(msg, i);

        if (a->key == NULL)
            continue;
        if (strcmp(a->key, "ice-lite") == 0) {
            d->ice_lite = TRUE;
        } else if (strcmp(a->key, "ice-pacing") == 0) {
            /* RFC 8839 §5.5: ice-pacing-att = "ice-pacing:" 1*10DIGIT */
            guint64 v = 0;
            if (!g_ascii_string_to_unsigned(attr_value(a), 10, 1, G_MAXUINT32,
                                            &v, NULL)) {
                g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                            "a=ice-pacing must be a positive number of ms");
                goto out;
            }
            d->ice_pacing_ms = (guint)v;
        } else if (!scope_add_attr(&sess, a->key, attr_value(a), "session level",
                                 error))
            goto out;
    }

    n_media = gst_sdp_message_medias_len(msg);
    /* counted by check_limits(); kept as a guard should GstSDP differ */
    if (n_media > SC_SDP_MAX_SECTIONS) {
        fail(error, "SDP has more than %d m-sections (SC_SDP_MAX_SECTIONS)",
             SC_SDP_MAX_SECTIONS);
        goto out;
    }
    lk.mids = g_hash_table_new(g_str_hash, g_str_equal);
    lk.bundle = g_hash_table_new(g_str_hash, g_str_equal);
    scopes = g_new0(Scope, n_media);
    for (guint i = 0; i < n_media; i++) {
        ScSdpSection *s =
            parse_section(gst_sdp_message_get_media(msg, i), i, &scopes[i],
                          error);
        if (s == NULL)
            goto out;
        if (s->direction == NULL)
            s->direction = g_strdup(scopes[i].direction ? scopes[i].direction
                                    : sess.direction ? sess.direction
                                                     : "sendrecv");
        s->dir = direction_from_string(s->direction);
        if (s->mid != NULL && lookup_mid(&lk, s->mid) >= 0) {
            fail(error, "m-section %u repeats a=mid:%.64s", i, s->mid);
            section_free(s);
            goto out;
        }
        g_ptr_array_add(d->sections, s);
        if (s->mid != NULL)
            g_hash_table_insert(lk.mids, s->mid, GINT_TO_POINTER(i + 1));
        if (d->data_section < 0 && s->is_datachannel &&
            !section_is_rejected(s))
            d->data_section = (int)i;
    }

    /* BUNDLE: every mid must exist; keep the group of the data section */
    groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    if (!collect_groups(msg, &lk, groups, error))
        goto out;
    if (groups->len > 0) {
        guint pick = 0;
        if (d->data_section >= 0) {
            const char *dmid =
                ((ScSdpSection *)d->sections->pdata[d->data_section])->mid;
            for (guint g = 0; g < groups->len && dmid != NULL; g++) {
                if (g_strv_contains((const char *const *)groups->pdata[g],
                                      dmid)) {
                    pick = g;
                    break;
                }
            }
        }
        d->bundle_mids = g_strdupv(groups->pdata[pick]);
        for (guint k = 0; d->bundle_mids[k] != NULL; k++)
            g_hash_table_add(lk.bundle, d->bundle_mids[k]);
    }

    mark_accepted(d, &lk);
    if (!validate_desc(d, &lk, &sess, scopes, error))
        goto out;

    /* keep the media-level transport attributes "as written" */
    for (guint i = 0; i < n_media; i++) {
        ScSdpSection *s = d->sections->pdata[i];
        s->ice_ufrag = g_steal_pointer(&scopes[i].ice_ufrag);
        s->ice_pwd = g_steal_pointer(&scopes[i].ice_pwd);
        s->tls_id = g_steal_pointer(&scopes[i].tls_id);
        s->has_setup = scopes[i].has_setup;
        s->setup = scopes[i].setup;
        g_ptr_array_unref(s->fingerprints);
        s->fingerprints = g_steal_pointer(&scopes[i].fingerprints);
    }
    d->identity = g_steal_pointer(&sess.identity);
    if (d->identity == NULL && d->transport_section >= 0)
        d->identity = g_strdup(scopes[d->transport_section].identity);
    ok = TRUE;

out:
    if (groups != NULL)
        g_ptr_array_unref(groups);
    if (lk.mids != NULL)
        g_hash_table_unref(lk.mids);
    if (lk.bundle != NULL)
        g_hash_table_unref(lk.bundle);
    for (guint i = 0; scopes != NULL && i < n_media; i++)
        scope_clear(&scopes[i]);
    g_free(scopes);
    scope_clear(&sess);
    gst_sdp_message_free(msg);
    if (!ok)
        return NULL;
    return g_steal_pointer(&d);
}
