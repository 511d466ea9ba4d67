/* src/ice/ice-consent.c - RFC 7675 consent freshness on top of libnice:
 * libnice 0.1.21 declares consent lost 10 s after the last response, not
 * RFC 7675's 30 s, and reports it as the component failing. This file
 * keeps the 30 s deadline (from the last response consent-watch.c saw),
 * selects the same pair again at once while the last response is under
 * SC_ICE_CONSENT_HOLD_MS old (sending goes on: libnice's 10 s are not
 * RFC 7675's 30 s), or when a response comes in time after that, and
 * starts the watch on each newly selected pair (a relayed one too: on
 * libnice's socket to the TURN server); see docs/internals/call-flow.md.
 * The agent, candidates, states and datagrams are ice.c's.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice-priv.h"

#include <string.h>
#include <sys/socket.h>

static gboolean
on_consent_deadline(gpointer data)
{
    ScIceTransport *t = data;

    g_clear_pointer(&t->consent_timer, g_source_unref);
    SC_LOG_INFO(t->log_id, "no consent response for %d s (RFC 7675)",
                SC_ICE_CONSENT_EXPIRY_MS / 1000);
    sc_ice_set_state(t, SC_ICE_STATE_CONSENT_EXPIRED);
    return G_SOURCE_REMOVE;
}

/* When consent expires: 30 s after the last response (RFC 7675 §5.1).
 * The watch may miss one (its time is never fresher than the truth);
 * libnice, which gave up at consent_lost_us, had one 10 s before that,
 * unless we selected the pair again since (its clock then restarted with
 * a check, not a response). */
static gint64
consent_expiry_us(ScIceTransport *t)
{
    gint64 last = t->last_consent_us;

    if (!t->pair_resumed)
        last = MAX(last, t->consent_lost_us -
                             (gint64)SC_ICE_LIBNICE_CONSENT_TIMEOUT_MS * 1000);
    return last + (gint64)SC_ICE_CONSENT_EXPIRY_MS * 1000;
}

static void
arm_consent_deadline(ScIceTransport *t, gint64 deadline_us)
{
    gint64 left_ms = (deadline_us - sc_clock_now_us() + 999) / 1000;

    sc_source_clear(&t->consent_timer);
    t->consent_deadline_us = deadline_us;
    t->consent_timer = g_timeout_source_new((guint)CLAMP(left_ms, 0,
                                                         G_MAXINT));
    g_source_set_callback(t->consent_timer, on_consent_deadline, t, NULL);
    g_source_set_name(t->consent_timer, "sc-ice-consent-deadline");
    g_source_attach(t->consent_timer, t->ctx);
}

/* libnice has given up on the selected pair: no response to its own
 * checks for 10 s (or a 403). Consent itself expires 30 s after the last
 * response (RFC 7675 §5.1); until then a response on the pair
 * (resume_pair()) or an ICE restart brings sending back. */
void
sc_ice_consent_lost(ScIceTransport *t)
{
    if (t->state == SC_ICE_STATE_DISCONNECTED ||
        t->state == SC_ICE_STATE_CONSENT_EXPIRED ||
        t->state == SC_ICE_STATE_CLOSED)
        return;
    t->consent_lost_us = sc_clock_now_us();
    if (t->consent_timer == NULL)
        arm_consent_deadline(t, consent_expiry_us(t));
    /* libnice keeps refusing to send on the old pair even if it reports
     * the component connected again; only a selected pair (a new one, or
     * the old one selected again) carries consent. */
    t->await_selection = TRUE;
    sc_ice_set_state(t, SC_ICE_STATE_DISCONNECTED);
}

/* libnice gave up on the old pair (no consent response for 10 s) while
 * the checks of an ICE restart were running: its component is now
 * FAILED with checks in flight, and libnice 0.1.21 aborts the process
 * (g_assert in agent_signal_component_state_change()) when one of them
 * then gets the success response of a nominated pair, which it reports
 * as FAILED -> CONNECTED (conncheck.c, priv_map_reply_to_conn_check_
 * request(); still so in libnice's main branch). Under loss that window
 * is seconds wide. So the restart's checks start afresh, same
 * generation (our credentials and the peer's, its candidates but the
 * peer-reflexive ones, which its checks teach libnice again): libnice's
 * own restart prunes the checks in flight and takes the component out
 * of FAILED (GATHERING, then CONNECTING with the first pair). Nothing is
 * signalled: the peer sees checks with the credentials it knows. */
