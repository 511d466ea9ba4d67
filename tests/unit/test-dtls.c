/* tests/unit/test-dtls.c - two DTLS transports on one GMainContext joined
 * by an in-memory wire with scripted loss, duplication, reordering and an
 * MTU check: handshake, fingerprint verification (early, deferred, wrong,
 * sha-1 only), loss, fragmentation, garbage, DTLS-SRTP key export.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "dtls/dtls.h"
#include "keys/keys.h"
#include "srtp/srtp.h"
#include "test-util.h"

#include <string.h>

#define DEADLINE_MS 20000

typedef struct Wire Wire;

typedef struct {
    Wire *wire;
    const char *name;
    ScCert *cert;
    ScDtlsTransport *t;
    guint mtu;              /* largest datagram this side may send */
    ScDtlsState state;
    GError *error;          /* copy of the FAILED reason */
    guint n_state_calls;
    GPtrArray *data;        /* GBytes received through on_data */
    gboolean data_before_connected;
    gboolean free_on_connected;
    guint n_sent;
} Peer;

typedef struct {
    Peer *to;
    GBytes *bytes;
} Delivery;

struct Wire {
    GMainContext *ctx;
    Peer a, b;              /* a: DTLS client, b: server */
    GRand *rand;
    double loss;            /* probability of dropping a datagram */
    gboolean duplicate;     /* deliver every datagram twice */
    gboolean reorder;       /* sometimes swap with the previous one */
    gboolean mtu_violation;
    guint n_dropped;
    GQueue queue;           /* Delivery, in delivery order */
    GSource *pump;
};

static void
delivery_free(Delivery *d)
{
    g_bytes_unref(d->bytes);
    g_free(d);
}

