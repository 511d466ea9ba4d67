/* src/call/call.c - the orchestrator: the only module that knows all the
 * others. Signaling (contract section 1) drives JSEP offer/answer (RFC 8829)
 * over sdp/; ice/ finds a path (RFC 8445, trickle RFC 8838, consent RFC
 * 7675); datagrams are demultiplexed by first byte (RFC 7983) into dtls/
 * (RFC 6347, fingerprints RFC 8122/8842) whose keys feed srtp/ (RFC 5764
 * §4.2) and whose application data carries sctp/ (RFC 8261/8831/8832).
 * Public events are queued and dispatched from an idle source, never from
 * inside a sc_*() call or a lower layer's callback.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include "dtls/dtls.h"
#include "ice/ice.h"
#include "inspector/inspector.h"
#include "keys/keys.h"
#include "media/demux.h"
#include "media/media.h"
#include "sctp/sctp.h"
#include "sdp/sdp.h"
#include "signaling/signaling.h"
#include "srtp/srtp.h"

#include <string.h>

#define SC_SCTP_PORT 5000
#define BENCH_LABEL "bench"
#define BENCH_HIGH_WATER (4u * 1024 * 1024)
#define BENCH_LOW_WATER (1u * 1024 * 1024)
#define CHANNEL_QUEUE_MAX (1u * 1024 * 1024)
#define BENCH_PATTERN_MOD 251
#define RTP_BUF_MAX 1600        /* a packet plus the SRTP/SRTCP trailer */

typedef enum {
    CALL_IDLE,
    CALL_SIGNALING,   /* connected to the relay, waiting for the peer */
    CALL_NEGOTIATING, /* offer/answer in progress */
    CALL_CONNECTING,  /* descriptions exchanged, transports starting */
    CALL_CONNECTED,   /* DTLS up */
    CALL_ENDED,
} CallState;

typedef struct {
    gboolean running;
    ScChannel *chan;       /* strong */
    guint64 bytes;
    gsize chunk;
    guint64 sent;
    gint64 t_start;
    gboolean start_sent;
} BenchSender;

typedef struct {
    gboolean active;
    guint64 expected;
    guint64 received;
    gboolean pattern_ok;
} BenchReceiver;

struct ScCall {
    grefcount ref;
    ScEndpoint *endpoint;
    GMainContext *ctx;
    ScCallRole role;
    char id[9];
    CallState state;

    /* configuration */
    char *signal_url;
    char *stun_host;
    guint16 stun_port;
    guint ice_max_pairs;    /* 0: SC_ICE_MAX_PAIRS_DEFAULT */
    GPtrArray *local_addresses;
    gboolean media_enabled[2];      /* by ScMediaType */
    char *media_source[2];
    char *record_path;
    gboolean play_audio;

    /* media: our random identities (RFC 7022 CNAME, SSRCs, msid) */
    char cname[17];
    char stream_id[17];
    char track_id[2][17];
    guint32 ssrc[2];
    ScMediaSession *media;
    GSource *media_source_id;       /* pending media start */
    gboolean media_send[2];
    gboolean media_recv[2];
    guint8 media_pt[2];
    guint64 rtp_sent, rtp_received;
    guint64 srtp_errors;

    ScCallEventFunc func;
    gpointer func_data;
    GDestroyNotify func_destroy;
    GQueue events;
    GSource *event_source;

    /* keys */
    ScCert *cert;
    char *local_fingerprint;
    char *tls_id;
    guint64 session_id;

    /* layers */
    ScSignalClient *sig;
    ScIceTransport *ice;
    ScDtlsTransport *dtls;
    ScSrtpSession *srtp;
    ScSctpAssoc *sctp;
    ScSdpDesc *remote;
    gboolean offer_sent;
    gboolean dtls_role_known;
    gboolean dtls_client;
    gboolean dtls_started;
    gboolean sctp_connected;
    GPtrArray *pending_candidates;  /* char*, before the remote description */
    GPtrArray *dtls_early;          /* GBytes*, DTLS out before ICE connects */
    gboolean pending_end_of_candidates;
    /* Our offer or answer of the current ICE generation is sent: it listed
     * the candidates gathered until then; later ones are trickled. */
    gboolean local_desc_sent;
    gboolean local_candidates_done; /* end-of-candidates sent (or in it) */
    gboolean restart_pending;       /* offerer: ICE-restart offer sent */
    guint64 sdp_version;            /* o= sess-version of our next SDP */
    guint n_restarts;
    /* The relay said peer-left once the call was up: whoever speaks on
     * signaling from now on is a stranger (see on_sig_message()). */
    gboolean peer_left;
    guint64 stranger_msgs;          /* signaling ignored since peer_left */
    GSource *teardown_source;
    ScHangup hangup;                /* a local hangup finishing (hangup.c) */

    ScChannelTable channels;
    BenchSender bench;
    BenchReceiver bench_rx;
    guint64 srtp_dropped;
    /* setup milestones (sc_clock_now_us; 0 = not yet), reported with the
     * first channel open: where the offer-to-channel time went */
    gint64 t_offer_us;
    gint64 t_answer_us;     /* offerer: the answer arrived */
    gint64 t_ice_us;        /* ICE first connected */
    gint64 t_dtls_us;       /* DTLS connected (fingerprint checked) */
    gint64 t_sctp_us;       /* SCTP association up */
    gint64 t_first_open_us;
};

static void call_end(ScCall *call, ScEndReason reason, const char *detail);
static void call_end_with(ScCall *call, ScEndReason reason,
                          const char *detail, const char *peer_reason);
static void open_pending_channels(ScCall *call);
static void bench_pump(ScCall *call);

/* ------------------------------------------------------------------ */
/* endpoint                                                             */

ScEndpoint *
sc_endpoint_new(GMainContext *context, GError **error)
{
    ScEndpoint *ep = g_new0(ScEndpoint, 1);

    g_ref_count_init(&ep->ref);
    ep->ctx = context != NULL ? g_main_context_ref(context)
                              : g_main_context_ref_thread_default();
    sc_srtp_global_ref();
    return ep;
}

ScEndpoint *
sc_endpoint_ref(ScEndpoint *endpoint)
{
    g_return_val_if_fail(endpoint != NULL, NULL);
    g_ref_count_inc(&endpoint->ref);
    return endpoint;
}

void
sc_endpoint_unref(ScEndpoint *endpoint)
{
    if (endpoint == NULL || !g_ref_count_dec(&endpoint->ref))
        return;
    g_main_context_unref(endpoint->ctx);
    sc_srtp_global_unref();
    g_free(endpoint);
}

/* ------------------------------------------------------------------ */
/* events: queued, dispatched from an idle source                       */

static gboolean
dispatch_events(gpointer data)
{
    ScCall *call = data;
    ScCallEvent *ev;

    g_clear_pointer(&call->event_source, g_source_unref);
    sc_call_ref(call);
    while ((ev = g_queue_pop_head(&call->events)) != NULL) {
        if (call->func != NULL)
            call->func(call, ev, call->func_data);
        sc_call_event_free(ev);
    }
    sc_call_unref(call);
    return G_SOURCE_REMOVE;
}

static void
emit(ScCall *call, ScCallEvent *ev)
{
    g_queue_push_tail(&call->events, ev);
    if (call->event_source == NULL) {
        call->event_source = g_idle_source_new();
        g_source_set_priority(call->event_source, G_PRIORITY_DEFAULT);
        g_source_set_callback(call->event_source, dispatch_events, call,
                              NULL);
        g_source_attach(call->event_source, call->ctx);
    }
}

static void
emit_error(ScCall *call, const char *detail)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_ERROR);
    sc_call_event_set_str(ev, "detail", detail);
    emit(call, ev);
}

/* ------------------------------------------------------------------ */
/* channels                                                             */

gboolean
sc_channel_send(ScChannel *channel, gboolean binary, const guint8 *data,
                gsize len, GError **error)
{
    ScCall *call;

    g_return_val_if_fail(channel != NULL, FALSE);
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    call = channel->call;
    if (call == NULL || channel->closed || call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "channel '%s' is closed", channel->label);
        return FALSE;
    }
    if (sc_hangup_in_progress(&call->hangup)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call is hanging up");
        return FALSE;
    }
    if (!binary && !g_utf8_validate((const char *)data, (gssize)len, NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "text message is not valid UTF-8");
        return FALSE;
    }
    if (!channel->open) {
        /* Queued until the channel opens (bounded). */
        if (channel->queued_bytes + len > CHANNEL_QUEUE_MAX) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                        "channel '%s' is not open yet and its queue is "
                        "full", channel->label);
            return FALSE;
        }
        ScQueuedMsg *m = g_new0(ScQueuedMsg, 1);
        m->binary = binary;
        m->data = g_bytes_new(data, len);
        g_queue_push_tail(&channel->queue, m);
        channel->queued_bytes += len;
        return TRUE;
    }
    return sc_sctp_assoc_send(call->sctp, (guint16)channel->sid, binary, data,
                              len, error);
}

gsize
sc_channel_get_buffered_amount(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, 0);
    if (!channel->open || channel->call == NULL ||
        channel->call->sctp == NULL)
        return channel->queued_bytes;
    return sc_sctp_assoc_get_buffered_amount(channel->call->sctp,
                                             (guint16)channel->sid);
}

void
sc_channel_close(ScChannel *channel)
{
    g_return_if_fail(channel != NULL);
    if (channel->closed)
        return;
    if (channel->open && channel->call != NULL && channel->call->sctp != NULL)
        sc_sctp_assoc_close_channel(channel->call->sctp,
                                    (guint16)channel->sid);
    else if (channel->call != NULL)
        sc_channel_table_remove(&channel->call->channels, channel);
    else
        channel->closed = TRUE;
}

static void
channel_request_open(ScCall *call, ScChannel *c)
{
    g_autoptr(GError) error = NULL;
    guint16 sid = 0;

    if (c->requested || c->closed || call->sctp == NULL)
        return;
    c->requested = TRUE;
    if (!sc_sctp_assoc_open_channel(call->sctp, c->label, "", c->ordered,
                                    c->max_retransmits, c->max_lifetime_ms,
                                    &sid, &error)) {
        SC_LOG_WARN(call->id, "cannot open channel '%s': %s", c->label,
                    error->message);
        emit_error(call, error->message);
        sc_channel_table_remove(&call->channels, c);
        return;
    }
    sc_channel_table_set_sid(&call->channels, c, sid);
}

static void
open_pending_channels(ScCall *call)
{
    GList *l = call->channels.all.head;

    while (l != NULL) {
        ScChannel *c = l->data;
        l = l->next; /* c may leave the table */
        channel_request_open(call, c);
    }
}

