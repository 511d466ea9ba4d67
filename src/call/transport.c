/* src/call/transport.c - the call's transport stack: creating ICE and
 * DTLS, wiring ICE -> DTLS -> SCTP and SRTP, and their state callbacks.
 * Owns the RFC 7983 demux of what ICE receives (on_ice_recv(): DTLS
 * records to dtls/, SRTP/SRTCP to srtp/ then media/), the early-DTLS
 * queue (datagrams written before ICE has a pair), starting DTLS and
 * SCTP (a DTLS record's application data reaches SCTP in on_dtls_data()),
 * the SRTP keys from the DTLS exporter, and the setup milestones
 * (t_ice_us, t_dtls_us, t_sctp_us).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include "media/demux.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* transports                                                           */

static void on_ice_state(gpointer data, ScIceState state);
static void on_ice_checks_failed(gpointer data);
static void on_ice_recv(gpointer data, const guint8 *buf, gsize len);
static void on_dtls_send(gpointer data, const guint8 *buf, gsize len);
static void on_dtls_state(gpointer data, ScDtlsState state,
                          const GError *error);
static void on_dtls_data(gpointer data, const guint8 *buf, gsize len);
static void flush_dtls_early(ScCall *call);
static void on_ice_pair_changed(gpointer data);

gboolean
sc_call_transport_create(ScCall *call, gboolean controlling, GError **error)
{
    static const ScIceCallbacks ice_cb = {
        .on_candidate = sc_call_on_local_candidate,
        .on_state = on_ice_state,
        .on_recv = on_ice_recv,
        .on_checks_failed = on_ice_checks_failed,
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
        .hide_host = call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE_ONLY,
        .mdns = call->mdns,
    };
    g_autofree char *ice_id = NULL;
    g_autofree char *dtls_id = g_strdup_printf("%s/dtls", call->id);
    g_auto(GStrv) route = NULL;

    /* RFC 8828 Modes 2 and 3: the default route's addresses only */
    if (call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE ||
        call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE_ONLY) {
        route = sc_ice_default_route_addresses(
            call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE, error);
        if (route == NULL)
            return FALSE;
        cfg.local_addresses = (const char *const *)route;
    }

    ice_id = g_strdup_printf("%s/ice", call->id);
    sc_call_privacy_ice_config(call, &cfg);
    call->ice = sc_ice_transport_new(call->ctx, ice_id, &cfg, &ice_cb, call,
                                     error);
    if (call->ice == NULL)
        return FALSE;
    sc_ice_transport_set_pair_func(call->ice, on_ice_pair_changed);
    call->dtls = sc_dtls_transport_new(call->ctx, call->cert, dtls_id,
                                       &dtls_cb, call, error);
    if (call->dtls == NULL)
        return FALSE;
    /* RFC 8833: a required peer identity asks for "c-webrtc" */
    sc_dtls_transport_set_confidential(call->dtls,
                                       call->id_gate.required != NULL);
    /* Gathering starts now, before any description (RFC 8838 §4: when a
     * call is imminent), so that our offer or answer carries the host
     * candidates and checks start one signaling hop earlier. */
    return sc_ice_transport_gather(call->ice, error);
}

/* The call cannot have transports: no usable local address for ICE
 * (ice-failed), or anything else (error). */
void
sc_call_transport_end_error(ScCall *call, const GError *error)
{
    sc_call_end(call,
                g_error_matches(error, SC_ERROR, SC_ERROR_ICE_FAILED)
                    ? SC_END_REASON_ICE_FAILED
                    : SC_END_REASON_ERROR,
                error->message);
}

void
sc_call_transport_start_dtls(ScCall *call)
{
    g_autoptr(GError) error = NULL;

    if (call->transport.dtls_started || !call->transport.dtls_role_known ||
        call->remote == NULL)
        return;
    /* The DTLS client starts once ICE has a pair; the server is ready at
     * once (a ClientHello may arrive as soon as checks succeed). */
    if (call->transport.dtls_client &&
        sc_ice_transport_get_state(call->ice) != SC_ICE_STATE_CONNECTED)
        return;
    call->transport.dtls_started = TRUE;
    if (!sc_dtls_transport_start(call->dtls, &error))
        sc_call_end(call, SC_END_REASON_DTLS_FAILED, error->message);
}

/* ------------------------------------------------------------------ */
/* ICE, DTLS, SCTP callbacks                                            */

