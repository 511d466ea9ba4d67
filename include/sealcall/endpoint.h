/* sealcall - the local endpoint.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ENDPOINT_H
#define SC_ENDPOINT_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * sc_endpoint_new:
 * @context: (nullable) (transfer none): the #GMainContext every call of this
 *   endpoint runs on (libnice, libsoup, DTLS and SCTP timers); %NULL means
 *   the thread-default context at the time of the call
 * @error: return location for a #GError, or %NULL
 *
 * Creates an endpoint and initialises the process-wide libraries it needs
 * (libsrtp, usrsctp) once. All functions on the endpoint and its calls must
 * be called from the thread that iterates @context.
 *
 * Errors: %SC_ERROR_INTERNAL when a library cannot be initialised.
 *
 * Returns: (transfer full) (nullable): the endpoint, release with
 *   sc_endpoint_unref(); %NULL with @error set on failure.
 * Since: 0.1
 */
SC_API ScEndpoint *sc_endpoint_new(GMainContext *context, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_endpoint_ref:
 * Returns: (transfer full): @endpoint, with one more reference.
 * Since: 0.1
 */
SC_API ScEndpoint *sc_endpoint_ref(ScEndpoint *endpoint);

/**
 * sc_endpoint_unref:
 * Drops one reference; the last one frees the endpoint. Never runs user
 * callbacks. Since: 0.1
 */
SC_API void sc_endpoint_unref(ScEndpoint *endpoint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScEndpoint, sc_endpoint_unref)

G_END_DECLS

#endif /* SC_ENDPOINT_H */
