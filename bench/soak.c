/* bench/soak.c - load soak: N concurrent calls (2N endpoints) in one
 * process through an in-process relay on 127.0.0.1, each with its "chat"
 * channel open and RATE messages a second flowing each way, for SECONDS.
 * Samples RSS and CPU every SAMPLE seconds (one JSON line each, stderr),
 * then prints one summary line on stdout:
 *   {"event":"soak-summary","calls":N,"seconds":S,"calls_ended":0,...}
 * Checked at the end: no call ended (consent freshness keeps them alive),
 * every message sent arrived, in order (ordered reliable channel), and the
 * RSS after the warm-up (the first minute) stayed flat: its max - min is
 * below FLAT_KB_PER_CALL per call. Exit 0 when all hold, 1 otherwise, 2 for
 * bad usage. CPU per call: (user + sys) / calls / seconds of the soak
 * window, after setup. Public API only. Not part of `make check`.
 * Usage: soak [--calls N] [--seconds S] [--rate R] [--size BYTES]
 *             [--sample S] [--warmup S]
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sealcall/sealcall.h>
#include "bench-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#define MAX_CALLS 1000
#define SLICES 10               /* the send tick serves 1/SLICES of calls */
#define FLAT_KB_PER_CALL 8.0    /* RSS growth allowed after the warm-up */
#define SETUP_MS 30000          /* per call */
#define DRAIN_MS 10000          /* for the last messages to arrive */

typedef struct Call Call;

typedef struct {
    Call *call;
    int side;                   /* 0 answerer, 1 offerer */
    ScCall *sc;
    ScChannel *ch;              /* owned by the call */
    guint64 sent;               /* messages sent by this side */
    guint64 received;           /* messages received from the other side */
    guint64 out_of_order;       /* received with an unexpected number */
    guint64 send_failed;
} End;

struct Call {
    int index;
    End end[2];
    gboolean ended;
};

static Call *calls;
static int n_calls;
static int n_open;
static int n_ended;
static int msg_size = 64;
static gboolean sending;

static double
cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
now_s(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

/* Messages are "<seq> " followed by padding to msg_size bytes. */
static void
on_message(End *e, const char *text)
{
    char *endp = NULL;
    guint64 seq;

    if (text == NULL)
        return;
    errno = 0;
    seq = g_ascii_strtoull(text, &endp, 10);
    if (errno != 0 || endp == text || seq != e->received)
        e->out_of_order++;
    e->received++;
}

static void
on_event(ScCall *sc, const ScCallEvent *ev, gpointer data)
{
    End *e = data;
    const char *state;

    switch (sc_call_event_get_kind(ev)) {
    case SC_CALL_EVENT_CHANNEL:
        state = sc_call_event_get_string(ev, "state");
        if (g_strcmp0(state, "open") == 0 && e->ch == NULL &&
            g_strcmp0(sc_call_event_get_string(ev, "label"), "chat") == 0) {
            e->ch = sc_call_get_channel(sc, "chat", TRUE, -1, -1, NULL);
            if (e->ch != NULL)
                n_open++;
        } else if (g_strcmp0(state, "closed") == 0 && e->ch != NULL) {
            fprintf(stderr, "soak: call %d side %d: channel closed\n",
                    e->call->index, e->side);
            e->ch = NULL;
        }
        break;
    case SC_CALL_EVENT_MESSAGE:
        on_message(e, sc_call_event_get_string(ev, "text"));
        break;
    case SC_CALL_EVENT_ENDED:
        if (!e->call->ended) {
            e->call->ended = TRUE;
            n_ended++;
        }
        fprintf(stderr, "soak: call %d side %d ended: %s\n", e->call->index,
                e->side, sc_call_event_get_string(ev, "detail"));
        break;
    default:
        break;
    }
}

static void
send_one(End *e)
{
    char buf[4096];
    int n;

    if (e->ch == NULL || e->call->ended)
        return;
    n = g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT " ", e->sent);
    if (n < msg_size) {
        memset(buf + n, 'x', (size_t)(msg_size - n));
        n = msg_size;
    }
    if (sc_channel_send(e->ch, FALSE, (const guint8 *)buf, (gsize)n, NULL))
        e->sent++;
    else
        e->send_failed++;
}

