/* src/dtls/dtls-ctx.c - the OpenSSL side of a DTLS transport: the one
 * SSL_CTX per process with the WebRTC profile of RFC 8827 §6.5 (DTLS 1.2
 * only, ECDHE, AEAD first, no renegotiation, use_srtp of RFC 5764 §4.1.2),
 * a transport's SSL on it, and OpenSSL's callbacks: the retransmission
 * back-off, the alert log and the certificate check against the remote
 * fingerprints (RFC 8122 §5.1, §6.2).
 *
 * OpenSSL talks to the wire through a custom BIO: each write is one
 * datagram handed to the send callback, each read returns the one datagram
 * being received. The handshake, the state machine and the records are
 * dtls-transport.c's.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "dtls"
#include "dtls/dtls-priv.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <string.h>

#define DTLS_CIPHERS                                                         \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"           \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"             \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"               \
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"                     \
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"
#define DTLS_GROUPS "X25519:P-256:P-384"
#define DTLS_SRTP_PROFILES "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM"

#define TIMER_INITIAL_US 100000u   /* first retransmission after 100 ms */
#define TIMER_MAX_US 60000000u     /* RFC 6347 §4.2.4.1: at most 60 s */

/* Drains OpenSSL's error queue into one line (C5.5). */
void
sc_dtls_openssl_reason(char *buf, gsize size)
{
    unsigned long e = ERR_peek_last_error();

    g_strlcpy(buf, "no OpenSSL detail", size);
    if (e != 0)
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
}

/* ---- the datagram BIO ---- */

static BIO_METHOD *bio_method;

static int
bio_write(BIO *bio, const char *data, int len)
{
    ScDtlsTransport *t = BIO_get_data(bio);

    BIO_clear_retry_flags(bio);
    if (t == NULL || len < 0)
        return -1;
    if ((guint)len > t->mtu)
        SC_LOG_WARN(t->log_id, "datagram of %d bytes exceeds the MTU %u", len,
                    t->mtu);
    if (t->cb.send != NULL && !sc_dtls_is_dead(t))
        t->cb.send(t->user_data, (const guint8 *)data, (gsize)len);
    return len;
}

static int
bio_read(BIO *bio, char *out, int size)
{
    ScDtlsTransport *t = BIO_get_data(bio);

    BIO_clear_retry_flags(bio);
    if (t == NULL || size < 0)
        return -1;
    if (t->in_buf == NULL) {
        BIO_set_retry_read(bio);
        return -1;
    }
    /* A datagram larger than OpenSSL's buffer is truncated: its records
     * then fail their integrity check and are dropped. */
    gsize n = MIN(t->in_len, (gsize)size);
    memcpy(out, t->in_buf, n);
    t->in_buf = NULL;
    t->in_len = 0;
    return (int)n;
}

static long
bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    ScDtlsTransport *t = BIO_get_data(bio);

    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return t != NULL ? (long)t->mtu : SC_DTLS_DEFAULT_MTU;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 0; /* the MTU we are given is already the payload size */
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING:
        return 0;
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    case BIO_CTRL_DGRAM_GET_PEER:
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    default:
        return 0;
    }
}

static int
bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    BIO_set_data(bio, NULL);
    return 1;
}

static int
bio_destroy(BIO *bio)
{
    BIO_set_data(bio, NULL);
    return 1;
}

static void
init_bio_method_once(void)
{
    static gsize done;

    if (!g_once_init_enter(&done))
        return;
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                 "sealcall-dtls-datagram");
    if (m == NULL || BIO_meth_set_write(m, bio_write) != 1 ||
        BIO_meth_set_read(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
        BIO_meth_set_create(m, bio_create) != 1 ||
        BIO_meth_set_destroy(m, bio_destroy) != 1)
        g_error("cannot create the DTLS BIO method");
    bio_method = m; /* process lifetime, like OpenSSL's own methods */
    g_once_init_leave(&done, 1);
}

/* ---- OpenSSL callbacks ---- */

static ScDtlsTransport *
transport_from_ssl(const SSL *ssl)
{
    return SSL_get_app_data(ssl);
}

static unsigned int
timer_cb(SSL *ssl, unsigned int timer_us)
{
    (void)ssl;
    if (timer_us == 0)
        return TIMER_INITIAL_US;
    if (timer_us >= TIMER_MAX_US / 2)
        return TIMER_MAX_US;
    return timer_us * 2;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
    ScDtlsTransport *t = transport_from_ssl(ssl);

    if (t == NULL)
        return;
    if ((where & SSL_CB_LOOP) != 0)
        SC_LOG_TRACE(t->log_id, "handshake state %s",
                     SSL_state_string_long(ssl));
    if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT) {
        SC_LOG_DEBUG(t->log_id, "received %s alert: %s",
                     SSL_alert_type_string_long(ret),
                     SSL_alert_desc_string_long(ret));
        if ((ret >> 8) == SSL3_AL_FATAL && !t->peer_alert) {
            t->peer_alert = TRUE;
            t->peer_alert_value = ret;
        }
    } else if ((where & SSL_CB_WRITE_ALERT) == SSL_CB_WRITE_ALERT) {
        SC_LOG_DEBUG(t->log_id, "sending %s alert: %s",
                     SSL_alert_type_string_long(ret),
                     SSL_alert_desc_string_long(ret));
    }
}