/* An `ice` event with the selected pair's types */
static ScCallEvent *
ice_connected_event(ScCall *call)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_ICE);

    sc_call_event_set_str(ev, "state", "connected");
    sc_call_event_set_str(ev, "local_type",
                          sc_ice_transport_get_local_type(call->ice));
    sc_call_event_set_str(ev, "remote_type",
                          sc_ice_transport_get_remote_type(call->ice));
    return ev;
}

/* A restart begun while connected (a privacy change, privacy.c) selected
 * its pair: another `ice` connected event says which (contract section
 * 3: the types of the selected pair). */
static void
on_ice_pair_changed(gpointer data)
{
    ScCall *call = data;

    if (call->state != CALL_ENDED)
        sc_call_emit(call, ice_connected_event(call));
}

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
        if (state == SC_ICE_STATE_CONNECTED) {
            if (call->transport.t_ice_us == 0)
                call->transport.t_ice_us = sc_clock_now_us();
            ev = ice_connected_event(call);
        } else {
            ev = sc_call_event_new(SC_CALL_EVENT_ICE);
            sc_call_event_set_str(ev, "state", "checking");
        }
        sc_call_emit(call, ev);
        if (state == SC_ICE_STATE_CONNECTED) {
            flush_dtls_early(call);
            sc_call_transport_start_dtls(call);
        }
        break;
    case SC_ICE_STATE_FAILED:
        ev = sc_call_event_new(SC_CALL_EVENT_ICE);
        sc_call_event_set_str(ev, "state", "failed");
        sc_call_emit(call, ev);
        sc_call_end(call, SC_END_REASON_ICE_FAILED,
                    sc_ice_transport_get_failure(call->ice) != NULL
                        ? sc_ice_transport_get_failure(call->ice)
                        : "no ICE candidate pair worked");
        break;
    case SC_ICE_STATE_DISCONNECTED:
        /* nothing can be sent until a consent response on the pair
         * (ice.c selects it again) or a restart wins consent back */
        ev = sc_call_event_new(SC_CALL_EVENT_ICE);
        sc_call_event_set_str(ev, "state", "disconnected");
        sc_call_emit(call, ev);
        SC_LOG_INFO(call->id, "libnice stopped sending on the pair; consent "
                              "expires in %.1f s without a response or an "
                              "ICE restart",
                    (double)(sc_ice_transport_get_consent_deadline_us(
                                 call->ice) -
                             sc_clock_now_us()) /
                        1e6);
        /* either side restarts (negotiation.c settles glare), unless a
         * restart is already under way: its checks may still succeed */
        if (!sc_ice_transport_is_restarting(call->ice))
            sc_call_start_ice_restart(call);
        break;
    case SC_ICE_STATE_CONSENT_EXPIRED: {
        gint64 last = sc_ice_transport_get_last_consent_us(call->ice);
        g_autofree char *age =
            last > 0
                ? g_strdup_printf("last consent response %" G_GINT64_FORMAT
                                  " ms ago",
                                  (sc_clock_now_us() - last) / 1000)
                : g_strdup("time of the last consent response unknown");
        g_autofree char *detail = g_strdup_printf(
            "consent expired: no consent response for %d s (RFC 7675) and "
            "no ICE restart succeeded; %s",
            SC_ICE_CONSENT_EXPIRY_MS / 1000, age);
        sc_call_end(call, SC_END_REASON_CONSENT_EXPIRED, detail);
        break;
    }
    default:
        break;
    }
}

/* Every pair failed before ICE ever connected. The peer may still be
 * checking (one of its checks would revive the checklist: ice.c waits
 * SC_ICE_FAIL_GRACE_MS for that), or its checks may have failed too (a
 * lossy path where each side's six sends went unanswered): a fresh
 * generation of checks on both sides, by an ICE restart (either side,
 * negotiation.c settles glare), is the better bet, once
 * (SC_CALL_SETUP_RESTARTS); then ice-failed when the grace ends. */
