/* src/ice/ice.c - ICE (RFC 8445) with libnice: one stream, one component
 * (BUNDLE + rtcp-mux), full trickle (RFC 8838), regular nomination, and
 * consent freshness (RFC 7675, libnice's NICE_AGENT_OPTION_CONSENT_FRESHNESS:
 * a check every 5 s +-20 %; libnice 0.1.21 declares consent lost 10 s after
 * the last response, not RFC 7675's 30 s, and reports it as the component
 * failing: we keep the 30 s and select the pair again when a response
 * comes in time, in ice-consent.c; see docs/internals/call-flow.md).
 * This file owns the agent, gathering and candidates, the state machine,
 * restarts and the datagrams in and out. Credentials come from OpenSSL's
 * RNG. Sits under dtls/ and srtp/ (through call/'s RFC 7983 demux).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice-priv.h"
#include "sdp/sdp.h"

#include <agent.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static const char *
cand_type_name(NiceCandidateType type)
{
    switch (type) {
    case NICE_CANDIDATE_TYPE_HOST:
        return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
        return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
        return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED:
        return "relay";
    }
    return "unknown";
}

const char *
sc_ice_state_to_string(ScIceState s)
{
    static const char *const names[SC_ICE_N_STATES] = {
        [SC_ICE_STATE_NEW] = "new",
        [SC_ICE_STATE_CHECKING] = "checking",
        [SC_ICE_STATE_CONNECTED] = "connected",
        [SC_ICE_STATE_FAILED] = "failed",
        [SC_ICE_STATE_DISCONNECTED] = "disconnected",
        [SC_ICE_STATE_CONSENT_EXPIRED] = "consent-expired",
        [SC_ICE_STATE_CLOSED] = "closed",
    };
    return (guint)s < SC_ICE_N_STATES ? names[s] : "invalid";
}

#define S(x) (1u << SC_ICE_STATE_##x)
static const guint ice_next[SC_ICE_N_STATES] = {
    [SC_ICE_STATE_NEW] = S(CHECKING) | S(CONNECTED) | S(FAILED) | S(CLOSED),
    /* CHECKING -> DISCONNECTED / CONSENT_EXPIRED: a restart after consent
     * was lost, still checking */
    [SC_ICE_STATE_CHECKING] = S(CONNECTED) | S(FAILED) | S(DISCONNECTED) |
                              S(CONSENT_EXPIRED) | S(CLOSED),
    /* CONNECTED -> CONSENT_EXPIRED: the pair held past libnice's give-up
     * (sc_ice_consent_hold()) reached the RFC 7675 deadline */
    [SC_ICE_STATE_CONNECTED] = S(DISCONNECTED) | S(CONSENT_EXPIRED) |
                               S(CLOSED),
    /* DISCONNECTED -> CONNECTED: a restart begun while still connected
     * selects its new pair after libnice gave up on the old one */
    [SC_ICE_STATE_DISCONNECTED] = S(CHECKING) | S(CONNECTED) |
                                  S(CONSENT_EXPIRED) | S(CLOSED),
    [SC_ICE_STATE_FAILED] = S(CLOSED),
    [SC_ICE_STATE_CONSENT_EXPIRED] = S(CLOSED),
    [SC_ICE_STATE_CLOSED] = 0,
};
#undef S

/* The only writer of t->state. */
void
sc_ice_set_state(ScIceTransport *t, ScIceState next)
{
    ScIceState prev = t->state;

    if (prev == next)
        return;
    if ((ice_next[prev] & (1u << next)) == 0) {
        SC_LOG_DEBUG(t->log_id, "ignoring transition %s -> %s",
                     sc_ice_state_to_string(prev),
                     sc_ice_state_to_string(next));
        return;
    }
    t->state = next;
    if (next == SC_ICE_STATE_CONNECTED)
        t->was_connected = TRUE;
    if (next != SC_ICE_STATE_CHECKING)
        sc_source_clear(&t->fail_grace);
    if (next == SC_ICE_STATE_CONNECTED || next == SC_ICE_STATE_CLOSED ||
        next == SC_ICE_STATE_CONSENT_EXPIRED) {
        t->consent_deadline_us = 0;
        sc_source_clear(&t->consent_timer);
    }
    SC_LOG_INFO(t->log_id, "%s -> %s", sc_ice_state_to_string(prev),
                sc_ice_state_to_string(next));
    if (t->cb.on_state != NULL)
        t->cb.on_state(t->user_data, next);
}

typedef struct {
    gsize len;
    guint8 data[];
} RxPacket;

