/* tests/lib/test-util.h - helpers for GLib tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_TEST_UTIL_H
#define SC_TEST_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*ScTestCondFunc)(gpointer user_data);

/* Iterates @ctx until @cond returns TRUE. Fails the test (g_test_fail and
 * returns FALSE) when @timeout_ms passes first: never hangs, never sleeps. */
gboolean sc_test_run_until(GMainContext *ctx, ScTestCondFunc cond,
                           gpointer user_data, guint timeout_ms);

/* Convenience: waits until *flag becomes TRUE. */
gboolean sc_test_run_until_flag(GMainContext *ctx, const gboolean *flag,
                                guint timeout_ms);

G_END_DECLS

#endif