static void
on_ice_checks_failed(gpointer data)
{
    ScCall *call = data;

    if (call->state == CALL_ENDED ||
        call->neg.n_setup_restarts >= SC_CALL_SETUP_RESTARTS)
        return;
    call->neg.n_setup_restarts++;
    SC_LOG_INFO(call->id, "every ICE pair failed before one connected: "
                          "restarting ICE (%u of %u)",
                call->neg.n_setup_restarts, SC_CALL_SETUP_RESTARTS);
    sc_call_start_ice_restart(call);
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
        if (!call->transport.dtls_role_known) {
            /* A ClientHello before the answer: the peer is active. */
            call->transport.dtls_role_known = TRUE;
            call->transport.dtls_client = FALSE;
            sc_dtls_transport_set_client(call->dtls, FALSE);
        }
        if (!call->transport.dtls_started && !call->transport.dtls_client) {
            g_autoptr(GError) error = NULL;
            call->transport.dtls_started = TRUE;
            if (!sc_dtls_transport_start(call->dtls, &error)) {
                sc_call_end(call, SC_END_REASON_DTLS_FAILED, error->message);
                return;
            }
        }
        sc_dtls_transport_receive(call->dtls, buf, len);
        break;
    case SC_INGRESS_SRTP_TOO_BIG:
        call->transport.srtp_dropped++;
        break;
    case SC_INGRESS_SRTP:
    case SC_INGRESS_SRTCP: {
        gboolean rtcp = ingress == SC_INGRESS_SRTCP;
        gsize n = len;
        ScStatus st;

        /* Nothing but SRTP/SRTCP that authenticates reaches the media. */
        if (call->srtp == NULL || call->media == NULL) {
            call->transport.srtp_dropped++;
            break;
        }
        memcpy(pkt, buf, len);
        st = rtcp ? sc_srtp_session_unprotect_rtcp(call->srtp, pkt, &n)
                  : sc_srtp_session_unprotect(call->srtp, pkt, &n);
        if (st != SC_OK) {
            call->transport.srtp_dropped++;
            break;
        }
        if (!rtcp)
            call->rtp.rtp_received++;
        st = sc_media_session_receive(call->media, pkt, n, rtcp);
        /* libsrtp keeps a stream per SSRC that authenticated (for SRTCP,
         * the first sender's): forget those media/ does not accept, so a
         * peer naming new SSRCs cannot grow it either */
        if ((rtcp || st == SC_DROP_NO_ROUTE) && n >= (rtcp ? 8u : 12u)) {
            const guint8 *q = pkt + (rtcp ? 4 : 8);
            guint32 ssrc = ((guint32)q[0] << 24) | ((guint32)q[1] << 16) |
                           ((guint32)q[2] << 8) | q[3];
            if (!sc_media_session_accepts_ssrc(call->media, ssrc))
                sc_srtp_session_forget_ssrc(call->srtp, ssrc);
        }
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
        call->transport.dtls_early->len < DTLS_EARLY_MAX) {
        g_ptr_array_add(call->transport.dtls_early, g_bytes_new(buf, len));
        return;
    }
    SC_LOG_DEBUG(call->id, "DTLS datagram not sent: %s",
                 sc_status_to_string(st));
}

static void
flush_dtls_early(ScCall *call)
{
    for (guint i = 0; i < call->transport.dtls_early->len; i++) {
        gsize len = 0;
        const guint8 *buf =
            g_bytes_get_data(call->transport.dtls_early->pdata[i], &len);
        ScStatus st = sc_ice_transport_send(call->ice, buf, len);
        if (st != SC_OK)
            SC_LOG_DEBUG(call->id, "early DTLS datagram not sent: %s",
                         sc_status_to_string(st));
    }
    g_ptr_array_set_size(call->transport.dtls_early, 0);
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
        sc_call_end(
            call, SC_END_REASON_HANGUP,
            state == SC_SCTP_STATE_CLOSED
                ? "local hangup"
                : "local hangup (the association failed while closing)");
        return;
    }
    switch (state) {
    case SC_SCTP_STATE_CONNECTED:
        if (call->transport.t_sctp_us == 0)
            call->transport.t_sctp_us = sc_clock_now_us();
        call->transport.sctp_connected = TRUE;
        sc_call_channels_open_pending(call);
        sc_call_media_schedule_start(call);
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
            sc_call_end(call, SC_END_REASON_BYE,
                        "peer closed the association (SCTP ABORT)");
        else
            sc_call_end(call, SC_END_REASON_ERROR,
                        error != NULL ? error->message
                                      : "SCTP association failed");
        break;
    case SC_SCTP_STATE_CLOSED:
        sc_call_end(call, SC_END_REASON_BYE,
                    "peer closed the SCTP association");
        break;
    default:
        break;
    }
}

