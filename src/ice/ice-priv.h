/* src/ice/ice-priv.h - what ice.c (the agent, candidates, states and
 * datagrams), ice-consent.c (RFC 7675 consent: the deadline, and the
 * pair selected again after a consent response) and ice-relay.c (TURN
 * servers and relay-only) share: the transport's
 * record and the functions one file calls in the other. Not for use
 * outside src/ice/: ice.h is the module's API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ICE_PRIV_H
#define SC_ICE_PRIV_H

#include "core/core.h"

#include <agent.h>

#include "ice/consent-watch.h"
#include "ice/ice.h"
#include "ice/mdns.h"
#include "sdp/sdp.h"

struct ScIceTransport {
    GMainContext *ctx;
    char *log_id;
    NiceAgent *agent;
    guint stream_id;
    char *ufrag;
    char *pwd;
    char *remote_ufrag;
    GArray *secret_ids;     /* our passwords and the peer's, kept out of
                             * logs (core/log-secrets.c) until we are freed */
    ScIceCallbacks cb;
    gpointer user_data;
    ScIceState state;
    gboolean was_connected;
    gboolean remote_done;
    guint n_remote;         /* remote candidates taken, this generation */
    guint64 n_remote_over;  /* remote candidates ignored past the cap */
    gboolean gathering;
    gboolean gathered;         /* gathering has finished */
    char *local_addresses;     /* configured, "a, b" for messages; or NULL */
    gboolean relay_only;       /* ScIceConfig.relay_only */
    GPtrArray *tls_proxies;    /* of ScTurnTlsProxy, one per turns: server */
    const char *failure;       /* why FAILED, when it is not the checks */
    guint n_turn;              /* TURN servers given to libnice */
    guint n_turn_failed;       /* turns: ones whose TLS failed */
    GSource *relay_deadline;   /* SC_ICE_RELAY_GATHER_DEADLINE_MS */
    gboolean closed;
    gboolean await_selection;  /* consent lost: only a new pair recovers */
    char local_type[8];
    char remote_type[8];
    gint64 last_inbound_us;
    /* RFC 7675 consent: the last response seen (consent-watch.h) */
    ScConsentWatch *consent_watch;
    gint64 last_consent_us;
    char *remote_pwd;          /* wiped; the watch's keys */
    char *prev_remote_pwd;     /* the generation before an ICE restart */
    /* TURN servers libnice reaches over TCP (a relayed pair's socket) */
    struct sockaddr_storage turn_tcp[SC_ICE_MAX_TURN_SERVERS];
    guint n_turn_tcp;
    gint64 consent_deadline_us; /* while consent is lost, else 0 */
    GSource *consent_timer;
    GSource *resume_source;    /* see resume_pair() */
    gboolean resuming;         /* inside nice_agent_set_selected_pair() */
    guint n_resumed;           /* the pair selected again, for any reason */
    guint n_held;              /* ... at once, libnice having given up
                                * (sc_ice_consent_hold()) */
    gboolean consent_revoked;  /* a 403 from the peer on this pair */
    gboolean pair_resumed;     /* the selected pair was selected again */
    gboolean restarting;       /* ICE restart until a new pair */
    gint64 consent_lost_us;    /* when libnice last gave up on the pair */
    guint n_checks_reset;      /* sc_ice_reset_checks() */
    GSource *fail_grace;       /* never connected, every pair failed: see
                                * checks_failed() in ice.c */
    gint64 first_failed_us;    /* when libnice first reported that */
    GQueue rxq;                /* of RxPacket, see SC_ICE_RXQ_MAX_BYTES */
    gsize rxq_bytes;
    GSource *rx_source;
    guint64 rx_dropped;
    gulong sig_ids[4];
    void (*on_pair_changed)(gpointer user_data); /* set_pair_func() */
    /* what we reveal, and the peer's mDNS names (ice-reveal.c) */
    gboolean hide_host;        /* RFC 8828 Mode 3 */
    gboolean mdns_names;       /* our host candidates as <uuid4>.local */
    ScIceMdns *mdns;
    GPtrArray *mdns_queue;     /* ScIceCandidate *: waiting for a lookup */
    gboolean remote_done_held; /* end-of-candidates waits for the queue */
};
/* ice.c */

