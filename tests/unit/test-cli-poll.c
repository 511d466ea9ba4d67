/* tests/unit/test-cli-poll.c - ui-cli/poll.c: the precise poll function
 * still never fires a timer early, still reports ready file descriptors,
 * and switching it off gives GLib its own poll back.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"
#include "test-util.h"

#include <glib-unix.h>
#include <unistd.h>

#define TICK_MS 5
#define TICKS 20

typedef struct {
    gint64 due_us; /* when the next dispatch may come, at the earliest */
    guint fired;
    gint64 early_us;    /* the largest amount a dispatch came too early */
    gboolean done;
} Ticker;

static gboolean
on_tick(gpointer data)
{
    Ticker *t = data;
    gint64 now = g_get_monotonic_time();

    if (now < t->due_us)
        t->early_us = MAX(t->early_us, t->due_us - now);
    t->fired++;
    /* GLib re-arms a repeating timeout from the loop's time of this
     * dispatch (earlier than now by the dispatch work before it) */
    t->due_us = g_source_get_time(g_main_current_source()) + TICK_MS * 1000;
    if (t->fired == TICKS) {
        t->done = TRUE;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
run_ticker(void)
{
    Ticker t = {0};

    /* read the clock before the source does: its first expiry is no
     * earlier than this */
    gint64 start = g_get_monotonic_time();
    GSource *s = g_timeout_source_new(TICK_MS);

    t.due_us = start + TICK_MS * 1000;
    g_source_set_callback(s, on_tick, &t, NULL);
    g_source_attach(s, NULL);
    g_source_unref(s);
    g_assert_true(sc_test_run_until_flag(NULL, &t.done, 10000));
    g_assert_cmpuint(t.fired, ==, TICKS);
    /* a timer may come late, never early */
    g_assert_cmpint(t.early_us, ==, 0);
}

static void
test_timers_never_early(void)
{
    cli_set_precise_timers(TRUE);
    g_assert_true(g_main_context_get_poll_func(NULL) != g_poll);
    run_ticker();
    cli_set_precise_timers(FALSE);
    g_assert_true(g_main_context_get_poll_func(NULL) == g_poll);
    run_ticker();
}

typedef struct {
    int fds[2];
    gboolean readable;
    gboolean written;
} Pipe;

static gboolean
on_readable(gint fd, GIOCondition cond, gpointer data)
{
    Pipe *p = data;
    char c;

    g_assert_true(cond & G_IO_IN);
    g_assert_cmpint(read(fd, &c, 1), ==, 1);
    g_assert_cmpint(c, ==, 'x');
    p->readable = TRUE;
    return G_SOURCE_REMOVE;
}

static gpointer
writer_thread(gpointer data)
{
    Pipe *p = data;

    /* give the loop time to enter its wait; correctness does not depend
     * on it (a byte written earlier is just as readable) */
    g_usleep(20 * 1000);
    g_assert_cmpint(write(p->fds[1], "x", 1), ==, 1);
    g_atomic_int_set(&p->written, TRUE);
    return NULL;
}

static gboolean
never(gpointer data)
{
    (void)data;
    g_assert_not_reached();
    return G_SOURCE_REMOVE;
}

/* A descriptor that becomes ready while the loop waits for a far timer
 * wakes it (the wait is the poll function's, fds included). */
static void
test_fd_wakes_the_wait(void)
{
    Pipe p = {0};
    guint far;

    g_assert_true(g_unix_open_pipe(p.fds, FD_CLOEXEC, NULL));
    cli_set_precise_timers(TRUE);
    far = g_timeout_add_seconds(60, never, NULL);
    g_unix_fd_add(p.fds[0], G_IO_IN, on_readable, &p);
    /* write from a thread while the loop waits toward its far timers */
    {
        GThread *th = g_thread_new("writer", writer_thread, &p);
        g_assert_true(sc_test_run_until_flag(NULL, &p.readable, 30000));
        g_thread_join(th);
    }
    g_assert_true(g_atomic_int_get(&p.written));
    g_source_remove(far);
    cli_set_precise_timers(FALSE);
    close(p.fds[0]);
    close(p.fds[1]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/poll/timers-never-early", test_timers_never_early);
    g_test_add_func("/cli/poll/fd-wakes-the-wait", test_fd_wakes_the_wait);
    return g_test_run();
}