static gboolean
on_pump(gpointer data)
{
    Wire *w = data;
    Delivery *d = g_queue_pop_head(&w->queue);

    if (d != NULL) {
        if (d->to->t != NULL) {
            gsize len = 0;
            const guint8 *buf = g_bytes_get_data(d->bytes, &len);
            sc_dtls_transport_receive(d->to->t, buf, len);
        }
        delivery_free(d);
    }
    if (g_queue_is_empty(&w->queue)) {
        g_source_unref(w->pump);
        w->pump = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
wire_enqueue(Wire *w, Peer *to, const guint8 *buf, gsize len)
{
    Delivery *d = g_new0(Delivery, 1);
    d->to = to;
    d->bytes = g_bytes_new(buf, len);
    if (w->reorder && !g_queue_is_empty(&w->queue) &&
        g_rand_double(w->rand) < 0.3)
        g_queue_push_nth(&w->queue, d, (gint)g_queue_get_length(&w->queue) - 1);
    else
        g_queue_push_tail(&w->queue, d);
    if (w->pump == NULL) {
        w->pump = g_idle_source_new();
        g_source_set_callback(w->pump, on_pump, w, NULL);
        g_source_attach(w->pump, w->ctx);
    }
}

/* ---- transport callbacks ---- */

static void
on_send(gpointer user_data, const guint8 *buf, gsize len)
{
    Peer *p = user_data;
    Wire *w = p->wire;
    Peer *to = p == &w->a ? &w->b : &w->a;

    p->n_sent++;
    if (len > p->mtu) {
        g_test_message("%s sent %" G_GSIZE_FORMAT " bytes > MTU %u", p->name,
                       len, p->mtu);
        w->mtu_violation = TRUE;
    }
    if (w->loss > 0 && g_rand_double(w->rand) < w->loss) {
        w->n_dropped++;
        return;
    }
    wire_enqueue(w, to, buf, len);
    if (w->duplicate)
        wire_enqueue(w, to, buf, len);
}

static void
on_state(gpointer user_data, ScDtlsState state, const GError *error)
{
    Peer *p = user_data;

    g_test_message("%s: %s%s%s", p->name, sc_dtls_state_to_string(state),
                   error ? ": " : "", error ? error->message : "");
    p->state = state;
    p->n_state_calls++;
    if (state == SC_DTLS_STATE_FAILED) {
        g_assert_nonnull(error);
        g_clear_error(&p->error);
        p->error = g_error_copy(error);
    }
    if (state == SC_DTLS_STATE_CONNECTED && p->free_on_connected) {
        sc_dtls_transport_free(p->t); /* from inside the callback */
        p->t = NULL;
    }
}

static void
on_data(gpointer user_data, const guint8 *buf, gsize len)
{
    Peer *p = user_data;

    if (p->state != SC_DTLS_STATE_CONNECTED ||
        sc_dtls_transport_get_state(p->t) != SC_DTLS_STATE_CONNECTED)
        p->data_before_connected = TRUE;
    g_ptr_array_add(p->data, g_bytes_new(buf, len));
}

static const ScDtlsCallbacks callbacks = {
    .send = on_send,
    .on_state = on_state,
    .on_data = on_data,
};

/* ---- fixture ---- */

static void
peer_init(Wire *w, Peer *p, const char *name, gboolean client)
{
    g_autoptr(GError) error = NULL;

    p->wire = w;
    p->name = name;
    p->mtu = SC_DTLS_DEFAULT_MTU;
    p->cert = sc_cert_new_ecdsa(&error);
    g_assert_no_error(error);
    p->t = sc_dtls_transport_new(w->ctx, p->cert, name, &callbacks, p, &error);
    g_assert_no_error(error);
    g_assert_nonnull(p->t);
    sc_dtls_transport_set_client(p->t, client);
    p->data = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    p->state = SC_DTLS_STATE_NEW;
}

static void
peer_clear(Peer *p)
{
    sc_dtls_transport_free(p->t);
    p->t = NULL;
    sc_cert_unref(p->cert);
    g_clear_error(&p->error);
    g_ptr_array_unref(p->data);
}

static void
wire_setup(Wire *w, gconstpointer data)
{
    (void)data;
    memset(w, 0, sizeof(*w));
    w->ctx = g_main_context_new();
    w->rand = g_rand_new_with_seed(42);
    g_queue_init(&w->queue);
    peer_init(w, &w->a, "client", TRUE);
    peer_init(w, &w->b, "server", FALSE);
}

static void
wire_teardown(Wire *w, gconstpointer data)
{
    (void)data;
    if (w->pump != NULL) {
        g_source_destroy(w->pump);
        g_source_unref(w->pump);
    }
    g_queue_clear_full(&w->queue, (GDestroyNotify)delivery_free);
    peer_clear(&w->a);
    peer_clear(&w->b);
    /* let destroyed sources go */
    while (g_main_context_iteration(w->ctx, FALSE))
        ;
    g_main_context_unref(w->ctx);
    g_rand_free(w->rand);
}

/* Gives @p the fingerprint of @of's certificate (sha-256). */
static void
give_fingerprint(Peer *p, Peer *of)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *fp = sc_cert_get_fingerprint(of->cert, SC_HASH_SHA256);
    const char *fps[] = {fp, NULL};
    g_assert_true(sc_dtls_transport_set_remote_fingerprints(p->t, fps, &error));
    g_assert_no_error(error);
}

static void
start(Peer *p)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sc_dtls_transport_start(p->t, &error));
    g_assert_no_error(error);
}

static gboolean
both_connected(gpointer data)
{
    Wire *w = data;
    return w->a.state == SC_DTLS_STATE_CONNECTED &&
           w->b.state == SC_DTLS_STATE_CONNECTED;
}

static gboolean
both_done(gpointer data)
{
    Wire *w = data;
    return (w->a.state == SC_DTLS_STATE_FAILED ||
            w->a.state == SC_DTLS_STATE_CLOSED) &&
           (w->b.state == SC_DTLS_STATE_FAILED ||
            w->b.state == SC_DTLS_STATE_CLOSED);
}

static gboolean
wire_idle(gpointer data)
{
    Wire *w = data;
    return g_queue_is_empty(&w->queue);
}

static void
connect_pair(Wire *w)
{
    give_fingerprint(&w->a, &w->b);
    give_fingerprint(&w->b, &w->a);
    start(&w->b);
    start(&w->a);
    g_assert_true(sc_test_run_until(w->ctx, both_connected, w, DEADLINE_MS));
    g_assert_false(w->mtu_violation);
}

static gboolean
got_n_data(Peer *p, guint n)
{
    return p->data->len >= n;
}