static void
start_sctp(ScCall *call)
{
    static const ScSctpCallbacks sctp_cb = {
        .send = on_sctp_send,
        .on_state = on_sctp_state,
        .on_channel_open = sc_call_on_channel_open,
        .on_channel_closed = sc_call_on_channel_closed,
        .on_channel_refused = sc_call_on_channel_refused,
        .on_message = sc_call_on_message,
        .on_buffered_amount_low = sc_call_on_buffered_amount_low,
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *log_id = g_strdup_printf("%s/sctp", call->id);
    ScSdpSection *data =
        call->remote->sections->pdata[call->remote->data_section];

    call->sctp = sc_sctp_assoc_new(
        call->ctx, log_id, call->transport.dtls_client, SC_SCTP_PORT,
        data->sctp_port != 0 ? data->sctp_port : SC_SCTP_PORT,
        data->max_message_size, &sctp_cb, call, &error);
    if (call->sctp != NULL) {
        /* One SCTP packet per DTLS record. usrsctp's AF_CONN packets come
         * out a few bytes above the path MTU set, so leave a margin. */
        guint mtu = sc_dtls_transport_get_data_mtu(call->dtls);
        if (mtu > 600)
            sc_sctp_assoc_set_path_mtu(call->sctp, mtu - 16);
    }
    if (call->sctp == NULL || !sc_sctp_assoc_start(call->sctp, &error))
        sc_call_end(call, SC_END_REASON_ERROR, error->message);
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
        g_autofree char *rfp =
            sc_dtls_transport_get_remote_fingerprint(call->dtls);

        call->state = CALL_CONNECTED;
        if (call->transport.t_dtls_us == 0)
            call->transport.t_dtls_us = sc_clock_now_us();
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
                              sc_call_srtp_profile_iana(
                                  sc_dtls_transport_get_srtp_profile(
                                      call->dtls)));
        sc_call_event_set_str(ev, "role",
                              sc_dtls_transport_is_client(call->dtls)
                                  ? "client"
                                  : "server");
        sc_call_event_set_str(ev, "remote_fingerprint", rfp);
        sc_call_event_set_str(ev, "alpn",
                              sc_dtls_transport_get_alpn(call->dtls));
        sc_call_emit(call, ev);
        /* --peer-identity: nothing either way until it verifies */
        if (!sc_call_identity_holds(call))
            sc_call_transport_open(call);
        break;
    }
    case SC_DTLS_STATE_FAILED:
        ev = sc_call_event_new(SC_CALL_EVENT_DTLS);
        sc_call_event_set_str(ev, "state", "failed");
        if (error != NULL)
            sc_call_event_set_str(ev, "detail", error->message);
        sc_call_emit(call, ev);
        if (error != NULL &&
            g_error_matches(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH)) {
            sc_call_send_bye(call, "fingerprint-mismatch");
            sc_call_end(call, SC_END_REASON_FINGERPRINT_MISMATCH,
                        error->message);
        } else {
            sc_call_send_bye(call, "dtls-failed");
            sc_call_end(call, SC_END_REASON_DTLS_FAILED,
                        error != NULL ? error->message : "DTLS failed");
        }
        break;
    case SC_DTLS_STATE_CLOSED:
        sc_call_end(call, SC_END_REASON_BYE,
                    "peer closed DTLS (close_notify)");
        break;
    default:
        break;
    }
}

void
sc_call_transport_open(ScCall *call)
{
    g_autoptr(GError) kerr = NULL;
    ScSrtpKeys keys;

    if (call->state == CALL_ENDED)
        return;
    /* SRTP contexts (about 40 KB) only when RTP is negotiated. */
    if (sc_call_media_has_rtp(call) &&
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
}

static void
on_dtls_data(gpointer data, const guint8 *buf, gsize len)
{
    ScCall *call = data;

    if (call->sctp != NULL && call->state != CALL_ENDED)
        sc_sctp_assoc_receive(call->sctp, buf, len);
}

/* The signaling client outlives the call's end so that the bye and the
 * WebSocket close handshake complete; it goes with the last unref. */
void
sc_call_transport_free(ScCall *call)
{
    g_clear_pointer(&call->media, sc_media_session_free);
    g_clear_pointer(&call->sctp, sc_sctp_assoc_free);
    g_clear_pointer(&call->srtp, sc_srtp_session_free);
    g_clear_pointer(&call->dtls, sc_dtls_transport_free);
    g_clear_pointer(&call->ice, sc_ice_transport_free);
}
