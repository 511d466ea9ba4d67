/* src/call/media-glue.c - the call's glue to media/: which RTP sections
 * were negotiated (send/receive, payload types), starting the media
 * session once DTLS-SRTP keys exist, and handing its RTP/RTCP to srtp/
 * and ICE (outbound). Inbound SRTP is demultiplexed in transport.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include "media/demux.h"

#include <string.h>

/* What the descriptions agreed for each kind of media: our direction is
 * the reverse of the peer's (RFC 3264 §6.1), the payload type the one in
 * the section. */
void
sc_call_media_negotiate(ScCall *call)
{
    for (int k = 0; k < 2; k++) {
        const ScSdpSection *sec = sc_sdp_desc_find_media(
            call->remote, k == SC_MEDIA_AUDIO ? "audio" : "video");
        ScSdpDirection ours;

        call->rtp.media_send[k] = call->rtp.media_recv[k] = FALSE;
        if (!call->media_enabled[k] || sec == NULL || !sec->accepted ||
            sec->codec == NULL)
            continue;
        ours = sc_sdp_direction_reverse(sec->dir);
        call->rtp.media_send[k] = SC_SDP_DIRECTION_SENDS(ours);
        call->rtp.media_recv[k] = SC_SDP_DIRECTION_RECEIVES(ours);
        call->rtp.media_pt[k] = (guint8)sec->codec->pt;
        SC_LOG_INFO(call->id, "%s: %s, payload type %u",
                    sc_media_kind_to_string((ScMediaKind)k),
                    sc_sdp_direction_to_string(ours), sec->codec->pt);
    }
}

/* The IANA name of a DTLS-SRTP profile (RFC 5764 §4.1.2, RFC 7714), which
 * browsers' getStats report as srtpCipher. */
const char *
sc_call_srtp_profile_iana(ScSrtpProfile p)
{
    switch (p) {
    case SC_SRTP_PROFILE_AES128_CM_SHA1_80:
        return "SRTP_AES128_CM_HMAC_SHA1_80";
    case SC_SRTP_PROFILE_AEAD_AES_128_GCM:
        return "SRTP_AEAD_AES_128_GCM";
    default:
        return NULL;
    }
}

/* Whether an RTP packet of payload type @pt is of a kind whose sending
 * sc_call_set_media_sending() stopped. */
static gboolean
rtp_kind_stopped(ScCall *call, guint8 pt)
{
    for (int k = 0; k < 2; k++)
        if (call->rtp.send_stopped[k] && call->rtp.media_send[k] &&
            call->rtp.media_pt[k] == pt)
            return TRUE;
    return FALSE;
}

static void
on_media_send(gpointer data, const guint8 *buf, gsize len, gboolean is_rtcp)
{
    ScCall *call = data;
    guint8 pkt[RTP_BUF_MAX];
    gsize n = len;
    ScStatus st;

    /* Media is never sent unprotected, and only on a connected call. */
    if (call->srtp == NULL || call->ice == NULL ||
        call->state != CALL_CONNECTED || len > sizeof pkt - 64)
        return;
    /* nor RTP of a kind whose sending is stopped (media/ drops it first;
     * this keeps it so whatever media/ does) */
    if (!is_rtcp && len >= 12 && rtp_kind_stopped(call, buf[1] & 0x7f))
        return;
    memcpy(pkt, buf, len);
    st = is_rtcp ? sc_srtp_session_protect_rtcp(call->srtp, pkt, &n,
                                                sizeof pkt)
                 : sc_srtp_session_protect(call->srtp, pkt, &n, sizeof pkt);
    if (st != SC_OK) {
        call->rtp.srtp_errors++;
        return;
    }
    if (sc_ice_transport_send(call->ice, pkt, n) == SC_OK && !is_rtcp)
        call->rtp.rtp_sent++;
}

