/* src/bench/bench.c - the bench protocol (interop contract section 2): a
 * sender pumps a byte pattern on the "bench" channel and reports goodput;
 * a receiver checks the pattern and answers "done <bytes>".
 *
 * An application of the public API and nothing else: it includes only
 * <sealcall/...> (tests/abi/check-includes.sh holds it to that), and no
 * other module knows it. Its state is per channel (Bench, shared by the
 * channel's three functions): the channel's messages come to
 * bench_on_message() (sc_channel_set_message_func(), so they are not
 * `message` events), its open and close to bench_on_state(), and the
 * sender keeps at most BENCH_HIGH_WATER buffered and sends more from
 * bench_on_low() when the buffered amount falls to BENCH_LOW_WATER
 * (sc_channel_set_buffered_amount_low_func()). Results are `bench` events
 * posted to the call's event queue (sc_call_post_event()). A receiver is
 * attached to every "bench" channel of a call from its channel function
 * (sc_call_enable_bench_receiver()); a sender's channel gets one too.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sealcall/sealcall.h>

#include <string.h>

#define BENCH_LABEL "bench"
#define BENCH_HIGH_WATER (4u * 1024 * 1024)
#define BENCH_LOW_WATER (1u * 1024 * 1024)
#define BENCH_PATTERN_MOD 251
/* the largest chunk: what sealcall advertises as a=max-message-size and
 * reassembles (sc_sctp_assoc_get_local_max_message_size()) */
#define BENCH_CHUNK_MAX 262144

typedef struct {
    gboolean running;
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

/* One channel's bench, held (g_rc_box) by each of its three functions:
 * the call drops them together when it drops the channel. */
typedef struct {
    ScCall *call; /* weak: the call drops the channel's functions first */
    BenchSender tx;
    BenchReceiver rx;
} Bench;

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
bench_post_error(Bench *b, const char *detail)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_ERROR);

    sc_call_event_set_string(ev, "detail", detail);
    (void)sc_call_post_event(b->call, ev, NULL); /* only fails once ended */
}

/* the sender's `done BYTES` arrived: the result */
static void
bench_done(Bench *b, const char *count)
{
    guint64 got = 0;
    double secs;
    ScCallEvent *ev;

    if (!b->tx.running ||
        !g_ascii_string_to_unsigned(count, 10, 0, G_MAXUINT64, &got, NULL))
        return;
    secs = (double)(g_get_monotonic_time() - b->tx.t_start) / 1e6;
    b->tx.running = FALSE;
    ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
    sc_call_event_set_string(ev, "role", "sender");
    sc_call_event_set_int(ev, "bytes", (gint64)got);
    sc_call_event_set_int(ev, "chunk", (gint64)b->tx.chunk);
    sc_call_event_set_double(ev, "seconds", secs);
    sc_call_event_set_double(ev, "mbps",
                             secs > 0 ? (double)got * 8 / secs / 1e6 : 0);
    (void)sc_call_post_event(b->call, ev, NULL);
}

/* the receiver has every byte it was told of: reply and report */
static void
bench_received(Bench *b, ScChannel *c)
{
    BenchReceiver *rx = &b->rx;
    g_autofree char *reply =
        g_strdup_printf("done %" G_GUINT64_FORMAT, rx->received);
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_BENCH);

    rx->active = FALSE;
    if (!sc_channel_send(c, FALSE, (const guint8 *)reply, strlen(reply),
                         NULL)) {
        /* the channel or the call is closing: the sender hears nothing,
         * our own event still reports what arrived */
    }
    sc_call_event_set_string(ev, "role", "receiver");
    sc_call_event_set_int(ev, "bytes", (gint64)rx->received);
    sc_call_event_set_string(ev, "pattern",
                             rx->pattern_ok ? "ok" : "mismatch");
    (void)sc_call_post_event(b->call, ev, NULL);
}

/* `start BYTES CHUNK`: a count starts (a malformed one is ignored) */
static void
bench_start_received(Bench *b, ScChannel *c, const char *text)
{
    g_auto(GStrv) f = g_strsplit(text, " ", -1);
    guint64 bytes = 0;
    guint64 chunk = 0;

    if (g_strv_length(f) != 3 ||
        !g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT64, &bytes, NULL) ||
        !g_ascii_string_to_unsigned(f[2], 10, 1, G_MAXUINT32, &chunk, NULL))
        return;
    b->rx.active = TRUE;
    b->rx.expected = bytes;
    b->rx.received = 0;
    b->rx.pattern_ok = TRUE;
    if (bytes == 0)
        bench_received(b, c); /* a zero-byte bench is done at once */
}