static void
rxq_clear(ScIceTransport *t)
{
    g_queue_clear_full(&t->rxq, g_free);
    t->rxq_bytes = 0;
}

static gboolean
on_rx_ready(gpointer data)
{
    ScIceTransport *t = data;

    for (guint n = 0; n < SC_ICE_RX_BATCH && !t->closed; n++) {
        RxPacket *p = g_queue_pop_head(&t->rxq);

        if (p == NULL)
            break;
        t->rxq_bytes -= p->len;
        if (t->cb.on_recv != NULL)
            t->cb.on_recv(t->user_data, p->data, p->len);
        g_free(p);
    }
    if (!t->closed && !g_queue_is_empty(&t->rxq))
        return G_SOURCE_CONTINUE;
    g_clear_pointer(&t->rx_source, g_source_unref);
    return G_SOURCE_REMOVE;
}

static void
on_recv(NiceAgent *agent, guint stream_id, guint component_id, guint len,
        gchar *buf, gpointer data)
{
    ScIceTransport *t = data;
    RxPacket *p;

    if (t->closed || len == 0)
        return;
    t->last_inbound_us = sc_clock_now_us();
    sc_consent_watch_on_read(t->consent_watch);
    if (t->rxq_bytes + len > SC_ICE_RXQ_MAX_BYTES) {
        if (t->rx_dropped++ % 1000 == 0)
            SC_LOG_DEBUG(t->log_id, "receive queue full (%" G_GSIZE_FORMAT
                                    " bytes): %" G_GUINT64_FORMAT
                                    " datagrams dropped so far",
                         t->rxq_bytes, t->rx_dropped);
        return;
    }
    p = g_malloc(sizeof *p + len);
    p->len = len;
    memcpy(p->data, buf, len);
    g_queue_push_tail(&t->rxq, p);
    t->rxq_bytes += len;
    if (t->rx_source == NULL)
        t->rx_source = sc_ice_idle_new(t, G_PRIORITY_DEFAULT, on_rx_ready,
                                       "sc-ice-recv");
}

GSource *
sc_ice_idle_new(ScIceTransport *t, gint priority, GSourceFunc func,
                const char *name)
{
    GSource *s = g_idle_source_new();

    g_source_set_priority(s, priority);
    g_source_set_callback(s, func, t, NULL);
    g_source_set_name(s, name);
    g_source_attach(s, t->ctx);
    return s;
}

guint
sc_ice_transport_get_max_pairs(ScIceTransport *t)
{
    guint n = 0;

    g_object_get(t->agent, "max-connectivity-checks", &n, NULL);
    return n;
}

guint64
sc_ice_transport_get_remote_candidates_ignored(ScIceTransport *t)
{
    return t->n_remote_over;
}

guint64
sc_ice_transport_get_rx_dropped(ScIceTransport *t)
{
    return t->rx_dropped;
}

static void
on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
    ScIceTransport *t = data;
    g_autofree char *line = NULL;

    if (t->closed)
        return;
    /* as signalled: ice-reveal.c may hide it or name its address */
    line = sc_ice_signalled_line(t, cand);
    if (line == NULL)
        return;
    SC_LOG_DEBUG(t->log_id, "local %s", line);
    if (t->cb.on_candidate != NULL)
        t->cb.on_candidate(t->user_data, line);
}

static void
on_gathering_done(NiceAgent *agent, guint stream_id, gpointer data)
{
    ScIceTransport *t = data;

    if (t->closed || !t->gathering)
        return;
    t->gathering = FALSE;
    t->gathered = TRUE;
    SC_LOG_DEBUG(t->log_id, "gathering done");
    if (t->relay_only && !sc_ice_has_local_candidate(t)) {
        sc_ice_relay_fail(t);
        return;
    }
    if (t->cb.on_candidate != NULL)
        t->cb.on_candidate(t->user_data, NULL);
}

static gboolean
on_fail_grace(gpointer data)
{
    ScIceTransport *t = data;

    g_clear_pointer(&t->fail_grace, g_source_unref);
    SC_LOG_INFO(t->log_id, "the checklist stayed failed: ICE failed");
    sc_ice_set_state(t, SC_ICE_STATE_FAILED);
    return G_SOURCE_REMOVE;
}

/* (Re)arms the deadline of a checklist that never connected: @ms from now,
 * but no later than SC_ICE_FAIL_MAX_MS after the first failure. Returns
 * FALSE (and fails ICE) when that has passed. */
