/* src/dtls/dtls-warmup.c - one throwaway DTLS handshake per process, on a
 * worker thread, so that a call's handshake does not pay OpenSSL's
 * first-use costs.
 *
 * OpenSSL 3.0 looks up every algorithm in its provider tables the first
 * time a process uses it (the X25519 key exchange, the TLS 1.2 PRF, AES-GCM,
 * the decoders behind d2i_X509, ...) and caches what it found. The first
 * handshake of a process costs about 0.3 ms more CPU than the next ones
 * (measured: 1.47 vs 1.17 ms for both sides in one process), and in a call
 * that time sits on the critical path, between ICE and the first data
 * channel. Running one complete handshake between two in-memory endpoints,
 * through the same shared SSL_CTX and the same transport code, fills those
 * caches while the call is still signaling. Both endpoints check each
 * other's certificate against its real sha-256 fingerprint, as in a call.
 *
 * The work runs on its own thread with its own GMainContext (the
 * transports' retransmission timers never fire: nothing is lost in
 * memory), so it costs no time on the thread that runs the call; a second
 * core does it while the call waits on the network.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dtls/dtls.h"

#include <openssl/ssl.h>
#include <stdlib.h>

typedef struct Side Side;

struct Side {
    ScCert *cert;
    ScDtlsTransport *t;
    ScDtlsState state;
    GQueue *inbox;  /* GBytes this side has still to receive */
    gsize got_data; /* application bytes received */
    Side *peer;
};

/* A handshake is a handful of flights; anything longer is a failure. */
#define WARMUP_MAX_DATAGRAMS 64

static void
on_send(gpointer data, const guint8 *buf, gsize len)
{
    Side *s = data;

    /* delivered later, from run(): never into the peer synchronously */
    g_queue_push_tail(s->peer->inbox, g_bytes_new(buf, len));
}

static void
on_state(gpointer data, ScDtlsState state, const GError *error)
{
    Side *s = data;

    (void)error;
    s->state = state;
}

static void
on_data(gpointer data, const guint8 *buf, gsize len)
{
    Side *s = data;

    (void)buf;
    s->got_data += len;
}

static const ScDtlsCallbacks warm_cb = {
    .send = on_send,
    .on_state = on_state,
    .on_data = on_data,
};

static gboolean
side_init(Side *s, Side *peer, GMainContext *ctx, const char *name,
          GError **error)
{
    s->peer = peer;
    s->inbox = g_queue_new();
    s->state = SC_DTLS_STATE_NEW;
    s->cert = sc_cert_new_ecdsa(error);
    if (s->cert == NULL)
        return FALSE;
    s->t = sc_dtls_transport_new(ctx, s->cert, name, &warm_cb, s, error);
    if (s->t == NULL)
        return FALSE;
    sc_dtls_transport_set_quiet(s->t);
    return TRUE;
}

static gboolean
give_fingerprint(Side *s, GError **error)
{
    g_autofree char *fp =
        sc_cert_get_fingerprint(s->peer->cert, SC_HASH_SHA256);
    const char *fps[] = {fp, NULL};

    return fp != NULL &&
           sc_dtls_transport_set_remote_fingerprints(s->t, fps, error);
}

static void
side_clear(Side *s)
{
    g_clear_pointer(&s->t, sc_dtls_transport_free);
    g_clear_pointer(&s->cert, sc_cert_unref);
    if (s->inbox != NULL)
        g_queue_free_full(s->inbox, (GDestroyNotify)g_bytes_unref);
    s->inbox = NULL;
}

/* Delivers queued datagrams, one at a time, until none is left. */
static void
run(Side *a, Side *b)
{
    for (guint n = 0; n < WARMUP_MAX_DATAGRAMS; n++) {
        Side *to = !g_queue_is_empty(a->inbox) ? a : b;
        GBytes *d = g_queue_pop_head(to->inbox);
        gsize len = 0;
        const guint8 *buf;

        if (d == NULL)
            return;
        buf = g_bytes_get_data(d, &len);
        sc_dtls_transport_receive(to->t, buf, len);
        g_bytes_unref(d);
    }
}

