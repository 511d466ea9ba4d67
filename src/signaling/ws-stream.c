/* src/signaling/ws-stream.c - what a WebSocket connection has really
 * written to its socket, and the limits libsoup 3.2 lacks on what it reads;
 * under both the relay's connections (relay.c) and the client's (client.c).
 *
 * libsoup 3 queues every outgoing WebSocket frame in user space until the
 * socket takes it, without a limit and without telling anyone how much
 * waits. The relay and the client wrap each connection's stream in an
 * ScWsCountStream:
 * its output stream passes every write through to the socket unchanged and
 * follows the frame headers of what was written (RFC 6455 section 5.2), so
 * that it knows how many payload bytes of data frames have left the
 * process. The owner counts the payload bytes it hands to libsoup; the
 * difference is what waits in libsoup's queue. Control frames (libsoup's
 * own pings, pongs and close) are not counted on either side, so a peer
 * that pings cannot hide queued data.
 *
 * The input stream follows the frames read in the same way and fails the
 * read (libsoup then drops the connection without a close frame) where
 * libsoup 3.2 has no limit of its own: a fragmented message whose data
 * goes over SC_SIG_MAX_WS_PAYLOAD (libsoup only bounds each frame, and
 * keeps the fragments until the last), and more than
 * SC_WS_MAX_UNANSWERED_PINGS pings whose pongs have not reached the socket
 * (libsoup queues a pong per ping, without a limit, for a peer that pings
 * and does not read).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <gio/gio.h>

/* ---- what both directions count ---- */

typedef struct {
    guint64 data_written;  /* payload bytes of data frames written */
    guint64 pongs_written; /* pong frames written (their headers) */
    guint64 pings_read;    /* ping frames read */
    guint64 message_read;  /* data bytes of the message being read */
    gint64 last_read_us;   /* monotonic time of the last byte read */
} Counts;

/* Follows the WebSocket frames (RFC 6455 section 5.2) in a byte stream. */
typedef struct {
    guint8 hdr[14]; /* the frame header being parsed */
    guint hdr_len;
    guint hdr_need;
    guint64 payload_left; /* payload bytes of the current frame to come */
    gboolean in_data;     /* the current frame is a data frame */
} FrameParser;

/* Called on each complete frame header; FALSE stops the stream. */
typedef gboolean (*FrameFunc)(Counts *counts, guint opcode, gboolean fin,
                              guint64 len, GError **error);

/* Feeds @n bytes to @fp: calls @on_header per frame header, adds the data
 * payload bytes to *@data_bytes (if not NULL). FALSE (with @error set) as
 * soon as @on_header returns FALSE. */