ScChannel *
sc_call_get_channel(ScCall *call, const char *label, gboolean ordered,
                    int max_retransmits, int max_lifetime_ms, GError **error)
{
    ScChannel *c;

    g_return_val_if_fail(call != NULL && label != NULL, NULL);
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return NULL;
    }
    if (max_retransmits >= 0 && max_lifetime_ms >= 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "a channel has max_retransmits or max_lifetime, not both");
        return NULL;
    }
    if (strlen(label) > 65535) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "channel label longer than 65535 bytes");
        return NULL;
    }
    c = sc_channel_table_by_label(&call->channels, label);
    if (c != NULL)
        return c;
    c = sc_channel_new(call, label, ordered, max_retransmits,
                       max_lifetime_ms);
    sc_channel_table_add(&call->channels, c);
    sc_channel_unref(c); /* the table's reference is the call's */
    if (call->sctp_connected)
        channel_request_open(call, c);
    return c;
}

static void
channel_flush_queue(ScCall *call, ScChannel *c)
{
    ScQueuedMsg *m;

    while ((m = g_queue_pop_head(&c->queue)) != NULL) {
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        const guint8 *data = g_bytes_get_data(m->data, &len);
        c->queued_bytes -= len;
        if (!sc_sctp_assoc_send(call->sctp, (guint16)c->sid, m->binary, data,
                                len, &error)) {
            SC_LOG_WARN(call->id, "queued message on '%s' not sent: %s",
                        c->label, error->message);
            emit_error(call, error->message);
        }
        sc_queued_msg_free(m);
    }
}

/* ------------------------------------------------------------------ */
/* signaling                                                            */

static void
send_sig(ScCall *call, ScSigMsg *msg)
{
    g_autoptr(GError) error = NULL;

    if (call->sig == NULL)
        return;
    if (call->peer_left) {
        /* nothing of this call goes to whoever holds the seat now */
        SC_LOG_DEBUG(call->id, "not sent: the peer has left the relay");
        return;
    }
    if (!sc_signal_client_send(call->sig, msg, &error))
        SC_LOG_WARN(call->id, "signaling send failed: %s", error->message);
}

static void
send_bye(ScCall *call, const char *reason)
{
    g_autoptr(ScSigMsg) msg = NULL;

    /* Before signaling is up (or after it closed) there is nobody to tell:
     * a hangup then is not a failed send worth a warning. */
    if (call->sig == NULL || !sc_signal_client_is_open(call->sig))
        return;
    msg = sc_sig_msg_new(SC_SIG_MSG_BYE);
    msg->reason = g_strdup(reason);
    send_sig(call, msg);
}

static void
on_local_candidate(gpointer data, const char *candidate)
{
    ScCall *call = data;
    g_autoptr(ScSigMsg) msg = NULL;

    if (call->state == CALL_ENDED || call->local_candidates_done ||
        !call->local_desc_sent) /* the description will list it */
        return;
    msg = sc_sig_msg_new(SC_SIG_MSG_CANDIDATE);
    msg->candidate = g_strdup(candidate != NULL ? candidate : "");
    msg->sdp_mid = g_strdup(call->remote != NULL &&
                                    call->remote->data_section >= 0
                                ? ((ScSdpSection *)call->remote->sections
                                       ->pdata[call->remote->data_section])
                                      ->mid
                                : "0");
    if (msg->sdp_mid == NULL)
        msg->sdp_mid = g_strdup("0");
    msg->sdp_mline_index = call->remote != NULL && call->remote->data_section >= 0
                               ? call->remote->data_section
                               : 0;
    if (candidate == NULL)
        call->local_candidates_done = TRUE;
    send_sig(call, msg);
}

/* ------------------------------------------------------------------ */
/* transports                                                           */

static void on_ice_state(gpointer data, ScIceState state);
static void on_ice_recv(gpointer data, const guint8 *buf, gsize len);
static void on_dtls_send(gpointer data, const guint8 *buf, gsize len);
static void on_dtls_state(gpointer data, ScDtlsState state,
                          const GError *error);
static void on_dtls_data(gpointer data, const guint8 *buf, gsize len);
static void flush_dtls_early(ScCall *call);
static void schedule_media_start(ScCall *call);

static gboolean
create_transports(ScCall *call, gboolean controlling, GError **error)
{
    static const ScIceCallbacks ice_cb = {
        .on_candidate = on_local_candidate,
        .on_state = on_ice_state,
        .on_recv = on_ice_recv,
    };
    static const ScDtlsCallbacks dtls_cb = {
        .send = on_dtls_send,
        .on_state = on_dtls_state,
        .on_data = on_dtls_data,
    };
    ScIceConfig cfg = {
        .controlling = controlling,
        .stun_host = call->stun_host,
        .stun_port = call->stun_port,
        .max_pairs = call->ice_max_pairs,
        .local_addresses =
            call->local_addresses->len > 0
                ? (const char *const *)call->local_addresses->pdata
                : NULL,
    };
    g_autofree char *ice_id = g_strdup_printf("%s/ice", call->id);
    g_autofree char *dtls_id = g_strdup_printf("%s/dtls", call->id);

    call->ice = sc_ice_transport_new(call->ctx, ice_id, &cfg, &ice_cb, call,
                                     error);
    if (call->ice == NULL)
        return FALSE;
    call->dtls = sc_dtls_transport_new(call->ctx, call->cert, dtls_id,
                                       &dtls_cb, call, error);
    if (call->dtls == NULL)
        return FALSE;
    /* Gathering starts now, before any description (RFC 8838 §4: when a
     * call is imminent), so that our offer or answer carries the host
     * candidates and checks start one signaling hop earlier. */
    return sc_ice_transport_gather(call->ice, error);
}

/* The call cannot have transports: no usable local address for ICE
 * (ice-failed), or anything else (error). */
static void
end_transport_error(ScCall *call, const GError *error)
{
    call_end(call,
             g_error_matches(error, SC_ERROR, SC_ERROR_ICE_FAILED)
                 ? SC_END_REASON_ICE_FAILED
                 : SC_END_REASON_ERROR,
             error->message);
}

/* @cands: the candidates listed in the description (borrowed by it) */
static void
fill_local(ScCall *call, ScSdpLocal *local, const char **fps,
           char *const *cands)
{
    fps[0] = call->local_fingerprint;
    fps[1] = NULL;
    memset(local, 0, sizeof *local);
    local->ice_ufrag = sc_ice_transport_get_ufrag(call->ice);
    local->ice_pwd = sc_ice_transport_get_pwd(call->ice);
    local->fingerprints = fps;
    local->tls_id = call->tls_id;
    local->sctp_port = SC_SCTP_PORT;
    local->max_message_size = sc_sctp_assoc_get_local_max_message_size();
    local->session_id = call->session_id;
    local->session_version = call->sdp_version++;
    local->ice_pacing_ms = SC_ICE_TA_LOCAL_MS;
    for (int k = 0; k < 2; k++) {
        ScSdpLocalMedia *m = k == SC_MEDIA_AUDIO ? &local->audio : &local->video;
        if (!call->media_enabled[k])
            continue;
        m->enabled = TRUE;
        m->direction = SC_SDP_DIRECTION_SENDRECV;
        m->ssrc = call->ssrc[k];
        m->track_id = call->track_id[k];
    }
    local->cname = call->cname;
    local->stream_id = call->stream_id;
    local->candidates = (const char *const *)cands;
    local->end_of_candidates = sc_ice_transport_is_gathering_done(call->ice);
}

static void
emit_signaling_state(ScCall *call, const char *state)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);

    sc_call_event_set_str(ev, "state", state);
    emit(call, ev);
}

/* A later remote description we do not take (a re-offer, a restart
 * answer): logged and reported as an error event ("refused WHAT: why");
 * the call goes on. */
static void
refuse(ScCall *call, const char *what, const GError *error)
{
    g_autofree char *detail =
        g_strdup_printf("refused %s: %s", what, error->message);

    SC_LOG_WARN(call->id, "%s", detail);
    emit_error(call, detail);
}

/* The peer's first description is refused: there is no call to go on
 * with, and waiting for another would let anyone in the room make us parse
 * offers forever. The peer gets a bye, the call ends: fingerprint-mismatch
 * when the description has no acceptable a=fingerprint (its sender cannot
 * be authenticated, e.g. sha-1 only), else error, with "refused WHAT: why"
 * as the detail. */
