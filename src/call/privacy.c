/* src/call/privacy.c - the call's TURN servers and relay-only mode (RFC
 * 8828 mode 4, contract section 5: --turn, --relay-only), and what our
 * signalled candidates actually revealed, for the inspector (contract
 * section 4: ice.policy, ice.related_address_suppressed). The mechanics
 * are ice/'s (ScIceConfig.turn_servers, .relay_only); this file keeps the
 * configuration, its credentials out of logs in the forms they were
 * written in, and the count of what was signalled.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include <string.h>

void
sc_call_privacy_init(ScCall *call)
{
    call->privacy.turn_servers =
        g_ptr_array_new_with_free_func((GDestroyNotify)sc_turn_server_free);
    g_ptr_array_add(call->privacy.turn_servers, NULL);
    g_ptr_array_set_size(call->privacy.turn_servers, 0);
    call->privacy.secret_ids = g_array_new(FALSE, FALSE, sizeof(guint));
}

void
sc_call_privacy_clear(ScCall *call)
{
    GArray *ids = call->privacy.secret_ids;

    for (guint i = 0; ids != NULL && i < ids->len; i++)
        sc_log_secret_remove(g_array_index(ids, guint, i));
    g_clear_pointer(&call->privacy.secret_ids, g_array_unref);
    g_clear_pointer(&call->privacy.turn_servers, g_ptr_array_unref);
    g_clear_pointer(&call->privacy.ca_file, g_free);
    g_clear_pointer(&call->privacy.gen_ufrag, g_free);
}

static void
keep_out_of_logs(ScCall *call, const char *text, gsize len)
{
    guint id = sc_log_secret_add(text, len);

    if (id != 0)
        g_array_append_val(call->privacy.secret_ids, id);
}

/* USER and PASS as written in @url (percent-encoded, maybe): from the
 * scheme's ':' to the '@', split at the first ':' */
static void
keep_written_credentials_out_of_logs(ScCall *call, const char *url)
{
    const char *info = strchr(url, ':');
    const char *at = strrchr(url, '@');
    const char *colon;

    if (info == NULL || at == NULL || at < info)
        return;
    info++;
    keep_out_of_logs(call, info, (gsize)(at - info));
    colon = memchr(info, ':', (gsize)(at - info));
    if (colon == NULL)
        return;
    keep_out_of_logs(call, info, (gsize)(colon - info));
    keep_out_of_logs(call, colon + 1, (gsize)(at - colon - 1));
}

static gboolean
check_not_started(ScCall *call, const char *what, GError **error)
{
    if (call->state == CALL_IDLE && call->ice == NULL)
        return TRUE;
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                "%s is set before the call starts", what);
    return FALSE;
}

gboolean
sc_call_add_turn_server(ScCall *call, const char *url, GError **error)
{
    ScTurnServer *s;

    g_return_val_if_fail(call != NULL && url != NULL, FALSE);
    if (!check_not_started(call, "a TURN server", error))
        return FALSE;
    if (call->privacy.turn_servers->len >= SC_ICE_MAX_TURN_SERVERS) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "at most %u TURN servers", SC_ICE_MAX_TURN_SERVERS);
        return FALSE;
    }
    s = sc_turn_url_parse(url, error);
    if (s == NULL)
        return FALSE;
    keep_written_credentials_out_of_logs(call, url);
    keep_out_of_logs(call, s->username, strlen(s->username));
    keep_out_of_logs(call, s->password, strlen(s->password));
    g_ptr_array_add(call->privacy.turn_servers, s);
    g_ptr_array_add(call->privacy.turn_servers, NULL);
    g_ptr_array_set_size(call->privacy.turn_servers,
                         call->privacy.turn_servers->len - 1);
    return TRUE;
}

gboolean
sc_call_set_relay_only(ScCall *call, gboolean relay_only, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_not_started(call, "relay-only", error))
        return FALSE;
    call->privacy.relay_only = relay_only;
    return TRUE;
}

