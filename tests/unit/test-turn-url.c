/* tests/unit/test-turn-url.c - TURN server URLs (RFC 7065 with the
 * contract's USER:PASS@): what is accepted and decoded, what is refused,
 * and that no error message shows the credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/ice.h"
#include "test-util.h"

#include <string.h>

static ScTurnServer *
parse_ok(const char *url)
{
    GError *error = NULL;
    ScTurnServer *s = sc_turn_url_parse(url, &error);

    g_assert_no_error(error);
    g_assert_nonnull(s);
    return s;
}

static void
test_udp_default(void)
{
    g_autoptr(ScTurnServer) s = parse_ok("turn:alice:secret1@192.0.2.1");

    g_assert_cmpstr(s->host, ==, "192.0.2.1");
    g_assert_cmpuint(s->port, ==, 3478);
    g_assert_false(s->tcp);
    g_assert_false(s->secure);
    g_assert_cmpstr(s->username, ==, "alice");
    g_assert_cmpstr(s->password, ==, "secret1");
    g_assert_cmpstr(s->url_redacted, ==,
                    "turn:***@192.0.2.1:3478?transport=udp");
}

static void
test_transports_and_ports(void)
{
    g_autoptr(ScTurnServer) a =
        parse_ok("turn:u:pw@127.0.0.1:34780?transport=tcp");
    g_autoptr(ScTurnServer) b =
        parse_ok("turn:u:pw@127.0.0.1:1?transport=udp");
    g_autoptr(ScTurnServer) c = parse_ok("turns:u:pw@127.0.0.1");
    g_autoptr(ScTurnServer) d =
        parse_ok("TURN:u:pw@127.0.0.1:65535?transport=tcp");

    g_assert_true(a->tcp);
    g_assert_cmpuint(a->port, ==, 34780);
    g_assert_false(b->tcp);
    g_assert_cmpuint(b->port, ==, 1);
    g_assert_true(c->secure);
    g_assert_true(c->tcp);
    g_assert_cmpuint(c->port, ==, 5349);
    g_assert_cmpuint(d->port, ==, 65535);
}

static void
test_ipv6(void)
{
    g_autoptr(ScTurnServer) s = parse_ok("turn:u:pw@[::1]:3479");
    g_autoptr(ScTurnServer) t = parse_ok("turn:u:pw@[2001:db8::7]");

    g_assert_cmpstr(s->host, ==, "::1");
    g_assert_cmpuint(s->port, ==, 3479);
    g_assert_cmpstr(s->url_redacted, ==, "turn:***@[::1]:3479?transport=udp");
    g_assert_cmpstr(t->host, ==, "2001:db8::7");
    g_assert_cmpuint(t->port, ==, 3478);
}

static void
test_percent_decoding(void)
{
    /* ':' in USER, '@' '?' '/' '%' and ':' in PASS, a UTF-8 USER */
    g_autoptr(ScTurnServer) s = parse_ok(
        "turn:us%3Aer:p%40s%3Fs%2Fw%25d:x@10.0.0.1:9?transport=udp");
    g_autoptr(ScTurnServer) t = parse_ok("turn:j%C3%BCrg:pw@10.0.0.1");

    g_assert_cmpstr(s->username, ==, "us:er");
    g_assert_cmpstr(s->password, ==, "p@s?s/w%d:x");
    g_assert_cmpstr(t->username, ==, "j\xc3\xbcrg");
}

/* @url is refused with a message that contains @why and shows neither
 * "SECRETUSER" nor "SECRETPASS" in any form */
static void
refused(const char *url, const char *why)
{
    GError *error = NULL;
    ScTurnServer *s = sc_turn_url_parse(url, &error);

    if (s != NULL)
        g_error("accepted: %s", url);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    if (strstr(error->message, why) == NULL)
        g_error("%s: message \"%s\" does not say \"%s\"", url,
                error->message, why);
    g_assert_null(strstr(error->message, "SECRET"));
    g_assert_null(strstr(error->message, "secret"));
    g_assert_null(strstr(error->message, "%53ECRET"));
    g_error_free(error);
}

