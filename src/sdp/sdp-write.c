/* src/sdp/sdp-write.c - producing offers and answers: RFC 8829 §5.2.1
 * (initial offer) and §5.3.1 (initial answer: m-lines mirrored, rejected
 * sections with port 0, BUNDLE group of the accepted mids), RFC 8841 (data
 * channel m-section), RFC 5763 §5 / RFC 8842 §5 (setup, tls-id), RFC 8838
 * §5.1 (trickle: port 9, c=IN IP4 0.0.0.0) and §4.1 (the candidates
 * gathered so far in the initial description); RTP media
 * sections: RFC 8843 (one BUNDLE group, the same transport attributes in
 * each section), RFC 3264 §6.1 (answer formats and directions), RFC 5761
 * (rtcp-mux), RFC 5506 (rtcp-rsize), RFC 4585 / RFC 5104 (rtcp-fb),
 * RFC 5576 (a=ssrc), RFC 8830 (a=msid), RFC 7587 (Opus), RFC 7741 (VP8).
 * The text is produced by GstSDPMessage.
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

#include <gst/sdp/sdp.h>
#include <string.h>

#define SC_SDP_LEGACY_SCTP_STREAMS 1024

/* What we offer (and answer with the offerer's payload type). */
#define SC_SDP_OPUS_PT 111
#define SC_SDP_OPUS_FMTP "minptime=10;useinbandfec=1"
#define SC_SDP_VP8_PT 96

static gboolean
bad_arg(GError **error, const char *msg)
{
    g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, msg);
    return FALSE;
}

/* The identity attribute value: base64 assertion and optional extensions,
 * printable ASCII separated by single spaces. */
static gboolean
identity_is_valid(const char *s)
{
    if (*s == '\0' || *s == ' ')
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return FALSE;
    return TRUE;
}

/* RFC 4566 token, 1..@max characters (msid-id: 1*64token-char, RFC 8830). */
static gboolean
token_is_valid(const char *s, gsize max)
{
    gsize n = 0;

    if (s == NULL || *s == '\0')
        return FALSE;
    for (const char *p = s; *p; p++, n++)
        if (n >= max ||
            (!g_ascii_isalnum(*p) && strchr("!#$%&'*+-.^_`{|}~", *p) == NULL))
            return FALSE;
    return TRUE;
}

/* An a=ssrc cname value: 1-255 visible ASCII characters. */
static gboolean
cname_is_valid(const char *s)
{
    gsize n = 0;

    if (s == NULL || *s == '\0')
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++, n++)
        if (n >= 255 || *p <= 0x20 || *p >= 0x7f)
            return FALSE;
    return TRUE;
}

static gboolean
media_sends(const ScSdpLocalMedia *lm)
{
    return lm->enabled && SC_SDP_DIRECTION_SENDS(lm->direction);
}

static gboolean
check_media(const ScSdpLocalMedia *lm, const char *kind, GError **error)
{
    if (!lm->enabled)
        return TRUE;
    if ((guint)lm->direction > SC_SDP_DIRECTION_SENDRECV) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "local %s direction is invalid", kind);
        return FALSE;
    }
    if (!SC_SDP_DIRECTION_SENDS(lm->direction))
        return TRUE;
    if (lm->ssrc == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "local %s SSRC must not be 0", kind);
        return FALSE;
    }
    if (!token_is_valid(lm->track_id, 64)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "local %s track id must be 1-64 token characters", kind);
        return FALSE;
    }
    return TRUE;
}

/* The feedback we write for @lm (see ScSdpLocalMedia.rtcp_fb). */
static guint
local_rtcp_fb(const ScSdpLocalMedia *lm, gboolean video)
{
    if (lm->rtcp_fb == 0)
        return video ? SC_SDP_RTCP_FB_WRITABLE : 0;
    return lm->rtcp_fb & SC_SDP_RTCP_FB_WRITABLE;
}

/* Checks @local; fills @fps with the normalised fingerprints and @cands
 * with the parsed candidates. */
