/* tests/unit/test-sctp.c - two SCTP associations on one GMainContext,
 * wired by an in-memory fake wire (delivery from an idle source, so no
 * re-entrancy; scripted loss and reordering).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "sctp/sctp.h"
#include "test-util.h"

#include <usrsctp.h>

#define DEADLINE_MS 20000
#define PORT 5000

typedef struct Wire Wire;

typedef struct {
    guint16 sid;
    gboolean binary;
    GBytes *data;
} Msg;

typedef struct {
    Wire *wire;
    int idx;
    ScSctpAssoc *assoc;
    GQueue inbox; /* GBytes */
    GQueue held;  /* GBytes kept back while @hold */
    gboolean hold;
    GSource *idle;
    ScSctpState state;
    GArray *states;      /* ScSctpState, in order */
    GPtrArray *opened;   /* "sid:label:protocol:remote" */
    GArray *open_sids;   /* guint16 */
    GArray *closed;      /* guint16 */
    GPtrArray *msgs;     /* Msg */
    guint buf_low;
    guint refused_reports; /* on_channel_refused calls */
    /* bulk */
    gsize bulk_rx_bytes;
    GChecksum *bulk_rx_sum;
    gboolean free_in_on_message;
} Peer;

struct Wire {
    GMainContext *ctx;
    Peer peer[2];
    guint loss_permille;
    guint run_dropped[2];   /* consecutive drops per direction */
    gboolean reorder;
    guint64 sent;
    guint64 dropped;
};

static void
msg_free(gpointer p)
{
    Msg *m = p;
    g_bytes_unref(m->data);
    g_free(m);
}

/* ---- fake wire ---- */

static gboolean
deliver(gpointer user_data)
{
    Peer *p = user_data;
    guint n = p->inbox.length;

    /* only what was queued when we started: replies go to the next round */
    for (guint i = 0; i < n && p->assoc != NULL; i++) {
        GBytes *pkt;
        gsize len;
        const guint8 *data;

        if (p->wire->reorder && p->inbox.length > 1) {
            guint k = sc_random_uniform(p->inbox.length);
            pkt = g_queue_pop_nth(&p->inbox, k);
        } else {
            pkt = g_queue_pop_head(&p->inbox);
        }
        data = g_bytes_get_data(pkt, &len);
        sc_sctp_assoc_receive(p->assoc, data, len);
        g_bytes_unref(pkt);
    }
    if (!g_queue_is_empty(&p->inbox) && p->assoc != NULL)
        return G_SOURCE_CONTINUE;
    g_source_unref(p->idle);
    p->idle = NULL;
    return G_SOURCE_REMOVE;
}

/* Delivers @p's inbox from an idle source (never synchronously). */
static void
schedule_delivery(Peer *p)
{
    if (p->idle != NULL || g_queue_is_empty(&p->inbox))
        return;
    p->idle = g_idle_source_new();
    g_source_set_callback(p->idle, deliver, p, NULL);
    g_source_attach(p->idle, p->wire->ctx);
}

static void
cb_send(gpointer user_data, const guint8 *buf, gsize len)
{
    Peer *from = user_data;
    Wire *w = from->wire;
    Peer *to = &w->peer[1 - from->idx];

    w->sent++;
    /* Random loss, but never more than two packets in a row in one
     * direction: enough to exercise retransmission and abandonment, while
     * bounding SCTP's RTO back-off so a loaded machine cannot turn bad luck
     * into a minutes-long stall. */
    if (w->loss_permille > 0 && w->run_dropped[from->idx] < 2 &&
        sc_random_uniform(1000) < w->loss_permille) {
        w->dropped++;
        w->run_dropped[from->idx]++;
        return;
    }
    w->run_dropped[from->idx] = 0;
    if (to->hold) {
        g_queue_push_tail(&to->held, g_bytes_new(buf, len));
        return;
    }
    g_queue_push_tail(&to->inbox, g_bytes_new(buf, len));
    schedule_delivery(to);
}

static void
cb_state(gpointer user_data, ScSctpState state, const GError *error)
{
    Peer *p = user_data;

    if (state == SC_SCTP_STATE_FAILED)
        g_assert_nonnull(error);
    p->state = state;
    g_array_append_val(p->states, state);
}

static void
cb_channel_open(gpointer user_data, guint16 sid, const char *label,
                const char *protocol, gboolean remote)
{
    Peer *p = user_data;

    g_ptr_array_add(p->opened, g_strdup_printf("%u:%s:%s:%d", sid, label,
                                               protocol, remote));
    g_array_append_val(p->open_sids, sid);
}

static void
cb_channel_closed(gpointer user_data, guint16 sid)
{
    Peer *p = user_data;
    g_array_append_val(p->closed, sid);
}

static void
cb_message(gpointer user_data, guint16 sid, gboolean binary,
           const guint8 *data, gsize len)
{
    Peer *p = user_data;
    Msg *m;

    if (p->free_in_on_message) {
        /* allowed: the free is deferred until we return */
        sc_sctp_assoc_free(p->assoc);
        p->assoc = NULL;
        p->free_in_on_message = FALSE;
    }
    if (p->bulk_rx_sum != NULL) {
        p->bulk_rx_bytes += len;
        g_checksum_update(p->bulk_rx_sum, data, (gssize)len);
        return;
    }
    m = g_new0(Msg, 1);
    m->sid = sid;
    m->binary = binary;
    m->data = g_bytes_new(data, len);
    g_ptr_array_add(p->msgs, m);
}

static void bulk_pump(Peer *p);

static void
cb_buffered_low(gpointer user_data, guint16 sid)
{
    Peer *p = user_data;

    (void)sid;
    p->buf_low++;
    bulk_pump(p);
}

static void
cb_channel_refused(gpointer user_data, guint16 sid, const char *why)
{
    Peer *p = user_data;

    (void)sid;
    g_assert_nonnull(why);
    p->refused_reports++;
}

static const ScSctpCallbacks callbacks = {
    .send = cb_send,
    .on_state = cb_state,
    .on_channel_open = cb_channel_open,
    .on_channel_closed = cb_channel_closed,
    .on_message = cb_message,
    .on_buffered_amount_low = cb_buffered_low,
    .on_channel_refused = cb_channel_refused,
};

