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

void
sc_call_privacy_note_signalled(ScCall *call, const char *const *lines)
{
    for (; lines != NULL && *lines != NULL; lines++) {
        g_autoptr(ScIceCandidate) c = sc_ice_candidate_parse(*lines, NULL);

        call->privacy.n_signalled++;
        if (c == NULL) {
            /* cannot tell what it showed: count the worst */
            call->privacy.n_not_relay++;
            call->privacy.n_reveal++;
            continue;
        }
        if (!g_str_equal(c->type, "relay"))
            call->privacy.n_not_relay++;
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

/* "relay-only" when relay-only was asked for and it held: every candidate
 * we signalled was a relay candidate, and the selected pair (if any) is
 * relayed on our side */
const char *
sc_call_privacy_policy(ScCall *call)
{
    const char *local = call->ice != NULL
                            ? sc_ice_transport_get_local_type(call->ice)
                            : NULL;

    if (!call->privacy.relay_only || call->privacy.n_not_relay > 0 ||
        (local != NULL && !g_str_equal(local, "relay")))
        return "all";
    return "relay-only";
}

/* TRUE when we signalled candidates and none showed a local address:
 * no host candidate, and every related address 0.0.0.0 (or ::) port 0 */
gboolean
sc_call_privacy_raddr_suppressed(ScCall *call)
{
    /* mode 3 without STUN signals nothing at all: nothing revealed */
    return call->privacy.n_reveal == 0 &&
           (call->privacy.n_signalled > 0 ||
            call->ip_handling == SC_IP_HANDLING_DEFAULT_ROUTE_ONLY);
}