static gboolean
check_local(const ScSdpLocal *local, GPtrArray *fps, GPtrArray *cands,
            GError **error)
{
    if (!sc_sdp_is_ice_chars(local->ice_ufrag, 4, 32))
        return bad_arg(error, "local ice-ufrag must be 4-32 ice-chars");
    if (!sc_sdp_is_ice_chars(local->ice_pwd, 22, 256))
        return bad_arg(error, "local ice-pwd must be 22-256 ice-chars");
    if (local->fingerprints == NULL || local->fingerprints[0] == NULL)
        return bad_arg(error, "no local fingerprint");
    for (guint i = 0; local->fingerprints[i] != NULL; i++) {
        GError *e = NULL;
        char *fp = sc_fingerprint_normalize(local->fingerprints[i], &e);
        if (fp == NULL) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "local %s", e->message);
            g_error_free(e);
            return FALSE;
        }
        g_ptr_array_add(fps, fp);
    }
    if (local->tls_id != NULL && !sc_sdp_tls_id_is_valid(local->tls_id))
        return bad_arg(error, "local tls-id must be 20-255 characters of "
                              "ALPHA / DIGIT / + / - _");
    if (local->sctp_port == 0)
        return bad_arg(error, "local SCTP port must not be 0");
    if (local->session_id > (guint64)G_MAXINT64)
        return bad_arg(error, "session id must be below 2^63");
    if (local->identity != NULL && !identity_is_valid(local->identity))
        return bad_arg(error, "identity value must be printable ASCII");
    if (!check_media(&local->audio, "audio", error) ||
        !check_media(&local->video, "video", error))
        return FALSE;
    if (media_sends(&local->audio) || media_sends(&local->video)) {
        if (!cname_is_valid(local->cname))
            return bad_arg(error, "local CNAME must be 1-255 visible ASCII "
                                  "characters");
        if (!token_is_valid(local->stream_id, 64))
            return bad_arg(error, "local msid stream id must be 1-64 token "
                                  "characters");
    }
    if (media_sends(&local->audio) && media_sends(&local->video) &&
        local->audio.ssrc == local->video.ssrc)
        return bad_arg(error, "local audio and video SSRCs must differ");
    for (guint i = 0; local->candidates != NULL && local->candidates[i];
         i++) {
        GError *e = NULL;
        ScIceCandidate *c = sc_ice_candidate_parse(local->candidates[i], &e);
        if (c == NULL) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "local candidate: %s", e->message);
            g_error_free(e);
            return FALSE;
        }
        g_ptr_array_add(cands, c);
    }
    return TRUE;
}

/* The candidates of the section that carries our transport (see
 * ScSdpLocal.candidates), in our canonical form: what we write is what
 * our parser read, nothing more. */
static void
add_candidates(GstSDPMedia *m, const GPtrArray *cands, gboolean done)
{
    for (guint i = 0; i < cands->len; i++) {
        g_autofree char *line = sc_ice_candidate_to_string(cands->pdata[i]);
        /* the attribute value is what follows "a=candidate:" */
        gst_sdp_media_add_attribute(m, "candidate",
                                    line + strlen("candidate:"));
    }
    if (done)
        gst_sdp_media_add_attribute(m, "end-of-candidates", NULL);
}

static GstSDPMessage *
new_message(const ScSdpLocal *local)
{
    GstSDPMessage *msg = NULL;
    char id[24], ver[24];

    gst_sdp_message_new(&msg);
    g_snprintf(id, sizeof id, "%" G_GUINT64_FORMAT, local->session_id);
    g_snprintf(ver, sizeof ver, "%" G_GUINT64_FORMAT, local->session_version);
    gst_sdp_message_set_version(msg, "0");
    gst_sdp_message_set_origin(msg, "-", id, ver, "IN", "IP4", "127.0.0.1");
    gst_sdp_message_set_session_name(msg, "-");
    gst_sdp_message_add_time(msg, "0", "0", NULL);
    return msg;
}

/* The transport and data attributes of our data m-section. */
static void
add_transport_attrs(GstSDPMedia *m, const ScSdpLocal *local, GPtrArray *fps,
                    gboolean trickle, ScSdpSetup setup, gboolean tls_id)
{
    gst_sdp_media_add_attribute(m, "ice-ufrag", local->ice_ufrag);
    gst_sdp_media_add_attribute(m, "ice-pwd", local->ice_pwd);
    if (trickle)
        gst_sdp_media_add_attribute(m, "ice-options", "trickle");
    for (guint i = 0; i < fps->len; i++)
        gst_sdp_media_add_attribute(m, "fingerprint", fps->pdata[i]);
    gst_sdp_media_add_attribute(m, "setup", sc_sdp_setup_to_string(setup));
    if (tls_id && local->tls_id != NULL)
        gst_sdp_media_add_attribute(m, "tls-id", local->tls_id);
}

