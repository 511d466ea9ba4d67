/* tests/unit/test-channel-api.c - the public API an application such as
 * the bench builds on (Since: 0.2): a channel's message, state and
 * buffered-amount-low functions and their threshold, the call's channel
 * function, events an application posts, and the bench through
 * sc_call_start_bench() and sc_call_enable_bench_receiver(). Two real
 * calls in this process through a real relay on 127.0.0.1, linked against
 * the shared library: public symbols only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sealcall/sealcall.h>

#include <string.h>

#include "test-util.h"

#define DEADLINE_MS 20000

typedef struct {
    ScCall *call;
    GPtrArray *events; /* char *: each event's JSON */
    gboolean ended;
} Side;

typedef struct {
    ScEndpoint *ep;
    ScRelay *relay;
    Side off;
    Side ans;
    gboolean started;
} Fixture;

/* what a channel's functions saw */
typedef struct {
    guint opens;
    guint closes;
    guint lows;
    gsize low_amount;  /* the buffered amount when the last low came */
    guint destroyed;   /* destroy notifies of the record's functions */
    GPtrArray *texts;  /* char * */
    GByteArray *binary; /* every binary message, appended */
    guint n_binary;
    gsize largest;
} Seen;

static Seen *
seen_new(void)
{
    Seen *s = g_new0(Seen, 1);

    s->texts = g_ptr_array_new_with_free_func(g_free);
    s->binary = g_byte_array_new();
    return s;
}

static void
seen_free(Seen *s)
{
    g_ptr_array_unref(s->texts);
    g_byte_array_unref(s->binary);
    g_free(s);
}

static void
seen_destroyed(gpointer data)
{
    ((Seen *)data)->destroyed++;
}

static void
on_event(ScCall *call, const ScCallEvent *ev, gpointer data)
{
    Side *side = data;

    (void)call;
    g_ptr_array_add(side->events, sc_call_event_to_json(ev));
    if (sc_call_event_get_kind(ev) == SC_CALL_EVENT_ENDED)
        side->ended = TRUE;
}

/* the events of @side whose JSON starts with @prefix */
static guint
count_events(Side *side, const char *prefix)
{
    guint n = 0;

    for (guint i = 0; i < side->events->len; i++)
        if (g_str_has_prefix(side->events->pdata[i], prefix))
            n++;
    return n;
}

static const char *
find_event(Side *side, const char *prefix)
{
    for (guint i = 0; i < side->events->len; i++)
        if (g_str_has_prefix(side->events->pdata[i], prefix))
            return side->events->pdata[i];
    return NULL;
}

typedef struct {
    Side *side;
    const char *prefix;
} EventWait;

static gboolean
has_event(gpointer data)
{
    EventWait *w = data;

    return find_event(w->side, w->prefix) != NULL;
}

/* waits (with the deadline) for an event of @side that starts so */
static const char *
wait_event(Side *side, const char *prefix)
{
    EventWait w = {side, prefix};

    g_assert_true(sc_test_run_until(NULL, has_event, &w, DEADLINE_MS));
    return find_event(side, prefix);
}

static void
side_init(Fixture *f, Side *side, ScCallRole role, const char *url)
{
    g_autoptr(GError) error = NULL;

    side->events = g_ptr_array_new_with_free_func(g_free);
    side->call = sc_call_new(f->ep, role, &error);
    g_assert_no_error(error);
    g_assert_true(sc_call_set_signal_url(side->call, url, &error));
    g_assert_true(sc_call_add_local_address(side->call, "127.0.0.1", &error));
    g_assert_no_error(error);
    sc_call_set_event_func(side->call, on_event, side, NULL);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *url = NULL;

    (void)data;
    f->ep = sc_endpoint_new(NULL, &error);
    g_assert_no_error(error);
    f->relay = sc_relay_new(NULL, "127.0.0.1", 0, &error);
    g_assert_no_error(error);
    url = g_strdup_printf("ws://127.0.0.1:%u/room/api",
                          sc_relay_get_port(f->relay));
    side_init(f, &f->off, SC_CALL_ROLE_OFFERER, url);
    side_init(f, &f->ans, SC_CALL_ROLE_ANSWERER, url);
}

static void
start(Fixture *f)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_call_start(f->ans.call, &error));
    g_assert_true(sc_call_start(f->off.call, &error));
    g_assert_no_error(error);
    f->started = TRUE;
}