void
sc_ice_reset_checks(ScIceTransport *t)
{
    GSList *remotes, *keep = NULL;

    remotes = nice_agent_get_remote_candidates(t->agent, t->stream_id, 1);
    for (GSList *l = remotes; l != NULL; l = l->next) {
        NiceCandidate *c = l->data;

        if (c->type != NICE_CANDIDATE_TYPE_PEER_REFLEXIVE)
            keep = g_slist_prepend(keep, c);
    }
    keep = g_slist_reverse(keep);
    if (!nice_agent_restart_stream(t->agent, t->stream_id) ||
        !nice_agent_set_local_credentials(t->agent, t->stream_id, t->ufrag,
                                          t->pwd)) {
        SC_LOG_WARN(t->log_id, "libnice cannot start the checks afresh");
    } else {
        if (t->remote_ufrag != NULL && t->remote_pwd != NULL)
            nice_agent_set_remote_credentials(t->agent, t->stream_id,
                                              t->remote_ufrag, t->remote_pwd);
        if (keep != NULL &&
            nice_agent_set_remote_candidates(t->agent, t->stream_id, 1,
                                             keep) < 0)
            SC_LOG_WARN(t->log_id, "libnice refused the remote candidates "
                                   "again");
        if (t->remote_done)
            nice_agent_peer_candidate_gathering_done(t->agent, t->stream_id);
        t->n_checks_reset++;
        SC_LOG_INFO(t->log_id, "consent on the old pair was lost during "
                               "the ICE restart: its checks start afresh "
                               "(%u remote candidates)",
                    g_slist_length(keep));
    }
    g_slist_free(keep);
    g_slist_free_full(remotes, (GDestroyNotify)nice_candidate_free);
}

/* The first local and remote candidates with the foundations of the
 * selected pair are its own (nice_agent_set_selected_pair() picks by
 * foundation). */
static gboolean
first_with_foundation(GSList *list, const NiceCandidate *want)
{
    for (GSList *l = list; l != NULL; l = l->next) {
        NiceCandidate *c = l->data;

        if (strcmp(c->foundation, want->foundation) == 0)
            return nice_address_equal(&c->addr, &want->addr) &&
                   c->transport == want->transport;
    }
    return FALSE;
}

/* Selects libnice's selected pair again (nice_agent_set_selected_pair(),
 * the only way libnice 0.1.21 offers to send on a pair it gave up on;
 * it stops the stream's connectivity checks, so never during an ICE
 * restart). Only when the first local and remote candidates with the
 * pair's foundations are its own (libnice picks by foundation). TRUE
 * when libnice took it: on_selected_pair() in ice.c saw it (t->resuming),
 * the watch and the time of the last response go on. */
static gboolean
select_pair_again(ScIceTransport *t)
{
    NiceCandidate *lc = NULL, *rc = NULL;
    g_autofree char *lfound = NULL, *rfound = NULL;
    GSList *locals, *remotes;
    gboolean same, ok;
    guint before = t->n_resumed;

    if (t->restarting ||
        !nice_agent_get_selected_pair(t->agent, t->stream_id, 1, &lc, &rc))
        return FALSE;
    locals = nice_agent_get_local_candidates(t->agent, t->stream_id, 1);
    remotes = nice_agent_get_remote_candidates(t->agent, t->stream_id, 1);
    same = first_with_foundation(locals, lc) &&
           first_with_foundation(remotes, rc);
    g_slist_free_full(locals, (GDestroyNotify)nice_candidate_free);
    g_slist_free_full(remotes, (GDestroyNotify)nice_candidate_free);
    if (!same) {
        SC_LOG_INFO(t->log_id, "cannot select the pair again (foundation "
                               "shared): waiting for an ICE restart");
        return FALSE;
    }
    lfound = g_strdup(lc->foundation);
    rfound = g_strdup(rc->foundation);
    t->resuming = TRUE;
    ok = nice_agent_set_selected_pair(t->agent, t->stream_id, 1, lfound,
                                      rfound);
    t->resuming = FALSE;
    if (!ok)
        SC_LOG_WARN(t->log_id, "libnice cannot select the pair again");
    return ok && t->n_resumed != before;
}