static gboolean
a_has_one(gpointer data)
{
    return got_n_data(&((Wire *)data)->a, 1);
}

static gboolean
b_has_one(gpointer data)
{
    return got_n_data(&((Wire *)data)->b, 1);
}

static gboolean
b_has_two(gpointer data)
{
    return got_n_data(&((Wire *)data)->b, 2);
}

static void
assert_data(Peer *p, guint i, const char *text)
{
    g_assert_cmpuint(p->data->len, >, i);
    gsize len = 0;
    const guint8 *buf = g_bytes_get_data(p->data->pdata[i], &len);
    g_assert_cmpmem(buf, len, text, strlen(text));
}

static void
exchange_data(Wire *w)
{
    static const char ping[] = "ping from the client";
    static const char pong[] = "pong from the server";

    g_assert_cmpint(sc_dtls_transport_send(w->a.t, (const guint8 *)ping,
                                           strlen(ping)),
                    ==, SC_OK);
    g_assert_true(sc_test_run_until(w->ctx, b_has_one, w, DEADLINE_MS));
    g_assert_cmpint(sc_dtls_transport_send(w->b.t, (const guint8 *)pong,
                                           strlen(pong)),
                    ==, SC_OK);
    g_assert_true(sc_test_run_until(w->ctx, a_has_one, w, DEADLINE_MS));
    assert_data(&w->b, 0, ping);
    assert_data(&w->a, 0, pong);
    g_assert_false(w->a.data_before_connected);
    g_assert_false(w->b.data_before_connected);
}

/* ---- (a) the normal handshake ---- */

static void
test_handshake(Wire *w, gconstpointer data)
{
    (void)data;
    static const guint8 early[] = "too early";
    g_assert_cmpint(sc_dtls_transport_send(w->a.t, early, sizeof(early)), ==,
                    SC_DROP_STATE);
    g_assert_null(sc_dtls_transport_get_version(w->a.t));
    g_assert_cmpuint(sc_dtls_transport_get_data_mtu(w->a.t), ==, 0);
    g_assert_null(sc_dtls_transport_get_remote_fingerprint(w->a.t));

    connect_pair(w);
    for (int i = 0; i < 2; i++) {
        Peer *p = i == 0 ? &w->a : &w->b;
        Peer *other = i == 0 ? &w->b : &w->a;
        ScDtlsTransport *t = p->t;
        g_assert_cmpstr(sc_dtls_transport_get_version(t), ==, "DTLSv1.2");
        g_assert_cmpstr(sc_dtls_transport_get_cipher(t), ==,
                        "ECDHE-ECDSA-AES128-GCM-SHA256");
        g_assert_cmpstr(sc_dtls_transport_get_cipher_standard_name(t), ==,
                        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        g_assert_true(sc_dtls_transport_is_pfs(t));
        g_assert_cmpint(sc_dtls_transport_get_srtp_profile(t), ==,
                        SC_SRTP_PROFILE_AES128_CM_SHA1_80);
        g_assert_cmpint(sc_dtls_transport_is_client(t), ==, i == 0);
        g_assert_cmpint(sc_dtls_transport_get_handshake_us(t), >=, 0);
        g_autofree char *fp = sc_dtls_transport_get_remote_fingerprint(t);
        g_autofree char *want =
            sc_cert_get_fingerprint(other->cert, SC_HASH_SHA256);
        g_assert_cmpstr(fp, ==, want);
        ScFingerprint vfp;
        g_assert_true(sc_dtls_transport_get_verified_fingerprint(t, &vfp));
        g_assert_cmpint(vfp.hash, ==, SC_HASH_SHA256);
        g_assert_cmpuint(p->n_state_calls, ==, 2); /* CONNECTING, CONNECTED */
    }
    exchange_data(w);

    /* one record per datagram: AES-128-GCM costs 13 (header) + 8 (explicit
     * nonce) + 16 (tag) bytes of the 1200 */
    guint data_mtu = sc_dtls_transport_get_data_mtu(w->a.t);
    g_assert_cmpuint(data_mtu, ==, 1200 - 13 - 8 - 16);
    g_assert_cmpuint(sc_dtls_transport_get_data_mtu(w->b.t), ==, data_mtu);
    guint8 big[1500] = {0};
    g_assert_cmpint(sc_dtls_transport_send(w->a.t, big, data_mtu + 1), ==,
                    SC_DROP_NOSPACE);
    g_assert_cmpint(sc_dtls_transport_send(w->a.t, big, data_mtu), ==, SC_OK);
    g_assert_true(sc_test_run_until(w->ctx, b_has_two, w, DEADLINE_MS));
    g_assert_cmpuint(g_bytes_get_size(w->b.data->pdata[1]), ==, data_mtu);
    g_assert_false(w->mtu_violation);

    /* close: close_notify makes the peer CLOSED too */
    sc_dtls_transport_close(w->a.t);
    g_assert_cmpint(w->a.state, ==, SC_DTLS_STATE_CLOSED);
    g_assert_true(sc_test_run_until(w->ctx, both_done, w, DEADLINE_MS));
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_CLOSED);
    g_assert_cmpint(sc_dtls_transport_send(w->b.t, early, sizeof(early)), ==,
                    SC_DROP_STATE);
    sc_dtls_transport_close(w->a.t); /* idempotent */
}

