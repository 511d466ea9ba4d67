/* src/signaling/relay.c - the signaling relay server (interop contract
 * section 1) over WebSocket (RFC 6455) with libsoup 3's SoupServer.
 *
 * ws://HOST:PORT/room/NAME: at most two participants per room; a third is
 * closed with 4409. Text frames that are JSON objects (RFC 8259, strictly)
 * of at most 256 KiB and whose "type" is not one of the relay's own (room,
 * peer-joined, peer-left) are forwarded byte-identical to the other
 * participant; everything else is dropped with a warning and the connection
 * stays usable (sc_sig_relay_frame_check() in message.c decides). Incoming
 * frames are accepted up to SC_SIG_MAX_WS_PAYLOAD (1 MiB); beyond that
 * libsoup itself closes the connection with 1009 (message too big).
 *
 * Limits, so that no participant or stranger can grow the relay without
 * bound (defaults in <sealcall/relay.h>, each settable):
 * - Send queue per connection (1 MiB): libsoup queues outgoing frames in
 *   user space without a limit. The relay upgrades connections itself so
 *   that it can wrap each one's stream (ws-stream.c) and know how many
 *   bytes it handed to libsoup still wait to be written to the socket. A
 *   frame that would take that backlog over the bound is not queued; the
 *   receiving connection, which does not read fast enough, is closed with
 *   4408 ("too slow").
 * - Frames per second per connection (50/s sustained, bursts of 200, a
 *   token bucket; every frame counts, dropped ones too): the sender that
 *   goes over is closed with 4429 ("rate limit").
 * - Connections (1000, WebSocket connections plus upgrades in progress)
 *   and rooms (500): beyond either, the upgrade request is refused with
 *   HTTP 503. Upgrades that race past the check are closed with 4503.
 * - Incoming data (ws-stream.c, where libsoup 3.2 has no limit): a
 *   message over 1 MiB also when fragmented, or more than 64 pings whose
 *   pongs wait to be sent: the connection is dropped without a close
 *   frame.
 * - HTTP request bodies: libsoup keeps one whole in memory before the
 *   handlers run; nothing here takes one, so none is kept and a request
 *   with a body gets 413.
 * - Connections still in their HTTP request (libsoup has no timeout, and
 *   counts nothing before the upgrade): each has 10 s from the start of
 *   its request to its response (the 101 for an upgrade), then its socket
 *   is shut down; at most max-connections of them at a time (apart from
 *   WebSocket connections), a new one beyond is shut down at once.
 * - Idle WebSocket connections: one from which nothing (not even a pong
 *   to the pings sent every 30 s) has arrived for 90 s is closed with 4408.
 * Close codes: 4409 room full, 4408 too slow or idle, 4429 rate limit, 4503 relay
 * busy (connection or room limit), 1001 relay shut down, 1008 bad room.
 *
 * libsoup attaches the sources of each new connection to the thread-default
 * context of the moment, so the relay's context must be the thread-default
 * context of the thread that iterates it (or the global default context).
 *
 * HTTP routing: /room/... is the WebSocket relay; GET / (and HEAD) serves
 * the web client (web/index.html and web/app.js, compiled in as a
 * GResource), every other path is 404. The test page (/test.html and its
 * driver /test-hooks.js, which lets another room drive the page) exists
 * only after sc_relay_set_test_page(): a link to a relay never reaches it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <sealcall/relay.h>

#include <libsoup/soup.h>
#include <string.h>

#define ROOM_PREFIX "/room/"
#define CLOSE_ROOM_FULL 4409
#define CLOSE_TOO_SLOW 4408
#define CLOSE_RATE_LIMIT 4429
#define CLOSE_BUSY 4503

typedef struct Room Room;
typedef struct Peer Peer;

struct Peer {
    ScRelay *relay;
    SoupWebsocketConnection *ws; /* owned */
    Room *room;                  /* NULL when not (or no longer) in a room */
    char *id;                    /* "room/NAME#N" for logs */
    guint64 handed;              /* data payload bytes given to libsoup */
    ScSigBucket tokens;          /* frame rate */
    GSource *idle;               /* idle timeout check */
};

