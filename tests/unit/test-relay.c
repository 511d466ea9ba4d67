/* tests/unit/test-relay.c - the signaling relay (contract section 1) driven
 * by libsoup WebSocket clients on the same main context, and the
 * signaling client (sc_signal_client_*) against the relay.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "signaling/signaling.h"
#include "test-util.h"

#include <sealcall/relay.h>

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 15000

/* ---- a raw libsoup WebSocket client ---- */

typedef struct {
    GMainContext *ctx;
    SoupWebsocketConnection *ws;
    GError *connect_error;
    gboolean connect_done;
    GQueue msgs; /* char *: text frames; "<binary>" for binary ones */
    gboolean closed;
    gushort close_code;
} TClient;

typedef struct {
    GMainContext *ctx;
    ScRelay *relay;
    guint16 port;
    SoupSession *session;
    GPtrArray *clients; /* TClient* */
} Fixture;

static void
on_tc_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
              gpointer user_data)
{
    TClient *tc = user_data;
    gsize len = 0;
    const char *data = g_bytes_get_data(message, &len);

    if (type == SOUP_WEBSOCKET_DATA_TEXT)
        g_queue_push_tail(&tc->msgs, g_strndup(data, len));
    else
        g_queue_push_tail(&tc->msgs, g_strdup("<binary>"));
}

static void
on_tc_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
    TClient *tc = user_data;

    tc->closed = TRUE;
    tc->close_code = soup_websocket_connection_get_close_code(ws);
}

static void
on_tc_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
    TClient *tc = user_data;

    tc->ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), res,
                                                   &tc->connect_error);
    tc->connect_done = TRUE;
    if (tc->ws != NULL) {
        soup_websocket_connection_set_max_incoming_payload_size(tc->ws,
                                                                1024 * 1024);
        g_signal_connect(tc->ws, "message", G_CALLBACK(on_tc_message), tc);
        g_signal_connect(tc->ws, "closed", G_CALLBACK(on_tc_closed), tc);
    }
}

static TClient *
tc_start(Fixture *f, const char *path)
{
    TClient *tc = g_new0(TClient, 1);
    g_autofree char *url =
        g_strdup_printf("http://127.0.0.1:%u%s", f->port, path);
    g_autoptr(SoupMessage) msg = soup_message_new("GET", url);

    g_assert_nonnull(msg);
    tc->ctx = f->ctx;
    g_queue_init(&tc->msgs);
    g_ptr_array_add(f->clients, tc);
    soup_session_websocket_connect_async(f->session, msg, NULL, NULL,
                                         G_PRIORITY_DEFAULT, NULL,
                                         on_tc_connected, tc);
    g_assert_true(sc_test_run_until_flag(f->ctx, &tc->connect_done, WAIT_MS));
    return tc;
}

static TClient *
tc_join(Fixture *f, const char *room)
{
    g_autofree char *path = g_strdup_printf("/room/%s", room);
    TClient *tc = tc_start(f, path);

    g_assert_no_error(tc->connect_error);
    g_assert_nonnull(tc->ws);
    return tc;
}

static gboolean
tc_has_message(gpointer data)
{
    return !g_queue_is_empty(&((TClient *)data)->msgs);
}

/* Returns the next received frame (g_free). */
static char *
tc_next(TClient *tc)
{
    g_assert_true(sc_test_run_until(tc->ctx, tc_has_message, tc, WAIT_MS));
    return g_queue_pop_head(&tc->msgs);
}

static void
tc_expect(TClient *tc, const char *expected)
{
    g_autofree char *got = tc_next(tc);

    g_assert_cmpstr(got, ==, expected);
}

static gboolean
tc_is_closed(gpointer data)
{
    return ((TClient *)data)->closed;
}

static void
tc_wait_closed(TClient *tc)
{
    g_assert_true(sc_test_run_until(tc->ctx, tc_is_closed, tc, WAIT_MS));
}

static void
tc_send(TClient *tc, const char *text)
{
    soup_websocket_connection_send_text(tc->ws, text);
}

static void
tc_free(TClient *tc)
{
    if (tc->ws != NULL) {
        g_signal_handlers_disconnect_by_data(tc->ws, tc);
        g_object_unref(tc->ws);
    }
    g_clear_error(&tc->connect_error);
    g_queue_clear_full(&tc->msgs, g_free);
    g_free(tc);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    f->ctx = g_main_context_new();
    g_main_context_push_thread_default(f->ctx);
    f->relay = sc_relay_new(f->ctx, "127.0.0.1", 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->relay);
    f->port = sc_relay_get_port(f->relay);
    g_assert_cmpuint(f->port, >, 0);
    f->session = soup_session_new();
    soup_session_remove_feature_by_type(f->session,
                                        SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
    f->clients = g_ptr_array_new();
}

static gboolean
all_clients_closed(gpointer data)
{
    Fixture *f = data;

    for (guint i = 0; i < f->clients->len; i++) {
        TClient *tc = f->clients->pdata[i];
        if (tc->ws != NULL && !tc->closed)
            return FALSE;
    }
    return TRUE;
}

static void
drain(GMainContext *ctx)
{
    while (g_main_context_iteration(ctx, FALSE))
        ;
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    /* Closing the relay closes every client: wait for that, so that no
     * socket is left half-closed when the context goes. */
    g_clear_pointer(&f->relay, sc_relay_free);
    sc_test_run_until(f->ctx, all_clients_closed, f, WAIT_MS);
    for (guint i = 0; i < f->clients->len; i++)
        tc_free(f->clients->pdata[i]);
    g_ptr_array_unref(f->clients);
    soup_session_abort(f->session);
    g_object_unref(f->session);
    drain(f->ctx);
    g_main_context_pop_thread_default(f->ctx);
    g_main_context_unref(f->ctx);
}

/* ---- relay tests ---- */

static void
test_join(Fixture *f, gconstpointer data)
{
    TClient *a = tc_join(f, "r1");
    TClient *b;

    tc_expect(a, "{\"type\":\"room\",\"peers\":0}");
    b = tc_join(f, "r1");
    tc_expect(b, "{\"type\":\"room\",\"peers\":1}");
    tc_expect(a, "{\"type\":\"peer-joined\"}");
}

static void
join_pair(Fixture *f, const char *room, TClient **a, TClient **b)
{
    *a = tc_join(f, room);
    tc_expect(*a, "{\"type\":\"room\",\"peers\":0}");
    *b = tc_join(f, room);
    tc_expect(*b, "{\"type\":\"room\",\"peers\":1}");
    tc_expect(*a, "{\"type\":\"peer-joined\"}");
}

static void
test_forward(Fixture *f, gconstpointer data)
{
    TClient *a, *b;
    /* odd spacing, key order and escapes must survive byte for byte */
    const char *offer = "{ \"sdp\" : \"v=0\\r\\n\\u00e9\",\"type\":\"offer\" }";
    const char *answer = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\",\"x\":[1, 2]}";

    join_pair(f, "fw", &a, &b);
    tc_send(a, offer);
    tc_expect(b, offer);
    tc_send(b, answer);
    tc_expect(a, answer);
    tc_send(a, "{}");
    tc_expect(b, "{}");
}

static char *
json_of_size(gsize size)
{
    const char *head = "{\"type\":\"big\",\"pad\":\"";
    GString *s = g_string_new(head);
    gsize pad = size - strlen(head) - 2;

    for (gsize i = 0; i < pad; i++)
        g_string_append_c(s, 'a');
    g_string_append(s, "\"}");
    g_assert_cmpuint(s->len, ==, size);
    return g_string_free(s, FALSE);
}

static void
test_limits(Fixture *f, gconstpointer data)
{
    TClient *a, *b;
    g_autofree char *exact = json_of_size(256 * 1024);
    g_autofree char *over = json_of_size(256 * 1024 + 1);
    g_autofree char *garbage = g_strnfill(1000, 'x');
    g_autofree char *got = NULL;
    static const guint8 bin[] = {'{', '}'};

    join_pair(f, "lim", &a, &b);

    tc_send(a, exact);
    got = tc_next(b);
    g_assert_cmpuint(strlen(got), ==, 256 * 1024);
    g_assert_cmpstr(got, ==, exact);

    tc_send(a, over);
    tc_send(a, garbage);
    tc_send(a, "[1,2,3]");
    tc_send(a, "\"string\"");
    tc_send(a, "{\"unterminated\":");
    soup_websocket_connection_send_binary(a->ws, bin, sizeof bin);
    tc_send(a, "{\"type\":\"after\"}");
    tc_expect(b, "{\"type\":\"after\"}");
    /* and the other direction still works */
    tc_send(b, "{\"type\":\"back\"}");
    tc_expect(a, "{\"type\":\"back\"}");
    g_assert_false(a->closed);
    g_assert_false(b->closed);
}

static void
test_deep_nesting(Fixture *f, gconstpointer data)
{
    TClient *a, *b;
    GString *deep = g_string_new("{\"x\":");

    join_pair(f, "deep", &a, &b);
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, '[');
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, ']');
    g_string_append_c(deep, '}');
    tc_send(a, deep->str);
    g_string_free(deep, TRUE);
    tc_send(a, "{\"type\":\"after\"}");
    tc_expect(b, "{\"type\":\"after\"}");
}

