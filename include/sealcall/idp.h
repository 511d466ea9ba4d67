/* sealcall - the reference identity provider (IdP) server, `sealcall idp`.
 *
 * An HTTPS server (RFC 8827 §7, W3C "Identity for WebRTC 1.0") that
 * speaks for one domain: users log in with a password on its login page,
 * its IdP proxy scripts (/.well-known/idp-proxy/default for the W3C
 * register API, /.well-known/idp-proxy/seed for the postMessage protocol
 * of draft-ietf-rtcweb-security-arch-10 §5.6.5) ask it for ES256-signed
 * assertions (JWS compact) that bind the user's identity, or a pseudonym
 * (a per-user, per-origin surrogate identity), to the fingerprints of a
 * call, and ask it to validate them. The README's `sealcall idp` section
 * documents the endpoints, the users file and the assertion format.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_IDP_PUBLIC_H
#define SC_IDP_PUBLIC_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * ScIdpServer:
 * A running reference IdP server. Single owner. Since: 0.1
 */
typedef struct ScIdpServer ScIdpServer;

/**
 * ScIdpServerConfig:
 * @host: IP address to listen on, such as "127.0.0.1"
 * @port: TCP port, 0 for any free one (see sc_idp_server_get_port())
 * @domain: the domain the IdP speaks for: identities are USER@DOMAIN;
 *   a DNS name (letters, digits, '-', '.'), at most 253 bytes
 * @tls_cert_file: PEM certificate (chain) of the HTTPS server
 * @tls_key_file: PEM private key of @tls_cert_file; refused when group or
 *   others may read or write it
 * @users_file: the users and their password hashes (sc_idp_hash_password())
 * @signing_key_file: PEM ECDSA P-256 private key that signs assertions;
 *   made (mode 0600) when it does not exist; refused when group or others
 *   may read or write it
 * @assertion_lifetime: seconds an assertion is valid, 1 to 3600; 0 for
 *   %SC_IDP_DEFAULT_ASSERTION_LIFETIME
 *
 * What sc_idp_server_new() needs. Every string is borrowed for the call only.
 * Since: 0.1
 */
typedef struct {
    const char *host;
    guint16 port;
    const char *domain;
    const char *tls_cert_file;
    const char *tls_key_file;
    const char *users_file;
    const char *signing_key_file;
    guint assertion_lifetime;
} ScIdpServerConfig;

/* Seconds an assertion is valid by default: long enough for a slow
 * offer/answer, short enough that a captured one is soon useless. */
#define SC_IDP_DEFAULT_ASSERTION_LIFETIME 300

/**
 * sc_idp_server_new:
 * @context: (nullable) (transfer none): main context the server runs on;
 *   %NULL for the thread-default context
 * @config: (transfer none): the server's configuration
 * @error: return location for a #GError, or %NULL
 *
 * Loads the users, the TLS certificate and the signing key, and listens.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a bad host, domain or lifetime,
 * or a users file that cannot be read or parsed;
 * %SC_ERROR_CERTIFICATE for a TLS or signing key that cannot be used or
 * is readable by others; %SC_ERROR_SIGNALING_FAILED when the port cannot
 * be bound.
 * Returns: (transfer full) (nullable): the server, release with
 *   sc_idp_server_free(); %NULL with @error set on failure.
 * Since: 0.1
 */
SC_API ScIdpServer *sc_idp_server_new(GMainContext *context, const ScIdpServerConfig *config,
                         GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_idp_server_get_port:
 * Returns: the TCP port the server listens on.
 * Since: 0.1
 */
SC_API guint16 sc_idp_server_get_port(ScIdpServer *idp);

/**
 * sc_idp_server_get_key_id:
 * Returns: (transfer none): the key id (`kid`, the RFC 7638 thumbprint of
 *   the signing key) of the assertions and of the JWKS.
 * Since: 0.1
 */
SC_API const char *sc_idp_server_get_key_id(ScIdpServer *idp);

/**
 * sc_idp_server_free:
 * Stops listening, closes every connection and frees the server; the
 * sessions (logins) are forgotten.
 * Since: 0.1
 */
SC_API void sc_idp_server_free(ScIdpServer *idp);

/**
 * sc_idp_hash_password:
 * @password: the password, 1 to 1024 bytes
 * @error: return location for a #GError, or %NULL
 *
 * Hashes @password for a users-file line `NAME:HASH` with scrypt (a fresh
 * 16-byte salt; N=16384, r=8, p=1; 32-byte output), as
 * `scrypt$16384$8$1$SALT$HASH` (SALT and HASH in unpadded base64url).
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for an empty or too long password,
 * %SC_ERROR_INTERNAL when the KDF fails.
 * Returns: (transfer full) (nullable): the hash, g_free() it.
 * Since: 0.1
 */
SC_API char *sc_idp_hash_password(const char *password, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_idp_user_name_is_valid:
 * @name: a user name
 *
 * Returns: whether @name may be a user of the users file: 1 to 64 of
 * a-z, 0-9, '.', '_' and '-', not starting with "p-" (the pseudonyms'
 * prefix) and not "pseudonym" (the hint that asks for one).
 * Since: 0.1
 */
SC_API gboolean sc_idp_user_name_is_valid(const char *name);

G_END_DECLS

#endif /* SC_IDP_PUBLIC_H */
