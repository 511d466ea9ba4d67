/* tests/unit/test-ice-privacy.c - what our ICE candidates reveal
 * (src/ice/ice-reveal.c, mdns.c, ip-handling.c): with mDNS each host
 * address is signalled as a fresh "<uuid4>.local" name, the same name for
 * the same address within a transport and a different one in the next;
 * RFC 8828 Mode 3 signals no host candidate; with either, the related
 * address of a server-reflexive candidate (libnice writes the local
 * address there) is 0.0.0.0 or :: port 9; only names of the draft's
 * UUID form are ever looked up; with no Avahi daemon reachable, names are
 * still signalled (draft §3.1.1) and the peer's are ignored. The daemon
 * is kept out of reach here (a bus address that does not exist): the
 * integration and interop tests run one.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/ice-priv.h"
#include "ice/ice.h"
#include "ice/mdns.h"
#include "test-util.h"

#include <string.h>

typedef struct {
    GPtrArray *cands;
    gboolean done;
} Side;

/* gathering: lines as signalled, then NULL */
static void
collect(gpointer data, const char *line)
{
    Side *s = data;

    s->done = s->done || line == NULL;
    if (line != NULL)
        g_ptr_array_add(s->cands, g_strdup(line));
}

static void
ignore_state(gpointer data, ScIceState state)
{
}

static void
ignore_datagram(gpointer data, const guint8 *buf, gsize len)
{
}

static const ScIceCallbacks cb = {collect, ignore_state, ignore_datagram};

static gboolean
gathered(gpointer data)
{
    return ((Side *)data)->done;
}

static ScIceTransport *
gather(Side *s, gboolean hide_host, gboolean mdns)
{
    static const char *const lo[] = {"127.0.0.1", NULL};
    ScIceConfig cfg = {.controlling = TRUE,
                       .local_addresses = lo,
                       .hide_host = hide_host,
                       .mdns = mdns};
    g_autoptr(GError) error = NULL;
    ScIceTransport *t;

    s->cands = g_ptr_array_new_with_free_func(g_free);
    s->done = FALSE;
    t = sc_ice_transport_new(NULL, "t", &cfg, &cb, s, &error);
    g_assert_no_error(error);
    g_assert_true(sc_ice_transport_gather(t, &error));
    g_assert_no_error(error);
    g_assert_true(sc_test_run_until(NULL, gathered, s, 10000));
    return t;
}

/* field 5 (the address) of a "candidate:..." line */
static char *
address_of(const char *line)
{
    g_auto(GStrv) f = g_strsplit(line, " ", -1);
    g_assert_cmpuint(g_strv_length(f), >=, 8);
    return g_strdup(f[4]);
}

static void
test_name_syntax(void)
{
    static const char *const good[] = {
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local",
        "B14DE2CF-82A2-4CD0-BDAD-2A1871E59BEF.LOCAL",
    };
    static const char *const bad[] = {
        "printer.local", "b14de2cf.local", ".local", "",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local.",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.example",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.lan.local",
        "x.b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local",
        "b14de2cf-82a2-4cd0-bdad_2a1871e59bef.local",
        "b14de2cf82a2-4cd0-bdad-2a1871e59bef-.local",
        "g14de2cf-82a2-4cd0-bdad-2a1871e59bef.local",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59be.local",
        "b14de2cf-82a2-4cd0-bdad-2a1871e59bef0.local",
        "10.0.0.1", "example.com",
    };

    for (guint i = 0; i < G_N_ELEMENTS(good); i++)
        g_assert_true(sc_ice_mdns_name_is_valid(good[i]));
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(sc_ice_mdns_name_is_valid(bad[i]));
    g_assert_false(sc_ice_mdns_name_is_valid(NULL));
}