static void
test_room_full(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c;

    join_pair(f, "full", &a, &b);
    c = tc_join(f, "full");
    tc_wait_closed(c);
    g_assert_cmpuint(c->close_code, ==, 4409);
    g_assert_true(g_queue_is_empty(&c->msgs));
    /* the two in the room are undisturbed */
    tc_send(a, "{\"type\":\"still\"}");
    tc_expect(b, "{\"type\":\"still\"}");
    g_assert_true(g_queue_is_empty(&a->msgs));
}

static void
test_leave(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c;

    join_pair(f, "leave", &a, &b);
    soup_websocket_connection_close(b->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    tc_expect(a, "{\"type\":\"peer-left\"}");
    tc_wait_closed(b);
    c = tc_join(f, "leave");
    tc_expect(c, "{\"type\":\"room\",\"peers\":1}");
    tc_expect(a, "{\"type\":\"peer-joined\"}");
}

static GSocket *
ws_socket(SoupWebsocketConnection *ws)
{
    GIOStream *stream = soup_websocket_connection_get_io_stream(ws);
    g_autoptr(GIOStream) base = NULL;

    if (G_IS_SOCKET_CONNECTION(stream))
        return g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream));
    /* libsoup wraps the connection in its own stream type */
    g_assert_nonnull(g_object_class_find_property(G_OBJECT_GET_CLASS(stream),
                                                  "base-iostream"));
    g_object_get(stream, "base-iostream", &base, NULL);
    g_assert_true(G_IS_SOCKET_CONNECTION(base));
    return g_socket_connection_get_socket(G_SOCKET_CONNECTION(base));
}

static void
test_vanish(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c;
    g_autoptr(GError) error = NULL;

    join_pair(f, "gone", &a, &b);
    /* b disappears: TCP FIN without any close frame */
    g_assert_true(g_socket_shutdown(ws_socket(b->ws), TRUE, TRUE, &error));
    g_assert_no_error(error);
    tc_expect(a, "{\"type\":\"peer-left\"}");
    c = tc_join(f, "gone");
    tc_expect(c, "{\"type\":\"room\",\"peers\":1}");
    tc_expect(a, "{\"type\":\"peer-joined\"}");
    tc_send(c, "{\"type\":\"hi\"}");
    tc_expect(a, "{\"type\":\"hi\"}");
}

