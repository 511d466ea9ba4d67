/* src/call/defer.c - deferred ICE (RFC 8827 §5.4: "suppress ICE
 * negotiation ... until the user has decided to answer the call"), the
 * answerer's gate between an offer and the user's decision.
 *
 * What the peer (and anyone else) can learn before the user accepts is
 * what the relay tells it: that a participant is in the room. Nothing of
 * our network: the ICE agent is not even created (negotiation.c asks
 * sc_call_defer_holds_ice()), so no socket is bound, no STUN server is
 * contacted, no connectivity check can be answered, and no answer,
 * candidate or end-of-candidates is sent. The offer is held here and
 * announced with an `incoming` event; on accept it is answered exactly as
 * an undeferred call answers it (negotiation.c: ICE gathers, the answer
 * carries the host candidates, the others trickle). The answer is sent
 * only then, not early without candidates: an early answer would tell the
 * peer our ICE credentials, DTLS role and certificate (and that the user's
 * device answers calls) for no gain, since the candidates it would be
 * waiting for take the same signaling hop as the answer itself.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include <string.h>

/* The setters work before sc_call_start() only (peer-policy.c's too). */
gboolean
sc_call_defer_before_start(ScCall *call, GError **error)
{
    if (call->state == CALL_IDLE && call->sig == NULL)
        return TRUE;
    g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                        "the call has already started");
    return FALSE;
}

gboolean
sc_call_set_defer_ice(ScCall *call, gboolean defer, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (call->role != SC_CALL_ROLE_ANSWERER) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "deferred ICE is for the answerer");
        return FALSE;
    }
    if (!sc_call_defer_before_start(call, error))
        return FALSE;
    call->defer.state = defer ? SC_DEFER_WAITING : SC_DEFER_OFF;
    return TRUE;
}

gboolean
sc_call_set_accept_timeout(ScCall *call, guint seconds, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!sc_call_defer_before_start(call, error))
        return FALSE;
    if (seconds <= SC_DEFER_TIMEOUT_MAX_S) {
        /* stored: 0 = not set (the default applies), G_MAXUINT = none */
        call->defer.timeout_s = seconds == 0 ? G_MAXUINT : seconds;
        return TRUE;
    }
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                "the accept timeout must be 0 (none) to %u s (got %u)",
                SC_DEFER_TIMEOUT_MAX_S, seconds);
    return FALSE;
}

/* The accept timeout in seconds, 0 for none. */
static guint
timeout_s(ScCall *call)
{
    if (call->defer.timeout_s == 0)
        return SC_DEFER_TIMEOUT_DEFAULT_S;
    return call->defer.timeout_s == G_MAXUINT ? 0 : call->defer.timeout_s;
}

gboolean
sc_call_defer_holds_ice(ScCall *call)
{
    return call->defer.state == SC_DEFER_WAITING ||
           call->defer.state == SC_DEFER_INCOMING ||
           call->defer.state == SC_DEFER_DECLINED;
}

const char *
sc_call_defer_bye_reason(ScCall *call)
{
    return call->defer.state == SC_DEFER_INCOMING ||
                   call->defer.state == SC_DEFER_DECLINED
               ? "declined"
               : "hangup";
}

const char *
sc_call_defer_state_name(ScCall *call)
{
    switch (call->defer.state) {
    case SC_DEFER_OFF:
        return "off";
    case SC_DEFER_WAITING:
        return "waiting";
    case SC_DEFER_INCOMING:
        return "incoming";
    case SC_DEFER_ACCEPTED:
        return "accepted";
    case SC_DEFER_DECLINED:
        return "declined";
    }
    return "off";
}

void
sc_call_defer_stop(ScCall *call)
{
    sc_source_clear(&call->defer.timer);
    if (call->defer.state == SC_DEFER_INCOMING)
        call->defer.state = SC_DEFER_DECLINED;
    g_clear_pointer(&call->defer.offer, g_free);
}