static void
add_sctp_attrs(GstSDPMedia *m, const ScSdpLocal *local, gboolean legacy)
{
    char buf[64];

    if (legacy) {
        g_snprintf(buf, sizeof buf, "%u webrtc-datachannel %u",
                   local->sctp_port, SC_SDP_LEGACY_SCTP_STREAMS);
        gst_sdp_media_add_attribute(m, "sctpmap", buf);
    } else {
        g_snprintf(buf, sizeof buf, "%u", local->sctp_port);
        gst_sdp_media_add_attribute(m, "sctp-port", buf);
    }
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, local->max_message_size);
    gst_sdp_media_add_attribute(m, "max-message-size", buf);
}

/* One RTP media section to write. */
typedef struct {
    const char *media, *proto, *mid;
    guint pt;
    const char *rtpmap; /* "opus/48000/2" */
    const char *fmtp;   /* NULL: none */
    guint rtcp_fb;      /* ScSdpRtcpFb, writable ones only */
    ScSdpDirection dir;
    gboolean rsize;
    const ScSdpLocalMedia *lm;
} RtpSection;

/* @cands: the candidates to write in this section, or NULL */
static void
add_rtp_section(GstSDPMessage *msg, const ScSdpLocal *local, GPtrArray *fps,
                const RtpSection *r, gboolean trickle, ScSdpSetup setup,
                gboolean tls_id, const GPtrArray *cands)
{
    static const struct {
        guint flag;
        const char *text;
    } fbs[] = {
        {SC_SDP_RTCP_FB_NACK, "nack"},
        {SC_SDP_RTCP_FB_NACK_PLI, "nack pli"},
        {SC_SDP_RTCP_FB_CCM_FIR, "ccm fir"},
    };
    GstSDPMedia media = {0}, *m = &media;
    gboolean sends = SC_SDP_DIRECTION_SENDS(r->dir);
    g_autofree char *msid = NULL;
    char buf[160];

    gst_sdp_media_init(m);
    gst_sdp_media_set_media(m, r->media);
    gst_sdp_media_set_port_info(m, 9, 0);
    gst_sdp_media_set_proto(m, r->proto);
    g_snprintf(buf, sizeof buf, "%u", r->pt);
    gst_sdp_media_add_format(m, buf);
    gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
    /* RFC 3605 dummy value (JSEP §5.2.1); rtcp-mux makes it moot */
    gst_sdp_media_add_attribute(m, "rtcp", "9 IN IP4 0.0.0.0");
    add_transport_attrs(m, local, fps, trickle, setup, tls_id);
    gst_sdp_media_add_attribute(m, "mid", r->mid);
    gst_sdp_media_add_attribute(m, sc_sdp_direction_to_string(r->dir), NULL);
    if (sends) {
        msid = g_strconcat(local->stream_id, " ", r->lm->track_id, NULL);
        gst_sdp_media_add_attribute(m, "msid", msid);
    }
    gst_sdp_media_add_attribute(m, "rtcp-mux", NULL);
    if (r->rsize)
        gst_sdp_media_add_attribute(m, "rtcp-rsize", NULL);
    g_snprintf(buf, sizeof buf, "%u %s", r->pt, r->rtpmap);
    gst_sdp_media_add_attribute(m, "rtpmap", buf);
    if (r->fmtp != NULL) {
        g_snprintf(buf, sizeof buf, "%u %s", r->pt, r->fmtp);
        gst_sdp_media_add_attribute(m, "fmtp", buf);
    }
    for (guint i = 0; i < G_N_ELEMENTS(fbs); i++) {
        if ((r->rtcp_fb & fbs[i].flag) == 0)
            continue;
        g_snprintf(buf, sizeof buf, "%u %s", r->pt, fbs[i].text);
        gst_sdp_media_add_attribute(m, "rtcp-fb", buf);
    }
    if (sends) {
        /* RFC 5576 §4.1; the msid form Chromium and Firefox still read */
        g_snprintf(buf, sizeof buf, "%u cname:%s", r->lm->ssrc, local->cname);
        gst_sdp_media_add_attribute(m, "ssrc", buf);
        g_snprintf(buf, sizeof buf, "%u msid:%s", r->lm->ssrc, msid);
        gst_sdp_media_add_attribute(m, "ssrc", buf);
    }
    if (cands != NULL)
        add_candidates(m, cands, local->end_of_candidates);
    gst_sdp_message_add_media(msg, m); /* takes the contents */
}

static void
add_session_attrs(GstSDPMessage *msg, const ScSdpLocal *local,
                  const char *group, gboolean media)
{
    if (group != NULL)
        gst_sdp_message_add_attribute(msg, "group", group);
    if (media) /* RFC 8830 §3 (removed later, still expected by browsers) */
        gst_sdp_message_add_attribute(msg, "msid-semantic", "WMS *");
    if (local->identity != NULL)
        gst_sdp_message_add_attribute(msg, "identity", local->identity);
    if (local->ice_pacing_ms > 0) {
        char pacing[16];
        g_snprintf(pacing, sizeof pacing, "%u", local->ice_pacing_ms);
        gst_sdp_message_add_attribute(msg, "ice-pacing", pacing);
    }
}

