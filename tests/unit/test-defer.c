/* tests/unit/test-defer.c - the deferred-ICE API (src/call/defer.c)
 * without a peer: who may defer, when the setters work, and that accept
 * and decline are refused unless an announced call waits. The calls with
 * a peer are in tests/integration/test-call-defer.py.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call/call-priv.h"
#include "test-util.h"

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

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/call/defer/setters", test_setters);
    g_test_add_func("/call/defer/after-start", test_after_start);
    return g_test_run();
}