void
sc_call_defer_free(ScCall *call)
{
    sc_source_clear(&call->defer.timer);
    g_clear_pointer(&call->defer.offer, g_free);
}

static void
decline(ScCall *call, const char *detail)
{
    call->defer.state = SC_DEFER_DECLINED;
    sc_source_clear(&call->defer.timer);
    g_clear_pointer(&call->defer.offer, g_free);
    SC_LOG_INFO(call->id, "incoming call declined: %s", detail);
    /* the bye says "declined" (sc_call_defer_bye_reason()) */
    sc_call_end(call, SC_END_REASON_HANGUP, detail);
}

static gboolean
on_accept_timeout(gpointer data)
{
    ScCall *call = data;
    g_autofree char *detail = g_strdup_printf(
        "declined: not accepted within %u s", timeout_s(call));

    sc_source_clear(&call->defer.timer);
    decline(call, detail);
    return G_SOURCE_REMOVE;
}

/* "scheme://host:port" of the relay (the signaling origin). */
static char *
signal_origin(const char *url)
{
    g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    const char *scheme;
    int port;

    if (uri == NULL || g_uri_get_host(uri) == NULL)
        return NULL;
    scheme = g_uri_get_scheme(uri);
    port = g_uri_get_port(uri);
    if (port < 0)
        port = g_ascii_strcasecmp(scheme, "wss") == 0 ? 443 : 80;
    return strchr(g_uri_get_host(uri), ':') != NULL
               ? g_strdup_printf("%s://[%s]:%d", scheme, g_uri_get_host(uri),
                                 port)
               : g_strdup_printf("%s://%s:%d", scheme, g_uri_get_host(uri),
                                 port);
}

/* The `incoming` event: what we know about the caller from the relay we
 * chose and its offer. Nothing of it is verified but the room. */
static void
emit_incoming(ScCall *call, const ScSdpDesc *desc)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_INCOMING);
    g_autofree char *origin = signal_origin(call->signal_url);
    g_autofree char *room = NULL;
    JsonArray *media = json_array_new();
    JsonArray *fps = json_array_new();
    JsonNode *node;

    if (!sc_signal_url_validate(call->signal_url, &room, NULL))
        room = NULL;
    sc_call_event_set_str(ev, "origin", origin);
    sc_call_event_set_str(ev, "room", room);
    for (guint i = 0; i < desc->sections->len; i++) {
        ScSdpSection *s = desc->sections->pdata[i];
        if (!s->accepted || s->is_datachannel)
            continue;
        /* the first usable audio and the first usable video section */
        if (g_strcmp0(s->media, "audio") == 0 ||
            g_strcmp0(s->media, "video") == 0)
            json_array_add_string_element(media, s->media);
    }
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, media);
    sc_call_event_set_node(ev, "media", node);
    sc_call_event_set_bool(ev, "data_channel", desc->data_section >= 0);
    for (guint i = 0; i < desc->fingerprints->len; i++)
        json_array_add_string_element(fps, desc->fingerprints->pdata[i]);
    node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, fps);
    sc_call_event_set_node(ev, "fingerprints", node);
    sc_call_event_set_bool(ev, "identity_present", desc->identity != NULL);
    /* What was verified before the call is announced (peer-policy.c):
     * the identity, its IdP, pseudonym or not, and the privacy rule that
     * applies with it. An a=identity is never shown unverified. Verifying
     * it means fetching the IdP proxy the caller's assertion names, which
     * shows that server our address: so only an IdP the user named
     * (--peer-identity, --trust-idp, a contact's or a peer rule's domain)
     * is asked before accept; any other assertion stays unverified until
     * then ("identity_status": "not-checked"). */
    {
        const char *id = sc_call_get_peer_identity(call);
        const char *status = "none";
        if (id != NULL)
            status = "verified";
        else if (call->id_gate.status == SC_CALL_IDENTITY_FAILED)
            status = "failed";
        else if (desc->identity != NULL)
            status = "not-checked";
        sc_call_event_set_str(ev, "identity", id);
        sc_call_event_set_str(ev, "identity_status", status);
        sc_call_event_set_str(ev, "idp", id != NULL ? call->id_gate.idp
                                                    : NULL);
        sc_call_event_set_bool(ev, "verified", id != NULL);
        sc_call_event_set_bool(ev, "pseudonym",
                               id != NULL &&
                                   sc_call_identity_is_pseudonym(call, id));
        if (call->privacy_decision != NULL) {
            const char *rule =
                sc_privacy_decision_get(call->privacy_decision, "rule");
            sc_call_event_set_str(ev, "rule", rule);
            sc_call_event_set_str(ev, "rule_matched",
                                  sc_privacy_decision_get(
                                      call->privacy_decision, "matched"));
        }
    }
    if (timeout_s(call) != 0)
        sc_call_event_set_int(ev, "timeout", timeout_s(call));
    sc_call_emit(call, ev);
}

