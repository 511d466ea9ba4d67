/* src/call/bench.c - the bench protocol (interop contract section 2): a
 * sender pumps a byte pattern on the "bench" channel and reports goodput;
 * a receiver checks the pattern and answers "done <bytes>".
 *
 * An application of the channel API, kept out of the orchestrator: it
 * opens, sends on and measures its channel through the public API
 * (sc_call_get_channel(), sc_channel_send(), sc_channel_get_buffered_amount(),
 * sc_channel_is_open(), sc_channel_get_id(), sc_channel_get_label()) and
 * owns its state (ScCallBench, allocated by the first bench). From the call
 * it needs only what that API does not offer, through the hooks declared
 * under "bench.c" in call-priv.h: the messages of the "bench" channel,
 * handed to it instead of becoming `message` events; the channel's open
 * and close and sctp/'s buffered-amount-low; the low-water threshold
 * (sc_call_channel_set_low_threshold()); emitting its `bench` events; the
 * largest message sctp/ takes; and the call's end. It reads no field of
 * ScCall but the log id.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include <string.h>

#define BENCH_LABEL "bench"
#define BENCH_HIGH_WATER (4u * 1024 * 1024)
#define BENCH_LOW_WATER (1u * 1024 * 1024)
#define BENCH_PATTERN_MOD 251

typedef struct {
    gboolean running;
    ScChannel *chan;       /* strong */
    guint64 bytes;
    gsize chunk;
    guint64 sent;
    gint64 t_start;
    gboolean start_sent;
} BenchSender;

typedef struct {
    gboolean active;
    guint64 expected;
    guint64 received;
    gboolean pattern_ok;
} BenchReceiver;

struct ScCallBench {
    BenchSender tx;
    BenchReceiver rx;
};

static ScCallBench *
bench_get(ScCall *call)
{
    if (call->bench == NULL)
        call->bench = g_new0(ScCallBench, 1);
    return call->bench;
}

/* The bench pattern: byte at offset i is i mod 251 (contract section 2),
 * so chunk boundaries never line up with the pattern and a lost or
 * reordered chunk shows. A block of whole periods of it makes filling and
 * checking memcpy and memcmp of pieces, not a loop per byte. */
#define BENCH_PATTERN_BLOCK (BENCH_PATTERN_MOD * 64)

static const guint8 *
bench_pattern(void)
{
    static gsize once;
    static guint8 block[BENCH_PATTERN_BLOCK];

    if (g_once_init_enter(&once)) {
        for (gsize i = 0; i < BENCH_PATTERN_BLOCK; i++)
            block[i] = (guint8)(i % BENCH_PATTERN_MOD);
        g_once_init_leave(&once, 1);
    }
    return block;
}

static void
bench_fill(guint8 *buf, gsize len, guint64 offset)
{
    const guint8 *block = bench_pattern();
    gsize phase = (gsize)(offset % BENCH_PATTERN_MOD);

    while (len > 0) {
        gsize n = MIN(len, BENCH_PATTERN_BLOCK - phase);
        memcpy(buf, block + phase, n);
        buf += n;
        len -= n;
        phase = 0; /* the block is whole periods: the next piece is at 0 */
    }
}

static gboolean
bench_check(const guint8 *buf, gsize len, guint64 offset)
{
    const guint8 *block = bench_pattern();
    gsize phase = (gsize)(offset % BENCH_PATTERN_MOD);

    while (len > 0) {
        gsize n = MIN(len, BENCH_PATTERN_BLOCK - phase);
        if (memcmp(buf, block + phase, n) != 0)
            return FALSE;
        buf += n;
        len -= n;
        phase = 0;
    }
    return TRUE;
}

static void
bench_receive(ScCall *call, ScChannel *c, gboolean binary,
              const guint8 *data, gsize len)
{
    BenchReceiver *rx = &bench_get(call)->rx;

    if (!binary) {
        g_autofree char *text =
            len > 0 ? g_strndup((const char *)data, len) : g_strdup("");
        guint64 bytes = 0;
        guint64 chunk = 0;
        if (g_str_has_prefix(text, "start ")) {
            g_auto(GStrv) f = g_strsplit(text, " ", -1);
            if (g_strv_length(f) == 3 &&
                g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT64, &bytes,
                                           NULL) &&
                g_ascii_string_to_unsigned(f[2], 10, 1, G_MAXUINT32, &chunk,
                                           NULL)) {
                rx->active = TRUE;
                rx->expected = bytes;
                rx->received = 0;
                rx->pattern_ok = TRUE;
            } else {
                SC_LOG_WARN(call->id, "bad bench start message");
            }
        } else if (g_str_has_prefix(text, "done ")) {
            BenchSender *b = &bench_get(call)->tx;
            guint64 got = 0;
            if (b->running && b->chan == c &&
                g_ascii_string_to_unsigned(text + 5, 10, 0, G_MAXUINT64, &got,
                                           NULL)) {
                double secs =
                    (double)(sc_clock_now_us() - b->t_start) / 1e6;
                ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
                b->running = FALSE;
                sc_call_event_set_str(ev, "role", "sender");
                sc_call_event_set_int(ev, "bytes", (gint64)got);
                sc_call_event_set_int(ev, "chunk", (gint64)b->chunk);
                sc_call_event_set_double(ev, "seconds", secs);
                sc_call_event_set_double(
                    ev, "mbps", secs > 0 ? (double)got * 8 / secs / 1e6 : 0);
                sc_call_emit(call, ev);
            }
        }
        if (rx->active && rx->expected == 0 && !binary &&
            g_str_has_prefix(text, "start ")) {
            /* zero-byte bench: done at once */
            goto done;
        }
        return;
    }
    if (!rx->active)
        return;
    if (rx->pattern_ok && !bench_check(data, len, rx->received))
        rx->pattern_ok = FALSE;
    rx->received += len;
    if (rx->received < rx->expected)
        return;