static gboolean
arm_fail_deadline(ScIceTransport *t, gint64 ms)
{
    gint64 left_ms = MIN(ms, (t->first_failed_us - sc_clock_now_us()) / 1000 +
                                 SC_ICE_FAIL_MAX_MS);

    sc_source_clear(&t->fail_grace);
    if (left_ms <= 0) {
        sc_ice_set_state(t, SC_ICE_STATE_FAILED);
        return FALSE;
    }
    t->fail_grace = g_timeout_source_new((guint)left_ms);
    g_source_set_callback(t->fail_grace, on_fail_grace, t, NULL);
    g_source_set_name(t->fail_grace, "sc-ice-fail-grace");
    g_source_attach(t->fail_grace, t->ctx);
    return TRUE;
}

/* Every pair of a checklist that never connected has failed (libnice
 * reports the component failed). The peer may still be checking: one of
 * its checks reaching us makes the pair Waiting again and triggers a
 * check of ours (RFC 8445 §7.3.1.4, libnice does this, even from its
 * failed state), and its nomination selects the pair. So ICE fails only
 * when the checklist has stayed failed for SC_ICE_FAIL_GRACE_MS (while
 * libnice checks again, a revived pair or an ICE restart's, its verdict
 * is awaited), and at the latest SC_ICE_FAIL_MAX_MS after the first
 * failure. */
static void
checks_failed(ScIceTransport *t)
{
    if (t->first_failed_us == 0)
        t->first_failed_us = sc_clock_now_us();
    if (t->state == SC_ICE_STATE_NEW)
        sc_ice_set_state(t, SC_ICE_STATE_CHECKING);
    if (!arm_fail_deadline(t, SC_ICE_FAIL_GRACE_MS))
        return;
    SC_LOG_INFO(t->log_id, "every pair failed; waiting for a check from "
                           "the peer (RFC 8445 §7.3.1.4) or a restart");
    if (t->cb.on_checks_failed != NULL)
        t->cb.on_checks_failed(t->user_data);
}

static void
on_component_state(NiceAgent *agent, guint stream_id, guint component_id,
                   guint state, gpointer data)
{
    ScIceTransport *t = data;

    if (t->closed)
        return;
    SC_LOG_DEBUG(t->log_id, "libnice component state %s",
                 nice_component_state_to_string(state));
    switch (state) {
    case NICE_COMPONENT_STATE_CONNECTING:
        if (t->state == SC_ICE_STATE_NEW)
            sc_ice_set_state(t, SC_ICE_STATE_CHECKING);
        if (t->fail_grace != NULL) {
            /* a check from the peer made a failed pair Waiting again
             * (RFC 8445 §7.3.1.4), or a restart's pairs: libnice checks
             * them until they succeed or fail, within the deadline */
            SC_LOG_INFO(t->log_id, "the failed checklist checks again");
            (void)arm_fail_deadline(t, SC_ICE_FAIL_MAX_MS);
        }
        break;
    case NICE_COMPONENT_STATE_CONNECTED:
    case NICE_COMPONENT_STATE_READY:
        if (t->await_selection) {
            SC_LOG_DEBUG(t->log_id, "libnice reports %s without a new "
                                    "pair: consent is still lost",
                         nice_component_state_to_string(state));
            break;
        }
        sc_ice_set_state(t, SC_ICE_STATE_CONNECTED);
        break;
    case NICE_COMPONENT_STATE_FAILED:
        /* After a pair worked, failing means libnice stopped sending on
         * it: no consent response for 10 s, or a 403 (RFC 7675 §5.2), or
         * the checks of a restart failing while consent is lost. */
        if (t->was_connected && t->restarting &&
            t->state == SC_ICE_STATE_DISCONNECTED) {
            /* consent was already lost: the restart's checks all failed */
            t->restarting = FALSE;
            SC_LOG_INFO(t->log_id, "the ICE restart's checks all failed");
            if (t->cb.on_state != NULL)
                t->cb.on_state(t->user_data, SC_ICE_STATE_DISCONNECTED);
        } else if (t->was_connected) {
            /* libnice's 10 s are not RFC 7675's 30 s: while the last
             * response is recent, the pair is selected again and sending
             * goes on (ice-consent.c) */
            if (sc_ice_consent_hold(t))
                break;
            if (t->restarting && t->state == SC_ICE_STATE_CONNECTED)
                sc_ice_reset_checks(t); /* see there */
            else if (t->state != SC_ICE_STATE_CONNECTED)
                t->restarting = FALSE; /* a restart's checks failed */
            sc_ice_consent_lost(t);
        } else {
            checks_failed(t);
        }
        break;
    default:
        break;
    }
}