gboolean
sc_call_defer_hold_offer(ScCall *call, const ScSdpDesc *desc, const char *text)
{
    switch (call->defer.state) {
    case SC_DEFER_OFF:
    case SC_DEFER_ACCEPTED:
        return FALSE;
    case SC_DEFER_INCOMING:
    case SC_DEFER_DECLINED:
        /* the user decides on the offer they were shown: a later one is
         * not swapped in behind their back */
        SC_LOG_WARN(call->id, "ignoring another offer: the first one waits "
                              "for the user's decision");
        return TRUE;
    case SC_DEFER_WAITING:
        break;
    }
    call->defer.state = SC_DEFER_INCOMING;
    call->defer.offer = g_strdup(text);
    call->state = CALL_NEGOTIATING;
    if (timeout_s(call) != 0) {
        call->defer.timer = g_timeout_source_new_seconds(timeout_s(call));
        g_source_set_callback(call->defer.timer, on_accept_timeout, call,
                              NULL);
        g_source_attach(call->defer.timer, call->ctx);
    }
    SC_LOG_INFO(call->id, "incoming call held: nothing revealed until it "
                          "is accepted");
    switch (sc_call_policy_preverify(call, text)) {
    case SC_POLICY_ANNOUNCE:
        call->defer.announced = TRUE;
        emit_incoming(call, desc);
        break;
    case SC_POLICY_VERIFYING: /* sc_call_defer_identity_done() announces */
    case SC_POLICY_REFUSED:
        break;
    }
    return TRUE;
}

void
sc_call_defer_identity_done(ScCall *call)
{
    if (call->defer.state != SC_DEFER_INCOMING || call->defer.announced ||
        call->policy.held_desc == NULL || sc_call_has_ended(call))
        return;
    call->defer.announced = TRUE;
    emit_incoming(call, call->policy.held_desc);
}

static gboolean
check_incoming(ScCall *call, GError **error)
{
    const char *why;

    if (call->defer.state == SC_DEFER_INCOMING && call->state != CALL_ENDED &&
        call->defer.announced)
        return TRUE;
    if (call->defer.state == SC_DEFER_OFF)
        why = "the call is not deferred";
    else if (call->state == CALL_ENDED)
        why = "the call has ended";
    else if (call->defer.state == SC_DEFER_WAITING ||
             (call->defer.state == SC_DEFER_INCOMING && !call->defer.announced))
        why = "no incoming call yet";
    else
        why = "the incoming call was already accepted";
    g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE, why);
    return FALSE;
}

gboolean
sc_call_accept(ScCall *call, GError **error)
{
    g_autofree char *offer = NULL;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_incoming(call, error))
        return FALSE;
    call->defer.state = SC_DEFER_ACCEPTED;
    sc_source_clear(&call->defer.timer);
    offer = g_steal_pointer(&call->defer.offer);
    SC_LOG_INFO(call->id, "incoming call accepted: gathering, answering");
    sc_call_answer_offer(call, offer);
    return TRUE;
}

gboolean
sc_call_decline(ScCall *call, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_incoming(call, error))
        return FALSE;
    decline(call, "declined");
    return TRUE;
}
