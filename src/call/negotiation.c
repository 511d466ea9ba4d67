/* src/call/negotiation.c - who says what on signaling, and when: JSEP
 * offer/answer (RFC 8829) over sdp/ and the relay (contract section 1).
 * Owns the offer and the answer (writing ours, applying the peer's: the
 * DTLS fingerprints, the media sections, the ICE credentials and
 * candidates), trickled candidates both ways (RFC 8838), re-offers and
 * ICE restarts (RFC 8445 §9), refusals of what the peer sends, the bye,
 * and who may signal at all (a stranger after peer-left is ignored).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* signaling                                                            */

static void
send_sig(ScCall *call, ScSigMsg *msg)
{
    g_autoptr(GError) error = NULL;

    if (call->sig == NULL)
        return;
    if (call->neg.peer_left) {
        /* nothing of this call goes to whoever holds the seat now */
        SC_LOG_DEBUG(call->id, "not sent: the peer has left the relay");
        return;
    }
    if (!sc_signal_client_send(call->sig, msg, &error))
        SC_LOG_WARN(call->id, "signaling send failed: %s", error->message);
}

void
sc_call_send_bye(ScCall *call, const char *reason)
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

void
sc_call_on_local_candidate(gpointer data, const char *candidate)
{
    ScCall *call = data;
    g_autoptr(ScSigMsg) msg = NULL;

    if (call->state == CALL_ENDED || call->neg.local_candidates_done ||
        !call->neg.local_desc_sent) /* the description will list it */
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
    msg->sdp_mline_index =
        call->remote != NULL && call->remote->data_section >= 0
            ? call->remote->data_section
            : 0;
    if (candidate == NULL)
        call->neg.local_candidates_done = TRUE;
    else
        sc_call_privacy_note_signalled(call,
                                       (const char *const[]){candidate, NULL});
    send_sig(call, msg);
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
    local->session_version = call->neg.sdp_version++;
    local->ice_pacing_ms = SC_ICE_TA_LOCAL_MS;
    local->identity = sc_call_identity_local_attr(call); /* every one */
    for (int k = 0; k < 2; k++) {
        ScSdpLocalMedia *m =
            k == SC_MEDIA_AUDIO ? &local->audio : &local->video;
        if (!call->media_enabled[k])
            continue;
        m->enabled = TRUE;
        m->direction = SC_SDP_DIRECTION_SENDRECV;
        m->ssrc = call->rtp.ssrc[k];
        m->track_id = call->rtp.track_id[k];
    }
    local->cname = call->rtp.cname;
    local->stream_id = call->rtp.stream_id;
    local->candidates = (const char *const *)cands;
    local->end_of_candidates = sc_ice_transport_is_gathering_done(call->ice);
}

