/* src/signaling/client.c - WebSocket (RFC 6455) client of a signaling relay
 * (interop contract section 1), on libsoup 3's SoupWebsocketConnection.
 * wss:// uses the system CA store with normal TLS verification.
 *
 * The relay may be hostile. The client connects (GSocketClient) and does
 * the opening handshake (RFC 6455 section 4.1) itself, rather than with
 * SoupSession, so that it can put the counting stream of ws-stream.c under
 * the connection; then a relay cannot grow the client without bound:
 * - a message over 1 MiB, also in fragments (libsoup 3.2 bounds frames
 *   only), or more than 64 pings whose pongs wait (libsoup queues a pong
 *   per ping): the input fails;
 * - more than SC_SIG_CLIENT_MAX_QUEUED bytes of our own frames waiting to
 *   be sent (the relay does not read);
 * - more than SC_SIG_CLIENT_FRAME_RATE frames a second (bursts of
 *   SC_SIG_CLIENT_FRAME_BURST): each is parsed and handed on;
 * - a handshake response over 8 KiB, or connect and handshake taking over
 *   CLIENT_CONNECT_TIMEOUT_S.
 * Each ends the connection; on_closed reports an error naming the limit,
 * e.g. "the relay sent a message over 1 MiB".
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <libsoup/soup.h>
#include <string.h>

#define CLIENT_KEEPALIVE_S 30
#define CLIENT_CONNECT_TIMEOUT_S 20
#define CLIENT_MAX_RESPONSE 8192
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef enum {
    CLIENT_NEW,
    CLIENT_CONNECTING,
    CLIENT_OPEN,
    CLIENT_CLOSING,
    CLIENT_CLOSED,
} ClientState;

typedef struct ConnectOp ConnectOp;

struct ScSignalClient {
    GMainContext *ctx; /* owned ref */
    GUri *http_uri;    /* the ws(s) URL as http(s), for libsoup */
    char *url;         /* as given, for messages */
    char *log_id;
    ScSignalClientCallbacks cb;
    gpointer user_data;
    GSocketClient *socket_client;
    SoupWebsocketConnection *ws; /* owned while open/closing */
    GIOStream *stream;           /* ws's counting stream (ws-stream.c) */
    GSocketConnection *conn;     /* under it (TCP, or TLS over TCP) */
    guint64 handed;              /* data payload bytes given to libsoup */
    ScSigBucket tokens;          /* frames the relay may still send */
    ConnectOp *op;               /* pending connect, or NULL */
    GSource *notify;             /* deferred on_closed, or NULL */
    GError *notify_error;        /* what the deferred on_closed reports */
    char *last_error;            /* last libsoup error, for dirty closes */
    GError *fail_error;          /* a limit the relay broke, if any */
    ClientState state;
    gboolean close_requested; /* sc_signal_client_close() was called */
    gboolean closed_notified;
};

/* Outlives the client if the client is freed during the connect: the
 * pending completion callback then only cleans up. */
struct ConnectOp {
    ScSignalClient *client; /* NULL once detached */
    GCancellable *cancel;
    GSource *timeout;       /* CLIENT_CONNECT_TIMEOUT_S */
    gboolean timed_out;
    GIOStream *conn;        /* the TCP (or TLS) connection */
    char *request;          /* the handshake request */
    char *accept;           /* the Sec-WebSocket-Accept we expect */
    GByteArray *response;   /* the handshake response so far */
    guint8 byte;            /* read one at a time: nothing beyond the
                             * response is taken from the stream */
};

/* ---- URL ---- */

