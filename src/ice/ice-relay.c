/* src/ice/ice-relay.c - TURN and relay-only (RFC 8828 mode 4) on the
 * libnice agent: the TURN servers given to libnice (turns: ones through
 * turn-tls.c), their credentials kept out of logs, and a relay-only
 * transport that has no relay candidate failing with a reason
 * instead of waiting in silence. libnice's force-relay (set in ice.c) does
 * the rest: no STUN server, only relay candidates announced and paired,
 * datagrams not received through a TURN server dropped; ice-reveal.c
 * writes our relay candidates with the related address suppressed.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice-priv.h"

gboolean
sc_ice_has_local_candidate(ScIceTransport *t)
{
    GSList *list = nice_agent_get_local_candidates(t->agent, t->stream_id, 1);
    gboolean any = list != NULL;

    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    return any;
}

void
sc_ice_relay_fail(ScIceTransport *t)
{
    t->failure = "relay-only, and no TURN server gave a relay candidate "
                 "(see the log)";
    SC_LOG_WARN(t->log_id, "%s", t->failure);
    sc_ice_set_state(t, SC_ICE_STATE_FAILED);
}

/* Relay-only, SC_ICE_RELAY_GATHER_DEADLINE_MS after gathering began */
static gboolean
on_relay_deadline(gpointer data)
{
    ScIceTransport *t = data;

    g_clear_pointer(&t->relay_deadline, g_source_unref);
    if (!t->closed && !t->was_connected &&
        !sc_ice_has_local_candidate(t))
        sc_ice_relay_fail(t);
    return G_SOURCE_REMOVE;
}

/* A turns: server's TLS connection failed: libnice will not finish
 * gathering for it (see sc_turn_tls_proxy_new()) */
static void
on_tls_failed(gpointer data)
{
    ScIceTransport *t = data;

    t->n_turn_failed++;
    if (!t->closed && t->relay_only && t->n_turn_failed == t->n_turn &&
        !sc_ice_has_local_candidate(t))
        sc_ice_relay_fail(t);
}

gboolean
sc_ice_relay_check_config(const ScIceConfig *config, GError **error)
{
    guint n = 0;

    for (const ScTurnServer *const *s = config->turn_servers;
         s != NULL && *s != NULL; s++)
        n++;
    if (n > SC_ICE_MAX_TURN_SERVERS) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "at most %u TURN servers", SC_ICE_MAX_TURN_SERVERS);
        return FALSE;
    }
    if (config->relay_only && n == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "relay-only needs a TURN server (--turn)");
        return FALSE;
    }
    return TRUE;
}

/* The credentials stay out of every log (libnice's agent prints the
 * username, its STUN debug the password as the long-term "key") until
 * the transport is freed. */
gboolean
sc_ice_relay_add_servers(ScIceTransport *t, const ScIceConfig *config,
                 GError **error)
{
    for (const ScTurnServer *const *p = config->turn_servers;
         p != NULL && *p != NULL; p++) {
        const ScTurnServer *s = *p;
        const char *host = s->host;
        guint port = s->port;

        sc_ice_keep_out_of_logs(t, s->username);
        sc_ice_keep_out_of_logs(t, s->password);
        if (s->secure) {
            /* libnice speaks TURN over TCP to our TLS proxy (turn-tls.c) */
            ScTurnTlsProxy *proxy = sc_turn_tls_proxy_new(
                t->ctx, t->log_id, s, config->ca_file, on_tls_failed, t,
                error);
            if (proxy == NULL)
                return FALSE;
            g_ptr_array_add(t->tls_proxies, proxy);
            host = "127.0.0.1";
            port = sc_turn_tls_proxy_get_port(proxy);
        }
        if (!nice_agent_set_relay_info(t->agent, t->stream_id, 1, host, port,
                                       s->username, s->password,
                                       s->tcp ? NICE_RELAY_TYPE_TURN_TCP
                                              : NICE_RELAY_TYPE_TURN_UDP)) {
            g_set_error(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                        "libnice refused TURN server %s", s->url_redacted);
            return FALSE;
        }
        t->n_turn++;
        sc_ice_consent_add_turn_server(t, host, port, s->tcp || s->secure);
        SC_LOG_INFO(t->log_id, "TURN server %s", s->url_redacted);
    }
    return TRUE;
}

void
sc_ice_relay_start_deadline(ScIceTransport *t)
{
    if (t->relay_deadline != NULL)
        return;
    t->relay_deadline = g_timeout_source_new(SC_ICE_RELAY_GATHER_DEADLINE_MS);
    g_source_set_callback(t->relay_deadline, on_relay_deadline, t, NULL);
    g_source_set_name(t->relay_deadline, "sc-ice-relay-deadline");
    g_source_attach(t->relay_deadline, t->ctx);
}

/* libnice 0.1.21 reads force-relay where it is used, not once: in the
 * list of local candidates (nice_agent_get_local_candidates(), and so
 * ice-reveal.c's lines), in the pairing of remote candidates with local
 * ones (conncheck.c, which an ICE restart redoes from scratch), in the
 * making of peer-reflexive candidates, and on every datagram received
 * (agent.c drops one that did not come through a TURN server). The local
 * candidates themselves (host ones and the TURN allocations) are kept by
 * a restart, so the change takes effect with the next restart on the
 * same agent and stream: no new socket, and the DTLS association above
 * goes on. No STUN server is contacted afterwards either way: a restart
 * gathers nothing new. */
gboolean
sc_ice_transport_set_relay_only(ScIceTransport *t, gboolean relay_only,
                                GError **error)
{
    if (t->closed) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "the ICE transport is closed");
        return FALSE;
    }
    if (relay_only && t->n_turn == 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "relay-only needs a TURN server (--turn)");
        return FALSE;
    }
    if (relay_only) {
        GSList *list =
            nice_agent_get_local_candidates(t->agent, t->stream_id, 1);
        gboolean relayed = FALSE;

        for (GSList *l = list; l != NULL && !relayed; l = l->next)
            relayed = ((NiceCandidate *)l->data)->type ==
                      NICE_CANDIDATE_TYPE_RELAYED;
        g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
        if (!relayed) {
            g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                                "no TURN server gave a relay candidate: "
                                "relay-only would leave no path (see the "
                                "log)");
            return FALSE;
        }
    }
    t->relay_only = relay_only;
    g_object_set(t->agent, "force-relay", relay_only, NULL);
    SC_LOG_INFO(t->log_id, "%s from the next ICE restart",
                relay_only ? "relay-only" : "direct candidates allowed");
    return TRUE;
}
