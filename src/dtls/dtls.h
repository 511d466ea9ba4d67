/* src/dtls - DTLS 1.2 over one datagram flow (the ICE component), with
 * certificate-fingerprint verification (RFC 8122 §5.1, RFC 5763 §5,
 * RFC 8842 §5) and DTLS-SRTP key export (RFC 5764 §4.2).
 *
 * Threading: a transport lives on the GMainContext given to
 * sc_dtls_transport_new(); call it only from the thread iterating that
 * context. Its retransmission timer is a GLib timeout on that context.
 *
 * Callbacks are synchronous: they run from inside sc_dtls_transport_start(),
 * _receive(), _set_remote_fingerprints(), _close() or the retransmission
 * timer. From a callback the caller MAY call sc_dtls_transport_send(),
 * _close() and even _free() (the free is then completed when the outermost
 * transport call returns; no callback runs after it). The @send callback
 * must not feed datagrams back into sc_dtls_transport_receive()
 * synchronously: deliver them later (ICE does, the test wire does).
 *
 * Security: the transport reaches CONNECTED only after the peer certificate
 * matched one of the remote a=fingerprint values under the strongest offered
 * hash (sha-256 or better). If the fingerprints are known while the peer's
 * certificate is checked, a mismatch aborts the handshake with a
 * bad_certificate alert. If they arrive later, the handshake may finish but
 * application data is held back (bounded buffer) until the check passes; a
 * later mismatch drops it, sends close_notify (OpenSSL has no API for a
 * bad_certificate alert after the handshake) and goes FAILED.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_DTLS_H
#define SC_DTLS_H

#include "core/core.h"
#include "keys/keys.h"
#include "srtp/srtp.h"

G_BEGIN_DECLS

typedef enum {
    SC_DTLS_STATE_NEW,
    SC_DTLS_STATE_CONNECTING,
    SC_DTLS_STATE_CONNECTED,
    SC_DTLS_STATE_FAILED,
    SC_DTLS_STATE_CLOSED,
    SC_DTLS_N_STATES
} ScDtlsState;

/* Default path MTU: the largest datagram we send. */
#define SC_DTLS_DEFAULT_MTU 1200

typedef struct {
    /* One datagram to the wire (ICE). Every call is exactly one datagram of
     * at most the MTU. @buf is valid only during the call. */
    void (*send)(gpointer user_data, const guint8 *buf, gsize len);
    /* State changes. FAILED carries SC_ERROR_FINGERPRINT_MISMATCH (our own
     * check of the peer's certificate failed) or SC_ERROR_DTLS_FAILED (any
     * alert from the peer, a bad_certificate one included, which is only its
     * claim; a handshake error or retransmission timeout), valid only during
     * the call. CLOSED when the
     * peer sent close_notify or after sc_dtls_transport_close(). */
    void (*on_state)(gpointer user_data, ScDtlsState state,
                     const GError *error);
    /* Decrypted application data (SCTP packets); only once CONNECTED, so
     * never from an unverified peer. */
    void (*on_data)(gpointer user_data, const guint8 *buf, gsize len);
} ScDtlsCallbacks;

typedef struct ScDtlsTransport ScDtlsTransport;

/* @ctx: (transfer none) the context for timers (NULL: the thread-default);
 * @cert: (transfer none) our identity, a reference is taken;
 * @log_id: (nullable) short id for log lines; @cb: copied; @user_data for
 * every callback. Errors: %SC_ERROR_INTERNAL (OpenSSL setup failed).
 * (transfer full): sc_dtls_transport_free(). */
