/* src/ice/consent-watch.h - when the peer last answered one of our
 * consent checks (RFC 7675), which libnice 0.1.21 keeps to itself.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ICE_CONSENT_WATCH_H
#define SC_ICE_CONSENT_WATCH_H

#include "core/core.h"
#include "ice/consent-turn.h"

#include <gio/gio.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/* libnice consumes every STUN message it reads (our receive callback sees
 * only the rest) and exports no time of the last consent response. The
 * watch looks at the datagrams of the selected pair's socket before
 * libnice reads them: MSG_PEEK with SO_PEEK_OFF (Linux: each peek moves
 * past the datagrams already seen, each read by libnice moves back), in
 * batches (recvmmsg), from a GSource whose check() runs after every poll
 * that found the socket readable, before any source is dispatched, and
 * from the receive path once libnice has read what the last peek saw. A Binding success response from the remote address
 * whose MESSAGE-INTEGRITY verifies with the remote ICE password (RFC 8445
 * §7.2.5.2.1) is a consent response. A response libnice reads between two
 * peeks (it reads until the socket is empty) is missed, so the age is an
 * upper bound: never fresher than the truth. A relayed pair is watched on
 * libnice's socket to the TURN server, inside TURN (see
 * sc_consent_watch_new_turn()). */
typedef struct ScConsentWatch ScConsentWatch;

/* Datagrams peeked by one recvmmsg(). */
#define SC_CONSENT_WATCH_PEEK_BATCH 16
/* TURN over TCP: bytes peeked at once from the stream (on the stack);
 * frames past them wait for the next peek (libnice reads them first, and
 * a response among them is missed: the age stays an upper bound). */
#define SC_CONSENT_WATCH_STREAM_PEEK 4096

/* Watches @sock (ref taken) for responses from @remote (copied). @last_us
 * (owned by the caller, outliving the watch) gets sc_clock_now_us() of
 * each consent response. NULL, logged, if the socket cannot be watched
 * (no SO_PEEK_OFF): the age is then unknown. */
ScConsentWatch *sc_consent_watch_new(GMainContext *ctx, const char *log_id,
                                     GSocket *sock,
                                     const struct sockaddr *remote,
                                     gsize remote_len, gint64 *last_us);
/* A relayed pair (libnice's relay candidate is ours): @sock is libnice's
 * socket to the TURN server (sc_consent_turn_find_socket(), @path says
 * how), @peer the remote candidate (the peer the server relays from),
 * @relayed our relay candidate's address. A consent response is an
 * authenticated Binding success response (as above) that the server
 * relays in ChannelData or in a Data indication from @peer, and whose
 * XOR-MAPPED-ADDRESS is @relayed (it answers a check sent from our
 * relay, not one through the same socket on another pair). With
 * ChannelData the peer is known by its password alone: which peer a
 * channel is bound to only libnice knows. The datagram's source is not
 * compared with the TURN server's: the MESSAGE-INTEGRITY, which only the
 * peer can make, and the XOR-MAPPED-ADDRESS are what count (on-path
 * replays, as on a direct pair, cannot be told apart). NULL as above. */
ScConsentWatch *sc_consent_watch_new_turn(GMainContext *ctx,
                                          const char *log_id, GSocket *sock,
                                          ScConsentPath path,
                                          const struct sockaddr *peer,
                                          gsize peer_len,
                                          const struct sockaddr *relayed,
                                          gsize relayed_len, gint64 *last_us);
/* Remote ICE passwords that may sign a consent response: the current
 * generation and, during an ICE restart, the previous one (nullable).
 * Copied; the copies are wiped on change and on free. */
void sc_consent_watch_set_keys(ScConsentWatch *w, const char *pwd,
                               const char *previous_pwd);

/* @fn(@data) runs after each consent response has been timed, and
 * @revoked(@data) for each authenticated Binding error response with
 * code 403 from the remote address (RFC 7675 §5.2: consent revoked),
 * both from the watch's check() or the receive path: they must not call
 * into libnice (defer instead). NULL: none. */
typedef void (*ScConsentWatchFunc)(gpointer data);
void sc_consent_watch_set_notify(ScConsentWatch *w, ScConsentWatchFunc fn,
                                 ScConsentWatchFunc revoked, gpointer data);
/* Peeks at most SC_CONSENT_WATCH_PEEK_BATCH datagrams not seen yet;
 * returns how many. */
guint sc_consent_watch_poll(ScConsentWatch *w);
/* To call for each datagram libnice hands us: peeks again once libnice
 * has read what the last peek saw. */
void sc_consent_watch_on_read(ScConsentWatch *w);
void sc_consent_watch_free(ScConsentWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScConsentWatch, sc_consent_watch_free)

/* TRUE if @buf is a STUN Binding success response (RFC 5389) with a
 * MESSAGE-INTEGRITY that verifies with @pwd (short-term credential). */
gboolean sc_stun_is_authentic_binding_success(const guint8 *buf, gsize len,
                                              const char *pwd);

typedef enum {
    SC_STUN_CONSENT_NONE,    /* not an authentic Binding response */
    SC_STUN_CONSENT_GRANTED, /* success response */
    SC_STUN_CONSENT_REVOKED, /* error response, 403 (RFC 7675 §5.2) */
} ScStunConsent;

/* What @buf says about consent, if it is a Binding response whose
 * MESSAGE-INTEGRITY verifies with @pwd. */
ScStunConsent sc_stun_consent_response(const guint8 *buf, gsize len,
                                       const char *pwd);

G_END_DECLS

#endif