static void
test_rooms_independent(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c, *d;

    join_pair(f, "one", &a, &b);
    join_pair(f, "two", &c, &d);
    tc_send(a, "{\"room\":1}");
    tc_send(c, "{\"room\":2}");
    tc_expect(b, "{\"room\":1}");
    tc_expect(d, "{\"room\":2}");
    soup_websocket_connection_close(d->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    tc_expect(c, "{\"type\":\"peer-left\"}");
    tc_send(b, "{\"still\":1}");
    tc_expect(a, "{\"still\":1}");
    g_assert_true(g_queue_is_empty(&a->msgs));
    g_assert_true(g_queue_is_empty(&b->msgs));
}

/* Contract section 1: frames that are not valid JSON objects, and frames
 * of the relay's own types, are dropped; the sender stays connected. */
static void
test_strict_frames(Fixture *f, gconstpointer data)
{
    static const char *const dropped[] = {
        "{\"n\":01}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMLineIndex\":00}",
        "{\"type\":\"offer\",\"sdp\":\"v=0\",\"n\":0x10}",
        "{\"type\":\"bye\",\"reason\":\"a\nb\"}",
        "{'type':'bye'}",
        "{/**/\"type\":\"bye\"}",
        "{\"type\":\"peer-left\"}",
        "{\"type\":\"peer-joined\"}",
        "{\"type\":\"room\",\"peers\":0}",
        "{\"type\":\"p\\u0065er-left\"}",
    };
    TClient *a, *b;

    join_pair(f, "strict", &a, &b);
    for (gsize i = 0; i < G_N_ELEMENTS(dropped); i++) {
        tc_send(a, dropped[i]);
        tc_send(b, dropped[i]);
    }
    tc_send(a, "{\"type\":\"after\",\"n\":0}");
    tc_expect(b, "{\"type\":\"after\",\"n\":0}");
    tc_send(b, "{\"type\":\"back\",\"n\":-1.5e3}");
    tc_expect(a, "{\"type\":\"back\",\"n\":-1.5e3}");
    g_assert_true(g_queue_is_empty(&a->msgs));
    g_assert_true(g_queue_is_empty(&b->msgs));
    g_assert_false(a->closed);
    g_assert_false(b->closed);
}

/* ---- a raw WebSocket client that reads only when told to ---- */

typedef struct {
    GSocket *sock;
    GByteArray *in;      /* received, not parsed yet */
    guint64 data_bytes;  /* payload bytes of the data frames parsed */
    gboolean got_close;
    gushort close_code;
    gboolean eof;
} RawClient;

/* Reads what is there (never blocks) and parses complete frames. */
static void
raw_read(RawClient *rc, gboolean parse)
{
    guint8 buf[65536];
    g_autoptr(GError) error = NULL;
    gssize n;

    while ((n = g_socket_receive(rc->sock, (gchar *)buf, sizeof buf, NULL,
                                 &error)) > 0)
        g_byte_array_append(rc->in, buf, (guint)n);
    /* end of stream, or reset */
    if (n == 0 ||
        (n < 0 && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        rc->eof = TRUE;
    while (parse && rc->in->len >= 2) {
        const guint8 *p = rc->in->data;
        guint64 plen = p[1] & 0x7f;
        guint hdr = 2;

        g_assert_cmpuint(p[1] & 0x80, ==, 0); /* server frames: unmasked */
        if (plen == 126) {
            hdr = 4;
            if (rc->in->len < hdr)
                break;
            plen = ((guint64)p[2] << 8) | p[3];
        } else if (plen == 127) {
            hdr = 10;
            if (rc->in->len < hdr)
                break;
            plen = 0;
            for (guint i = 2; i < 10; i++)
                plen = (plen << 8) | p[i];
        }
        if (rc->in->len < hdr + plen)
            break;
        if ((p[0] & 0x0f) == 0x8) {
            rc->got_close = TRUE;
            rc->close_code =
                plen >= 2 ? (gushort)((p[hdr] << 8) | p[hdr + 1]) : 0;
        } else if ((p[0] & 0x08) == 0) {
            rc->data_bytes += plen;
        }
        g_byte_array_remove_range(rc->in, 0, (guint)(hdr + plen));
    }
}

static gboolean
raw_has_headers(gpointer data)
{
    RawClient *rc = data;

    raw_read(rc, FALSE);
    for (guint i = 0; i + 4 <= rc->in->len; i++) {
        if (memcmp(rc->in->data + i, "\r\n\r\n", 4) == 0)
            return TRUE;
    }
    return rc->eof;
}

static gboolean
raw_closed(gpointer data)
{
    RawClient *rc = data;

    raw_read(rc, TRUE);
    return rc->got_close || rc->eof;
}

/* A TCP connection to the relay with a receive buffer of @rcvbuf bytes;
 * non-blocking once connected. */
static RawClient *
raw_connect(Fixture *f, int rcvbuf)
{
    RawClient *rc = g_new0(RawClient, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GInetAddress) ia = g_inet_address_new_loopback(
        G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(ia, f->port);

    rc->in = g_byte_array_new();
    rc->sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                            G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error(error);
    g_assert_true(g_socket_set_option(rc->sock, SOL_SOCKET, SO_RCVBUF,
                                      rcvbuf, &error));
    g_assert_true(g_socket_connect(rc->sock, addr, NULL, &error));
    g_assert_no_error(error);
    g_socket_set_blocking(rc->sock, FALSE);
    return rc;
}

/* Sends @len bytes, iterating @ctx while the socket is full. FALSE once
 * the relay has dropped the connection. */
static gboolean
raw_send(GMainContext *ctx, RawClient *rc, const void *data, gsize len)
{
    gsize off = 0;
    gint64 deadline =
        g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    while (off < len) {
        g_autoptr(GError) error = NULL;
        gssize n = g_socket_send(rc->sock, (const gchar *)data + off,
                                 len - off, NULL, &error);

        if (n > 0) {
            off += (gsize)n;
        } else if (g_error_matches(error, G_IO_ERROR,
                                   G_IO_ERROR_WOULD_BLOCK)) {
            /* the relay reads when its context runs */
            g_main_context_iteration(ctx, FALSE);
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        } else {
            return FALSE; /* reset or broken pipe: the relay let go */
        }
    }
    drain(ctx);
    return TRUE;
}

/* Joins @room with a receive buffer of @rcvbuf bytes, and reads nothing
 * after the handshake until raw_read() is called. */
static RawClient *
raw_join(Fixture *f, const char *room, int rcvbuf)
{
    RawClient *rc = raw_connect(f, rcvbuf);
    g_autofree char *req = g_strdup_printf(
        "GET /room/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n", room);
    const char *end;

    g_assert_true(raw_send(f->ctx, rc, req, strlen(req)));
    g_assert_true(sc_test_run_until(f->ctx, raw_has_headers, rc, WAIT_MS));
    g_assert_cmpuint(rc->in->len, >, 12);
    g_assert_cmpint(memcmp(rc->in->data, "HTTP/1.1 101", 12), ==, 0);
    end = g_strstr_len((const char *)rc->in->data, rc->in->len, "\r\n\r\n");
    g_byte_array_remove_range(rc->in, 0,
                              (guint)(end + 4 - (const char *)rc->in->data));
    return rc;
}

/* Sends one masked frame (mask key 0: the payload goes as is), iterating
 * @ctx while the socket is full. FALSE once the relay has dropped the
 * connection. */
static gboolean
raw_send_frame(GMainContext *ctx, RawClient *rc, guint8 first,
               const void *payload, gsize len)
{
    guint8 hdr[14];
    guint hl = 0;

    hdr[hl++] = first;
    if (len < 126) {
        hdr[hl++] = 0x80 | (guint8)len;
    } else if (len < 65536) {
        hdr[hl++] = 0x80 | 126;
        hdr[hl++] = (guint8)(len >> 8);
        hdr[hl++] = (guint8)len;
    } else {
        hdr[hl++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            hdr[hl++] = (guint8)((guint64)len >> (8 * i));
    }
    memset(hdr + hl, 0, 4); /* mask key */
    hl += 4;
    return raw_send(ctx, rc, hdr, hl) && raw_send(ctx, rc, payload, len);
}

static void
raw_free(RawClient *rc)
{
    g_socket_close(rc->sock, NULL);
    g_object_unref(rc->sock);
    g_byte_array_unref(rc->in);
    g_free(rc);
}

static gsize
rss_bytes(void)
{
    g_autofree char *statm = NULL;
    unsigned long size = 0;
    unsigned long resident = 0;

    g_assert_true(g_file_get_contents("/proc/self/statm", &statm, NULL,
                                      NULL));
    g_assert_cmpint(sscanf(statm, "%lu %lu", &size, &resident), ==, 2);
    return (gsize)resident * (gsize)sysconf(_SC_PAGESIZE);
}

/* Largest send buffer the kernel gives a TCP socket (what the relay's
 * socket may hold on top of its own queue), 4 MiB if unknown. */
static gsize
tcp_wmem_max(void)
{
    g_autofree char *text = NULL;
    unsigned long lo = 0;
    unsigned long def = 0;
    unsigned long max = 4 * 1024 * 1024;

    if (g_file_get_contents("/proc/sys/net/ipv4/tcp_wmem", &text, NULL, NULL))
        (void)sscanf(text, "%lu %lu %lu", &lo, &def, &max);
    return (gsize)max;
}

static gboolean
tc_got_peer_left(TClient *tc)
{
    for (GList *l = tc->msgs.head; l != NULL; l = l->next) {
        if (g_str_equal(l->data, "{\"type\":\"peer-left\"}"))
            return TRUE;
    }
    return FALSE;
}

#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif

/* A participant that stops reading while the other floods: the relay keeps
 * at most its bound queued for it and closes it with 4408; another room
 * works all along. */
static void
test_slow_reader(Fixture *f, gconstpointer data)
{
    const gsize frame = 200 * 1024;
    const guint max_frames = 320; /* 62.5 MiB */
    g_autofree char *big = json_of_size(frame);
    TClient *fl, *c, *d;
    RawClient *slow;
    gsize rss_before;
    gsize rss_after;
    guint64 flooded = 0;
    guint sent;

    sc_relay_set_max_queued(f->relay, SC_RELAY_MIN_MAX_QUEUED);
    sc_relay_set_frame_rate(f->relay, 1000000, 1000000);
    join_pair(f, "other", &c, &d);
    slow = raw_join(f, "slow", 16 * 1024);
    fl = tc_join(f, "slow");
    tc_expect(fl, "{\"type\":\"room\",\"peers\":1}");

    rss_before = rss_bytes();
    for (sent = 0; sent < max_frames && !tc_got_peer_left(fl); sent++) {
        tc_send(fl, big);
        flooded += frame;
        drain(f->ctx);
        if (sent == 10) {
            tc_send(c, "{\"during\":1}");
            tc_expect(d, "{\"during\":1}");
        }
    }
    rss_after = rss_bytes();
    g_test_message("flooded %" G_GUINT64_FORMAT " bytes in %u frames; RSS "
                   "%" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT " KiB",
                   flooded, sent, rss_before / 1024, rss_after / 1024);
    /* the relay let the slow one go before the flood was over */
    tc_expect(fl, "{\"type\":\"peer-left\"}");
    g_assert_cmpuint(sent, <, max_frames);
    if (RSS_MEANINGFUL)
        g_assert_cmpuint(rss_after, <, rss_before + 32 * 1024 * 1024);

    /* the slow one reads now: what waited for it, then the close code */
    g_assert_true(sc_test_run_until(f->ctx, raw_closed, slow, WAIT_MS));
    g_assert_true(slow->got_close);
    g_assert_cmpuint(slow->close_code, ==, 4408);
    g_test_message("the slow one had %" G_GUINT64_FORMAT " bytes waiting",
                   slow->data_bytes);
    g_assert_cmpuint(slow->data_bytes, <=,
                     SC_RELAY_MIN_MAX_QUEUED + tcp_wmem_max() + 1024 * 1024);

    /* the other room kept working, and the flooder is still served */
    tc_send(c, "{\"after\":1}");
    tc_expect(d, "{\"after\":1}");
    g_assert_false(fl->closed);
    raw_free(slow);
}

/* libsoup 3.2 bounds each incoming frame but not a fragmented message:
 * the relay drops a connection whose message grows over 1 MiB. */
static void
test_fragmented_flood(Fixture *f, gconstpointer data)
{
    g_autofree guint8 *chunk = g_malloc(256 * 1024);
    TClient *a, *c, *d;
    RawClient *rc;
    guint64 sent = 0;
    gboolean ok;

    memset(chunk, 'a', 256 * 1024);
    join_pair(f, "calm", &c, &d);
    rc = raw_join(f, "frag", 1024 * 1024);
    a = tc_join(f, "frag");
    tc_expect(a, "{\"type\":\"room\",\"peers\":1}");
    /* a text message that never ends: 256 KiB fragments, up to 64 MiB */
    ok = raw_send_frame(f->ctx, rc, 0x01, "{\"pad\":\"", 8);
    while (ok && sent < 64 * 1024 * 1024) {
        ok = raw_send_frame(f->ctx, rc, 0x00, chunk, 256 * 1024);
        sent += 256 * 1024;
        if (tc_got_peer_left(a))
            break;
    }
    g_test_message("sent %" G_GUINT64_FORMAT " bytes of fragments", sent);
    tc_expect(a, "{\"type\":\"peer-left\"}");
    g_assert_cmpuint(sent, <, 64 * 1024 * 1024);
    g_assert_true(sc_test_run_until(f->ctx, raw_closed, rc, WAIT_MS));
    g_assert_true(rc->eof);
    tc_send(c, "{\"calm\":1}");
    tc_expect(d, "{\"calm\":1}");
    raw_free(rc);
}

/* A peer that pings and does not read would make libsoup queue pongs
 * without end: the relay drops it after SC_WS_MAX_UNANSWERED_PINGS. */
static void
test_ping_flood(Fixture *f, gconstpointer data)
{
    guint8 payload[125];
    TClient *c, *d;
    RawClient *rc;
    guint pings = 0;
    gboolean ok = TRUE;
    /* twice the pongs (127 bytes each) the kernel buffers can hold */
    const guint max_pings =
        (guint)(2 * (tcp_wmem_max() + 1024 * 1024) / (sizeof payload + 2));

    memset(payload, 'p', sizeof payload);
    join_pair(f, "calm", &c, &d);
    rc = raw_join(f, "pings", 16 * 1024);
    while (ok && pings < max_pings) {
        ok = raw_send_frame(f->ctx, rc, 0x89, payload, sizeof payload);
        pings++;
    }
    g_test_message("%u pings sent", pings);
    g_assert_false(ok);
    tc_send(c, "{\"calm\":1}");
    tc_expect(d, "{\"calm\":1}");
    raw_free(rc);
}

/* libsoup keeps a request body whole in memory before any handler runs:
 * the relay, which serves nothing that takes a body, keeps none and
 * answers 413. */
static void
test_request_body(Fixture *f, gconstpointer data)
{
    static const char *const paths[] = {"/", "/room/body"};
    const gsize body = 64 * 1024 * 1024;
    g_autofree char *chunk = g_strnfill(1024 * 1024, 'b');

    for (gsize i = 0; i < G_N_ELEMENTS(paths); i++) {
        RawClient *rc = raw_connect(f, 64 * 1024);
        g_autofree char *req = g_strdup_printf(
            "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", paths[i], body);
        gsize rss_before = rss_bytes();
        gsize rss_after;
        gsize sent = 0;

        g_assert_true(raw_send(f->ctx, rc, req, strlen(req)));
        while (sent < body && raw_send(f->ctx, rc, chunk, 1024 * 1024))
            sent += 1024 * 1024;
        rss_after = rss_bytes();
        g_test_message("%s: %" G_GSIZE_FORMAT " bytes of body, RSS %"
                       G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT " KiB", paths[i],
                       sent, rss_before / 1024, rss_after / 1024);
        g_assert_true(sc_test_run_until(f->ctx, raw_has_headers, rc, WAIT_MS));
        g_assert_cmpuint(rc->in->len, >, 12);
        g_assert_cmpint(memcmp(rc->in->data, "HTTP/1.1 413", 12), ==, 0);
        if (RSS_MEANINGFUL)
            g_assert_cmpuint(rss_after, <, rss_before + 32 * 1024 * 1024);
        raw_free(rc);
    }
}

/* More frames per second than allowed: the sender is closed with 4429,
 * having had at most its burst forwarded. */
static void
test_rate_limit(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c, *d;
    guint forwarded = 0;
    gint64 t0;
    gint64 t1;

    sc_relay_set_frame_rate(f->relay, 1, 20);
    join_pair(f, "rate", &a, &b);
    join_pair(f, "calm", &c, &d);
    t0 = g_get_monotonic_time();
    for (guint i = 0; i < 200; i++)
        tc_send(a, "{\"type\":\"candidate\",\"candidate\":\"\"}");
    g_assert_true(sc_test_run_until(f->ctx, tc_is_closed, a, WAIT_MS));
    t1 = g_get_monotonic_time();
    g_assert_cmpuint(a->close_code, ==, 4429);
    for (;;) {
        g_autofree char *m = tc_next(b);
        if (g_str_equal(m, "{\"type\":\"peer-left\"}"))
            break;
        g_assert_cmpstr(m, ==, "{\"type\":\"candidate\",\"candidate\":\"\"}");
        forwarded++;
    }
    /* the burst, and the refill (1/s) while the frames came in at most */
    g_assert_cmpuint(forwarded, >=, 20);
    g_assert_cmpuint(forwarded, <=, 20 + 1 + (t1 - t0) / G_USEC_PER_SEC);
    tc_send(c, "{\"calm\":1}");
    tc_expect(d, "{\"calm\":1}");
}

/* Connections and rooms are limited: beyond, the upgrade gets HTTP 503
 * and whoever is in already is undisturbed. */
static void
test_max_connections(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c, *e, *g;

    sc_relay_set_max_connections(f->relay, 3);
    sc_relay_set_max_rooms(f->relay, 2);
    join_pair(f, "r1", &a, &b);
    c = tc_join(f, "r2");
    tc_expect(c, "{\"type\":\"room\",\"peers\":0}");
    /* a fourth connection, to an existing room */
    e = tc_start(f, "/room/r2");
    g_assert_null(e->ws);
    g_assert_nonnull(e->connect_error);
    g_test_message("refused: %s", e->connect_error->message);
    tc_send(a, "{\"in\":1}");
    tc_expect(b, "{\"in\":1}");

    /* rooms: with room for connections, a third room is still refused */
    sc_relay_set_max_connections(f->relay, 10);
    g = tc_start(f, "/room/r3");
    g_assert_null(g->ws);
    g_assert_nonnull(g->connect_error);
    g = tc_join(f, "r2");
    tc_expect(g, "{\"type\":\"room\",\"peers\":1}");
    tc_expect(c, "{\"type\":\"peer-joined\"}");
}

static void
test_bad_rooms(Fixture *f, gconstpointer data)
{
    g_autofree char *long_name = g_strnfill(65, 'a');
    g_autofree char *long_path = g_strdup_printf("/room/%s", long_name);
    g_autofree char *max_name = g_strnfill(64, 'b');
    const char *paths[] = {"/room/",    "/room/a!b", "/room/a/b", "/room",
                           "/",         "/other",    "/roomx",    "/room/a%20b",
                           long_path};

    for (guint i = 0; i < G_N_ELEMENTS(paths); i++) {
        TClient *tc = tc_start(f, paths[i]);
        g_test_message("path %s", paths[i]);
        g_assert_null(tc->ws);
        g_assert_nonnull(tc->connect_error);
    }
    {
        TClient *ok = tc_join(f, max_name);
        tc_expect(ok, "{\"type\":\"room\",\"peers\":0}");
    }
}

static void
on_http_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    GBytes **body = user_data;

    *body = soup_session_send_and_read_finish(SOUP_SESSION(source), res, NULL);
    if (*body == NULL)
        *body = g_bytes_new(NULL, 0);
}

static gboolean
pointer_is_set(gpointer data)
{
    return *(gpointer *)data != NULL;
}

static void
test_http_404(Fixture *f, gconstpointer data)
{
    /* "/" is the web client (test_web): any other path is 404 */
    g_autofree char *url =
        g_strdup_printf("http://127.0.0.1:%u/nope", f->port);
    g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
    g_autoptr(GBytes) body = NULL;
    g_autofree char *url2 =
        g_strdup_printf("http://127.0.0.1:%u/room/x", f->port);
    g_autoptr(SoupMessage) msg2 = soup_message_new("GET", url2);
    g_autoptr(GBytes) body2 = NULL;

    soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                     on_http_done, &body);
    g_assert_true(sc_test_run_until(f->ctx, pointer_is_set, &body, WAIT_MS));
    g_assert_cmpuint(soup_message_get_status(msg), ==, SOUP_STATUS_NOT_FOUND);
    /* a valid room without a WebSocket handshake is not upgraded */
    soup_session_send_and_read_async(f->session, msg2, G_PRIORITY_DEFAULT,
                                     NULL, on_http_done, &body2);
    g_assert_true(sc_test_run_until(f->ctx, pointer_is_set, &body2, WAIT_MS));
    g_assert_cmpuint(soup_message_get_status(msg2), ==,
                     SOUP_STATUS_BAD_REQUEST);
}

/* Sends @method @path to the relay; returns the body, sets *@status and
 * *@content_type (g_free). */
static GBytes *
http_request(Fixture *f, const char *method, const char *path, guint *status,
             char **content_type)
{
    g_autofree char *url =
        g_strdup_printf("http://127.0.0.1:%u%s", f->port, path);
    g_autoptr(SoupMessage) msg = soup_message_new(method, url);
    GBytes *body = NULL;
    const char *ct;

    soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                     on_http_done, &body);
    g_assert_true(sc_test_run_until(f->ctx, pointer_is_set, &body, WAIT_MS));
    *status = soup_message_get_status(msg);
    ct = soup_message_headers_get_one(soup_message_get_response_headers(msg),
                                      "Content-Type");
    *content_type = g_strdup(ct);
    return body;
}

static gboolean
bytes_contain(GBytes *b, const char *needle)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(b, &len);

    return data != NULL && g_strstr_len(data, (gssize)len, needle) != NULL;
}

/* The web client at / and /app.js, served next to the rooms. */
static void
test_web(Fixture *f, gconstpointer data)
{
    guint status = 0;
    TClient *a;
    TClient *b;

    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body = http_request(f, "GET", "/", &status, &ct);
        gsize len = 0;
        const char *html = g_bytes_get_data(body, &len);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_nonnull(ct);
        g_assert_true(g_str_has_prefix(ct, "text/html"));
        g_assert_cmpuint(len, >, 100);
        g_assert_true(g_str_has_prefix(html, "<!DOCTYPE html>"));
        g_assert_true(bytes_contain(body, "<script src=\"app.js\">"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/index.html", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_true(bytes_contain(body, "<!DOCTYPE html>"));
        g_assert_true(g_str_has_prefix(ct, "text/html"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/app.js?x=1", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_nonnull(ct);
        g_assert_true(g_str_has_prefix(ct, "text/javascript"));
        g_assert_true(bytes_contain(body, "RTCPeerConnection"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body = http_request(f, "HEAD", "/", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_cmpuint(g_bytes_get_size(body), ==, 0);
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body = http_request(f, "POST", "/", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
        g_assert_false(bytes_contain(body, "<html"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/web.gresource.xml", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_NOT_FOUND);
        g_assert_false(bytes_contain(body, "gresource"));
    }
    /* the rooms still work on the same port */
    join_pair(f, "web", &a, &b);
    tc_send(a, "{\"type\":\"offer\",\"sdp\":\"v=0\"}");
    tc_expect(b, "{\"type\":\"offer\",\"sdp\":\"v=0\"}");
}

/* The test page and its driver (which lets another room read and drive the
 * page) exist only after sc_relay_set_test_page(); the user's page never
 * refers to them and app.js opens no second WebSocket. */
static void
test_web_test_page(Fixture *f, gconstpointer data)
{
    static const char *const test_paths[] = {"/test.html", "/test-hooks.js",
                                             "/test.html?report=x"};
    guint status = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(test_paths); i++) {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", test_paths[i], &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_NOT_FOUND);
        g_assert_false(bytes_contain(body, "report"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/?test=1&report=x", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_false(bytes_contain(body, "test-hooks"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body = http_request(f, "GET", "/app.js", &status,
                                              &ct);
        gsize len = 0;
        const char *js = g_bytes_get_data(body, &len);
        g_autofree char *text = g_strndup(js, len);
        const char *first = strstr(text, "new WebSocket(");

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_nonnull(first);
        g_assert_null(strstr(first + 1, "new WebSocket("));
        g_assert_null(strstr(text, "runCommand"));
    }

    sc_relay_set_test_page(f->relay, TRUE);
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/test.html", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_true(g_str_has_prefix(ct, "text/html"));
        g_assert_true(bytes_contain(body, "<script src=\"test-hooks.js\">"
                                          "</script><script src=\"app.js\">"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/test-hooks.js", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_true(g_str_has_prefix(ct, "text/javascript"));
        g_assert_true(bytes_contain(body, "runCommand"));
    }
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body = http_request(f, "GET", "/", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_OK);
        g_assert_false(bytes_contain(body, "test-hooks"));
    }

    sc_relay_set_test_page(f->relay, FALSE);
    {
        g_autofree char *ct = NULL;
        g_autoptr(GBytes) body =
            http_request(f, "GET", "/test-hooks.js", &status, &ct);

        g_assert_cmpuint(status, ==, SOUP_STATUS_NOT_FOUND);
        g_assert_false(bytes_contain(body, "runCommand"));
    }
}

static void
test_close(Fixture *f, gconstpointer data)
{
    TClient *a, *b, *c;

    join_pair(f, "bye", &a, &b);
    c = tc_join(f, "other");
    tc_expect(c, "{\"type\":\"room\",\"peers\":0}");
    sc_relay_close(f->relay);
    sc_relay_close(f->relay); /* idempotent */
    tc_wait_closed(a);
    tc_wait_closed(b);
    tc_wait_closed(c);
    g_assert_cmpuint(a->close_code, ==, 1001);
    g_assert_cmpuint(b->close_code, ==, 1001);
    g_assert_cmpuint(c->close_code, ==, 1001);
    /* nobody was told peer-left during shutdown */
    g_assert_true(g_queue_is_empty(&a->msgs));
    g_assert_true(g_queue_is_empty(&b->msgs));
    /* and nothing listens any more */
    {
        TClient *late = tc_start(f, "/room/late");
        g_assert_null(late->ws);
        g_assert_nonnull(late->connect_error);
    }
}

static void
test_bad_host(void)
{
    g_autoptr(GError) error = NULL;
    ScRelay *relay = sc_relay_new(NULL, "not an address", 0, &error);

    g_assert_null(relay);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
}

static void
test_port_in_use(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    ScRelay *relay = sc_relay_new(f->ctx, "127.0.0.1", f->port, &error);

    g_assert_null(relay);
    g_assert_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
}

/* ---- the signaling client against the relay ---- */

typedef struct {
    GMainContext *ctx;
    ScSignalClient *client;
    gboolean opened;
    gboolean closed;
    GError *close_error;
    GPtrArray *msgs; /* ScSigMsg* copies (re-parsed JSON) */
    gboolean free_on_message;
} SClient;

static void
sc_on_open(gpointer user_data)
{
    ((SClient *)user_data)->opened = TRUE;
}

static void
sc_on_message(gpointer user_data, const ScSigMsg *msg)
{
    SClient *s = user_data;
    g_autofree char *json = sc_sig_msg_to_json(msg);

    g_ptr_array_add(s->msgs, sc_sig_msg_parse(json, strlen(json), NULL));
    if (s->free_on_message)
        g_clear_pointer(&s->client, sc_signal_client_free);
}

static void
sc_on_closed(gpointer user_data, const GError *error)
{
    SClient *s = user_data;

    g_assert_false(s->closed); /* exactly once */
    s->closed = TRUE;
    if (error != NULL)
        s->close_error = g_error_copy(error);
}

static const ScSignalClientCallbacks sc_callbacks = {
    sc_on_open,
    sc_on_message,
    sc_on_closed,
};

static SClient *
sclient_new(Fixture *f, const char *room)
{
    SClient *s = g_new0(SClient, 1);
    g_autoptr(GError) error = NULL;
    g_autofree char *url =
        g_strdup_printf("ws://127.0.0.1:%u/room/%s", f->port, room);

    s->ctx = f->ctx;
    s->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)sc_sig_msg_free);
    s->client = sc_signal_client_new(f->ctx, url, room, &sc_callbacks, s,
                                     &error);
    g_assert_no_error(error);
    g_assert_nonnull(s->client);
    return s;
}

static void
sclient_free(SClient *s)
{
    g_clear_pointer(&s->client, sc_signal_client_free);
    g_clear_error(&s->close_error);
    g_ptr_array_unref(s->msgs);
    g_free(s);
}

typedef struct {
    SClient *s;
    guint n;
} MsgWait;

static gboolean
has_n_msgs(gpointer data)
{
    MsgWait *w = data;
    return w->s->msgs->len >= w->n;
}

static const ScSigMsg *
sclient_msg(SClient *s, guint index)
{
    MsgWait w = {s, index + 1};

    g_assert_true(sc_test_run_until(s->ctx, has_n_msgs, &w, WAIT_MS));
    return s->msgs->pdata[index];
}

static void
test_client_exchange(Fixture *f, gconstpointer data)
{
    SClient *a = sclient_new(f, "cx");
    SClient *b = sclient_new(f, "cx");
    g_autoptr(ScSigMsg) offer = sc_sig_msg_new(SC_SIG_MSG_OFFER);
    g_autoptr(ScSigMsg) cand = sc_sig_msg_new(SC_SIG_MSG_CANDIDATE);
    g_autoptr(GError) error = NULL;
    const ScSigMsg *m;

    /* not open yet */
    offer->sdp = g_strdup("v=0\r\n");
    g_assert_false(sc_signal_client_send(a->client, offer, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);

    sc_signal_client_connect(a->client);
    g_assert_false(a->opened); /* never from inside the call */
    g_assert_true(sc_test_run_until_flag(f->ctx, &a->opened, WAIT_MS));
    m = sclient_msg(a, 0);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_ROOM);
    g_assert_cmpint(m->peers, ==, 0);

    sc_signal_client_connect(b->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &b->opened, WAIT_MS));
    m = sclient_msg(b, 0);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_ROOM);
    g_assert_cmpint(m->peers, ==, 1);
    m = sclient_msg(a, 1);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_PEER_JOINED);

    g_assert_true(sc_signal_client_send(a->client, offer, &error));
    g_assert_no_error(error);
    m = sclient_msg(b, 1);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_OFFER);
    g_assert_cmpstr(m->sdp, ==, "v=0\r\n");

    cand->candidate = g_strdup("");
    cand->sdp_mid = g_strdup("0");
    cand->sdp_mline_index = 0;
    g_assert_true(sc_signal_client_send(b->client, cand, &error));
    m = sclient_msg(a, 2);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_CANDIDATE);
    g_assert_cmpstr(m->candidate, ==, "");
    g_assert_cmpstr(m->sdp_mid, ==, "0");
    g_assert_cmpint(m->sdp_mline_index, ==, 0);

    /* a frame that does not parse is dropped, the next one arrives */
    g_assert_true(sc_signal_client_send_text(a->client, "{\"type\":\"offer\"}",
                                             &error));
    g_assert_true(sc_signal_client_send_text(a->client,
                                             "{\"type\":\"bye\"}", &error));
    m = sclient_msg(b, 2);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_BYE);

    /* normal close: on_closed once, without error; the other side sees
     * peer-left */
    sc_signal_client_close(a->client);
    g_assert_false(a->closed);
    g_assert_true(sc_test_run_until_flag(f->ctx, &a->closed, WAIT_MS));
    g_assert_null(a->close_error);
    m = sclient_msg(b, 3);
    g_assert_cmpint(m->type, ==, SC_SIG_MSG_PEER_LEFT);
    g_assert_false(sc_signal_client_send(a->client, offer, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);

    sclient_free(a);
    sclient_free(b);
}

static void
test_client_room_full(Fixture *f, gconstpointer data)
{
    SClient *s[3];

    for (int i = 0; i < 3; i++) {
        s[i] = sclient_new(f, "cf");
        sc_signal_client_connect(s[i]->client);
        g_assert_true(sc_test_run_until_flag(f->ctx, &s[i]->opened, WAIT_MS));
        if (i < 2)
            (void)sclient_msg(s[i], 0);
    }
    g_assert_true(sc_test_run_until_flag(f->ctx, &s[2]->closed, WAIT_MS));
    g_assert_error(s[2]->close_error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    g_assert_nonnull(strstr(s[2]->close_error->message, "4409"));
    g_assert_nonnull(strstr(s[2]->close_error->message, "room is full"));
    g_assert_false(s[0]->closed);
    for (int i = 0; i < 3; i++)
        sclient_free(s[i]);
}

/* A relay that completes the handshake and then never reads (a thread
 * with a blocking socket; small receive buffer). */
typedef struct {
    GSocket *listener;
    GMutex lock;
    GCond cond;
    gboolean stop;
} DeafRelay;

static gpointer
deaf_relay_run(gpointer data)
{
    DeafRelay *d = data;
    g_autoptr(GSocket) s = g_socket_accept(d->listener, NULL, NULL);
    g_autoptr(GString) req = g_string_new(NULL);
    g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_autofree char *accept = NULL;
    g_autofree char *resp = NULL;
    const char *key;
    guint8 digest[20];
    gsize dlen = sizeof digest;
    char c;

    g_assert_nonnull(s);
    while (!g_str_has_suffix(req->str, "\r\n\r\n") &&
           g_socket_receive(s, &c, 1, NULL, NULL) == 1)
        g_string_append_c(req, c);
    key = strstr(req->str, "Sec-WebSocket-Key: ");
    g_assert_nonnull(key);
    key += strlen("Sec-WebSocket-Key: ");
    g_checksum_update(sha1, (const guchar *)key, strcspn(key, "\r"));
    g_checksum_update(sha1,
                      (const guchar *)"258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                      -1);
    g_checksum_get_digest(sha1, digest, &dlen);
    accept = g_base64_encode(digest, dlen);
    resp = g_strdup_printf("HTTP/1.1 101 Switching Protocols\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    g_assert_cmpint(g_socket_send(s, resp, strlen(resp), NULL, NULL), ==,
                    (gssize)strlen(resp));
    g_mutex_lock(&d->lock);
    while (!d->stop)
        g_cond_wait(&d->cond, &d->lock);
    g_mutex_unlock(&d->lock);
    return NULL;
}

/* The client's own send queue is bounded: against a relay that does not
 * read, a send fails once SC_SIG_CLIENT_MAX_QUEUED bytes wait, and the
 * connection ends with an error naming it. */
static void
test_client_deaf_relay(Fixture *f, gconstpointer data)
{
    DeafRelay d = {0};
    g_autoptr(GInetAddress) lo =
        g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;
    g_autoptr(GThread) thread = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *url = NULL;
    g_autofree char *frame = g_malloc(SC_SIG_MAX_FRAME + 1);
    SClient *s = g_new0(SClient, 1);
    gsize sent = 0;
    int rcvbuf = 4096;

    d.listener = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error(error);
    g_assert_true(setsockopt(g_socket_get_fd(d.listener), SOL_SOCKET,
                             SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0);
    g_assert_true(g_socket_bind(d.listener, addr, TRUE, &error));
    g_assert_true(g_socket_listen(d.listener, &error));
    bound = g_socket_get_local_address(d.listener, &error);
    g_assert_no_error(error);
    url = g_strdup_printf("ws://127.0.0.1:%u/room/deaf",
                          g_inet_socket_address_get_port(
                              G_INET_SOCKET_ADDRESS(bound)));
    g_mutex_init(&d.lock);
    g_cond_init(&d.cond);
    thread = g_thread_new("deaf-relay", deaf_relay_run, &d);

    s->ctx = f->ctx;
    s->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)sc_sig_msg_free);
    s->client = sc_signal_client_new(f->ctx, url, "deaf", &sc_callbacks, s,
                                     &error);
    g_assert_no_error(error);
    sc_signal_client_connect(s->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &s->opened, WAIT_MS));

    memset(frame, ' ', SC_SIG_MAX_FRAME);
    frame[0] = '{';
    frame[SC_SIG_MAX_FRAME - 1] = '}';
    frame[SC_SIG_MAX_FRAME] = '\0';
    while (sent < 64 * 1024 * 1024) {
        if (!sc_signal_client_send_text(s->client, frame, &error))
            break;
        sent += SC_SIG_MAX_FRAME;
        /* let libsoup write what the socket takes */
        while (g_main_context_iteration(f->ctx, FALSE))
            ;
    }
    g_test_message("sends failed after %" G_GSIZE_FORMAT " bytes", sent);
    g_assert_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    g_assert_nonnull(strstr(error->message, "does not read"));
    g_assert_true(sc_test_run_until_flag(f->ctx, &s->closed, WAIT_MS));
    g_assert_error(s->close_error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    g_assert_nonnull(strstr(s->close_error->message, "does not read"));

    g_mutex_lock(&d.lock);
    d.stop = TRUE;
    g_cond_signal(&d.cond);
    g_mutex_unlock(&d.lock);
    g_thread_join(g_steal_pointer(&thread));
    g_mutex_clear(&d.lock);
    g_cond_clear(&d.cond);
    g_object_unref(d.listener);
    sclient_free(s);
}

static void
test_client_relay_close(Fixture *f, gconstpointer data)
{
    SClient *s = sclient_new(f, "rc");

    sc_signal_client_connect(s->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &s->opened, WAIT_MS));
    sc_relay_close(f->relay);
    g_assert_true(sc_test_run_until_flag(f->ctx, &s->closed, WAIT_MS));
    g_assert_null(s->close_error); /* 1001 is a normal closure */
    sclient_free(s);
}

static void
test_client_connect_fails(Fixture *f, gconstpointer data)
{
    SClient *s;

    /* nothing listens on the relay's port once it is gone */
    g_clear_pointer(&f->relay, sc_relay_free);
    s = sclient_new(f, "nobody");
    sc_signal_client_connect(s->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &s->closed, WAIT_MS));
    g_assert_false(s->opened);
    g_assert_error(s->close_error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    sclient_free(s);
}

static void
test_client_close_early(Fixture *f, gconstpointer data)
{
    SClient *never = sclient_new(f, "early");
    SClient *connecting = sclient_new(f, "early");

    sc_signal_client_close(never->client);
    g_assert_false(never->closed);
    sc_signal_client_connect(connecting->client);
    sc_signal_client_close(connecting->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &never->closed, WAIT_MS));
    g_assert_true(
        sc_test_run_until_flag(f->ctx, &connecting->closed, WAIT_MS));
    g_assert_null(never->close_error);
    g_assert_null(connecting->close_error);
    g_assert_false(connecting->opened);
    sclient_free(never);
    sclient_free(connecting);
}

static void
test_client_free_in_callback(Fixture *f, gconstpointer data)
{
    SClient *a = sclient_new(f, "fic");
    TClient *b;

    a->free_on_message = TRUE;
    sc_signal_client_connect(a->client);
    g_assert_true(sc_test_run_until_flag(f->ctx, &a->opened, WAIT_MS));
    (void)sclient_msg(a, 0); /* freed from inside on_message */
    g_assert_null(a->client);
    g_assert_false(a->closed); /* free never calls back */
    /* the relay saw a clean leave: the room is free again */
    b = tc_join(f, "fic");
    tc_expect(b, "{\"type\":\"room\",\"peers\":0}");
    sclient_free(a);
}

static void
test_client_free_while_connecting(Fixture *f, gconstpointer data)
{
    SClient *s = sclient_new(f, "fwc");
    TClient *b;
    g_autofree char *first = NULL;

    sc_signal_client_connect(s->client);
    g_clear_pointer(&s->client, sc_signal_client_free);
    /* whatever happened to the connection, the room ends up usable */
    b = tc_join(f, "fwc");
    first = tc_next(b);
    g_assert_true(g_str_has_prefix(first, "{\"type\":\"room\""));
    g_assert_false(s->closed);
    sclient_free(s);
}

static void
test_url_validate(void)
{
    static const struct {
        const char *url;
        const char *room;   /* NULL: must fail */
        const char *needle; /* in the error message */
    } cases[] = {
        {"ws://127.0.0.1:8800/room/abc", "abc", NULL},
        {"wss://example.org/room/A_b-9", "A_b-9", NULL},
        {"ws://[::1]:1/room/x", "x", NULL},
        {"WS://host/room/x", "x", NULL},
        {"http://host/room/x", NULL, "must start with ws:// or wss://"},
        {"host/room/x", NULL, "must start with ws:// or wss://"},
        {"", NULL, "must start with ws:// or wss://"},
        {"ws://host/room/", NULL, "room name must be 1-64 characters"},
        {"ws://host/room/a!", NULL, "room name must be 1-64 characters"},
        {"ws://host/room/a/b", NULL, "room name must be 1-64 characters"},
        {"ws://host/room/a%20b", NULL, "room name must be 1-64 characters"},
        {"ws://host/rooms/a", NULL, "path must be /room/NAME"},
        {"ws://host/", NULL, "path must be /room/NAME"},
        {"ws://host", NULL, "path must be /room/NAME"},
        {"ws:///room/a", NULL, "no host"},
        {"ws://host:99999/room/a", NULL, "not valid"},
        {"ws://host:0/room/a", NULL, "port"},
        {"ws://u:p@host/room/a", NULL, "user"},
        {"ws://host/room/a#frag", NULL, "fragment"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *room = NULL;
        gboolean ok = sc_signal_url_validate(cases[i].url, &room, &error);

        g_test_message("url %s", cases[i].url);
        if (cases[i].room != NULL) {
            g_assert_no_error(error);
            g_assert_true(ok);
            g_assert_cmpstr(room, ==, cases[i].room);
        } else {
            g_assert_false(ok);
            g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
            g_assert_nonnull(strstr(error->message, cases[i].needle));
            g_assert_null(strchr(error->message, '\n'));
            g_assert_null(room);
        }
    }
    {
        g_autoptr(GError) error = NULL;
        g_autofree char *long_url =
            g_strdup_printf("ws://h/room/%0*d", 65, 0);
        g_assert_false(sc_signal_url_validate(long_url, NULL, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    }
    {
        g_autoptr(GError) error = NULL;
        ScSignalClient *c = sc_signal_client_new(NULL, "http://x/room/a", NULL,
                                                 &sc_callbacks, NULL, &error);
        g_assert_null(c);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    }
}

#define ADD(path, fn)                                                        \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/signaling/relay/join", test_join);
    ADD("/signaling/relay/forward", test_forward);
    ADD("/signaling/relay/limits", test_limits);
    ADD("/signaling/relay/deep-nesting", test_deep_nesting);
    ADD("/signaling/relay/room-full", test_room_full);
    ADD("/signaling/relay/leave", test_leave);
    ADD("/signaling/relay/vanish", test_vanish);
    ADD("/signaling/relay/rooms-independent", test_rooms_independent);
    ADD("/signaling/relay/bad-rooms", test_bad_rooms);
    ADD("/signaling/relay/strict-frames", test_strict_frames);
    ADD("/signaling/relay/slow-reader", test_slow_reader);
    ADD("/signaling/relay/rate-limit", test_rate_limit);
    ADD("/signaling/relay/fragmented-flood", test_fragmented_flood);
    ADD("/signaling/relay/ping-flood", test_ping_flood);
    ADD("/signaling/relay/request-body", test_request_body);
    ADD("/signaling/relay/max-connections", test_max_connections);
    ADD("/signaling/relay/http-404", test_http_404);
    ADD("/signaling/relay/web", test_web);
    ADD("/signaling/relay/web-test-page", test_web_test_page);
    ADD("/signaling/relay/close", test_close);
    ADD("/signaling/relay/port-in-use", test_port_in_use);
    g_test_add_func("/signaling/relay/bad-host", test_bad_host);
    ADD("/signaling/client/exchange", test_client_exchange);
    ADD("/signaling/client/room-full", test_client_room_full);
    ADD("/signaling/client/relay-close", test_client_relay_close);
    ADD("/signaling/client/connect-fails", test_client_connect_fails);
    ADD("/signaling/client/deaf-relay", test_client_deaf_relay);
    ADD("/signaling/client/close-early", test_client_close_early);
    ADD("/signaling/client/free-in-callback", test_client_free_in_callback);
    ADD("/signaling/client/free-while-connecting",
        test_client_free_while_connecting);
    g_test_add_func("/signaling/client/url", test_url_validate);
    return g_test_run();
}
