/* ui-cli/sanitize.c - text a peer controls, made safe to show on a
 * terminal: no control character, escape sequence, bidi override or line
 * separator reaches it raw (a peer could otherwise move the cursor, clear
 * the screen or draw a line of its own, such as a fake "peer certificate
 * verified"), invalid UTF-8 is shown byte by byte, and the length is
 * bounded.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <glib.h>
#include <string.h>

/* Characters that change how the text around them is laid out: the bidi
 * marks, embeddings, overrides and isolates (Unicode TR9) and the line and
 * paragraph separators. */
static gboolean
is_layout_char(gunichar c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || c == 0x2028 ||
           c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

char *
cli_sanitize(const char *s, long len, unsigned long max_bytes, int keep_newlines)
{
    GString *out;
    gsize n, i = 0;

    if (s == NULL)
        return NULL;
    n = len < 0 ? strlen(s) : (gsize)len;
    out = g_string_sized_new(MIN(n, max_bytes) + 16);
    while (i < n) {
        gunichar c;
        const char *p = s + i;
        gsize left = n - i;

        if (i >= max_bytes) {
            g_string_append_printf(out, "...[%" G_GSIZE_FORMAT
                                        " more bytes not shown]",
                                   n - i);
            break;
        }
        c = g_utf8_get_char_validated(p, (gssize)left);
        if (c == (gunichar)-1 || c == (gunichar)-2 || c == 0) {
            /* not UTF-8 (or a NUL): the byte's value, never the byte */
            g_string_append_printf(out, "\\x%02x", (guint)(guchar)*p);
            i++;
            continue;
        }
        if (c == '\n' && keep_newlines)
            g_string_append_c(out, '\n');
        else if (c < 0x20 || c == 0x7f)
            g_string_append_printf(out, "\\x%02x", (guint)c);
        else if ((c >= 0x80 && c <= 0x9f) || is_layout_char(c))
            g_string_append_printf(out, "\\u%04x", (guint)c);
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
        i += (gsize)(g_utf8_next_char(p) - p);
    }
    return g_string_free(out, FALSE);
}