done: {
    g_autoptr(GError) error = NULL;
    g_autofree char *reply =
        g_strdup_printf("done %" G_GUINT64_FORMAT, rx->received);
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
    rx->active = FALSE;
    if (!sc_channel_send(c, FALSE, (const guint8 *)reply, strlen(reply),
                         &error))
        SC_LOG_WARN(call->id, "cannot reply to bench: %s", error->message);
    sc_call_event_set_str(ev, "role", "receiver");
    sc_call_event_set_int(ev, "bytes", (gint64)rx->received);
    sc_call_event_set_str(ev, "pattern", rx->pattern_ok ? "ok" : "mismatch");
    sc_call_emit(call, ev);
}
}

static void
bench_pump(ScCall *call)
{
    BenchSender *b = &bench_get(call)->tx;
    guint8 *buf;

    if (!b->running || !sc_channel_is_open(b->chan))
        return;
    if (!b->start_sent) {
        g_autoptr(GError) error = NULL;
        sc_call_channel_set_low_threshold(b->chan, BENCH_LOW_WATER);
        g_autofree char *start = g_strdup_printf(
            "start %" G_GUINT64_FORMAT " %" G_GSIZE_FORMAT, b->bytes,
            b->chunk);
        b->start_sent = TRUE;
        b->t_start = sc_clock_now_us();
        if (!sc_channel_send(b->chan, FALSE, (const guint8 *)start,
                             strlen(start), &error)) {
            b->running = FALSE;
            sc_call_emit_error(call, error->message);
            return;
        }
    }
    buf = g_malloc(b->chunk);
    while (b->sent < b->bytes &&
           sc_channel_get_buffered_amount(b->chan) < BENCH_HIGH_WATER) {
        g_autoptr(GError) error = NULL;
        gsize n = (gsize)MIN((guint64)b->chunk, b->bytes - b->sent);
        bench_fill(buf, n, b->sent);
        if (!sc_channel_send(b->chan, TRUE, buf, n, &error)) {
            b->running = FALSE;
            sc_call_emit_error(call, error->message);
            break;
        }
        b->sent += n;
    }
    g_free(buf);
}

/* A message on a channel labelled "bench": TRUE when it is the bench's
 * (it does not become a `message` event). */
gboolean
sc_call_bench_on_message(ScCall *call, ScChannel *c, gboolean binary,
                         const guint8 *data, gsize len)
{
    if (!g_str_equal(sc_channel_get_label(c), BENCH_LABEL))
        return FALSE;
    bench_receive(call, c, binary, data, len);
    return TRUE;
}

void
sc_call_bench_on_open(ScCall *call, ScChannel *c)
{
    if (call->bench != NULL && call->bench->tx.running &&
        call->bench->tx.chan == c)
        bench_pump(call);
}

void
sc_call_bench_on_closed(ScCall *call, ScChannel *c)
{
    if (call->bench != NULL && call->bench->tx.running &&
        call->bench->tx.chan == c) {
        call->bench->tx.running = FALSE;
        sc_call_emit_error(call,
                           "bench channel closed before the bench finished");
    }
}

void
sc_call_bench_on_buffered_amount_low(ScCall *call, int sid)
{
    if (call->bench != NULL && call->bench->tx.running &&
        sc_channel_get_id(call->bench->tx.chan) == sid)
        bench_pump(call);
}

void
sc_call_bench_stop(ScCall *call)
{
    if (call->bench != NULL)
        call->bench->tx.running = FALSE;
}

void
sc_call_bench_free(ScCall *call)
{
    if (call->bench == NULL)
        return;
    g_clear_pointer(&call->bench->tx.chan, sc_channel_unref);
    g_clear_pointer(&call->bench, g_free);
}

gboolean
sc_call_start_bench(ScCall *call, guint64 bytes, gsize chunk, GError **error)
{
    BenchSender *b;
    ScChannel *c;

    g_return_val_if_fail(call != NULL, FALSE);
    if (sc_call_has_ended(call)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return FALSE;
    }
    b = &bench_get(call)->tx;
    if (b->running) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "a bench is already running");
        return FALSE;
    }
    if (chunk == 0 || chunk > sc_sctp_assoc_get_local_max_message_size()) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bench chunk must be 1..%" G_GUINT64_FORMAT " bytes",
                    sc_sctp_assoc_get_local_max_message_size());
        return FALSE;
    }
    c = sc_call_get_channel(call, BENCH_LABEL, TRUE, -1, -1, error);
    if (c == NULL)
        return FALSE;
    g_clear_pointer(&b->chan, sc_channel_unref);
    memset(b, 0, sizeof *b);
    b->running = TRUE;
    b->chan = sc_channel_ref(c); /* it may close meanwhile */
    b->bytes = bytes;
    b->chunk = chunk;
    if (sc_channel_is_open(c))
        bench_pump(call);
    return TRUE;
}