gboolean
sc_call_set_ca_file(ScCall *call, const char *path, GError **error)
{
    GList *certs;

    g_return_val_if_fail(call != NULL && path != NULL, FALSE);
    if (!check_not_started(call, "--ca", error))
        return FALSE;
    /* read now, so that a bad file is a usage error, not a failed call */
    certs = g_tls_certificate_list_new_from_file(path, error);
    if (certs == NULL) {
        if (error != NULL && *error == NULL)
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "no certificate in it");
        g_prefix_error(error, "%s: ", path);
        return FALSE;
    }
    g_list_free_full(certs, g_object_unref);
    /* the same anchors, alone, for X.509 peer identities */
    if (!sc_call_identity_x509_anchors(call, path, error)) {
        g_prefix_error(error, "%s: ", path);
        return FALSE;
    }
    g_free(call->privacy.ca_file);
    call->privacy.ca_file = g_strdup(path);
    return TRUE;
}

gboolean
sc_call_privacy_check(ScCall *call, GError **error)
{
    if (call->privacy.relay_only && call->privacy.turn_servers->len == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "relay-only needs a TURN server (--turn)");
        return FALSE;
    }
    if (call->privacy.relay_only && call->stun_host != NULL)
        SC_LOG_INFO(call->id, "relay-only: the STUN server is not used");
    return TRUE;
}

void
sc_call_privacy_ice_config(ScCall *call, ScIceConfig *cfg)
{
    cfg->relay_only = call->privacy.relay_only;
    cfg->ca_file = call->privacy.ca_file;
    if (cfg->relay_only) {
        cfg->stun_host = NULL;
        cfg->stun_port = 0;
    }
    if (call->privacy.turn_servers->len > 0)
        cfg->turn_servers =
            (const ScTurnServer *const *)call->privacy.turn_servers->pdata;
}

/* 0.0.0.0, ::, or any other spelling of an unspecified address */
static gboolean
is_unspecified(const char *addr)
{
    g_autoptr(GInetAddress) a = g_inet_address_new_from_string(addr);

    return a != NULL && g_inet_address_get_is_any(a);
}

/* An ICE restart (either side's) gave us a new ufrag: the policy counts
 * the new generation's candidates afresh. */
static void
follow_generation(ScCall *call)
{
    const char *ufrag =
        call->ice != NULL ? sc_ice_transport_get_ufrag(call->ice) : NULL;

    if (ufrag == NULL || g_strcmp0(ufrag, call->privacy.gen_ufrag) == 0)
        return;
    g_free(call->privacy.gen_ufrag);
    call->privacy.gen_ufrag = g_strdup(ufrag);
    call->privacy.n_not_relay_gen = 0;
}

void
sc_call_privacy_note_signalled(ScCall *call, const char *const *lines)
{
    follow_generation(call);
    for (; lines != NULL && *lines != NULL; lines++) {
        g_autoptr(ScIceCandidate) c = sc_ice_candidate_parse(*lines, NULL);

        call->privacy.n_signalled++;
        if (c == NULL) {
            /* cannot tell what it showed: count the worst */
            call->privacy.n_not_relay_gen++;
            call->privacy.n_reveal++;
            continue;
        }
        if (!g_str_equal(c->type, "relay"))
            call->privacy.n_not_relay_gen++;
        /* an mDNS name hides a host address; related port 9 is the mDNS
         * draft's fixed value, not a port of ours */
        if ((g_str_equal(c->type, "host") &&
             !g_str_has_suffix(c->address, ".local")) ||
            (c->raddr != NULL &&
             (!is_unspecified(c->raddr) ||
              (c->rport != 0 && c->rport != 9))))
            call->privacy.n_reveal++;
    }
}

/* "relay-only" when relay-only is in force and it holds in this ICE
 * generation: every candidate we signalled since the last restart was a
 * relay candidate, and the selected pair (if any) is relayed on our side
 * (after a change back to relay-only the old direct pair carries the
 * call until the restart selects a relay one: "all" until then) */