/* See SC_ICE_RCVBUF_BYTES. Best effort: a smaller buffer is logged, the
 * call goes on. */
static void
size_receive_buffer(ScIceTransport *t, guint stream_id, guint component_id)
{
    GSocket *sock = nice_agent_get_selected_socket(t->agent, stream_id,
                                                   component_id);
    int want = SC_ICE_RCVBUF_BYTES, got = 0;
    socklen_t len = sizeof got;
    int fd;

    if (sock == NULL)
        return; /* TCP/TURN-TCP pairs have no single datagram socket */
    fd = g_socket_get_fd(sock);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want) != 0)
        SC_LOG_WARN(t->log_id, "cannot size the socket receive buffer: %s",
                    g_strerror(errno));
    else if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0)
        /* Linux reports twice the size it grants (bookkeeping share) */
        SC_LOG_DEBUG(t->log_id, "socket receive buffer %d KiB (asked %d KiB; "
                                "capped by net.core.rmem_max)",
                     got / 1024, want / 1024);
    g_object_unref(sock);
}

static void
wipe_str(char **p)
{
    if (*p != NULL)
        sc_secure_wipe(*p, strlen(*p));
    g_clear_pointer(p, g_free);
}

static void
on_selected_pair(NiceAgent *agent, guint stream_id, guint component_id,
                 NiceCandidate *lcand, NiceCandidate *rcand, gpointer data)
{
    ScIceTransport *t = data;

    g_strlcpy(t->local_type, cand_type_name(lcand->type),
              sizeof t->local_type);
    g_strlcpy(t->remote_type, cand_type_name(rcand->type),
              sizeof t->remote_type);
    SC_LOG_INFO(t->log_id, "selected pair %s -> %s", t->local_type,
                t->remote_type);
    if (t->closed)
        return;
    if (t->resuming) {
        /* the same pair (ice-consent.c): its watch and the time of its
         * last response go on (the selection itself grants nothing) */
        t->n_resumed++;
        t->pair_resumed = TRUE;
        t->await_selection = FALSE;
        if (t->state == SC_ICE_STATE_DISCONNECTED)
            sc_ice_set_state(t, SC_ICE_STATE_CONNECTED);
        return;
    }
    t->restarting = FALSE;
    size_receive_buffer(t, stream_id, component_id);
    sc_ice_watch_consent(t, stream_id, component_id, lcand, rcand);
    if (t->await_selection) {
        /* a new pair carries fresh consent (RFC 7675 §5.1) */
        t->await_selection = FALSE;
        if (t->state == SC_ICE_STATE_DISCONNECTED ||
            t->state == SC_ICE_STATE_CHECKING)
            sc_ice_set_state(t, SC_ICE_STATE_CONNECTED);
    } else if (t->state == SC_ICE_STATE_CONNECTED &&
               t->on_pair_changed != NULL) {
        /* no state change tells of it (a restart begun while connected) */
        t->on_pair_changed(t->user_data);
    }
}

/* libnice logs through GLib when NICE_DEBUG or G_MESSAGES_DEBUG asks it to,
 * and some of its messages show ICE passwords (its STUN code prints the
 * message-integrity key in hex, its agent prints credentials): each of its
 * log domains gets the filter of core/log-secrets.c, once per process,
 * before the first agent exists. */
static void
guard_libnice_logs(void)
{
    static const char *const domains[] = {
        "libnice",         "libnice-stun",      "libnice-socket",
        "libnice-random",  "libnice-pseudotcp", "libnice-pseudotcp-verbose",
    };
    static gsize done;

    if (!g_once_init_enter(&done))
        return;
    for (guint i = 0; i < G_N_ELEMENTS(domains); i++)
        sc_log_guard_glib_domain(domains[i]);
    g_once_init_leave(&done, 1);
}

/* @pwd (a password ours or the peer's) is withheld from every log until
 * this transport is freed: checks of an older generation may still be
 * logged after an ICE restart. */
void
sc_ice_keep_out_of_logs(ScIceTransport *t, const char *pwd)
{
    guint id = pwd != NULL ? sc_log_secret_add(pwd, strlen(pwd)) : 0;

    if (id != 0)
        g_array_append_val(t->secret_ids, id);
}

