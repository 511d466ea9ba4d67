/* src/core/clock.c - monotonic microseconds, replaceable by tests; the
 * clearing of main-loop sources.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"

static gint64 (*clock_func)(void) = g_get_monotonic_time;

gint64
sc_clock_now_us(void)
{
    return clock_func();
}

void
sc_clock_set_func(gint64 (*func)(void))
{
    clock_func = func != NULL ? func : g_get_monotonic_time;
}

void
sc_source_clear(GSource **source)
{
    if (*source == NULL)
        return;
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
}
