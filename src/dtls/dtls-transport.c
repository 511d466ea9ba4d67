/* src/dtls/dtls-transport.c - DTLS 1.2 (RFC 6347) over one datagram flow:
 * the transport's life and state machine, the handshake, records in and
 * out, with the WebRTC profile of RFC 8827 §6.5, fingerprint verification
 * (RFC 8122 §5.1, §6.2; RFC 5763 §5; RFC 8842 §5.3: nothing delivered
 * before the fingerprint check) and DTLS-SRTP (RFC 5764 §4.2 key export).
 *
 * The OpenSSL context, the datagram BIO and OpenSSL's callbacks are
 * dtls-ctx.c's. Retransmission uses DTLSv1_get_timeout/handle_timeout on
 * a GLib timeout source, starting at 100 ms (DTLS_set_timer_cb).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "dtls"
#include "dtls/dtls-priv.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/time.h>

#define DTLS_SRTP_LABEL "EXTRACTOR-dtls_srtp"

#define MIN_MTU 256
#define MAX_EARLY_DATAGRAMS 8      /* received before start() */
#define MAX_EARLY_DATAGRAM_LEN 2048
#define MAX_HELD_RECORDS 32        /* app data awaiting the fingerprint */
#define MAX_HELD_BYTES (256 * 1024)
#define READ_BUF_LEN 16384         /* largest DTLS plaintext record */

/* ---- states ---- */

#define S(x) (1u << SC_DTLS_STATE_##x)
static const guint dtls_next[SC_DTLS_N_STATES] = {
    [SC_DTLS_STATE_NEW] = S(CONNECTING) | S(FAILED) | S(CLOSED),
    [SC_DTLS_STATE_CONNECTING] = S(CONNECTED) | S(FAILED) | S(CLOSED),
    [SC_DTLS_STATE_CONNECTED] = S(FAILED) | S(CLOSED),
    [SC_DTLS_STATE_FAILED] = S(CLOSED),
    [SC_DTLS_STATE_CLOSED] = 0,
};
#undef S

const char *
sc_dtls_state_to_string(ScDtlsState s)
{
    static const char *const names[SC_DTLS_N_STATES] = {
        [SC_DTLS_STATE_NEW] = "new",
        [SC_DTLS_STATE_CONNECTING] = "connecting",
        [SC_DTLS_STATE_CONNECTED] = "connected",
        [SC_DTLS_STATE_FAILED] = "failed",
        [SC_DTLS_STATE_CLOSED] = "closed",
    };
    if ((guint)s >= SC_DTLS_N_STATES)
        return "invalid";
    return names[s];
}

static void transport_destroy(ScDtlsTransport *t);

static void
enter(ScDtlsTransport *t)
{
    t->busy++;
}

/* Returns FALSE if @t was freed: the caller must not touch it again. */
static gboolean
leave(ScDtlsTransport *t)
{
    g_assert(t->busy > 0);
    if (--t->busy == 0 && t->free_pending) {
        transport_destroy(t);
        return FALSE;
    }
    return TRUE;
}

/* TRUE when the caller asked for the free from a callback: stop work. */
gboolean
sc_dtls_is_dead(ScDtlsTransport *t)
{
    return t->free_pending;
}

static void
stop_timer(ScDtlsTransport *t)
{
    sc_source_clear(&t->timer);
}

static void
clear_queue(GQueue *q)
{
    GBytes *b;
    while ((b = g_queue_pop_head(q)) != NULL)
        g_bytes_unref(b);
}

/* The only writer of t->state. Calls on_state (synchronously). */
static void
set_state(ScDtlsTransport *t, ScDtlsState next, const GError *reason)
{
    ScDtlsState prev = t->state;

    if (prev == next)
        return;
    if ((dtls_next[prev] & (1u << next)) == 0) {
        SC_LOG_ERROR(t->log_id, "illegal transition %s -> %s",
                     sc_dtls_state_to_string(prev),
                     sc_dtls_state_to_string(next));
        g_warn_if_reached();
        return;
    }
    t->state = next;
    if (reason != NULL)
        SC_LOG_INFO(t->log_id, "%s -> %s: %s", sc_dtls_state_to_string(prev),
                    sc_dtls_state_to_string(next), reason->message);
    else
        SC_LOG_DEBUG(t->log_id, "%s -> %s", sc_dtls_state_to_string(prev),
                     sc_dtls_state_to_string(next));
    if (next == SC_DTLS_STATE_FAILED || next == SC_DTLS_STATE_CLOSED) {
        stop_timer(t);
        clear_queue(&t->early);
        clear_queue(&t->held);
        t->held_bytes = 0;
    }
    if (t->cb.on_state != NULL && !sc_dtls_is_dead(t))
        t->cb.on_state(t->user_data, next, reason);
}

