/* tests/unit/test-core.c - core: randomness, secrets, status names.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "test-util.h"

#include <string.h>

static void
test_random_ice_string(void)
{
    g_autofree char *a = sc_random_ice_string(24);
    g_autofree char *b = sc_random_ice_string(24);

    g_assert_cmpuint(strlen(a), ==, 24);
    g_assert_cmpstr(a, !=, b);
    for (const char *p = a; *p; p++)
        g_assert_true(g_ascii_isalnum(*p) || *p == '+' || *p == '/');
}

static void
test_random_uniform(void)
{
    guint seen[5] = {0};
    for (int i = 0; i < 2000; i++) {
        guint32 v = sc_random_uniform(5);
        g_assert_cmpuint(v, <, 5);
        seen[v]++;
    }
    for (int i = 0; i < 5; i++)
        g_assert_cmpuint(seen[i], >, 0);
}

static void
test_secret(void)
{
    const guint8 key[4] = {1, 2, 3, 4};
    g_autoptr(ScSecret) s = sc_secret_new_from(key, sizeof key);

    g_assert_cmpuint(s->len, ==, 4);
    g_assert_true(sc_secure_equal(s->data, key, 4));
    s->data[3] = 9;
    g_assert_false(sc_secure_equal(s->data, key, 4));
}

static void
test_status_names(void)
{
    g_assert_cmpstr(sc_status_to_string(SC_OK), ==, "ok");
    g_assert_cmpstr(sc_status_to_string(SC_DROP_REPLAY), ==, "replayed");
    g_assert_cmpstr(sc_status_to_string((ScStatus)999), ==, "invalid-status");
}

static void
test_error_domain(void)
{
    g_autoptr(GError) e = g_error_new(SC_ERROR, SC_ERROR_SDP_SYNTAX, "x");
    g_assert_error(e, SC_ERROR, SC_ERROR_SDP_SYNTAX);
    g_assert_cmpstr(g_quark_to_string(SC_ERROR), ==, "sealcall-error-quark");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/core/random/ice-string", test_random_ice_string);
    g_test_add_func("/core/random/uniform", test_random_uniform);
    g_test_add_func("/core/secret/compare", test_secret);
    g_test_add_func("/core/status/names", test_status_names);
    g_test_add_func("/core/error/domain", test_error_domain);
    return g_test_run();
}