static GUri *
parse_signal_url(const char *url, char **room_out, GError **error)
{
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GError) local = NULL;
    const char *scheme;
    const char *path;
    const char *room;
    gboolean tls;

    if (url == NULL || (g_ascii_strncasecmp(url, "ws://", 5) != 0 &&
                        g_ascii_strncasecmp(url, "wss://", 6) != 0)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL must start with ws:// or wss://");
        return NULL;
    }
    uri = g_uri_parse(url, G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_QUERY,
                      &local);
    if (uri == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "signal URL is not valid: %s", local->message);
        return NULL;
    }
    scheme = g_uri_get_scheme(uri);
    tls = g_ascii_strcasecmp(scheme, "wss") == 0;
    if (g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0') {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL has no host");
        return NULL;
    }
    if (g_uri_get_port(uri) == 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL port must be 1-65535");
        return NULL;
    }
    if (g_uri_get_userinfo(uri) != NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL must not contain a user name");
        return NULL;
    }
    if (g_uri_get_fragment(uri) != NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL must not contain a #fragment");
        return NULL;
    }
    path = g_uri_get_path(uri);
    if (!g_str_has_prefix(path, "/room/")) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "signal URL path must be /room/NAME");
        return NULL;
    }
    room = path + strlen("/room/");
    if (!sc_sig_room_name_is_valid(room)) {
        g_set_error_literal(
            error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
            "room name must be 1-64 characters of A-Z a-z 0-9 _ -");
        return NULL;
    }
    if (room_out != NULL)
        *room_out = g_strdup(room);
    return g_uri_build(G_URI_FLAGS_ENCODED_PATH | G_URI_FLAGS_ENCODED_QUERY,
                       tls ? "https" : "http", NULL, g_uri_get_host(uri),
                       g_uri_get_port(uri), path, g_uri_get_query(uri), NULL);
}

gboolean
sc_signal_url_validate(const char *url, char **room_out, GError **error)
{
    g_autoptr(GUri) uri = parse_signal_url(url, room_out, error);

    return uri != NULL;
}

/* ---- closing ---- */

static gboolean
idle_nothing(gpointer data)
{
    return G_SOURCE_REMOVE;
}

/* Drops a reference from an idle source, so that libsoup never sees its
 * object disposed in the middle of its own signal emission (the client may
 * be freed from inside a callback). The destroy notify also runs if the
 * context is destroyed first. */
static void
release_later(GMainContext *ctx, gpointer object)
{
    GSource *src = g_idle_source_new();

    g_source_set_callback(src, idle_nothing, object, g_object_unref);
    g_source_attach(src, ctx);
    g_source_unref(src);
}

static void
detach_ws(ScSignalClient *c)
{
    g_clear_object(&c->stream);
    g_clear_object(&c->conn);
    if (c->ws == NULL)
        return;
    g_signal_handlers_disconnect_by_data(c->ws, c);
    release_later(c->ctx, g_steal_pointer(&c->ws));
}

static void
detach_op(ScSignalClient *c)
{
    if (c->op == NULL)
        return;
    c->op->client = NULL;
    g_cancellable_cancel(c->op->cancel);
    c->op = NULL;
}

static gboolean
on_notify_closed(gpointer data)
{
    ScSignalClient *c = data;
    g_autoptr(GError) error = g_steal_pointer(&c->notify_error);

    g_clear_pointer(&c->notify, g_source_unref);
    if (c->closed_notified)
        return G_SOURCE_REMOVE;
    c->closed_notified = TRUE;
    if (c->cb.on_closed != NULL)
        c->cb.on_closed(c->user_data, error); /* may free c */
    return G_SOURCE_REMOVE;
}

/* Reports the end of the client from an idle source. Takes @error. */
static void
notify_closed_later(ScSignalClient *c, GError *error)
{
    if (c->closed_notified || c->notify != NULL) {
        g_clear_error(&error);
        return;
    }
    c->notify_error = error;
    c->notify = g_idle_source_new();
    g_source_set_callback(c->notify, on_notify_closed, c, NULL);
    g_source_attach(c->notify, c->ctx);
}

/* Reports the end of the client now (we are in a dispatch of the context).
 * The client may be freed by the callback: touch nothing afterwards. */
static void
notify_closed_now(ScSignalClient *c, const GError *error)
{
    if (c->closed_notified)
        return;
    c->closed_notified = TRUE;
    sc_source_clear(&c->notify);
    if (c->cb.on_closed != NULL)
        c->cb.on_closed(c->user_data, error);
}

/* The relay broke a limit: the connection is dropped (a close frame is
 * sent if the socket takes it, which also stops libsoup's read loop, then
 * the socket is shut down: libsoup would otherwise read and parse what the
 * relay sends while it waits for its answer) and on_closed reports @error
 * (taken) from the main loop. */