ScIceTransport *
sc_ice_transport_new(GMainContext *ctx, const char *log_id,
                     const ScIceConfig *config, const ScIceCallbacks *cb,
                     gpointer user_data, GError **error)
{
    ScIceTransport *t;

    if (!sc_ice_relay_check_config(config, error))
        return NULL;
    t = g_new0(ScIceTransport, 1);
    guard_libnice_logs();
    t->relay_only = config->relay_only;
    t->secret_ids = g_array_new(FALSE, FALSE, sizeof(guint));
    t->tls_proxies = g_ptr_array_new_with_free_func(
        (GDestroyNotify)sc_turn_tls_proxy_free);
    t->ctx = g_main_context_ref(ctx != NULL ? ctx
                                            : g_main_context_ref_thread_default());
    if (ctx == NULL)
        g_main_context_unref(t->ctx); /* ref_thread_default gave one */
    t->log_id = g_strdup(log_id != NULL ? log_id : "ice");
    t->cb = *cb;
    t->user_data = user_data;
    t->state = SC_ICE_STATE_NEW;
    t->hide_host = config->hide_host;
    t->mdns_names = config->mdns;
    t->mdns = sc_ice_mdns_new(t->ctx, t->log_id, sc_ice_on_mdns_resolved, t);
    t->mdns_queue =
        g_ptr_array_new_with_free_func((GDestroyNotify)sc_ice_candidate_free);
    t->agent = nice_agent_new_full(
        t->ctx, NICE_COMPATIBILITY_RFC5245,
        NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_REGULAR_NOMINATION |
            NICE_AGENT_OPTION_CONSENT_FRESHNESS);
    if (t->agent == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "cannot create the libnice agent");
        sc_ice_transport_free(t);
        return NULL;
    }
    g_object_set(t->agent, "controlling-mode", config->controlling,
                 "ice-tcp", FALSE, "upnp", FALSE, "stun-pacing-timer",
                 (guint)SC_ICE_TA_DEFAULT_MS, "stun-max-retransmissions",
                 (guint)SC_ICE_CHECK_RETRANSMISSIONS, NULL);
    g_object_set(t->agent, "max-connectivity-checks",
                 config->max_pairs != 0 ? config->max_pairs
                                        : (guint)SC_ICE_MAX_PAIRS_DEFAULT,
                 NULL);
    /* libnice's force-relay (0.1.21): no STUN server and no srflx from
     * the TURN server's mapped address; only relay candidates announced
     * (new-candidate, get_local_candidates) and paired (conncheck.c); a
     * datagram not received through a TURN server dropped before STUN
     * processing (agent.c), so a check that reaches a host socket
     * directly neither answers nor makes a peer-reflexive pair */
    if (config->relay_only)
        g_object_set(t->agent, "force-relay", TRUE, NULL);
    else if (config->stun_host != NULL)
        g_object_set(t->agent, "stun-server", config->stun_host,
                     "stun-server-port", (guint)config->stun_port, NULL);
    if (config->local_addresses != NULL) {
        for (const char *const *a = config->local_addresses; *a; a++) {
            NiceAddress addr;
            nice_address_init(&addr);
            if (!nice_address_set_from_string(&addr, *a)) {
                g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "not an IP address: %s", *a);
                sc_ice_transport_free(t);
                return NULL;
            }
            nice_agent_add_local_address(t->agent, &addr);
        }
        t->local_addresses =
            g_strjoinv(", ", (char **)config->local_addresses);
    }
    t->stream_id = nice_agent_add_stream(t->agent, 1);
    if (t->stream_id == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "cannot add an ICE stream");
        sc_ice_transport_free(t);
        return NULL;
    }
    if (!sc_ice_relay_add_servers(t, config, error)) {
        sc_ice_transport_free(t);
        return NULL;
    }
    /* RFC 8839: ufrag >= 24 bits, pwd >= 128 bits of randomness; 6 bits per
     * char: 8 chars (48 bits) and 24 chars (144 bits). */
    t->ufrag = sc_random_ice_string(8);
    t->pwd = sc_random_ice_string(24);
    sc_ice_keep_out_of_logs(t, t->pwd);
    if (!nice_agent_set_local_credentials(t->agent, t->stream_id, t->ufrag,
                                          t->pwd)) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "cannot set local ICE credentials");
        sc_ice_transport_free(t);
        return NULL;
    }
    t->sig_ids[0] = g_signal_connect(t->agent, "new-candidate-full",
                                     G_CALLBACK(on_new_candidate), t);
    t->sig_ids[1] = g_signal_connect(t->agent, "candidate-gathering-done",
                                     G_CALLBACK(on_gathering_done), t);
    t->sig_ids[2] = g_signal_connect(t->agent, "component-state-changed",
                                     G_CALLBACK(on_component_state), t);
    t->sig_ids[3] = g_signal_connect(t->agent, "new-selected-pair-full",
                                     G_CALLBACK(on_selected_pair), t);
    nice_agent_attach_recv(t->agent, t->stream_id, 1, t->ctx, on_recv, t);
    return t;
}

