/* sealcall - the signaling relay server (interop contract section 1).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_RELAY_H
#define SC_RELAY_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * sc_relay_new:
 * @context: (nullable) (transfer none): main context the server runs on;
 *   %NULL for the thread-default context
 * @host: (transfer none): address to listen on, such as "127.0.0.1"
 * @port: TCP port, or 0 to pick a free one (see sc_relay_get_port())
 * @error: return location for a #GError, or %NULL
 *
 * Starts a WebSocket relay at ws://HOST:PORT/room/NAME: at most two
 * participants per room, frames forwarded unchanged to the other
 * participant; oversize (> 256 KiB) frames, frames that are not JSON
 * objects (RFC 8259) and frames of the relay's own types (room,
 * peer-joined, peer-left) dropped.
 *
 * Limits (defaults below, see the sc_relay_set_*() functions) and the
 * close codes that enforce them:
 * - 4408 "too slow": a connection whose unsent backlog (frames the relay
 *   queued for it that have not reached its socket) would go over
 *   sc_relay_set_max_queued() is closed; the frame is not queued.
 * - 4429 "rate limit": a connection that sends frames faster than
 *   sc_relay_set_frame_rate() allows is closed.
 * - HTTP 503 (before the WebSocket upgrade), or close code 4503 for an
 *   upgrade that raced past the check: the relay has
 *   sc_relay_set_max_connections() connections or
 *   sc_relay_set_max_rooms() rooms already.
 * - 4409: the room has two participants already.
 * - No close frame: a peer that sends a message over 1 MiB (also in
 *   fragments), or more than 64 pings while not reading the pongs, is
 *   dropped.
 * - HTTP 413: a request with a body (nothing the relay serves takes one;
 *   none is kept in memory).
 * - No response: a connection that has not completed its HTTP request (or
 *   WebSocket upgrade) within sc_relay_set_request_timeout() is closed;
 *   beyond sc_relay_set_max_connections() connections in that phase, a
 *   new one is closed at once.
 * - 4408 "idle": a WebSocket connection that sends nothing, not even a
 *   pong to the relay's pings, for sc_relay_set_idle_timeout().
 * - 1001: sc_relay_close().
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a bad host,
 * %SC_ERROR_SIGNALING_FAILED when the port cannot be bound.
 *
 * Returns: (transfer full) (nullable): the relay, release with
 *   sc_relay_free(); %NULL with @error set on failure.
 * Since: 0.1
 */
SC_API ScRelay *sc_relay_new(GMainContext *context, const char *host,
                             guint16 port, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Default limits of a new relay. */
#define SC_RELAY_DEFAULT_MAX_CONNECTIONS 1000
#define SC_RELAY_DEFAULT_MAX_ROOMS 500
#define SC_RELAY_DEFAULT_MAX_QUEUED (1024 * 1024)
#define SC_RELAY_DEFAULT_FRAME_RATE 50
#define SC_RELAY_DEFAULT_FRAME_BURST 200
/* Smallest send-queue bound: one frame of the largest size forwarded. */
#define SC_RELAY_MIN_MAX_QUEUED (256 * 1024)

/**
 * sc_relay_set_max_connections:
 * @n: at least 1
 *
 * Most WebSocket connections (upgrades in progress included) at a time;
 * further upgrade requests get HTTP 503. Applies to new connections.
 * Default %SC_RELAY_DEFAULT_MAX_CONNECTIONS.
 * Since: 0.1
 */
SC_API void sc_relay_set_max_connections(ScRelay *relay, guint n);

/**
 * sc_relay_set_max_rooms:
 * @n: at least 1
 *
 * Most rooms at a time; a request that would open another gets HTTP 503.
 * Default %SC_RELAY_DEFAULT_MAX_ROOMS.
 * Since: 0.1
 */
SC_API void sc_relay_set_max_rooms(ScRelay *relay, guint n);

/**
 * sc_relay_set_max_queued:
 * @bytes: at least %SC_RELAY_MIN_MAX_QUEUED
 *
 * Bound of what waits to be sent on one connection (payload bytes queued
 * by the relay and not yet written to the socket). A connection that does
 * not read fast enough to stay under it is closed with 4408.
 * Default %SC_RELAY_DEFAULT_MAX_QUEUED.
 * Since: 0.1
 */
SC_API void sc_relay_set_max_queued(ScRelay *relay, gsize bytes);

/**
 * sc_relay_set_frame_rate:
 * @per_second: sustained frames per second per connection, at least 1
 * @burst: frames a connection may send at once, at least 1
 *
 * Token bucket on the frames each connection sends (dropped frames
 * count); a connection that goes over is closed with 4429.
 * Defaults %SC_RELAY_DEFAULT_FRAME_RATE and %SC_RELAY_DEFAULT_FRAME_BURST.
 * Since: 0.1
 */
SC_API void sc_relay_set_frame_rate(ScRelay *relay, guint per_second,
                                    guint burst);

#define SC_RELAY_DEFAULT_REQUEST_TIMEOUT 10
#define SC_RELAY_DEFAULT_IDLE_TIMEOUT 90

/**
 * sc_relay_set_request_timeout:
 * @seconds: at least 1
 *
 * Time a connection has, from its first byte expected (or the end of its
 * previous request), to complete an HTTP request and get its response (for
 * /room, the WebSocket upgrade); then it is closed without a response.
 * Connections in that phase are counted apart from WebSocket connections,
 * up to sc_relay_set_max_connections(); a new one beyond is closed at once.
 * Applies to requests that start afterwards.
 * Default %SC_RELAY_DEFAULT_REQUEST_TIMEOUT.
 * Since: 0.1
 */
SC_API void sc_relay_set_request_timeout(ScRelay *relay, guint seconds);

/**
 * sc_relay_set_idle_timeout:
 * @seconds: at least 3
 *
 * A WebSocket connection from which nothing arrives (no frame, not even
 * a pong to the relay's pings, sent every third of @seconds) for @seconds
 * is closed with 4408 "idle". Applies to connections that join
 * afterwards. Default %SC_RELAY_DEFAULT_IDLE_TIMEOUT.
 * Since: 0.1
 */
SC_API void sc_relay_set_idle_timeout(ScRelay *relay, guint seconds);

/**
 * sc_relay_get_port:
 * Returns: the TCP port the relay listens on.
 * Since: 0.1
 */
SC_API guint16 sc_relay_get_port(ScRelay *relay);

/**
 * sc_relay_set_test_page:
 * @relay: the relay
 * @enabled: %TRUE to serve the test page, %FALSE (the default) not to
 *
 * FOR TESTS ONLY. The relay always serves its web client at / (the page a
 * user opens); with @enabled it also serves /test.html, the same client
 * with a test driver that copies every event of the page (received chat
 * included) to the room named by its report=NAME query parameter and runs
 * the commands that arrive there. Anybody who can make a browser open a
 * link to such a relay can thus read and drive that page: never enable it
 * on a relay that users reach. When off, /test.html and /test-hooks.js are
 * 404. Call it from the relay's context; it applies to later requests.
 *
 * Since: 0.1
 */
SC_API void sc_relay_set_test_page(ScRelay *relay, gboolean enabled);

/**
 * sc_relay_close:
 * Closes every connection (close code 1001) and stops listening.
 * Since: 0.1
 */
SC_API void sc_relay_close(ScRelay *relay);

/**
 * sc_relay_free:
 * Closes (if needed) and frees the relay. Never runs user callbacks.
 * Since: 0.1
 */
SC_API void sc_relay_free(ScRelay *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScRelay, sc_relay_free)

G_END_DECLS

#endif /* SC_RELAY_H */
