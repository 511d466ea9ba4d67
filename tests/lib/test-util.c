/* tests/lib/test-util.c - helpers for GLib tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-util.h"

static gboolean
on_deadline(gpointer data)
{
    gboolean *expired = data;
    *expired = TRUE;
    return G_SOURCE_REMOVE;
}

gboolean
sc_test_run_until(GMainContext *ctx, ScTestCondFunc cond, gpointer user_data,
                  guint timeout_ms)
{
    gboolean expired = FALSE;
    GSource *deadline = g_timeout_source_new(timeout_ms);

    g_source_set_callback(deadline, on_deadline, &expired, NULL);
    g_source_attach(deadline, ctx);
    while (!cond(user_data) && !expired)
        g_main_context_iteration(ctx, TRUE);
    g_source_destroy(deadline);
    g_source_unref(deadline);
    if (!cond(user_data)) {
        g_test_message("condition not reached within %u ms", timeout_ms);
        g_test_fail();
        return FALSE;
    }
    return TRUE;
}

static gboolean
flag_is_set(gpointer data)
{
    return *(const gboolean *)data;
}

gboolean
sc_test_run_until_flag(GMainContext *ctx, const gboolean *flag,
                       guint timeout_ms)
{
    return sc_test_run_until(ctx, flag_is_set, (gpointer)flag, timeout_ms);
}