static void
drop_sources(ScIceTransport *t)
{
    sc_source_clear(&t->relay_deadline);
    g_clear_pointer(&t->consent_watch, sc_consent_watch_free);
    sc_source_clear(&t->consent_timer);
    sc_source_clear(&t->resume_source);
    sc_source_clear(&t->fail_grace);
    sc_source_clear(&t->rx_source);
    rxq_clear(t);
}

void
sc_ice_transport_close(ScIceTransport *t)
{
    if (t == NULL || t->closed)
        return;
    sc_ice_set_state(t, SC_ICE_STATE_CLOSED);
    drop_sources(t);
    t->closed = TRUE;
}

void
sc_ice_transport_free(ScIceTransport *t)
{
    if (t == NULL)
        return;
    t->closed = TRUE;
    drop_sources(t);
    /* our mDNS names are withdrawn with the call */
    g_clear_pointer(&t->mdns, sc_ice_mdns_free);
    g_clear_pointer(&t->mdns_queue, g_ptr_array_unref);
    if (t->agent != NULL) {
        for (guint i = 0; i < G_N_ELEMENTS(t->sig_ids); i++)
            if (t->sig_ids[i] != 0)
                g_signal_handler_disconnect(t->agent, t->sig_ids[i]);
        if (t->stream_id != 0) {
            nice_agent_attach_recv(t->agent, t->stream_id, 1, t->ctx, NULL,
                                   NULL);
            nice_agent_remove_stream(t->agent, t->stream_id);
        }
        g_object_unref(t->agent);
    }
    g_clear_pointer(&t->tls_proxies, g_ptr_array_unref);
    if (t->pwd != NULL)
        sc_secure_wipe(t->pwd, strlen(t->pwd));
    g_free(t->pwd);
    wipe_str(&t->remote_pwd);
    wipe_str(&t->prev_remote_pwd);
    g_free(t->ufrag);
    g_free(t->remote_ufrag);
    for (guint i = 0; t->secret_ids != NULL && i < t->secret_ids->len; i++)
        sc_log_secret_remove(g_array_index(t->secret_ids, guint, i));
    if (t->secret_ids != NULL)
        g_array_unref(t->secret_ids);
    g_free(t->local_addresses);
    g_free(t->log_id);
    g_main_context_unref(t->ctx);
    g_free(t);
}

const char *
sc_ice_transport_get_ufrag(ScIceTransport *t)
{
    return t->ufrag;
}

const char *
sc_ice_transport_get_pwd(ScIceTransport *t)
{
    return t->pwd;
}

void
sc_ice_transport_set_pacing(ScIceTransport *t, guint remote_ms)
{
    /* RFC 8445 §14.2: both agents use the larger of the proposed values;
     * an agent that proposes none counts as the default, 50 ms. */
    guint remote = remote_ms > 0 ? remote_ms : SC_ICE_TA_DEFAULT_MS;
    guint ta = MAX(remote, SC_ICE_TA_LOCAL_MS);

    g_object_set(t->agent, "stun-pacing-timer", ta, NULL);
    SC_LOG_DEBUG(t->log_id, "Ta %u ms (remote proposed %u)", ta, remote_ms);
}

gboolean
sc_ice_transport_gather(ScIceTransport *t, GError **error)
{
    if (t->relay_only)
        sc_ice_relay_start_deadline(t);
    t->gathering = TRUE;
    t->gathered = FALSE;
    if (!nice_agent_gather_candidates(t->agent, t->stream_id)) {
        t->gathering = FALSE;
        if (t->local_addresses != NULL)
            g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                        "ICE gathering failed: no usable local address "
                        "among %s (not on this machine?)",
                        t->local_addresses);
        else
            g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                        "ICE gathering failed: no usable local address");
        return FALSE;
    }
    return TRUE;
}