static void
fail(ScDtlsTransport *t, ScError code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail(ScDtlsTransport *t, ScError code, const char *fmt, ...)
{
    va_list ap;

    if (t->state == SC_DTLS_STATE_FAILED || t->state == SC_DTLS_STATE_CLOSED)
        return;
    va_start(ap, fmt);
    GError *error = g_error_new_valist(SC_ERROR, code, fmt, ap);
    va_end(ap);
    set_state(t, SC_DTLS_STATE_FAILED, error);
    g_error_free(error);
}

/* ---- timer ---- */

static void pump(ScDtlsTransport *t);

static gboolean
on_timer(gpointer data)
{
    ScDtlsTransport *t = data;

    g_source_unref(t->timer);
    t->timer = NULL;
    enter(t);
    if (t->ssl != NULL && t->state != SC_DTLS_STATE_FAILED &&
        t->state != SC_DTLS_STATE_CLOSED) {
        int r = DTLSv1_handle_timeout(t->ssl);
        if (r < 0) {
            char reason[256];
            sc_dtls_openssl_reason(reason, sizeof(reason));
            fail(t, SC_ERROR_DTLS_FAILED,
                 "DTLS handshake timed out (no answer after repeated "
                 "retransmissions): %s",
                 reason);
        } else {
            if (r > 0)
                SC_LOG_DEBUG(t->log_id, "retransmitted the last flight");
            pump(t);
        }
    }
    leave(t);
    return G_SOURCE_REMOVE;
}

static void
schedule_timer(ScDtlsTransport *t)
{
    struct timeval tv = {0, 0};

    stop_timer(t);
    if (t->ssl == NULL || sc_dtls_is_dead(t) ||
        t->state == SC_DTLS_STATE_FAILED || t->state == SC_DTLS_STATE_CLOSED)
        return;
    if (DTLSv1_get_timeout(t->ssl, &tv) != 1)
        return;
    guint64 ms = (guint64)tv.tv_sec * 1000 + ((guint64)tv.tv_usec + 999) / 1000;
    t->timer = g_timeout_source_new((guint)MIN(ms, (guint64)G_MAXUINT));
    g_source_set_callback(t->timer, on_timer, t, NULL);
    g_source_attach(t->timer, t->ctx);
}

/* ---- handshake and records ---- */

static void
deliver_or_hold(ScDtlsTransport *t, const guint8 *buf, gsize len)
{
    if (t->state == SC_DTLS_STATE_CONNECTED) {
        if (t->cb.on_data != NULL)
            t->cb.on_data(t->user_data, buf, len);
        return;
    }
    /* RFC 8842 §5.3: from an unverified source until the fingerprint
     * check passes. Hold a bounded amount; SCTP retransmits the rest. */
    if (g_queue_get_length(&t->held) >= MAX_HELD_RECORDS ||
        t->held_bytes + len > MAX_HELD_BYTES) {
        SC_LOG_DEBUG(t->log_id, "dropping %" G_GSIZE_FORMAT
                     " bytes of unverified application data", len);
        return;
    }
    g_queue_push_tail(&t->held, g_bytes_new(buf, len));
    t->held_bytes += len;
}

static void
flush_held(ScDtlsTransport *t)
{
    GBytes *b;

    while (t->state == SC_DTLS_STATE_CONNECTED && !sc_dtls_is_dead(t) &&
           (b = g_queue_pop_head(&t->held)) != NULL) {
        gsize len = 0;
        const guint8 *data = g_bytes_get_data(b, &len);
        t->held_bytes -= len;
        if (t->cb.on_data != NULL)
            t->cb.on_data(t->user_data, data, len);
        g_bytes_unref(b);
    }
}

/* The handshake is done and the peer certificate verified. */
static void
become_connected(ScDtlsTransport *t)
{
    g_autofree char *fp = sc_fingerprint_to_string(&t->verified_fp);
    SC_LOG_AT(t->quiet ? SC_LOG_LEVEL_DEBUG : SC_LOG_LEVEL_INFO, t->log_id,
                "connected as %s in %" G_GINT64_FORMAT " ms: %s %s, SRTP %s,"
                " peer %s",
                t->client ? "client" : "server", t->handshake_us / 1000,
                SSL_get_version(t->ssl),
                SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl)),
                sc_srtp_profile_to_string(
                    sc_dtls_transport_get_srtp_profile(t)),
                fp);
    set_state(t, SC_DTLS_STATE_CONNECTED, NULL);
    flush_held(t);
}

