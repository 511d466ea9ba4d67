/* src/call/call.c - the orchestrator: the only module that knows all the
 * others; this file is the call's lifecycle (new, configure, start,
 * hang up, end, free) and its inspector snapshot. Signaling (contract
 * section 1) drives JSEP offer/answer (RFC 8829) over sdp/; ice/ finds a path
 * (RFC 8445, trickle RFC 8838, consent RFC 7675); datagrams are demultiplexed
 * by first byte (RFC 7983) into dtls/ (RFC 6347, fingerprints RFC 8122/8842)
 * whose keys feed srtp/ (RFC 5764 §4.2) and whose application data carries
 * sctp/ (RFC 8261/8831/8832). Public events are queued and dispatched from an
 * idle source, never from inside a sc_*() call or a lower layer's callback.
 * The other files of call/: negotiation.c (signaling, offer/answer, ICE
 * restarts), transport.c (ICE/DTLS/SCTP/SRTP wiring and the demux),
 * channels.c (the public ScChannel API), media-glue.c (media/), event.c
 * (the event queue), hangup.c, call-keys.c (the DTLS key pair and its
 * scope), defer.c (deferred ICE). The bench protocol is src/bench/'s, an
 * application of the public API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include "inspector/inspector.h"
#include "privacy/privacy.h"
#include "keys/keys.h"

#include <string.h>

/* The inspector's ice.consent.fresh turns false once the peer's last
 * consent response is this old: about three unanswered checks (they go
 * every 4-6 s, RFC 7675 §5.1), well before consent expires (30 s). */
#define SC_CALL_CONSENT_FRESH_MS 15000

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
/* lifecycle                                                            */

static gboolean
teardown_cb(gpointer data)
{
    ScCall *call = data;

    g_clear_pointer(&call->teardown_source, g_source_unref);
    sc_call_transport_free(call);
    return G_SOURCE_REMOVE;
}

/* @peer_reason: (nullable) what the peer's bye claimed, see handle_bye()
 * (negotiation.c) */
