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

/* Loads the first certificate and the first private key from one PEM file,
 * checks that they match, and rejects RSA keys shorter than 2048 bits and
 * keys other than RSA/EC. Errors: %SC_ERROR_IDENTITY. */
ScCert *sc_cert_load_pem(const char *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

ScCert *sc_cert_ref(ScCert *cert);
void sc_cert_unref(ScCert *cert);

/* Borrowed; valid as long as the ScCert. */
X509 *sc_cert_get_x509(ScCert *cert);
EVP_PKEY *sc_cert_get_key(ScCert *cert);

/* "sha-256 AB:CD:..." of the certificate. (transfer full): g_free(). NULL
 * only if @hash is invalid or OpenSSL fails. */
char *sc_cert_get_fingerprint(ScCert *cert, ScHash hash)
    G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScCert, sc_cert_unref)

G_END_DECLS

#endif /* SC_KEYS_H */
