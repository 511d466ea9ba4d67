/* src/signaling - the signaling message codec (pure), the WebSocket client
 * and the relay server (interop contract section 1).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SIGNALING_H
#define SC_SIGNALING_H

#include <gio/gio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Largest frame the relay forwards (contract section 1). */
#define SC_SIG_MAX_FRAME (256 * 1024)
/* Largest WebSocket frame libsoup accepts before closing with 1009
 * (message too big). Frames between SC_SIG_MAX_FRAME and this size are
 * dropped with a log line; the connection stays usable. */
#define SC_SIG_MAX_WS_PAYLOAD (1024 * 1024)
/* Deepest JSON nesting accepted (guards the recursive JSON parser). */
#define SC_SIG_MAX_JSON_DEPTH 64
/* Room names: 1-64 chars of [A-Za-z0-9_-]. */
#define SC_SIG_ROOM_NAME_MAX 64

/* ---- message codec (message.c: pure, GLib + json-glib + core only) ---- */

typedef enum {
    SC_SIG_MSG_ROOM,
    SC_SIG_MSG_PEER_JOINED,
    SC_SIG_MSG_PEER_LEFT,
    SC_SIG_MSG_OFFER,
    SC_SIG_MSG_ANSWER,
    SC_SIG_MSG_CANDIDATE,
    SC_SIG_MSG_BYE,
    SC_SIG_MSG_UNKNOWN
} ScSigMsgType;

typedef struct {
    ScSigMsgType type;
    char *type_name;     /* the "type" string as received (or canonical) */
    int peers;           /* room: others present; -1 if absent */
    char *sdp;           /* offer/answer */
    char *candidate;     /* candidate; "" = end of candidates */
    char *sdp_mid;       /* candidate, optional (NULL if absent) */
    int sdp_mline_index; /* candidate, optional: -1 if absent */
    char *reason;        /* bye, optional (NULL if absent) */
} ScSigMsg;

/* Parses one signaling frame. Errors: SC_ERROR_SIGNALING_FAILED for
 * non-JSON, non-object, too deep, missing or non-string "type", or wrong
 * field types (offer/answer without string "sdp", candidate without string
 * "candidate", room without integer "peers", a present optional field of
 * the wrong type). Unknown types parse as SC_SIG_MSG_UNKNOWN (type_name
 * keeps the received name). Fields that do not belong to the type are
 * ignored. Returns: (transfer full), release with sc_sig_msg_free(). */
ScSigMsg *sc_sig_msg_parse(const char *text, gsize len, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* Compact JSON with the contract field names. For UNKNOWN messages only
 * {"type":type_name} is written. Returns: (transfer full) g_free(). */
char *sc_sig_msg_to_json(const ScSigMsg *msg) G_GNUC_WARN_UNUSED_RESULT;
/* A message with every optional field absent (peers = -1,
 * sdp_mline_index = -1, strings NULL) and type_name set to the canonical
 * name (NULL for UNKNOWN). */
ScSigMsg *sc_sig_msg_new(ScSigMsgType type) G_GNUC_WARN_UNUSED_RESULT;
void sc_sig_msg_free(ScSigMsg *msg);
/* Contract name of @type ("room", "peer-joined", ...); "unknown" for
 * SC_SIG_MSG_UNKNOWN and out-of-range values. */
const char *sc_sig_msg_type_to_string(ScSigMsgType type);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScSigMsg, sc_sig_msg_free)

/* TRUE if @text (@len bytes, need not be NUL-terminated) is one valid
 * JSON object (RFC 8259, strictly: no leading zeros, comments, raw control
 * characters in strings, invalid UTF-8) with nesting at most
 * SC_SIG_MAX_JSON_DEPTH and no NUL byte. sc_sig_msg_parse() applies the
 * same rules. */
gboolean sc_sig_json_is_object(const char *text, gsize len);
/* What the relay does with a text frame a participant sent (contract
 * section 1): forward it only if SC_SIG_FRAME_OK. */
typedef enum {
    SC_SIG_FRAME_OK,            /* forward unchanged */
    SC_SIG_FRAME_TOO_BIG,       /* more than SC_SIG_MAX_FRAME bytes */
    SC_SIG_FRAME_NOT_OBJECT,    /* not one RFC 8259 JSON object (see
                                 * sc_sig_json_is_object()) */
    SC_SIG_FRAME_RESERVED_TYPE, /* "type" is room, peer-joined or peer-left:
                                 * only the relay speaks those */
} ScSigFrameVerdict;
/* The relay's decision on the text frame @text (@len bytes, need not be
 * NUL-terminated). Pure; costs one JSON parse. */
ScSigFrameVerdict sc_sig_relay_frame_check(const char *text, gsize len);
/* Words for logs: "not a JSON object", ... */
const char *sc_sig_frame_verdict_to_string(ScSigFrameVerdict verdict);
/* A token bucket: @rate tokens a second, at most @burst at once. */
typedef struct {
    double tokens;
    gint64 last_us; /* monotonic time of the last refill */
} ScSigBucket;
/* A full bucket at @now_us. */
void sc_sig_bucket_init(ScSigBucket *b, gint64 now_us, guint burst);
/* Refills @b up to @now_us and takes one token; FALSE if there was none. */
gboolean sc_sig_bucket_take(ScSigBucket *b, gint64 now_us, guint rate,
                            guint burst);