/* Checks @cert against the remote fingerprints; sets t->verified. */
gboolean
sc_dtls_check_certificate(ScDtlsTransport *t, X509 *cert, GError **error)
{
    ScFingerprint matched;

    if (t->n_fps == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH,
                    "no usable remote fingerprint to verify the peer "
                    "certificate against (sha-256 or stronger required)");
        return FALSE;
    }
    GError *local = NULL;
    if (!sc_fingerprint_verify(cert, t->fps, t->n_fps, &matched, &local)) {
        if (local->code != SC_ERROR_FINGERPRINT_MISMATCH) {
            GError *wrapped = g_error_new(
                SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH,
                "cannot verify the peer certificate: %s", local->message);
            g_error_free(local);
            local = wrapped;
        }
        g_propagate_error(error, local);
        return FALSE;
    }
    t->verified = TRUE;
    t->verified_fp = matched;
    return TRUE;
}

static int
verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(
        store, SSL_get_ex_data_X509_STORE_CTX_idx());
    ScDtlsTransport *t = ssl != NULL ? transport_from_ssl(ssl) : NULL;

    (void)preverify_ok; /* self-signed: chain errors are expected */
    if (t == NULL)
        return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0)
        return 1; /* only the end-entity certificate carries the identity */
    X509 *cert = X509_STORE_CTX_get_current_cert(store);
    if (cert == NULL)
        return 0;
    if (!t->have_fps)
        return 1; /* deferred: checked when the fingerprints arrive */
    g_clear_error(&t->verify_error);
    if (!sc_dtls_check_certificate(t, cert, &t->verify_error)) {
        /* OpenSSL maps this to a bad_certificate alert (RFC 8122 §6.2) */
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    return 1;
}
/* ---- ALPN (RFC 8833) ---- */

/* wire format: length-prefixed names, in our order of preference */
static const unsigned char ALPN_ANY[] = "\x06" "webrtc" "\x08" "c-webrtc";
static const unsigned char ALPN_CONFIDENTIAL[] = "\x08" "c-webrtc";