struct Room {
    char *name;
    Peer *peers[2];
};

struct ScRelay {
    GMainContext *ctx; /* owned ref */
    SoupServer *server;
    GHashTable *rooms; /* name -> Room* (owned) */
    GHashTable *peers; /* Peer* set (owned): every live connection */
    /* SoupServerMessage* -> Request* (owned): HTTP requests in progress,
     * from request-started to the response (the 101 for an upgrade) */
    GHashTable *requests;
    guint upgrading; /* requests whose 101 is set but not yet sent */
    guint request_timeout; /* seconds */
    guint idle_timeout;    /* seconds */
    guint max_connections;
    guint max_rooms;
    gsize max_queued;
    guint frame_rate;
    guint frame_burst;
    guint16 port;
    guint next_peer;
    gboolean closed;
    gboolean test_page; /* serve the test page (sc_relay_set_test_page()) */
};

static void
room_free(Room *room)
{
    g_free(room->name);
    g_free(room);
}

static void
peer_close(Peer *peer, gushort code, const char *reason)
{
    if (soup_websocket_connection_get_state(peer->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(peer->ws, code, reason);
}

/* Bytes handed to libsoup for @peer that have not reached the socket. */
static guint64
peer_queued(Peer *peer)
{
    guint64 written = sc_ws_count_stream_get_data_written(
        soup_websocket_connection_get_io_stream(peer->ws));

    return peer->handed > written ? peer->handed - written : 0;
}

/* Queues the text frame @frame to @peer, unless @peer lets too much wait
 * already: then @peer is closed with CLOSE_TOO_SLOW instead. */
static void
peer_send(Peer *peer, GBytes *frame)
{
    gsize len = g_bytes_get_size(frame);
    guint64 queued;

    if (soup_websocket_connection_get_state(peer->ws) !=
        SOUP_WEBSOCKET_STATE_OPEN)
        return;
    queued = peer_queued(peer);
    if (queued + len > peer->relay->max_queued) {
        SC_LOG_WARN(peer->id, "does not read: %" G_GUINT64_FORMAT
                    " bytes wait, limit %" G_GSIZE_FORMAT
                    "; closing with %d", queued, peer->relay->max_queued,
                    CLOSE_TOO_SLOW);
        peer_close(peer, CLOSE_TOO_SLOW, "too slow");
        return;
    }
    peer->handed += len;
    soup_websocket_connection_send_message(peer->ws, SOUP_WEBSOCKET_DATA_TEXT,
                                           frame);
}

static void
send_json(Peer *peer, const char *json)
{
    g_autoptr(GBytes) frame = g_bytes_new(json, strlen(json));

    peer_send(peer, frame);
}

/* Takes one frame from @peer's bucket; FALSE if it is empty. */
static gboolean
peer_take_token(Peer *peer)
{
    return sc_sig_bucket_take(&peer->tokens, g_get_monotonic_time(),
                              peer->relay->frame_rate,
                              peer->relay->frame_burst);
}

static Peer *
room_other(Room *room, Peer *peer)
{
    if (room->peers[0] == peer)
        return room->peers[1];
    return room->peers[0];
}

/* Removes @peer from its room, tells the other participant, frees the room
 * once empty. Idempotent. */
static void
peer_leave(Peer *peer, gboolean notify)
{
    Room *room = peer->room;
    Peer *other;

    if (room == NULL)
        return;
    peer->room = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(room->peers); i++) {
        if (room->peers[i] == peer)
            room->peers[i] = NULL;
    }
    other = room_other(room, NULL);
    SC_LOG_INFO(peer->id, "left");
    if (other != NULL) {
        if (notify)
            send_json(other, "{\"type\":\"peer-left\"}");
    } else {
        g_hash_table_remove(peer->relay->rooms, room->name);
    }
}

static void
peer_free(Peer *peer)
{
    sc_source_clear(&peer->idle);
    g_signal_handlers_disconnect_by_data(peer->ws, peer);
    g_object_unref(peer->ws);
    g_free(peer->id);
    g_free(peer);
}

static void
on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
              gpointer user_data)
{
    Peer *peer = user_data;
    gsize len = 0;
    const char *data = g_bytes_get_data(message, &len);
    ScSigFrameVerdict verdict;
    Peer *other;

    if (!peer_take_token(peer)) {
        if (soup_websocket_connection_get_state(ws) ==
            SOUP_WEBSOCKET_STATE_OPEN)
            SC_LOG_WARN(peer->id, "more than %u frames/s: closing with %d",
                        peer->relay->frame_rate, CLOSE_RATE_LIMIT);
        peer_close(peer, CLOSE_RATE_LIMIT, "rate limit");
        return;
    }
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        SC_LOG_WARN(peer->id, "dropped a binary frame (%" G_GSIZE_FORMAT
                              " bytes)", len);
        return;
    }
    verdict = sc_sig_relay_frame_check(data, len);
    if (verdict != SC_SIG_FRAME_OK) {
        SC_LOG_WARN(peer->id, "dropped a frame of %" G_GSIZE_FORMAT
                    " bytes: %s", len, sc_sig_frame_verdict_to_string(verdict));
        return;
    }
    if (peer->room == NULL)
        return;
    other = room_other(peer->room, peer);
    if (other == NULL) {
        SC_LOG_DEBUG(peer->id, "no other participant: frame dropped");
        return;
    }
    peer_send(other, message);
}