static void
refuse_first(ScCall *call, const char *what, const GError *error)
{
    gboolean fp =
        g_error_matches(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_autofree char *detail =
        g_strdup_printf("refused %s: %s", what, error->message);

    SC_LOG_WARN(call->id, "%s", detail);
    send_bye(call, fp ? "fingerprint-mismatch" : "error");
    call_end(call, fp ? SC_END_REASON_FINGERPRINT_MISMATCH : SC_END_REASON_ERROR,
             detail);
}

/* Sends @sdp (taken), just written by write_description(), as an offer or
 * answer and reports @state. From now on candidates are trickled; the
 * description said a=end-of-candidates if gathering was over (nothing
 * has run since it was written). */
static void
send_description(ScCall *call, ScSigMsgType type, char *sdp,
                 const char *state)
{
    g_autoptr(ScSigMsg) msg = sc_sig_msg_new(type);

    msg->sdp = sdp;
    send_sig(call, msg);
    call->local_desc_sent = TRUE;
    call->local_candidates_done = sc_ice_transport_is_gathering_done(call->ice);
    emit_signaling_state(call, state);
}

/* Our description: an offer (@offer NULL) or the answer to @offer. The
 * tls-id goes only to a peer that sent one (RFC 8842 §5.2). */
static char *
write_description(ScCall *call, const ScSdpDesc *offer, GError **error)
{
    const ScSdpDesc *peer = offer != NULL ? offer : call->remote;
    const char *fps[2];
    g_auto(GStrv) cands = sc_ice_transport_get_local_candidates(call->ice);
    ScSdpLocal local;

    fill_local(call, &local, fps, cands);
    if (peer != NULL && peer->tls_id == NULL)
        local.tls_id = NULL;
    return offer != NULL ? sc_sdp_create_answer(&local, offer, error)
                         : sc_sdp_create_offer(&local, error);
}

/* What the descriptions agreed for each kind of media: our direction is
 * the reverse of the peer's (RFC 3264 §6.1), the payload type the one in
 * the section. */
static void
negotiate_media(ScCall *call)
{
    for (int k = 0; k < 2; k++) {
        const ScSdpSection *sec = sc_sdp_desc_find_media(
            call->remote, k == SC_MEDIA_AUDIO ? "audio" : "video");
        ScSdpDirection ours;

        call->media_send[k] = call->media_recv[k] = FALSE;
        if (!call->media_enabled[k] || sec == NULL || !sec->accepted ||
            sec->codec == NULL)
            continue;
        ours = sc_sdp_direction_reverse(sec->dir);
        call->media_send[k] = SC_SDP_DIRECTION_SENDS(ours);
        call->media_recv[k] = SC_SDP_DIRECTION_RECEIVES(ours);
        call->media_pt[k] = (guint8)sec->codec->pt;
        SC_LOG_INFO(call->id, "%s: %s, payload type %u",
                    sc_media_kind_to_string((ScMediaKind)k),
                    sc_sdp_direction_to_string(ours), sec->codec->pt);
    }
}

static void
start_dtls_if_ready(ScCall *call)
{
    g_autoptr(GError) error = NULL;

    if (call->dtls_started || !call->dtls_role_known || call->remote == NULL)
        return;
    /* The DTLS client starts once ICE has a pair; the server is ready at
     * once (a ClientHello may arrive as soon as checks succeed). */
    if (call->dtls_client &&
        sc_ice_transport_get_state(call->ice) != SC_ICE_STATE_CONNECTED)
        return;
    call->dtls_started = TRUE;
    if (!sc_dtls_transport_start(call->dtls, &error))
        call_end(call, SC_END_REASON_DTLS_FAILED, error->message);
}

static gboolean apply_remote_ice(ScCall *call, ScSdpDesc *desc,
                                 GError **error);

/* The DTLS and media part of the first remote description: takes @desc. */
static gboolean
apply_remote_session(ScCall *call, ScSdpDesc *desc, GError **error)
{
    {
        /* GPtrArray data is not NULL-terminated: build a strv */
        g_autofree const char **fps =
            g_new0(const char *, desc->fingerprints->len + 1);
        for (guint i = 0; i < desc->fingerprints->len; i++)
            fps[i] = desc->fingerprints->pdata[i];
        if (!sc_dtls_transport_set_remote_fingerprints(
                call->dtls, (const char *const *)fps, error))
            return FALSE;
    }
    call->remote = desc;
    negotiate_media(call);
    return TRUE;
}

static gboolean
apply_remote(ScCall *call, ScSdpDesc *desc, GError **error)
{
    return apply_remote_session(call, desc, error) &&
           apply_remote_ice(call, desc, error);
}

/* The ICE part of a remote description (first one or an ICE restart):
 * credentials, pacing, candidates carried in it, then those trickled
 * before it arrived. */
static gboolean
apply_remote_ice(ScCall *call, ScSdpDesc *desc, GError **error)
{
    ScSdpSection *data = desc->sections->pdata[desc->data_section];

    if (!sc_ice_transport_set_remote_credentials(call->ice, desc->ice_ufrag,
                                                 desc->ice_pwd, error))
        return FALSE;
    sc_ice_transport_set_pacing(call->ice, desc->ice_pacing_ms);
    /* candidates carried in the description itself (non-trickle peers) */
    for (guint i = 0; i < desc->sections->len; i++) {
        ScSdpSection *s = desc->sections->pdata[i];
        if (s != data && desc->bundle_mids == NULL)
            continue;
        for (guint j = 0; s->candidates != NULL && j < s->candidates->len;
             j++) {
            g_autoptr(GError) cerr = NULL;
            g_autofree char *line =
                sc_ice_candidate_to_string(s->candidates->pdata[j]);
            if (!sc_ice_transport_add_remote_candidate(call->ice, line,
                                                       &cerr))
                SC_LOG_INFO(call->id, "ignored remote candidate: %s",
                            cerr->message);
        }
        /* with BUNDLE, the tagged section carries the transport */
        if ((s == data || (int)i == desc->transport_section) &&
            s->end_of_candidates)
            call->pending_end_of_candidates = TRUE;
    }
    for (guint i = 0; i < call->pending_candidates->len; i++) {
        g_autoptr(GError) cerr = NULL;
        if (!sc_ice_transport_add_remote_candidate(
                call->ice, call->pending_candidates->pdata[i], &cerr))
            SC_LOG_INFO(call->id, "ignored remote candidate: %s",
                        cerr->message);
    }
    g_ptr_array_set_size(call->pending_candidates, 0);
    if (call->pending_end_of_candidates)
        sc_ice_transport_remote_gathering_done(call->ice);
    call->pending_end_of_candidates = FALSE;
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* ICE restart (RFC 8445 §9, JSEP §5.2.1): the only renegotiation we do.
 * The DTLS association, SCTP and media go on; only ICE credentials and
 * candidates change. The offerer restarts when libnice has stopped
 * sending on the pair (see ice.h), to win consent back before RFC 7675's
 * 30 s run out; it also answers a peer's restart at any time.            */

/* A later description must keep the DTLS association (same fingerprints,
 * same tls-id, RFC 8842 §5.4) and the same sections. */
static gboolean
same_session(ScCall *call, const ScSdpDesc *desc, GError **error)
{
    const ScSdpDesc *old = call->remote;
    gboolean same_fps = desc->fingerprints->len == old->fingerprints->len;

    for (guint i = 0; same_fps && i < desc->fingerprints->len; i++) {
        gboolean found = FALSE;
        for (guint j = 0; !found && j < old->fingerprints->len; j++)
            found = g_str_equal(desc->fingerprints->pdata[i],
                                old->fingerprints->pdata[j]);
        same_fps = found;
    }
    if (!same_fps || g_strcmp0(desc->tls_id, old->tls_id) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "a new DTLS association (changed a=fingerprint or "
                    "a=tls-id) is not supported");
        return FALSE;
    }
    if (desc->sections->len != old->sections->len ||
        desc->data_section != old->data_section) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "renegotiation of the m-sections is not supported");
        return FALSE;
    }
    if (g_str_equal(desc->ice_ufrag, old->ice_ufrag)) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "renegotiation without an ICE restart is not supported");
        return FALSE;
    }
    return TRUE;
}

static void
start_ice_restart(ScCall *call)
{
    g_autoptr(GError) error = NULL;
    char *sdp;

    if (call->restart_pending || call->remote == NULL)
        return;
    if (call->peer_left) {
        SC_LOG_INFO(call->id, "the peer has left the relay: no ICE restart; "
                              "the call ends when consent expires");
        return;
    }
    if (call->sig == NULL || !sc_signal_client_is_open(call->sig)) {
        SC_LOG_INFO(call->id, "no signaling channel for an ICE restart; "
                              "the call ends when consent expires");
        return;
    }
    if (!sc_ice_transport_restart(call->ice, &error)) {
        SC_LOG_WARN(call->id, "cannot restart ICE: %s", error->message);
        return;
    }
    call->local_desc_sent = FALSE;
    call->local_candidates_done = FALSE;
    g_ptr_array_set_size(call->pending_candidates, 0);
    call->pending_end_of_candidates = FALSE;
    sdp = write_description(call, NULL, &error);
    if (sdp == NULL) {
        SC_LOG_WARN(call->id, "cannot write the ICE restart offer: %s",
                    error->message);
        return;
    }
    call->restart_pending = TRUE;
    call->n_restarts++;
    SC_LOG_INFO(call->id, "ICE restart %u: offer sent", call->n_restarts);
    send_description(call, SC_SIG_MSG_OFFER, sdp, "restart-offer-sent");
}

/* Answerer: a later offer. Anything but an ICE restart of the same
 * session is refused with an error event; the call goes on. */
static void
handle_reoffer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;
    g_autofree char *sdp = NULL;

    desc = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, &error);
    if (desc != NULL && !same_session(call, desc, &error))
        g_clear_pointer(&desc, sc_sdp_desc_free);
    if (desc != NULL &&
        (desc->setup != SC_SDP_SETUP_ACTIVE) != call->dtls_client) {
        g_set_error(&error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "the offer's a=setup would change the DTLS role");
        g_clear_pointer(&desc, sc_sdp_desc_free);
    }
    if (desc != NULL && !sc_ice_transport_restart(call->ice, &error))
        g_clear_pointer(&desc, sc_sdp_desc_free);
    if (desc == NULL) {
        refuse(call, "offer", error);
        return;
    }
    call->local_desc_sent = FALSE;
    call->local_candidates_done = FALSE;
    call->pending_end_of_candidates = FALSE;
    sdp = write_description(call, desc, &error);
    /* call->remote keeps the first description (media facts); only the
     * ICE part of this one is applied */
    if (sdp == NULL || !apply_remote_ice(call, desc, &error)) {
        g_autofree char *detail =
            g_strdup_printf("cannot answer the ICE restart: %s",
                            error->message);
        emit_error(call, detail);
        return;
    }
    call->n_restarts++;
    SC_LOG_INFO(call->id, "ICE restart %u: answer sent", call->n_restarts);
    send_description(call, SC_SIG_MSG_ANSWER, g_steal_pointer(&sdp),
                     "restart-answer-sent");
}

/* Offerer: the answer to our restart offer. */
static void
handle_restart_answer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;

    call->restart_pending = FALSE;
    desc = sc_sdp_parse(SC_SDP_TYPE_ANSWER, text, &error);
    if (desc != NULL && !same_session(call, desc, &error))
        g_clear_pointer(&desc, sc_sdp_desc_free);
    if (desc != NULL &&
        (desc->setup == SC_SDP_SETUP_PASSIVE) != call->dtls_client) {
        g_set_error(&error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "the answer's a=setup would change the DTLS role");
        g_clear_pointer(&desc, sc_sdp_desc_free);
    }
    if (desc == NULL || !apply_remote_ice(call, desc, &error))
        refuse(call, "ICE restart answer", error);
}

