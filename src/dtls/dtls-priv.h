/* src/dtls/dtls-priv.h - what dtls-transport.c (the handshake, the state
 * machine, records in and out) and dtls-ctx.c (the OpenSSL context, the
 * datagram BIO and OpenSSL's callbacks) share: the transport's record and
 * the functions one file calls in the other. Not for use outside
 * src/dtls/: dtls.h is the module's API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_DTLS_PRIV_H
#define SC_DTLS_PRIV_H

#include "core/core.h"

#include <openssl/ssl.h>

#include "dtls/dtls.h"

struct ScDtlsTransport {
    GMainContext *ctx;
    ScCert *cert;
    char *log_id;
    ScDtlsCallbacks cb;
    gpointer user_data;

    SSL *ssl;
    BIO *bio;
    guint mtu;

    ScDtlsState state;
    gboolean client;
    gboolean quiet;         /* connected line at debug (warm-up) */
    gboolean confidential;  /* ALPN c-webrtc only (RFC 8833) */
    gboolean handshake_done;
    gint64 start_us;
    gint64 handshake_us;

    /* the datagram being fed to OpenSSL (borrowed during receive) */
    const guint8 *in_buf;
    gsize in_len;

    /* remote fingerprints: have_fps with n_fps == 0 means "fail closed" */
    gboolean have_fps;
    ScFingerprint *fps;
    gsize n_fps;
    gboolean verified;
    ScFingerprint verified_fp;
    GError *verify_error; /* set by the verify callback on mismatch */

    /* the peer's fatal alert, if any (from the info callback) */
    gboolean peer_alert;
    int peer_alert_value;

    GQueue early;  /* GBytes: datagrams received before start() */
    GQueue held;   /* GBytes: app data received before verification */
    gsize held_bytes;

    GSource *timer;

    /* re-entrancy: depth of transport calls on the stack, and a free
     * requested from a callback */
    guint busy;
    gboolean free_pending;
};
/* dtls-transport.c */

/* TRUE when the caller asked for the free from a callback: stop work. */
gboolean sc_dtls_is_dead(ScDtlsTransport *t);

/* dtls-ctx.c */

/* Drains OpenSSL's error queue into one line (C5.5). */
void sc_dtls_openssl_reason(char *buf, gsize size);
/* Checks @cert against the remote fingerprints; sets t->verified. */
gboolean sc_dtls_check_certificate(ScDtlsTransport *t, X509 *cert,
                                   GError **error);
/* Creates t->ssl on the shared SSL_CTX, with @t's certificate, our
 * callbacks and the datagram BIO. */
gboolean sc_dtls_setup_ssl(ScDtlsTransport *t, GError **error);
/* ALPN (RFC 8833) on @t's SSL, before the handshake; after it, NULL when
 * the negotiated ALPN is acceptable, else why not. */
void sc_dtls_alpn_setup(ScDtlsTransport *t);
const char *sc_dtls_alpn_check(ScDtlsTransport *t);

#endif /* SC_DTLS_PRIV_H */
