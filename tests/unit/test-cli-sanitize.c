/* tests/unit/test-cli-sanitize.c - cli_sanitize(), the one filter for
 * text a peer controls on its way to the terminal: control characters,
 * escape sequences, bidi and line-separator characters and bytes that are
 * not UTF-8 become visible escapes; the length shown is bounded.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <glib.h>
#include <string.h>

static void
check(const char *in, gssize len, const char *want)
{
    g_autofree char *out = cli_sanitize(in, len, 4096, FALSE);
    g_assert_cmpstr(out, ==, want);
}

static void
test_controls(void)
{
    check("plain text, é ✓", -1, "plain text, é ✓");
    check("a\nb\rc\td\x1b[2Je\x7f", -1, "a\\x0ab\\x0dc\\x09d\\x1b[2Je\\x7f");
    check("\x07\x08\x0b\x0c\x1f", -1, "\\x07\\x08\\x0b\\x0c\\x1f");
    /* C1 controls, as UTF-8: NEL, CSI, OSC */
    check("\xc2\x85\xc2\x9b\xc2\x9d", -1, "\\u0085\\u009b\\u009d");
}

static void
test_layout(void)
{
    check("\xe2\x80\xae" "evil" "\xe2\x80\xac", -1, "\\u202eevil\\u202c");
    check("\xe2\x81\xa6x\xe2\x81\xa9", -1, "\\u2066x\\u2069");
    check("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", -1,
          "\\u2028\\u2029\\u200e\\u200f\\u061c");
}

static void
test_invalid_utf8(void)
{
    check("a\xff" "b\xc3", -1, "a\\xffb\\xc3");
    check("\xed\xa0\x80", -1, "\\xed\\xa0\\x80"); /* a surrogate */
    check("\xc0\xaf", -1, "\\xc0\\xaf");          /* overlong '/' */
    check("nul\0byte", 8, "nul\\x00byte");
}

static void
test_bounded(void)
{
    g_autofree char *big = g_strnfill(10000, 'A');
    g_autofree char *out = cli_sanitize(big, -1, 100, FALSE);
    g_autofree char *want = g_strdup_printf(
        "%.*s...[9900 more bytes not shown]", 100, big);
    g_assert_cmpstr(out, ==, want);
    /* the bound counts input bytes; a character is never cut */
    g_autofree char *two = cli_sanitize("\xc3\xa9\xc3\xa9", -1, 3, FALSE);
    g_assert_cmpstr(two, ==, "\xc3\xa9\xc3\xa9");
    g_assert_null(cli_sanitize(NULL, -1, 10, FALSE));
}

static void
test_newlines_kept(void)
{
    g_autofree char *out = cli_sanitize("{\n  \"a\": \"\x1b\"\n}", -1, 4096,
                                        TRUE);
    g_assert_cmpstr(out, ==, "{\n  \"a\": \"\\x1b\"\n}");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/sanitize/controls", test_controls);
    g_test_add_func("/cli/sanitize/layout", test_layout);
    g_test_add_func("/cli/sanitize/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/cli/sanitize/bounded", test_bounded);
    g_test_add_func("/cli/sanitize/newlines-kept", test_newlines_kept);
    return g_test_run();
}