static gboolean
both_ended(gpointer data)
{
    Fixture *f = data;

    return f->off.ended && f->ans.ended;
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    if (f->started) {
        if (f->off.call != NULL)
            sc_call_hangup(f->off.call);
        g_assert_true(sc_test_run_until(NULL, both_ended, f, DEADLINE_MS));
    }
    for (Side *side = &f->off; side != NULL;
         side = side == &f->off ? &f->ans : NULL) {
        if (side->call != NULL)
            sc_call_set_event_func(side->call, NULL, NULL, NULL);
        sc_call_unref(side->call);
    }
    sc_relay_free(f->relay);
    sc_endpoint_unref(f->ep);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_ptr_array_unref(f->off.events);
    g_ptr_array_unref(f->ans.events);
}

/* ---- the functions under test ---- */

static void
on_message(ScChannel *c, gboolean binary, const guint8 *data, gsize len,
           gpointer user_data)
{
    Seen *s = user_data;

    (void)c;
    g_assert_true(len == 0 || data != NULL);
    s->largest = MAX(s->largest, len);
    if (binary) {
        s->n_binary++;
        g_byte_array_append(s->binary, data, (guint)len);
    } else if (len == 0) {
        g_ptr_array_add(s->texts, g_strdup(""));
    } else {
        g_assert_true(g_utf8_validate((const char *)data, (gssize)len, NULL));
        g_ptr_array_add(s->texts, g_strndup((const char *)data, len));
    }
}

static void
on_state(ScChannel *c, gpointer user_data)
{
    Seen *s = user_data;

    if (sc_channel_is_open(c))
        s->opens++;
    else
        s->closes++;
}

static void
on_low(ScChannel *c, gpointer user_data)
{
    Seen *s = user_data;

    s->lows++;
    s->low_amount = sc_channel_get_buffered_amount(c);
}

/* the answerer's channel function: the channel labelled @label gets
 * @seen's functions (one destroy notify each, so `destroyed` counts to 2) */
typedef struct {
    Seen *seen;
    const char *label;
    ScChannel *last;
    guint calls;
} OnChannel;

static void
on_channel(ScCall *call, ScChannel *c, gpointer user_data)
{
    OnChannel *oc = user_data;

    (void)call;
    g_assert_true(sc_channel_is_open(c));
    if (!g_str_equal(sc_channel_get_label(c), oc->label))
        return; /* such as the offerer's "chat" */
    oc->calls++;
    oc->last = c;
    sc_channel_set_message_func(c, on_message, oc->seen, seen_destroyed);
    sc_channel_set_state_func(c, on_state, oc->seen, seen_destroyed);
}

typedef struct {
    Seen *seen;
    guint texts;
    gsize bytes;
    guint closes;
} Want;

static gboolean
seen_enough(gpointer data)
{
    Want *w = data;

    return w->seen->texts->len >= w->texts &&
           w->seen->binary->len >= w->bytes &&
           w->seen->closes >= w->closes;
}

static gboolean
is_open(gpointer data)
{
    return sc_channel_is_open(data);
}

/* A channel's messages go to its message function and not to `message`
 * events; its state function sees the open and the close; the functions
 * are dropped (destroy notifies) when the channel closes; without one the
 * messages are `message` events again. */