static gboolean
parser_feed(FrameParser *fp, Counts *counts, const guint8 *p, gsize n,
            FrameFunc on_header, guint64 *data_bytes, GError **error)
{
    while (n > 0) {
        if (fp->payload_left > 0) {
            guint64 take = MIN(fp->payload_left, (guint64)n);
            if (fp->in_data && data_bytes != NULL)
                *data_bytes += take;
            fp->payload_left -= take;
            p += take;
            n -= (gsize)take;
            continue;
        }
        fp->hdr[fp->hdr_len++] = *p++;
        n--;
        if (fp->hdr_len == 2) {
            guint len7 = fp->hdr[1] & 0x7f;
            fp->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                           ((fp->hdr[1] & 0x80) != 0 ? 4 : 0);
        }
        if (fp->hdr_len >= 2 && fp->hdr_len == fp->hdr_need) {
            guint len7 = fp->hdr[1] & 0x7f;
            guint opcode = fp->hdr[0] & 0x0f;
            guint64 plen = len7;

            if (len7 == 126) {
                plen = ((guint64)fp->hdr[2] << 8) | fp->hdr[3];
            } else if (len7 == 127) {
                plen = 0;
                for (guint i = 2; i < 10; i++)
                    plen = (plen << 8) | fp->hdr[i];
            }
            /* opcodes 0x0-0x7 are data (continuation, text, binary),
             * 0x8-0xF control */
            fp->in_data = (opcode & 0x08) == 0;
            fp->payload_left = plen;
            fp->hdr_len = 0;
            if (!on_header(counts, opcode, (fp->hdr[0] & 0x80) != 0, plen,
                           error))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean
on_written_header(Counts *counts, guint opcode, gboolean fin, guint64 len,
                  GError **error)
{
    if (opcode == 0xA)
        counts->pongs_written++;
    return TRUE;
}

static gboolean
on_read_header(Counts *counts, guint opcode, gboolean fin, guint64 len,
               GError **error)
{
    if (opcode == 0x9) {
        counts->pings_read++;
        if (counts->pings_read - MIN(counts->pongs_written,
                                     counts->pings_read) >
            SC_WS_MAX_UNANSWERED_PINGS) {
            g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                        "sent more than %d pings whose pongs wait to be sent",
                        SC_WS_MAX_UNANSWERED_PINGS);
            return FALSE;
        }
    } else if ((opcode & 0x08) == 0) {
        if (opcode != 0x0) /* a new message */
            counts->message_read = 0;
        counts->message_read += len;
        if (counts->message_read > SC_SIG_MAX_WS_PAYLOAD) {
            g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                        "sent a message over %d MiB",
                        SC_SIG_MAX_WS_PAYLOAD / (1024 * 1024));
            return FALSE;
        }
        if (fin)
            counts->message_read = 0;
    }
    return TRUE;
}

/* ---- output stream: counts what is written ---- */

#define SC_TYPE_WS_COUNT_OUTPUT (sc_ws_count_output_get_type())
G_DECLARE_FINAL_TYPE(ScWsCountOutput, sc_ws_count_output, SC,
                     WS_COUNT_OUTPUT, GOutputStream)

struct _ScWsCountOutput {
    GOutputStream parent;
    GOutputStream *base; /* owned ref; pollable */
    Counts *counts;      /* owned ref (g_rc_box) */
    FrameParser parser;
};

static void sc_ws_count_output_pollable_init(
    GPollableOutputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE(ScWsCountOutput, sc_ws_count_output,
                        G_TYPE_OUTPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(
                            G_TYPE_POLLABLE_OUTPUT_STREAM,
                            sc_ws_count_output_pollable_init))

/* Follows the frames in the @n bytes just written. */
static void
account(ScWsCountOutput *s, const guint8 *p, gsize n)
{
    (void)parser_feed(&s->parser, s->counts, p, n, on_written_header,
                      &s->counts->data_written, NULL);
}

static gssize
count_write(GOutputStream *stream, const void *buffer, gsize count,
            GCancellable *cancellable, GError **error)
{
    ScWsCountOutput *s = SC_WS_COUNT_OUTPUT(stream);
    gssize n = g_output_stream_write(s->base, buffer, count, cancellable,
                                     error);

    if (n > 0)
        account(s, buffer, (gsize)n);
    return n;
}

static gboolean
count_flush(GOutputStream *stream, GCancellable *cancellable, GError **error)
{
    return g_output_stream_flush(SC_WS_COUNT_OUTPUT(stream)->base,
                                 cancellable, error);
}

static gboolean
count_close(GOutputStream *stream, GCancellable *cancellable, GError **error)
{
    /* the socket is closed with the whole stream (count_stream_close) */
    return TRUE;
}

static gboolean
count_can_poll(GPollableOutputStream *stream)
{
    return g_pollable_output_stream_can_poll(
        G_POLLABLE_OUTPUT_STREAM(SC_WS_COUNT_OUTPUT(stream)->base));
}

static gboolean
count_is_writable(GPollableOutputStream *stream)
{
    return g_pollable_output_stream_is_writable(
        G_POLLABLE_OUTPUT_STREAM(SC_WS_COUNT_OUTPUT(stream)->base));
}

static GSource *
count_create_source(GPollableOutputStream *stream, GCancellable *cancellable)
{
    GSource *base_source = g_pollable_output_stream_create_source(
        G_POLLABLE_OUTPUT_STREAM(SC_WS_COUNT_OUTPUT(stream)->base), NULL);
    GSource *source;

    source = g_pollable_source_new_full(stream, base_source, cancellable);
    g_source_unref(base_source);
    return source;
}

static gssize
count_write_nonblocking(GPollableOutputStream *stream, const void *buffer,
                        gsize count, GError **error)
{
    ScWsCountOutput *s = SC_WS_COUNT_OUTPUT(stream);
    gssize n = g_pollable_output_stream_write_nonblocking(
        G_POLLABLE_OUTPUT_STREAM(s->base), buffer, count, NULL, error);

    if (n > 0)
        account(s, buffer, (gsize)n);
    return n;
}

static void
sc_ws_count_output_pollable_init(GPollableOutputStreamInterface *iface)
{
    iface->can_poll = count_can_poll;
    iface->is_writable = count_is_writable;
    iface->create_source = count_create_source;
    iface->write_nonblocking = count_write_nonblocking;
}

static void
sc_ws_count_output_finalize(GObject *object)
{
    ScWsCountOutput *s = SC_WS_COUNT_OUTPUT(object);

    g_clear_object(&s->base);
    g_clear_pointer(&s->counts, g_rc_box_release);
    G_OBJECT_CLASS(sc_ws_count_output_parent_class)->finalize(object);
}

static void
sc_ws_count_output_class_init(ScWsCountOutputClass *klass)
{
    GOutputStreamClass *ostream_class = G_OUTPUT_STREAM_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = sc_ws_count_output_finalize;
    ostream_class->write_fn = count_write;
    ostream_class->flush = count_flush;
    ostream_class->close_fn = count_close;
}

static void
sc_ws_count_output_init(ScWsCountOutput *s)
{
}

/* ---- input stream: checks what is read ---- */

#define SC_TYPE_WS_COUNT_INPUT (sc_ws_count_input_get_type())
G_DECLARE_FINAL_TYPE(ScWsCountInput, sc_ws_count_input, SC, WS_COUNT_INPUT,
                     GInputStream)

struct _ScWsCountInput {
    GInputStream parent;
    GInputStream *base; /* owned ref; pollable */
    Counts *counts;     /* owned ref (g_rc_box) */
    FrameParser parser;
    GError *failed;     /* set once a limit is broken: every read fails */
};

static void sc_ws_count_input_pollable_init(
    GPollableInputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE(ScWsCountInput, sc_ws_count_input,
                        G_TYPE_INPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(
                            G_TYPE_POLLABLE_INPUT_STREAM,
                            sc_ws_count_input_pollable_init))

/* Checks the @n bytes just read; -1 with @error if a limit is broken. */
static gssize
check_read(ScWsCountInput *s, const void *buffer, gssize n, GError **error)
{
    if (n > 0)
        s->counts->last_read_us = g_get_monotonic_time();
    if (n > 0 && s->failed == NULL &&
        !parser_feed(&s->parser, s->counts, buffer, (gsize)n, on_read_header,
                     NULL, &s->failed))
        SC_LOG_DEBUG("ws", "failing the connection's input: it %s",
                     s->failed->message);
    if (s->failed != NULL) {
        g_propagate_error(error, g_error_copy(s->failed));
        return -1;
    }
    return n;
}

static gssize
count_read(GInputStream *stream, void *buffer, gsize count,
           GCancellable *cancellable, GError **error)
{
    ScWsCountInput *s = SC_WS_COUNT_INPUT(stream);

    if (s->failed != NULL)
        return check_read(s, buffer, 0, error);
    return check_read(s, buffer,
                      g_input_stream_read(s->base, buffer, count, cancellable,
                                          error),
                      error);
}

static gboolean
count_in_close(GInputStream *stream, GCancellable *cancellable,
               GError **error)
{
    /* the socket is closed with the whole stream (count_stream_close) */
    return TRUE;
}

static gboolean
count_in_can_poll(GPollableInputStream *stream)
{
    return g_pollable_input_stream_can_poll(
        G_POLLABLE_INPUT_STREAM(SC_WS_COUNT_INPUT(stream)->base));
}

static gboolean
count_in_is_readable(GPollableInputStream *stream)
{
    ScWsCountInput *s = SC_WS_COUNT_INPUT(stream);

    return s->failed != NULL ||
           g_pollable_input_stream_is_readable(
               G_POLLABLE_INPUT_STREAM(s->base));
}

static GSource *
count_in_create_source(GPollableInputStream *stream,
                       GCancellable *cancellable)
{
    GSource *base_source = g_pollable_input_stream_create_source(
        G_POLLABLE_INPUT_STREAM(SC_WS_COUNT_INPUT(stream)->base), NULL);
    GSource *source;

    source = g_pollable_source_new_full(stream, base_source, cancellable);
    g_source_unref(base_source);
    return source;
}

static gssize
count_read_nonblocking(GPollableInputStream *stream, void *buffer,
                       gsize count, GError **error)
{
    ScWsCountInput *s = SC_WS_COUNT_INPUT(stream);

    if (s->failed != NULL)
        return check_read(s, buffer, 0, error);
    return check_read(s, buffer,
                      g_pollable_input_stream_read_nonblocking(
                          G_POLLABLE_INPUT_STREAM(s->base), buffer, count,
                          NULL, error),
                      error);
}

static void
sc_ws_count_input_pollable_init(GPollableInputStreamInterface *iface)
{
    iface->can_poll = count_in_can_poll;
    iface->is_readable = count_in_is_readable;
    iface->create_source = count_in_create_source;
    iface->read_nonblocking = count_read_nonblocking;
}

static void
sc_ws_count_input_finalize(GObject *object)
{
    ScWsCountInput *s = SC_WS_COUNT_INPUT(object);

    g_clear_object(&s->base);
    g_clear_pointer(&s->counts, g_rc_box_release);
    g_clear_error(&s->failed);
    G_OBJECT_CLASS(sc_ws_count_input_parent_class)->finalize(object);
}

static void
sc_ws_count_input_class_init(ScWsCountInputClass *klass)
{
    GInputStreamClass *istream_class = G_INPUT_STREAM_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = sc_ws_count_input_finalize;
    istream_class->read_fn = count_read;
    istream_class->close_fn = count_in_close;
}

static void
sc_ws_count_input_init(ScWsCountInput *s)
{
}

/* ---- the I/O stream: checking input, counting output ---- */

#define SC_TYPE_WS_COUNT_STREAM (sc_ws_count_stream_get_type())
G_DECLARE_FINAL_TYPE(ScWsCountStream, sc_ws_count_stream, SC,
                     WS_COUNT_STREAM, GIOStream)

struct _ScWsCountStream {
    GIOStream parent;
    GIOStream *base;      /* owned ref */
    ScWsCountInput *in;   /* owned ref */
    ScWsCountOutput *out; /* owned ref */
};

G_DEFINE_TYPE(ScWsCountStream, sc_ws_count_stream, G_TYPE_IO_STREAM)

static GInputStream *
count_stream_get_input(GIOStream *stream)
{
    return G_INPUT_STREAM(SC_WS_COUNT_STREAM(stream)->in);
}

static GOutputStream *
count_stream_get_output(GIOStream *stream)
{
    return G_OUTPUT_STREAM(SC_WS_COUNT_STREAM(stream)->out);
}

static gboolean
count_stream_close(GIOStream *stream, GCancellable *cancellable,
                   GError **error)
{
    return g_io_stream_close(SC_WS_COUNT_STREAM(stream)->base, cancellable,
                             error);
}

static void
on_base_closed(GObject *source, GAsyncResult *res, gpointer user_data)
{
    g_autoptr(GTask) task = user_data;
    GError *error = NULL;

    if (g_io_stream_close_finish(G_IO_STREAM(source), res, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

static void
count_stream_close_async(GIOStream *stream, int io_priority,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
    GTask *task = g_task_new(stream, cancellable, callback, user_data);

    g_io_stream_close_async(SC_WS_COUNT_STREAM(stream)->base, io_priority,
                            cancellable, on_base_closed, task);
}

static gboolean
count_stream_close_finish(GIOStream *stream, GAsyncResult *result,
                          GError **error)
{
    return g_task_propagate_boolean(G_TASK(result), error);
}

static void
sc_ws_count_stream_finalize(GObject *object)
{
    ScWsCountStream *s = SC_WS_COUNT_STREAM(object);

    g_clear_object(&s->in);
    g_clear_object(&s->out);
    g_clear_object(&s->base);
    G_OBJECT_CLASS(sc_ws_count_stream_parent_class)->finalize(object);
}

static void
sc_ws_count_stream_class_init(ScWsCountStreamClass *klass)
{
    GIOStreamClass *io_class = G_IO_STREAM_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = sc_ws_count_stream_finalize;
    io_class->get_input_stream = count_stream_get_input;
    io_class->get_output_stream = count_stream_get_output;
    io_class->close_fn = count_stream_close;
    io_class->close_async = count_stream_close_async;
    io_class->close_finish = count_stream_close_finish;
}

static void
sc_ws_count_stream_init(ScWsCountStream *s)
{
}

GIOStream *
sc_ws_count_stream_new(GIOStream *base)
{
    ScWsCountStream *s;
    Counts *counts;

    g_return_val_if_fail(G_IS_IO_STREAM(base), NULL);
    g_return_val_if_fail(G_IS_POLLABLE_INPUT_STREAM(
                             g_io_stream_get_input_stream(base)),
                         NULL);
    g_return_val_if_fail(G_IS_POLLABLE_OUTPUT_STREAM(
                             g_io_stream_get_output_stream(base)),
                         NULL);
    counts = g_rc_box_new0(Counts);
    counts->last_read_us = g_get_monotonic_time();
    s = g_object_new(SC_TYPE_WS_COUNT_STREAM, NULL);
    s->base = g_object_ref(base);
    s->in = g_object_new(SC_TYPE_WS_COUNT_INPUT, NULL);
    s->in->base = g_object_ref(g_io_stream_get_input_stream(base));
    s->in->counts = g_rc_box_acquire(counts);
    s->out = g_object_new(SC_TYPE_WS_COUNT_OUTPUT, NULL);
    s->out->base = g_object_ref(g_io_stream_get_output_stream(base));
    s->out->counts = counts;
    return G_IO_STREAM(s);
}

guint64
sc_ws_count_stream_get_data_written(GIOStream *stream)
{
    g_return_val_if_fail(SC_IS_WS_COUNT_STREAM(stream), 0);
    return SC_WS_COUNT_STREAM(stream)->out->counts->data_written;
}

gint64
sc_ws_count_stream_get_last_read(GIOStream *stream)
{
    g_return_val_if_fail(SC_IS_WS_COUNT_STREAM(stream), 0);
    return SC_WS_COUNT_STREAM(stream)->out->counts->last_read_us;
}
