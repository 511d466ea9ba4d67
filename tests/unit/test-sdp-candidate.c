/* tests/unit/test-sdp-candidate.c - a=candidate parse and print
 * (RFC 8839 §5.1, RFC 6544 tcptype, mDNS .local names).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"
#include "test-util.h"

#include <string.h>

static ScIceCandidate *
parse_ok(const char *line)
{
    GError *error = NULL;
    ScIceCandidate *c = sc_ice_candidate_parse(line, &error);

    g_assert_no_error(error);
    g_assert_nonnull(c);
    return c;
}

/* parse -> print gives @printed, and print is a fixed point */
static void
check_print(const ScIceCandidate *c, const char *printed)
{
    g_autofree char *s = sc_ice_candidate_to_string(c);
    g_autoptr(ScIceCandidate) again = parse_ok(s);
    g_autofree char *s2 = sc_ice_candidate_to_string(again);

    g_assert_cmpstr(s, ==, printed);
    g_assert_cmpstr(s2, ==, printed);
}

static void
test_host_udp(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:2395300328 1 udp 2122260223 192.168.1.23 51780 typ host "
        "generation 0 network-id 1 network-cost 10");

    g_assert_cmpstr(c->foundation, ==, "2395300328");
    g_assert_cmpuint(c->component, ==, 1);
    g_assert_cmpstr(c->transport, ==, "udp");
    g_assert_cmpuint(c->priority, ==, 2122260223u);
    g_assert_cmpstr(c->address, ==, "192.168.1.23");
    g_assert_cmpuint(c->port, ==, 51780);
    g_assert_cmpstr(c->type, ==, "host");
    g_assert_null(c->raddr);
    g_assert_cmpuint(c->rport, ==, 0);
    g_assert_null(c->tcptype);
    g_assert_null(c->ufrag);
    g_assert_false(c->mdns);
    check_print(c, "candidate:2395300328 1 udp 2122260223 192.168.1.23 51780 "
                   "typ host");
}

static void
test_srflx(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "a=candidate:842163049 1 udp 1686052607 203.0.113.7 51780 typ srflx "
        "raddr 192.168.1.23 rport 51780 generation 0 ufrag mV+7 "
        "network-id 1\r\n");

    g_assert_cmpstr(c->type, ==, "srflx");
    g_assert_cmpstr(c->raddr, ==, "192.168.1.23");
    g_assert_cmpuint(c->rport, ==, 51780);
    g_assert_cmpstr(c->ufrag, ==, "mV+7");
    check_print(c, "candidate:842163049 1 udp 1686052607 203.0.113.7 51780 "
                   "typ srflx raddr 192.168.1.23 rport 51780");
}

static void
test_relay(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:1010491826 2 UDP 41885439 198.51.100.20 61344 typ relay "
        "raddr 203.0.113.7 rport 51780");

    g_assert_cmpuint(c->component, ==, 2);
    g_assert_cmpstr(c->transport, ==, "udp"); /* Firefox writes UDP */
    g_assert_cmpstr(c->type, ==, "relay");
    check_print(c, "candidate:1010491826 2 udp 41885439 198.51.100.20 61344 "
                   "typ relay raddr 203.0.113.7 rport 51780");
}

static void
test_tcp(void)
{
    static const char *const types[] = {"active", "passive", "so"};

    for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
        g_autofree char *line = g_strdup_printf(
            "candidate:3561223412 1 TCP 1518280447 192.168.1.23 9 typ host "
            "tcptype %s generation 0",
            types[i]);
        g_autofree char *want = g_strdup_printf(
            "candidate:3561223412 1 tcp 1518280447 192.168.1.23 9 typ host "
            "tcptype %s",
            types[i]);
        g_autoptr(ScIceCandidate) c = parse_ok(line);

        g_assert_cmpstr(c->transport, ==, "tcp");
        g_assert_cmpstr(c->tcptype, ==, types[i]);
        check_print(c, want);
    }
}

static void
test_udp_ignores_tcptype(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:1 1 udp 1 10.0.0.1 1000 typ host tcptype passive");

    g_assert_null(c->tcptype);
}

static void
test_ipv6(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:1874312957 1 udp 2122262783 2001:db8:85a3::8a2e:370:7334 "
        "58230 typ host generation 0 network-id 2");

    g_assert_cmpstr(c->address, ==, "2001:db8:85a3::8a2e:370:7334");
    g_assert_false(c->mdns);
    check_print(c, "candidate:1874312957 1 udp 2122262783 "
                   "2001:db8:85a3::8a2e:370:7334 58230 typ host");

    g_autoptr(ScIceCandidate) s = parse_ok(
        "candidate:5 1 udp 1686052607 2001:db8::1 40000 typ srflx raddr :: "
        "rport 9");
    g_assert_cmpstr(s->raddr, ==, "::");
    g_assert_cmpuint(s->rport, ==, 9);
}

static void
test_mdns(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:0 1 UDP 2122252543 b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local "
        "50412 typ host");

    g_assert_true(c->mdns);
    g_assert_cmpstr(c->address, ==,
                    "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local");
    check_print(c, "candidate:0 1 udp 2122252543 "
                   "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local 50412 typ host");

    g_autoptr(ScIceCandidate) t = parse_ok(
        "candidate:2 1 TCP 2105524479 382ce527-1ae4-4ffe-9021-9c0897c9fe5f.LOCAL "
        "9 typ host tcptype active");
    g_assert_true(t->mdns);

    /* Firefox hides the related address of mDNS-wrapped srflx candidates */
    g_autoptr(ScIceCandidate) s = parse_ok(
        "candidate:1 1 UDP 1686052863 203.0.113.9 50412 typ srflx raddr "
        "0.0.0.0 rport 0");
    g_assert_cmpstr(s->raddr, ==, "0.0.0.0");
    g_assert_false(s->mdns);
}