/* libnice gave up on the pair after 10 s, but the peer has answered a
 * consent check since (the watch saw an authenticated Binding success
 * response from the pair's remote address): consent holds (RFC 7675
 * §5.1 counts 30 s), so select the same pair again. Its checks go on at
 * their own 4-6 s pace meanwhile; libnice's 10 s clock restarts with the
 * next one, ours (the deadline) runs from the last real response.
 * libnice may report the component ready again meanwhile (a triggered
 * check succeeded) without sending on the pair: that changes nothing.
 * Not during an ICE restart (selecting a pair would stop its checks). */
static gboolean
resume_pair(gpointer data)
{
    ScIceTransport *t = data;

    g_clear_pointer(&t->resume_source, g_source_unref);
    if (t->closed || !t->await_selection || t->restarting ||
        t->consent_revoked || t->state != SC_ICE_STATE_DISCONNECTED ||
        t->last_consent_us <= 0 ||
        sc_clock_now_us() - t->last_consent_us >=
            (gint64)SC_ICE_CONSENT_EXPIRY_MS * 1000)
        return G_SOURCE_REMOVE;
    if (select_pair_again(t))
        SC_LOG_INFO(t->log_id, "a consent response came %.1f s after "
                               "libnice gave up on the pair: sending on it "
                               "again (%u)",
                    (double)(sc_clock_now_us() - t->consent_lost_us) / 1e6,
                    t->n_resumed);
    return G_SOURCE_REMOVE;
}

gboolean
sc_ice_consent_hold(ScIceTransport *t)
{
    gint64 age_us = sc_clock_now_us() - t->last_consent_us;

    if (t->closed || t->restarting || t->consent_revoked ||
        t->state != SC_ICE_STATE_CONNECTED || t->last_consent_us <= 0 ||
        age_us >= (gint64)SC_ICE_CONSENT_HOLD_MS * 1000)
        return FALSE;
    t->consent_lost_us = sc_clock_now_us();
    if (!select_pair_again(t))
        return FALSE;
    t->n_held++;
    /* our deadline runs while libnice sends again: a response moves it,
     * a new pair clears it (ice.c), else it ends consent at 30 s */
    if (t->consent_timer == NULL)
        arm_consent_deadline(t, t->last_consent_us +
                                    (gint64)SC_ICE_CONSENT_EXPIRY_MS * 1000);
    SC_LOG_INFO(t->log_id, "libnice gave up on the pair (last consent "
                           "response %.1f s ago); RFC 7675 allows %d s: "
                           "the same pair selected again, sending goes on "
                           "(%u)",
                (double)age_us / 1e6, SC_ICE_CONSENT_EXPIRY_MS / 1000,
                t->n_held);
    return TRUE;
}

/* From the watch: a consent response was just timed. */
static void
on_consent_response(gpointer data)
{
    ScIceTransport *t = data;

    if (t->closed)
        return;
    /* the deadline moves with the response (RFC 7675 §5.1) */
    if (t->consent_timer != NULL)
        arm_consent_deadline(t, consent_expiry_us(t));
    if (!t->await_selection || t->state != SC_ICE_STATE_DISCONNECTED ||
        t->resume_source != NULL)
        return;
    /* not from inside the watch (libnice may be reading) */
    t->resume_source = sc_ice_idle_new(t, G_PRIORITY_HIGH, resume_pair,
                                       "sc-ice-consent-resume");
}

static gsize
sockaddr_len(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                     : sizeof(struct sockaddr_in);
}

void
sc_ice_consent_add_turn_server(ScIceTransport *t, const char *host,
                               guint port, gboolean tcp)
{
    g_autoptr(GSocketAddress) sa = NULL;
    struct sockaddr_storage *ss;

    if (!tcp || t->n_turn_tcp >= G_N_ELEMENTS(t->turn_tcp))
        return;
    sa = g_inet_socket_address_new_from_string(host, port);
    ss = &t->turn_tcp[t->n_turn_tcp];
    if (sa != NULL &&
        g_socket_address_to_native(sa, ss, sizeof *ss, NULL))
        t->n_turn_tcp++;
}