static gboolean
on_send_tick(gpointer data)
{
    static guint tick;
    guint slice = tick++ % SLICES;

    (void)data;
    if (!sending)
        return G_SOURCE_CONTINUE;
    for (int i = (int)slice; i < n_calls; i += SLICES) {
        send_one(&calls[i].end[0]);
        send_one(&calls[i].end[1]);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Iterates until @done(@arg) or @ms elapse; returns done's verdict. */
static gboolean
run_until(gboolean (*done)(gpointer), gpointer arg, guint ms)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add(ms, on_timeout, &expired);

    while (!done(arg) && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(id);
    return done(arg);
}

static gboolean
opened(gpointer arg)
{
    return n_open >= GPOINTER_TO_INT(arg) || n_ended > 0;
}

static gboolean
drained(gpointer arg)
{
    (void)arg;
    for (int i = 0; i < n_calls; i++)
        for (int s = 0; s < 2; s++)
            if (!calls[i].ended &&
                calls[i].end[s].received < calls[i].end[1 - s].sent)
                return FALSE;
    return TRUE;
}

static gboolean
never(gpointer arg)
{
    (void)arg;
    return FALSE;
}

static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int
parse_int(const char *name, const char *text, int lo, int hi)
{
    char *endp = NULL;
    long v = strtol(text != NULL ? text : "", &endp, 10);

    if (text == NULL || *endp != '\0' || v < lo || v > hi) {
        fprintf(stderr, "soak: %s wants an integer in %d..%d\n", name, lo,
                hi);
        exit(2);
    }
    return (int)v;
}

static gboolean
start_call(ScEndpoint *ep, guint port, Call *c, GError **error)
{
    char url[128];

    g_snprintf(url, sizeof url, "ws://127.0.0.1:%u/room/soak-%d", port,
               c->index);
    for (int s = 0; s < 2; s++) {
        End *e = &c->end[s];
        e->call = c;
        e->side = s;
        e->sc = sc_call_new(ep, s == 0 ? SC_CALL_ROLE_ANSWERER
                                       : SC_CALL_ROLE_OFFERER, error);
        if (e->sc == NULL || !sc_call_set_signal_url(e->sc, url, error) ||
            !sc_call_add_local_address(e->sc, "127.0.0.1", error))
            return FALSE;
        sc_call_set_event_func(e->sc, on_event, e, NULL);
        if (!sc_call_start(e->sc, error))
            return FALSE;
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    int seconds = 600, rate = 2, sample = 10, warmup = 60;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScRelay) relay = NULL;
    g_autoptr(ScEndpoint) ep = NULL;
    GArray *rss = g_array_new(FALSE, FALSE, sizeof(long));
    guint port, tick_id;
    double t0, cpu0, t_end, cpu_s, dt;
    long rss_warm = -1, rss_min = -1, rss_max = -1;
    guint64 sent = 0, received = 0, ooo = 0, send_failed = 0, lost = 0;
    gboolean ok;

    n_calls = 200;
    for (int i = 1; i < argc; i += 2) { /* --option VALUE pairs */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--calls") == 0)
            n_calls = parse_int(argv[i], v, 1, MAX_CALLS);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = parse_int(argv[i], v, 1, 86400);
        else if (strcmp(argv[i], "--rate") == 0)
            rate = parse_int(argv[i], v, 1, 100);
        else if (strcmp(argv[i], "--size") == 0)
            msg_size = parse_int(argv[i], v, 24, 4000);
        else if (strcmp(argv[i], "--sample") == 0)
            sample = parse_int(argv[i], v, 1, 3600);
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = parse_int(argv[i], v, 0, 86400);
        else {
            fprintf(stderr, "usage: soak [--calls N] [--seconds S] "
                            "[--rate MSG/S] [--size BYTES] [--sample S] "
                            "[--warmup S]\n");
            return 2;
        }
    }
    if (warmup >= seconds)
        warmup = seconds / 2; /* short runs: judge the second half */
    raise_fd_limit();

    relay = sc_relay_new(NULL, "127.0.0.1", 0, &error);
    ep = relay != NULL ? sc_endpoint_new(NULL, &error) : NULL;
    if (ep == NULL) {
        fprintf(stderr, "soak: %s\n", error->message);
        return 1;
    }
    port = sc_relay_get_port(relay);
    calls = g_new0(Call, n_calls);
    /* one call at a time keeps the answerer-first order simple */
    for (int i = 0; i < n_calls; i++) {
        calls[i].index = i;
        if (!start_call(ep, port, &calls[i], &error)) {
            fprintf(stderr, "soak: call %d: %s\n", i, error->message);
            return 1;
        }
        if (!run_until(opened, GINT_TO_POINTER(2 * (i + 1)), SETUP_MS) ||
            n_ended > 0) {
            fprintf(stderr, "soak: call %d did not open its channel (%d "
                            "channels open, %d calls ended)\n",
                    i, n_open, n_ended);
            return 1;
        }
    }
    fprintf(stderr, "soak: %d calls up, rss %ld KB; %d s of %d message(s)/s "
                    "of %d bytes each way per call\n",
            n_calls, bench_rss_kb(), seconds, rate, msg_size);

    sending = TRUE;
    tick_id = g_timeout_add(MAX(1, 1000 / (rate * SLICES)), on_send_tick,
                            NULL);
    t0 = now_s();
    cpu0 = cpu_seconds();
    for (int s = sample; ; s += sample) {
        int at = MIN(s, seconds);
        long r;
        run_until(never, NULL, (guint)MAX(0.0, (t0 + at - now_s()) * 1000));
        r = bench_rss_kb();
        fprintf(stderr, "{\"event\":\"soak-sample\",\"t\":%d,\"rss_kb\":%ld,"
                        "\"cpu_s\":%.2f,\"open\":%d,\"ended\":%d}\n",
                at, r, cpu_seconds() - cpu0, n_open, n_ended);
        if (at >= warmup) {
            if (rss_warm < 0)
                rss_warm = r;
            rss_min = rss_min < 0 || r < rss_min ? r : rss_min;
            rss_max = r > rss_max ? r : rss_max;
            g_array_append_val(rss, r);
        }
        if (at >= seconds)
            break;
    }
    t_end = now_s();
    cpu_s = cpu_seconds() - cpu0;
    dt = t_end - t0;
    sending = FALSE;
    g_source_remove(tick_id);
    run_until(drained, NULL, DRAIN_MS);

    for (int i = 0; i < n_calls; i++)
        for (int s = 0; s < 2; s++) {
            End *e = &calls[i].end[s];
            sent += e->sent;
            received += e->received;
            ooo += e->out_of_order;
            send_failed += e->send_failed;
            if (calls[i].end[1 - s].sent > e->received)
                lost += calls[i].end[1 - s].sent - e->received;
        }
    ok = n_ended == 0 && lost == 0 && ooo == 0 && send_failed == 0 &&
         n_open == 2 * n_calls &&
         (double)(rss_max - rss_min) <= FLAT_KB_PER_CALL * n_calls;
    printf("{\"event\":\"soak-summary\",\"calls\":%d,\"seconds\":%.1f,"
           "\"rate_per_side\":%d,\"size\":%d,\"calls_ended\":%d,"
           "\"messages_sent\":%" G_GUINT64_FORMAT ",\"messages_received\":%"
           G_GUINT64_FORMAT ",\"lost\":%" G_GUINT64_FORMAT
           ",\"out_of_order\":%" G_GUINT64_FORMAT ",\"send_failed\":%"
           G_GUINT64_FORMAT ",\"warmup_s\":%d,\"rss_after_warmup_kb\":%ld,"
           "\"rss_min_kb\":%ld,\"rss_max_kb\":%ld,\"rss_end_kb\":%ld,"
           "\"rss_growth_kb\":%ld,\"cpu_s\":%.2f,"
           "\"cpu_pct_per_call\":%.4f,\"cpu_ms_per_call_s\":%.3f,"
           "\"ok\":%s}\n",
           n_calls, dt, rate, msg_size, n_ended, sent, received, lost, ooo,
           send_failed, warmup, rss_warm, rss_min, rss_max,
           rss->len > 0 ? g_array_index(rss, long, rss->len - 1) : -1,
           rss_max - rss_min, cpu_s, 100.0 * cpu_s / dt / n_calls,
           1000.0 * cpu_s / dt / n_calls, ok ? "true" : "false");
    fflush(stdout);
    for (int i = 0; i < n_calls; i++)
        for (int s = 0; s < 2; s++)
            if (calls[i].end[s].sc != NULL)
                sc_call_unref(calls[i].end[s].sc);
    g_free(calls);
    g_array_unref(rss);
    return ok ? 0 : 1;
}