static void
client_fail(ScSignalClient *c, GError *error)
{
    SC_LOG_WARN(c->log_id, "%s: dropping the connection", error->message);
    c->state = CLIENT_CLOSED;
    if (c->ws != NULL && soup_websocket_connection_get_state(c->ws) ==
                             SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(
            c->ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
    if (c->conn != NULL)
        (void)g_socket_shutdown(g_socket_connection_get_socket(c->conn),
                                TRUE, TRUE, NULL);
    detach_ws(c);
    notify_closed_later(c, error);
}

/* ---- WebSocket signals ---- */

static void
on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
              gpointer user_data)
{
    ScSignalClient *c = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSigMsg) msg = NULL;
    gsize len = 0;
    const char *data = g_bytes_get_data(message, &len);

    if (c->state != CLIENT_OPEN)
        return;
    if (!sc_sig_bucket_take(&c->tokens, g_get_monotonic_time(),
                            SC_SIG_CLIENT_FRAME_RATE,
                            SC_SIG_CLIENT_FRAME_BURST)) {
        client_fail(c, g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                                   "the relay sent more than %d frames/s",
                                   SC_SIG_CLIENT_FRAME_RATE));
        return;
    }
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        SC_LOG_WARN(c->log_id, "dropped a binary frame (%" G_GSIZE_FORMAT
                               " bytes)", len);
        return;
    }
    msg = sc_sig_msg_parse(data, len, &error);
    if (msg == NULL) {
        SC_LOG_WARN(c->log_id, "dropped a frame: %s", error->message);
        return;
    }
    SC_LOG_DEBUG(c->log_id, "received %s", msg->type_name);
    if (c->cb.on_message != NULL)
        c->cb.on_message(c->user_data, msg); /* may free c */
}

static void
on_ws_closing(SoupWebsocketConnection *ws, gpointer user_data)
{
    ScSignalClient *c = user_data;

    if (c->state == CLIENT_OPEN)
        c->state = CLIENT_CLOSING;
}

static void
on_ws_error(SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
    ScSignalClient *c = user_data;

    SC_LOG_DEBUG(c->log_id, "connection error: %s", error->message);
    if (c->fail_error == NULL &&
        g_error_matches(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED))
        /* a limit of the counting stream (ws-stream.c) */
        c->fail_error = g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                                    "the relay %s", error->message);
    g_free(c->last_error);
    c->last_error = g_strdup(error->message);
}

static void
on_ws_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
    ScSignalClient *c = user_data;
    gushort code = soup_websocket_connection_get_close_code(ws);
    const char *data = soup_websocket_connection_get_close_data(ws);
    g_autoptr(GError) error = NULL;

    c->state = CLIENT_CLOSED;
    if (c->fail_error != NULL) {
        error = g_steal_pointer(&c->fail_error);
        SC_LOG_WARN(c->log_id, "%s: connection dropped", error->message);
    } else if (c->close_requested || code == SOUP_WEBSOCKET_CLOSE_NORMAL ||
        code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY) {
        SC_LOG_INFO(c->log_id, "closed (code %u)", code);
    } else if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_NO_STATUS ||
               code == SOUP_WEBSOCKET_CLOSE_ABNORMAL) {
        error = g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "connection to the relay was lost%s%s",
                            c->last_error != NULL ? ": " : "",
                            c->last_error != NULL ? c->last_error : "");
    } else {
        error = g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "relay closed the connection: %u%s%s", code,
                            data != NULL && *data != '\0' ? " " : "",
                            data != NULL ? data : "");
    }
    if (error != NULL)
        SC_LOG_INFO(c->log_id, "%s", error->message);
    detach_ws(c);
    notify_closed_now(c, error); /* may free c */
}

/* ---- connect ---- */

static void
set_uint64_property_if_exists(gpointer obj, const char *name, guint64 value)
{
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(obj), name) != NULL)
        g_object_set(obj, name, value, NULL);
}

static void
connect_op_free(ConnectOp *op)
{
    sc_source_clear(&op->timeout);
    g_clear_object(&op->cancel);
    g_clear_object(&op->conn);
    g_free(op->request);
    g_free(op->accept);
    if (op->response != NULL)
        g_byte_array_unref(op->response);
    g_free(op);
}

/* Ends the connect: frees @op, reports @error (taken; NULL: cancelled or
 * detached) to the client if it is still there. */
static void
connect_failed(ConnectOp *op, GError *error)
{
    ScSignalClient *c = op->client;
    g_autoptr(GError) report = NULL;

    if (c != NULL) {
        c->op = NULL;
        c->state = CLIENT_CLOSED;
        report = g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                             "cannot connect to %s: %s", c->url,
                             op->timed_out ? "timed out"
                             : error != NULL ? error->message
                                             : "cancelled");
    }
    g_clear_error(&error);
    connect_op_free(op);
    if (report != NULL) {
        SC_LOG_INFO(c->log_id, "%s", report->message);
        notify_closed_now(c, report); /* may free c */
    }
}