/* Verifies the peer certificate after the handshake (authoritative check,
 * whether or not the verify callback already did it). */
static void
verify_after_handshake(ScDtlsTransport *t)
{
    if (!t->handshake_done || !t->have_fps ||
        t->state != SC_DTLS_STATE_CONNECTING)
        return;
    X509 *cert = SSL_get0_peer_certificate(t->ssl);
    if (cert == NULL) {
        fail(t, SC_ERROR_FINGERPRINT_MISMATCH,
             "the peer sent no certificate");
        return;
    }
    GError *error = NULL;
    t->verified = FALSE;
    if (!sc_dtls_check_certificate(t, cert, &error)) {
        clear_queue(&t->held);
        t->held_bytes = 0;
        /* No API sends bad_certificate after the handshake: close_notify
         * at least tells the peer to stop. */
        (void)SSL_shutdown(t->ssl);
        ERR_clear_error();
        set_state(t, SC_DTLS_STATE_FAILED, error);
        g_error_free(error);
        return;
    }
    const char *alpn_err = sc_dtls_alpn_check(t);
    if (alpn_err != NULL) {
        clear_queue(&t->held);
        t->held_bytes = 0;
        (void)SSL_shutdown(t->ssl);
        ERR_clear_error();
        fail(t, SC_ERROR_DTLS_FAILED, "%s", alpn_err);
        return;
    }
    become_connected(t);
}

static void
handshake_failed(ScDtlsTransport *t, int ssl_error)
{
    char reason[256];

    sc_dtls_openssl_reason(reason, sizeof(reason));
    if (t->verify_error != NULL) {
        GError *e = g_steal_pointer(&t->verify_error);
        set_state(t, SC_DTLS_STATE_FAILED, e);
        g_error_free(e);
    } else if (t->peer_alert &&
               (t->peer_alert_value & 0xff) == SSL_AD_BAD_CERTIFICATE) {
        /* the peer's claim (and an unauthenticated alert): never our own
         * fingerprint verdict, which only verify_error carries */
        fail(t, SC_ERROR_DTLS_FAILED,
             "the peer rejected our certificate (bad_certificate alert)");
    } else if (t->peer_alert) {
        fail(t, SC_ERROR_DTLS_FAILED, "peer sent a fatal %s alert (%s)",
             SSL_alert_desc_string_long(t->peer_alert_value), reason);
    } else {
        fail(t, SC_ERROR_DTLS_FAILED, "DTLS handshake failed (%d): %s",
             ssl_error, reason);
    }
}

static void
peer_closed(ScDtlsTransport *t)
{
    SC_LOG_INFO(t->log_id, "peer sent close_notify");
    (void)SSL_shutdown(t->ssl); /* answer with ours */
    ERR_clear_error();
    set_state(t, SC_DTLS_STATE_CLOSED, NULL);
}

/* One plaintext scratch buffer per thread rather than 16 KiB in every
 * transport (memory per idle call); wiped after each record. Nothing that
 * deliver_or_hold() calls reads records again on this thread. */
static __thread guint8 read_buf[READ_BUF_LEN];

