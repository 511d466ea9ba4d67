/* tests/unit/test-defer.c - the deferred-ICE API (src/call/defer.c)
 * without a peer: who may defer, when the setters work, and that accept
 * and decline are refused unless an announced call waits. The calls with
 * a peer are in tests/integration/test-call-defer.py.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call/call-priv.h"
#include "test-util.h"

#include <string.h>

static ScCall *
new_call(ScEndpoint *ep, ScCallRole role)
{
    g_autoptr(GError) error = NULL;
    ScCall *call = sc_call_new(ep, role, &error);

    g_assert_no_error(error);
    return call;
}

static void
test_setters(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScEndpoint) ep = sc_endpoint_new(NULL, NULL);
    g_autoptr(ScCall) offerer = new_call(ep, SC_CALL_ROLE_OFFERER);
    g_autoptr(ScCall) answerer = new_call(ep, SC_CALL_ROLE_ANSWERER);
    g_autofree char *report = NULL;

    /* the offerer has nothing to defer: its offer carries its candidates */
    g_assert_false(sc_call_set_defer_ice(offerer, TRUE, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);

    report = sc_call_inspect_json(answerer);
    g_assert_nonnull(strstr(report, "\"defer_ice\":\"off\""));
    g_clear_pointer(&report, g_free);
    g_assert_true(sc_call_set_defer_ice(answerer, TRUE, &error));
    report = sc_call_inspect_json(answerer);
    g_assert_nonnull(strstr(report, "\"defer_ice\":\"waiting\""));

    g_assert_false(sc_call_set_accept_timeout(answerer, 86401, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_assert_true(sc_call_set_accept_timeout(answerer, 0, &error));
    g_assert_true(sc_call_set_accept_timeout(answerer, 86400, &error));
    g_assert_no_error(error);

    /* nothing announced yet: nothing to accept or decline */
    g_assert_false(sc_call_accept(answerer, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    g_assert_false(sc_call_decline(answerer, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    /* an undeferred call has nothing to accept either */
    g_assert_false(sc_call_accept(offerer, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    g_assert_cmpstr(sc_call_defer_bye_reason(answerer), ==, "hangup");
}

static void
test_after_start(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScEndpoint) ep = sc_endpoint_new(NULL, NULL);
    g_autoptr(ScCall) call = new_call(ep, SC_CALL_ROLE_ANSWERER);

    g_assert_true(sc_call_set_signal_url(call, "ws://127.0.0.1:9/room/d",
                                         &error));
    g_assert_true(sc_call_set_defer_ice(call, TRUE, &error));
    g_assert_true(sc_call_start(call, &error));
    g_assert_no_error(error);
    g_assert_false(sc_call_set_defer_ice(call, FALSE, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    g_assert_false(sc_call_set_accept_timeout(call, 5, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    g_clear_error(&error);
    /* signaling up, no offer: the gate holds ICE back */
    g_assert_true(sc_call_defer_holds_ice(call));
    g_assert_null(call->ice);
    sc_call_hangup(call);
    while (g_main_context_iteration(NULL, FALSE))
        ;
}

static void
collect(ScCall *call, const ScCallEvent *ev, gpointer data)
{
    (void)call;
    g_ptr_array_add(data, sc_call_event_to_json(ev));
}

/* A browser's offer (audio, video, data) held: one `incoming` with what it
 * says, a second offer ignored, no ICE; then declined. */
static void
test_incoming_then_decline(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScEndpoint) ep = sc_endpoint_new(NULL, NULL);
    g_autoptr(ScCall) call = new_call(ep, SC_CALL_ROLE_ANSWERER);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *path = g_test_build_filename(
        G_TEST_DIST, "data", "sdp", "chromium-av-data-offer.sdp", NULL);
    g_autofree char *text = NULL;
    g_autofree char *want_fp = NULL;
    g_autofree char *report = NULL;
    ScSdpDesc *desc;
    const char *ev;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    desc = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, &error);
    g_assert_no_error(error);
    g_assert_true(sc_call_set_signal_url(
        call, "wss://relay.example:8443/room/r1", &error));
    g_assert_true(sc_call_set_defer_ice(call, TRUE, &error));
    sc_call_set_event_func(call, collect, g_ptr_array_ref(seen),
                           (GDestroyNotify)g_ptr_array_unref);
    g_assert_true(sc_call_defer_hold_offer(call, desc, text));
    g_assert_true(sc_call_defer_hold_offer(call, desc, text));
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_assert_cmpuint(seen->len, ==, 1);
    ev = seen->pdata[0];
    want_fp = g_strdup_printf("\"fingerprints\":[\"%s\"]",
                              (char *)desc->fingerprints->pdata[0]);
    g_assert_nonnull(strstr(ev, "\"event\":\"incoming\""));
    g_assert_nonnull(strstr(ev, "\"origin\":\"wss://relay.example:8443\""));
    g_assert_nonnull(strstr(ev, "\"room\":\"r1\""));
    g_assert_nonnull(strstr(ev, "\"media\":[\"audio\",\"video\"]"));
    g_assert_nonnull(strstr(ev, "\"data_channel\":true"));
    g_assert_nonnull(strstr(ev, want_fp));
    g_assert_nonnull(strstr(ev, "\"identity_present\":false"));
    g_assert_nonnull(strstr(ev, "\"identity\":null"));
    g_assert_nonnull(strstr(ev, "\"timeout\":60"));
    /* held: no ICE agent, and a hangup now would say declined */
    g_assert_null(call->ice);
    g_assert_cmpstr(sc_call_defer_bye_reason(call), ==, "declined");
    report = sc_call_inspect_json(call);
    g_assert_nonnull(strstr(report, "\"defer_ice\":\"incoming\""));

    g_assert_true(sc_call_decline(call, &error));
    g_assert_false(sc_call_accept(call, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_STATE);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    ev = seen->pdata[seen->len - 1];
    g_assert_nonnull(strstr(ev, "\"event\":\"ended\""));
    g_assert_nonnull(strstr(ev, "\"reason\":\"hangup\""));
    g_assert_nonnull(strstr(ev, "\"detail\":\"declined\""));
    g_assert_null(call->ice);
    sc_sdp_desc_free(desc);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/call/defer/setters", test_setters);
    g_test_add_func("/call/defer/after-start", test_after_start);
    g_test_add_func("/call/defer/incoming-then-decline",
                    test_incoming_then_decline);
    return g_test_run();
}