/* A relayed pair: libnice gives no socket for it, so the watch finds
 * libnice's socket to the TURN server (consent-turn.h). */
static ScConsentWatch *
watch_relayed(ScIceTransport *t, NiceCandidate *lcand, NiceCandidate *rcand)
{
    struct sockaddr_storage base, peer, relayed;
    ScConsentPath path = SC_CONSENT_PATH_DIRECT;
    g_autoptr(GSocket) sock = NULL;

    memset(&base, 0, sizeof base);
    memset(&peer, 0, sizeof peer);
    memset(&relayed, 0, sizeof relayed);
    nice_address_copy_to_sockaddr(&lcand->base_addr, (struct sockaddr *)&base);
    nice_address_copy_to_sockaddr(&rcand->addr, (struct sockaddr *)&peer);
    nice_address_copy_to_sockaddr(&lcand->addr, (struct sockaddr *)&relayed);
    sock = sc_consent_turn_find_socket(&base, t->turn_tcp, t->n_turn_tcp,
                                       &path);
    if (sock == NULL) {
        SC_LOG_INFO(t->log_id, "cannot find the relayed pair's socket to "
                               "the TURN server: the age of consent "
                               "responses is unknown");
        return NULL;
    }
    SC_LOG_DEBUG(t->log_id, "consent watch on the TURN server's %s socket",
                 path == SC_CONSENT_PATH_TURN_TCP ? "TCP" : "UDP");
    return sc_consent_watch_new_turn(
        t->ctx, t->log_id, sock, path, (struct sockaddr *)&peer,
        sockaddr_len(&peer), (struct sockaddr *)&relayed,
        sockaddr_len(&relayed), &t->last_consent_us);
}

/* From the watch: the peer answered a consent check with an
 * authenticated 403 (RFC 7675 §5.2): consent is revoked at once, so the
 * pair is never selected again (libnice stops sending on it too). */
static void
on_consent_revoked(gpointer data)
{
    ScIceTransport *t = data;

    if (t->closed || t->consent_revoked)
        return;
    t->consent_revoked = TRUE;
    SC_LOG_INFO(t->log_id, "the peer revoked consent (403): the pair is "
                           "not selected again");
}

/* A newly selected pair: consent was just granted by the check that
 * selected it (RFC 7675 §5.1); from now on the watch times the responses
 * on its socket (for a relayed pair, inside TURN). */
void
sc_ice_watch_consent(ScIceTransport *t, guint stream_id, guint component_id,
                     NiceCandidate *lcand, NiceCandidate *rcand)
{
    GSocket *sock;
    struct sockaddr_storage ss;

    g_clear_pointer(&t->consent_watch, sc_consent_watch_free);
    t->last_consent_us = 0; /* unknown unless watched */
    t->pair_resumed = FALSE;
    t->consent_revoked = FALSE; /* a new pair, a new consent */
    /* fresh consent: no deadline while it lasts */
    sc_source_clear(&t->consent_timer);
    t->consent_deadline_us = 0;
    if (lcand->type == NICE_CANDIDATE_TYPE_RELAYED) {
        t->consent_watch = watch_relayed(t, lcand, rcand);
    } else {
        sock = nice_agent_get_selected_socket(t->agent, stream_id,
                                              component_id);
        if (sock == NULL)
            return; /* ICE-TCP: no single datagram socket */
        memset(&ss, 0, sizeof ss);
        nice_address_copy_to_sockaddr(&rcand->addr, (struct sockaddr *)&ss);
        t->consent_watch = sc_consent_watch_new(
            t->ctx, t->log_id, sock, (struct sockaddr *)&ss, sockaddr_len(&ss),
            &t->last_consent_us);
        g_object_unref(sock);
    }
    sc_consent_watch_set_keys(t->consent_watch, t->remote_pwd,
                              t->prev_remote_pwd);
    sc_consent_watch_set_notify(t->consent_watch, on_consent_response,
                                on_consent_revoked, t);
    if (t->consent_watch != NULL)
        t->last_consent_us = sc_clock_now_us();
}