gboolean
sc_dtls_warm_up(GError **error)
{
    GMainContext *ctx = g_main_context_new();
    Side client = {0};
    Side server = {0};
    gboolean ok = FALSE;

    g_main_context_push_thread_default(ctx);
    if (!side_init(&client, &server, ctx, "warm-up/dtls-client", error) ||
        !side_init(&server, &client, ctx, "warm-up/dtls-server", error) ||
        !give_fingerprint(&client, error) || !give_fingerprint(&server, error))
        goto out;
    sc_dtls_transport_set_client(client.t, TRUE);
    if (!sc_dtls_transport_start(server.t, error) ||
        !sc_dtls_transport_start(client.t, error))
        goto out;
    run(&client, &server);
    ok = client.state == SC_DTLS_STATE_CONNECTED &&
         server.state == SC_DTLS_STATE_CONNECTED;
    if (ok) {
        /* one application record each way: the record layer's AEAD
         * (AES-128-GCM) is set up on first use too */
        static const guint8 probe[64];

        ok = sc_dtls_transport_send(client.t, probe, sizeof probe) ==
                 SC_OK &&
             sc_dtls_transport_send(server.t, probe, sizeof probe) == SC_OK;
        run(&client, &server);
        ok = ok && client.got_data == sizeof probe &&
             server.got_data == sizeof probe;
    }
    if (!ok)
        g_set_error(error, SC_ERROR, SC_ERROR_DTLS_FAILED,
                    "warm-up handshake did not complete (client %s, "
                    "server %s)",
                    sc_dtls_state_to_string(client.state),
                    sc_dtls_state_to_string(server.state));
out:
    side_clear(&client);
    side_clear(&server);
    g_main_context_pop_thread_default(ctx);
    /* run what freeing the transports left (their timer sources) */
    while (g_main_context_iteration(ctx, FALSE))
        ;
    g_main_context_unref(ctx);
    return ok;
}

/* ---- once per process, on a worker thread ---- */

static GMutex warm_lock;
static GThread *warm_thread;
static gboolean warm_started;
static gint warm_finished;

static gpointer
warm_main(gpointer data)
{
    g_autoptr(GError) error = NULL;

    gint64 t0 = g_get_monotonic_time();

    (void)data;
    if (sc_dtls_warm_up(&error))
        SC_LOG_DEBUG("warm-up", "OpenSSL warmed up by a throwaway handshake "
                                "in %.1f ms (worker thread)",
                     (double)(g_get_monotonic_time() - t0) / 1000.0);
    else
        SC_LOG_WARN("warm-up", "OpenSSL warm-up failed: %s", error->message);
    g_atomic_int_set(&warm_finished, 1);
    return NULL;
}

static void
warm_join_at_exit(void)
{
    sc_dtls_warm_up_wait();
}

void
sc_dtls_warm_up_start(void)
{
    g_mutex_lock(&warm_lock);
    if (!warm_started) {
        warm_started = TRUE;
        /* exit() must not tear OpenSSL down under the thread's feet:
         * atexit handlers run in reverse order, so initialise OpenSSL
         * (which registers its clean-up) before registering the join */
        OPENSSL_init_ssl(0, NULL);
        atexit(warm_join_at_exit);
        warm_thread = g_thread_try_new("sc-dtls-warm", warm_main, NULL, NULL);
    }
    g_mutex_unlock(&warm_lock);
}

void
sc_dtls_warm_up_wait(void)
{
    GThread *th;

    g_mutex_lock(&warm_lock);
    th = warm_thread;
    warm_thread = NULL;
    g_mutex_unlock(&warm_lock);
    if (th != NULL)
        g_thread_join(th);
}

void
sc_dtls_warm_up_reap(void)
{
    if (g_atomic_int_get(&warm_finished))
        sc_dtls_warm_up_wait();
}
