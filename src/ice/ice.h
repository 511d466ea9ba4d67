/* src/ice - ICE transport on libnice: one stream, one component (BUNDLE +
 * rtcp-mux), trickle, consent freshness (RFC 7675).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ICE_H
#define SC_ICE_H

#include "core/core.h"

G_BEGIN_DECLS

typedef enum {
    SC_ICE_STATE_NEW,
    SC_ICE_STATE_CHECKING,
    SC_ICE_STATE_CONNECTED,
    SC_ICE_STATE_FAILED,          /* never connected: no working pair */
    /* Was connected; libnice stopped sending on the pair (no consent
     * response for SC_ICE_LIBNICE_CONSENT_TIMEOUT_MS, and none for
     * SC_ICE_CONSENT_HOLD_MS before the pair was selected again; or a
     * 403). Before
     * the RFC 7675 deadline, SC_ICE_CONSENT_EXPIRY_MS after the last
     * response, a consent response on the pair (the same pair is then
     * selected again) or an ICE restart brings CONNECTED back. */
    SC_ICE_STATE_DISCONNECTED,
    SC_ICE_STATE_CONSENT_EXPIRED, /* RFC 7675: 30 s without consent */
    SC_ICE_STATE_CLOSED,
    SC_ICE_N_STATES
} ScIceState;

typedef struct ScIceTransport ScIceTransport;

typedef struct {
    /* A local candidate as it is gathered, "candidate:..." (no "a="); NULL
     * means gathering is done (end-of-candidates). Candidates gathered
     * before a description is written are also listed by
     * sc_ice_transport_get_local_candidates(). */
    void (*on_candidate)(gpointer user_data, const char *candidate);
    void (*on_state)(gpointer user_data, ScIceState state);
    /* One inbound non-STUN datagram (DTLS, SRTP, SRTCP). */
    void (*on_recv)(gpointer user_data, const guint8 *buf, gsize len);
    /* Optional: every pair failed before any connected (see
     * SC_ICE_FAIL_GRACE_MS); the state stays CHECKING meanwhile. An ICE
     * restart (sc_ice_transport_restart()) starts afresh. */
    void (*on_checks_failed)(gpointer user_data);
} ScIceCallbacks;

/* A TURN server (RFC 8656) from a turn:/turns: URL (turn-url.c). */
typedef struct {
    char *host;          /* an IP address */
    guint16 port;
    gboolean tcp;        /* TURN over TCP (RFC 6062 client leg) */
    gboolean secure;     /* turns: (TLS) */
    char *username;      /* decoded; secret, wiped when freed */
    char *password;      /* decoded; secret, wiped when freed */
    char *url_redacted;  /* "turn:***@HOST:PORT?transport=udp", for logs */
} ScTurnServer;

#define SC_TURN_DEFAULT_PORT 3478   /* RFC 7065 §3 */
#define SC_TURNS_DEFAULT_PORT 5349
#define SC_TURN_MAX_URL_LEN 1024
#define SC_TURN_MAX_CREDENTIAL_LEN 256  /* decoded USER or PASS, bytes */
/* TURN servers per call: libnice takes at most 8 per component */
#define SC_ICE_MAX_TURN_SERVERS 8

/* Parses "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]" or "turns:..."
 * (RFC 7065 with the contract's userinfo; USER and PASS percent-decoded;
 * HOST an IP literal, IPv6 in brackets). Errors (%SC_ERROR_INVALID_ARGUMENT)
 * show the URL redacted, never USER or PASS. (transfer full) (nullable). */