static char *
finish(GstSDPMessage *msg)
{
    char *text = gst_sdp_message_as_text(msg);

    gst_sdp_message_free(msg);
    return text;
}

char *
sc_sdp_create_offer(const ScSdpLocal *local, GError **error)
{
    g_autoptr(GPtrArray) fps = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) cands =
        g_ptr_array_new_with_free_func((GDestroyNotify)sc_ice_candidate_free);
    GstSDPMessage *msg;
    GstSDPMedia media = {0}, *m = &media;

    g_autoptr(GString) group = g_string_new("BUNDLE");
    RtpSection rtp[2];
    guint n_rtp = 0;
    char data_mid[4];

    g_return_val_if_fail(local != NULL, NULL);
    if (!check_local(local, fps, cands, error))
        return NULL;

    /* JSEP §5.2.1: audio, video, then data; mids are m-line indexes */
    if (local->audio.enabled)
        rtp[n_rtp++] = (RtpSection){
            .media = "audio",
            .pt = SC_SDP_OPUS_PT,
            .rtpmap = "opus/48000/2",
            .fmtp = SC_SDP_OPUS_FMTP,
            .rtcp_fb = local_rtcp_fb(&local->audio, FALSE),
            .lm = &local->audio,
        };
    if (local->video.enabled)
        rtp[n_rtp++] = (RtpSection){
            .media = "video",
            .pt = SC_SDP_VP8_PT,
            .rtpmap = "VP8/90000",
            .rtcp_fb = local_rtcp_fb(&local->video, TRUE),
            .lm = &local->video,
        };
    for (guint i = 0; i <= n_rtp; i++)
        g_string_append_printf(group, " %u", i);
    g_snprintf(data_mid, sizeof data_mid, "%u", n_rtp);

    msg = new_message(local);
    add_session_attrs(msg, local, group->str, n_rtp > 0);
    for (guint i = 0; i < n_rtp; i++) {
        static const char *const mids[] = {"0", "1"};

        rtp[i].proto = "UDP/TLS/RTP/SAVPF";
        rtp[i].mid = mids[i];
        rtp[i].dir = rtp[i].lm->direction;
        rtp[i].rsize = TRUE;
        /* the first section carries the candidates (BUNDLE tag) */
        add_rtp_section(msg, local, fps, &rtp[i], TRUE, SC_SDP_SETUP_ACTPASS,
                        TRUE, i == 0 ? cands : NULL);
    }

    gst_sdp_media_init(m);
    gst_sdp_media_set_media(m, "application");
    gst_sdp_media_set_port_info(m, 9, 0);
    gst_sdp_media_set_proto(m, "UDP/DTLS/SCTP");
    gst_sdp_media_add_format(m, "webrtc-datachannel");
    gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
    add_transport_attrs(m, local, fps, TRUE, SC_SDP_SETUP_ACTPASS, TRUE);
    gst_sdp_media_add_attribute(m, "mid", data_mid);
    add_sctp_attrs(m, local, FALSE);
    if (n_rtp == 0)
        add_candidates(m, cands, local->end_of_candidates);
    /* takes over the contents of the media (not the struct itself) */
    gst_sdp_message_add_media(msg, m);
    return finish(msg);
}

static ScSdpSetup
answer_setup(ScSdpSetup offered)
{
    /* RFC 5763 §5 / JSEP §5.3.1: active for actpass; the opposite role for
     * an offer from an older endpoint that already picked one. */
    return offered == SC_SDP_SETUP_ACTIVE ? SC_SDP_SETUP_PASSIVE
                                          : SC_SDP_SETUP_ACTIVE;
}