static void
on_ws_closing(SoupWebsocketConnection *ws, gpointer user_data)
{
    peer_leave(user_data, TRUE);
}

static void
on_ws_error(SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
    Peer *peer = user_data;

    if (g_error_matches(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED))
        SC_LOG_WARN(peer->id, "dropping the connection: it %s",
                    error->message); /* a limit of ws-stream.c */
    else
        SC_LOG_DEBUG(peer->id, "connection error: %s", error->message);
}

/* Emitted once the connection is completely closed, whatever the cause
 * (close handshake, TCP reset, EOF without close frame). libsoup holds a
 * reference across the emission, so dropping ours here is safe. */
static void
on_ws_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
    Peer *peer = user_data;

    SC_LOG_DEBUG(peer->id, "closed (code %u)",
                 soup_websocket_connection_get_close_code(ws));
    peer_leave(peer, TRUE);
    g_hash_table_remove(peer->relay->peers, peer); /* frees peer */
}

static void
set_uint64_property_if_exists(gpointer obj, const char *name, guint64 value)
{
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(obj), name) != NULL)
        g_object_set(obj, name, value, NULL);
}

static gboolean on_peer_idle_check(gpointer data);

/* (Re)arms @peer's idle check for @ms milliseconds from now. */
static void
peer_idle_arm(Peer *peer, gint64 ms)
{
    sc_source_clear(&peer->idle);
    peer->idle = g_timeout_source_new((guint)MAX(ms, 1));
    g_source_set_callback(peer->idle, on_peer_idle_check, peer, NULL);
    g_source_attach(peer->idle, peer->relay->ctx);
}

/* Closes @peer if nothing has come from it for the idle timeout; else
 * checks again when that would be the case. */
static gboolean
on_peer_idle_check(gpointer data)
{
    Peer *peer = data;
    gint64 idle_us = (gint64)peer->relay->idle_timeout * G_USEC_PER_SEC;
    gint64 left_us = sc_ws_count_stream_get_last_read(
                         soup_websocket_connection_get_io_stream(peer->ws)) +
                     idle_us - g_get_monotonic_time();

    g_clear_pointer(&peer->idle, g_source_unref);
    if (soup_websocket_connection_get_state(peer->ws) !=
        SOUP_WEBSOCKET_STATE_OPEN)
        return G_SOURCE_REMOVE;
    if (left_us > 0) {
        peer_idle_arm(peer, (left_us + 999) / 1000);
        return G_SOURCE_REMOVE;
    }
    SC_LOG_WARN(peer->id, "nothing received for %u s: closing with %d",
                peer->relay->idle_timeout, CLOSE_TOO_SLOW);
    peer_close(peer, CLOSE_TOO_SLOW, "idle");
    return G_SOURCE_REMOVE;
}

