/* sealcall - DTLS key scopes and the per-origin key store.
 *
 * A call's DTLS key pair is fresh for each call by default (unlinkable:
 * RFC 8827 §6.5), kept per signaling origin when asked
 * (sc_call_set_key_scope()), or configured from a file
 * (sc_call_set_certificate_file()). The per-origin keys live in a store
 * directory, by default $XDG_DATA_HOME/sealcall/keys (~/.local/share when
 * XDG_DATA_HOME is unset): the directory is 0700, each key a 0600 file
 * written atomically, and a key is only ever used for its own origin.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_KEYS_PUBLIC_H
#define SC_KEYS_PUBLIC_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * ScKeyScope:
 * @SC_KEY_SCOPE_PER_CALL: a fresh ECDSA P-256 key pair and certificate for
 *   each call (the default): two calls cannot be linked by fingerprint
 * @SC_KEY_SCOPE_PER_ORIGIN: one key pair per signaling origin
 *   (scheme://host:port of the signal URL), kept in the key store, so that
 *   the peers of one service can recognise us across calls (key
 *   continuity) while other services cannot link us to them
 * @SC_KEY_SCOPE_CONFIGURED: the certificate and key of a file, set with
 *   sc_call_set_certificate_file(), the same for every origin
 *
 * The strings of the inspector's `transport.key_scope` are "per-call",
 * "per-origin" and "configured".
 * Since: 0.1
 */
typedef enum {
    SC_KEY_SCOPE_PER_CALL = 0,
    SC_KEY_SCOPE_PER_ORIGIN = 1,
    SC_KEY_SCOPE_CONFIGURED = 2,
} ScKeyScope;

/**
 * sc_call_set_key_scope:
 * @call: an idle call
 * @scope: %SC_KEY_SCOPE_PER_CALL or %SC_KEY_SCOPE_PER_ORIGIN
 * @error: return location for a #GError, or %NULL
 *
 * Chooses the call's DTLS key pair. %SC_KEY_SCOPE_PER_ORIGIN takes the key
 * of the signal URL's origin (sc_key_origin_normalize()) from the default
 * store when the call starts, making and storing one the first time; a
 * store or key file that cannot be used makes sc_call_start() fail with
 * %SC_ERROR_CERTIFICATE. %SC_KEY_SCOPE_PER_CALL (the default) replaces a
 * configured certificate by a fresh key pair.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for %SC_KEY_SCOPE_CONFIGURED (use
 * sc_call_set_certificate_file()) or an unknown scope;
 * %SC_ERROR_INVALID_STATE after sc_call_start(); %SC_ERROR_INTERNAL when
 * key generation fails.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_key_scope(ScCall *call, ScKeyScope scope,
                                      GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_call_set_certificate_file:
 * @call: an idle call
 * @path: (transfer none): one PEM file with the certificate and its
 *   unencrypted private key, in either order; certificates after the
 *   first are its chain (a CA-issued identity's intermediates, at most
 *   8), sent after it in the DTLS handshake
 * @error: return location for a #GError, or %NULL
 *
 * Uses a configured certificate (key scope %SC_KEY_SCOPE_CONFIGURED),
 * loaded and checked now. Refused, with a one-line message that names the
 * file and the reason: a file group or others may access (chmod 600), a
 * missing, malformed, expired or not yet valid certificate, a key other
 * than ECDSA P-256/P-384 or RSA of 2048 to 8192 bits, and a key that does
 * not match the certificate. Our a=fingerprint uses the certificate's
 * signature hash when it is SHA-256/384/512, otherwise SHA-256.
 *
 * Errors: %SC_ERROR_CERTIFICATE as above; %SC_ERROR_INVALID_STATE after
 * sc_call_start().
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_call_set_certificate_file(ScCall *call, const char *path,
                                             GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_key_store_get_default_dir:
 *
 * Returns: (transfer full): the default store directory,
 *   $XDG_DATA_HOME/sealcall/keys; g_free() it.
 * Since: 0.1
 */
SC_API char *sc_key_store_get_default_dir(void) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_key_origin_normalize:
 * @url: (transfer none): a signal URL (ws://HOST[:PORT]/...) or an origin
 *   (wss://HOST[:PORT])
 * @error: return location for a #GError, or %NULL
 *
 * The origin a per-origin key belongs to: "ws://host:port" or
 * "wss://host:port" with the scheme and host in lower case, the default
 * port made explicit (80, 443), an internationalised name in its ASCII
 * (punycode) form, one trailing dot removed and an IPv6 address in its
 * canonical form between brackets. Path, query and room do not count.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT when @url is not a ws:// or wss://
 * URL with a valid host name or address (the message says why).
 * Returns: (transfer full) (nullable): the origin; g_free() it.
 * Since: 0.1
 */
SC_API char *sc_key_origin_normalize(const char *url, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * ScKeyStoreFunc:
 * @origin: (nullable): the origin the key belongs to; %NULL when @problem
 *   is set
 * @fingerprint: (nullable): its certificate's fingerprint, "sha-256 AB:..."
 * @created: when the key pair was made (seconds since the epoch)
 * @expires: when its current certificate expires (renewed over the same
 *   key 30 days before; the fingerprint then changes, the key does not)
 * @path: (transfer none): the file
 * @problem: (nullable): why the file cannot be used (unreadable, refused
 *   permissions, malformed); the other fields are then %NULL or 0
 * @user_data: as given
 *
 * The strings are borrowed for the duration of the call. @origin comes
 * from the file and is shown as stored: a program that prints it on a
 * terminal escapes control characters first.
 * Since: 0.1
 */
typedef void (*ScKeyStoreFunc)(const char *origin, const char *fingerprint,
                               gint64 created, gint64 expires,
                               const char *path, const char *problem,
                               gpointer user_data);

/**
 * sc_key_store_foreach:
 * @dir: (nullable): the store directory, %NULL for the default
 * @func: called once for each key file, in file-name order
 * @user_data: passed to @func
 * @error: return location for a #GError, or %NULL
 *
 * Lists the store. A store directory that does not exist is empty.
 *
 * Errors: %SC_ERROR_CERTIFICATE when the directory cannot be read or
 * group or others may access it.
 * Returns: %TRUE on success.
 * Since: 0.1
 */
SC_API gboolean sc_key_store_foreach(const char *dir, ScKeyStoreFunc func,
                                     gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_key_store_forget:
 * @dir: (nullable): the store directory, %NULL for the default
 * @origin: (transfer none): an origin or a signal URL, normalised by
 *   sc_key_origin_normalize()
 * @removed: (out) (optional): whether a key was removed (%FALSE: the store
 *   held none for @origin)
 * @error: return location for a #GError, or %NULL
 *
 * Removes the key of @origin: the next per-origin call to it makes a new
 * key pair. Removing is unlinking; the file system may keep the bytes.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for an origin that does not
 * normalise; %SC_ERROR_CERTIFICATE when the file cannot be removed.
 * Returns: %TRUE on success, also when there was nothing to remove.
 * Since: 0.1
 */
SC_API gboolean sc_key_store_forget(const char *dir, const char *origin,
                                    gboolean *removed, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

#endif /* SC_KEYS_PUBLIC_H */