static void
start_offer(ScCall *call)
{
    g_autoptr(GError) error = NULL;
    char *sdp;

    if (call->offer_sent || call->state == CALL_ENDED)
        return;
    call->state = CALL_NEGOTIATING;
    if (call->ice == NULL && !create_transports(call, TRUE, &error)) {
        end_transport_error(call, error);
        return;
    }
    sdp = write_description(call, NULL, &error);
    if (sdp == NULL) {
        call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    /* Like a browser page, the offerer opens the "chat" channel. */
    (void)sc_call_get_channel(call, "chat", TRUE, -1, -1, NULL);
    call->t_offer_us = sc_clock_now_us();
    call->offer_sent = TRUE;
    send_description(call, SC_SIG_MSG_OFFER, sdp, "offer-sent");
}

static void
handle_offer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;
    g_autofree char *sdp = NULL;

    if (call->role != SC_CALL_ROLE_ANSWERER) {
        SC_LOG_WARN(call->id, "ignoring an offer: we are the offerer");
        return;
    }
    if (call->remote != NULL) {
        handle_reoffer(call, text);
        return;
    }
    desc = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, &error);
    if (desc != NULL && desc->data_section < 0) {
        g_set_error(&error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "offer has no data channel section");
        g_clear_pointer(&desc, sc_sdp_desc_free);
    }
    if (desc == NULL) {
        refuse_first(call, "offer", error);
        return;
    }
    call->state = CALL_NEGOTIATING;
    if (call->ice == NULL && !create_transports(call, FALSE, &error)) {
        end_transport_error(call, error);
        return;
    }
    /* JSEP: we answer a=setup:active to actpass (and passive); an older
     * endpoint offering active gets passive (RFC 8842 §5.3). */
    call->dtls_client = desc->setup != SC_SDP_SETUP_ACTIVE;
    call->dtls_role_known = TRUE;
    sc_dtls_transport_set_client(call->dtls, call->dtls_client);
    sdp = write_description(call, desc, &error);
    if (sdp == NULL) {
        g_autofree char *detail =
            g_strdup_printf("cannot answer the offer: %s", error->message);
        emit_error(call, detail);
        call_end(call, SC_END_REASON_ERROR, detail);
        return;
    }
    if (!apply_remote_session(call, g_steal_pointer(&desc), &error)) {
        call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    call->state = CALL_CONNECTING;
    /* The answer goes out before libnice gets the offer's candidates
     * (pairing them costs ~0.1 ms, and it is the offerer's check timer,
     * started when the answer arrives, that paces ICE); the offerer's
     * first check comes one Ta after it has the answer. */
    send_description(call, SC_SIG_MSG_ANSWER, g_steal_pointer(&sdp),
                     "answer-sent");
    if (!apply_remote_ice(call, call->remote, &error)) {
        call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    start_dtls_if_ready(call);
}

static void
handle_answer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;

    if (call->restart_pending) {
        handle_restart_answer(call, text);
        return;
    }
    if (call->role != SC_CALL_ROLE_OFFERER || !call->offer_sent ||
        call->remote != NULL) {
        SC_LOG_WARN(call->id, "ignoring an unexpected answer");
        return;
    }
    call->t_answer_us = sc_clock_now_us();
    desc = sc_sdp_parse(SC_SDP_TYPE_ANSWER, text, &error);
    if (desc != NULL && desc->data_section < 0) {
        g_set_error(&error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "answer rejected the data channel section");
        g_clear_pointer(&desc, sc_sdp_desc_free);
    }
    if (desc == NULL) {
        refuse_first(call, "answer", error);
        return;
    }
    /* a=setup:active in the answer makes us the DTLS server. */
    call->dtls_client = desc->setup == SC_SDP_SETUP_PASSIVE;
    if (!call->dtls_role_known) {
        call->dtls_role_known = TRUE;
        sc_dtls_transport_set_client(call->dtls, call->dtls_client);
    } else if (call->dtls_client) {
        send_bye(call, "error");
        call_end(call, SC_END_REASON_DTLS_FAILED,
                 "peer sent a ClientHello but answered a=setup:passive");
        return;
    }
    if (!apply_remote(call, g_steal_pointer(&desc), &error)) {
        call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    call->state = CALL_CONNECTING;
    start_dtls_if_ready(call);
}

static void
handle_candidate(ScCall *call, const ScSigMsg *msg)
{
    g_autoptr(GError) error = NULL;

    if (msg->candidate == NULL)
        return;
    if (call->remote == NULL || call->ice == NULL || call->restart_pending) {
        /* before the (restart) answer: kept for apply_remote_ice() */
        if (msg->candidate[0] == '\0')
            call->pending_end_of_candidates = TRUE;
        else if (call->pending_candidates->len < 256)
            g_ptr_array_add(call->pending_candidates,
                            g_strdup(msg->candidate));
        return;
    }
    if (msg->candidate[0] == '\0') {
        sc_ice_transport_remote_gathering_done(call->ice);
        return;
    }
    if (!sc_sdp_desc_candidate_mid_ok(call->remote, msg->sdp_mid,
                                      msg->sdp_mline_index)) {
        SC_LOG_INFO(call->id, "ignoring candidate for another m-section");
        return;
    }
    if (!sc_ice_transport_add_remote_candidate(call->ice, msg->candidate,
                                               &error))
        SC_LOG_INFO(call->id, "ignored remote candidate: %s", error->message);
}

static void
on_sig_open(gpointer data)
{
    ScCall *call = data;
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);

    sc_call_event_set_str(ev, "state", "connected");
    emit(call, ev);
    if (call->state == CALL_IDLE)
        call->state = CALL_SIGNALING;
    /* Our ICE role follows from our call role, so the ICE agent and the
     * DTLS context are made now, while we wait for the peer, not between
     * the offer and the answer. Nothing is gathered or sent yet. */
    if (call->ice == NULL && call->state != CALL_ENDED) {
        g_autoptr(GError) error = NULL;
        if (!create_transports(call, call->role == SC_CALL_ROLE_OFFERER,
                               &error))
            end_transport_error(call, error);
    }
}

/* A peer's bye ends the call with reason `bye`; the reason it gives is
 * its claim, reported as such ("peer said: ..." and `peer_reason`, printable
 * ASCII, at most PEER_REASON_MAX characters), never as our own verdict. */
#define PEER_REASON_MAX 64

static void
handle_bye(ScCall *call, const char *reason)
{
    g_autofree char *claim = NULL;
    g_autofree char *detail = NULL;

    if (reason != NULL && reason[0] != '\0') {
        gsize n = strnlen(reason, PEER_REASON_MAX + 1);
        claim = g_strndup(reason, MIN(n, PEER_REASON_MAX));
        for (char *p = claim; *p != '\0'; p++)
            if (*p < 0x20 || *p > 0x7e)
                *p = '?';
        detail = g_strdup_printf("peer said: %s%s", claim,
                                 n > PEER_REASON_MAX ? "..." : "");
    }
    call_end_with(call, SC_END_REASON_BYE,
                  detail != NULL ? detail : "peer hung up (no reason given)",
                  claim);
}

/* Who may signal (contract section 1: the relay forwards, it does not say
 * who sent what; it only reports peer-joined / peer-left, in order with
 * the frames). Once the peer we negotiated with has left during the call,
 * the seat is free and anything that arrives from then on comes from
 * whoever took it: a newcomer is a new participant, never a continuation
 * of this call, even if it is our peer reconnecting (we cannot tell). Its
 * signaling is ignored (reported once), nothing is sent to it, and the
 * call goes on over its established ICE/DTLS path while consent lasts.
 * Returns TRUE if @msg must be ignored. */
static gboolean
from_stranger(ScCall *call, const ScSigMsg *msg)
{
    if (!call->peer_left)
        return FALSE;
    if (call->stranger_msgs++ == 0) {
        SC_LOG_WARN(call->id, "signaling after the peer left the relay "
                              "('%s'): ignored, a newcomer is not our peer",
                    msg->type_name != NULL ? msg->type_name : "?");
        emit_error(call, "someone else is in the room since the peer left "
                         "the relay: their signaling is ignored, the call "
                         "goes on with the peer over its established path");
    }
    return TRUE;
}

static void
on_sig_message(gpointer data, const ScSigMsg *msg)
{
    ScCall *call = data;

    if (call->state == CALL_ENDED || from_stranger(call, msg))
        return;
    switch (msg->type) {
    case SC_SIG_MSG_ROOM:
        if (msg->peers >= 1 && call->role == SC_CALL_ROLE_OFFERER)
            start_offer(call);
        break;
    case SC_SIG_MSG_PEER_JOINED:
        if (call->role == SC_CALL_ROLE_OFFERER)
            start_offer(call);
        break;
    case SC_SIG_MSG_PEER_LEFT:
        if (call->remote == NULL) {
            /* whatever that participant trickled is not for the next one */
            g_ptr_array_set_size(call->pending_candidates, 0);
            call->pending_end_of_candidates = FALSE;
        }
        if (call->state == CALL_CONNECTED) {
            SC_LOG_INFO(call->id, "peer left the relay; the call goes on "
                                  "while consent lasts, without signaling");
            call->peer_left = TRUE;
        } else if (call->state >= CALL_NEGOTIATING) {
            call_end(call, SC_END_REASON_ERROR,
                     "peer left before the call connected");
        }
        break;
    case SC_SIG_MSG_OFFER:
        if (msg->sdp != NULL)
            handle_offer(call, msg->sdp);
        break;
    case SC_SIG_MSG_ANSWER:
        if (msg->sdp != NULL)
            handle_answer(call, msg->sdp);
        break;
    case SC_SIG_MSG_CANDIDATE:
        handle_candidate(call, msg);
        break;
    case SC_SIG_MSG_BYE:
        handle_bye(call, msg->reason);
        break;
    default:
        SC_LOG_DEBUG(call->id, "ignoring signaling message '%s'",
                     msg->type_name != NULL ? msg->type_name : "?");
        break;
    }
}

static void
on_sig_closed(gpointer data, const GError *error)
{
    ScCall *call = data;
    ScCallEvent *ev;

    ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);
    sc_call_event_set_str(ev, "state", "closed");
    if (error != NULL)
        sc_call_event_set_str(ev, "detail", error->message);
    emit(call, ev);
    if (call->state != CALL_CONNECTED && call->state != CALL_ENDED)
        call_end(call, SC_END_REASON_ERROR,
                 error != NULL ? error->message
                               : "signaling closed before the call connected");
}

/* ------------------------------------------------------------------ */
/* ICE, DTLS, SCTP callbacks                                            */

static void
on_ice_state(gpointer data, ScIceState state)
{
    ScCall *call = data;
    ScCallEvent *ev;

    if (call->state == CALL_ENDED)
        return;
    switch (state) {
    case SC_ICE_STATE_CHECKING:
    case SC_ICE_STATE_CONNECTED:
        ev = sc_call_event_new(SC_CALL_EVENT_ICE);
        sc_call_event_set_str(ev, "state", state == SC_ICE_STATE_CHECKING
                                               ? "checking"
                                               : "connected");
        if (state == SC_ICE_STATE_CONNECTED) {
            if (call->t_ice_us == 0)
                call->t_ice_us = sc_clock_now_us();
            sc_call_event_set_str(ev, "local_type",
                                  sc_ice_transport_get_local_type(call->ice));
            sc_call_event_set_str(ev, "remote_type",
                                  sc_ice_transport_get_remote_type(call->ice));
        }
        emit(call, ev);
        if (state == SC_ICE_STATE_CONNECTED) {
            flush_dtls_early(call);
            start_dtls_if_ready(call);
        }
        break;
    case SC_ICE_STATE_FAILED:
        ev = sc_call_event_new(SC_CALL_EVENT_ICE);
        sc_call_event_set_str(ev, "state", "failed");
        emit(call, ev);
        call_end(call, SC_END_REASON_ICE_FAILED,
                 "no ICE candidate pair worked");
        break;
    case SC_ICE_STATE_DISCONNECTED:
        /* nothing can be sent until a consent response on the pair
         * (ice.c selects it again) or a restart wins consent back */
        ev = sc_call_event_new(SC_CALL_EVENT_ICE);
        sc_call_event_set_str(ev, "state", "disconnected");
        emit(call, ev);
        SC_LOG_INFO(call->id, "libnice stopped sending on the pair; consent "
                              "expires in %.1f s without a response or an "
                              "ICE restart",
                    (double)(sc_ice_transport_get_consent_deadline_us(
                                 call->ice) -
                             sc_clock_now_us()) /
                        1e6);
        if (call->role == SC_CALL_ROLE_OFFERER)
            start_ice_restart(call);
        break;
    case SC_ICE_STATE_CONSENT_EXPIRED: {
        gint64 last = sc_ice_transport_get_last_consent_us(call->ice);
        g_autofree char *age =
            last > 0 ? g_strdup_printf("last consent response %" G_GINT64_FORMAT
                                       " ms ago",
                                       (sc_clock_now_us() - last) / 1000)
                     : g_strdup("time of the last consent response unknown");
        g_autofree char *detail = g_strdup_printf(
            "consent expired: no consent response for %d s (RFC 7675) and "
            "no ICE restart succeeded; %s",
            SC_ICE_CONSENT_EXPIRY_MS / 1000, age);
        call_end(call, SC_END_REASON_CONSENT_EXPIRED, detail);
        break;
    }
    default:
        break;
    }
}