static void
configure_ws(ScRelay *relay, SoupWebsocketConnection *ws)
{
    soup_websocket_connection_set_max_incoming_payload_size(
        ws, SC_SIG_MAX_WS_PAYLOAD);
    /* libsoup >= 3.8 also caps reassembled messages (128 KiB by default
     * on server connections): raise it to the same limit. */
    set_uint64_property_if_exists(ws, "max-total-message-size",
                                  SC_SIG_MAX_WS_PAYLOAD);
    soup_websocket_connection_set_keepalive_interval(
        ws, MAX(relay->idle_timeout / 3, 1));
}

/* A new WebSocket connection on @path: joins its room or is closed. */
static void
peer_start(ScRelay *relay, const char *path, SoupWebsocketConnection *ws)
{
    const char *name;
    Peer *peer;
    Room *room;
    Peer *other;
    char json[64];

    if (relay->closed || !g_str_has_prefix(path, ROOM_PREFIX) ||
        !sc_sig_room_name_is_valid(path + strlen(ROOM_PREFIX))) {
        soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                        "bad room");
        return;
    }
    name = path + strlen(ROOM_PREFIX);

    peer = g_new0(Peer, 1);
    peer->relay = relay;
    peer->ws = g_object_ref(ws);
    peer->id = g_strdup_printf("room/%s#%u", name, ++relay->next_peer);
    sc_sig_bucket_init(&peer->tokens, g_get_monotonic_time(),
                       relay->frame_burst);
    g_hash_table_add(relay->peers, peer);
    configure_ws(relay, ws);
    peer_idle_arm(peer, (gint64)relay->idle_timeout * 1000);
    g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), peer);
    g_signal_connect(ws, "closing", G_CALLBACK(on_ws_closing), peer);
    g_signal_connect(ws, "error", G_CALLBACK(on_ws_error), peer);
    g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), peer);

    room = g_hash_table_lookup(relay->rooms, name);
    if (room == NULL) {
        if (g_hash_table_size(relay->rooms) >= relay->max_rooms) {
            SC_LOG_WARN(peer->id, "%u rooms already: closing with %d",
                        relay->max_rooms, CLOSE_BUSY);
            soup_websocket_connection_close(ws, CLOSE_BUSY, "too many rooms");
            return;
        }
        room = g_new0(Room, 1);
        room->name = g_strdup(name);
        g_hash_table_insert(relay->rooms, room->name, room);
    }
    if (room->peers[0] != NULL && room->peers[1] != NULL) {
        SC_LOG_INFO(peer->id, "room is full: closing with %d",
                    CLOSE_ROOM_FULL);
        soup_websocket_connection_close(ws, CLOSE_ROOM_FULL, "room is full");
        return;
    }
    other = room->peers[0] != NULL ? room->peers[0] : room->peers[1];
    room->peers[room->peers[0] == NULL ? 0 : 1] = peer;
    peer->room = room;
    SC_LOG_INFO(peer->id, "joined (%d other)", other != NULL ? 1 : 0);

    g_snprintf(json, sizeof json, "{\"type\":\"room\",\"peers\":%d}",
               other != NULL ? 1 : 0);
    send_json(peer, json);
    if (other != NULL)
        send_json(other, "{\"type\":\"peer-joined\"}");
}

/* ---- HTTP requests in progress ---- */

typedef struct {
    ScRelay *relay;
    SoupServerMessage *msg; /* owned ref */
    GSource *deadline;
    gboolean upgrading;     /* counted in relay->upgrading */
} Request;

static void
request_free(Request *req)
{
    if (req->upgrading)
        req->relay->upgrading--;
    sc_source_clear(&req->deadline);
    g_signal_handlers_disconnect_by_data(req->msg, req);
    g_object_unref(req->msg);
    g_free(req);
}

/* Forgets @req: its response is out, or its connection went. */
static void
request_forget(Request *req)
{
    g_hash_table_remove(req->relay->requests, req->msg); /* frees req */
}