char **
sc_ice_transport_get_local_candidates(ScIceTransport *t)
{
    GSList *list = nice_agent_get_local_candidates(t->agent, t->stream_id, 1);
    GPtrArray *out = g_ptr_array_new();

    for (GSList *l = list; l != NULL; l = l->next) {
        char *line = sc_ice_signalled_line(t, l->data);
        if (line != NULL)
            g_ptr_array_add(out, line);
    }
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

gboolean
sc_ice_transport_is_gathering_done(ScIceTransport *t)
{
    return t->gathered;
}

gboolean
sc_ice_transport_set_remote_credentials(ScIceTransport *t, const char *ufrag,
                                        const char *pwd, GError **error)
{
    if (t->remote_ufrag != NULL) {
        if (g_str_equal(t->remote_ufrag, ufrag))
            return TRUE;
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "ICE restart (new remote ufrag) is not supported yet");
        return FALSE;
    }
    sc_ice_keep_out_of_logs(t, pwd);
    if (!nice_agent_set_remote_credentials(t->agent, t->stream_id, ufrag,
                                           pwd)) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "libnice refused the remote ICE credentials");
        return FALSE;
    }
    t->remote_ufrag = g_strdup(ufrag);
    wipe_str(&t->remote_pwd);
    t->remote_pwd = g_strdup(pwd);
    sc_consent_watch_set_keys(t->consent_watch, t->remote_pwd,
                              t->prev_remote_pwd);
    return TRUE;
}

gboolean
sc_ice_transport_add_remote_candidate(ScIceTransport *t,
                                      const char *candidate, GError **error)
{
    g_autoptr(ScIceCandidate) parsed = NULL;

    if (t->remote_done) {
        SC_LOG_DEBUG(t->log_id, "ignoring candidate after end-of-candidates");
        return TRUE;
    }
    /* Network input: our own strict parser first (RFC 8839 §5.1). */
    parsed = sc_ice_candidate_parse(candidate, error);
    if (parsed == NULL)
        return FALSE;
    if (parsed->ufrag != NULL && t->remote_ufrag != NULL &&
        !g_str_equal(parsed->ufrag, t->remote_ufrag)) {
        /* RFC 8838: candidates belong to one ufrag/pwd generation. */
        SC_LOG_INFO(t->log_id, "ignoring candidate of another ICE "
                               "generation (ufrag %s)", parsed->ufrag);
        return TRUE;
    }
    /* A bound on what the peer may make us keep: libnice stores every
     * remote candidate (and looks each new one up in a list of them all),
     * though it pairs at most 100 (RFC 8445 §6.1.2.5). Real peers send a
     * handful. */
    if (t->n_remote >= SC_ICE_MAX_REMOTE_CANDIDATES) {
        if (t->n_remote_over++ == 0)
            SC_LOG_WARN(t->log_id,
                        "ignoring remote candidates beyond %u (and any "
                        "more this ICE generation)",
                        SC_ICE_MAX_REMOTE_CANDIDATES);
        return TRUE;
    }
    if (parsed->component != 1)
        return TRUE; /* rtcp-mux: only component 1 exists */
    t->n_remote++;
    if (parsed->mdns) {
        /* added when (if) its name resolves */
        sc_ice_take_mdns_candidate(t, g_steal_pointer(&parsed));
        return TRUE;
    }
    return sc_ice_add_parsed_candidate(t, parsed, error);
}

gboolean
sc_ice_add_parsed_candidate(ScIceTransport *t, const ScIceCandidate *parsed,
                            GError **error)
{
    g_autofree char *sdp = NULL;
    NiceCandidate *cand;
    GSList *list;
    int n;

    {
        /* libnice gets our canonical form of the line, nothing else */
        g_autofree char *canon = sc_ice_candidate_to_string(parsed);
        sdp = g_strconcat("a=", canon, NULL);
    }
    cand = nice_agent_parse_remote_candidate_sdp(t->agent, t->stream_id, sdp);
    if (cand == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX,
                    "unusable ICE candidate: %s", sdp + 2);
        return FALSE;
    }
    if (cand->component_id != 1) {
        nice_candidate_free(cand);
        return TRUE;
    }
    list = g_slist_append(NULL, cand);
    n = nice_agent_set_remote_candidates(t->agent, t->stream_id, 1, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    if (n < 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "libnice refused the candidate: %s", sdp + 2);
        return FALSE;
    }
    return TRUE;
}

void
sc_ice_peer_gathering_done(ScIceTransport *t)
{
    nice_agent_peer_candidate_gathering_done(t->agent, t->stream_id);
}

void
sc_ice_transport_remote_gathering_done(ScIceTransport *t)
{
    if (t->remote_done)
        return;
    t->remote_done = TRUE;
    /* not before the candidates waiting for their mDNS names are in:
     * libnice would fail the checks with the list incomplete */
    if (t->mdns_queue->len > 0) {
        t->remote_done_held = TRUE;
        return;
    }
    sc_ice_peer_gathering_done(t);
}