static gboolean
on_connect_timeout(gpointer data)
{
    ConnectOp *op = data;

    g_clear_pointer(&op->timeout, g_source_unref);
    op->timed_out = TRUE;
    g_cancellable_cancel(op->cancel);
    return G_SOURCE_REMOVE;
}

/* The handshake is done: the WebSocket connection starts on the counting
 * stream over @op's connection. */
static void
connect_done(ConnectOp *op)
{
    ScSignalClient *c = op->client;
    SoupWebsocketConnection *ws;

    c->op = NULL;
    c->conn = G_SOCKET_CONNECTION(g_object_ref(op->conn));
    c->stream = sc_ws_count_stream_new(op->conn);
    g_main_context_push_thread_default(c->ctx);
    ws = g_object_new(SOUP_TYPE_WEBSOCKET_CONNECTION, "io-stream", c->stream,
                      "uri", c->http_uri, "connection-type",
                      SOUP_WEBSOCKET_CONNECTION_CLIENT, NULL);
    g_main_context_pop_thread_default(c->ctx);
    connect_op_free(op);
    c->ws = ws;
    c->state = CLIENT_OPEN;
    /* the socket client is not needed again: do not keep it for the
     * whole call */
    g_clear_object(&c->socket_client);
    sc_sig_bucket_init(&c->tokens, g_get_monotonic_time(),
                       SC_SIG_CLIENT_FRAME_BURST);
    soup_websocket_connection_set_max_incoming_payload_size(
        ws, SC_SIG_MAX_WS_PAYLOAD);
    set_uint64_property_if_exists(ws, "max-total-message-size",
                                  SC_SIG_MAX_WS_PAYLOAD);
    soup_websocket_connection_set_keepalive_interval(ws, CLIENT_KEEPALIVE_S);
    g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), c);
    g_signal_connect(ws, "closing", G_CALLBACK(on_ws_closing), c);
    g_signal_connect(ws, "error", G_CALLBACK(on_ws_error), c);
    g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), c);
    SC_LOG_INFO(c->log_id, "connected to %s", c->url);
    if (c->cb.on_open != NULL)
        c->cb.on_open(c->user_data); /* may free c */
}

/* Checks the response (RFC 6455 section 4.1, the client's checks 1-6;
 * no extension or subprotocol was asked for, so none may be named). */
static gboolean
check_response(ConnectOp *op, GError **error)
{
    g_autoptr(SoupMessageHeaders) hdrs =
        soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
    const char *accept;
    guint status = 0;

    if (!soup_headers_parse_response((const char *)op->response->data,
                                     (int)op->response->len, hdrs, NULL,
                                     &status, NULL)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "the relay's handshake response is not HTTP");
        return FALSE;
    }
    if (status != SOUP_STATUS_SWITCHING_PROTOCOLS) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "the relay refused the WebSocket handshake (HTTP %u)",
                    status);
        return FALSE;
    }
    accept = soup_message_headers_get_one(hdrs, "Sec-WebSocket-Accept");
    if (!soup_message_headers_header_equals(hdrs, "Upgrade", "websocket") ||
        !soup_message_headers_header_contains(hdrs, "Connection",
                                              "upgrade") ||
        accept == NULL || !g_str_equal(accept, op->accept) ||
        soup_message_headers_get_one(hdrs, "Sec-WebSocket-Extensions") !=
            NULL ||
        soup_message_headers_get_one(hdrs, "Sec-WebSocket-Protocol") !=
            NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "the relay's WebSocket handshake is not valid");
        return FALSE;
    }
    return TRUE;
}

static void on_response_byte(GObject *source, GAsyncResult *res,
                             gpointer user_data);

static void
read_response_byte(ConnectOp *op)
{
    g_input_stream_read_async(g_io_stream_get_input_stream(op->conn),
                              &op->byte, 1, G_PRIORITY_DEFAULT, op->cancel,
                              on_response_byte, op);
}