/* Shuts the socket of @msg down: libsoup sees the end of the stream and
 * drops the connection; the client sees it closed. */
static void
shut_down(SoupServerMessage *msg)
{
    GSocket *sock = soup_server_message_get_socket(msg);

    if (sock != NULL)
        (void)g_socket_shutdown(sock, TRUE, TRUE, NULL);
}

static gboolean
on_request_deadline(gpointer data)
{
    Request *req = data;

    g_clear_pointer(&req->deadline, g_source_unref);
    SC_LOG_WARN("relay", "an HTTP request took over %u s: closing its "
                "connection", req->relay->request_timeout);
    shut_down(req->msg);
    request_forget(req);
    return G_SOURCE_REMOVE;
}

static void
on_request_done(SoupServerMessage *msg, gpointer user_data)
{
    request_forget(user_data);
}

/* A connection begins a request (right after it is accepted, or after
 * its previous response): it has relay->request_timeout to complete it. */
static void
on_request_started(SoupServer *server, SoupServerMessage *msg,
                   gpointer user_data)
{
    ScRelay *relay = user_data;
    Request *req;

    if (relay->closed)
        return;
    if (g_hash_table_size(relay->requests) >= relay->max_connections) {
        SC_LOG_WARN("relay", "%u connections in their HTTP request already: "
                    "closing a new one", relay->max_connections);
        shut_down(msg);
        return;
    }
    req = g_new0(Request, 1);
    req->relay = relay;
    req->msg = g_object_ref(msg);
    req->deadline = g_timeout_source_new_seconds(relay->request_timeout);
    g_source_set_callback(req->deadline, on_request_deadline, req, NULL);
    g_source_attach(req->deadline, relay->ctx);
    g_hash_table_insert(relay->requests, msg, req);
    g_signal_connect(msg, "finished", G_CALLBACK(on_request_done), req);
    g_signal_connect(msg, "disconnected", G_CALLBACK(on_request_done), req);
}

/* The 101 response is out: the connection is a WebSocket now. Done here
 * rather than by soup_server_add_websocket_handler() so that the relay
 * can put its counting stream (ws-stream.c) under the connection. */
static void
on_upgrade_written(SoupServerMessage *msg, gpointer user_data)
{
    Request *req = user_data;
    ScRelay *relay = req->relay;
    /* request_forget() drops the table's reference */
    g_autoptr(SoupServerMessage) held = g_object_ref(msg);
    g_autoptr(GIOStream) base = NULL;
    g_autoptr(GIOStream) stream = NULL;
    g_autoptr(SoupWebsocketConnection) ws = NULL;
    GUri *uri = soup_server_message_get_uri(held);

    request_forget(req);
    base = soup_server_message_steal_connection(held);
    stream = sc_ws_count_stream_new(base);
    ws = g_object_new(
        SOUP_TYPE_WEBSOCKET_CONNECTION, "io-stream", stream, "uri", uri,
        "connection-type", SOUP_WEBSOCKET_CONNECTION_SERVER, "origin",
        soup_message_headers_get_one(
            soup_server_message_get_request_headers(held), "Origin"),
        NULL);
    peer_start(relay, g_uri_get_path(uri), ws);
}

static void
refuse(SoupServerMessage *msg, guint status, const char *body)
{
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC,
                                     body, strlen(body));
}

/* Plain HTTP handler of /room: checks the request, then performs the
 * WebSocket handshake (RFC 6455 section 4.2) itself. */
