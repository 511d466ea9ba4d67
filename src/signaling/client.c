/* src/signaling/client.c - WebSocket (RFC 6455) client of a signaling relay
 * (interop contract section 1), on libsoup 3's SoupSession. wss:// uses the
 * system CA store with normal TLS verification.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <libsoup/soup.h>
#include <string.h>

#define CLIENT_KEEPALIVE_S 30
#define CLIENT_CONNECT_TIMEOUT_S 20

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
    SoupSession *session;
    SoupWebsocketConnection *ws; /* owned while open/closing */
    ConnectOp *op;               /* pending connect, or NULL */
    GSource *notify;             /* deferred on_closed, or NULL */
    GError *notify_error;        /* what the deferred on_closed reports */
    char *last_error;            /* last libsoup error, for dirty closes */
    ClientState state;
    gboolean close_requested; /* sc_signal_client_close() was called */
    gboolean closed_notified;
};

/* Outlives the client if the client is freed during the connect: the
 * completion callback then only cleans up. */
struct ConnectOp {
    ScSignalClient *client; /* NULL once detached */
    GCancellable *cancel;
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
    if (c->close_requested || code == SOUP_WEBSOCKET_CLOSE_NORMAL ||
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
on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
    ConnectOp *op = user_data;
    ScSignalClient *c = op->client;
    g_autoptr(GError) local = NULL;
    g_autoptr(GError) error = NULL;
    SoupWebsocketConnection *ws;

    ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), res,
                                               &local);
    g_object_unref(op->cancel);
    g_free(op);
    if (c == NULL) {
        /* closed or freed while connecting */
        if (ws != NULL) {
            soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                            NULL);
            g_object_unref(ws);
        }
        return;
    }
    c->op = NULL;
    if (ws == NULL) {
        c->state = CLIENT_CLOSED;
        error = g_error_new(SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                            "cannot connect to %s: %s", c->url,
                            local->message);
        SC_LOG_INFO(c->log_id, "%s", error->message);
        notify_closed_now(c, error); /* may free c */
        return;
    }
    c->ws = ws;
    c->state = CLIENT_OPEN;
    /* The connection now belongs to the WebSocket (libsoup steals it from
     * the session), and the session is never used again: do not keep it
     * (and its connection manager and features) for the whole call. */
    release_later(c->ctx, g_steal_pointer(&c->session));
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

    g_main_context_push_thread_default(c->ctx);
    c->session = soup_session_new_with_options(
        "timeout", (guint)CLIENT_CONNECT_TIMEOUT_S, NULL);
    /* No permessage-deflate (see relay.c). */
    soup_session_remove_feature_by_type(c->session,
                                        SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
    g_main_context_pop_thread_default(c->ctx);
    return c;
}

void
sc_signal_client_connect(ScSignalClient *c)
{
    g_autoptr(SoupMessage) msg = NULL;

    g_return_if_fail(c != NULL);
    g_return_if_fail(c->state == CLIENT_NEW);

    c->state = CLIENT_CONNECTING;
    c->op = g_new0(ConnectOp, 1);
    c->op->client = c;
    c->op->cancel = g_cancellable_new();
    msg = soup_message_new_from_uri(SOUP_METHOD_GET, c->http_uri);
    g_main_context_push_thread_default(c->ctx);
    soup_session_websocket_connect_async(c->session, msg, NULL, NULL,
                                         G_PRIORITY_DEFAULT, c->op->cancel,
                                         on_connected, c->op);
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
    if (c->session != NULL) {
        soup_session_abort(c->session);
        release_later(c->ctx, g_steal_pointer(&c->session));
    }
    g_main_context_pop_thread_default(c->ctx);
    g_uri_unref(c->http_uri);
    g_free(c->url);
    g_free(c->log_id);
    g_free(c->last_error);
    g_main_context_unref(c->ctx);
    g_free(c);
}