static void
test_whitespace_and_limits(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "  candidate:abc+/XYZ 256 udp 4294967295 10.0.0.1 65535 typ prflx "
        "raddr 10.0.0.2 rport 0 lonely\n");

    g_assert_cmpstr(c->foundation, ==, "abc+/XYZ");
    g_assert_cmpuint(c->component, ==, 256);
    g_assert_cmpuint(c->priority, ==, G_MAXUINT32);
    g_assert_cmpuint(c->port, ==, 65535);
    g_assert_cmpstr(c->type, ==, "prflx");

    /* multiple blanks between fields */
    g_autoptr(ScIceCandidate) d =
        parse_ok("candidate:1  1 udp\t5 10.0.0.1   0 typ host");
    g_assert_cmpuint(d->port, ==, 0);
}

static void
test_copy(void)
{
    g_autoptr(ScIceCandidate) c = parse_ok(
        "candidate:7 1 tcp 99 10.1.2.3 4444 typ srflx raddr 10.0.0.1 rport 5 "
        "tcptype passive ufrag abcd");
    g_autoptr(ScIceCandidate) d = sc_ice_candidate_copy(c);
    g_autofree char *a = sc_ice_candidate_to_string(c);
    g_autofree char *b = sc_ice_candidate_to_string(d);

    g_assert_true(c->foundation != d->foundation);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(d->ufrag, ==, "abcd");
    g_assert_cmpstr(d->tcptype, ==, "passive");
}

static void
test_bad(void)
{
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"", "start"},
        {"candidate:", "fields"},
        {"foo:1 1 udp 1 10.0.0.1 1 typ host", "start"},
        {"candidate:1 1 udp 1 10.0.0.1 1 typ", "fields"},
        {"candidate:1 1 udp 1 10.0.0.1 1 host", "fields"},
        {"candidate:1 0 udp 1 10.0.0.1 1 typ host", "component"},
        {"candidate:1 257 udp 1 10.0.0.1 1 typ host", "component"},
        {"candidate:1 x udp 1 10.0.0.1 1 typ host", "component"},
        {"candidate:1 1 sctp 1 10.0.0.1 1 typ host", "transport"},
        {"candidate:1 1 udp 4294967296 10.0.0.1 1 typ host", "priority"},
        {"candidate:1 1 udp 99999999999 10.0.0.1 1 typ host", "priority"},
        {"candidate:1 1 udp 12a 10.0.0.1 1 typ host", "priority"},
        {"candidate:1 1 udp -1 10.0.0.1 1 typ host", "priority"},
        {"candidate:1 1 udp 1 10.0.0.1 65536 typ host", "port"},
        {"candidate:1 1 udp 1 10.0.0.1 -1 typ host", "port"},
        {"candidate:1 1 udp 1 10.0.0.1 1x typ host", "port"},
        {"candidate:1 1 udp 1 10.0.0.1 1 type host", "typ"},
        {"candidate:1 1 udp 1 10.0.0.1 1 typ foo", "type"},
        {"candidate:1 1 udp 1 example.com 1 typ host", "FQDN"},
        {"candidate:1 1 udp 1 a.b.local 1 typ host", "FQDN"},
        {"candidate:1 1 udp 1 .local 1 typ host", "FQDN"},
        {"candidate:1 1 udp 1 10.0.0.256 1 typ host", "FQDN"},
        {"candidate:1 1 udp 1 fe80::1%eth0 1 typ host", "FQDN"},
        {"candidate:1 1 tcp 1 10.0.0.1 9 typ host", "tcptype"},
        {"candidate:1 1 tcp 1 10.0.0.1 9 typ host tcptype both", "tcptype"},
        {"candidate:1 1 udp 1 10.0.0.1 1 typ srflx raddr host.example rport 1",
         "raddr"},
        {"candidate:1 1 udp 1 10.0.0.1 1 typ srflx raddr 10.0.0.2 rport 70000",
         "rport"},
        {"candidate:123456789012345678901234567890123 1 udp 1 10.0.0.1 1 typ "
         "host",
         "foundation"},
        {"candidate:a-b 1 udp 1 10.0.0.1 1 typ host", "foundation"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        ScIceCandidate *c = sc_ice_candidate_parse(bad[i].line, &error);

        if (c != NULL)
            g_error("accepted bad candidate \"%s\"", bad[i].line);
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
        if (strstr(error->message, bad[i].why) == NULL)
            g_error("\"%s\": message \"%s\" does not mention \"%s\"",
                    bad[i].line, error->message, bad[i].why);
        g_error_free(error);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/candidate/host-udp", test_host_udp);
    g_test_add_func("/sdp/candidate/srflx", test_srflx);
    g_test_add_func("/sdp/candidate/relay", test_relay);
    g_test_add_func("/sdp/candidate/tcp", test_tcp);
    g_test_add_func("/sdp/candidate/udp-ignores-tcptype",
                    test_udp_ignores_tcptype);
    g_test_add_func("/sdp/candidate/ipv6", test_ipv6);
    g_test_add_func("/sdp/candidate/mdns", test_mdns);
    g_test_add_func("/sdp/candidate/whitespace-and-limits",
                    test_whitespace_and_limits);
    g_test_add_func("/sdp/candidate/copy", test_copy);
    g_test_add_func("/sdp/candidate/bad", test_bad);
    return g_test_run();
}
