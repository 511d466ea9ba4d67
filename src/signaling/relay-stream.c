/* src/signaling/relay-stream.c - the relay's view of what a WebSocket
 * connection has really written to its socket.
 *
 * libsoup 3 queues every outgoing WebSocket frame in user space until the
 * socket takes it, without a limit and without telling anyone how much
 * waits. The relay wraps each connection's stream in an ScWsCountStream:
 * its output stream passes every write through to the socket unchanged and
 * follows the frame headers of what was written (RFC 6455 section 5.2), so
 * that it knows how many payload bytes of data frames have left the
 * process. The relay counts the payload bytes it hands to libsoup; the
 * difference is what waits in libsoup's queue. Control frames (libsoup's
 * own pings, pongs and close) are not counted on either side, so a peer
 * that pings cannot hide queued data.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "signaling"
#include "core/core.h"
#include "signaling/signaling.h"

#include <gio/gio.h>

/* ---- output stream: counts data payload bytes written ---- */

#define SC_TYPE_WS_COUNT_OUTPUT (sc_ws_count_output_get_type())
G_DECLARE_FINAL_TYPE(ScWsCountOutput, sc_ws_count_output, SC,
                     WS_COUNT_OUTPUT, GOutputStream)

struct _ScWsCountOutput {
    GOutputStream parent;
    GOutputStream *base; /* owned ref; pollable */
    guint64 data_written; /* payload bytes of data frames written */
    guint8 hdr[14];       /* the frame header being written */
    guint hdr_len;
    guint hdr_need;
    guint64 payload_left; /* payload bytes of the current frame to come */
    gboolean in_data;     /* the current frame is a data frame */
};

static void sc_ws_count_output_pollable_init(
    GPollableOutputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE(ScWsCountOutput, sc_ws_count_output,
                        G_TYPE_OUTPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(
                            G_TYPE_POLLABLE_OUTPUT_STREAM,
                            sc_ws_count_output_pollable_init))

/* Follows the frames in the @n bytes just written. Server frames are
 * unmasked, but a mask key is skipped correctly if present. */
static void
account(ScWsCountOutput *s, const guint8 *p, gsize n)
{
    while (n > 0) {
        if (s->payload_left > 0) {
            guint64 take = MIN(s->payload_left, (guint64)n);
            if (s->in_data)
                s->data_written += take;
            s->payload_left -= take;
            p += take;
            n -= (gsize)take;
            continue;
        }
        s->hdr[s->hdr_len++] = *p++;
        n--;
        if (s->hdr_len == 2) {
            guint len7 = s->hdr[1] & 0x7f;
            s->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                          ((s->hdr[1] & 0x80) != 0 ? 4 : 0);
        }
        if (s->hdr_len >= 2 && s->hdr_len == s->hdr_need) {
            guint len7 = s->hdr[1] & 0x7f;
            guint64 plen = len7;

            if (len7 == 126) {
                plen = ((guint64)s->hdr[2] << 8) | s->hdr[3];
            } else if (len7 == 127) {
                plen = 0;
                for (guint i = 2; i < 10; i++)
                    plen = (plen << 8) | s->hdr[i];
            }
            /* opcodes 0x0-0x7 are data (continuation, text, binary),
             * 0x8-0xF control */
            s->in_data = (s->hdr[0] & 0x08) == 0;
            s->payload_left = plen;
            s->hdr_len = 0;
        }
    }
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
    g_clear_object(&SC_WS_COUNT_OUTPUT(object)->base);
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

/* ---- the I/O stream: base input, counting output ---- */

#define SC_TYPE_WS_COUNT_STREAM (sc_ws_count_stream_get_type())
G_DECLARE_FINAL_TYPE(ScWsCountStream, sc_ws_count_stream, SC,
                     WS_COUNT_STREAM, GIOStream)

struct _ScWsCountStream {
    GIOStream parent;
    GIOStream *base;      /* owned ref */
    ScWsCountOutput *out; /* owned ref */
};

G_DEFINE_TYPE(ScWsCountStream, sc_ws_count_stream, G_TYPE_IO_STREAM)

static GInputStream *
count_stream_get_input(GIOStream *stream)
{
    return g_io_stream_get_input_stream(SC_WS_COUNT_STREAM(stream)->base);
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

    g_return_val_if_fail(G_IS_IO_STREAM(base), NULL);
    g_return_val_if_fail(G_IS_POLLABLE_OUTPUT_STREAM(
                             g_io_stream_get_output_stream(base)),
                         NULL);
    s = g_object_new(SC_TYPE_WS_COUNT_STREAM, NULL);
    s->base = g_object_ref(base);
    s->out = g_object_new(SC_TYPE_WS_COUNT_OUTPUT, NULL);
    s->out->base = g_object_ref(g_io_stream_get_output_stream(base));
    return G_IO_STREAM(s);
}

guint64
sc_ws_count_stream_get_data_written(GIOStream *stream)
{
    g_return_val_if_fail(SC_IS_WS_COUNT_STREAM(stream), 0);
    return SC_WS_COUNT_STREAM(stream)->out->data_written;
}