static void
on_room_http(SoupServer *server, SoupServerMessage *msg, const char *path,
             GHashTable *query, gpointer user_data)
{
    ScRelay *relay = user_data;
    const char *name;
    Request *req;

    if (relay->closed) {
        soup_server_message_set_status(msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                       NULL);
        return;
    }
    if (!g_str_has_prefix(path, ROOM_PREFIX)) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    name = path + strlen(ROOM_PREFIX);
    if (!sc_sig_room_name_is_valid(name)) {
        refuse(msg, SOUP_STATUS_BAD_REQUEST,
               "room name must be 1-64 characters of A-Z a-z 0-9 _ -\n");
        return;
    }
    if (g_hash_table_size(relay->peers) + relay->upgrading >=
        relay->max_connections) {
        SC_LOG_WARN("relay", "%u connections already: refusing with 503",
                    relay->max_connections);
        refuse(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many connections\n");
        return;
    }
    if (!g_hash_table_contains(relay->rooms, name) &&
        g_hash_table_size(relay->rooms) >= relay->max_rooms) {
        SC_LOG_WARN("relay", "%u rooms already: refusing with 503",
                    relay->max_rooms);
        refuse(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many rooms\n");
        return;
    }
    /* Sets 101 and the handshake headers, or an error status (400 when
     * this is not a WebSocket request). No extension is offered: frame
     * sizes stay what the peers sent, and no decompression work for
     * hostile input. */
    if (!soup_websocket_server_process_handshake(msg, NULL, NULL, NULL, NULL))
        return;
    req = g_hash_table_lookup(relay->requests, msg);
    if (req == NULL) { /* not tracked (the relay is closing) */
        soup_server_message_set_status(msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                       NULL);
        return;
    }
    req->upgrading = TRUE;
    relay->upgrading++;
    g_signal_connect(msg, "wrote-informational",
                     G_CALLBACK(on_upgrade_written), req);
}

/* The web client, compiled from web/web.gresource.xml by
 * glib-compile-resources (src/signaling/Makefile.inc). */
#define WEB_RESOURCE_PREFIX "/org/sealcall/web"
GResource *sc_web_get_resource(void);

static const struct {
    const char *path;      /* request path */
    const char *resource;  /* file name under WEB_RESOURCE_PREFIX */
    const char *mime;
    gboolean test_only;    /* served only with relay->test_page */
} web_files[] = {
    {"/", "index.html", "text/html; charset=utf-8", FALSE},
    {"/index.html", "index.html", "text/html; charset=utf-8", FALSE},
    {"/app.js", "app.js", "text/javascript; charset=utf-8", FALSE},
    {"/test.html", "test.html", "text/html; charset=utf-8", TRUE},
    {"/test-hooks.js", "test-hooks.js", "text/javascript; charset=utf-8",
     TRUE},
};

/* Every path outside /room: the web client's files, else 404 (the test
 * page's files too, unless the test page is on). */
static void
on_web_http(SoupServer *server, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer user_data)
{
    ScRelay *relay = user_data;
    const char *method = soup_server_message_get_method(msg);
    SoupMessageHeaders *hdrs;
    g_autofree char *rpath = NULL;
    GBytes *data;
    gsize i;

    for (i = 0; i < G_N_ELEMENTS(web_files); i++) {
        if (g_str_equal(path, web_files[i].path) &&
            (!web_files[i].test_only || relay->test_page))
            break;
    }
    if (i == G_N_ELEMENTS(web_files)) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
        soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                       NULL);
        soup_message_headers_replace(
            soup_server_message_get_response_headers(msg), "Allow",
            "GET, HEAD");
        return;
    }
    rpath = g_strconcat(WEB_RESOURCE_PREFIX "/", web_files[i].resource, NULL);
    data = g_resource_lookup_data(sc_web_get_resource(), rpath,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    if (data == NULL) {
        soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);
        return;
    }
    hdrs = soup_server_message_get_response_headers(msg);
    soup_message_headers_replace(hdrs, "Cache-Control", "no-store");
    soup_message_headers_replace(hdrs, "X-Content-Type-Options", "nosniff");
    /* the test page may also load an IdP's proxy over https (Firefox
     * loads it under the page's policy; tests/interop's identity tests);
     * the user's page talks to its own origin only */
    soup_message_headers_replace(
        hdrs, "Content-Security-Policy",
        web_files[i].test_only
            ? "default-src 'self' https:; connect-src 'self' https:; "
              "style-src 'self' 'unsafe-inline'; media-src 'self' blob: "
              "mediastream:; frame-ancestors 'none'; base-uri 'none'; "
              "form-action 'none'"
            : "default-src 'self'; connect-src 'self'; "
              "style-src 'self' 'unsafe-inline'; media-src 'self' blob: "
              "mediastream:; frame-ancestors 'none'; base-uri 'none'; "
              "form-action 'none'");
    soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response(
        msg, web_files[i].mime, SOUP_MEMORY_COPY,
        g_bytes_get_data(data, NULL), g_bytes_get_size(data));
    g_bytes_unref(data);
}

