/* src/keys - DTLS certificates and their fingerprints.
 *
 * Certificates: a fresh ECDSA P-256 key with a self-signed X.509 certificate
 * (RFC 8827 §6.5), or one loaded from a PEM file. Fingerprints: the digest
 * of a certificate and the verification rule (RFC 8122 §5.1: strongest
 * offered hash, SHA-256 or better); the a=fingerprint value itself is
 * parsed by sdp/ (sc_fingerprint_parse()).
 *
 * fingerprint.c is pure (no I/O, no globals): it can be fuzzed alone.
 * Everything here is usable from any thread; ScCert is immutable after
 * creation and its refcount is atomic.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_KEYS_H
#define SC_KEYS_H

#include "core/core.h"
#include "sdp/sdp.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

/* ---- hashes and fingerprints ---- */

/* ScHash, ScFingerprint and the a=fingerprint parser (sc_fingerprint_parse,
 * with the one rule for accepted hashes) are in sdp/sdp.h: sdp/ is below
 * keys/ and both need them. */

/* Digest of the DER encoding of @cert under @hash. FALSE if OpenSSL fails
 * (its error queue is cleared). */
gboolean sc_fingerprint_compute(X509 *cert, ScHash hash, ScFingerprint *out)
    G_GNUC_WARN_UNUSED_RESULT;

/* RFC 8122 §5.1: selects the strongest hash among @fps (which must be
 * SHA-256 or stronger; entries with weaker hashes are ignored) and checks
 * that @cert matches one fingerprint of that hash, comparing in constant
 * time. On success copies the matching fingerprint into @matched_out (may be
 * NULL). Errors: %SC_ERROR_INVALID_ARGUMENT when no usable fingerprint was
 * given (none, or only hashes sc_hash_is_accepted() refuses),
 * %SC_ERROR_FINGERPRINT_MISMATCH when the certificate matches none (the
 * message names the expected and the received digests, which are public
 * values). */