/* @both_clients: misconfigure both ends as DTLS clients (same sid parity) */
static Wire *
wire_new_full(guint64 max_message_size, gboolean both_clients)
{
    Wire *w = g_new0(Wire, 1);

    w->ctx = g_main_context_new();
    for (int i = 0; i < 2; i++) {
        Peer *p = &w->peer[i];
        g_autoptr(GError) error = NULL;

        p->wire = w;
        p->idx = i;
        g_queue_init(&p->inbox);
        g_queue_init(&p->held);
        p->states = g_array_new(FALSE, FALSE, sizeof(ScSctpState));
        p->opened = g_ptr_array_new_with_free_func(g_free);
        p->open_sids = g_array_new(FALSE, FALSE, sizeof(guint16));
        p->closed = g_array_new(FALSE, FALSE, sizeof(guint16));
        p->msgs = g_ptr_array_new_with_free_func(msg_free);
        p->assoc = sc_sctp_assoc_new(w->ctx, i == 0 ? "client" : "server",
                                     i == 0 || both_clients, PORT, PORT,
                                     max_message_size,
                                     &callbacks, p, &error);
        g_assert_no_error(error);
        g_assert_nonnull(p->assoc);
        g_assert_cmpint(sc_sctp_assoc_get_state(p->assoc), ==,
                        SC_SCTP_STATE_NEW);
    }
    return w;
}

static Wire *
wire_new(guint64 max_message_size)
{
    return wire_new_full(max_message_size, FALSE);
}

static void
wire_free(Wire *w)
{
    for (int i = 0; i < 2; i++) {
        Peer *p = &w->peer[i];
        sc_sctp_assoc_free(p->assoc);
        p->assoc = NULL;
    }
    for (int i = 0; i < 2; i++) {
        Peer *p = &w->peer[i];
        if (p->idle != NULL) {
            g_source_destroy(p->idle);
            g_source_unref(p->idle);
        }
        g_queue_clear_full(&p->inbox, (GDestroyNotify)g_bytes_unref);
        g_queue_clear_full(&p->held, (GDestroyNotify)g_bytes_unref);
        g_array_unref(p->states);
        g_ptr_array_unref(p->opened);
        g_array_unref(p->open_sids);
        g_array_unref(p->closed);
        g_ptr_array_unref(p->msgs);
        if (p->bulk_rx_sum != NULL)
            g_checksum_free(p->bulk_rx_sum);
    }
    /* let anything still attached run down before the context goes */
    while (g_main_context_iteration(w->ctx, FALSE))
        ;
    g_main_context_unref(w->ctx);
    g_free(w);
}

static gboolean
both_connected(gpointer data)
{
    Wire *w = data;
    return w->peer[0].state == SC_SCTP_STATE_CONNECTED &&
           w->peer[1].state == SC_SCTP_STATE_CONNECTED;
}

static void
wire_connect(Wire *w)
{
    for (int i = 0; i < 2; i++) {
        g_autoptr(GError) error = NULL;
        g_assert_true(sc_sctp_assoc_start(w->peer[i].assoc, &error));
        g_assert_no_error(error);
    }
    g_assert_true(sc_test_run_until(w->ctx, both_connected, w, DEADLINE_MS));
}

typedef struct {
    Peer *p;
    guint n;
} CountCond;

static gboolean
has_opened(gpointer data)
{
    CountCond *c = data;
    return c->p->opened->len >= c->n;
}

static gboolean
has_msgs(gpointer data)
{
    CountCond *c = data;
    return c->p->msgs->len >= c->n;
}

static gboolean
has_closed(gpointer data)
{
    CountCond *c = data;
    return c->p->closed->len >= c->n;
}

static void
wait_opened(Peer *p, guint n)
{
    CountCond c = { p, n };
    g_assert_true(sc_test_run_until(p->wire->ctx, has_opened, &c, DEADLINE_MS));
}

static void
wait_msgs(Peer *p, guint n)
{
    CountCond c = { p, n };
    g_assert_true(sc_test_run_until(p->wire->ctx, has_msgs, &c, DEADLINE_MS));
}

static void
wait_closed(Peer *p, guint n)
{
    CountCond c = { p, n };
    g_assert_true(sc_test_run_until(p->wire->ctx, has_closed, &c, DEADLINE_MS));
}

static guint16
open_channel(Peer *p, const char *label, const char *protocol,
             gboolean ordered, int rexmit, int lifetime)
{
    g_autoptr(GError) error = NULL;
    guint16 sid = 0xffff;

    g_assert_true(sc_sctp_assoc_open_channel(p->assoc, label, protocol,
                                             ordered, rexmit, lifetime, &sid,
                                             &error));
    g_assert_no_error(error);
    return sid;
}

static void
send_ok(Peer *p, guint16 sid, gboolean binary, const void *data, gsize len)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_sctp_assoc_send(p->assoc, sid, binary, data, len,
                                     &error));
    g_assert_no_error(error);
}

static Msg *
msg_at(Peer *p, guint i)
{
    return g_ptr_array_index(p->msgs, i);
}

/* ---- tests ---- */