/* TRUE if @name is a valid room name (1-64 chars of [A-Za-z0-9_-]). */
gboolean sc_sig_room_name_is_valid(const char *name);

/* ---- WebSocket stream limits (ws-stream.c), for relay and client ---- */

/* Most pings a peer may have sent whose pongs have not reached the socket
 * (libsoup queues one pong per ping without a limit). */
#define SC_WS_MAX_UNANSWERED_PINGS 64
/* A GIOStream over the connection @base (both directions must be
 * pollable): reads and writes go to @base unchanged; the output counts the
 * payload bytes of the WebSocket data frames written (control frames not
 * counted); the input fails every read, so that libsoup drops the
 * connection, once the peer sends a (fragmented) message of more than
 * SC_SIG_MAX_WS_PAYLOAD bytes or more than SC_WS_MAX_UNANSWERED_PINGS
 * pings whose pongs wait; the read fails with SC_ERROR_SIGNALING_FAILED
 * and a message that follows "the peer", e.g. "sent a message over 1 MiB".
 * Closing it closes @base.
 * Returns: (transfer full). */
GIOStream *sc_ws_count_stream_new(GIOStream *base) G_GNUC_WARN_UNUSED_RESULT;
/* Payload bytes of data frames written to the socket so far through
 * @stream (an sc_ws_count_stream_new() stream). */
guint64 sc_ws_count_stream_get_data_written(GIOStream *stream);
/* Monotonic time (g_get_monotonic_time()) of the last read through
 * @stream that returned data, or of its creation. */
gint64 sc_ws_count_stream_get_last_read(GIOStream *stream);

/* ---- WebSocket client (client.c) ---- */

/* What the client takes from a relay (which may be hostile) before it
 * ends the connection with an error: bytes of its own frames waiting to be
 * sent (the relay does not read), and frames a second (sustained, burst):
 * twice what the relay lets a participant send by default. */
#define SC_SIG_CLIENT_MAX_QUEUED (1024 * 1024)
#define SC_SIG_CLIENT_FRAME_RATE 100
#define SC_SIG_CLIENT_FRAME_BURST 400

typedef struct ScSignalClient ScSignalClient;

/* Callbacks are always invoked from @ctx's dispatch, never from inside an
 * sc_signal_client_*() call. The client may be freed from inside any
 * callback (the client touches nothing after the callback returns). */
typedef struct {
    void (*on_open)(gpointer user_data);
    /* @msg borrowed; frames that fail to parse are logged and dropped. */
    void (*on_message)(gpointer user_data, const ScSigMsg *msg);
    /* Exactly once (unless freed first): connect failure, peer/relay
     * close, or after sc_signal_client_close(). @error NULL for normal
     * closure (1000/1001, or our own close), else SC_ERROR_SIGNALING_FAILED
     * naming the close code, e.g. "relay closed the connection: 4409 room
     * is full". */
    void (*on_closed)(gpointer user_data, const GError *error);
} ScSignalClientCallbacks;

/* Checks ws:// or wss://HOST[:PORT]/room/NAME. On success @room_out (if
 * not NULL) receives the room name (g_free()). Errors:
 * SC_ERROR_INVALID_ARGUMENT with a one-line message. */
gboolean sc_signal_url_validate(const char *url, char **room_out,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* @ctx: (nullable) main context the client runs on (NULL: the
 * thread-default context). Like every libsoup object, the client's sockets
 * attach to the thread-default context of the moment, so @ctx must be the
 * thread-default context (g_main_context_push_thread_default) of the thread
 * iterating it, unless it is the global default context.
 * @log_id: (nullable) prefix of log lines. Errors: invalid URL
 * (SC_ERROR_INVALID_ARGUMENT). Nothing happens on the network until
 * sc_signal_client_connect(). */
ScSignalClient *sc_signal_client_new(GMainContext *ctx, const char *url,
                                     const char *log_id,
                                     const ScSignalClientCallbacks *cb,
                                     gpointer user_data, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* Starts connecting; on_open or on_closed follows. Once only. */
void sc_signal_client_connect(ScSignalClient *c);
/* Sends @msg as one text frame. Errors: SC_ERROR_INVALID_STATE if not
 * open; SC_ERROR_INVALID_ARGUMENT if the frame would exceed 256 KiB. */
gboolean sc_signal_client_send(ScSignalClient *c, const ScSigMsg *msg,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Sends a raw text frame (for tests and forwarding). Same errors. */
gboolean sc_signal_client_send_text(ScSignalClient *c, const char *text,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE between on_open and the start of closing. */
gboolean sc_signal_client_is_open(ScSignalClient *c);
/* Normal closure (1000). on_closed is still called once, from the main
 * loop, with error NULL. */
void sc_signal_client_close(ScSignalClient *c);
/* Closes (if needed) and frees. Never calls callbacks. */
void sc_signal_client_free(ScSignalClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScSignalClient, sc_signal_client_free)

G_END_DECLS

#endif /* SC_SIGNALING_H */