static void
on_response_byte(GObject *source, GAsyncResult *res, gpointer user_data)
{
    ConnectOp *op = user_data;
    GError *error = NULL;
    gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, &error);
    guint len;

    if (op->client == NULL || n <= 0) {
        if (n == 0)
            error = g_error_new_literal(
                SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                "the relay closed the connection during the handshake");
        connect_failed(op, error);
        return;
    }
    g_byte_array_append(op->response, &op->byte, 1);
    len = op->response->len;
    if (len >= 4 && memcmp(op->response->data + len - 4, "\r\n\r\n", 4) == 0) {
        if (!check_response(op, &error)) {
            connect_failed(op, error);
            return;
        }
        connect_done(op);
        return;
    }
    if (len >= CLIENT_MAX_RESPONSE) {
        connect_failed(op, g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                                       "the relay's handshake response is "
                                       "over %d bytes", CLIENT_MAX_RESPONSE));
        return;
    }
    read_response_byte(op);
}

static void
on_request_written(GObject *source, GAsyncResult *res, gpointer user_data)
{
    ConnectOp *op = user_data;
    GError *error = NULL;

    if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), res, NULL,
                                          &error) ||
        op->client == NULL) {
        connect_failed(op, error);
        return;
    }
    op->response = g_byte_array_new();
    read_response_byte(op);
}

/* The opening handshake request (RFC 6455 section 4.1); sets op->accept. */
static char *
handshake_request(ConnectOp *op, GUri *uri)
{
    guint32 nonce[4];
    g_autofree char *key = NULL;
    g_autofree char *host = NULL;
    g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    guint8 digest[20];
    gsize digest_len = sizeof digest;
    const char *query = g_uri_get_query(uri);

    for (guint i = 0; i < G_N_ELEMENTS(nonce); i++)
        nonce[i] = g_random_int();
    key = g_base64_encode((const guchar *)nonce, sizeof nonce);
    g_checksum_update(sha1, (const guchar *)key, -1);
    g_checksum_update(sha1, (const guchar *)WS_GUID, -1);
    g_checksum_get_digest(sha1, digest, &digest_len);
    op->accept = g_base64_encode(digest, digest_len);
    host = strchr(g_uri_get_host(uri), ':') != NULL
               ? g_strdup_printf("[%s]", g_uri_get_host(uri))
               : g_strdup(g_uri_get_host(uri));
    return g_strdup_printf("GET %s%s%s HTTP/1.1\r\n"
                           "Host: %s:%d\r\n"
                           "Upgrade: websocket\r\n"
                           "Connection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n"
                           "\r\n",
                           g_uri_get_path(uri), query != NULL ? "?" : "",
                           query != NULL ? query : "", host,
                           g_uri_get_port(uri), key);
}

static void
on_tcp_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
    ConnectOp *op = user_data;
    GError *error = NULL;
    GSocketConnection *conn = g_socket_client_connect_finish(
        G_SOCKET_CLIENT(source), res, &error);

    if (conn == NULL || op->client == NULL) {
        g_clear_object(&conn);
        connect_failed(op, error);
        return;
    }
    op->conn = G_IO_STREAM(conn);
    op->request = handshake_request(op, op->client->http_uri);
    g_output_stream_write_all_async(g_io_stream_get_output_stream(op->conn),
                                    op->request, strlen(op->request),
                                    G_PRIORITY_DEFAULT, op->cancel,
                                    on_request_written, op);
}

ScSignalClient *
sc_signal_client_new(GMainContext *ctx, const char *url, const char *log_id,
                     const ScSignalClientCallbacks *cb, gpointer user_data,
                     GError **error)
{
    GUri *http_uri;
    ScSignalClient *c;

    g_return_val_if_fail(cb != NULL, NULL);

    http_uri = parse_signal_url(url, NULL, error);
    if (http_uri == NULL)
        return NULL;

    c = g_new0(ScSignalClient, 1);
    c->ctx = ctx != NULL ? g_main_context_ref(ctx)
                     : g_main_context_ref_thread_default();
    c->http_uri = http_uri;
    c->url = g_strdup(url);
    c->log_id = g_strdup(log_id != NULL ? log_id : "signal");
    c->cb = *cb;
    c->user_data = user_data;
    c->state = CLIENT_NEW;
    /* TLS for wss:// with the default validation (the system CA store,
     * the host name). No extension is offered (see relay.c). */
    c->socket_client = g_socket_client_new();
    g_socket_client_set_tls(c->socket_client,
                            g_str_equal(g_uri_get_scheme(http_uri), "https"));
    return c;
}