static void
on_ice_recv(gpointer data, const guint8 *buf, gsize len)
{
    ScCall *call = data;
    guint8 pkt[RTP_BUF_MAX];
    ScIngress ingress;

    if (call->state == CALL_ENDED || call->dtls == NULL)
        return;
    ingress = sc_demux_ingress(buf, len, sizeof pkt);
    switch (ingress) {
    case SC_INGRESS_DTLS:
        if (!call->dtls_role_known) {
            /* A ClientHello before the answer: the peer is active. */
            call->dtls_role_known = TRUE;
            call->dtls_client = FALSE;
            sc_dtls_transport_set_client(call->dtls, FALSE);
        }
        if (!call->dtls_started && !call->dtls_client) {
            g_autoptr(GError) error = NULL;
            call->dtls_started = TRUE;
            if (!sc_dtls_transport_start(call->dtls, &error)) {
                call_end(call, SC_END_REASON_DTLS_FAILED, error->message);
                return;
            }
        }
        sc_dtls_transport_receive(call->dtls, buf, len);
        break;
    case SC_INGRESS_SRTP_TOO_BIG:
        call->srtp_dropped++;
        break;
    case SC_INGRESS_SRTP:
    case SC_INGRESS_SRTCP: {
        gboolean rtcp = ingress == SC_INGRESS_SRTCP;
        gsize n = len;
        ScStatus st;

        /* Nothing but SRTP/SRTCP that authenticates reaches the media. */
        if (call->srtp == NULL || call->media == NULL) {
            call->srtp_dropped++;
            break;
        }
        memcpy(pkt, buf, len);
        st = rtcp ? sc_srtp_session_unprotect_rtcp(call->srtp, pkt, &n)
                  : sc_srtp_session_unprotect(call->srtp, pkt, &n);
        if (st != SC_OK) {
            call->srtp_dropped++;
            break;
        }
        if (!rtcp)
            call->rtp_received++;
        (void)sc_media_session_receive(call->media, pkt, n, rtcp);
        break;
    }
    default:
        break;
    }
}

/* DTLS datagrams written before ICE has a selected pair (a ClientHello
 * reaches the server while its own checks are still running) are kept and
 * sent as soon as ICE connects, instead of waiting for a retransmission. */
#define DTLS_EARLY_MAX 16

static void
on_dtls_send(gpointer data, const guint8 *buf, gsize len)
{
    ScCall *call = data;
    ScStatus st = sc_ice_transport_send(call->ice, buf, len);

    if (st == SC_OK)
        return;
    if (sc_ice_transport_get_state(call->ice) != SC_ICE_STATE_CONNECTED &&
        call->dtls_early->len < DTLS_EARLY_MAX) {
        g_ptr_array_add(call->dtls_early, g_bytes_new(buf, len));
        return;
    }
    SC_LOG_DEBUG(call->id, "DTLS datagram not sent: %s",
                 sc_status_to_string(st));
}

static void
flush_dtls_early(ScCall *call)
{
    for (guint i = 0; i < call->dtls_early->len; i++) {
        gsize len = 0;
        const guint8 *buf = g_bytes_get_data(call->dtls_early->pdata[i], &len);
        ScStatus st = sc_ice_transport_send(call->ice, buf, len);
        if (st != SC_OK)
            SC_LOG_DEBUG(call->id, "early DTLS datagram not sent: %s",
                         sc_status_to_string(st));
    }
    g_ptr_array_set_size(call->dtls_early, 0);
}

static void
on_sctp_send(gpointer data, const guint8 *buf, gsize len)
{
    ScCall *call = data;

    if (call->dtls != NULL) {
        ScStatus st = sc_dtls_transport_send(call->dtls, buf, len);
        if (st != SC_OK)
            SC_LOG_DEBUG(call->id, "SCTP packet not sent: %s",
                         sc_status_to_string(st));
    }
}

static void
on_sctp_state(gpointer data, ScSctpState state, const GError *error)
{
    ScCall *call = data;

    if (call->state == CALL_ENDED)
        return;
    if (sc_hangup_in_progress(&call->hangup) &&
        (state == SC_SCTP_STATE_CLOSED || state == SC_SCTP_STATE_FAILED)) {
        /* our SHUTDOWN completed: the peer has every message */
        call_end(call, SC_END_REASON_HANGUP,
                 state == SC_SCTP_STATE_CLOSED
                     ? "local hangup"
                     : "local hangup (the association failed while closing)");
        return;
    }
    switch (state) {
    case SC_SCTP_STATE_CONNECTED:
        if (call->t_sctp_us == 0)
            call->t_sctp_us = sc_clock_now_us();
        call->sctp_connected = TRUE;
        open_pending_channels(call);
        schedule_media_start(call);
        break;
    case SC_SCTP_STATE_FAILED:
        /* Browsers close a peer connection with an SCTP ABORT (inside
         * DTLS, so authenticated) that often overtakes their bye on the
         * relay. SCTP gives up on its own only after minutes of
         * retransmissions, long after consent would have expired (30 s):
         * so while ICE consent is fresh, a lost association is the peer
         * hanging up. */
        if (call->ice != NULL &&
            sc_ice_transport_get_state(call->ice) == SC_ICE_STATE_CONNECTED)
            call_end(call, SC_END_REASON_BYE,
                     "peer closed the association (SCTP ABORT)");
        else
            call_end(call, SC_END_REASON_ERROR,
                     error != NULL ? error->message
                                   : "SCTP association failed");
        break;
    case SC_SCTP_STATE_CLOSED:
        call_end(call, SC_END_REASON_BYE, "peer closed the SCTP association");
        break;
    default:
        break;
    }
}

static void
on_channel_open(gpointer data, guint16 sid, const char *label,
                const char *protocol, gboolean remote)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    (void)protocol;
    (void)remote;
    if (call->state == CALL_ENDED)
        return;
    if (c == NULL) {
        c = sc_channel_new(call, label, TRUE, -1, -1);
        c->sid = sid;
        c->requested = TRUE;
        sc_channel_table_add(&call->channels, c);
        sc_channel_unref(c); /* the table's reference is the call's */
    }
    c->open = TRUE;
    if (call->t_first_open_us == 0)
        call->t_first_open_us = sc_clock_now_us();
    ev = sc_call_event_new(SC_CALL_EVENT_CHANNEL);
    sc_call_event_set_str(ev, "state", "open");
    sc_call_event_set_str(ev, "label", c->label);
    sc_call_event_set_int(ev, "id", sid);
    if (call->t_offer_us != 0 && call->t_first_open_us != 0) {
        /* offerer: when each step was done, in ms after the offer */
        static const struct {
            const char *name;
            gsize offset;
        } steps[] = {
            {"setup_answer_ms", G_STRUCT_OFFSET(ScCall, t_answer_us)},
            {"setup_ice_ms", G_STRUCT_OFFSET(ScCall, t_ice_us)},
            {"setup_dtls_ms", G_STRUCT_OFFSET(ScCall, t_dtls_us)},
            {"setup_sctp_ms", G_STRUCT_OFFSET(ScCall, t_sctp_us)},
            {"setup_ms", G_STRUCT_OFFSET(ScCall, t_first_open_us)},
        };
        for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
            gint64 at = G_STRUCT_MEMBER(gint64, call, steps[i].offset);
            if (at != 0)
                sc_call_event_set_double(
                    ev, steps[i].name,
                    (double)(at - call->t_offer_us) / 1000.0);
        }
    }
    emit(call, ev);
    channel_flush_queue(call, c);
    if (call->bench.running && call->bench.chan == c)
        bench_pump(call);
}

static void
on_channel_closed(gpointer data, guint16 sid)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    if (c == NULL || call->state == CALL_ENDED)
        return;
    ev = sc_call_event_new(SC_CALL_EVENT_CHANNEL);
    sc_call_event_set_str(ev, "state", "closed");
    sc_call_event_set_str(ev, "label", c->label);
    sc_call_event_set_int(ev, "id", sid);
    emit(call, ev);
    if (call->bench.running && call->bench.chan == c) {
        call->bench.running = FALSE;
        emit_error(call, "bench channel closed before the bench finished");
    }
    /* the call forgets it; references the app holds keep the object */
    sc_channel_table_remove(&call->channels, c);
    SC_LOG_DEBUG(call->id, "channel %u closed; %u channel records held", sid,
                 sc_channel_table_size(&call->channels));
}

/* sctp/ reports only its first refusal of a peer's DATA_CHANNEL_OPEN: one
 * error event per call, however many the peer sends. */
static void
on_channel_refused(gpointer data, guint16 sid, const char *why)
{
    ScCall *call = data;
    g_autofree char *detail = NULL;

    if (call->state == CALL_ENDED)
        return;
    detail = g_strdup_printf("refused a data channel the peer opened on "
                             "stream %u (%s); further refusals are not "
                             "reported", sid, why);
    emit_error(call, detail);
}

/* The bench pattern: byte at offset i is i mod 251 (contract section 2),
 * so chunk boundaries never line up with the pattern and a lost or
 * reordered chunk shows. A block of whole periods of it makes filling and
 * checking memcpy and memcmp of pieces, not a loop per byte. */
#define BENCH_PATTERN_BLOCK (BENCH_PATTERN_MOD * 64)

static const guint8 *
bench_pattern(void)
{
    static gsize once;
    static guint8 block[BENCH_PATTERN_BLOCK];

    if (g_once_init_enter(&once)) {
        for (gsize i = 0; i < BENCH_PATTERN_BLOCK; i++)
            block[i] = (guint8)(i % BENCH_PATTERN_MOD);
        g_once_init_leave(&once, 1);
    }
    return block;
}