void
sc_call_end_with(ScCall *call, ScEndReason reason, const char *detail,
                 const char *peer_reason)
{
    ScCallEvent *ev;

    if (call->state == CALL_ENDED)
        return;
    SC_LOG_INFO(call->id, "ended: %s (%s)", sc_end_reason_to_string(reason),
                detail != NULL ? detail : "");
    call->state = CALL_ENDED;
    sc_source_clear(&call->rtp.media_source_id);
    sc_dtls_warm_up_reap();
    /* finalizes a recording (bounded wait) before `ended` is reported */
    if (call->media != NULL)
        sc_media_session_stop(call->media);
    sc_hangup_clear(&call->hangup);
    sc_call_defer_stop(call);
    sc_call_identity_stop(call);
    if (reason == SC_END_REASON_HANGUP) {
        /* SCTP (already shut down after a graceful hangup, hangup.c), then
         * DTLS close_notify, then the bye: the bye takes the relay's path
         * and must not overtake what the ICE path still carries. */
        if (call->sctp != NULL)
            sc_sctp_assoc_close(call->sctp);
        if (call->dtls != NULL)
            sc_dtls_transport_close(call->dtls);
        sc_call_send_bye(call, sc_call_defer_bye_reason(call));
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
    sc_call_emit(call, ev);
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

void
sc_call_end(ScCall *call, ScEndReason reason, const char *detail)
{
    sc_call_end_with(call, reason, detail, NULL);
}

gboolean
sc_call_has_ended(ScCall *call)
{
    return call->state == CALL_ENDED;
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
    sc_call_privacy_init(call);
    call->neg.pending_candidates = g_ptr_array_new_with_free_func(g_free);
    call->transport.dtls_early =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    sc_channel_table_init(&call->channels);
    g_queue_init(&call->ev.events);
    /* RFC 8827 §6.5: a fresh key pair for each call by default
     * (call-keys.c) */
    if (!sc_call_keys_init(call, error)) {
        sc_call_unref(call);
        return NULL;
    }
    /* RFC 8842 §4: tls-id with at least 120 bits of randomness */
    sc_random_bytes(tls_raw, sizeof tls_raw);
    call->tls_id = g_base64_encode(tls_raw, sizeof tls_raw);
    for (char *p = call->tls_id; *p; p++)
        if (*p == '=')
            *p = '\0';
    call->session_id = sc_random_u64() >> 2;
    call->neg.sdp_version = 2;
    {
        /* RFC 7022: CNAME from 96 random bits, 16 base64 chars; SSRCs
         * random and non-zero; msid ids random tokens */
        guint8 r[12];
        g_autofree char *b = NULL;
        char *ids[4] = {call->rtp.cname, call->rtp.stream_id,
                        call->rtp.track_id[0], call->rtp.track_id[1]};
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
                call->rtp.ssrc[k] = sc_random_u32();
            while (call->rtp.ssrc[k] == 0 ||
                   call->rtp.ssrc[k] == 0xffffffffu ||
                   (k == 1 && call->rtp.ssrc[1] == call->rtp.ssrc[0]));
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
    sc_source_clear(&call->ev.event_source);
    sc_hangup_clear(&call->hangup);
    sc_call_defer_free(call);
    sc_call_identity_free(call);
    sc_call_policy_free(call);
    g_queue_clear_full(&call->ev.events, (GDestroyNotify)sc_call_event_free);
    sc_call_transport_free(call);
    g_clear_pointer(&call->sig, sc_signal_client_free);
    sc_channel_table_clear(&call->channels);
    sc_call_channels_free(call);
    g_clear_pointer(&call->remote, sc_sdp_desc_free);
    g_ptr_array_unref(call->neg.pending_candidates);
    g_ptr_array_unref(call->transport.dtls_early);
    g_ptr_array_unref(call->local_addresses);
    sc_call_privacy_clear(call);
    g_clear_pointer(&call->cert, sc_cert_unref);
    g_free(call->local_fingerprint);
    g_free(call->tls_id);
    g_free(call->signal_url);
    g_free(call->stun_host);
    g_free(call->media_source[0]);
    g_free(call->media_source[1]);
    g_free(call->record_path);
    g_clear_pointer(&call->privacy_decision, sc_privacy_decision_unref);
    if (call->ev.func_destroy != NULL)
        call->ev.func_destroy(call->ev.func_data);
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

static const char *const ip_handling_names[] = {
    [SC_IP_HANDLING_ALL] = "all",
    [SC_IP_HANDLING_DEFAULT_ROUTE] = "default-route",
    [SC_IP_HANDLING_DEFAULT_ROUTE_ONLY] = "default-route-only",
    [SC_IP_HANDLING_RELAY_ONLY] = "relay-only",
};

const char *
sc_ip_handling_to_string(ScIpHandling mode)
{
    return (guint)mode < G_N_ELEMENTS(ip_handling_names)
               ? ip_handling_names[mode]
               : "invalid";
}

gboolean
sc_ip_handling_from_string(const char *name, ScIpHandling *out,
                           GError **error)
{
    g_return_val_if_fail(name != NULL && out != NULL, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(ip_handling_names); i++) {
        if (strcmp(name, ip_handling_names[i]) == 0) {
            *out = (ScIpHandling)i;
            return TRUE;
        }
    }
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                "unknown IP handling mode '%s' (all, default-route, "
                "default-route-only or relay-only)", name);
    return FALSE;
}

gboolean
sc_call_set_ip_handling(ScCall *call, ScIpHandling mode, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if ((guint)mode >= G_N_ELEMENTS(ip_handling_names)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "unknown IP handling mode %d", (int)mode);
        return FALSE;
    }
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the IP handling is chosen before the call starts");
        return FALSE;
    }
    /* RFC 8828 Mode 4 is relay-only, through TURN (privacy.c) */
    if (mode == SC_IP_HANDLING_RELAY_ONLY &&
        !sc_call_set_relay_only(call, TRUE, error))
        return FALSE;
    call->ip_handling = mode;
    return TRUE;
}

gboolean
sc_call_set_mdns(ScCall *call, gboolean enabled, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "mDNS candidates are chosen before the call starts");
        return FALSE;
    }
    call->mdns = enabled;
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

gboolean
sc_call_set_privacy(ScCall *call, ScPrivacyDecision *decision, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state != CALL_IDLE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the privacy decision must be given before the call "
                    "starts");
        return FALSE;
    }
    if (decision != NULL)
        sc_privacy_decision_ref(decision);
    g_clear_pointer(&call->privacy_decision, sc_privacy_decision_unref);
    call->privacy_decision = decision;
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
    if (call->ev.func_destroy != NULL)
        call->ev.func_destroy(call->ev.func_data);
    call->ev.func = func;
    call->ev.func_data = user_data;
    call->ev.func_destroy = destroy;
}