/* The offerer (server here) gets the ClientHello before it has the answer
 * and before start(): it must keep it. */
static void
test_client_hello_before_start(Wire *w, gconstpointer data)
{
    (void)data;
    give_fingerprint(&w->a, &w->b);
    start(&w->a);
    g_assert_true(sc_test_run_until(w->ctx, wire_idle, w, DEADLINE_MS));
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_NEW);
    give_fingerprint(&w->b, &w->a);
    start(&w->b);
    g_assert_true(sc_test_run_until(w->ctx, both_connected, w, DEADLINE_MS));
    exchange_data(w);
}

/* ---- (b) remote fingerprint known only after the handshake ---- */

static gboolean
client_connected_wire_idle(gpointer data)
{
    Wire *w = data;
    return w->a.state == SC_DTLS_STATE_CONNECTED && wire_idle(w);
}

static void
test_deferred_fingerprint(Wire *w, gconstpointer data)
{
    (void)data;
    static const char msg[] = "sent before the server could verify";

    give_fingerprint(&w->a, &w->b); /* the client knows; the server not yet */
    start(&w->b);
    start(&w->a);
    g_assert_true(
        sc_test_run_until(w->ctx, client_connected_wire_idle, w, DEADLINE_MS));
    /* the handshake is over, but the server is not connected */
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_CONNECTING);
    g_assert_cmpstr(sc_dtls_transport_get_version(w->b.t), ==, "DTLSv1.2");
    g_assert_null(sc_dtls_transport_get_remote_fingerprint(w->b.t));
    g_assert_cmpint(sc_dtls_transport_send(w->b.t, (const guint8 *)"x", 1),
                    ==, SC_DROP_STATE);
    ScSrtpKeys keys;
    g_autoptr(GError) error = NULL;
    g_assert_false(sc_dtls_transport_export_srtp_keys(w->b.t, &keys, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);

    /* data from the (unverified) client is held, not delivered */
    g_assert_cmpint(sc_dtls_transport_send(w->a.t, (const guint8 *)msg,
                                           strlen(msg)),
                    ==, SC_OK);
    g_assert_true(sc_test_run_until(w->ctx, wire_idle, w, DEADLINE_MS));
    g_assert_cmpuint(w->b.data->len, ==, 0);

    /* the answer arrives: verified now, held data delivered */
    give_fingerprint(&w->b, &w->a);
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_CONNECTED);
    g_assert_cmpuint(w->b.data->len, ==, 1);
    assert_data(&w->b, 0, msg);
    g_assert_false(w->b.data_before_connected);
    g_autofree char *fp = sc_dtls_transport_get_remote_fingerprint(w->b.t);
    g_autofree char *want = sc_cert_get_fingerprint(w->a.cert, SC_HASH_SHA256);
    g_assert_cmpstr(fp, ==, want);

    /* once verified, the set cannot change */
    const char *fps[] = {want, NULL};
    g_assert_false(
        sc_dtls_transport_set_remote_fingerprints(w->b.t, fps, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
}

static void
test_deferred_wrong_fingerprint(Wire *w, gconstpointer data)
{
    (void)data;
    static const char msg[] = "must never be delivered";

    give_fingerprint(&w->a, &w->b);
    start(&w->b);
    start(&w->a);
    g_assert_true(
        sc_test_run_until(w->ctx, client_connected_wire_idle, w, DEADLINE_MS));
    g_assert_cmpint(sc_dtls_transport_send(w->a.t, (const guint8 *)msg,
                                           strlen(msg)),
                    ==, SC_OK);
    g_assert_true(sc_test_run_until(w->ctx, wire_idle, w, DEADLINE_MS));

    /* the answer names some other certificate */
    g_autoptr(ScCert) mallory = sc_cert_new_ecdsa(NULL);
    g_autofree char *bad = sc_cert_get_fingerprint(mallory, SC_HASH_SHA256);
    const char *fps[] = {bad, NULL};
    g_assert_true(sc_dtls_transport_set_remote_fingerprints(w->b.t, fps, NULL));
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_FAILED);
    g_assert_error(w->b.error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_assert_cmpuint(w->b.data->len, ==, 0);
    /* the client hears close_notify */
    g_assert_true(sc_test_run_until(w->ctx, both_done, w, DEADLINE_MS));
    g_assert_cmpint(w->a.state, ==, SC_DTLS_STATE_CLOSED);
}

/* ---- (c) wrong fingerprint known during the handshake ---- */

static void
test_wrong_fingerprint(Wire *w, gconstpointer data)
{
    gboolean client_is_wrong = GPOINTER_TO_INT(data);
    Peer *wrong = client_is_wrong ? &w->a : &w->b;
    Peer *right = client_is_wrong ? &w->b : &w->a;

    g_autoptr(ScCert) mallory = sc_cert_new_ecdsa(NULL);
    g_autofree char *bad = sc_cert_get_fingerprint(mallory, SC_HASH_SHA256);
    const char *fps[] = {bad, NULL};
    g_assert_true(
        sc_dtls_transport_set_remote_fingerprints(wrong->t, fps, NULL));
    give_fingerprint(right, wrong);
    start(&w->b);
    start(&w->a);
    g_assert_true(sc_test_run_until(w->ctx, both_done, w, DEADLINE_MS));

    /* the side with the wrong fingerprint detects the mismatch */
    g_assert_cmpint(wrong->state, ==, SC_DTLS_STATE_FAILED);
    g_assert_error(wrong->error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_assert_nonnull(strstr(wrong->error->message, bad + strlen("sha-256 ")));
    /* the other side got bad_certificate: the peer's claim, reported as a
     * failed handshake, never as a fingerprint verdict of its own */
    g_assert_cmpint(right->state, ==, SC_DTLS_STATE_FAILED);
    g_assert_error(right->error, SC_ERROR, SC_ERROR_DTLS_FAILED);
    g_assert_nonnull(strstr(right->error->message, "bad_certificate"));
    g_assert_cmpuint(w->a.data->len + w->b.data->len, ==, 0);
    g_assert_null(sc_dtls_transport_get_remote_fingerprint(wrong->t));
}

/* ---- (d) only sha-1 offered ---- */

static void
test_sha1_only(Wire *w, gconstpointer data)
{
    (void)data;
    g_autoptr(GError) error = NULL;
    ScFingerprint fp;
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(w->b.cert),
                                         SC_HASH_SHA1, &fp));
    g_autofree char *sha1 = sc_fingerprint_to_string(&fp);
    const char *fps[] = {sha1, "md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
                         NULL};
    /* refused, and the transport is left fail-closed */
    g_assert_false(
        sc_dtls_transport_set_remote_fingerprints(w->a.t, fps, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    give_fingerprint(&w->b, &w->a);
    start(&w->b);
    start(&w->a);
    g_assert_true(sc_test_run_until(w->ctx, both_done, w, DEADLINE_MS));
    g_assert_cmpint(w->a.state, ==, SC_DTLS_STATE_FAILED);
    g_assert_error(w->a.error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_FAILED);
    g_assert_cmpuint(w->a.data->len + w->b.data->len, ==, 0);
}

/* ---- (e) loss, duplication, reordering ---- */

static void
test_lossy(Wire *w, gconstpointer data)
{
    guint seed = GPOINTER_TO_UINT(data);
    g_rand_set_seed(w->rand, seed);
    w->loss = 0.3;
    connect_pair(w);
    g_test_message("dropped %u datagrams; sent %u + %u", w->n_dropped,
                   w->a.n_sent, w->b.n_sent);
    g_assert_cmpuint(w->n_dropped, >, 0);
}

static void
test_dup_reorder(Wire *w, gconstpointer data)
{
    (void)data;
    w->duplicate = TRUE;
    w->reorder = TRUE;
    connect_pair(w);
    exchange_data(w);
}

/* ---- (f) small MTU: fragmented handshake messages ---- */

static void
test_small_mtu(Wire *w, gconstpointer data)
{
    (void)data;
    w->a.mtu = w->b.mtu = 300;
    sc_dtls_transport_set_mtu(w->a.t, 300);
    sc_dtls_transport_set_mtu(w->b.t, 300);
    /* each Certificate handshake message (DER + 3-byte list length + 3-byte
     * entry length + 12-byte DTLS handshake header + 13-byte record header)
     * cannot fit one 300-byte datagram: OpenSSL must fragment it, and the
     * peer must reassemble it */
    for (int i = 0; i < 2; i++) {
        Peer *p = i == 0 ? &w->a : &w->b;
        int der = i2d_X509(sc_cert_get_x509(p->cert), NULL);
        g_assert_cmpint(der + 3 + 3 + 12 + 13, >, 300);
    }
    connect_pair(w); /* asserts no datagram exceeded 300 bytes */
    /* ClientHello + the client's flight split over at least 2 datagrams;
     * the server's flight over at least 2 */
    g_assert_cmpuint(w->a.n_sent, >=, 3);
    g_assert_cmpuint(w->b.n_sent, >=, 3);
    exchange_data(w);
}

/* ---- (g) garbage ---- */

static void
feed_garbage(Wire *w, Peer *p, guint n)
{
    guint8 buf[600];
    for (guint i = 0; i < n; i++) {
        gsize len = g_rand_int_range(w->rand, 0, sizeof(buf));
        for (gsize j = 0; j < len; j++)
            buf[j] = (guint8)g_rand_int(w->rand);
        if (len > 0 && i % 2 == 0)
            buf[0] = (guint8)g_rand_int_range(w->rand, 20, 64);
        if (len > 13 && i % 4 == 0) { /* plausible record header */
            buf[0] = 22;
            buf[1] = 0xfe;
            buf[2] = 0xfd;
        }
        sc_dtls_transport_receive(p->t, buf, len);
    }
}

static void
test_garbage(Wire *w, gconstpointer data)
{
    (void)data;
    feed_garbage(w, &w->b, 20); /* before start: into the early buffer */
    give_fingerprint(&w->a, &w->b);
    give_fingerprint(&w->b, &w->a);
    start(&w->b);
    feed_garbage(w, &w->b, 50);
    start(&w->a);
    feed_garbage(w, &w->a, 50);
    g_assert_true(sc_test_run_until(w->ctx, both_connected, w, DEADLINE_MS));
    feed_garbage(w, &w->a, 200);
    feed_garbage(w, &w->b, 200);
    g_assert_cmpint(w->a.state, ==, SC_DTLS_STATE_CONNECTED);
    g_assert_cmpint(w->b.state, ==, SC_DTLS_STATE_CONNECTED);
    exchange_data(w);
    g_assert_cmpuint(w->a.data->len, ==, 1);
    g_assert_cmpuint(w->b.data->len, ==, 1);
}

/* ---- (h) DTLS-SRTP keys ---- */

static gsize
make_rtp(guint8 *buf, guint16 seq)
{
    static const guint8 hdr[12] = {0x80, 0x60, 0, 0, 0, 0, 0, 1,
                                   0xde, 0xad, 0xbe, 0xef};
    memcpy(buf, hdr, 12);
    buf[2] = (guint8)(seq >> 8);
    buf[3] = (guint8)seq;
    memset(buf + 12, 0x42, 100);
    return 112;
}

static void
check_media(ScSrtpSession *from, ScSrtpSession *to)
{
    guint8 pkt[256], copy[256], orig[256];
    gsize len = make_rtp(pkt, 7);
    memcpy(orig, pkt, len);
    g_assert_cmpint(sc_srtp_session_protect(from, pkt, &len, sizeof(pkt)), ==,
                    SC_OK);
    memcpy(copy, pkt, len);
    gsize clen = len;
    g_assert_cmpint(sc_srtp_session_unprotect(to, pkt, &len), ==, SC_OK);
    g_assert_cmpmem(pkt, len, orig, 112);
    g_assert_cmpint(sc_srtp_session_unprotect(to, copy, &clen), ==,
                    SC_DROP_REPLAY);

    len = make_rtp(pkt, 8);
    g_assert_cmpint(sc_srtp_session_protect(from, pkt, &len, sizeof(pkt)), ==,
                    SC_OK);
    pkt[50] ^= 0x04;
    g_assert_cmpint(sc_srtp_session_unprotect(to, pkt, &len), ==,
                    SC_DROP_AUTH);

    guint8 rtcp[64] = {0x80, 0xc9, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
    len = 8;
    g_assert_cmpint(sc_srtp_session_protect_rtcp(from, rtcp, &len,
                                                 sizeof(rtcp)),
                    ==, SC_OK);
    g_assert_cmpint(sc_srtp_session_unprotect_rtcp(to, rtcp, &len), ==, SC_OK);
    g_assert_cmpuint(len, ==, 8);
    g_assert_cmpuint(rtcp[1], ==, 0xc9);
}

static void
test_srtp_keys(Wire *w, gconstpointer data)
{
    (void)data;
    g_autoptr(GError) error = NULL;
    ScSrtpKeys ka, kb;

    g_assert_false(sc_dtls_transport_export_srtp_keys(w->a.t, &ka, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);

    connect_pair(w);
    g_assert_true(sc_dtls_transport_export_srtp_keys(w->a.t, &ka, &error));
    g_assert_no_error(error);
    g_assert_true(sc_dtls_transport_export_srtp_keys(w->b.t, &kb, &error));
    g_assert_no_error(error);
    g_assert_cmpint(ka.profile, ==, SC_SRTP_PROFILE_AES128_CM_SHA1_80);
    g_assert_cmpint(kb.profile, ==, ka.profile);
    g_assert_cmpuint(ka.key_salt_len, ==, 30);
    g_assert_cmpuint(kb.key_salt_len, ==, 30);
    g_assert_cmpmem(ka.local, 30, kb.remote, 30);
    g_assert_cmpmem(ka.remote, 30, kb.local, 30);
    g_assert_true(memcmp(ka.local, ka.remote, 30) != 0);

    ScSrtpSession *sa = sc_srtp_session_new(&ka, &error);
    g_assert_no_error(error);
    ScSrtpSession *sb = sc_srtp_session_new(&kb, &error);
    g_assert_no_error(error);
    sc_secure_wipe(&ka, sizeof(ka));
    sc_secure_wipe(&kb, sizeof(kb));
    check_media(sa, sb);
    check_media(sb, sa);
    sc_srtp_session_free(sa);
    sc_srtp_session_free(sb);
}

/* ---- re-entrancy: freeing from inside on_state ---- */

static gboolean
b_connected(gpointer data)
{
    return ((Wire *)data)->b.state == SC_DTLS_STATE_CONNECTED;
}

static void
test_free_in_callback(Wire *w, gconstpointer data)
{
    (void)data;
    w->a.free_on_connected = TRUE;
    give_fingerprint(&w->a, &w->b);
    give_fingerprint(&w->b, &w->a);
    start(&w->b);
    start(&w->a);
    g_assert_true(sc_test_run_until(w->ctx, b_connected, w, DEADLINE_MS));
    g_assert_true(sc_test_run_until(w->ctx, wire_idle, w, DEADLINE_MS));
    g_assert_null(w->a.t);
    g_assert_cmpint(w->a.state, ==, SC_DTLS_STATE_CONNECTED);
}

static void
test_state_names(void)
{
    g_assert_cmpstr(sc_dtls_state_to_string(SC_DTLS_STATE_NEW), ==, "new");
    g_assert_cmpstr(sc_dtls_state_to_string(SC_DTLS_STATE_CONNECTED), ==,
                    "connected");
    g_assert_cmpstr(sc_dtls_state_to_string(SC_DTLS_STATE_FAILED), ==,
                    "failed");
    g_assert_cmpstr(sc_dtls_state_to_string(SC_DTLS_N_STATES), ==, "invalid");
}

/* The throwaway in-memory handshake completes (twice: nothing of it is
 * left behind), and the thread version starts once and joins. The other
 * tests run after these in the same process, on the same shared SSL_CTX. */
static void
test_warm_up(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_dtls_warm_up(&error));
    g_assert_no_error(error);
    g_assert_true(sc_dtls_warm_up(&error));
    g_assert_no_error(error);
}

static void
test_warm_up_thread(void)
{
    sc_dtls_warm_up_reap(); /* nothing started: nothing to join */
    sc_dtls_warm_up_start();
    sc_dtls_warm_up_start(); /* once per process */
    sc_dtls_warm_up_wait();
    sc_dtls_warm_up_wait();
    sc_dtls_warm_up_reap();
}

/* ---- ALPN (RFC 8833) ---- */

/* @data: 0 neither confidential, 1 the client, 2 the server, 3 both:
 * "webrtc" when neither, else "c-webrtc" (the other side accepts it) */
static void
test_alpn(Wire *w, gconstpointer data)
{
    int which = GPOINTER_TO_INT(data);

    sc_dtls_transport_set_confidential(w->a.t, (which & 1) != 0);
    sc_dtls_transport_set_confidential(w->b.t, (which & 2) != 0);
    g_assert_cmpstr(sc_dtls_transport_get_alpn(w->a.t), ==, "");
    connect_pair(w);
    g_assert_cmpstr(sc_dtls_transport_get_alpn(w->a.t), ==,
                    which == 0 ? "webrtc" : "c-webrtc");
    g_assert_cmpstr(sc_dtls_transport_get_alpn(w->b.t), ==,
                    which == 0 ? "webrtc" : "c-webrtc");
    exchange_data(w);
}

#define ADD(path, func, data)                                                \
    g_test_add(path, Wire, data, wire_setup, func, wire_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dtls/warm-up/in-memory", test_warm_up);
    g_test_add_func("/dtls/warm-up/thread", test_warm_up_thread);
    ADD("/dtls/handshake/basic", test_handshake, NULL);
    ADD("/dtls/alpn/webrtc", test_alpn, GINT_TO_POINTER(0));
    ADD("/dtls/alpn/confidential-client", test_alpn, GINT_TO_POINTER(1));
    ADD("/dtls/alpn/confidential-server", test_alpn, GINT_TO_POINTER(2));
    ADD("/dtls/alpn/confidential-both", test_alpn, GINT_TO_POINTER(3));
    ADD("/dtls/handshake/client-hello-before-start",
        test_client_hello_before_start, NULL);
    ADD("/dtls/fingerprint/deferred", test_deferred_fingerprint, NULL);
    ADD("/dtls/fingerprint/deferred-wrong", test_deferred_wrong_fingerprint,
        NULL);
    ADD("/dtls/fingerprint/wrong-at-client", test_wrong_fingerprint,
        GINT_TO_POINTER(TRUE));
    ADD("/dtls/fingerprint/wrong-at-server", test_wrong_fingerprint,
        GINT_TO_POINTER(FALSE));
    ADD("/dtls/fingerprint/sha1-only", test_sha1_only, NULL);
    ADD("/dtls/wire/loss-30-seed-1", test_lossy, GUINT_TO_POINTER(1));
    ADD("/dtls/wire/loss-30-seed-2", test_lossy, GUINT_TO_POINTER(2));
    ADD("/dtls/wire/loss-30-seed-3", test_lossy, GUINT_TO_POINTER(3));
    ADD("/dtls/wire/duplicate-reorder", test_dup_reorder, NULL);
    ADD("/dtls/wire/small-mtu", test_small_mtu, NULL);
    ADD("/dtls/wire/garbage", test_garbage, NULL);
    ADD("/dtls/srtp/export-keys", test_srtp_keys, NULL);
    ADD("/dtls/api/free-in-callback", test_free_in_callback, NULL);
    g_test_add_func("/dtls/api/state-names", test_state_names);
    return g_test_run();
}