static void
bench_fill(guint8 *buf, gsize len, guint64 offset)
{
    const guint8 *block = bench_pattern();
    gsize phase = (gsize)(offset % BENCH_PATTERN_MOD);

    while (len > 0) {
        gsize n = MIN(len, BENCH_PATTERN_BLOCK - phase);
        memcpy(buf, block + phase, n);
        buf += n;
        len -= n;
        phase = 0; /* the block is whole periods: the next piece is at 0 */
    }
}

static gboolean
bench_check(const guint8 *buf, gsize len, guint64 offset)
{
    const guint8 *block = bench_pattern();
    gsize phase = (gsize)(offset % BENCH_PATTERN_MOD);

    while (len > 0) {
        gsize n = MIN(len, BENCH_PATTERN_BLOCK - phase);
        if (memcmp(buf, block + phase, n) != 0)
            return FALSE;
        buf += n;
        len -= n;
        phase = 0;
    }
    return TRUE;
}

static void
bench_receive(ScCall *call, ScChannel *c, gboolean binary,
              const guint8 *data, gsize len)
{
    BenchReceiver *rx = &call->bench_rx;

    if (!binary) {
        g_autofree char *text =
            len > 0 ? g_strndup((const char *)data, len) : g_strdup("");
        guint64 bytes = 0;
        guint64 chunk = 0;
        if (g_str_has_prefix(text, "start ")) {
            g_auto(GStrv) f = g_strsplit(text, " ", -1);
            if (g_strv_length(f) == 3 &&
                g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT64, &bytes,
                                           NULL) &&
                g_ascii_string_to_unsigned(f[2], 10, 1, G_MAXUINT32, &chunk,
                                           NULL)) {
                rx->active = TRUE;
                rx->expected = bytes;
                rx->received = 0;
                rx->pattern_ok = TRUE;
            } else {
                SC_LOG_WARN(call->id, "bad bench start message");
            }
        } else if (g_str_has_prefix(text, "done ")) {
            BenchSender *b = &call->bench;
            guint64 got = 0;
            if (b->running && b->chan == c &&
                g_ascii_string_to_unsigned(text + 5, 10, 0, G_MAXUINT64, &got,
                                           NULL)) {
                double secs =
                    (double)(sc_clock_now_us() - b->t_start) / 1e6;
                ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
                b->running = FALSE;
                sc_call_event_set_str(ev, "role", "sender");
                sc_call_event_set_int(ev, "bytes", (gint64)got);
                sc_call_event_set_int(ev, "chunk", (gint64)b->chunk);
                sc_call_event_set_double(ev, "seconds", secs);
                sc_call_event_set_double(
                    ev, "mbps", secs > 0 ? (double)got * 8 / secs / 1e6 : 0);
                emit(call, ev);
            }
        }
        if (rx->active && rx->expected == 0 && !binary &&
            g_str_has_prefix(text, "start ")) {
            /* zero-byte bench: done at once */
            goto done;
        }
        return;
    }
    if (!rx->active)
        return;
    if (rx->pattern_ok && !bench_check(data, len, rx->received))
        rx->pattern_ok = FALSE;
    rx->received += len;
    if (rx->received < rx->expected)
        return;
done: {
    g_autoptr(GError) error = NULL;
    g_autofree char *reply =
        g_strdup_printf("done %" G_GUINT64_FORMAT, rx->received);
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
    rx->active = FALSE;
    if (!sc_channel_send(c, FALSE, (const guint8 *)reply, strlen(reply),
                         &error))
        SC_LOG_WARN(call->id, "cannot reply to bench: %s", error->message);
    sc_call_event_set_str(ev, "role", "receiver");
    sc_call_event_set_int(ev, "bytes", (gint64)rx->received);
    sc_call_event_set_str(ev, "pattern", rx->pattern_ok ? "ok" : "mismatch");
    emit(call, ev);
}
}

static void
on_message(gpointer data, guint16 sid, gboolean binary, const guint8 *buf,
           gsize len)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    if (c == NULL || call->state == CALL_ENDED)
        return;
    if (g_str_equal(c->label, BENCH_LABEL)) {
        bench_receive(call, c, binary, buf, len);
        return;
    }
    ev = sc_call_event_new(SC_CALL_EVENT_MESSAGE);
    sc_call_event_set_str(ev, "label", c->label);
    if (!binary && len > 0 &&
        (!g_utf8_validate((const char *)buf, (gssize)len, NULL) ||
         memchr(buf, 0, len) != NULL)) {
        /* A text message that is not UTF-8 (or holds a NUL) cannot be a
         * JSON or C string: it is reported as its bytes, flagged. */
        binary = TRUE;
        sc_call_event_set_bool(ev, "invalid_text", TRUE);
    }
    if (binary) {
        g_autofree char *b64 = len > 0 ? g_base64_encode(buf, len)
                                       : g_strdup("");
        sc_call_event_set_str(ev, "binary", b64);
    } else {
        g_autofree char *text = len > 0 ? g_strndup((const char *)buf, len)
                                        : g_strdup("");
        sc_call_event_set_str(ev, "text", text);
    }
    emit(call, ev);
}

static void
bench_pump(ScCall *call)
{
    BenchSender *b = &call->bench;
    guint8 *buf;

    if (!b->running || !b->chan->open)
        return;
    if (!b->start_sent) {
        g_autoptr(GError) error = NULL;
        sc_sctp_assoc_set_buffered_amount_low_threshold(
            call->sctp, (guint16)b->chan->sid, BENCH_LOW_WATER);
        g_autofree char *start = g_strdup_printf(
            "start %" G_GUINT64_FORMAT " %" G_GSIZE_FORMAT, b->bytes,
            b->chunk);
        b->start_sent = TRUE;
        b->t_start = sc_clock_now_us();
        if (!sc_channel_send(b->chan, FALSE, (const guint8 *)start,
                             strlen(start), &error)) {
            b->running = FALSE;
            emit_error(call, error->message);
            return;
        }
    }
    buf = g_malloc(b->chunk);
    while (b->sent < b->bytes &&
           sc_channel_get_buffered_amount(b->chan) < BENCH_HIGH_WATER) {
        g_autoptr(GError) error = NULL;
        gsize n = (gsize)MIN((guint64)b->chunk, b->bytes - b->sent);
        bench_fill(buf, n, b->sent);
        if (!sc_channel_send(b->chan, TRUE, buf, n, &error)) {
            b->running = FALSE;
            emit_error(call, error->message);
            break;
        }
        b->sent += n;
    }
    g_free(buf);
}

static void
on_buffered_amount_low(gpointer data, guint16 sid)
{
    ScCall *call = data;

    if (call->bench.running && call->bench.chan->sid == sid)
        bench_pump(call);
}

/* The IANA name of a DTLS-SRTP profile (RFC 5764 §4.1.2, RFC 7714), which
 * browsers' getStats report as srtpCipher. */
static const char *
srtp_profile_iana(ScSrtpProfile p)
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
    memcpy(pkt, buf, len);
    st = is_rtcp ? sc_srtp_session_protect_rtcp(call->srtp, pkt, &n,
                                                sizeof pkt)
                 : sc_srtp_session_protect(call->srtp, pkt, &n, sizeof pkt);
    if (st != SC_OK) {
        call->srtp_errors++;
        return;
    }
    if (sc_ice_transport_send(call->ice, pkt, n) == SC_OK && !is_rtcp)
        call->rtp_sent++;
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
    emit(call, ev);
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
    call->media = sc_media_session_new(call->ctx, log_id, call->cname,
                                       &media_cb, call, &error);
    for (int k = 0; call->media != NULL && k < 2; k++) {
        ScMediaTrack t = {
            .kind = (ScMediaKind)k,
            .payload_type = call->media_pt[k],
            .clock_rate = k == SC_MEDIA_AUDIO ? 48000 : 90000,
            .channels = k == SC_MEDIA_AUDIO ? 2 : 0,
            .ssrc = call->ssrc[k],
            .send = call->media_send[k],
            .recv = call->media_recv[k],
            .source = call->media_source[k],
        };
        if (!t.send && !t.recv)
            continue;
        if (!sc_media_session_add_track(call->media, &t, &error))
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
        emit_error(call, d);
    }
    g_clear_pointer(&call->media, sc_media_session_free);
}

static gboolean
media_start_cb(gpointer data)
{
    ScCall *call = data;

    g_clear_pointer(&call->media_source_id, g_source_unref);
    if (call->state == CALL_CONNECTED && call->media == NULL)
        start_media(call);
    return G_SOURCE_REMOVE;
}

static void
schedule_media_start(ScCall *call)
{
    if (call->media_source_id != NULL || call->srtp == NULL)
        return;
    call->media_source_id = g_idle_source_new();
    g_source_set_priority(call->media_source_id, G_PRIORITY_LOW);
    g_source_set_callback(call->media_source_id, media_start_cb,
                          sc_call_ref(call), (GDestroyNotify)sc_call_unref);
    g_source_attach(call->media_source_id, call->ctx);
}

/* TRUE when the negotiated description has an accepted RTP section. */
static gboolean
call_has_rtp(ScCall *call)
{
    for (int k = 0; k < 2; k++)
        if (call->media_send[k] || call->media_recv[k])
            return TRUE;
    return FALSE;
}