static void
test_connect(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;

    /* opened before the association is up: queued, sent on connect */
    sid = open_channel(c, "early", "", TRUE, -1, -1);
    g_assert_cmpuint(sid % 2, ==, 0);
    send_ok(c, sid, FALSE, "before-ack", 10);
    wire_connect(w);
    for (int i = 0; i < 2; i++) {
        Peer *p = &w->peer[i];
        g_assert_cmpuint(p->states->len, >=, 2);
        g_assert_cmpint(g_array_index(p->states, ScSctpState, 0), ==,
                        SC_SCTP_STATE_CONNECTING);
        g_assert_cmpint(g_array_index(p->states, ScSctpState, 1), ==,
                        SC_SCTP_STATE_CONNECTED);
    }
    wait_opened(c, 1);
    wait_msgs(s, 1);
    g_assert_cmpstr(g_ptr_array_index(s->opened, 0), ==, "0:early::1");
    g_assert_cmpstr(g_ptr_array_index(c->opened, 0), ==, "0:early::0");
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 0)->data, NULL),
                    g_bytes_get_size(msg_at(s, 0)->data), "before-ack", 10);

    /* a second start is refused */
    {
        g_autoptr(GError) error = NULL;
        g_assert_false(sc_sctp_assoc_start(c->assoc, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    }
    wire_free(w);
}

static void
test_sid_parity(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 c0, c1, s0;
    gboolean ordered = TRUE;
    int rexmit = 0, lifetime = 0;

    wire_connect(w);
    c0 = open_channel(c, "chat", "xmpp", TRUE, -1, -1);
    c1 = open_channel(c, "second", "", FALSE, 3, -1);
    s0 = open_channel(s, "from-server", "proto", FALSE, -1, 1500);
    g_assert_cmpuint(c0, ==, 0);
    g_assert_cmpuint(c1, ==, 2);
    g_assert_cmpuint(s0, ==, 1);
    wait_opened(c, 3);
    wait_opened(s, 3);
    g_assert_true(g_ptr_array_find_with_equal_func(s->opened, "0:chat:xmpp:1",
                                                   g_str_equal, NULL));
    g_assert_true(g_ptr_array_find_with_equal_func(s->opened, "2:second::1",
                                                   g_str_equal, NULL));
    g_assert_true(g_ptr_array_find_with_equal_func(c->opened,
                                                   "1:from-server:proto:1",
                                                   g_str_equal, NULL));
    g_assert_true(g_ptr_array_find_with_equal_func(s->opened,
                                                   "1:from-server:proto:0",
                                                   g_str_equal, NULL));
    /* the remote side learnt the reliability parameters from the OPEN */
    g_assert_true(sc_sctp_assoc_get_channel_params(s->assoc, c1, &ordered,
                                                   &rexmit, &lifetime));
    g_assert_false(ordered);
    g_assert_cmpint(rexmit, ==, 3);
    g_assert_cmpint(lifetime, ==, -1);
    g_assert_true(sc_sctp_assoc_get_channel_params(c->assoc, s0, &ordered,
                                                   &rexmit, &lifetime));
    g_assert_cmpint(rexmit, ==, -1);
    g_assert_cmpint(lifetime, ==, 1500);
    {
        g_autoptr(GError) error = NULL;
        guint16 sid;
        g_assert_false(sc_sctp_assoc_open_channel(c->assoc, "x", "", TRUE, 1,
                                                  1, &sid, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    }
    wire_free(w);
}

static void
test_messages(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;
    g_autofree guint8 *big = g_malloc(262144 + 1);
    static const guint8 bin[] = { 0, 1, 2, 0xff, 0 };
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < 262145; i++)
        big[i] = (guint8)(i * 131 + (i >> 9));
    wire_connect(w);
    sid = open_channel(c, "msgs", "", TRUE, -1, -1);
    wait_opened(s, 1);
    wait_opened(c, 1);

    send_ok(c, sid, FALSE, "hello", 5);
    send_ok(c, sid, TRUE, bin, sizeof(bin));
    send_ok(c, sid, FALSE, "", 0);
    send_ok(c, sid, TRUE, NULL, 0);
    send_ok(c, sid, TRUE, big, 262144);
    wait_msgs(s, 5);
    g_assert_cmpuint(msg_at(s, 0)->sid, ==, sid);
    g_assert_false(msg_at(s, 0)->binary);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 0)->data, NULL), 5, "hello", 5);
    g_assert_true(msg_at(s, 1)->binary);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 1)->data, NULL),
                    g_bytes_get_size(msg_at(s, 1)->data), bin, sizeof(bin));
    g_assert_false(msg_at(s, 2)->binary);
    g_assert_cmpuint(g_bytes_get_size(msg_at(s, 2)->data), ==, 0);
    g_assert_true(msg_at(s, 3)->binary);
    g_assert_cmpuint(g_bytes_get_size(msg_at(s, 3)->data), ==, 0);
    g_assert_true(msg_at(s, 4)->binary);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 4)->data, NULL),
                    g_bytes_get_size(msg_at(s, 4)->data), big, 262144);

    /* the other way, on the same (remote-opened) channel */
    send_ok(s, sid, FALSE, "world", 5);
    send_ok(s, sid, TRUE, "", 0);
    send_ok(s, sid, FALSE, "", 0);
    wait_msgs(c, 3);
    g_assert_false(msg_at(c, 0)->binary);
    g_assert_cmpmem(g_bytes_get_data(msg_at(c, 0)->data, NULL), 5, "world", 5);
    g_assert_true(msg_at(c, 1)->binary);
    g_assert_cmpuint(g_bytes_get_size(msg_at(c, 1)->data), ==, 0);
    g_assert_false(msg_at(c, 2)->binary);
    g_assert_cmpuint(g_bytes_get_size(msg_at(c, 2)->data), ==, 0);

    /* refused: beyond the peer's max-message-size, bad UTF-8, bad sid */
    g_assert_false(sc_sctp_assoc_send(c->assoc, sid, TRUE, big, 262145,
                                      &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(sc_sctp_assoc_send(c->assoc, sid, FALSE,
                                      (const guint8 *)"\xc3\x28", 2, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(sc_sctp_assoc_send(c->assoc, 40, FALSE,
                                      (const guint8 *)"x", 1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    /* text with an embedded U+0000 is valid UTF-8 */
    send_ok(c, sid, FALSE, "a\0b", 3);
    wait_msgs(s, 6);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 5)->data, NULL), 3, "a\0b", 3);
    g_assert_cmpuint(sc_sctp_assoc_get_local_max_message_size(), ==, 262144);
    wire_free(w);
}

/* More channels than the streams negotiated at INIT (32 each way): the
 * association adds streams (RFC 6525) and every channel opens and carries
 * a message, both ways. */
static void
test_many_channels(void)
{
    enum { N = 48 };
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 csid[N], ssid[N];

    wire_connect(w);
    for (int i = 0; i < N; i++) {
        g_autofree char *cl = g_strdup_printf("c%d", i);
        g_autofree char *sl = g_strdup_printf("s%d", i);
        csid[i] = open_channel(c, cl, "", TRUE, -1, -1);
        ssid[i] = open_channel(s, sl, "", TRUE, -1, -1);
    }
    g_assert_cmpuint(csid[N - 1], ==, 2 * (N - 1));
    g_assert_cmpuint(ssid[N - 1], ==, 2 * (N - 1) + 1);
    wait_opened(c, 2 * N);
    wait_opened(s, 2 * N);
    for (int i = 0; i < N; i++) {
        send_ok(c, csid[i], FALSE, "to-s", 4);
        send_ok(s, ssid[i], FALSE, "to-c", 4);
    }
    wait_msgs(s, N);
    wait_msgs(c, N);
    for (int i = 0; i < N; i++) {
        g_assert_cmpuint(msg_at(s, i)->sid, ==, csid[i]);
        g_assert_cmpuint(msg_at(c, i)->sid, ==, ssid[i]);
        g_assert_cmpmem(g_bytes_get_data(msg_at(s, i)->data, NULL),
                        g_bytes_get_size(msg_at(s, i)->data), "to-s", 4);
    }
    wire_free(w);
}

static void
test_unordered_reorder(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;
    const guint n = 300;
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    gboolean out_of_order = FALSE;

    wire_connect(w);
    sid = open_channel(c, "unordered", "", FALSE, -1, -1);
    wait_opened(c, 1); /* after the ACK: messages may go unordered */
    w->reorder = TRUE;
    for (guint i = 0; i < n; i++) {
        char text[32];
        int len = g_snprintf(text, sizeof(text), "m%u", i);
        send_ok(c, sid, FALSE, text, (gsize)len);
    }
    wait_msgs(s, n);
    for (guint i = 0; i < n; i++) {
        gsize len;
        const char *d = g_bytes_get_data(msg_at(s, i)->data, &len);
        char *t = g_strndup(d, len);
        char expect[32];
        g_snprintf(expect, sizeof(expect), "m%u", i);
        if (!g_str_equal(t, expect))
            out_of_order = TRUE;
        g_assert_true(g_hash_table_add(seen, t));
    }
    g_assert_cmpuint(g_hash_table_size(seen), ==, n);
    g_test_message("unordered: %s", out_of_order ? "arrived out of order"
                                                 : "arrived in order");
    wire_free(w);
}

static gboolean
msgs_on_sid(gpointer data)
{
    CountCond *c = data;
    guint n = 0;

    for (guint i = 0; i < c->p->msgs->len; i++)
        if (msg_at(c->p, i)->sid == 2)
            n++;
    return n >= c->n;
}

static void
test_partial_reliable_loss(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 pr, rel;
    guint pr_rx = 0, rel_rx = 0;
    guint8 payload[1000];
    CountCond cond = { s, 20 };

    memset(payload, 0x5a, sizeof(payload));
    wire_connect(w);
    pr = open_channel(c, "lossy", "", TRUE, 0, -1);
    rel = open_channel(c, "reliable", "", TRUE, -1, -1);
    g_assert_cmpuint(rel, ==, 2);
    wait_opened(c, 2);
    w->loss_permille = 300;
    for (guint i = 0; i < 200; i++)
        send_ok(c, pr, TRUE, payload, sizeof(payload));
    for (guint i = 0; i < 20; i++) {
        char text[16];
        int len = g_snprintf(text, sizeof(text), "r%u", i);
        send_ok(c, rel, FALSE, text, (gsize)len);
    }
    g_assert_true(sc_test_run_until(w->ctx, msgs_on_sid, &cond, 60000));
    for (guint i = 0; i < s->msgs->len; i++) {
        Msg *m = msg_at(s, i);
        if (m->sid == pr) {
            pr_rx++;
        } else {
            char expect[16];
            g_snprintf(expect, sizeof(expect), "r%u", rel_rx);
            g_assert_cmpmem(g_bytes_get_data(m->data, NULL),
                            g_bytes_get_size(m->data), expect, strlen(expect));
            rel_rx++;
        }
    }
    g_assert_cmpuint(rel_rx, ==, 20);
    g_assert_cmpint(sc_sctp_assoc_get_state(c->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    g_assert_cmpint(sc_sctp_assoc_get_state(s->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    /* the lossy channel is not stalled either */
    w->loss_permille = 0;
    send_ok(c, pr, FALSE, "last", 4);
    cond.n = s->msgs->len + 1;
    wait_msgs(s, cond.n);
    g_assert_cmpuint(msg_at(s, cond.n - 1)->sid, ==, pr);
    pr_rx = 0;
    for (guint i = 0; i < s->msgs->len; i++)
        if (msg_at(s, i)->sid == pr)
            pr_rx++;
    g_assert_cmpuint(pr_rx, <=, 201);
    g_test_message("partial reliability: %u/200 delivered, %" G_GUINT64_FORMAT
                   " of %" G_GUINT64_FORMAT " packets dropped", pr_rx - 1,
                   w->dropped, w->sent);
    wire_free(w);
}

/* ---- bulk transfer with back-pressure ---- */

#define BULK_TOTAL (16u * 1024 * 1024)
#define BULK_MSG (64u * 1024)
#define BULK_CAP (1024u * 1024)
#define BULK_LOW (256u * 1024)

typedef struct {
    guint16 sid;
    gsize sent;
    gsize max_buffered;
    GChecksum *sum;
    guint8 *buf;
} Bulk;

static Bulk bulk;

static void
bulk_pump(Peer *p)
{
    while (bulk.sum != NULL && bulk.sent < BULK_TOTAL &&
           sc_sctp_assoc_get_buffered_amount(p->assoc, bulk.sid) < BULK_CAP) {
        gsize n = MIN(BULK_MSG, BULK_TOTAL - bulk.sent);
        gsize buffered;

        for (gsize i = 0; i < n; i++)
            bulk.buf[i] = (guint8)((bulk.sent + i) * 2654435761u >> 13);
        g_checksum_update(bulk.sum, bulk.buf, (gssize)n);
        send_ok(p, bulk.sid, TRUE, bulk.buf, n);
        bulk.sent += n;
        buffered = sc_sctp_assoc_get_buffered_amount(p->assoc, bulk.sid);
        bulk.max_buffered = MAX(bulk.max_buffered, buffered);
    }
}

static gboolean
bulk_done(gpointer data)
{
    Peer *s = data;
    return s->bulk_rx_bytes >= BULK_TOTAL;
}

static void
test_bulk(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    gint64 t0, t1;
    double secs;

    wire_connect(w);
    memset(&bulk, 0, sizeof(bulk));
    bulk.sid = open_channel(c, "bulk", "", TRUE, -1, -1);
    wait_opened(c, 1);
    sc_sctp_assoc_set_buffered_amount_low_threshold(c->assoc, bulk.sid,
                                                    BULK_LOW);
    bulk.sum = g_checksum_new(G_CHECKSUM_SHA256);
    bulk.buf = g_malloc(BULK_MSG);
    s->bulk_rx_sum = g_checksum_new(G_CHECKSUM_SHA256);
    t0 = g_get_monotonic_time();
    bulk_pump(c);
    g_assert_true(sc_test_run_until(w->ctx, bulk_done, s, 120000));
    t1 = g_get_monotonic_time();
    g_assert_cmpuint(bulk.sent, ==, BULK_TOTAL);
    g_assert_cmpuint(s->bulk_rx_bytes, ==, BULK_TOTAL);
    g_assert_cmpstr(g_checksum_get_string(bulk.sum), ==,
                    g_checksum_get_string(s->bulk_rx_sum));
    g_assert_cmpuint(bulk.max_buffered, <=, BULK_CAP + BULK_MSG);
    g_assert_cmpuint(c->buf_low, >, 0);
    secs = (double)(t1 - t0) / 1e6;
    g_test_message("bulk: %u MiB in %.3f s = %.1f Mbit/s (fake wire, no DTLS), "
                   "max buffered %" G_GSIZE_FORMAT ", %u low events, %"
                   G_GUINT64_FORMAT " packets",
                   BULK_TOTAL >> 20, secs,
                   secs > 0 ? BULK_TOTAL * 8.0 / secs / 1e6 : 0.0,
                   bulk.max_buffered, c->buf_low, w->sent);
    g_checksum_free(bulk.sum);
    g_free(bulk.buf);
    memset(&bulk, 0, sizeof(bulk));
    wire_free(w);
}

static void
test_close_and_reuse(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid, again, ssid;
    g_autoptr(GError) error = NULL;

    wire_connect(w);
    sid = open_channel(c, "one", "", TRUE, -1, -1);
    wait_opened(c, 1);
    wait_opened(s, 1);
    send_ok(c, sid, FALSE, "before close", 12);
    sc_sctp_assoc_close_channel(c->assoc, sid);
    /* no send once closing */
    g_assert_false(sc_sctp_assoc_send(c->assoc, sid, FALSE,
                                      (const guint8 *)"x", 1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    wait_closed(c, 1);
    wait_closed(s, 1);
    g_assert_cmpuint(g_array_index(c->closed, guint16, 0), ==, sid);
    g_assert_cmpuint(g_array_index(s->closed, guint16, 0), ==, sid);
    wait_msgs(s, 1); /* queued data was flushed before the reset */

    /* the sid is reusable on both sides */
    again = open_channel(c, "two", "", TRUE, -1, -1);
    g_assert_cmpuint(again, ==, sid);
    wait_opened(c, 2);
    wait_opened(s, 2);
    g_assert_cmpstr(g_ptr_array_index(s->opened, 1), ==, "0:two::1");
    send_ok(c, again, FALSE, "reused", 6);
    send_ok(s, again, FALSE, "back", 4);
    wait_msgs(s, 2);
    wait_msgs(c, 1);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 1)->data, NULL), 6, "reused", 6);

    /* the side that did not open the channel closes it */
    ssid = open_channel(s, "server-side", "", TRUE, -1, -1);
    wait_opened(c, 3);
    sc_sctp_assoc_close_channel(c->assoc, ssid);
    sc_sctp_assoc_close_channel(s->assoc, again);
    wait_closed(c, 3);
    wait_closed(s, 3);
    /* the association survives */
    g_assert_cmpint(sc_sctp_assoc_get_state(c->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    wire_free(w);
}

static void
test_garbage(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint8 pkt[1500];
    guint16 sid;

    /* before start: dropped */
    sc_sctp_assoc_receive(c->assoc, (const guint8 *)"junk", 4);
    wire_connect(w);
    sid = open_channel(c, "g", "", TRUE, -1, -1);
    wait_opened(s, 1);
    guint64 bad = 0;
    for (guint i = 0; i < 500; i++) {
        gsize len = 1 + sc_random_uniform(sizeof(pkt));
        sc_random_bytes(pkt, len);
        if (i % 3 == 0 && len >= 12) {
            /* plausible common header: our ports, random rest */
            pkt[0] = PORT >> 8;
            pkt[1] = PORT & 0xff;
            pkt[2] = PORT >> 8;
            pkt[3] = PORT & 0xff;
        }
        /* half of it with a right checksum, so that it gets past our
         * check and into usrsctp's parser */
        if (i % 2 == 0 && len >= 12)
            sc_sctp_checksum_fill(pkt, len);
        else if (!sc_sctp_checksum_ok(pkt, len))
            bad++;
        sc_sctp_assoc_receive(s->assoc, pkt, len);
    }
    g_assert_cmpuint(bad, >, 200);
    g_assert_cmpuint(sc_sctp_assoc_get_bad_checksums(s->assoc), ==, bad);
    sc_sctp_assoc_receive(s->assoc, pkt, 0);
    send_ok(c, sid, FALSE, "still alive", 11);
    wait_msgs(s, 1);
    g_assert_cmpint(sc_sctp_assoc_get_state(s->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    wire_free(w);
}

/* CRC32c: the check value of the Castagnoli CRC, the instruction and the
 * tables against each other and against usrsctp's own, at every length
 * and alignment that matters. */
static void
test_crc32c(void)
{
    static const char check[] = "123456789";
    guint8 buf[2100];

    g_test_message("CRC32c with the crc32 instruction: %s",
                   sc_crc32c_is_hardware() ? "yes" : "no");
    g_assert_cmphex(sc_crc32c((const guint8 *)check, 9), ==, 0xE3069283u);
    g_assert_cmphex(sc_crc32c_portable((const guint8 *)check, 9), ==,
                    0xE3069283u);
    g_assert_cmphex(sc_crc32c(buf, 0), ==, 0);
    sc_random_bytes(buf, sizeof buf);
    for (gsize off = 0; off < 8; off++) {
        for (gsize len = 0; len + off <= sizeof buf;
             len += (len < 80 ? 1 : 97)) {
            guint32 hw = sc_crc32c(buf + off, len);
            guint32 sw = sc_crc32c_portable(buf + off, len);
            /* usrsctp returns the value as it is stored in the header */
            guint32 ref = GUINT32_FROM_LE(usrsctp_crc32c(buf + off, len));
            g_assert_cmphex(hw, ==, sw);
            g_assert_cmphex(hw, ==, ref);
        }
    }
}

/* The checksum of an SCTP packet goes into its common header as usrsctp
 * (and every other stack) puts it there, and any flipped bit breaks it. */
static void
test_checksum_packet(void)
{
    guint8 pkt[1200], copy[1200];
    guint32 field, want;

    sc_random_bytes(pkt, sizeof pkt);
    sc_sctp_checksum_fill(pkt, sizeof pkt);
    g_assert_true(sc_sctp_checksum_ok(pkt, sizeof pkt));
    memcpy(copy, pkt, sizeof pkt);
    memset(copy + 8, 0, 4);
    want = usrsctp_crc32c(copy, sizeof copy);
    memcpy(&field, pkt + 8, 4);
    g_assert_cmphex(field, ==, want);
    for (gsize bit = 0; bit < sizeof pkt * 8; bit += 7) {
        memcpy(copy, pkt, sizeof pkt);
        copy[bit / 8] ^= (guint8)(1u << (bit % 8));
        g_assert_false(sc_sctp_checksum_ok(copy, sizeof copy));
    }
    /* shorter than the common header: never right */
    g_assert_false(sc_sctp_checksum_ok(pkt, 11));
    g_assert_false(sc_sctp_checksum_ok(pkt, 0));
    /* the smallest packet, a bare header */
    sc_sctp_checksum_fill(pkt, 12);
    g_assert_true(sc_sctp_checksum_ok(pkt, 12));
}

static gboolean
both_closed(gpointer data)
{
    Wire *w = data;
    return w->peer[0].state == SC_SCTP_STATE_CLOSED &&
           w->peer[1].state == SC_SCTP_STATE_CLOSED;
}

static void
test_shutdown(void)
{
    Wire *w = wire_new(0);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;
    g_autoptr(GError) error = NULL;

    wire_connect(w);
    sid = open_channel(c, "x", "", TRUE, -1, -1);
    wait_opened(s, 1);
    sc_sctp_assoc_close(c->assoc);
    g_assert_true(sc_test_run_until(w->ctx, both_closed, w, DEADLINE_MS));
    g_assert_cmpuint(c->closed->len, ==, 1);
    g_assert_cmpuint(s->closed->len, ==, 1);
    g_assert_false(sc_sctp_assoc_send(c->assoc, sid, FALSE,
                                      (const guint8 *)"x", 1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    wire_free(w);
}

/* sc_sctp_assoc_shutdown() (a call's hangup): everything accepted before
 * it, more than usrsctp's 2 MiB buffer, on a lossy wire, and a channel
 * opened just before whose OPEN is still queued, reaches the peer in order
 * before either side reports CLOSED. sc_sctp_assoc_close() drops it. */
#define DRAIN_N 300
#define DRAIN_LEN 10240

static void
test_graceful_shutdown(void)
{
    Wire *w = wire_new(0);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    g_autofree guint8 *buf = g_malloc(DRAIN_LEN);
    guint16 sid, late;
    guint n_states;

    wire_connect(w);
    sid = open_channel(c, "bulk", "", TRUE, -1, -1);
    wait_opened(s, 1);
    w->loss_permille = 10;
    for (guint i = 0; i < DRAIN_N; i++) {
        memset(buf, (int)(i & 0xff), DRAIN_LEN);
        memcpy(buf, &i, sizeof i);
        send_ok(c, sid, TRUE, buf, DRAIN_LEN);
    }
    g_assert_cmpuint(sc_sctp_assoc_get_buffered_amount(c->assoc, sid), >, 0);
    late = open_channel(c, "late", "", TRUE, -1, -1);
    send_ok(c, late, FALSE, "last", 4);
    n_states = c->states->len;
    sc_sctp_assoc_shutdown(c->assoc);
    /* nothing is reported from inside the call */
    g_assert_cmpuint(c->states->len, ==, n_states);
    g_assert_true(sc_test_run_until(w->ctx, both_closed, w, DEADLINE_MS));
    g_assert_cmpuint(s->msgs->len, ==, DRAIN_N + 1);
    for (guint i = 0, k = 0; i < s->msgs->len; i++) {
        Msg *m = msg_at(s, i);
        gsize len = 0;
        const guint8 *d = g_bytes_get_data(m->data, &len);
        guint idx;
        if (m->sid == late) { /* streams are not ordered among themselves */
            g_assert_cmpmem(d, len, "last", 4);
            continue;
        }
        g_assert_cmpuint(m->sid, ==, sid);
        g_assert_cmpuint(len, ==, DRAIN_LEN);
        memcpy(&idx, d, sizeof idx);
        g_assert_cmpuint(idx, ==, k);
        g_assert_cmpuint(d[DRAIN_LEN - 1], ==, k & 0xff);
        k++;
    }
    g_assert_cmpuint(s->opened->len, ==, 2);
    /* the sender reported CLOSED (SHUTDOWN_COMPLETE), never FAILED */
    g_assert_cmpint(g_array_index(c->states, ScSctpState,
                                  c->states->len - 1), ==,
                    SC_SCTP_STATE_CLOSED);
    wire_free(w);
}

static void
test_close_before_connect(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0];
    guint16 sid = open_channel(c, "never", "", TRUE, -1, -1);
    gboolean done;

    (void)sid;
    sc_sctp_assoc_close(c->assoc);
    /* reported from an idle source, not from inside close() */
    g_assert_cmpuint(c->states->len, ==, 0);
    done = FALSE;
    while (c->state != SC_SCTP_STATE_CLOSED && !done)
        done = !g_main_context_iteration(w->ctx, FALSE);
    g_assert_cmpint(c->state, ==, SC_SCTP_STATE_CLOSED);
    g_assert_cmpuint(c->closed->len, ==, 1);
    wire_free(w);
}

static void
test_free_in_callback(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;

    wire_connect(w);
    sid = open_channel(c, "f", "", TRUE, -1, -1);
    wait_opened(s, 1);
    s->free_in_on_message = TRUE;
    send_ok(c, sid, FALSE, "one", 3);
    send_ok(c, sid, FALSE, "two", 3);
    wait_msgs(s, 1);
    g_assert_null(s->assoc);
    /* no further callback after the free */
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(w->ctx, FALSE);
    g_assert_cmpuint(s->msgs->len, ==, 1);
    wire_free(w);
}

/* RFC 8832 section 6: an OPEN with the wrong sid parity is refused by
 * resetting the stream, without ACK; the opener sees the channel closed. */
/* Lets through what @p's hold kept back. */
static void
release(Peer *p)
{
    GBytes *b;

    p->hold = FALSE;
    while ((b = g_queue_pop_head(&p->held)) != NULL)
        g_queue_push_tail(&p->inbox, b);
    schedule_delivery(p);
}

/* Our channel is open once our DATA_CHANNEL_OPEN has gone out, without
 * waiting for the peer's ACK (RFC 8832 §6; Chrome and Firefox do the
 * same); what we send before the ACK arrives is delivered. */
static void
test_open_before_ack(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    guint16 sid;

    wire_connect(w);
    c->hold = TRUE; /* nothing from the peer reaches us: no ACK */
    sid = open_channel(c, "eager", "", FALSE, -1, -1);
    wait_opened(c, 1);
    g_assert_cmpstr(g_ptr_array_index(c->opened, 0), ==, "0:eager::0");
    /* unordered channel, no ACK yet: sent ordered, and it arrives */
    send_ok(c, sid, FALSE, "first", 5);
    send_ok(c, sid, FALSE, "second", 6);
    wait_msgs(s, 2);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 0)->data, NULL), 5, "first",
                    5);
    g_assert_cmpmem(g_bytes_get_data(msg_at(s, 1)->data, NULL), 6, "second",
                    6);
    /* the peer's ACK (and SACKs) were held back all along */
    g_assert_cmpuint(g_queue_get_length(&c->held), >, 0);
    release(c);
    send_ok(c, sid, FALSE, "third", 5);
    wait_msgs(s, 3);
    g_assert_cmpuint(c->opened->len, ==, 1);
    wire_free(w);
}

static void
test_wrong_parity(void)
{
    Wire *w = wire_new_full(262144, TRUE);
    Peer *a = &w->peer[0], *b = &w->peer[1];
    guint16 sid;
    g_autoptr(GError) error = NULL;

    wire_connect(w);
    sid = open_channel(a, "bad", "", TRUE, -1, -1);
    g_assert_cmpuint(sid, ==, 0);
    wait_closed(a, 1);
    g_assert_cmpuint(g_array_index(a->closed, guint16, 0), ==, sid);
    /* open as soon as our OPEN went out (as browsers do), then closed by
     * the peer's refusal; the peer never saw a channel */
    g_assert_cmpuint(a->opened->len, ==, 1);
    g_assert_cmpuint(b->opened->len, ==, 0);
    g_assert_cmpuint(b->closed->len, ==, 0);
    g_assert_false(sc_sctp_assoc_send(a->assoc, sid, FALSE,
                                      (const guint8 *)"x", 1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    /* the association is unharmed and the sid can be used again */
    g_assert_cmpint(sc_sctp_assoc_get_state(b->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    g_assert_cmpuint(open_channel(a, "bad-again", "", TRUE, -1, -1), ==, 0);
    wire_free(w);
}


static gboolean
has_n_channels(gpointer data)
{
    CountCond *c = data;
    return sc_sctp_assoc_get_n_channels(c->p->assoc) == c->n;
}

/* Waits until @p holds exactly @n channel records. */
static void
wait_n_channels(Peer *p, guint n)
{
    CountCond c = { p, n };
    g_assert_true(sc_test_run_until(p->wire->ctx, has_n_channels, &c,
                                    DEADLINE_MS));
}

static gboolean
array_has_sid(GArray *a, guint16 sid)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, guint16, i) == sid)
            return TRUE;
    return FALSE;
}

/* A label or protocol over SC_SCTP_MAX_LABEL_LEN is refused: the opener
 * sees its channel closed (stream reset), the receiver reports no channel
 * (one refusal report, however many) and keeps nothing. */
static void
test_label_limit(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    g_autofree char *at_limit = g_strnfill(SC_SCTP_MAX_LABEL_LEN, 'a');
    g_autofree char *over = g_strnfill(SC_SCTP_MAX_LABEL_LEN + 1, 'b');
    g_autofree char *huge = g_strnfill(60000, 'c');
    guint16 ok, bad1, bad2, bad3;

    wire_connect(w);
    ok = open_channel(c, at_limit, at_limit, TRUE, -1, -1);
    bad1 = open_channel(c, over, "", TRUE, -1, -1);
    bad2 = open_channel(c, "fine", over, TRUE, -1, -1);
    bad3 = open_channel(c, huge, "", TRUE, -1, -1);
    /* the opener sees the three refused channels close */
    wait_closed(c, 3);
    g_assert_true(array_has_sid(c->closed, bad1));
    g_assert_true(array_has_sid(c->closed, bad2));
    g_assert_true(array_has_sid(c->closed, bad3));
    g_assert_false(array_has_sid(c->closed, ok));
    /* the receiver announced only the one at the limit */
    wait_opened(s, 1);
    send_ok(c, ok, FALSE, "still here", 10);
    wait_msgs(s, 1);
    g_assert_cmpuint(s->opened->len, ==, 1);
    g_assert_cmpuint(g_array_index(s->open_sids, guint16, 0), ==, ok);
    g_assert_cmpuint(msg_at(s, 0)->sid, ==, ok);
    g_assert_cmpuint(s->closed->len, ==, 0);
    g_assert_cmpuint(sc_sctp_assoc_get_refused_channels(s->assoc), ==, 3);
    g_assert_cmpuint(s->refused_reports, ==, 1);
    /* refusal records go once the resets complete */
    wait_n_channels(s, 1);
    wait_n_channels(c, 1);
    /* messages sent on a refused stream never reach the receiver's user */
    g_assert_cmpint(sc_sctp_assoc_get_state(s->assoc), ==,
                    SC_SCTP_STATE_CONNECTED);
    wire_free(w);
}

/* Past SC_SCTP_MAX_REMOTE_CHANNELS open peer channels, an OPEN is
 * refused; once some close, new ones are accepted again. */
static void
test_open_limit(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    const guint extra = 5;
    guint16 sids[SC_SCTP_MAX_REMOTE_CHANNELS + 5];
    guint16 again;

    wire_connect(w);
    for (guint i = 0; i < SC_SCTP_MAX_REMOTE_CHANNELS + extra; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "ch-%u", i);
        sids[i] = open_channel(c, label, "", TRUE, -1, -1);
    }
    wait_opened(s, SC_SCTP_MAX_REMOTE_CHANNELS);
    wait_closed(c, extra);
    g_assert_cmpuint(c->closed->len, ==, extra);
    g_assert_cmpuint(s->opened->len, ==, SC_SCTP_MAX_REMOTE_CHANNELS);
    g_assert_cmpuint(sc_sctp_assoc_get_refused_channels(s->assoc), ==, extra);
    g_assert_cmpuint(s->refused_reports, ==, 1);
    wait_n_channels(s, SC_SCTP_MAX_REMOTE_CHANNELS);
    /* every accepted one still works, and goes to its own channel */
    send_ok(c, sids[0], FALSE, "first", 5);
    send_ok(c, sids[SC_SCTP_MAX_REMOTE_CHANNELS - 1], FALSE, "last", 4);
    wait_msgs(s, 2);
    g_assert_cmpuint(msg_at(s, 0)->sid, ==, sids[0]);
    g_assert_cmpuint(msg_at(s, 1)->sid, ==,
                     sids[SC_SCTP_MAX_REMOTE_CHANNELS - 1]);
    /* one closes: room for one more */
    sc_sctp_assoc_close_channel(c->assoc, sids[0]);
    wait_closed(s, 1);
    wait_n_channels(s, SC_SCTP_MAX_REMOTE_CHANNELS - 1);
    again = open_channel(c, "after", "", TRUE, -1, -1);
    wait_opened(s, SC_SCTP_MAX_REMOTE_CHANNELS + 1);
    g_assert_cmpuint(g_array_index(s->open_sids, guint16,
                                   SC_SCTP_MAX_REMOTE_CHANNELS), ==, again);
    wire_free(w);
}

/* A peer opening and closing channels in a loop, with big labels: the
 * records come back to the baseline, messages reach the channel they were
 * sent on, and over-limit labels cost nothing. */
static void
test_churn(void)
{
    Wire *w = wire_new(262144);
    Peer *c = &w->peer[0], *s = &w->peer[1];
    g_autofree char *big = g_strnfill(SC_SCTP_MAX_LABEL_LEN - 16, 'x');
    g_autofree char *huge = g_strnfill(60000, 'y');
    const guint cycles = 300;
    guint16 keep;
    guint n_msgs = 0, n_closed_s = 0, n_closed_c = 0;

    wire_connect(w);
    keep = open_channel(c, "keep", "", TRUE, -1, -1);
    wait_opened(s, 1);
    wait_n_channels(s, 1);
    for (guint i = 0; i < cycles; i++) {
        g_autofree char *label = g_strdup_printf("%u-%s", i, big);
        g_autofree char *text = g_strdup_printf("msg %u", i);
        guint16 sid = open_channel(c, label, "", TRUE, -1, -1);
        guint16 bad = open_channel(c, huge, "", TRUE, -1, -1);

        send_ok(c, sid, FALSE, text, strlen(text));
        send_ok(c, keep, FALSE, "keep", 4);
        sc_sctp_assoc_close_channel(c->assoc, sid);
        n_msgs += 2;
        wait_msgs(s, n_msgs);
        /* both arrive, each on its own stream (order across streams is
         * not guaranteed) */
        for (guint k = n_msgs - 2; k < n_msgs; k++) {
            Msg *m = msg_at(s, k);
            gsize len;
            const char *d = g_bytes_get_data(m->data, &len);
            if (m->sid == keep) {
                g_assert_cmpmem(d, len, "keep", 4);
            } else {
                g_assert_cmpuint(m->sid, ==, sid);
                g_assert_cmpmem(d, len, text, strlen(text));
            }
        }
        n_closed_s++;
        n_closed_c += 2; /* ours, and the refused one */
        wait_closed(s, n_closed_s);
        wait_closed(c, n_closed_c);
        g_assert_true(array_has_sid(c->closed, bad));
    }
    wait_n_channels(s, 1);
    wait_n_channels(c, 1);
    g_assert_cmpuint(s->opened->len, ==, 1 + cycles);
    g_assert_cmpuint(sc_sctp_assoc_get_refused_channels(s->assoc), ==,
                     cycles);
    g_assert_cmpuint(s->refused_reports, ==, 1);
    wire_free(w);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/checksum/crc32c", test_crc32c);
    g_test_add_func("/sctp/checksum/packet", test_checksum_packet);
    g_test_add_func("/sctp/assoc/connect", test_connect);
    g_test_add_func("/sctp/assoc/garbage", test_garbage);
    g_test_add_func("/sctp/assoc/shutdown", test_shutdown);
    g_test_add_func("/sctp/assoc/graceful-shutdown", test_graceful_shutdown);
    g_test_add_func("/sctp/assoc/close-before-connect",
                    test_close_before_connect);
    g_test_add_func("/sctp/assoc/free-in-callback", test_free_in_callback);
    g_test_add_func("/sctp/channel/sid-parity", test_sid_parity);
    g_test_add_func("/sctp/channel/messages", test_messages);
    g_test_add_func("/sctp/channel/many", test_many_channels);
    g_test_add_func("/sctp/channel/unordered-reorder", test_unordered_reorder);
    g_test_add_func("/sctp/channel/partial-reliable-loss",
                    test_partial_reliable_loss);
    g_test_add_func("/sctp/channel/close-and-reuse", test_close_and_reuse);
    g_test_add_func("/sctp/channel/wrong-parity", test_wrong_parity);
    g_test_add_func("/sctp/channel/open-before-ack", test_open_before_ack);
    g_test_add_func("/sctp/channel/bulk", test_bulk);
    g_test_add_func("/sctp/channel/label-limit", test_label_limit);
    g_test_add_func("/sctp/channel/open-limit", test_open_limit);
    g_test_add_func("/sctp/channel/churn", test_churn);
    return g_test_run();
}