static void
test_message_func(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Seen *peer = seen_new();
    Seen *ours = seen_new();
    OnChannel oc = {peer, "t", NULL, 0};
    Want w = {peer, 2, 4 + 262144, 0};
    guint8 big[262144];
    ScChannel *c;

    (void)data;
    sc_call_set_channel_func(f->ans.call, on_channel, &oc, NULL);
    /* our side: functions set before the channel opens */
    c = sc_call_get_channel(f->off.call, "t", TRUE, -1, -1, &error);
    g_assert_no_error(error);
    sc_channel_ref(c);
    sc_channel_set_state_func(c, on_state, ours, seen_destroyed);
    g_assert_true(sc_channel_send(c, FALSE, (const guint8 *)"hello", 5,
                                  &error));
    start(f);
    g_assert_true(sc_test_run_until(NULL, is_open, c, DEADLINE_MS));
    g_assert_cmpuint(ours->opens, ==, 1);
    g_assert_true(sc_channel_send(c, TRUE, (const guint8 *)"\0\1\2\3", 4,
                                  &error));
    /* the largest message we take, whole, to the function */
    for (gsize i = 0; i < sizeof big; i++)
        big[i] = (guint8)(i * 7);
    g_assert_true(sc_channel_send(c, TRUE, big, sizeof big, &error));
    g_assert_true(sc_channel_send(c, FALSE, NULL, 0, &error));
    g_assert_no_error(error);
    w.texts = 2;
    g_assert_true(sc_test_run_until(NULL, seen_enough, &w, DEADLINE_MS));
    g_assert_cmpuint(oc.calls, ==, 1);
    g_assert_cmpstr(sc_channel_get_label(oc.last), ==, "t");
    g_assert_cmpuint(peer->opens, ==, 1); /* the call's function came first */
    g_assert_cmpstr(peer->texts->pdata[0], ==, "hello");
    g_assert_cmpstr(peer->texts->pdata[1], ==, "");
    g_assert_cmpuint(peer->n_binary, ==, 2);
    g_assert_cmpuint(peer->largest, ==, sizeof big);
    g_assert_cmpmem(peer->binary->data, 4, "\0\1\2\3", 4);
    g_assert_cmpmem(peer->binary->data + 4, sizeof big, big, sizeof big);
    g_assert_cmpuint(count_events(&f->ans, "{\"event\":\"message\""), ==, 0);
    {
        gpointer got = NULL;
        g_assert_true(sc_channel_get_message_func(oc.last, &got) ==
                      on_message);
        g_assert_true(got == peer);
    }

    /* the close reaches both state functions, then the functions go */
    sc_channel_close(c);
    w.closes = 1;
    g_assert_true(sc_test_run_until(NULL, seen_enough, &w, DEADLINE_MS));
    g_assert_cmpuint(peer->destroyed, ==, 2);
    w.seen = ours;
    w.texts = w.bytes = 0;
    g_assert_true(sc_test_run_until(NULL, seen_enough, &w, DEADLINE_MS));
    g_assert_false(sc_channel_is_open(c));
    g_assert_cmpuint(ours->destroyed, ==, 1);
    g_assert_null(sc_channel_get_message_func(c, NULL));
    sc_channel_unref(c);

    /* without a message function: `message` events again */
    sc_call_set_channel_func(f->ans.call, NULL, NULL, NULL);
    c = sc_call_get_channel(f->off.call, "u", TRUE, -1, -1, &error);
    g_assert_true(sc_channel_send(c, FALSE, (const guint8 *)"plain", 5,
                                  &error));
    g_assert_no_error(error);
    g_assert_cmpstr(wait_event(&f->ans, "{\"event\":\"message\""), ==,
                    "{\"event\":\"message\",\"label\":\"u\","
                    "\"text\":\"plain\"}");
    g_assert_cmpuint(oc.calls, ==, 1);
    seen_free(peer);
    seen_free(ours);
}

typedef struct {
    Seen *seen;
    guint lows;
} WantLows;

static void
discard_message(ScChannel *c, gboolean binary, const guint8 *data, gsize len,
                gpointer user_data)
{
    (void)c, (void)binary, (void)data, (void)len, (void)user_data;
}

static void
discard_messages(ScCall *call, ScChannel *c, gpointer user_data)
{
    (void)call, (void)user_data;
    sc_channel_set_message_func(c, discard_message, NULL, NULL);
}

static gboolean
lows_reached(gpointer data)
{
    WantLows *w = data;

    return w->seen->lows >= w->lows;
}

/* Sends 16 KiB messages on @c until its buffered amount is above @above
 * (at most 64 MiB): TRUE when it got there. */
static gboolean
fill_above(ScChannel *c, gsize above)
{
    static guint8 chunk[16384];

    for (guint i = 0; i < 4096; i++) {
        if (sc_channel_get_buffered_amount(c) > above)
            return TRUE;
        g_assert_true(sc_channel_send(c, TRUE, chunk, sizeof chunk, NULL));
    }
    return FALSE;
}

/* The buffered-amount-low function runs once each time the amount falls
 * from above the threshold to it or below (the threshold is kept from
 * before the open), never while the amount stays at or below it, and not
 * once a hangup has begun. */
