/* tests/unit/test-channels.c - the call's table of data channels
 * (src/call/channels.c): lookups by stream id and by label, same-label
 * chains, and records leaving the table (and memory) when they close
 * while the app's references keep the object.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "call/call-priv.h"
#include "test-util.h"

static ScChannel *
add(ScChannelTable *t, const char *label, int sid)
{
    ScChannel *c = sc_channel_new(NULL, label, TRUE, -1, -1);

    if (sid >= 0)
        c->sid = sid;
    sc_channel_table_add(t, c);
    sc_channel_unref(c); /* the table's reference is the only one */
    return c;
}

static void
test_lookups(void)
{
    ScChannelTable t;
    ScChannel *a, *b, *c, *d;

    sc_channel_table_init(&t);
    a = add(&t, "x", 1);
    b = add(&t, "x", 3);
    c = add(&t, "y", -1);
    d = add(&t, "x", 5);
    g_assert_cmpuint(sc_channel_table_size(&t), ==, 4);
    g_assert_true(sc_channel_table_by_sid(&t, 1) == a);
    g_assert_true(sc_channel_table_by_sid(&t, 3) == b);
    g_assert_null(sc_channel_table_by_sid(&t, -1));
    g_assert_null(sc_channel_table_by_sid(&t, 7));
    /* the oldest with a label answers */
    g_assert_true(sc_channel_table_by_label(&t, "x") == a);
    g_assert_true(sc_channel_table_by_label(&t, "y") == c);
    g_assert_null(sc_channel_table_by_label(&t, "z"));
    /* a sid assigned later is indexed */
    sc_channel_table_set_sid(&t, c, 7);
    g_assert_true(sc_channel_table_by_sid(&t, 7) == c);

    /* the middle of a same-label chain leaves */
    sc_channel_table_remove(&t, b);
    g_assert_null(sc_channel_table_by_sid(&t, 3));
    g_assert_true(sc_channel_table_by_label(&t, "x") == a);
    /* the head leaves: the next one answers */
    sc_channel_table_remove(&t, a);
    g_assert_true(sc_channel_table_by_label(&t, "x") == d);
    sc_channel_table_remove(&t, d);
    g_assert_null(sc_channel_table_by_label(&t, "x"));
    g_assert_cmpuint(sc_channel_table_size(&t), ==, 1);
    /* the last one leaves */
    sc_channel_table_remove(&t, c);
    g_assert_cmpuint(sc_channel_table_size(&t), ==, 0);
    sc_channel_table_clear(&t);
}

/* The app's reference outlives the record. */
static void
test_app_ref(void)
{
    ScChannelTable t;
    ScChannel *c, *held;

    sc_channel_table_init(&t);
    c = add(&t, "chat", 1);
    c->open = TRUE;
    held = sc_channel_ref(c);
    sc_channel_table_remove(&t, c);
    g_assert_cmpuint(sc_channel_table_size(&t), ==, 0);
    g_assert_null(sc_channel_table_by_label(&t, "chat"));
    g_assert_false(sc_channel_is_open(held));
    g_assert_cmpstr(sc_channel_get_label(held), ==, "chat");
    g_assert_cmpint(sc_channel_get_id(held), ==, 1);
    sc_channel_unref(held);

    /* clearing the table detaches what the app still holds */
    c = add(&t, "kept", 2);
    held = sc_channel_ref(c);
    sc_channel_table_clear(&t);
    g_assert_cmpstr(sc_channel_get_label(held), ==, "kept");
    sc_channel_unref(held);
}

/* A peer opening and closing channels in a loop, big labels, some shared:
 * the table comes back to its baseline and lookups stay right. */
static void
test_churn(void)
{
    ScChannelTable t;
    g_autofree char *pad = g_strnfill(1000, 'x');
    ScChannel *keep;

    sc_channel_table_init(&t);
    keep = add(&t, "chat", 1);
    for (guint i = 0; i < 300; i++) {
        g_autofree char *label = g_strdup_printf("%u-%s", i % 7, pad);
        int sid = 3 + 2 * (int)(i % 5);
        ScChannel *c = add(&t, label, sid);

        g_assert_true(sc_channel_table_by_sid(&t, sid) == c);
        g_assert_true(sc_channel_table_by_label(&t, label) == c);
        g_assert_true(sc_channel_table_by_sid(&t, 1) == keep);
        sc_channel_table_remove(&t, c);
        g_assert_null(sc_channel_table_by_sid(&t, sid));
        g_assert_null(sc_channel_table_by_label(&t, label));
    }
    g_assert_cmpuint(sc_channel_table_size(&t), ==, 1);
    g_assert_true(sc_channel_table_by_label(&t, "chat") == keep);
    sc_channel_table_clear(&t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/call/channels/lookups", test_lookups);
    g_test_add_func("/call/channels/app-ref", test_app_ref);
    g_test_add_func("/call/channels/churn", test_churn);
    return g_test_run();
}
