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
 * participant, oversize (> 256 KiB) and non-object frames dropped.
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