void
sc_signal_client_connect(ScSignalClient *c)
{
    g_autoptr(GSocketConnectable) addr = NULL;

    g_return_if_fail(c != NULL);
    g_return_if_fail(c->state == CLIENT_NEW);

    c->state = CLIENT_CONNECTING;
    c->op = g_new0(ConnectOp, 1);
    c->op->client = c;
    c->op->cancel = g_cancellable_new();
    c->op->timeout = g_timeout_source_new_seconds(CLIENT_CONNECT_TIMEOUT_S);
    g_source_set_callback(c->op->timeout, on_connect_timeout, c->op, NULL);
    g_source_attach(c->op->timeout, c->ctx);
    addr = g_network_address_new(g_uri_get_host(c->http_uri),
                                 (guint16)g_uri_get_port(c->http_uri));
    g_main_context_push_thread_default(c->ctx);
    g_socket_client_connect_async(c->socket_client, addr, c->op->cancel,
                                  on_tcp_connected, c->op);
    g_main_context_pop_thread_default(c->ctx);
}

gboolean
sc_signal_client_is_open(ScSignalClient *c)
{
    g_return_val_if_fail(c != NULL, FALSE);
    return c->state == CLIENT_OPEN && c->ws != NULL &&
           soup_websocket_connection_get_state(c->ws) ==
               SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
sc_signal_client_send_text(ScSignalClient *c, const char *text, GError **error)
{
    gsize len;
    guint64 queued;

    g_return_val_if_fail(c != NULL, FALSE);
    g_return_val_if_fail(text != NULL, FALSE);

    if (!sc_signal_client_is_open(c)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "signaling connection is not open");
        return FALSE;
    }
    len = strlen(text);
    if (len == 0 || len > SC_SIG_MAX_FRAME) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "signaling message of %" G_GSIZE_FORMAT
                    " bytes (must be 1 to %d)", len, SC_SIG_MAX_FRAME);
        return FALSE;
    }
    queued = c->handed - MIN(c->handed,
                             sc_ws_count_stream_get_data_written(c->stream));
    if (queued + len > SC_SIG_CLIENT_MAX_QUEUED) {
        GError *limit = g_error_new(
            SC_ERROR, SC_ERROR_SIGNALING_FAILED,
            "the relay does not read: %" G_GUINT64_FORMAT
            " bytes wait to be sent, limit %d", queued,
            SC_SIG_CLIENT_MAX_QUEUED);
        g_propagate_error(error, g_error_copy(limit));
        client_fail(c, limit);
        return FALSE;
    }
    c->handed += len;
    g_main_context_push_thread_default(c->ctx);
    soup_websocket_connection_send_text(c->ws, text);
    g_main_context_pop_thread_default(c->ctx);
    return TRUE;
}

gboolean
sc_signal_client_send(ScSignalClient *c, const ScSigMsg *msg, GError **error)
{
    g_autofree char *json = NULL;

    g_return_val_if_fail(c != NULL, FALSE);
    g_return_val_if_fail(msg != NULL, FALSE);

    if (!sc_signal_client_is_open(c)) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "signaling connection is not open");
        return FALSE;
    }
    json = sc_sig_msg_to_json(msg);
    SC_LOG_DEBUG(c->log_id, "sending %s", sc_sig_msg_type_to_string(msg->type));
    return sc_signal_client_send_text(c, json, error);
}

void
sc_signal_client_close(ScSignalClient *c)
{
    g_return_if_fail(c != NULL);

    switch (c->state) {
    case CLIENT_NEW:
    case CLIENT_CONNECTING:
        detach_op(c);
        c->state = CLIENT_CLOSED;
        notify_closed_later(c, NULL);
        break;
    case CLIENT_OPEN:
        c->close_requested = TRUE;
        c->state = CLIENT_CLOSING;
        g_main_context_push_thread_default(c->ctx);
        soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                        NULL);
        g_main_context_pop_thread_default(c->ctx);
        break;
    case CLIENT_CLOSING:
    case CLIENT_CLOSED:
    default:
        break;
    }
}

void
sc_signal_client_free(ScSignalClient *c)
{
    if (c == NULL)
        return;
    detach_op(c);
    g_main_context_push_thread_default(c->ctx);
    if (c->ws != NULL &&
        soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                        NULL);
    detach_ws(c);
    sc_source_clear(&c->notify);
    g_clear_error(&c->notify_error);
    g_main_context_pop_thread_default(c->ctx);
    g_clear_object(&c->socket_client);
    g_clear_error(&c->fail_error);
    g_uri_unref(c->http_uri);
    g_free(c->url);
    g_free(c->log_id);
    g_free(c->last_error);
    g_main_context_unref(c->ctx);
    g_free(c);
}