ScTurnServer *sc_turn_url_parse(const char *url, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* @url with USER:PASS replaced by "***" (and nothing of it shown when it
 * has no '@'): fit for a log or an error message. (transfer full). */
char *sc_turn_url_redact(const char *url) G_GNUC_WARN_UNUSED_RESULT;
ScTurnServer *sc_turn_server_copy(const ScTurnServer *s)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_turn_server_free(ScTurnServer *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScTurnServer, sc_turn_server_free)

/* TURN over TLS for libnice (turn-tls.c): a listener on 127.0.0.1 that
 * takes one connection (libnice's TURN-over-TCP) and splices it to a TLS
 * connection to @server, whose certificate must verify for its address
 * against the system's trust anchors or those of @ca_file (PEM, or NULL).
 * @on_failed (nullable) is called, once, when the TLS connection cannot be
 * made (libnice 0.1.21 then never finishes gathering: its TURN-over-TCP
 * discovery waits on a closed connection).
 * Errors: an unreadable @ca_file, no listening socket. */
typedef struct ScTurnTlsProxy ScTurnTlsProxy;
ScTurnTlsProxy *sc_turn_tls_proxy_new(GMainContext *ctx, const char *log_id,
                                      const ScTurnServer *server,
                                      const char *ca_file,
                                      void (*on_failed)(gpointer user_data),
                                      gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* The local port to give libnice as the TURN-over-TCP server. */
guint16 sc_turn_tls_proxy_get_port(ScTurnTlsProxy *p);
void sc_turn_tls_proxy_free(ScTurnTlsProxy *p);

typedef struct {
    gboolean controlling;
    const char *stun_host;           /* NULL: no STUN server */
    guint16 stun_port;
    const char *const *local_addresses; /* NULL: all interfaces */
    guint max_pairs;                 /* checklist limit; 0: the default */
    /* What our signalled candidates reveal (ice-reveal.c): */
    gboolean hide_host;  /* RFC 8828 Mode 3: no host candidate signalled */
    gboolean mdns;       /* host candidates signalled as <uuid4>.local */
    /* NULL-terminated; NULL: none. turns: ones go through turn-tls.c */
    const ScTurnServer *const *turn_servers;
    /* extra trust anchors (PEM) for turns: servers; NULL: the system's */
    const char *ca_file;
    /* RFC 8828 mode 4: only relay candidates are signalled and paired, no
     * STUN server is contacted (stun_host is ignored), a datagram that did
     * not come through a TURN server is dropped (libnice's force-relay),
     * and the related address of each candidate we write is 0.0.0.0 port 0
     * (libnice writes the local socket's there). Needs a TURN server. */
    gboolean relay_only;
} ScIceConfig;

/* RFC 8828 Modes 2 and 3 (ip-handling.c): the local addresses of the
 * default route, IPv4 and IPv6 (each family's route taken alone), as
 * text; with @whole_interface every address of the route's interface
 * (Mode 2's "associated" addresses; IPv6 link-local ones left out), else
 * only the address the kernel sends from (Mode 3). No packet is sent.
 * %SC_ERROR_ICE_FAILED when there is no default route.
 * (transfer full): NULL-terminated, g_strfreev(). */
char **sc_ice_default_route_addresses(gboolean whole_interface,
                                      GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* RFC 8445 §6.1.2.5: "The default limit of candidate pairs for the
 * checklist set is 100, but the value MUST be configurable." */
#define SC_ICE_MAX_PAIRS_DEFAULT 100
#define SC_ICE_MAX_PAIRS_MAX 1000

/* Errors: %SC_ERROR_INVALID_ARGUMENT for relay_only without a TURN
 * server, a bad address or an unreadable ca_file. A turns: server is not
 * given to libnice as TURN_TLS: libnice 0.1.21's TURN-TLS is no TLS for an
 * RFC 5245 agent (it sends TURN in the clear over TCP; agent.c's TURN_TLS
 * only wraps Google's and OC2007's fake handshakes), see ScTurnTlsProxy. */
ScIceTransport *sc_ice_transport_new(GMainContext *ctx, const char *log_id,
                                     const ScIceConfig *config,
                                     const ScIceCallbacks *cb,
                                     gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_ice_transport_free(ScIceTransport *t);

/* The checklist limit in force (libnice's max-connectivity-checks). */
guint sc_ice_transport_get_max_pairs(ScIceTransport *t);

/* Our credentials (random, RFC 8839 lengths); borrowed. */
const char *sc_ice_transport_get_ufrag(ScIceTransport *t);
const char *sc_ice_transport_get_pwd(ScIceTransport *t);

/* RFC 8445 §14.2 pacing: we propose SC_ICE_TA_LOCAL_MS (a=ice-pacing);
 * the default when a peer proposes nothing is SC_ICE_TA_DEFAULT_MS. */
#define SC_ICE_TA_LOCAL_MS 5
#define SC_ICE_TA_DEFAULT_MS 50

/* Retransmissions of a connectivity check (RFC 5389 Rc; libnice's default
 * is 3, the RFC's 7). Each doubles the wait (RTO 500 ms, RFC 8445 §14.3's
 * floor; the last one halves it): 5 give 6 sends over 19.5 s, so a check
 * is lost at 30 % loss each way with 0.51^6 = 1.8 % (3.5 % with 4, 6.8 %
 * with 3), and a dead path fails in about 20 s (7.2 s with 3; browsers
 * give up on a pair after about 30 s; 7 would take 80 s). Consent checks
 * are not retransmitted (RFC 7675 §5.1). */
#define SC_ICE_CHECK_RETRANSMISSIONS 5

/* A checklist that never connected and whose pairs have all failed is
 * not yet failed (RFC 8445 §7.3.1.4: the peer's checks make a failed
 * pair Waiting again; §8.1.2: the peer may still be checking): the state
 * stays CHECKING (on_checks_failed is called) until the checklist has
 * stayed failed for SC_ICE_FAIL_GRACE_MS (one check transaction of the
 * peer's, about 15-20 s, and its nomination); while libnice checks again
 * (a revived pair, an ICE restart's pairs) its verdict is awaited. FAILED
 * comes at the latest SC_ICE_FAIL_MAX_MS after the first failure. */
#define SC_ICE_FAIL_GRACE_MS 20000
#define SC_ICE_FAIL_MAX_MS 60000

/* @remote_ms: the peer's a=ice-pacing, 0 when absent. Call before remote
 * candidates are added. */
void sc_ice_transport_set_pacing(ScIceTransport *t, guint remote_ms);

/* Starts gathering (host candidates arrive at once, from inside this
 * call; server-reflexive ones later). Gathering needs no remote
 * description: call/ gathers as soon as the call has a role, so that the
 * offer or answer can carry the candidates itself (RFC 8838 §4.1 allows
 * an initial description with candidates). */
gboolean sc_ice_transport_gather(ScIceTransport *t, GError **error);
/* The candidates gathered so far, "candidate:..." lines (no "a="), in
 * libnice's order. (transfer full): NULL-terminated, g_strfreev(). */
char **sc_ice_transport_get_local_candidates(ScIceTransport *t)
    G_GNUC_WARN_UNUSED_RESULT;
/* TRUE once gathering has finished (no candidate will follow). */
gboolean sc_ice_transport_is_gathering_done(ScIceTransport *t);
gboolean sc_ice_transport_set_remote_credentials(ScIceTransport *t,
                                                 const char *ufrag,
                                                 const char *pwd,
                                                 GError **error);
/* @candidate: "candidate:..." line. Candidates whose ufrag extension names
 * another generation are ignored (TRUE, nothing added). Candidates after
 * end-of-candidates are ignored. An mDNS candidate ("<uuid>.local", the
 * draft's form only; other .local names are ignored) is added once its
 * name resolves (ice-reveal.c, mdns.c; ignored if it does not), and the
 * peer's end-of-candidates reaches libnice only after the lookups of the
 * candidates waiting for them. */
gboolean sc_ice_transport_add_remote_candidate(ScIceTransport *t,
                                               const char *candidate,
                                               GError **error);
void sc_ice_transport_remote_gathering_done(ScIceTransport *t);
/* Number of remote candidates libnice holds (for tests and the inspector). */
guint sc_ice_transport_get_n_remote_candidates(ScIceTransport *t);

/* RFC 7675 §5.1: consent expires 30 s after the last consent response.
 * libnice 0.1.21 gives up on a pair 10 s after its last response
 * (agent-priv.h, NICE_AGENT_TIMER_CONSENT_TIMEOUT); the deadline is ours,
 * from the response's time (consent-watch.h), or 20 s after libnice gave
 * up when that time is unknown. */
#define SC_ICE_CONSENT_EXPIRY_MS 30000
#define SC_ICE_LIBNICE_CONSENT_TIMEOUT_MS 10000
/* When libnice gives up on the pair and the last consent response is
 * younger than this, the same pair is selected again at once and the
 * transport stays CONNECTED (sending goes on; RFC 7675 allows 30 s):
 * at 30 % loss each way two unanswered checks in a row (libnice's 10 s)
 * are common, four (about 20 s) rare. libnice gives up again at most
 * 16 s later (its next check, 4-6 s, then 10 s): from then on the pair
 * is DISCONNECTED and an ICE restart has what is left of the 30 s. */
#define SC_ICE_CONSENT_HOLD_MS 20000

/* Receive buffer asked for the socket of the selected pair: room for a
 * full SCTP receive window (sctp/'s 2 MiB) plus media, so that a burst
 * the main loop has not yet read waits in the kernel instead of being
 * dropped there together with the consent responses among it (libnice
 * sends one consent check every 4-6 s and gives up after 10 s). The
 * kernel caps it at net.core.rmem_max. */
#define SC_ICE_RCVBUF_BYTES (4 * 1024 * 1024)

/* Received datagrams wait in a queue of at most SC_ICE_RXQ_MAX_BYTES and
 * are handed to on_recv SC_ICE_RX_BATCH at a time from a main-loop
 * source. libnice reads a socket until it would block and calls us for
 * each datagram inside that one dispatch, so processing there would let
 * a peer that sends faster than we process hold the loop for as long as
 * it keeps sending: no timer (libnice's consent checks, DTLS and SCTP
 * retransmissions, media) would run. Beyond the bound, datagrams are
 * dropped as the kernel would have dropped them (counted). */
#define SC_ICE_RXQ_MAX_BYTES (4 * 1024 * 1024)
#define SC_ICE_RX_BATCH 64

/* Datagrams dropped because the receive queue was full. */
guint64 sc_ice_transport_get_rx_dropped(ScIceTransport *t);

/* Remote candidates taken per ICE generation (an ICE restart starts a new
 * one); more are ignored (a warning, once) and counted. libnice keeps
 * every remote candidate it is given; real peers send a handful. */
#define SC_ICE_MAX_REMOTE_CANDIDATES 200
guint64 sc_ice_transport_get_remote_candidates_ignored(ScIceTransport *t);

/* ICE restart (RFC 8445 §9): new local credentials (OpenSSL's RNG), the
 * remote generation forgotten (set the new one with
 * sc_ice_transport_set_remote_credentials()), local candidates kept (the
 * description that carries the new credentials lists them:
 * sc_ice_transport_get_local_candidates()). From CONNECTED the old pair
 * keeps carrying data until a new one is selected; from DISCONNECTED the
 * consent deadline keeps running. */
gboolean sc_ice_transport_restart(ScIceTransport *t, GError **error);
/* TRUE from a restart until its checks select a pair or all fail. When
 * they all fail after consent was lost, DISCONNECTED is reported again
 * (on_state), so that the caller can restart once more. */
gboolean sc_ice_transport_is_restarting(ScIceTransport *t);

/* Monotonic time (sc_clock_now_us) at which consent expires while
 * DISCONNECTED, else 0. */
gint64 sc_ice_transport_get_consent_deadline_us(ScIceTransport *t);

/* Sends one datagram on the selected pair. SC_DROP_STATE when there is no
 * pair or consent is lost. */
ScStatus sc_ice_transport_send(ScIceTransport *t, const guint8 *buf,
                               gsize len);

ScIceState sc_ice_transport_get_state(ScIceTransport *t);
const char *sc_ice_state_to_string(ScIceState s);
/* Types of the selected pair ("host", "srflx", "prflx", "relay"), or NULL.
 * A "prflx" remote type becomes "host" when the peer's mDNS candidate for
 * that address resolves after the pair was selected (ice-reveal.c). */
const char *sc_ice_transport_get_local_type(ScIceTransport *t);
const char *sc_ice_transport_get_remote_type(ScIceTransport *t);
/* The selected pair's addresses as the inspector shows them, "IP:port"
 * ("[IPv6]:port"), or NULL without a pair. (transfer full)
 * Ours only as far as our candidates revealed it to the peer: a relay
 * candidate's address (never the socket behind it), a server-reflexive
 * one's; a host or peer-reflexive one's unless relay-only or RFC 8828
 * Mode 3 hides it, or mDNS names it ("<uuid4>.local:port" then). When it
 * is hidden, NULL or the name, and *@hidden_by says why ("relay-only",
 * "default-route-only", "mdns"); else *@hidden_by is NULL. */
char *sc_ice_transport_get_local_address(ScIceTransport *t,
                                         const char **hidden_by)
    G_GNUC_WARN_UNUSED_RESULT;
/* The peer's: the address it revealed or we saw it come from, or the
 * mDNS name it signalled for it ("<uuid>.local:port") when that name
 * resolved to it. */
char *sc_ice_transport_get_remote_address(ScIceTransport *t)
    G_GNUC_WARN_UNUSED_RESULT;
/* @func (nullable), called with the callbacks' user_data when another
 * pair is selected while the state stays CONNECTED (an ICE restart begun
 * while connected, or libnice moving to a better pair): the two getters
 * above give its types. No state change tells of it. */
void sc_ice_transport_set_pair_func(ScIceTransport *t,
                                    void (*func)(gpointer user_data));
/* Relay-only: a transport still without a relay candidate this long after
 * gathering began (never connected: it has nothing to pair) fails
 * (sc_ice_transport_get_failure()).
 * It fails at once when libnice's gathering ends without one (a wrong
 * password, a server that refuses) or every TURN server is a turns: one
 * whose TLS failed; this deadline is for the rest (a server that does not
 * answer; libnice gives up on it after about 40 s, and never finishes
 * gathering while a failed turns: server waits beside a working one). */
#define SC_ICE_RELAY_GATHER_DEADLINE_MS 30000

/* Whether the transport runs relay-only (ScIceConfig.relay_only). */
gboolean sc_ice_transport_is_relay_only(ScIceTransport *t);
/* Mid-call change of relay-only (libnice's force-relay on the live
 * agent, ice-relay.c), in force from the next sc_ice_transport_restart(),
 * which the caller makes at once: the restart's pairs, our signalled
 * candidates (sc_ice_transport_get_local_candidates()) and peer-reflexive
 * ones follow it; with @relay_only a datagram that did not come through a
 * TURN server is dropped from now on (the old direct pair's too, until
 * the restart selects a relay pair). The sockets and the TURN allocations
 * stay: a restart gathers nothing, so allowing direct candidates adds the
 * host ones (and peer-reflexive ones learnt in the checks), never a
 * server-reflexive one. Errors: %SC_ERROR_INVALID_ARGUMENT for relay-only
 * without a TURN server, %SC_ERROR_INVALID_STATE when no relay candidate
 * was gathered or the transport is closed. */
gboolean sc_ice_transport_set_relay_only(ScIceTransport *t,
                                         gboolean relay_only, GError **error);
/* Why the transport FAILED when it was not for want of a working pair
 * (relay-only with no relay candidate gathered), else NULL. */
const char *sc_ice_transport_get_failure(ScIceTransport *t);
/* Microseconds (sc_clock_now_us) of the last inbound non-STUN datagram,
 * 0 before any. */
gint64 sc_ice_transport_get_last_inbound_us(ScIceTransport *t);
/* Microseconds (sc_clock_now_us) of the peer's last consent response
 * (RFC 7675) seen on the selected pair (ice/consent-watch.h; the pair's
 * selection counts as one), 0 before any or when the pair cannot be
 * watched. Never fresher than the truth: a response slipping past the
 * watch makes it older. */
gint64 sc_ice_transport_get_last_consent_us(ScIceTransport *t);

void sc_ice_transport_close(ScIceTransport *t);

G_END_DECLS

#endif