static void
read_records(ScDtlsTransport *t)
{
    while (!sc_dtls_is_dead(t) && (t->state == SC_DTLS_STATE_CONNECTING ||
                           t->state == SC_DTLS_STATE_CONNECTED)) {
        int n = SSL_read(t->ssl, read_buf, sizeof(read_buf));
        if (n > 0) {
            deliver_or_hold(t, read_buf, (gsize)n);
            sc_secure_wipe(read_buf, (gsize)n);
            continue;
        }
        int err = SSL_get_error(t->ssl, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            ERR_clear_error();
            return;
        }
        if (err == SSL_ERROR_ZERO_RETURN) {
            peer_closed(t);
            return;
        }
        char reason[256];
        sc_dtls_openssl_reason(reason, sizeof(reason));
        if (t->peer_alert)
            fail(t, SC_ERROR_DTLS_FAILED, "peer sent a fatal %s alert",
                 SSL_alert_desc_string_long(t->peer_alert_value));
        else
            fail(t, SC_ERROR_DTLS_FAILED, "DTLS read failed (%d): %s", err,
                 reason);
        return;
    }
}

/* Drives OpenSSL after an input (datagram, timer, start). */
static void
pump(ScDtlsTransport *t)
{
    if (sc_dtls_is_dead(t) || (t->state != SC_DTLS_STATE_CONNECTING &&
                       t->state != SC_DTLS_STATE_CONNECTED))
        return;
    if (!t->handshake_done) {
        int r = SSL_do_handshake(t->ssl);
        if (r == 1) {
            t->handshake_done = TRUE;
            t->handshake_us = sc_clock_now_us() - t->start_us;
            SC_LOG_DEBUG(t->log_id, "handshake finished after %" G_GINT64_FORMAT
                         " ms", t->handshake_us / 1000);
            if (t->have_fps)
                verify_after_handshake(t);
            else
                SC_LOG_INFO(t->log_id, "handshake done, waiting for the "
                            "remote fingerprint before connecting");
        } else {
            int err = SSL_get_error(t->ssl, r);
            if (err == SSL_ERROR_ZERO_RETURN) {
                peer_closed(t);
            } else if (err != SSL_ERROR_WANT_READ &&
                       err != SSL_ERROR_WANT_WRITE) {
                handshake_failed(t, err);
            } else {
                ERR_clear_error();
            }
        }
    }
    if (t->handshake_done)
        read_records(t);
    schedule_timer(t);
}

static void
feed(ScDtlsTransport *t, const guint8 *buf, gsize len)
{
    t->in_buf = buf;
    t->in_len = len;
    pump(t);
    t->in_buf = NULL;
    t->in_len = 0;
}

/* ---- public API ---- */

ScDtlsTransport *
sc_dtls_transport_new(GMainContext *ctx, ScCert *cert, const char *log_id,
                      const ScDtlsCallbacks *cb, gpointer user_data,
                      GError **error)
{
    g_return_val_if_fail(cert != NULL, NULL);
    g_return_val_if_fail(cb != NULL && cb->send != NULL, NULL);

    ScDtlsTransport *t = g_new0(ScDtlsTransport, 1);
    t->ctx = ctx != NULL ? g_main_context_ref(ctx)
                         : g_main_context_ref_thread_default();
    t->cert = sc_cert_ref(cert);
    t->log_id = g_strdup(log_id != NULL ? log_id : "dtls");
    t->cb = *cb;
    t->user_data = user_data;
    t->mtu = SC_DTLS_DEFAULT_MTU;
    t->state = SC_DTLS_STATE_NEW;
    t->handshake_us = -1;
    g_queue_init(&t->early);
    g_queue_init(&t->held);
    if (!sc_dtls_setup_ssl(t, error)) {
        transport_destroy(t);
        return NULL;
    }
    return t;
}

void
sc_dtls_transport_set_quiet(ScDtlsTransport *t)
{
    g_return_if_fail(t != NULL);
    t->quiet = TRUE;
}

void
sc_dtls_transport_set_client(ScDtlsTransport *t, gboolean client)
{
    g_return_if_fail(t != NULL);
    g_return_if_fail(t->state == SC_DTLS_STATE_NEW);
    t->client = client;
}

void
sc_dtls_transport_set_mtu(ScDtlsTransport *t, guint mtu)
{
    g_return_if_fail(t != NULL);
    g_return_if_fail(t->state == SC_DTLS_STATE_NEW);
    g_return_if_fail(mtu >= MIN_MTU && mtu <= 65535);
    t->mtu = mtu;
}