static void
test_buffered_amount_low(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Seen *s = seen_new();
    Seen *never = seen_new();
    WantLows w = {s, 1};
    ScChannel *c, *quiet;

    (void)data;
    /* the answerer takes the messages without making events of them */
    sc_call_set_channel_func(f->ans.call, discard_messages, NULL, NULL);
    c = sc_call_get_channel(f->off.call, "b", TRUE, -1, -1, &error);
    quiet = sc_call_get_channel(f->off.call, "q", TRUE, -1, -1, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(sc_channel_get_buffered_amount_low_threshold(c), ==, 0);
    sc_channel_set_buffered_amount_low_threshold(c, 256 * 1024);
    g_assert_cmpuint(sc_channel_get_buffered_amount_low_threshold(c), ==,
                     256 * 1024);
    sc_channel_set_buffered_amount_low_func(c, on_low, s, seen_destroyed);
    /* the upper bound: an amount never above it never fires */
    sc_channel_set_buffered_amount_low_threshold(quiet, G_MAXSIZE);
    g_assert_cmpuint(sc_channel_get_buffered_amount_low_threshold(quiet), ==,
                     G_MAXSIZE);
    sc_channel_set_buffered_amount_low_func(quiet, on_low, never, NULL);
    start(f);
    g_assert_true(sc_test_run_until(NULL, is_open, c, DEADLINE_MS));
    g_assert_true(sc_test_run_until(NULL, is_open, quiet, DEADLINE_MS));
    g_assert_cmpuint(s->lows, ==, 0);

    g_assert_true(fill_above(c, 1024 * 1024));
    g_assert_true(fill_above(quiet, 1024 * 1024));
    g_assert_true(sc_test_run_until(NULL, lows_reached, &w, DEADLINE_MS));
    g_assert_cmpuint(s->low_amount, <=, 256 * 1024);
    /* twice: a second fall fires again, with a threshold changed on the
     * open channel */
    sc_channel_set_buffered_amount_low_threshold(c, 128 * 1024);
    g_assert_true(fill_above(c, 1024 * 1024));
    w.lows = 2;
    g_assert_true(sc_test_run_until(NULL, lows_reached, &w, DEADLINE_MS));
    g_assert_cmpuint(s->low_amount, <=, 128 * 1024);
    g_assert_cmpuint(never->lows, ==, 0);

    /* once a hangup has begun, nothing: the queue drains without it */
    g_assert_true(fill_above(c, 1024 * 1024));
    sc_call_hangup(f->off.call);
    g_assert_true(sc_test_run_until(NULL, both_ended, f, DEADLINE_MS));
    g_assert_cmpuint(s->lows, ==, 2);
    g_assert_cmpuint(never->lows, ==, 0);
    /* the functions went with the channel (closed as SCTP shut down), or
     * go with the call: once, either way */
    sc_call_set_event_func(f->off.call, NULL, NULL, NULL);
    sc_call_unref(g_steal_pointer(&f->off.call));
    g_assert_cmpuint(s->destroyed, ==, 1);
    seen_free(s);
    seen_free(never);
}

/* An application's events: bench and error only, queued behind the
 * call's own, refused once the call has ended. */
static void
test_post_event(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    ScCallEvent *ev;

    (void)data;
    ev = sc_call_event_new(SC_CALL_EVENT_BENCH);
    sc_call_event_set_string(ev, "role", "sender");
    sc_call_event_set_int(ev, "bytes", 42);
    sc_call_event_set_double(ev, "mbps", 1.5);
    sc_call_event_set_string(ev, "bad", "\xff");
    g_assert_true(sc_call_post_event(f->off.call, ev, &error));
    g_assert_no_error(error);
    ev = sc_call_event_new(SC_CALL_EVENT_DTLS);
    g_assert_false(sc_call_post_event(f->off.call, ev, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    sc_call_event_free(sc_call_event_new(SC_CALL_EVENT_ERROR));
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_assert_cmpuint(f->off.events->len, >=, 1);
    g_assert_cmpstr(find_event(&f->off, "{\"event\":\"bench\""), ==,
                    "{\"event\":\"bench\",\"role\":\"sender\",\"bytes\":42,"
                    "\"mbps\":1.5,\"bad\":\"\xef\xbf\xbd\"}");
    g_assert_cmpuint(count_events(&f->off, "{\"event\":\"dtls\""), ==, 0);

    sc_call_hangup(f->off.call); /* not started: ends at once */
    ev = sc_call_event_new(SC_CALL_EVENT_ERROR);
    g_assert_false(sc_call_post_event(f->off.call, ev, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    /* nothing after `ended` */
    wait_event(&f->off, "{\"event\":\"ended\"");
    g_assert_true(g_str_has_prefix(
        f->off.events->pdata[f->off.events->len - 1], "{\"event\":\"ended\""));
}

/* The functions' data: freed when replaced, at once when given with no
 * function, and when the call drops the channel (here: its free). */
static void
test_func_slots(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Seen *s = seen_new();
    ScChannel *c;

    (void)data;
    c = sc_call_get_channel(f->off.call, "n", TRUE, -1, -1, &error);
    g_assert_no_error(error);
    sc_channel_set_state_func(c, NULL, s, seen_destroyed);
    g_assert_cmpuint(s->destroyed, ==, 1);
    sc_channel_set_message_func(c, on_message, s, seen_destroyed);
    sc_channel_set_message_func(c, on_message, s, seen_destroyed);
    g_assert_cmpuint(s->destroyed, ==, 2);
    sc_channel_set_buffered_amount_low_func(c, on_low, s, seen_destroyed);
    sc_call_set_channel_func(f->off.call, discard_messages, s, seen_destroyed);
    sc_call_set_event_func(f->off.call, NULL, NULL, NULL);
    sc_call_unref(g_steal_pointer(&f->off.call));
    g_assert_cmpuint(s->destroyed, ==, 5);
    seen_free(s);
}

/* sc_call_start_bench(): its chunk bounds, and the receiver is the
 * application's choice (sc_call_enable_bench_receiver()). */
static void
test_bench(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    (void)data;
    g_assert_false(sc_call_start_bench(f->off.call, 1024, 0, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_false(sc_call_start_bench(f->off.call, 1024, 262145, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    /* without a receiver, the start is a plain message */
    g_assert_true(sc_call_start_bench(f->off.call, 0, 262144, &error));
    g_assert_no_error(error);
    g_assert_false(sc_call_start_bench(f->off.call, 0, 1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    start(f);
    g_assert_cmpstr(wait_event(&f->ans, "{\"event\":\"message\""), ==,
                    "{\"event\":\"message\",\"label\":\"bench\","
                    "\"text\":\"start 0 262144\"}");
    g_assert_cmpuint(count_events(&f->off, "{\"event\":\"bench\""), ==, 0);
    g_assert_cmpuint(count_events(&f->ans, "{\"event\":\"bench\""), ==, 0);
}

static gboolean
bench_events(gpointer data)
{
    Fixture *f = data;

    return find_event(&f->off, "{\"event\":\"bench\"") != NULL &&
           find_event(&f->ans, "{\"event\":\"bench\"") != NULL;
}

/* With the receiver on: 3 MiB in 100,000-byte chunks (the last shorter),
 * every byte checked, both sides report. */
static void
test_bench_receiver(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *want = NULL;

    (void)data;
    sc_call_enable_bench_receiver(f->ans.call);
    start(f);
    g_assert_true(sc_call_start_bench(f->off.call, 3 * 1024 * 1024, 100000,
                                      &error));
    g_assert_no_error(error);
    g_assert_true(sc_test_run_until(NULL, bench_events, f, DEADLINE_MS));
    want = g_strdup_printf("{\"event\":\"bench\",\"role\":\"receiver\","
                           "\"bytes\":%u,\"pattern\":\"ok\"}",
                           3 * 1024 * 1024);
    g_assert_cmpstr(find_event(&f->ans, "{\"event\":\"bench\""), ==, want);
    g_assert_true(g_str_has_prefix(
        find_event(&f->off, "{\"event\":\"bench\""),
        "{\"event\":\"bench\",\"role\":\"sender\",\"bytes\":3145728,"
        "\"chunk\":100000,\"seconds\":"));
    g_assert_cmpuint(count_events(&f->ans, "{\"event\":\"message\""), ==, 0);
    g_assert_cmpuint(count_events(&f->off, "{\"event\":\"error\""), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn)                                                       \
    g_test_add("/channel-api/" path, Fixture, NULL, fixture_setup, fn,      \
               fixture_teardown)
    ADD("message-func", test_message_func);
    ADD("buffered-amount-low", test_buffered_amount_low);
    ADD("post-event", test_post_event);
    ADD("func-slots", test_func_slots);
    ADD("bench-bounds", test_bench);
    ADD("bench-receiver", test_bench_receiver);
#undef ADD
    return g_test_run();
}
