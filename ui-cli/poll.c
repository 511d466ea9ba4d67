/* ui-cli/poll.c - a poll function for the GLib main context that wakes
 * timers on time, used while ICE connectivity checks are paced.
 *
 * GLib hands its poll function the time to the next timer in whole
 * milliseconds, rounded up, so a timer fires up to 1 ms late. A timer that
 * re-arms itself from its own dispatch, as libnice's connectivity-check
 * tick does every Ta (5 ms between sealcall endpoints), accumulates that
 * lateness at every tick: measured here, 5.3-5.5 ms per tick instead of 5,
 * and a call's ICE takes three ticks. This function sleeps to the start of
 * the last millisecond, then in 0.1 ms steps; each early return makes GLib
 * look at its timers again, so a due timer fires within about 0.1 ms of
 * its time, at the cost of at most ten more loop iterations per timer. It
 * is only worth that cost while checks are paced, so the call command
 * turns it on for the ICE checking state only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "cli.h"

#include <glib.h>
#include <poll.h>
#include <time.h>

/* GLib's GPollFD is struct pollfd on Unix (g_poll is poll(2) there). */
G_STATIC_ASSERT(sizeof(GPollFD) == sizeof(struct pollfd));
G_STATIC_ASSERT(G_STRUCT_OFFSET(GPollFD, fd) ==
                G_STRUCT_OFFSET(struct pollfd, fd));
G_STATIC_ASSERT(G_STRUCT_OFFSET(GPollFD, events) ==
                G_STRUCT_OFFSET(struct pollfd, events));
G_STATIC_ASSERT(G_STRUCT_OFFSET(GPollFD, revents) ==
                G_STRUCT_OFFSET(struct pollfd, revents));

#define FINE_STEP_US 100

static gint
precise_poll(GPollFD *fds, guint nfds, gint timeout_ms)
{
    struct timespec ts;
    gint64 us;

    if (timeout_ms <= 0)
        return g_poll(fds, nfds, timeout_ms);
    /* The timer is due in (timeout_ms - 1, timeout_ms] ms. */
    us = timeout_ms > 1 ? (gint64)(timeout_ms - 1) * 1000 : FINE_STEP_US;
    ts.tv_sec = (time_t)(us / G_USEC_PER_SEC);
    ts.tv_nsec = (long)(us % G_USEC_PER_SEC) * 1000;
    return ppoll((struct pollfd *)(void *)fds, (nfds_t)nfds, &ts, NULL);
}

void
cli_set_precise_timers(int on)
{
    g_main_context_set_poll_func(NULL, on ? precise_poll : g_poll);
}