/* Every request, once its headers are in and before any body is read:
 * libsoup keeps a request body in memory whole before the handlers run,
 * and nothing this relay serves takes one. So no body is kept, and a
 * request that announces one is refused with 413 (and the connection
 * closed after the response). */
static void
on_headers(SoupServer *server, SoupServerMessage *msg, const char *path,
           GHashTable *query, gpointer user_data)
{
    SoupMessageHeaders *hdrs = soup_server_message_get_request_headers(msg);
    SoupEncoding enc = soup_message_headers_get_encoding(hdrs);

    soup_message_body_set_accumulate(soup_server_message_get_request_body(msg),
                                     FALSE);
    if (enc == SOUP_ENCODING_NONE ||
        (enc == SOUP_ENCODING_CONTENT_LENGTH &&
         soup_message_headers_get_content_length(hdrs) == 0))
        return;
    refuse(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
           "requests with a body are not served here\n");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg),
                                 "Connection", "close");
}

SC_API void
sc_relay_set_test_page(ScRelay *relay, gboolean enabled)
{
    g_return_if_fail(relay != NULL);
    relay->test_page = enabled;
    SC_LOG_INFO("relay", "test page %s", enabled ? "on" : "off");
}

static void
relay_add_http_handlers(ScRelay *relay)
{
    /* libsoup runs the early handler of the most specific path only */
    soup_server_add_early_handler(relay->server, NULL, on_headers, relay, NULL);
    soup_server_add_early_handler(relay->server, "/room", on_headers, relay,
                                  NULL);
    soup_server_add_handler(relay->server, NULL, on_web_http, relay, NULL);
    soup_server_add_handler(relay->server, "/room", on_room_http, relay, NULL);
}

static guint16
listener_port(SoupServer *server)
{
    GSList *listeners = soup_server_get_listeners(server);
    guint16 port = 0;

    for (GSList *l = listeners; l != NULL && port == 0; l = l->next) {
        g_autoptr(GSocketAddress) addr =
            g_socket_get_local_address(l->data, NULL);
        if (addr != NULL && G_IS_INET_SOCKET_ADDRESS(addr))
            port = g_inet_socket_address_get_port(
                G_INET_SOCKET_ADDRESS(addr));
    }
    g_slist_free(listeners);
    return port;
}

SC_API ScRelay *
sc_relay_new(GMainContext *context, const char *host, guint16 port,
             GError **error)
{
    g_autoptr(GInetAddress) iaddr = NULL;
    g_autoptr(GSocketAddress) saddr = NULL;
    g_autoptr(GError) local = NULL;
    ScRelay *relay;
    gboolean ok;

    g_return_val_if_fail(host != NULL, NULL);

    if (g_str_equal(host, "localhost"))
        iaddr = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    else
        iaddr = g_inet_address_new_from_string(host);
    if (iaddr == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "relay host must be an IP address, not \"%s\"", host);
        return NULL;
    }

    relay = g_new0(ScRelay, 1);
    relay->ctx = context != NULL ? g_main_context_ref(context)
                                 : g_main_context_ref_thread_default();
    relay->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify)room_free);
    relay->peers = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                         (GDestroyNotify)peer_free, NULL);
    relay->requests = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                            NULL, (GDestroyNotify)request_free);
    relay->max_connections = SC_RELAY_DEFAULT_MAX_CONNECTIONS;
    relay->max_rooms = SC_RELAY_DEFAULT_MAX_ROOMS;
    relay->max_queued = SC_RELAY_DEFAULT_MAX_QUEUED;
    relay->frame_rate = SC_RELAY_DEFAULT_FRAME_RATE;
    relay->frame_burst = SC_RELAY_DEFAULT_FRAME_BURST;
    relay->request_timeout = SC_RELAY_DEFAULT_REQUEST_TIMEOUT;
    relay->idle_timeout = SC_RELAY_DEFAULT_IDLE_TIMEOUT;

    /* libsoup attaches its sources to the thread-default context. */
    g_main_context_push_thread_default(relay->ctx);
    relay->server = soup_server_new("server-header", "sealcall-relay ", NULL);
    relay_add_http_handlers(relay);
    g_signal_connect(relay->server, "request-started",
                     G_CALLBACK(on_request_started), relay);
    saddr = g_inet_socket_address_new(iaddr, port);
    ok = soup_server_listen(relay->server, saddr, 0, &local);
    g_main_context_pop_thread_default(relay->ctx);

    if (!ok) {
        g_autofree char *addr_str = g_inet_address_to_string(iaddr);
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "cannot listen on %s port %u: %s", addr_str, port,
                    local->message);
        relay->closed = TRUE;
        sc_relay_free(relay);
        return NULL;
    }
    relay->port = listener_port(relay->server);
    SC_LOG_INFO("relay", "listening on %s port %u", host, relay->port);
    return relay;
}