gboolean
sc_dtls_transport_set_remote_fingerprints(ScDtlsTransport *t,
                                          const char *const *fingerprints,
                                          GError **error)
{
    g_return_val_if_fail(t != NULL, FALSE);

    if (t->verified || t->state == SC_DTLS_STATE_FAILED ||
        t->state == SC_DTLS_STATE_CLOSED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "remote fingerprints can no longer change (%s%s)",
                    sc_dtls_state_to_string(t->state),
                    t->verified ? ", already verified" : "");
        return FALSE;
    }

    GArray *fps = g_array_new(FALSE, FALSE, sizeof(ScFingerprint));
    GError *first_error = NULL;
    gsize n_given = 0;
    gboolean usable = FALSE;
    for (gsize i = 0; fingerprints != NULL && fingerprints[i] != NULL; i++) {
        ScFingerprint fp;
        GError *e = NULL;
        n_given++;
        if (!sc_fingerprint_parse(fingerprints[i], &fp, &e)) {
            SC_LOG_WARN(t->log_id, "ignoring remote fingerprint: %s",
                        e->message);
            if (first_error == NULL)
                first_error = e;
            else
                g_error_free(e);
            continue;
        }
        if (sc_hash_is_accepted(fp.hash))
            usable = TRUE;
        g_array_append_val(fps, fp);
    }

    g_free(t->fps);
    t->have_fps = TRUE;
    if (usable) {
        t->n_fps = fps->len;
        t->fps = (ScFingerprint *)(void *)g_array_free(fps, FALSE);
        g_clear_error(&first_error);
    } else {
        /* fail closed: any certificate will be rejected */
        t->n_fps = 0;
        t->fps = NULL;
        g_array_free(fps, TRUE);
        if (first_error != NULL && fingerprints != NULL && n_given == 1)
            g_propagate_error(error, first_error);
        else {
            g_clear_error(&first_error);
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "no usable remote fingerprint among %" G_GSIZE_FORMAT
                        " (sha-256 or stronger is required)",
                        n_given);
        }
    }

    /* If the handshake already finished, the check happens now. */
    enter(t);
    if (t->handshake_done && t->state == SC_DTLS_STATE_CONNECTING) {
        verify_after_handshake(t);
        if (!sc_dtls_is_dead(t))
            read_records(t);
    }
    leave(t);
    return usable;
}

gboolean
sc_dtls_transport_start(ScDtlsTransport *t, GError **error)
{
    g_return_val_if_fail(t != NULL, FALSE);

    if (t->state != SC_DTLS_STATE_NEW) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "DTLS transport already started (%s)",
                    sc_dtls_state_to_string(t->state));
        return FALSE;
    }
    DTLS_set_link_mtu(t->ssl, (long)t->mtu);
    /* No record we write is larger than the MTU (sends are refused above
     * the data MTU, handshake messages are fragmented to it), so the
     * write buffer OpenSSL allocates for the handshake and keeps for the
     * call's lifetime needs no room for 16 KB records. */
    SSL_set_max_send_fragment(t->ssl, CLAMP(t->mtu, 512u, READ_BUF_LEN));
    sc_dtls_alpn_setup(t);
    if (t->client)
        SSL_set_connect_state(t->ssl);
    else
        SSL_set_accept_state(t->ssl);
    t->start_us = sc_clock_now_us();
    SC_LOG_DEBUG(t->log_id, "starting as %s, MTU %u",
                 t->client ? "client" : "server", t->mtu);

    enter(t);
    set_state(t, SC_DTLS_STATE_CONNECTING, NULL);
    if (t->client) {
        /* datagrams that arrived early are not for a client: drop them */
        clear_queue(&t->early);
        pump(t);
    } else {
        GBytes *b;
        gboolean any = FALSE;
        while (!sc_dtls_is_dead(t) && t->state == SC_DTLS_STATE_CONNECTING &&
               (b = g_queue_pop_head(&t->early)) != NULL) {
            gsize len = 0;
            const guint8 *data = g_bytes_get_data(b, &len);
            feed(t, data, len);
            g_bytes_unref(b);
            any = TRUE;
        }
        if (!any)
            pump(t);
    }
    leave(t);
    return TRUE;
}