static void
start_sctp(ScCall *call)
{
    static const ScSctpCallbacks sctp_cb = {
        .send = on_sctp_send,
        .on_state = on_sctp_state,
        .on_channel_open = on_channel_open,
        .on_channel_closed = on_channel_closed,
        .on_channel_refused = on_channel_refused,
        .on_message = on_message,
        .on_buffered_amount_low = on_buffered_amount_low,
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *log_id = g_strdup_printf("%s/sctp", call->id);
    ScSdpSection *data = call->remote->sections->pdata[call->remote->data_section];

    call->sctp = sc_sctp_assoc_new(call->ctx, log_id, call->dtls_client,
                                   SC_SCTP_PORT,
                                   data->sctp_port != 0 ? data->sctp_port
                                                        : SC_SCTP_PORT,
                                   data->max_message_size, &sctp_cb, call,
                                   &error);
    if (call->sctp != NULL) {
        /* One SCTP packet per DTLS record. usrsctp's AF_CONN packets come
         * out a few bytes above the path MTU set, so leave a margin. */
        guint mtu = sc_dtls_transport_get_data_mtu(call->dtls);
        if (mtu > 600)
            sc_sctp_assoc_set_path_mtu(call->sctp, mtu - 16);
    }
    if (call->sctp == NULL || !sc_sctp_assoc_start(call->sctp, &error))
        call_end(call, SC_END_REASON_ERROR, error->message);
}

static void
on_dtls_state(gpointer data, ScDtlsState state, const GError *error)
{
    ScCall *call = data;
    ScCallEvent *ev;

    if (call->state == CALL_ENDED)
        return;
    switch (state) {
    case SC_DTLS_STATE_CONNECTED: {
        g_autoptr(GError) kerr = NULL;
        g_autofree char *rfp =
            sc_dtls_transport_get_remote_fingerprint(call->dtls);
        ScSrtpKeys keys;

        call->state = CALL_CONNECTED;
        if (call->t_dtls_us == 0)
            call->t_dtls_us = sc_clock_now_us();
        ev = sc_call_event_new(SC_CALL_EVENT_DTLS);
        sc_call_event_set_str(ev, "state", "connected");
        sc_call_event_set_str(ev, "version",
                              sc_dtls_transport_get_version(call->dtls));
        sc_call_event_set_str(ev, "cipher",
                              sc_dtls_transport_get_cipher(call->dtls));
        sc_call_event_set_str(
            ev, "cipher_standard",
            sc_dtls_transport_get_cipher_standard_name(call->dtls));
        sc_call_event_set_str(ev, "srtp_profile",
                              sc_srtp_profile_to_string(
                                  sc_dtls_transport_get_srtp_profile(
                                      call->dtls)));
        sc_call_event_set_str(ev, "srtp_profile_standard",
                              srtp_profile_iana(
                                  sc_dtls_transport_get_srtp_profile(
                                      call->dtls)));
        sc_call_event_set_str(ev, "role",
                              sc_dtls_transport_is_client(call->dtls)
                                  ? "client"
                                  : "server");
        sc_call_event_set_str(ev, "remote_fingerprint", rfp);
        emit(call, ev);
        /* SRTP contexts (about 40 KB) only when RTP is negotiated. */
        if (call_has_rtp(call) &&
            sc_dtls_transport_export_srtp_keys(call->dtls, &keys, &kerr)) {
            call->srtp = sc_srtp_session_new(&keys, &kerr);
            sc_secure_wipe(&keys, sizeof keys);
            if (call->srtp == NULL)
                SC_LOG_WARN(call->id, "no SRTP session: %s", kerr->message);
        } else if (kerr != NULL) {
            SC_LOG_WARN(call->id, "no SRTP keys: %s", kerr->message);
        }
        /* Data channels first: building the GStreamer pipelines takes
         * tens of milliseconds on a busy machine, so media starts from a
         * low-priority idle once the association is up (or fails). */
        start_sctp(call);
        break;
    }
    case SC_DTLS_STATE_FAILED:
        ev = sc_call_event_new(SC_CALL_EVENT_DTLS);
        sc_call_event_set_str(ev, "state", "failed");
        if (error != NULL)
            sc_call_event_set_str(ev, "detail", error->message);
        emit(call, ev);
        if (error != NULL &&
            g_error_matches(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH)) {
            send_bye(call, "fingerprint-mismatch");
            call_end(call, SC_END_REASON_FINGERPRINT_MISMATCH,
                     error->message);
        } else {
            send_bye(call, "dtls-failed");
            call_end(call, SC_END_REASON_DTLS_FAILED,
                     error != NULL ? error->message : "DTLS failed");
        }
        break;
    case SC_DTLS_STATE_CLOSED:
        call_end(call, SC_END_REASON_BYE, "peer closed DTLS (close_notify)");
        break;
    default:
        break;
    }
}

static void
on_dtls_data(gpointer data, const guint8 *buf, gsize len)
{
    ScCall *call = data;

    if (call->sctp != NULL && call->state != CALL_ENDED)
        sc_sctp_assoc_receive(call->sctp, buf, len);
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                            */

/* The signaling client outlives the call's end so that the bye and the
 * WebSocket close handshake complete; it goes with the last unref. */
static void
free_transports(ScCall *call)
{
    g_clear_pointer(&call->media, sc_media_session_free);
    g_clear_pointer(&call->sctp, sc_sctp_assoc_free);
    g_clear_pointer(&call->srtp, sc_srtp_session_free);
    g_clear_pointer(&call->dtls, sc_dtls_transport_free);
    g_clear_pointer(&call->ice, sc_ice_transport_free);
}

static gboolean
teardown_cb(gpointer data)
{
    ScCall *call = data;

    g_clear_pointer(&call->teardown_source, g_source_unref);
    free_transports(call);
    return G_SOURCE_REMOVE;
}

/* @peer_reason: (nullable) what the peer's bye claimed, see handle_bye() */
static void
call_end_with(ScCall *call, ScEndReason reason, const char *detail,
              const char *peer_reason)
{
    ScCallEvent *ev;

    if (call->state == CALL_ENDED)
        return;
    SC_LOG_INFO(call->id, "ended: %s (%s)", sc_end_reason_to_string(reason),
                detail != NULL ? detail : "");
    call->state = CALL_ENDED;
    call->bench.running = FALSE;
    sc_source_clear(&call->media_source_id);
    sc_dtls_warm_up_reap();
    /* finalizes a recording (bounded wait) before `ended` is reported */
    if (call->media != NULL)
        sc_media_session_stop(call->media);
    sc_hangup_clear(&call->hangup);
    if (reason == SC_END_REASON_HANGUP) {
        /* SCTP (already shut down after a graceful hangup, hangup.c), then
         * DTLS close_notify, then the bye: the bye takes the relay's path
         * and must not overtake what the ICE path still carries. */
        if (call->sctp != NULL)
            sc_sctp_assoc_close(call->sctp);
        if (call->dtls != NULL)
            sc_dtls_transport_close(call->dtls);
        send_bye(call, "hangup");
    }
    if (call->ice != NULL)
        sc_ice_transport_close(call->ice);
    if (call->sig != NULL)
        sc_signal_client_close(call->sig);
    for (GList *l = call->channels.all.head; l != NULL; l = l->next) {
        ScChannel *c = l->data;
        c->open = FALSE;
        c->closed = TRUE;
    }
    ev = sc_call_event_new(SC_CALL_EVENT_ENDED);
    ev->reason = reason;
    sc_call_event_set_str(ev, "reason", sc_end_reason_to_string(reason));
    sc_call_event_set_str(ev, "detail", detail);
    if (peer_reason != NULL)
        sc_call_event_set_str(ev, "peer_reason", peer_reason);
    emit(call, ev);
    /* Layers are freed from the loop, never inside their own callbacks. */
    if (call->teardown_source == NULL) {
        call->teardown_source = g_idle_source_new();
        g_source_set_priority(call->teardown_source, G_PRIORITY_LOW);
        g_source_set_callback(call->teardown_source, teardown_cb,
                              sc_call_ref(call),
                              (GDestroyNotify)sc_call_unref);
        g_source_attach(call->teardown_source, call->ctx);
    }
}

static void
call_end(ScCall *call, ScEndReason reason, const char *detail)
{
    call_end_with(call, reason, detail, NULL);
}

ScCall *
sc_call_new(ScEndpoint *endpoint, ScCallRole role, GError **error)
{
    ScCall *call;
    guint8 raw[4];
    guint8 tls_raw[18];

    g_return_val_if_fail(endpoint != NULL, NULL);
    g_return_val_if_fail(role == SC_CALL_ROLE_OFFERER ||
                             role == SC_CALL_ROLE_ANSWERER,
                         NULL);
    call = g_new0(ScCall, 1);
    g_ref_count_init(&call->ref);
    call->endpoint = sc_endpoint_ref(endpoint);
    call->ctx = g_main_context_ref(endpoint->ctx);
    call->role = role;
    sc_random_bytes(raw, sizeof raw);
    g_snprintf(call->id, sizeof call->id, "%02x%02x%02x%02x", raw[0], raw[1],
               raw[2], raw[3]);
    call->local_addresses = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(call->local_addresses, NULL);
    g_ptr_array_set_size(call->local_addresses, 0);
    call->pending_candidates = g_ptr_array_new_with_free_func(g_free);
    call->dtls_early =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    sc_channel_table_init(&call->channels);
    g_queue_init(&call->events);
    /* RFC 8827 §6.5: a fresh key pair for each call by default. */
    call->cert = sc_cert_new_ecdsa(error);
    if (call->cert == NULL) {
        sc_call_unref(call);
        return NULL;
    }
    call->local_fingerprint = sc_cert_get_fingerprint(call->cert,
                                                      SC_HASH_SHA256);
    /* RFC 8842 §4: tls-id with at least 120 bits of randomness */
    sc_random_bytes(tls_raw, sizeof tls_raw);
    call->tls_id = g_base64_encode(tls_raw, sizeof tls_raw);
    for (char *p = call->tls_id; *p; p++)
        if (*p == '=')
            *p = '\0';
    call->session_id = sc_random_u64() >> 2;
    call->sdp_version = 2;
    {
        /* RFC 7022: CNAME from 96 random bits, 16 base64 chars; SSRCs
         * random and non-zero; msid ids random tokens */
        guint8 r[12];
        g_autofree char *b = NULL;
        char *ids[4] = {call->cname, call->stream_id, call->track_id[0],
                        call->track_id[1]};
        for (int i = 0; i < 4; i++) {
            sc_random_bytes(r, sizeof r);
            b = g_base64_encode(r, sizeof r);
            for (char *p = b; *p; p++)
                if (*p == '+' || *p == '/')
                    *p = i == 0 ? *p : 'x'; /* msid ids: token chars */
            g_strlcpy(ids[i], b, 17);
            g_clear_pointer(&b, g_free);
        }
        for (int k = 0; k < 2; k++)
            do
                call->ssrc[k] = sc_random_u32();
            while (call->ssrc[k] == 0 || call->ssrc[k] == 0xffffffffu ||
                   (k == 1 && call->ssrc[1] == call->ssrc[0]));
    }
    return call;
}

ScCall *
sc_call_ref(ScCall *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    g_ref_count_inc(&call->ref);
    return call;
}

void
sc_call_unref(ScCall *call)
{
    if (call == NULL || !g_ref_count_dec(&call->ref))
        return;
    sc_source_clear(&call->event_source);
    sc_hangup_clear(&call->hangup);
    g_queue_clear_full(&call->events, (GDestroyNotify)sc_call_event_free);
    free_transports(call);
    g_clear_pointer(&call->sig, sc_signal_client_free);
    g_clear_pointer(&call->bench.chan, sc_channel_unref);
    sc_channel_table_clear(&call->channels);
    g_clear_pointer(&call->remote, sc_sdp_desc_free);
    g_ptr_array_unref(call->pending_candidates);
    g_ptr_array_unref(call->dtls_early);
    g_ptr_array_unref(call->local_addresses);
    g_clear_pointer(&call->cert, sc_cert_unref);
    g_free(call->local_fingerprint);
    g_free(call->tls_id);
    g_free(call->signal_url);
    g_free(call->stun_host);
    g_free(call->media_source[0]);
    g_free(call->media_source[1]);
    g_free(call->record_path);
    if (call->func_destroy != NULL)
        call->func_destroy(call->func_data);
    g_main_context_unref(call->ctx);
    sc_endpoint_unref(call->endpoint);
    g_free(call);
}

gboolean
sc_call_set_signal_url(ScCall *call, const char *url, GError **error)
{
    g_return_val_if_fail(call != NULL && url != NULL, FALSE);
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has already started");
        return FALSE;
    }
    if (!sc_signal_url_validate(url, NULL, error))
        return FALSE;
    g_free(call->signal_url);
    call->signal_url = g_strdup(url);
    return TRUE;
}

gboolean
sc_call_set_stun_server(ScCall *call, const char *host_port, GError **error)
{
    g_autoptr(GSocketConnectable) addr = NULL;
    const char *host;
    guint16 port;

    g_return_val_if_fail(call != NULL && host_port != NULL, FALSE);
    addr = g_network_address_parse(host_port, 0, NULL);
    port = addr != NULL ? g_network_address_get_port(G_NETWORK_ADDRESS(addr))
                        : 0;
    if (addr == NULL || port == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "STUN server must be HOST:PORT (got '%s')", host_port);
        return FALSE;
    }
    host = g_network_address_get_hostname(G_NETWORK_ADDRESS(addr));
    if (!g_hostname_is_ip_address(host)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "STUN server must be an IP address for now (got '%s')",
                    host);
        return FALSE;
    }
    g_free(call->stun_host);
    call->stun_host = g_strdup(host);
    call->stun_port = port;
    return TRUE;
}