static void
test_refused(void)
{
    refused("stun:SECRETUSER:SECRETPASS@127.0.0.1", "must start with turn:");
    refused("http://SECRETUSER:SECRETPASS@127.0.0.1", "must start with");
    refused("turn:127.0.0.1:3478", "USER:PASS@ is missing");
    refused("turn:SECRETUSER@127.0.0.1", "PASS is missing");
    refused("turn://SECRETUSER:SECRETPASS@127.0.0.1", "no '//'");
    refused("turn:SECRETUSER:SECRET@PASS@127.0.0.1", "more than one '@'");
    refused("turn:SECRETUSER:SECRET PASS@127.0.0.1", "is not allowed");
    refused("turn:SECRETUSER:SECRET\x01PASS@127.0.0.1", "is not allowed");
    refused("turn:SECRETUSER:SECRET\xc3\xa9PASS@127.0.0.1", "is not allowed");
    refused("turn:SECRETUSER:SECRET/PASS@127.0.0.1", "is not allowed");
    refused("turn:SECRETUSER:SECRET#PASS@127.0.0.1", "is not allowed");
    refused("turn:SECRETUSER:SECRET?PASS@127.0.0.1", "'?'");
    refused("turn:SECRETUSER:SECRET[PASS@127.0.0.1", "'['");
    refused("turn:SECRETUSER:SECRET%zzPASS@127.0.0.1", "percent-encoding");
    refused("turn:SECRETUSER:SECRET%00PASS@127.0.0.1", "percent-encoding");
    refused("turn:SECRETUSER:SECRET%01PASS@127.0.0.1", "control characters");
    refused("turn:SECRETUSER:SECRET%FFPASS@127.0.0.1", "percent-encoding");
    refused("turn::SECRETPASS@127.0.0.1", "USER and PASS must");
    refused("turn:SECRETUSER:@127.0.0.1", "USER and PASS must");
    refused("turn:SECRETUSER:SECRETPASS@turn.example.org", "IP address");
    refused("turn:SECRETUSER:SECRETPASS@", "IP address");
    refused("turn:SECRETUSER:SECRETPASS@[fe80::1%25eth0]:3478", "IP address");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1:0", "1 to 65535");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1:65536", "percent-encoding, "
                                                         "host or port");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1:", "empty port");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1:12a", "host or port");
    refused("turn:SECRETUSER:SECRETPASS@[::1", "host or port");
    refused("turn:SECRETUSER:SECRETPASS@::1", "host or port");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1:3478?transport=sctp",
            "transport=udp or transport=tcp");
    refused("turn:SECRETUSER:SECRETPASS@127.0.0.1?transport=udp&x=1",
            "the only parameter");
    refused("turns:SECRETUSER:SECRETPASS@127.0.0.1?transport=udp", "DTLS");
    {
        /* long: refused before any parsing, bounded message */
        g_autofree char *pass = g_strnfill(2000, 'S');
        g_autofree char *url =
            g_strdup_printf("turn:SECRETUSER:%s@127.0.0.1", pass);
        refused(url, "longer than");
    }
    {
        g_autofree char *pass = g_strnfill(300, 'S');
        g_autofree char *url =
            g_strdup_printf("turn:SECRETUSER:%s@127.0.0.1", pass);
        refused(url, "1 to 256 characters");
    }
}

static void
test_redact(void)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"turn:SECRETUSER:SECRETPASS@127.0.0.1:3478",
         "turn:***@127.0.0.1:3478"},
        {"turns:a:b@[::1]?transport=tcp", "turns:***@[::1]?transport=tcp"},
        /* no '@': the password may be what looks like a host */
        {"turn:SECRETUSER:SECRETPASS", "turn:***"},
        {"http://SECRETUSER:SECRETPASS@h", "(not turn: or turns:)"},
        {"turn:SECRET@PASS@127.0.0.1\x1b[2J", "turn:***@127.0.0.1?[2J"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *r = sc_turn_url_redact(cases[i].in);
        g_assert_cmpstr(r, ==, cases[i].out);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/turn-url/udp-default", test_udp_default);
    g_test_add_func("/turn-url/transports-ports", test_transports_and_ports);
    g_test_add_func("/turn-url/ipv6", test_ipv6);
    g_test_add_func("/turn-url/percent-decoding", test_percent_decoding);
    g_test_add_func("/turn-url/refused", test_refused);
    g_test_add_func("/turn-url/redact", test_redact);
    return g_test_run();
}