void
sc_dtls_transport_receive(ScDtlsTransport *t, const guint8 *buf, gsize len)
{
    g_return_if_fail(t != NULL);
    g_return_if_fail(buf != NULL || len == 0);

    if (len == 0 || buf[0] < 20 || buf[0] > 63)
        return; /* not DTLS (RFC 7983) */
    switch (t->state) {
    case SC_DTLS_STATE_NEW:
        /* a ClientHello before start(): keep a few */
        if (g_queue_get_length(&t->early) < MAX_EARLY_DATAGRAMS &&
            len <= MAX_EARLY_DATAGRAM_LEN)
            g_queue_push_tail(&t->early, g_bytes_new(buf, len));
        return;
    case SC_DTLS_STATE_CONNECTING:
    case SC_DTLS_STATE_CONNECTED:
        break;
    case SC_DTLS_STATE_FAILED:
    case SC_DTLS_STATE_CLOSED:
    case SC_DTLS_N_STATES:
    default:
        return;
    }
    enter(t);
    feed(t, buf, len);
    leave(t);
}

ScStatus
sc_dtls_transport_send(ScDtlsTransport *t, const guint8 *buf, gsize len)
{
    g_return_val_if_fail(t != NULL, SC_DROP_STATE);
    g_return_val_if_fail(buf != NULL || len == 0, SC_DROP_MALFORMED);

    if (t->state != SC_DTLS_STATE_CONNECTED || sc_dtls_is_dead(t))
        return SC_DROP_STATE;
    if (len == 0)
        return SC_DROP_MALFORMED;
    if (len > sc_dtls_transport_get_data_mtu(t) || len > READ_BUF_LEN)
        return SC_DROP_NOSPACE;
    enter(t);
    ScStatus status = SC_OK;
    int n = SSL_write(t->ssl, buf, (int)len);
    if (n <= 0) {
        int err = SSL_get_error(t->ssl, n);
        char reason[256];
        sc_dtls_openssl_reason(reason, sizeof(reason));
        SC_LOG_DEBUG(t->log_id, "SSL_write failed (%d): %s", err, reason);
        status = SC_DROP_MALFORMED;
    } else if ((gsize)n != len) {
        status = SC_DROP_NOSPACE;
    }
    leave(t);
    return status;
}

void
sc_dtls_transport_close(ScDtlsTransport *t)
{
    g_return_if_fail(t != NULL);

    if (t->state == SC_DTLS_STATE_CLOSED)
        return;
    enter(t);
    if (t->state == SC_DTLS_STATE_CONNECTING ||
        t->state == SC_DTLS_STATE_CONNECTED) {
        (void)SSL_shutdown(t->ssl); /* close_notify */
        ERR_clear_error();
    }
    set_state(t, SC_DTLS_STATE_CLOSED, NULL);
    leave(t);
}

static void
transport_destroy(ScDtlsTransport *t)
{
    stop_timer(t);
    memset(&t->cb, 0, sizeof(t->cb));
    if (t->bio != NULL)
        BIO_set_data(t->bio, NULL);
    SSL_free(t->ssl); /* frees the BIO */
    clear_queue(&t->early);
    clear_queue(&t->held);
    g_free(t->fps);
    g_clear_error(&t->verify_error);
    sc_cert_unref(t->cert);
    g_main_context_unref(t->ctx);
    g_free(t->log_id);
    g_free(t);
}

void
sc_dtls_transport_free(ScDtlsTransport *t)
{
    if (t == NULL)
        return;
    if (t->busy > 0) {
        /* called from one of our callbacks: finish when the stack unwinds,
         * and call nothing more in the meantime */
        t->free_pending = TRUE;
        stop_timer(t);
        return;
    }
    transport_destroy(t);
}

ScDtlsState
sc_dtls_transport_get_state(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, SC_DTLS_STATE_FAILED);
    return t->state;
}

guint
sc_dtls_transport_get_data_mtu(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, 0);
    if (t->ssl == NULL || t->state != SC_DTLS_STATE_CONNECTED)
        return 0;
    return (guint)MIN(DTLS_get_data_mtu(t->ssl), (size_t)t->mtu);
}

gboolean
sc_dtls_transport_is_client(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, FALSE);
    return t->client;
}

const char *
sc_dtls_transport_get_version(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, NULL);
    if (!t->handshake_done)
        return NULL;
    return SSL_get_version(t->ssl);
}

const char *
sc_dtls_transport_get_cipher(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, NULL);
    const SSL_CIPHER *c =
        t->handshake_done ? SSL_get_current_cipher(t->ssl) : NULL;
    return c != NULL ? SSL_CIPHER_get_name(c) : NULL;
}