static void
test_host_as_mdns_name(void)
{
    Side a, b;
    ScIceTransport *ta = gather(&a, FALSE, TRUE);
    ScIceTransport *tb = gather(&b, FALSE, TRUE);
    g_auto(GStrv) listed = sc_ice_transport_get_local_candidates(ta);
    g_autofree char *name_a = NULL, *name_b = NULL;

    g_assert_cmpuint(a.cands->len, >=, 1);
    for (guint i = 0; i < a.cands->len; i++) {
        const char *line = a.cands->pdata[i];
        g_autofree char *addr = address_of(line);

        g_assert_null(strstr(line, "127.0.0.1"));
        g_assert_true(sc_ice_mdns_name_is_valid(addr));
        /* RFC 4122 version 4, variant 10 */
        g_assert_cmpint(addr[14], ==, '4');
        g_assert_nonnull(strchr("89ab", addr[19]));
        if (name_a == NULL)
            name_a = g_strdup(addr);
        g_assert_cmpstr(addr, ==, name_a); /* one address, one name */
    }
    /* the description lists the same lines as were trickled */
    g_assert_cmpuint(g_strv_length(listed), ==, a.cands->len);
    for (guint i = 0; listed[i] != NULL; i++)
        g_assert_cmpstr(listed[i], ==, a.cands->pdata[i]);
    /* another transport (another call): another name */
    name_b = address_of(b.cands->pdata[0]);
    g_assert_cmpstr(name_a, !=, name_b);
    sc_ice_transport_free(ta);
    sc_ice_transport_free(tb);
    g_ptr_array_unref(a.cands);
    g_ptr_array_unref(b.cands);
}

static void
test_plain_host_by_default(void)
{
    Side a;
    ScIceTransport *t = gather(&a, FALSE, FALSE);

    g_assert_cmpuint(a.cands->len, >=, 1);
    for (guint i = 0; i < a.cands->len; i++) {
        g_autofree char *addr = address_of(a.cands->pdata[i]);
        g_assert_cmpstr(addr, ==, "127.0.0.1");
    }
    sc_ice_transport_free(t);
    g_ptr_array_unref(a.cands);
}

static void
test_mode3_hides_host(void)
{
    Side a;
    ScIceTransport *t = gather(&a, TRUE, TRUE);
    g_auto(GStrv) listed = sc_ice_transport_get_local_candidates(t);

    /* gathering finished, nothing signalled: no STUN, no TURN here */
    g_assert_true(a.done);
    g_assert_cmpuint(a.cands->len, ==, 0);
    g_assert_cmpuint(g_strv_length(listed), ==, 0);
    sc_ice_transport_free(t);
    g_ptr_array_unref(a.cands);
}

/* The line signalled for a server-reflexive candidate whose base is
 * @base (libnice puts the base in raddr/rport). */
static char *
srflx_line(gboolean hide_host, gboolean mdns, const char *addr,
           const char *base)
{
    Side a;
    ScIceTransport *t = gather(&a, hide_host, mdns);
    NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE);
    char *line;

    c->stream_id = t->stream_id;
    c->component_id = 1;
    c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
    c->priority = 1686052607;
    g_strlcpy(c->foundation, "2", sizeof c->foundation);
    g_assert_true(nice_address_set_from_string(&c->addr, addr));
    nice_address_set_port(&c->addr, 40000);
    g_assert_true(nice_address_set_from_string(&c->base_addr, base));
    nice_address_set_port(&c->base_addr, 5000);
    line = sc_ice_signalled_line(t, c);
    nice_candidate_free(c);
    sc_ice_transport_free(t);
    g_ptr_array_unref(a.cands);
    return line;
}

static void
test_related_address_suppressed(void)
{
    static const struct {
        gboolean hide_host, mdns;
        const char *addr, *base;
        const char *want; /* in the line */
        const char *gone; /* not in the line */
    } cases[] = {
        /* without either, libnice's related address goes out as is */
        {FALSE, FALSE, "203.0.113.5", "192.168.1.20",
         "raddr 192.168.1.20 rport 5000", NULL},
        {FALSE, TRUE, "203.0.113.5", "192.168.1.20", "raddr 0.0.0.0 rport 9",
         "192.168.1.20"},
        {TRUE, FALSE, "203.0.113.5", "192.168.1.20", "raddr 0.0.0.0 rport 9",
         "192.168.1.20"},
        {FALSE, TRUE, "2001:db8::5", "fd00::20", "raddr :: rport 9",
         "fd00::20"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *line = srflx_line(cases[i].hide_host, cases[i].mdns,
                                           cases[i].addr, cases[i].base);
        g_autofree char *addr = g_strdup_printf(" %s 40000 typ srflx",
                                                cases[i].addr);

        g_assert_nonnull(strstr(line, addr));
        g_assert_nonnull(strstr(line, cases[i].want));
        if (cases[i].gone != NULL)
            g_assert_null(strstr(line, cases[i].gone));
    }
}

static void
test_remote_names(void)
{
    static const char *const lines[] = {
        /* not the draft's form: never looked up, ignored */
        "candidate:1 1 udp 2122252543 printer.local 50412 typ host",
        "candidate:2 1 udp 2122252543 a-b.local 50412 typ host",
        /* the draft's form, but no daemon: ignored */
        ("candidate:3 1 udp 2122252543 "
         "b14de2cf-82a2-4cd0-bdad-2a1871e59bef.local 50412 typ host"),
    };
    Side a;
    ScIceTransport *t = gather(&a, FALSE, FALSE);
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_assert_true(
            sc_ice_transport_add_remote_candidate(t, lines[i], &error));
        g_assert_no_error(error);
    }
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(t), ==, 0);
    /* an IP literal is added as before */
    g_assert_true(sc_ice_transport_add_remote_candidate(
        t, "candidate:4 1 udp 2122252543 127.0.0.1 50412 typ host", &error));
    g_assert_no_error(error);
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(t), ==, 1);
    sc_ice_transport_free(t);
    g_ptr_array_unref(a.cands);
}