char *
sc_sdp_create_answer(const ScSdpLocal *local, const ScSdpDesc *offer,
                     GError **error)
{
    g_autoptr(GPtrArray) fps = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) cands =
        g_ptr_array_new_with_free_func((GDestroyNotify)sc_ice_candidate_free);
    GstSDPMessage *msg;
    const ScSdpSection *ds;
    int tag = -1; /* the section that carries our candidates */
    g_autoptr(GString) group = g_string_new("BUNDLE");
    int audio = -1, video = -1;
    gboolean trickle, tls_id;
    ScSdpSetup setup;

    g_return_val_if_fail(local != NULL, NULL);
    g_return_val_if_fail(offer != NULL, NULL);

    if (offer->type != SC_SDP_TYPE_OFFER) {
        bad_arg(error, "cannot answer a description that is not an offer");
        return NULL;
    }
    if (!check_local(local, fps, cands, error))
        return NULL;
    if (offer->data_section < 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                            "offer has no data channel section");
        return NULL;
    }
    ds = offer->sections->pdata[offer->data_section];
    if (local->audio.enabled)
        audio = sc_sdp_desc_find_media_index(offer, "audio");
    if (local->video.enabled)
        video = sc_sdp_desc_find_media_index(offer, "video");
    trickle = offer->ice_trickle;
    setup = local->answer_setup != SC_SDP_SETUP_ACTPASS
                ? local->answer_setup
                : answer_setup(offer->setup);
    tls_id = offer->tls_id != NULL;

    msg = new_message(local);
    /* the accepted mids of the offered group, in its order (JSEP §5.3.1);
     * accepted media implies a bundled data section */
    if (ds->mid != NULL && offer->bundle_mids != NULL &&
        g_strv_contains((const char *const *)offer->bundle_mids, ds->mid)) {
        for (guint k = 0; offer->bundle_mids[k] != NULL; k++) {
            int idx = sc_sdp_desc_find_mid(offer, offer->bundle_mids[k]);
            if (idx == offer->data_section || (idx >= 0 && idx == audio) ||
                (idx >= 0 && idx == video)) {
                g_string_append_printf(group, " %s", offer->bundle_mids[k]);
                if (tag < 0) /* the answerer-tagged section (RFC 8843) */
                    tag = idx;
            }
        }
    } else {
        audio = video = -1; /* cannot happen: see ScSdpSection.accepted */
    }
    if (tag < 0)
        tag = offer->data_section;
    add_session_attrs(msg, local, group->len > 6 ? group->str : NULL,
                      audio >= 0 || video >= 0);

    for (guint i = 0; i < offer->sections->len; i++) {
        const ScSdpSection *os = offer->sections->pdata[i];
        GstSDPMedia media = {0}, *m = &media;

        if ((int)i == audio || (int)i == video) {
            gboolean is_audio = (int)i == audio;
            const ScSdpLocalMedia *lm =
                is_audio ? &local->audio : &local->video;
            RtpSection r = {
                .media = os->media,
                .proto = os->proto,
                .mid = os->mid,
                .pt = os->codec->pt,
                .rtpmap = is_audio ? "opus/48000/2" : "VP8/90000",
                .fmtp = is_audio ? SC_SDP_OPUS_FMTP : NULL,
                .rtcp_fb = os->codec->rtcp_fb & local_rtcp_fb(lm, !is_audio),
                /* RFC 3264 §6.1, JSEP §5.3.1 */
                .dir = (ScSdpDirection)(sc_sdp_direction_reverse(os->dir) &
                                        lm->direction),
                .rsize = os->rtcp_rsize,
                .lm = lm,
            };
            add_rtp_section(msg, local, fps, &r, trickle, setup, tls_id,
                            (int)i == tag ? cands : NULL);
            continue;
        }
        gst_sdp_media_init(m);
        gst_sdp_media_set_media(m, os->media);
        gst_sdp_media_set_proto(m, os->proto);
        if ((int)i == offer->data_section) {
            char port[8];

            gst_sdp_media_set_port_info(m, 9, 0);
            if (os->legacy_sctpmap) {
                g_snprintf(port, sizeof port, "%u", local->sctp_port);
                gst_sdp_media_add_format(m, port);
            } else {
                gst_sdp_media_add_format(m, "webrtc-datachannel");
            }
            gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
            add_transport_attrs(m, local, fps, trickle, setup, tls_id);
            if (os->mid != NULL)
                gst_sdp_media_add_attribute(m, "mid", os->mid);
            add_sctp_attrs(m, local, os->legacy_sctpmap);
            if ((int)i == tag)
                add_candidates(m, cands, local->end_of_candidates);
        } else {
            /* rejected (RFC 3264 §6, JSEP §5.3.1) */
            gst_sdp_media_set_port_info(m, 0, 0);
            for (guint k = 0; k < os->formats->len; k++)
                gst_sdp_media_add_format(m, os->formats->pdata[k]);
            gst_sdp_media_add_connection(m, "IN", "IP4", "0.0.0.0", 0, 0);
            if (os->mid != NULL)
                gst_sdp_media_add_attribute(m, "mid", os->mid);
            gst_sdp_media_add_attribute(m, "inactive", NULL);
        }
        gst_sdp_message_add_media(msg, m); /* takes the contents */
    }
    return finish(msg);
}