const char *
sc_dtls_transport_get_cipher_standard_name(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, NULL);
    const SSL_CIPHER *c =
        t->handshake_done ? SSL_get_current_cipher(t->ssl) : NULL;
    return c != NULL ? SSL_CIPHER_standard_name(c) : NULL;
}

gboolean
sc_dtls_transport_is_pfs(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, FALSE);
    const SSL_CIPHER *c =
        t->handshake_done ? SSL_get_current_cipher(t->ssl) : NULL;
    if (c == NULL)
        return FALSE;
    int kx = SSL_CIPHER_get_kx_nid(c);
    return kx == NID_kx_ecdhe || kx == NID_kx_dhe;
}

ScSrtpProfile
sc_dtls_transport_get_srtp_profile(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, SC_SRTP_PROFILE_NONE);
    if (!t->handshake_done)
        return SC_SRTP_PROFILE_NONE;
    SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(t->ssl);
    if (p == NULL)
        return SC_SRTP_PROFILE_NONE;
    switch (p->id) {
    case SRTP_AES128_CM_SHA1_80:
        return SC_SRTP_PROFILE_AES128_CM_SHA1_80;
    case SRTP_AEAD_AES_128_GCM:
        return SC_SRTP_PROFILE_AEAD_AES_128_GCM;
    default:
        return SC_SRTP_PROFILE_NONE;
    }
}

char *
sc_dtls_transport_get_remote_fingerprint(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, NULL);
    if (!t->verified)
        return NULL;
    return sc_fingerprint_to_string(&t->verified_fp);
}

gboolean
sc_dtls_transport_get_verified_fingerprint(ScDtlsTransport *t,
                                           ScFingerprint *out)
{
    g_return_val_if_fail(t != NULL && out != NULL, FALSE);
    if (!t->verified)
        return FALSE;
    *out = t->verified_fp;
    return TRUE;
}

gint64
sc_dtls_transport_get_handshake_us(ScDtlsTransport *t)
{
    g_return_val_if_fail(t != NULL, -1);
    return t->handshake_done ? t->handshake_us : -1;
}

gboolean
sc_dtls_transport_export_srtp_keys(ScDtlsTransport *t, ScSrtpKeys *out,
                                   GError **error)
{
    g_return_val_if_fail(t != NULL && out != NULL, FALSE);

    if (t->state != SC_DTLS_STATE_CONNECTED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "SRTP keys are exported only once connected (%s)",
                    sc_dtls_state_to_string(t->state));
        return FALSE;
    }
    ScSrtpProfile profile = sc_dtls_transport_get_srtp_profile(t);
    gsize key_len = 0, salt_len = 0;
    if (!sc_srtp_profile_get_lengths(profile, &key_len, &salt_len)) {
        g_set_error(error, SC_ERROR, SC_ERROR_DTLS_FAILED,
                    "no DTLS-SRTP protection profile was negotiated");
        return FALSE;
    }
    /* RFC 5764 §4.2: client key | server key | client salt | server salt */
    guint8 material[2 * SC_SRTP_MAX_KEY_SALT];
    gsize total = 2 * (key_len + salt_len);
    g_assert(total <= sizeof(material));
    if (SSL_export_keying_material(t->ssl, material, total, DTLS_SRTP_LABEL,
                                   strlen(DTLS_SRTP_LABEL), NULL, 0,
                                   0) != 1) {
        char reason[256];
        sc_dtls_openssl_reason(reason, sizeof(reason));
        g_set_error(error, SC_ERROR, SC_ERROR_DTLS_FAILED,
                    "DTLS-SRTP key export failed: %s", reason);
        return FALSE;
    }
    const guint8 *client_key = material;
    const guint8 *server_key = material + key_len;
    const guint8 *client_salt = material + 2 * key_len;
    const guint8 *server_salt = material + 2 * key_len + salt_len;

    memset(out, 0, sizeof(*out));
    out->profile = profile;
    out->key_salt_len = key_len + salt_len;
    guint8 *client = t->client ? out->local : out->remote;
    guint8 *server = t->client ? out->remote : out->local;
    memcpy(client, client_key, key_len);
    memcpy(client + key_len, client_salt, salt_len);
    memcpy(server, server_key, key_len);
    memcpy(server + key_len, server_salt, salt_len);
    sc_secure_wipe(material, sizeof(material));
    return TRUE;
}
