/* bench/idle-calls.c - memory per idle call: N calls (2N endpoints) with
 * one open data channel each, in one process, through an in-process relay
 * on 127.0.0.1. Prints the RSS growth per call (both ends of a call count,
 * so per endpoint is half). Public API only.
 * Usage: idle-calls [N [RELAY-PORT]]   (default 50 calls; with a port, an
 * external relay on 127.0.0.1 is used so that its memory is not counted)
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sealcall/sealcall.h>
#include "bench-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_open;
static int n_failed;

static void
on_event(ScCall *call, const ScCallEvent *ev, gpointer data)
{
    switch (sc_call_event_get_kind(ev)) {
    case SC_CALL_EVENT_CHANNEL:
        if (g_strcmp0(sc_call_event_get_string(ev, "state"), "open") == 0)
            n_open++;
        break;
    case SC_CALL_EVENT_ENDED:
        n_failed++;
        fprintf(stderr, "call ended: %s\n",
                sc_call_event_get_string(ev, "detail"));
        break;
    default:
        break;
    }
}

static gboolean
on_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

static gboolean
run_until(int want_open, guint ms)
{
    gboolean expired = FALSE;
    guint id = g_timeout_add(ms, on_timeout, &expired);

    while (n_open < want_open && n_failed == 0 && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(id);
    return n_open >= want_open;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50;
    int ext_port = argc > 2 ? atoi(argv[2]) : 0;
    guint port;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScRelay) relay = NULL;
    g_autoptr(ScEndpoint) ep = NULL;
    GPtrArray *calls = g_ptr_array_new_with_free_func(
        (GDestroyNotify)sc_call_unref);
    long before = -1;
    long after;

    if (n <= 0 || n > 1000) {
        fprintf(stderr, "usage: idle-calls [N in 1..1000]\n");
        return 2;
    }
    if (ext_port <= 0 || ext_port > 65535)
        relay = sc_relay_new(NULL, "127.0.0.1", 0, &error);
    ep = (relay != NULL || ext_port > 0) ? sc_endpoint_new(NULL, &error)
                                         : NULL;
    port = relay != NULL ? sc_relay_get_port(relay) : (guint)ext_port;
    if (ep == NULL) {
        fprintf(stderr, "idle-calls: %s\n", error->message);
        return 1;
    }
    /* warm up: one call so that one-time allocations are not counted */
    for (int round = 0; round < 2; round++) {
        int count = round == 0 ? 1 : n;
        int base = n_open;
        if (round == 1)
            before = bench_rss_kb();
        for (int i = 0; i < count; i++) {
            char url[128];
            g_snprintf(url, sizeof url, "ws://127.0.0.1:%u/room/r%d-%d",
                       port, round, i);
            for (int role = 0; role < 2; role++) {
                ScCall *c = sc_call_new(ep, role == 0 ? SC_CALL_ROLE_ANSWERER
                                                      : SC_CALL_ROLE_OFFERER,
                                        &error);
                if (c == NULL || !sc_call_set_signal_url(c, url, &error) ||
                    !sc_call_add_local_address(c, "127.0.0.1", &error)) {
                    fprintf(stderr, "idle-calls: %s\n", error->message);
                    return 1;
                }
                sc_call_set_event_func(c, on_event, NULL, NULL);
                if (!sc_call_start(c, &error)) {
                    fprintf(stderr, "idle-calls: %s\n", error->message);
                    return 1;
                }
                g_ptr_array_add(calls, c);
            }
            /* one call at a time keeps the offerer/answerer order simple */
            if (!run_until(base + 2 * (i + 1), 30000)) {
                fprintf(stderr, "idle-calls: call %d did not open its "
                                "channel\n", i);
                return 1;
            }
        }
    }
    /* let every call settle (timers, SCTP SACKs) */
    {
        gboolean expired = FALSE;
        g_timeout_add(1000, on_timeout, &expired);
        while (!expired)
            g_main_context_iteration(NULL, TRUE);
    }
    after = bench_rss_kb();
    printf("{\"calls\":%d,\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,"
           "\"kb_per_call\":%.1f,\"kb_per_endpoint\":%.1f}\n",
           n, before, after, (double)(after - before) / n,
           (double)(after - before) / (2.0 * n));
    g_ptr_array_unref(calls);
    return 0;
}