SC_API guint16
sc_relay_get_port(ScRelay *relay)
{
    g_return_val_if_fail(relay != NULL, 0);
    return relay->port;
}

SC_API void
sc_relay_set_max_connections(ScRelay *relay, guint n)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(n >= 1);
    relay->max_connections = n;
}

SC_API void
sc_relay_set_max_rooms(ScRelay *relay, guint n)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(n >= 1);
    relay->max_rooms = n;
}

SC_API void
sc_relay_set_max_queued(ScRelay *relay, gsize bytes)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(bytes >= SC_RELAY_MIN_MAX_QUEUED);
    relay->max_queued = bytes;
}

SC_API void
sc_relay_set_frame_rate(ScRelay *relay, guint per_second, guint burst)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(per_second >= 1 && burst >= 1);
    relay->frame_rate = per_second;
    relay->frame_burst = burst;
}

SC_API void
sc_relay_set_request_timeout(ScRelay *relay, guint seconds)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(seconds >= 1);
    relay->request_timeout = seconds;
}

SC_API void
sc_relay_set_idle_timeout(ScRelay *relay, guint seconds)
{
    g_return_if_fail(relay != NULL);
    g_return_if_fail(seconds >= 3);
    relay->idle_timeout = seconds;
}

SC_API void
sc_relay_close(ScRelay *relay)
{
    GHashTableIter iter;
    gpointer key;

    g_return_if_fail(relay != NULL);
    if (relay->closed)
        return;
    relay->closed = TRUE;

    g_main_context_push_thread_default(relay->ctx);
    soup_server_disconnect(relay->server); /* stop listening */
    g_signal_handlers_disconnect_by_data(relay->server, relay);
    g_hash_table_remove_all(relay->requests);
    /* Leave every room silently, then close every connection: nobody is
     * told "peer-left" during shutdown, everybody gets 1001. */
    g_hash_table_iter_init(&iter, relay->peers);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        ((Peer *)key)->room = NULL;
    g_hash_table_remove_all(relay->rooms);
    g_hash_table_iter_init(&iter, relay->peers);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        Peer *peer = key;
        if (soup_websocket_connection_get_state(peer->ws) ==
            SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close(
                peer->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "relay shut down");
    }
    g_main_context_pop_thread_default(relay->ctx);
    SC_LOG_INFO("relay", "closed");
}

SC_API void
sc_relay_free(ScRelay *relay)
{
    if (relay == NULL)
        return;
    if (relay->server != NULL)
        sc_relay_close(relay);
    g_main_context_push_thread_default(relay->ctx);
    /* Connections still closing finish on the context without us. */
    g_clear_pointer(&relay->peers, g_hash_table_unref);
    g_clear_pointer(&relay->requests, g_hash_table_unref);
    g_clear_pointer(&relay->rooms, g_hash_table_unref);
    g_clear_object(&relay->server);
    g_main_context_pop_thread_default(relay->ctx);
    g_main_context_unref(relay->ctx);
    g_free(relay);
}