const char *
sc_call_privacy_policy(ScCall *call)
{
    const char *local = call->ice != NULL
                            ? sc_ice_transport_get_local_type(call->ice)
                            : NULL;

    follow_generation(call);
    if (!call->privacy.relay_only || call->privacy.n_not_relay_gen > 0 ||
        (local != NULL && !g_str_equal(local, "relay")))
        return "all";
    return "relay-only";
}

/* TRUE when we signalled candidates and none, during the whole call,
 * showed a local address: no host candidate, and every related address
 * 0.0.0.0 (or ::) port 0. Once a change to direct candidates has
 * signalled our addresses the peer knows them: FALSE for the rest of the
 * call, even after a change back to relay-only. */
gboolean
sc_call_privacy_raddr_suppressed(ScCall *call)
{
    /* mode 3 without STUN signals nothing at all: nothing revealed */
    return call->privacy.n_reveal == 0 &&
           (call->privacy.n_signalled > 0 ||
            call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE_ONLY);
}

/* A mid-call change (RFC 8827 §5.4: "reconfigure an existing call to add
 * non-TURN candidates", and back): libnice's force-relay changed on the
 * live agent (ice-relay.c) and an ICE restart from this side, either
 * role (negotiation.c's sc_call_start_ice_restart(), which says why it
 * cannot only in the log: what it needs is checked here first); the DTLS
 * association, SCTP and media go on over the old pair until the restart
 * selects a new one. Refused (nothing changed) rather than queued while
 * a restart is under way. */
gboolean
sc_call_change_relay_only(ScCall *call, gboolean relay_only, GError **error)
{
    ScIceState ice_state;

    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state != CALL_CONNECTED || call->ice == NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "the call is not connected: relay-only is "
                            "changed during a call (before it, "
                            "--relay-only chooses it)");
        return FALSE;
    }
    if (relay_only == call->privacy.relay_only) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            relay_only ? "the call is relay-only already"
                                       : "the call allows direct candidates "
                                         "already");
        return FALSE;
    }
    if (relay_only && call->privacy.turn_servers->len == 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "relay-only needs a TURN server (--turn), and "
                            "the call has none");
        return FALSE;
    }
    ice_state = sc_ice_transport_get_state(call->ice);
    if (call->neg.restart_pending ||
        sc_ice_transport_is_restarting(call->ice) ||
        ice_state != SC_ICE_STATE_CONNECTED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "an ICE restart is under way (ICE %s): try again once "
                    "it has selected a pair",
                    sc_ice_state_to_string(ice_state));
        return FALSE;
    }
    if (call->neg.peer_left || call->sig == NULL ||
        !sc_signal_client_is_open(call->sig)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "no signaling channel to the peer (it left the "
                            "relay?): the ICE restart cannot be signalled");
        return FALSE;
    }
    if (!sc_ice_transport_set_relay_only(call->ice, relay_only, error))
        return FALSE;
    sc_call_start_ice_restart(call);
    if (!call->neg.restart_pending) {
        g_autoptr(GError) undo = NULL;
        if (!sc_ice_transport_set_relay_only(call->ice, !relay_only, &undo))
            SC_LOG_WARN(call->id, "cannot undo the relay-only change: %s",
                        undo->message);
        g_set_error_literal(error, SC_ERROR, SC_ERROR_ICE_FAILED,
                            "the ICE restart failed (see the log)");
        return FALSE;
    }
    call->privacy.relay_only = relay_only;
    call->privacy.n_changes++;
    /* RFC 8828: mode 4 while relay-only, the mode it came from after */
    if (relay_only) {
        call->privacy.direct_ip_handling = call->ip_handling;
        call->ip_handling = SC_IP_HANDLING_RELAY_ONLY;
    } else if (call->ip_handling == SC_IP_HANDLING_RELAY_ONLY) {
        call->ip_handling = call->privacy.direct_ip_handling;
    }
    SC_LOG_INFO(call->id, "privacy change %u: %s, ICE restarted",
                call->privacy.n_changes,
                relay_only ? "back to relay-only" : "direct candidates allowed");
    return TRUE;
}
