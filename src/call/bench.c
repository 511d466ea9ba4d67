/* src/call/bench.c - the bench protocol (interop contract section 2): a
 * sender pumps a byte pattern on the "bench" channel and reports goodput;
 * a receiver checks the pattern and answers "done <bytes>".
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include <string.h>

#define BENCH_HIGH_WATER (4u * 1024 * 1024)
#define BENCH_LOW_WATER (1u * 1024 * 1024)
#define BENCH_PATTERN_MOD 251

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

void
sc_call_bench_receive(ScCall *call, ScChannel *c, gboolean binary,
                      const guint8 *data, gsize len)
{
    BenchReceiver *rx = &call->bench_rx;

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
            BenchSender *b = &call->bench;
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

void
sc_call_bench_pump(ScCall *call)
{
    BenchSender *b = &call->bench;
    guint8 *buf;

    if (!b->running || !b->chan->open)
        return;
    if (!b->start_sent) {
        g_autoptr(GError) error = NULL;
        sc_sctp_assoc_set_buffered_amount_low_threshold(
            call->sctp, (guint16)b->chan->sid, BENCH_LOW_WATER);
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

void
sc_call_on_buffered_amount_low(gpointer data, guint16 sid)
{
    ScCall *call = data;

    if (call->bench.running && call->bench.chan->sid == sid)
        sc_call_bench_pump(call);
}

gboolean
sc_call_start_bench(ScCall *call, guint64 bytes, gsize chunk, GError **error)
{
    ScChannel *c;

    g_return_val_if_fail(call != NULL, FALSE);
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return FALSE;
    }
    if (call->bench.running) {
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
    g_clear_pointer(&call->bench.chan, sc_channel_unref);
    memset(&call->bench, 0, sizeof call->bench);
    call->bench.running = TRUE;
    call->bench.chan = sc_channel_ref(c); /* it may close meanwhile */
    call->bench.bytes = bytes;
    call->bench.chunk = chunk;
    if (call->sctp != NULL && c->open)
        sc_call_bench_pump(call);
    return TRUE;
}