/* The only writer of t->state. */
void sc_ice_set_state(ScIceTransport *t, ScIceState next);
/* An idle source named @name on @t's context at @priority that calls
 * @func(@t); the caller holds it (and drops it when it runs). */
GSource *sc_ice_idle_new(ScIceTransport *t, gint priority, GSourceFunc func,
                         const char *name);

/* Hands a parsed remote candidate (an IP address) to libnice. */
gboolean sc_ice_add_parsed_candidate(ScIceTransport *t,
                                     const ScIceCandidate *parsed,
                                     GError **error);
/* Tells libnice that the peer has no more candidates. */
void sc_ice_peer_gathering_done(ScIceTransport *t);

/* ice-reveal.c */

/* The line we signal for our @cand ("candidate:...", no "a="), or NULL
 * when it is not to be signalled (Mode 3's host candidates): host
 * addresses replaced by their mDNS names, related addresses suppressed
 * (draft §3.1.2.2: raddr 0.0.0.0 or ::, rport 9) when either is on.
 * (transfer full) */
char *sc_ice_signalled_line(ScIceTransport *t, NiceCandidate *cand);
/* The peer's mDNS candidate @parsed (taken): looked up, queued until its
 * name resolves, then added; ignored when the name is not the draft's
 * UUID form, the cap is reached or the lookup fails. */
void sc_ice_take_mdns_candidate(ScIceTransport *t, ScIceCandidate *parsed);
/* The mDNS lookups' callback (ScIceMdnsResolvedFunc). */
void sc_ice_on_mdns_resolved(gpointer data, const char *name,
                             const char *address);

/* @pwd (a password ours or the peer's, a TURN credential) is withheld
 * from every log until this transport is freed. */
void sc_ice_keep_out_of_logs(ScIceTransport *t, const char *pwd);

/* ice-relay.c */

/* libnice holds a local candidate it shows (relay-only: a relay one). */
gboolean sc_ice_has_local_candidate(ScIceTransport *t);

gboolean sc_ice_relay_check_config(const ScIceConfig *config,
                                   GError **error);
/* The TURN servers to libnice (after the stream exists). */
gboolean sc_ice_relay_add_servers(ScIceTransport *t, const ScIceConfig *config,
                                  GError **error);
/* Relay-only with nothing to offer and nothing to pair: FAILED now, with
 * the reason in t->failure. */
void sc_ice_relay_fail(ScIceTransport *t);
/* See SC_ICE_RELAY_GATHER_DEADLINE_MS. */
void sc_ice_relay_start_deadline(ScIceTransport *t);

/* ice-consent.c */

/* libnice has given up on the selected pair: starts the consent deadline
 * and waits for a selected pair. */
void sc_ice_consent_lost(ScIceTransport *t);
/* libnice has given up on the selected pair (no response for 10 s):
 * while the last authenticated response is under SC_ICE_CONSENT_HOLD_MS
 * old (and the state is CONNECTED, no restart runs, no 403 came), the
 * same pair is selected again so that sending goes on, under the RFC
 * 7675 deadline. TRUE if so: the transport stays CONNECTED. */
gboolean sc_ice_consent_hold(ScIceTransport *t);
/* Consent on the old pair was lost while an ICE restart's checks ran:
 * starts them afresh (same generation), away from libnice's abort. */
void sc_ice_reset_checks(ScIceTransport *t);
/* A newly selected pair: the watch times the responses on its socket. */
void sc_ice_watch_consent(ScIceTransport *t, guint stream_id,
                          guint component_id, NiceCandidate *lcand,
                          NiceCandidate *rcand);
/* A TURN server given to libnice (@host an IP address): the TCP ones
 * (turns: through turn-tls.c's 127.0.0.1 port) are where a relayed
 * pair's socket is looked for. */
void sc_ice_consent_add_turn_server(ScIceTransport *t, const char *host,
                                    guint port, gboolean tcp);

#endif /* SC_ICE_PRIV_H */