gboolean
sc_ice_transport_restart(ScIceTransport *t, GError **error)
{
    g_autofree char *ufrag = NULL;
    g_autofree char *pwd = NULL;

    if (t->closed || t->state == SC_ICE_STATE_NEW ||
        t->state == SC_ICE_STATE_FAILED ||
        t->state == SC_ICE_STATE_CONSENT_EXPIRED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "no ICE session to restart (state %s)",
                    sc_ice_state_to_string(t->state));
        return FALSE;
    }
    if (!nice_agent_restart_stream(t->agent, t->stream_id)) {
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "libnice cannot restart the ICE stream");
        return FALSE;
    }
    /* libnice made credentials with its own RNG: ours come from OpenSSL */
    ufrag = sc_random_ice_string(8);
    pwd = sc_random_ice_string(24);
    sc_ice_keep_out_of_logs(t, pwd);
    if (!nice_agent_set_local_credentials(t->agent, t->stream_id, ufrag,
                                          pwd)) {
        sc_secure_wipe(pwd, strlen(pwd));
        g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                    "cannot set new local ICE credentials");
        return FALSE;
    }
    if (t->pwd != NULL)
        sc_secure_wipe(t->pwd, strlen(t->pwd));
    g_free(t->pwd);
    g_free(t->ufrag);
    t->pwd = g_steal_pointer(&pwd);
    t->ufrag = g_steal_pointer(&ufrag);
    g_clear_pointer(&t->remote_ufrag, g_free);
    /* the old pair may answer consent with the old password until a new
     * pair is selected */
    wipe_str(&t->prev_remote_pwd);
    t->prev_remote_pwd = g_steal_pointer(&t->remote_pwd);
    t->remote_done = FALSE;
    t->remote_done_held = FALSE;
    g_ptr_array_set_size(t->mdns_queue, 0); /* the old generation's */
    t->n_remote = 0;
    t->restarting = TRUE;
    /* before ICE ever connected: the restart's checks may take until
     * the deadline (and their failure re-arms the grace) */
    if (t->fail_grace != NULL)
        (void)arm_fail_deadline(t, SC_ICE_FAIL_MAX_MS);
    SC_LOG_INFO(t->log_id, "ICE restart: new local ufrag %s", t->ufrag);
    if (t->state == SC_ICE_STATE_DISCONNECTED)
        sc_ice_set_state(t, SC_ICE_STATE_CHECKING);
    return TRUE;
}

gboolean
sc_ice_transport_is_restarting(ScIceTransport *t)
{
    return t->restarting;
}

gint64
sc_ice_transport_get_consent_deadline_us(ScIceTransport *t)
{
    return t->consent_deadline_us;
}

guint
sc_ice_transport_get_n_remote_candidates(ScIceTransport *t)
{
    GSList *list = nice_agent_get_remote_candidates(t->agent, t->stream_id, 1);
    guint n = g_slist_length(list);

    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    return n;
}

ScStatus
sc_ice_transport_send(ScIceTransport *t, const guint8 *buf, gsize len)
{
    int n;

    /* Also while checking: the DTLS server answers a ClientHello that
     * arrives on a pair libnice has not yet reported as connected. */
    if (t->closed || (t->state != SC_ICE_STATE_CONNECTED &&
                      t->state != SC_ICE_STATE_CHECKING))
        return SC_DROP_STATE;
    if (len > G_MAXUINT)
        return SC_DROP_MALFORMED;
    n = nice_agent_send(t->agent, t->stream_id, 1, (guint)len,
                        (const gchar *)buf);
    if (n < 0 || (gsize)n != len)
        return SC_DROP_NOSPACE;
    return SC_OK;
}

ScIceState
sc_ice_transport_get_state(ScIceTransport *t)
{
    return t->state;
}

const char *
sc_ice_transport_get_local_type(ScIceTransport *t)
{
    return t->local_type[0] ? t->local_type : NULL;
}

const char *
sc_ice_transport_get_remote_type(ScIceTransport *t)
{
    return t->remote_type[0] ? t->remote_type : NULL;
}

void
sc_ice_transport_set_pair_func(ScIceTransport *t,
                               void (*func)(gpointer user_data))
{
    t->on_pair_changed = func;
}

gboolean
sc_ice_transport_is_relay_only(ScIceTransport *t)
{
    return t->relay_only;
}

const char *
sc_ice_transport_get_failure(ScIceTransport *t)
{
    return t->failure;
}

gint64
sc_ice_transport_get_last_inbound_us(ScIceTransport *t)
{
    return t->last_inbound_us;
}

gint64
sc_ice_transport_get_last_consent_us(ScIceTransport *t)
{
    return t->last_consent_us;
}