gboolean
sc_call_set_ice_max_pairs(ScCall *call, guint max_pairs, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (max_pairs == 0 || max_pairs > SC_ICE_MAX_PAIRS_MAX) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the ICE checklist limit must be 1 to %u (got %u)",
                    SC_ICE_MAX_PAIRS_MAX, max_pairs);
        return FALSE;
    }
    if (call->ice != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the ICE checklist limit is set before the call starts");
        return FALSE;
    }
    call->ice_max_pairs = max_pairs;
    return TRUE;
}

gboolean
sc_call_add_local_address(ScCall *call, const char *address, GError **error)
{
    g_return_val_if_fail(call != NULL && address != NULL, FALSE);
    if (!g_hostname_is_ip_address(address)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "not an IP address: '%s'", address);
        return FALSE;
    }
    g_ptr_array_add(call->local_addresses, g_strdup(address));
    g_ptr_array_add(call->local_addresses, NULL);
    g_ptr_array_set_size(call->local_addresses,
                         call->local_addresses->len - 1);
    return TRUE;
}

gboolean
sc_call_set_media(ScCall *call, ScMediaType kind, gboolean enabled,
                  const char *source, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    g_return_val_if_fail(kind == SC_MEDIA_TYPE_AUDIO ||
                             kind == SC_MEDIA_TYPE_VIDEO,
                         FALSE);
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "media must be chosen before the call starts");
        return FALSE;
    }
    call->media_enabled[kind] = enabled;
    g_free(call->media_source[kind]);
    call->media_source[kind] = g_strdup(source);
    return TRUE;
}

gboolean
sc_call_set_record(ScCall *call, const char *path, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the recording must be chosen before the call starts");
        return FALSE;
    }
    g_free(call->record_path);
    call->record_path = g_strdup(path);
    return TRUE;
}

void
sc_call_set_playback(ScCall *call, gboolean play)
{
    g_return_if_fail(call != NULL);
    call->play_audio = play;
}

void
sc_call_set_event_func(ScCall *call, ScCallEventFunc func,
                       gpointer user_data, GDestroyNotify destroy)
{
    g_return_if_fail(call != NULL);
    if (call->func_destroy != NULL)
        call->func_destroy(call->func_data);
    call->func = func;
    call->func_data = user_data;
    call->func_destroy = destroy;
}

gboolean
sc_call_start(ScCall *call, GError **error)
{
    static const ScSignalClientCallbacks sig_cb = {
        .on_open = on_sig_open,
        .on_message = on_sig_message,
        .on_closed = on_sig_closed,
    };
    g_autofree char *log_id = NULL;

    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state != CALL_IDLE || call->sig != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has already started");
        return FALSE;
    }
    if (call->signal_url == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "no signal URL set");
        return FALSE;
    }
    /* process-wide SCTP start-up now, not between DTLS and the first
     * data channel; OpenSSL's first-use costs on a worker thread while
     * signaling runs (src/dtls/dtls-warmup.c) */
    sc_sctp_global_init();
    sc_dtls_warm_up_start();
    log_id = g_strdup_printf("%s/sig", call->id);
    call->sig = sc_signal_client_new(call->ctx, call->signal_url, log_id,
                                     &sig_cb, call, error);
    if (call->sig == NULL)
        return FALSE;
    sc_signal_client_connect(call->sig);
    return TRUE;
}

static gboolean
hangup_grace_over(gpointer data)
{
    ScCall *call = data;

    call_end(call, SC_END_REASON_HANGUP,
             "local hangup (SCTP shutdown not complete after "
             G_STRINGIFY(SC_HANGUP_GRACE_MS) " ms: unacknowledged data "
             "dropped)");
    return G_SOURCE_REMOVE;
}

void
sc_call_hangup(ScCall *call)
{
    g_return_if_fail(call != NULL);
    if (call->state == CALL_ENDED)
        return;
    /* With an association up, SCTP finishes first (hangup.c); `ended`
     * follows when it has, or after SC_HANGUP_GRACE_MS. */
    call->bench.running = FALSE;
    if (call->dtls != NULL && call->ice != NULL &&
        sc_hangup_start(&call->hangup, call->ctx, call->sctp,
                        hangup_grace_over, call))
        return;
    call_end(call, SC_END_REASON_HANGUP, "local hangup");
}

gboolean
sc_call_start_bench(ScCall *call, guint64 bytes, gsize chunk, GError **error)
{
    ScChannel *c;

    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return FALSE;
    }
    if (call->bench.running) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "a bench is already running");
        return FALSE;
    }
    if (chunk == 0 || chunk > sc_sctp_assoc_get_local_max_message_size()) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bench chunk must be 1..%" G_GUINT64_FORMAT " bytes",
                    sc_sctp_assoc_get_local_max_message_size());
        return FALSE;
    }
    c = sc_call_get_channel(call, BENCH_LABEL, TRUE, -1, -1, error);
    if (c == NULL)
        return FALSE;
    g_clear_pointer(&call->bench.chan, sc_channel_unref);
    memset(&call->bench, 0, sizeof call->bench);
    call->bench.running = TRUE;
    call->bench.chan = sc_channel_ref(c); /* it may close meanwhile */
    call->bench.bytes = bytes;
    call->bench.chunk = chunk;
    if (call->sctp != NULL && c->open)
        bench_pump(call);
    return TRUE;
}

char *
sc_call_inspect_json(ScCall *call)
{
    ScInspectorSnapshot s = {0};
    g_autofree char *rfp = NULL;
    g_autofree char *sas = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autofree ScInspectorChannel *chans = NULL;
    ScInspectorMedia media[4];
    gboolean connected;

    g_return_val_if_fail(call != NULL, NULL);
    connected = call->dtls != NULL &&
                sc_dtls_transport_get_state(call->dtls) ==
                    SC_DTLS_STATE_CONNECTED;
    s.dtls_state = call->dtls != NULL
                       ? sc_dtls_state_to_string(
                             sc_dtls_transport_get_state(call->dtls))
                       : "new";
    if (connected) {
        ScFingerprint remote_fp;
        ScFingerprint local_fp;
        s.dtls_version = sc_dtls_transport_get_version(call->dtls);
        s.cipher = sc_dtls_transport_get_cipher(call->dtls);
        s.cipher_standard =
            sc_dtls_transport_get_cipher_standard_name(call->dtls);
        s.pfs = sc_dtls_transport_is_pfs(call->dtls);
        s.srtp_profile = sc_srtp_profile_to_string(
            sc_dtls_transport_get_srtp_profile(call->dtls));
        s.srtp_profile_standard =
            srtp_profile_iana(sc_dtls_transport_get_srtp_profile(call->dtls));
        s.dtls_role =
            sc_dtls_transport_is_client(call->dtls) ? "client" : "server";
        rfp = sc_dtls_transport_get_remote_fingerprint(call->dtls);
        s.remote_fingerprint_verified = rfp != NULL;
        if (sc_dtls_transport_get_verified_fingerprint(call->dtls,
                                                       &remote_fp) &&
            sc_fingerprint_parse(call->local_fingerprint, &local_fp, NULL))
            sas = sc_fingerprint_sas(&local_fp, &remote_fp);
    }
    s.keying = "pairwise-dtls-srtp";
    s.local_fingerprint = call->local_fingerprint;
    s.remote_fingerprint = rfp;
    s.sas = sas;
    s.key_scope = "per-call";
    s.verified_by = "none";
    s.ice_policy = "all";
    if (call->ice != NULL) {
        ScIceState st = sc_ice_transport_get_state(call->ice);
        gint64 last = sc_ice_transport_get_last_consent_us(call->ice);
        s.ice_state = sc_ice_state_to_string(st);
        s.local_type = sc_ice_transport_get_local_type(call->ice);
        s.remote_type = sc_ice_transport_get_remote_type(call->ice);
        s.consent_fresh = st == SC_ICE_STATE_CONNECTED;
        s.last_response_ms_ago =
            last > 0 ? (sc_clock_now_us() - last) / 1000 : -1;
    } else {
        s.ice_state = "new";
        s.last_response_ms_ago = -1;
    }
    if (call->media != NULL) {
        const char *cipher = sc_srtp_profile_describe(
            sc_srtp_session_get_profile(call->srtp));
        for (int k = 0; k < 2; k++) {
            ScMediaStats st;
            sc_media_session_get_stats(call->media, (ScMediaKind)k, &st);
            for (int dir = 0; dir < 2; dir++) {
                gboolean on = dir == 0 ? call->media_send[k]
                                       : call->media_recv[k];
                ScInspectorMedia *m;
                if (!on)
                    continue;
                m = &media[s.n_media++];
                m->kind = sc_media_kind_to_string((ScMediaKind)k);
                m->direction = dir == 0 ? "send" : "recv";
                m->encrypted = TRUE; /* only SRTP leaves or enters */
                m->cipher = cipher;
                m->packets = dir == 0 ? st.packets_sent : st.packets_received;
            }
        }
    }
    s.media = media;
    chans = g_new0(ScInspectorChannel,
                   sc_channel_table_size(&call->channels) + 1);
    for (GList *l = call->channels.all.head; l != NULL; l = l->next) {
        ScChannel *c = l->data;
        if (c->closed)
            continue;
        chans[s.n_channels].label = c->label;
        chans[s.n_channels].id = c->sid;
        chans[s.n_channels].open = c->open;
        chans[s.n_channels].encrypted = TRUE; /* SCTP runs only over DTLS */
        s.n_channels++;
    }
    s.channels = chans;
    node = sc_inspector_report_build(&s);
    return json_to_string(node, FALSE);
}