static void
on_media_flow(gpointer data, ScMediaKind kind, gboolean send, gboolean flowing,
              guint64 packets)
{
    ScCall *call = data;
    ScCallEvent *ev;

    if (call->state == CALL_ENDED)
        return;
    ev = sc_call_event_new(SC_CALL_EVENT_MEDIA);
    sc_call_event_set_str(ev, "kind", sc_media_kind_to_string(kind));
    sc_call_event_set_str(ev, "direction", send ? "send" : "recv");
    sc_call_event_set_str(ev, "state", flowing ? "flowing" : "stopped");
    sc_call_event_set_int(ev, "packets", (gint64)packets);
    if (send)
        sc_call_event_set_bool(ev, "sending",
                               !call->rtp.send_stopped[kind]);
    sc_call_emit(call, ev);
}

static void
start_media(ScCall *call)
{
    static const ScMediaCallbacks media_cb = {
        .send = on_media_send,
        .on_flow = on_media_flow,
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *log_id = g_strdup_printf("%s/media", call->id);
    gboolean any = FALSE;

    if (call->srtp == NULL)
        return;
    call->media = sc_media_session_new(call->ctx, log_id, call->rtp.cname,
                                       &media_cb, call, &error);
    for (int k = 0; call->media != NULL && k < 2; k++) {
        /* the peer's a=ssrc ids: what media/ accepts from it (with a few
         * learned ones for peers that signal none) */
        const ScSdpSection *sec = sc_sdp_desc_find_media(
            call->remote, k == SC_MEDIA_AUDIO ? "audio" : "video");
        const GArray *ssrcs = sec != NULL ? sec->ssrcs : NULL;
        ScMediaTrack t = {
            .kind = (ScMediaKind)k,
            .payload_type = call->rtp.media_pt[k],
            .clock_rate = k == SC_MEDIA_AUDIO ? 48000 : 90000,
            .channels = k == SC_MEDIA_AUDIO ? 2 : 0,
            .ssrc = call->rtp.ssrc[k],
            .send = call->rtp.media_send[k],
            .recv = call->rtp.media_recv[k],
            .source = call->media_source[k],
            .remote_ssrcs = ssrcs != NULL && ssrcs->len > 0
                                ? (const guint32 *)(gconstpointer)ssrcs->data
                                : NULL,
            .n_remote_ssrcs = ssrcs != NULL ? ssrcs->len : 0,
        };
        if (!t.send && !t.recv)
            continue;
        if (!sc_media_session_add_track(call->media, &t, &error))
            break;
        if (t.send && call->rtp.send_stopped[k] &&
            !sc_media_session_set_sending(call->media, t.kind, FALSE, &error))
            break;
        any = TRUE;
    }
    if (call->media != NULL && error == NULL && any) {
        sc_media_session_set_record(call->media, call->record_path,
                                    call->play_audio);
        if (sc_media_session_start(call->media, &error))
            return;
    }
    if (error != NULL) {
        g_autofree char *d = g_strdup_printf("media: %s", error->message);
        SC_LOG_WARN(call->id, "%s", d);
        sc_call_emit_error(call, d);
    }
    g_clear_pointer(&call->media, sc_media_session_free);
}

static gboolean
media_start_cb(gpointer data)
{
    ScCall *call = data;

    g_clear_pointer(&call->rtp.media_source_id, g_source_unref);
    if (call->state == CALL_CONNECTED && call->media == NULL)
        start_media(call);
    return G_SOURCE_REMOVE;
}

void
sc_call_media_schedule_start(ScCall *call)
{
    if (call->rtp.media_source_id != NULL || call->srtp == NULL)
        return;
    call->rtp.media_source_id = g_idle_source_new();
    g_source_set_priority(call->rtp.media_source_id, G_PRIORITY_LOW);
    g_source_set_callback(call->rtp.media_source_id, media_start_cb,
                          sc_call_ref(call), (GDestroyNotify)sc_call_unref);
    g_source_attach(call->rtp.media_source_id, call->ctx);
}

gsize
sc_call_media_inspect(ScCall *call, ScInspectorMedia *media, gsize max)
{
    const char *cipher;
    gsize n = 0;

    if (call->media == NULL)
        return 0;
    cipher = sc_srtp_profile_describe(sc_srtp_session_get_profile(call->srtp));
    for (int k = 0; k < 2; k++) {
        ScMediaStats st;
        ScMediaRtcpStats rs;

        sc_media_session_get_stats(call->media, (ScMediaKind)k, &st);
        sc_media_session_get_rtcp_stats(call->media, (ScMediaKind)k, &rs);
        for (int dir = 0; dir < 2; dir++) {
            gboolean send = dir == 0;
            const ScMediaReport *r = send ? &rs.sent : &rs.received;
            ScInspectorMedia *m;

            if (!(send ? call->rtp.media_send[k] : call->rtp.media_recv[k]) ||
                n >= max)
                continue;
            m = &media[n++];
            memset(m, 0, sizeof *m);
            m->kind = sc_media_kind_to_string((ScMediaKind)k);
            m->direction = send ? "send" : "recv";
            m->encrypted = TRUE; /* only SRTP leaves or enters */
            m->cipher = cipher;
            m->packets = send ? st.packets_sent : st.packets_received;
            m->bytes = send ? st.bytes_sent : st.bytes_received;
            m->sending = send && !call->rtp.send_stopped[k];
            m->bitrate = send ? rs.bitrate_sent : rs.bitrate_received;
            m->have_rtcp = r->have;
            m->packets_lost = r->packets_lost;
            m->fraction_lost = r->fraction_lost;
            m->jitter_us = r->jitter_us;
            /* the path's, measured on what we send: the same both ways */
            m->round_trip_us = rs.round_trip_us;
            m->ssrc_refused = send ? 0 : st.ssrc_refused;
        }
    }
    return n;
}

/* TRUE when the negotiated description has an accepted RTP section. */
gboolean
sc_call_media_has_rtp(ScCall *call)
{
    for (int k = 0; k < 2; k++)
        if (call->rtp.media_send[k] || call->rtp.media_recv[k])
            return TRUE;
    return FALSE;
}

gboolean
sc_call_set_media_sending(ScCall *call, ScMediaType type, gboolean sending,
                          GError **error)
{
    const char *name;
    ScCallEvent *ev;
    ScMediaStats st = {0};

    g_return_val_if_fail(call != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
    if (type != SC_MEDIA_TYPE_AUDIO && type != SC_MEDIA_TYPE_VIDEO) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "unknown media type %d", (int)type);
        return FALSE;
    }
    name = sc_media_kind_to_string((ScMediaKind)type);
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return FALSE;
    }
    if (!call->media_enabled[type]) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "%s is not enabled in this call", name);
        return FALSE;
    }
    if (call->remote != NULL && !call->rtp.media_send[type]) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "no %s is sent in this call (not negotiated)", name);
        return FALSE;
    }
    sending = !!sending;
    if (call->rtp.send_stopped[type] == !sending)
        return TRUE;
    if (call->media != NULL &&
        !sc_media_session_set_sending(call->media, (ScMediaKind)type, sending,
                                      error))
        return FALSE;
    call->rtp.send_stopped[type] = !sending;
    SC_LOG_INFO(call->id, "%s: sending %s", name,
                sending ? "resumed" : "stopped");
    if (sending)
        return TRUE; /* "flowing" comes with the first packet */
    if (call->media != NULL)
        sc_media_session_get_stats(call->media, (ScMediaKind)type, &st);
    ev = sc_call_event_new(SC_CALL_EVENT_MEDIA);
    sc_call_event_set_str(ev, "kind", name);
    sc_call_event_set_str(ev, "direction", "send");
    sc_call_event_set_str(ev, "state", "stopped");
    sc_call_event_set_int(ev, "packets", (gint64)st.packets_sent);
    sc_call_event_set_bool(ev, "sending", FALSE);
    sc_call_emit(call, ev);
    return TRUE;
}