static int
alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
               const unsigned char *in, unsigned int inlen, void *arg)
{
    ScDtlsTransport *t = SSL_get_app_data(ssl);
    const unsigned char *ours = t != NULL && t->confidential
                                    ? ALPN_CONFIDENTIAL
                                    : ALPN_ANY;
    unsigned int n = t != NULL && t->confidential
                         ? sizeof ALPN_CONFIDENTIAL - 1
                         : sizeof ALPN_ANY - 1;
    unsigned char *sel = NULL;

    (void)arg;
    /* the server's preference first; OpenSSL bounds-checks @in */
    if (SSL_select_next_proto(&sel, outlen, ours, n, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL; /* no_application_protocol */
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

void
sc_dtls_alpn_setup(ScDtlsTransport *t)
{
    if (t->confidential)
        (void)SSL_set_alpn_protos(t->ssl, ALPN_CONFIDENTIAL,
                                  sizeof ALPN_CONFIDENTIAL - 1);
    else
        (void)SSL_set_alpn_protos(t->ssl, ALPN_ANY, sizeof ALPN_ANY - 1);
}

const char *
sc_dtls_alpn_check(ScDtlsTransport *t)
{
    const char *alpn = sc_dtls_transport_get_alpn(t);

    if (t->confidential && strcmp(alpn, "c-webrtc") != 0)
        return "the peer did not negotiate the ALPN \"c-webrtc\" (RFC "
               "8833), required with a peer identity";
    if (*alpn != '\0' && strcmp(alpn, "webrtc") != 0 &&
        strcmp(alpn, "c-webrtc") != 0)
        return "an ALPN we did not offer was negotiated";
    return NULL;
}

const char *
sc_dtls_transport_get_alpn(ScDtlsTransport *t)
{
    const unsigned char *p = NULL;
    unsigned int n = 0;

    g_return_val_if_fail(t != NULL, "");
    if (t->ssl != NULL)
        SSL_get0_alpn_selected(t->ssl, &p, &n);
    if (n == 6 && memcmp(p, "webrtc", 6) == 0)
        return "webrtc";
    if (n == 8 && memcmp(p, "c-webrtc", 8) == 0)
        return "c-webrtc";
    return n == 0 ? "" : "?";
}

STACK_OF(X509) *
sc_dtls_transport_get_peer_chain(ScDtlsTransport *t)
{
    STACK_OF(X509) *out;
    STACK_OF(X509) *sent;
    X509 *leaf;

    g_return_val_if_fail(t != NULL, NULL);
    if (t->ssl == NULL || !t->verified ||
        (leaf = SSL_get0_peer_certificate(t->ssl)) == NULL ||
        (out = sk_X509_new_null()) == NULL)
        return NULL;
    if (X509_up_ref(leaf) != 1 || sk_X509_push(out, leaf) <= 0) {
        sk_X509_pop_free(out, X509_free);
        return NULL;
    }
    /* the client's list includes the leaf, the server's does not */
    sent = SSL_get_peer_cert_chain(t->ssl);
    for (int i = 0; sent != NULL && i < sk_X509_num(sent); i++) {
        X509 *c = sk_X509_value(sent, i);
        if (X509_cmp(c, leaf) == 0)
            continue;
        if (X509_up_ref(c) != 1)
            continue;
        if (sk_X509_push(out, c) <= 0) {
            X509_free(c);
            break;
        }
    }
    return out;
}

void
sc_dtls_transport_set_confidential(ScDtlsTransport *t, gboolean confidential)
{
    g_return_if_fail(t != NULL);
    t->confidential = confidential;
}

/* ---- the SSL_CTX and a transport's SSL ---- */

/* Applies our DTLS settings to @c; returns NULL, or the step that failed. */
static const char *
configure_ctx(SSL_CTX *c)
{
    if (SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) != 1)
        return "DTLS 1.2 only";
    if (SSL_CTX_set_cipher_list(c, DTLS_CIPHERS) != 1)
        return "cipher list";
    if (SSL_CTX_set1_groups_list(c, DTLS_GROUPS) != 1)
        return "groups";
    if (SSL_CTX_set_tlsext_use_srtp(c, DTLS_SRTP_PROFILES) != 0)
        return "use_srtp"; /* it returns 0 on success */
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_QUERY_MTU |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    /* OpenSSL 3.0 keeps DTLS record buffers regardless (measured); the
     * mode only matters should a later version honour it for DTLS */
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       verify_cb);
    SSL_CTX_set_verify_depth(c, 4);
    SSL_CTX_set_alpn_select_cb(c, alpn_select_cb, NULL);
    return NULL;
}

/* The SSL_CTX is the same for every call: one per process (an SSL_CTX
 * costs about 13 KB of memory per call in OpenSSL 3.0), kept for the
 * process lifetime like OpenSSL's own method tables. What differs per
 * call, the certificate and key, is set on the SSL. */
static SSL_CTX *
shared_ctx(const char **what)
{
    static gsize done;
    static SSL_CTX *ctx;
    static const char *failed;

    if (g_once_init_enter(&done)) {
        SSL_CTX *c = SSL_CTX_new(DTLS_method());
        const char *step = c != NULL ? configure_ctx(c) : "SSL_CTX_new";

        if (step != NULL) {
            SSL_CTX_free(c);
            c = NULL;
        }
        ctx = c;
        failed = step;
        g_once_init_leave(&done, 1);
    }
    *what = failed;
    return ctx;
}

gboolean
sc_dtls_setup_ssl(ScDtlsTransport *t, GError **error)
{
    const char *what = NULL;
    SSL_CTX *ctx = shared_ctx(&what);

    if (ctx == NULL)
        goto fail;
    what = "SSL_new";
    t->ssl = SSL_new(ctx);
    if (t->ssl == NULL)
        goto fail;
    what = "certificate";
    if (SSL_use_certificate(t->ssl, sc_cert_get_x509(t->cert)) != 1 ||
        SSL_use_PrivateKey(t->ssl, sc_cert_get_key(t->cert)) != 1 ||
        SSL_check_private_key(t->ssl) != 1)
        goto fail;
    /* a CA-issued identity (--cert) sends its intermediates after it */
    what = "certificate chain";
    if (sc_cert_get_chain(t->cert) != NULL &&
        SSL_set1_chain(t->ssl, sc_cert_get_chain(t->cert)) != 1)
        goto fail;
    SSL_set_app_data(t->ssl, t);
    SSL_set_info_callback(t->ssl, info_cb);
    DTLS_set_timer_cb(t->ssl, timer_cb);

    what = "BIO";
    init_bio_method_once();
    t->bio = BIO_new(bio_method);
    if (t->bio == NULL)
        goto fail;
    BIO_set_data(t->bio, t);
    /* the same BIO both ways: SSL_set_bio takes our one reference */
    SSL_set_bio(t->ssl, t->bio, t->bio);
    return TRUE;

fail: {
    char reason[256];
    sc_dtls_openssl_reason(reason, sizeof(reason));
    g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                "DTLS setup failed (%s): %s", what, reason);
    return FALSE;
}
}
