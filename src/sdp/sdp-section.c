/* src/sdp/sdp-section.c - one media section of a session description:
 * the m= line (media, port, proto, formats), the dispatch of its attribute
 * lines (mid, bundle-only, rtcp-mux (RFC 5761), rtcp-rsize (RFC 5506),
 * candidates (RFC 8839 §5.1), end-of-candidates (RFC 8838)), the data
 * channel section (RFC 8841: sctp-port, max-message-size, and the legacy
 * draft-ietf-mmusic-sctp-sdp-05 form, DTLS/SCTP <port> + a=sctpmap), and
 * the codec we pick, the first supported on the m= line (RFC 7587 Opus,
 * RFC 7741 VP8). The attribute values themselves are parsed by
 * sdp-attr.c; the description as a whole is sdp-parse.c's.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"
#include "sdp/sdp-priv.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#define SC_SDP_DEFAULT_MAX_MESSAGE_SIZE 65536

/* ---- freeing ---- */

static void
codec_free(gpointer p)
{
    ScSdpCodec *c = p;

    g_free(c->encoding);
    g_free(c->fmtp);
    g_free(c);
}

void
sc_sdp_section_free(gpointer p)
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

/* ---- media sections ---- */

typedef struct {
    gboolean has_sctp_port;
    gboolean sctpmap_ok;     /* an a=sctpmap with webrtc-datachannel */
    guint16 sctpmap_port;
} SctpInfo;

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

        if (!sc_sdp_parse_u64(s->formats->pdata[i], 127, &pt))
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

ScSdpSection *
sc_sdp_parse_section(const GstSDPMedia *md, guint index, Scope *scope,
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
    sc_sdp_scope_init(scope);

    if (!sc_sdp_is_token(md->media, 32)) {
        sc_sdp_fail(error, "%s: m= line has no valid media type", where);
        goto error;
    }
    s->media = g_strdup(md->media);
    g_free(where);
    where = g_strdup_printf("m-section %u (m=%s)", index, s->media);
    if (md->port > 65535) {
        sc_sdp_fail(error, "%s: port %u is not 0..65535", where, md->port);
        goto error;
    }
    s->port = (guint16)md->port;
    if (!sc_sdp_is_proto(md->proto)) {
        sc_sdp_fail(error, "%s: m= line has no valid protocol", where);
        goto error;
    }
    s->proto = g_strdup(md->proto);
    for (guint i = 0; i < gst_sdp_media_formats_len(md); i++) {
        const char *f = gst_sdp_media_get_format(md, i);

        if (f == NULL || *f == '\0')
            continue; /* GstSDP reports trailing blanks as empty formats */
        if (!sc_sdp_is_fmt(f)) {
            sc_sdp_fail(error, "%s: invalid format on the m= line", where);
            goto error;
        }
        g_ptr_array_add(s->formats, g_strdup(f));
    }
    if (s->formats->len == 0) {
        sc_sdp_fail(error, "%s: m= line has no format", where);
        goto error;
    }
    is_rtp = strstr(s->proto, "RTP") != NULL;

    for (guint i = 0; i < gst_sdp_media_attributes_len(md); i++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute(md, i);
        const char *key = a->key, *value = sc_sdp_attr_value(a);
        guint64 v;

        if (key == NULL)
            continue;
        if (strcmp(key, "mid") == 0) {
            if (!sc_sdp_is_token(value, 256)) {
                sc_sdp_fail(error,
                            "%s: a=mid must be a token of 1-256 characters",
                            where);
                goto error;
            }
            if (!sc_sdp_set_once(&s->mid, value, key, where, error))
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
                sc_sdp_section_add_ssrc(s, value);
        } else if (strcmp(key, "ssrc-group") == 0) {
            if (is_rtp)
                sc_sdp_parse_fid_group(value, &have_fid, fid);
        } else if (strcmp(key, "msid") == 0) {
            if (is_rtp)
                sc_sdp_section_add_msid(s, value);
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
            if (!sc_sdp_parse_u64(value, 65535, &v)) {
                sc_sdp_fail(error, "%s: a=sctp-port \"%.16s\" is not 0..65535",
                            where, value);
                goto error;
            }
            if (sctp.has_sctp_port && s->sctp_port != v) {
                sc_sdp_fail(error, "two different a=sctp-port at %s", where);
                goto error;
            }
            sctp.has_sctp_port = TRUE;
            s->sctp_port = (guint16)v;
        } else if (strcmp(key, "max-message-size") == 0) {
            if (!sc_sdp_parse_u64(value, G_MAXUINT64, &v)) {
                sc_sdp_fail(error,
                            "%s: a=max-message-size \"%.24s\" is not a number",
                            where, value);
                goto error;
            }
            s->max_message_size = v;
        } else if (strcmp(key, "sctpmap") == 0) {
            /* legacy: "5000 webrtc-datachannel 1024" */
            g_auto(GStrv) f = g_strsplit(value, " ", 3);

            if (!sctp.sctpmap_ok && f[0] != NULL && f[1] != NULL &&
                sc_sdp_parse_u64(f[0], 65535, &v) &&
                strcmp(f[1], "webrtc-datachannel") == 0) {
                sctp.sctpmap_ok = TRUE;
                sctp.sctpmap_port = (guint16)v;
            }
        } else if (strcmp(key, "rtpmap") == 0) {
            g_ptr_array_add(rtpmaps, (gpointer)value);
        } else if (strcmp(key, "fmtp") == 0) {
            g_ptr_array_add(fmtps, (gpointer)value);
        } else if (!sc_sdp_scope_add_attr(scope, key, value, where, error)) {
            goto error;
        }
    }

    if (is_rtp) {
        for (guint i = 0; i < rtpmaps->len; i++)
            sc_sdp_section_add_rtpmap(s, rtpmaps->pdata[i]);
        for (guint i = 0; i < fmtps->len; i++)
            sc_sdp_section_add_fmtp(s, fmtps->pdata[i]);
        for (guint i = 0; i < rtcpfbs->len; i++)
            sc_sdp_section_add_rtcp_fb(s, rtcpfbs->pdata[i]);
        section_pick_codec(s);
        if (have_fid) {
            /* the group may name SSRCs without a=ssrc lines */
            sc_sdp_section_add_ssrc_id(s, fid[0]);
            sc_sdp_section_add_ssrc_id(s, fid[1]);
            s->ssrc = fid[0];
            s->rtx_ssrc = fid[1];
        }
    }

    /* data channels (RFC 8841 §4, JSEP §5.8.2; legacy sctpmap) */
    if (g_ascii_strcasecmp(s->media, "application") == 0 &&
        proto_is_sctp(s->proto)) {
        gboolean rejected = s->port == 0 && !s->bundle_only;

        if (sc_sdp_str_in_array(s->formats, "webrtc-datachannel")) {
            s->is_datachannel = TRUE;
            if (!sctp.has_sctp_port && sctp.sctpmap_ok)
                s->sctp_port = sctp.sctpmap_port;
            else if (!sctp.has_sctp_port && !rejected) {
                sc_sdp_fail(error,
                            "%s: data channel section has no a=sctp-port "
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
    sc_sdp_section_free(s);
    sc_sdp_scope_clear(scope);
    return NULL;
}