gboolean
sc_call_start(ScCall *call, GError **error)
{
    static const ScSignalClientCallbacks sig_cb = {
        .on_open = sc_call_on_sig_open,
        .on_message = sc_call_on_sig_message,
        .on_closed = sc_call_on_sig_closed,
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
    if (call->local_addresses->len > 0 &&
        (call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE ||
         call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE_ONLY)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "IP handling %s picks the local addresses itself: it "
                    "cannot be combined with given local addresses",
                    sc_ip_handling_to_string(call->ip_handling));
        return FALSE;
    }
    if (!sc_call_privacy_check(call, error))
        return FALSE;
    if (!sc_call_keys_resolve(call, error))
        return FALSE;
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
    /* --idp: signaling waits for our assertion (identity-gate.c) */
    if (!sc_call_identity_begin(call))
        sc_signal_client_connect(call->sig);
    return TRUE;
}

static gboolean
hangup_grace_over(gpointer data)
{
    ScCall *call = data;

    sc_call_end(call, SC_END_REASON_HANGUP,
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
    if (call->dtls != NULL && call->ice != NULL &&
        sc_hangup_start(&call->hangup, call->ctx, call->sctp,
                        hangup_grace_over, call))
        return;
    sc_call_end(call, SC_END_REASON_HANGUP, "local hangup");
}

char *
sc_call_inspect_json(ScCall *call)
{
    ScInspectorSnapshot s = {0};
    g_autofree char *rfp = NULL;
    g_autofree char *sas = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(JsonNode) privacy = NULL;
    g_autofree ScInspectorChannel *chans = NULL;
    g_autofree char *local_address = NULL;
    g_autofree char *remote_address = NULL;
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
        s.srtp_profile_standard = sc_call_srtp_profile_iana(
            sc_dtls_transport_get_srtp_profile(call->dtls));
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
    s.key_scope = sc_call_key_scope_string(call);
    sc_call_identity_report(call, &s);
    s.ice_policy = sc_call_privacy_policy(call);
    s.defer_ice = sc_call_defer_state_name(call);
    s.ip_handling = sc_ip_handling_to_string(call->ip_handling);
    s.mdns = call->mdns;
    s.related_address_suppressed = sc_call_privacy_raddr_suppressed(call);
    if (call->ice != NULL) {
        ScIceState st = sc_ice_transport_get_state(call->ice);
        gint64 last = sc_ice_transport_get_last_consent_us(call->ice);
        s.ice_state = sc_ice_state_to_string(st);
        s.local_type = sc_ice_transport_get_local_type(call->ice);
        s.remote_type = sc_ice_transport_get_remote_type(call->ice);
        local_address =
            sc_ice_transport_get_local_address(call->ice, &s.local_hidden_by);
        s.remote_address = remote_address =
            sc_ice_transport_get_remote_address(call->ice);
        s.last_response_ms_ago =
            last > 0 ? (sc_clock_now_us() - last) / 1000 : -1;
        /* fresh: connected, and (where the responses are seen) the last
         * one under SC_CALL_CONSENT_FRESH_MS old. Consent itself lasts
         * 30 s (RFC 7675 §5.1) and sending goes on until then, but three
         * checks in a row unanswered is what the user is shown. */
        s.consent_fresh = st == SC_ICE_STATE_CONNECTED &&
                          (s.last_response_ms_ago < 0 ||
                           s.last_response_ms_ago < SC_CALL_CONSENT_FRESH_MS);
    } else {
        s.ice_state = "new";
        s.last_response_ms_ago = -1;
    }
    /* a deferred call reveals nothing of ours before it is accepted */
    if (call->defer.state != SC_DEFER_OFF &&
        call->defer.state != SC_DEFER_ACCEPTED) {
        g_clear_pointer(&local_address, g_free);
        s.local_hidden_by = "defer-ice";
    }
    s.local_address = local_address;
    s.n_media = sc_call_media_inspect(call, media, G_N_ELEMENTS(media));
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
    if (call->privacy_decision != NULL)
        privacy = sc_privacy_decision_to_json_node(call->privacy_decision);
    s.privacy = privacy;
    node = sc_inspector_report_build(&s);
    return json_to_string(node, FALSE);
}
