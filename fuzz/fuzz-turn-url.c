/* fuzz/fuzz-turn-url.c - sc_turn_url_parse() and sc_turn_url_redact() on
 * arbitrary text (a --turn value, a library caller's URL).
 * Properties: an accepted URL gives an IP host, a port, 1-256 byte
 * credentials without control characters, and a redacted form of exactly
 * scheme, host, port and transport; any redaction is printable, bounded
 * and shows nothing from before the last '@' (where the credentials
 * are); a refusal quotes the URL only as that redaction.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/ice.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_printable(const char *s, gsize max)
{
    g_assert_cmpuint(strlen(s), <=, max);
    for (const char *p = s; *p; p++)
        g_assert_true(g_ascii_isprint(*p));
}

/* @red is "SCHEME:***" then, if @text has an '@', "@" and what follows
 * its last '@' (non-graphic characters as '?', cut short): nothing from
 * before that '@' */
static void
check_redaction(const char *text, const char *red)
{
    const char *at = strrchr(text, '@');
    gsize skip;

    if (g_ascii_strncasecmp(text, "turn:", 5) == 0)
        skip = 4;
    else if (g_ascii_strncasecmp(text, "turns:", 6) == 0)
        skip = 5;
    else
        return;
    g_assert_true(strncmp(red + skip, ":***", 4) == 0);
    red += skip + 4;
    if (at == NULL) {
        g_assert_cmpstr(red, ==, "");
        return;
    }
    g_assert_cmpint(*red, ==, '@');
    for (gsize i = 1; red[i] != '\0'; i++) {
        g_assert_cmpint(at[i], !=, '\0');
        g_assert_cmpint(red[i], ==, g_ascii_isgraph(at[i]) ? at[i] : '?');
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    GError *error = NULL;
    ScTurnServer *s = sc_turn_url_parse(text, &error);
    char *red = sc_turn_url_redact(text);

    check_printable(red, 160);
    check_redaction(text, red);
    if (s != NULL) {
        g_assert_true(g_hostname_is_ip_address(s->host));
        g_assert_cmpuint(s->port, >, 0);
        g_assert_cmpuint(strlen(s->username), >=, 1);
        g_assert_cmpuint(strlen(s->username), <=, SC_TURN_MAX_CREDENTIAL_LEN);
        g_assert_cmpuint(strlen(s->password), >=, 1);
        g_assert_cmpuint(strlen(s->password), <=, SC_TURN_MAX_CREDENTIAL_LEN);
        for (const char *p = s->password; *p; p++)
            g_assert_cmpint((guchar)*p, >=, 0x20);
        {
            /* exactly scheme, host, port and transport: no credential */
            gboolean v6 = strchr(s->host, ':') != NULL;
            char *want = g_strdup_printf(
                "%s:***@%s%s%s:%u?transport=%s", s->secure ? "turns" : "turn",
                v6 ? "[" : "", s->host, v6 ? "]" : "", s->port,
                s->tcp ? "tcp" : "udp");
            g_assert_cmpstr(s->url_redacted, ==, want);
            g_free(want);
        }
        sc_turn_server_free(s);
    } else {
        /* all that a refusal quotes of the URL is the redaction */
        char *prefix = g_strdup_printf("TURN server %s: ", red);
        g_assert_nonnull(error);
        g_assert_true(g_str_has_prefix(error->message, prefix));
        g_free(prefix);
        g_error_free(error);
    }
    g_free(red);
    g_free(text);
    return 0;
}