ScDtlsTransport *sc_dtls_transport_new(GMainContext *ctx, ScCert *cert,
                                       const char *log_id,
                                       const ScDtlsCallbacks *cb,
                                       gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Before start. The DTLS role comes from a=setup (active = client).
 * Default: server. */
void sc_dtls_transport_set_client(ScDtlsTransport *t, gboolean client);

/* Logs the "connected" line at debug level instead of info (the
 * warm-up's throwaway transports). */
void sc_dtls_transport_set_quiet(ScDtlsTransport *t);

/* Before start. ALPN (RFC 8833): by default we offer and accept "webrtc"
 * and "c-webrtc" (preferring "webrtc" as server) and a peer that offers
 * none (Chromium) is accepted; confidential (a peer identity is required)
 * offers and accepts "c-webrtc" only, and a handshake without it fails,
 * as Firefox does with peerIdentity set. */
void sc_dtls_transport_set_confidential(ScDtlsTransport *t,
                                        gboolean confidential);
/* The negotiated ALPN ("webrtc", "c-webrtc"), or "" (none, or not yet). */
const char *sc_dtls_transport_get_alpn(ScDtlsTransport *t);

/* Before start. Largest datagram we send (default 1200, minimum 256);
 * larger handshake messages are fragmented. */
void sc_dtls_transport_set_mtu(ScDtlsTransport *t, guint mtu);

/* The remote a=fingerprint values ("sha-256 AB:CD:..."), NULL-terminated.
 * May be called before, during or after the handshake; a later call
 * replaces the set (only until one certificate has been verified). Values
 * that sc_fingerprint_parse() refuses (sha-1, sha-224, md5, unknown hashes,
 * bad syntax) are skipped. If no usable value remains, returns FALSE with
 * %SC_ERROR_INVALID_ARGUMENT (or the parser's error for a single value:
 * %SC_ERROR_NOT_SUPPORTED, %SC_ERROR_SDP_SYNTAX) AND the transport is
 * left fail-closed: any peer certificate is then rejected, so it goes FAILED
 * with %SC_ERROR_FINGERPRINT_MISMATCH. If the handshake already finished,
 * the check happens here and on_state(CONNECTED or FAILED) is called
 * before this returns. Errors: also %SC_ERROR_INVALID_STATE once a
 * certificate was verified or after FAILED/CLOSED. */
gboolean sc_dtls_transport_set_remote_fingerprints(
    ScDtlsTransport *t, const char *const *fingerprints, GError **error);

/* NEW -> CONNECTING. The client sends its ClientHello; the server answers
 * ClientHellos, including those that arrived before start (a few are
 * buffered: the offerer must be ready for a ClientHello before it has the
 * answer). Errors: %SC_ERROR_INVALID_STATE if not NEW. */
gboolean sc_dtls_transport_start(ScDtlsTransport *t, GError **error);

/* A datagram from the wire whose first byte is 20..63 (RFC 7983). Others,
 * and anything after FAILED/CLOSED, are ignored. Never fails: garbage is
 * dropped by the DTLS record layer. */
void sc_dtls_transport_receive(ScDtlsTransport *t, const guint8 *buf,
                               gsize len);

/* Application data, one record. SC_DROP_STATE unless CONNECTED,
 * SC_DROP_NOSPACE if it exceeds
 * sc_dtls_transport_get_data_mtu(), SC_DROP_MALFORMED if OpenSSL refuses
 * it. */
ScStatus sc_dtls_transport_send(ScDtlsTransport *t, const guint8 *buf,
                                gsize len) G_GNUC_WARN_UNUSED_RESULT;

/* Sends close_notify if a session exists and goes CLOSED (on_state is
 * called before this returns). Idempotent. */
void sc_dtls_transport_close(ScDtlsTransport *t);

/* Frees without sending anything and without calling any callback. */
void sc_dtls_transport_free(ScDtlsTransport *t);

ScDtlsState sc_dtls_transport_get_state(ScDtlsTransport *t);
const char *sc_dtls_state_to_string(ScDtlsState s);
gboolean sc_dtls_transport_is_client(ScDtlsTransport *t);
/* Largest application payload one record carries in one datagram of the
 * MTU with the negotiated cipher (DTLS_get_data_mtu(): MTU minus record
 * header, explicit nonce and tag; 1163 for AES-128-GCM at 1200). 0 unless
 * CONNECTED. */
guint sc_dtls_transport_get_data_mtu(ScDtlsTransport *t);

/* Read from the live SSL object once the handshake finished, NULL (FALSE,
 * NONE) before. Static or SSL-owned strings, valid while @t lives. */
const char *sc_dtls_transport_get_version(ScDtlsTransport *t);
const char *sc_dtls_transport_get_cipher(ScDtlsTransport *t);
const char *sc_dtls_transport_get_cipher_standard_name(ScDtlsTransport *t);
gboolean sc_dtls_transport_is_pfs(ScDtlsTransport *t);
ScSrtpProfile sc_dtls_transport_get_srtp_profile(ScDtlsTransport *t);

/* The verified remote fingerprint, "sha-256 AB:..". NULL (FALSE) until
 * verified. (transfer full): g_free(). */
char *sc_dtls_transport_get_remote_fingerprint(ScDtlsTransport *t)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean sc_dtls_transport_get_verified_fingerprint(ScDtlsTransport *t,
                                                    ScFingerprint *out);

/* The peer's certificate (first: the one whose fingerprint was verified)
 * and the other certificates it sent (an X.509 identity's
 * intermediates), each with a reference; NULL until verified.
 * (transfer full): sk_X509_pop_free(chain, X509_free). */
STACK_OF(X509) *sc_dtls_transport_get_peer_chain(ScDtlsTransport *t)
    G_GNUC_WARN_UNUSED_RESULT;

/* Handshake duration in microseconds (start to CONNECTED handshake end), or
 * -1 before the handshake finished. */
gint64 sc_dtls_transport_get_handshake_us(ScDtlsTransport *t);

/* RFC 5764 §4.2: exports 2 * (key + salt) bytes with the label
 * "EXTRACTOR-dtls_srtp" and no context, and splits them into
 * client key | server key | client salt | server salt; @out->local is the
 * pair of our DTLS role. Only when CONNECTED (verified) with a negotiated
 * SRTP profile. @out holds secrets: wipe it after use. Errors:
 * %SC_ERROR_INVALID_STATE (not CONNECTED), %SC_ERROR_DTLS_FAILED (no SRTP
 * profile negotiated, or the export failed). */
gboolean sc_dtls_transport_export_srtp_keys(ScDtlsTransport *t,
                                            ScSrtpKeys *out, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Runs one complete handshake between two throwaway in-memory endpoints
 * (fresh certificates, each checked against the other's sha-256
 * fingerprint) through the process's shared SSL_CTX, so that OpenSSL's
 * first-use costs (algorithm look-ups, about 0.3 ms of CPU) are paid before
 * a call needs its handshake. Any thread; uses its own GMainContext.
 * Errors: %SC_ERROR_INTERNAL, %SC_ERROR_DTLS_FAILED. */
gboolean sc_dtls_warm_up(GError **error);

/* Starts sc_dtls_warm_up() on a worker thread, once per process (later
 * calls do nothing). The thread is joined by sc_dtls_warm_up_wait(), by
 * sc_dtls_warm_up_reap() once it has finished, or at exit. */
void sc_dtls_warm_up_start(void);
/* Waits for the warm-up thread, if one runs. */
void sc_dtls_warm_up_wait(void);
/* Joins the warm-up thread if it has finished; never waits. */
void sc_dtls_warm_up_reap(void);

G_END_DECLS

#endif /* SC_DTLS_H */