gboolean sc_fingerprint_verify(X509 *cert, const ScFingerprint *fps,
                               gsize n_fps, ScFingerprint *matched_out,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Short authentication string of a call, the same on both ends:
 *
 *   SAS = first 8 bytes of SHA-256( lo.hash || lo.digest || hi.hash ||
 *                                   hi.digest )
 *
 * where each ".hash" is one byte (the ScHash value), lo/hi are @a and @b
 * ordered by (hash, len, digest bytes) so that the result does not depend on
 * which side is "local". The 8 bytes are printed as 4 groups of 4 upper-case
 * hex digits separated by '-' ("1A2B-3C4D-5E6F-7081"). Both users read it
 * aloud; a man in the middle who replaced either fingerprint changes it.
 * (transfer full): g_free(). */
char *sc_fingerprint_sas(const ScFingerprint *a, const ScFingerprint *b)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- certificates ---- */

typedef struct ScCert ScCert;

/* A fresh ECDSA P-256 key and a self-signed X.509v3 certificate: SHA-256
 * signature, random positive 128-bit serial, subject and issuer CN=sealcall,
 * valid from now - 1 day to now + 30 days. (transfer full): sc_cert_unref().
 * Errors: %SC_ERROR_INTERNAL (OpenSSL failure, reason in the message). */
ScCert *sc_cert_new_ecdsa(GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* At most this many certificates after the leaf in a `--cert` file. */
#define SC_CERT_CHAIN_MAX 8

/* A configured identity (`--cert FILE`): loads the first certificate (the
 * leaf), the certificates after it (its chain, at most
 * SC_CERT_CHAIN_MAX, sent after it in the handshake; not checked here)
 * and the first private key from one PEM file (either order; the key
 * unencrypted) and refuses, each with a one-line message that starts with
 * @path: a file that is not a regular file or that group or others may
 * access (as ssh does for its keys: the file holds a private key), a file
 * over 1 MiB, a missing or malformed certificate or key, a certificate
 * that is expired or not yet valid, a key other than ECDSA P-256, ECDSA
 * P-384 or RSA of 2048 to 8192 bits (what DTLS 1.2 peers, browsers
 * included, accept), and a key that does not match the certificate.
 * Errors: %SC_ERROR_CERTIFICATE. */
ScCert *sc_cert_load_pem(const char *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* The part of sc_cert_load_pem() after reading: parses @len bytes of PEM
 * (anything before, between and after the PEM blocks is ignored) and
 * checks the key type and that key and certificate match, but not the
 * validity period; @name starts the error messages. Errors:
 * %SC_ERROR_CERTIFICATE. */
ScCert *sc_cert_from_pem(const char *data, gsize len, const char *name,
                         GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads a file that holds a private key: refuses (%SC_ERROR_CERTIFICATE,
 * the message starts with @path) what is not a regular file, a file
 * group or others may access, and one over @max_len bytes. The
 * descriptor is checked, not the name (no race between the check and the
 * read); a FIFO does not block. (transfer full): *@data_out, wipe it with
 * sc_secure_wipe() and g_free(). */
gboolean sc_keys_read_private_file(const char *path, gsize max_len,
                                   char **data_out, gsize *len_out,
                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A fresh self-signed certificate (as sc_cert_new_ecdsa()) over an
 * existing key, valid from now - 1 day for @days days: how a stored
 * per-origin key gets a new certificate. Takes a reference on @key.
 * Errors: %SC_ERROR_INTERNAL. */
ScCert *sc_cert_new_for_key(EVP_PKEY *key, guint days, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Refuses (%SC_ERROR_CERTIFICATE, the message starts with @name) a
 * certificate that is not valid at @now (seconds since the epoch). */
gboolean sc_cert_check_validity(ScCert *cert, gint64 now, const char *name,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The validity period, in seconds since the epoch. */
void sc_cert_get_validity(ScCert *cert, gint64 *not_before,
                          gint64 *not_after);

/* The key and then the certificate, PEM. Holds the private key: wipe
 * with sc_secure_wipe() before g_free(). NULL if OpenSSL fails. */
char *sc_cert_to_pem(ScCert *cert, gsize *len_out) G_GNUC_WARN_UNUSED_RESULT;

/* The hash of our a=fingerprint for @cert: the digest of the
 * certificate's signature when that is SHA-256, SHA-384 or SHA-512 (RFC
 * 8122 §5: the same hash as the signature), otherwise SHA-256. */
ScHash sc_cert_get_fingerprint_hash(ScCert *cert);

ScCert *sc_cert_ref(ScCert *cert);
void sc_cert_unref(ScCert *cert);

/* Borrowed; valid as long as the ScCert. */
X509 *sc_cert_get_x509(ScCert *cert);
/* The certificates after the leaf in a configured file (a CA-issued
 * identity's intermediates, sent after it in the handshake), or NULL. */
STACK_OF(X509) *sc_cert_get_chain(ScCert *cert);
EVP_PKEY *sc_cert_get_key(ScCert *cert);

/* "sha-256 AB:CD:..." of the certificate. (transfer full): g_free(). NULL
 * only if @hash is invalid or OpenSSL fails. */
char *sc_cert_get_fingerprint(ScCert *cert, ScHash hash)
    G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScCert, sc_cert_unref)

/* ---- the per-origin key store (store.c) ---- */

/* A stored certificate is valid this long, and is replaced by a new one
 * over the same key this many days before it expires. */
#define SC_KEY_STORE_CERT_DAYS 365
#define SC_KEY_STORE_RENEW_DAYS 30

/* The key of @origin (normalised by sc_key_origin_normalize(), public
 * header) in the store @dir: loaded, renewed when due, or made and
 * written atomically when the store has none. Never the key of another
 * origin. Errors: %SC_ERROR_CERTIFICATE (the message names the file or
 * directory and why), %SC_ERROR_INTERNAL (key generation). */
ScCert *sc_key_store_get(const char *dir, const char *origin, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- X.509 peer identities (x509-identity.c) ---- */

/* Why a peer's certificate does not identify it; the names (for the
 * `identity` event's `error`) are sc_x509_error_name()'s. */
typedef enum {
    SC_X509_ERROR_UNTRUSTED,   /* "x509-untrusted": no chain to --ca */
    SC_X509_ERROR_EXPIRED,     /* "x509-expired": a certificate of the
                                * chain is expired or not yet valid */
    SC_X509_ERROR_USAGE,       /* "x509-bad-usage": a CA as the leaf, an
                                * issuer that is no CA, key usage */
    SC_X509_ERROR_NO_IDENTITY, /* "x509-no-identity" */
    SC_X509_ERROR_ANCHORS,     /* "x509-no-anchors": --ca unreadable */
    SC_X509_ERROR_MISMATCH,    /* "x509-identity-mismatch" (the call's
                                * --peer-identity; not set here) */
    SC_X509_ERROR_N
} ScX509Error;

#define SC_X509_ERROR sc_x509_error_quark()
GQuark sc_x509_error_quark(void);
const char *sc_x509_error_name(ScX509Error code);

typedef struct {
    char *identity; /* the first user@domain rfc822Name SAN, else the CN */
    char *subject;  /* RFC 2253, printable ASCII (escaped), bounded */
    char *issuer;
} ScX509Identity;

void sc_x509_identity_free(ScX509Identity *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScX509Identity, sc_x509_identity_free)

/* A store holding only the certificates (and CRLs) of the PEM file
 * @path: never the system's default trust anchors. Errors:
 * %SC_X509_ERROR_ANCHORS. (transfer full): X509_STORE_free(). */
X509_STORE *sc_x509_anchors_load(const char *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Verifies @leaf (the peer's DTLS certificate, whose fingerprint DTLS
 * already matched) with the intermediates @untrusted (nullable; what the
 * peer sent, at most SC_CERT_CHAIN_MAX + 1) up to a self-signed anchor
 * of @anchors: signatures, validity at @now (seconds since the epoch; -1
 * for the current time), basic constraints and path lengths; the leaf
 * must not be a CA nor an anchor itself, and its keyUsage (when present)
 * must allow digitalSignature and its extendedKeyUsage (when present)
 * clientAuth, serverAuth or any. Errors: %SC_X509_ERROR with a message
 * naming the certificate and the reason. (transfer full). */
ScX509Identity *sc_x509_identity_verify(X509 *leaf,
                                        STACK_OF(X509) *untrusted,
                                        X509_STORE *anchors, gint64 now,
                                        GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

#endif /* SC_KEYS_H */