static void
emit_signaling_state(ScCall *call, const char *state)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);

    sc_call_event_set_str(ev, "state", state);
    sc_call_emit(call, ev);
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
    sc_call_emit_error(call, detail);
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
    sc_call_send_bye(call, fp ? "fingerprint-mismatch" : "error");
    sc_call_end(call,
                fp ? SC_END_REASON_FINGERPRINT_MISMATCH : SC_END_REASON_ERROR,
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
    call->neg.local_desc_sent = TRUE;
    call->neg.local_candidates_done =
        sc_ice_transport_is_gathering_done(call->ice);
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
    /* counted as signalled even if the description is not sent after all:
     * the inspector may under-report suppression, never over-report it */
    sc_call_privacy_note_signalled(call, (const char *const *)cands);
    if (peer != NULL && peer->tls_id == NULL)
        local.tls_id = NULL;
    /* a later offer continues our DTLS association: our role stays */
    if (offer != NULL && call->remote != NULL)
        local.answer_setup = call->transport.dtls_client
                                 ? SC_SDP_SETUP_ACTIVE
                                 : SC_SDP_SETUP_PASSIVE;
    return offer != NULL ? sc_sdp_create_answer(&local, offer, error)
                         : sc_sdp_create_offer(&local, error);
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
    sc_call_identity_on_remote(call, desc);
    sc_call_media_negotiate(call);
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
            call->neg.pending_end_of_candidates = TRUE;
    }
    for (guint i = 0; i < call->neg.pending_candidates->len; i++) {
        g_autoptr(GError) cerr = NULL;
        if (!sc_ice_transport_add_remote_candidate(
                call->ice, call->neg.pending_candidates->pdata[i], &cerr))
            SC_LOG_INFO(call->id, "ignored remote candidate: %s",
                        cerr->message);
    }
    g_ptr_array_set_size(call->neg.pending_candidates, 0);
    if (call->neg.pending_end_of_candidates)
        sc_ice_transport_remote_gathering_done(call->ice);
    call->neg.pending_end_of_candidates = FALSE;
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* ICE restart (RFC 8445 §9, JSEP §5.2.1): the only renegotiation we do.
 * The DTLS association, SCTP and media go on; only ICE credentials and
 * candidates change. Either side restarts when libnice has stopped
 * sending on the pair (see ice.h), to win consent back before RFC 7675's
 * 30 s run out, by sending an offer (the answerer too: the roles of the
 * first exchange only decide glare), and answers the peer's restart
 * offer at any time. Glare (both restart offers cross on the relay): the
 * offer of the side that made the first offer wins; it ignores the
 * other, which drops its own and answers (JSEP's rollback). Each side
 * therefore gets exactly one answer, and nothing waits on the other.  */

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

void
sc_call_start_ice_restart(ScCall *call)
{
    g_autoptr(GError) error = NULL;
    char *sdp;

    if (call->neg.restart_pending || call->remote == NULL)
        return;
    if (call->neg.peer_left) {
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
    call->neg.local_desc_sent = FALSE;
    call->neg.local_candidates_done = FALSE;
    g_ptr_array_set_size(call->neg.pending_candidates, 0);
    call->neg.pending_end_of_candidates = FALSE;
    sdp = write_description(call, NULL, &error);
    if (sdp == NULL) {
        SC_LOG_WARN(call->id, "cannot write the ICE restart offer: %s",
                    error->message);
        return;
    }
    call->neg.restart_pending = TRUE;
    call->neg.n_restarts++;
    SC_LOG_INFO(call->id, "ICE restart %u: offer sent", call->neg.n_restarts);
    send_description(call, SC_SIG_MSG_OFFER, sdp, "restart-offer-sent");
}

/* A later offer (from either side, after the first exchange). Anything
 * but an ICE restart of the same session is refused with an error event;
 * the call goes on. */
static void
handle_reoffer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;
    g_autofree char *sdp = NULL;

    if (call->neg.restart_pending) {
        if (call->role == SC_CALL_ROLE_OFFERER) {
            SC_LOG_INFO(call->id, "ICE restart glare: the peer's offer is "
                                  "ignored, ours (the first offerer's) "
                                  "wins");
            return;
        }
        SC_LOG_INFO(call->id, "ICE restart glare: ours is dropped, the "
                              "offerer's is answered");
        call->neg.restart_pending = FALSE;
        /* what was trickled before this offer is of the older generation */
        g_ptr_array_set_size(call->neg.pending_candidates, 0);
    }
    desc = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, &error);
    if (desc != NULL && !same_session(call, desc, &error))
        g_clear_pointer(&desc, sc_sdp_desc_free);
    /* actpass (JSEP's later offers) keeps the roles; a role that is set
     * must be the other side of ours */
    if (desc != NULL &&
        ((desc->setup == SC_SDP_SETUP_ACTIVE &&
          call->transport.dtls_client) ||
         (desc->setup == SC_SDP_SETUP_PASSIVE &&
          !call->transport.dtls_client))) {
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
    call->neg.local_desc_sent = FALSE;
    call->neg.local_candidates_done = FALSE;
    call->neg.pending_end_of_candidates = FALSE;
    sdp = write_description(call, desc, &error);
    /* call->remote keeps the first description (media facts); only the
     * ICE part of this one is applied */
    if (sdp == NULL || !apply_remote_ice(call, desc, &error)) {
        g_autofree char *detail =
            g_strdup_printf("cannot answer the ICE restart: %s",
                            error->message);
        sc_call_emit_error(call, detail);
        return;
    }
    call->neg.n_restarts++;
    SC_LOG_INFO(call->id, "ICE restart %u: answer sent", call->neg.n_restarts);
    send_description(call, SC_SIG_MSG_ANSWER, g_steal_pointer(&sdp),
                     "restart-answer-sent");
}

/* The answer to our restart offer. */
static void
handle_restart_answer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;

    call->neg.restart_pending = FALSE;
    desc = sc_sdp_parse(SC_SDP_TYPE_ANSWER, text, &error);
    if (desc != NULL && !same_session(call, desc, &error))
        g_clear_pointer(&desc, sc_sdp_desc_free);
    if (desc != NULL &&
        (desc->setup == SC_SDP_SETUP_PASSIVE) != call->transport.dtls_client) {
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

    if (call->neg.offer_sent || call->state == CALL_ENDED)
        return;
    call->state = CALL_NEGOTIATING;
    if (call->ice == NULL && !sc_call_transport_create(call, TRUE, &error)) {
        sc_call_transport_end_error(call, error);
        return;
    }
    sdp = write_description(call, NULL, &error);
    if (sdp == NULL) {
        sc_call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    /* Like a browser page, the offerer opens the "chat" channel. */
    (void)sc_call_get_channel(call, "chat", TRUE, -1, -1, NULL);
    call->transport.t_offer_us = sc_clock_now_us();
    call->neg.offer_sent = TRUE;
    send_description(call, SC_SIG_MSG_OFFER, sdp, "offer-sent");
}

static void
handle_offer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;
    g_autofree char *sdp = NULL;

    if (call->remote != NULL) {
        handle_reoffer(call, text);
        return;
    }
    if (call->role != SC_CALL_ROLE_ANSWERER) {
        SC_LOG_WARN(call->id, "ignoring an offer: we are the offerer");
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
    if (sc_call_defer_hold_offer(call, desc, text))
        return; /* deferred ICE: answered once the user accepts (defer.c) */
    call->state = CALL_NEGOTIATING;
    if (call->ice == NULL && !sc_call_transport_create(call, FALSE, &error)) {
        sc_call_transport_end_error(call, error);
        return;
    }
    /* JSEP: we answer a=setup:active to actpass (and passive); an older
     * endpoint offering active gets passive (RFC 8842 §5.3). */
    call->transport.dtls_client = desc->setup != SC_SDP_SETUP_ACTIVE;
    call->transport.dtls_role_known = TRUE;
    sc_dtls_transport_set_client(call->dtls, call->transport.dtls_client);
    sdp = write_description(call, desc, &error);
    if (sdp == NULL) {
        g_autofree char *detail =
            g_strdup_printf("cannot answer the offer: %s", error->message);
        sc_call_emit_error(call, detail);
        sc_call_end(call, SC_END_REASON_ERROR, detail);
        return;
    }
    if (!apply_remote_session(call, g_steal_pointer(&desc), &error)) {
        sc_call_end(call, SC_END_REASON_ERROR, error->message);
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
        sc_call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    sc_call_transport_start_dtls(call);
}

void
sc_call_answer_offer(ScCall *call, const char *text)
{
    if (call->state != CALL_ENDED)
        handle_offer(call, text);
}

static void
handle_answer(ScCall *call, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSdpDesc) desc = NULL;

    if (call->neg.restart_pending) {
        handle_restart_answer(call, text);
        return;
    }
    if (call->role != SC_CALL_ROLE_OFFERER || !call->neg.offer_sent ||
        call->remote != NULL) {
        SC_LOG_WARN(call->id, "ignoring an unexpected answer");
        return;
    }
    call->transport.t_answer_us = sc_clock_now_us();
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
    call->transport.dtls_client = desc->setup == SC_SDP_SETUP_PASSIVE;
    if (!call->transport.dtls_role_known) {
        call->transport.dtls_role_known = TRUE;
        sc_dtls_transport_set_client(call->dtls, call->transport.dtls_client);
    } else if (call->transport.dtls_client) {
        sc_call_send_bye(call, "error");
        sc_call_end(call, SC_END_REASON_DTLS_FAILED,
                    "peer sent a ClientHello but answered a=setup:passive");
        return;
    }
    if (!apply_remote(call, g_steal_pointer(&desc), &error)) {
        sc_call_end(call, SC_END_REASON_ERROR, error->message);
        return;
    }
    call->state = CALL_CONNECTING;
    sc_call_transport_start_dtls(call);
}

static void
handle_candidate(ScCall *call, const ScSigMsg *msg)
{
    g_autoptr(GError) error = NULL;

    if (msg->candidate == NULL)
        return;
    sc_call_policy_note_remote_candidate(call, msg->candidate); /* unlinkable? */
    if (call->remote == NULL || call->ice == NULL ||
        call->neg.restart_pending) {
        /* before the (restart) answer: kept for apply_remote_ice() */
        if (msg->candidate[0] == '\0')
            call->neg.pending_end_of_candidates = TRUE;
        else if (call->neg.pending_candidates->len < 256)
            g_ptr_array_add(call->neg.pending_candidates,
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

void
sc_call_on_sig_open(gpointer data)
{
    ScCall *call = data;
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);

    sc_call_event_set_str(ev, "state", "connected");
    sc_call_emit(call, ev);
    if (call->state == CALL_IDLE)
        call->state = CALL_SIGNALING;
    /* Our ICE role follows from our call role, so the ICE agent and the
     * DTLS context are made now, while we wait for the peer, not between
     * the offer and the answer. Nothing is gathered or sent yet. With
     * deferred ICE, not before the user accepts the call (defer.c). */
    if (call->ice == NULL && call->state != CALL_ENDED &&
        !sc_call_defer_holds_ice(call)) {
        g_autoptr(GError) error = NULL;
        if (!sc_call_transport_create(call, call->role == SC_CALL_ROLE_OFFERER,
                                      &error))
            sc_call_transport_end_error(call, error);
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
    sc_call_end_with(
        call, SC_END_REASON_BYE,
        detail != NULL ? detail : "peer hung up (no reason given)", claim);
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
    if (!call->neg.peer_left)
        return FALSE;
    if (call->neg.stranger_msgs++ == 0) {
        SC_LOG_WARN(call->id, "signaling after the peer left the relay "
                              "('%s'): ignored, a newcomer is not our peer",
                    msg->type_name != NULL ? msg->type_name : "?");
        sc_call_emit_error(call,
                           "someone else is in the room since the peer left "
                           "the relay: their signaling is ignored, the call "
                           "goes on with the peer over its established path");
    }
    return TRUE;
}

void
sc_call_on_sig_message(gpointer data, const ScSigMsg *msg)
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
            g_ptr_array_set_size(call->neg.pending_candidates, 0);
            call->neg.pending_end_of_candidates = FALSE;
        }
        if (call->state == CALL_CONNECTED) {
            SC_LOG_INFO(call->id, "peer left the relay; the call goes on "
                                  "while consent lasts, without signaling");
            call->neg.peer_left = TRUE;
        } else if (call->state >= CALL_NEGOTIATING) {
            sc_call_end(call, SC_END_REASON_ERROR,
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

void
sc_call_on_sig_closed(gpointer data, const GError *error)
{
    ScCall *call = data;
    ScCallEvent *ev;

    ev = sc_call_event_new(SC_CALL_EVENT_SIGNALING);
    sc_call_event_set_str(ev, "state", "closed");
    if (error != NULL)
        sc_call_event_set_str(ev, "detail", error->message);
    sc_call_emit(call, ev);
    if (call->state != CALL_CONNECTED && call->state != CALL_ENDED)
        sc_call_end(call, SC_END_REASON_ERROR,
                    error != NULL
                        ? error->message
                        : "signaling closed before the call connected");
}