static void
bench_on_message(ScChannel *c, gboolean binary, const guint8 *data,
                 gsize len, gpointer user_data)
{
    Bench *b = user_data;
    BenchReceiver *rx = &b->rx;

    if (!binary) {
        g_autofree char *text =
            len > 0 ? g_strndup((const char *)data, len) : g_strdup("");
        if (g_str_has_prefix(text, "start "))
            bench_start_received(b, c, text);
        else if (g_str_has_prefix(text, "done "))
            bench_done(b, text + 5);
        return;
    }
    if (!rx->active)
        return;
    if (rx->pattern_ok && !bench_check(data, len, rx->received))
        rx->pattern_ok = FALSE;
    rx->received += len;
    if (rx->received >= rx->expected)
        bench_received(b, c);
}

static void
bench_pump(Bench *b, ScChannel *c)
{
    BenchSender *tx = &b->tx;
    g_autoptr(GError) error = NULL;
    guint8 *buf;

    if (!tx->running || !sc_channel_is_open(c))
        return;
    if (!tx->start_sent) {
        g_autofree char *start = g_strdup_printf(
            "start %" G_GUINT64_FORMAT " %" G_GSIZE_FORMAT, tx->bytes,
            tx->chunk);
        tx->start_sent = TRUE;
        tx->t_start = g_get_monotonic_time();
        if (!sc_channel_send(c, FALSE, (const guint8 *)start, strlen(start),
                             &error)) {
            tx->running = FALSE;
            bench_post_error(b, error->message);
            return;
        }
    }
    buf = g_malloc(tx->chunk);
    while (tx->sent < tx->bytes &&
           sc_channel_get_buffered_amount(c) < BENCH_HIGH_WATER) {
        gsize n = (gsize)MIN((guint64)tx->chunk, tx->bytes - tx->sent);
        bench_fill(buf, n, tx->sent);
        if (!sc_channel_send(c, TRUE, buf, n, &error)) {
            tx->running = FALSE;
            bench_post_error(b, error->message);
            break;
        }
        tx->sent += n;
    }
    g_free(buf);
}

static void
bench_on_state(ScChannel *c, gpointer user_data)
{
    Bench *b = user_data;

    if (sc_channel_is_open(c)) {
        bench_pump(b, c);
    } else if (b->tx.running) {
        b->tx.running = FALSE;
        bench_post_error(b, "bench channel closed before the bench finished");
    }
}

static void
bench_on_low(ScChannel *c, gpointer user_data)
{
    bench_pump(user_data, c);
}

static void
bench_release(gpointer b)
{
    g_rc_box_release(b);
}

/* @c's bench: the one its functions hold, or a new one given to them */
static Bench *
bench_attach(ScCall *call, ScChannel *c)
{
    gpointer data = NULL;
    Bench *b;

    if (sc_channel_get_message_func(c, &data) == bench_on_message)
        return data;
    b = g_rc_box_new0(Bench);
    b->call = call;
    sc_channel_set_state_func(c, bench_on_state, g_rc_box_acquire(b),
                              bench_release);
    sc_channel_set_buffered_amount_low_func(c, bench_on_low,
                                            g_rc_box_acquire(b),
                                            bench_release);
    sc_channel_set_message_func(c, bench_on_message, b, bench_release);
    return b;
}

static void
bench_on_channel(ScCall *call, ScChannel *c, gpointer user_data)
{
    (void)user_data;
    if (g_str_equal(sc_channel_get_label(c), BENCH_LABEL))
        (void)bench_attach(call, c);
}

void
sc_call_enable_bench_receiver(ScCall *call)
{
    g_return_if_fail(call != NULL);
    sc_call_set_channel_func(call, bench_on_channel, NULL, NULL);
}

gboolean
sc_call_start_bench(ScCall *call, guint64 bytes, gsize chunk, GError **error)
{
    ScChannel *c;
    Bench *b;

    g_return_val_if_fail(call != NULL, FALSE);
    if (chunk == 0 || chunk > BENCH_CHUNK_MAX) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bench chunk must be 1..%u bytes", BENCH_CHUNK_MAX);
        return FALSE;
    }
    /* fails once the call has ended */
    c = sc_call_get_channel(call, BENCH_LABEL, TRUE, -1, -1, error);
    if (c == NULL)
        return FALSE;
    b = bench_attach(call, c);
    if (b->tx.running) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "a bench is already running");
        return FALSE;
    }
    memset(&b->tx, 0, sizeof b->tx);
    b->tx.running = TRUE;
    b->tx.bytes = bytes;
    b->tx.chunk = chunk;
    sc_channel_set_buffered_amount_low_threshold(c, BENCH_LOW_WATER);
    if (sc_channel_is_open(c))
        bench_pump(b, c);
    return TRUE;
}