static void
count_log(ScLogLevel level, const char *module, const char *message,
          gpointer data)
{
    if (strstr(message, "mDNS: the peer sent more than") != NULL)
        (*(guint *)data)++;
}

/* A peer's distinct names are looked up at most SC_ICE_MDNS_MAX_NAMES
 * times a transport (the draft's mDNS flooding): past the cap nothing is
 * looked up, said once. Without a daemon a lookup fails at once, which
 * counts the same. */
static void
test_name_cap(void)
{
    Side a;
    ScIceTransport *t = gather(&a, FALSE, FALSE);
    guint over = 0;

    sc_log_set_handler(count_log, &over, NULL);
    for (guint i = 0; i < SC_ICE_MDNS_MAX_NAMES + 4; i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *line = g_strdup_printf(
            "candidate:%u 1 udp 2122252543 "
            "%08x-82a2-4cd0-bdad-2a1871e59bef.local 50412 typ host", i, i);

        g_assert_true(sc_ice_transport_add_remote_candidate(t, line, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(over, ==, i < SC_ICE_MDNS_MAX_NAMES ? 0 : 1);
    }
    sc_log_set_handler(NULL, NULL, NULL);
    g_assert_cmpuint(sc_ice_transport_get_n_remote_candidates(t), ==, 0);
    sc_ice_transport_free(t);
    g_ptr_array_unref(a.cands);
}

static void
test_default_route(void)
{
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) only = sc_ice_default_route_addresses(FALSE, &error);
    g_auto(GStrv) all = NULL;

    if (only == NULL) {
        /* a machine without a default route */
        g_assert_error(error, SC_ERROR, SC_ERROR_ICE_FAILED);
        g_test_skip("no default route here");
        return;
    }
    all = sc_ice_default_route_addresses(TRUE, &error);
    g_assert_no_error(error);
    g_assert_nonnull(all);
    /* Mode 3's addresses are among Mode 2's, at most one per family */
    g_assert_cmpuint(g_strv_length(only), <=, 2);
    for (guint i = 0; only[i] != NULL; i++) {
        g_assert_true(g_hostname_is_ip_address(only[i]));
        g_assert_true(g_strv_contains((const char *const *)all, only[i]));
    }
}

int
main(int argc, char **argv)
{
    /* no Avahi daemon: a system bus address where nothing listens */
    g_setenv("DBUS_SYSTEM_BUS_ADDRESS",
             "unix:path=/nonexistent/sealcall-test-bus", TRUE);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/privacy/mdns-name-syntax", test_name_syntax);
    g_test_add_func("/ice/privacy/host-as-mdns-name", test_host_as_mdns_name);
    g_test_add_func("/ice/privacy/plain-host-by-default",
                    test_plain_host_by_default);
    g_test_add_func("/ice/privacy/mode3-hides-host", test_mode3_hides_host);
    g_test_add_func("/ice/privacy/related-address-suppressed",
                    test_related_address_suppressed);
    g_test_add_func("/ice/privacy/remote-names", test_remote_names);
    g_test_add_func("/ice/privacy/name-cap", test_name_cap);
    g_test_add_func("/ice/privacy/default-route", test_default_route);
    return g_test_run();
}
