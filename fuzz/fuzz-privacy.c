/* fuzz/fuzz-privacy.c - privacy files (src/privacy): whatever
 * sc_privacy_rules_new_from_data() refuses gets one line starting with the
 * file's name; whatever it accepts resolves for any destination to a
 * decision whose JSON is an object, which covers itself, and which the
 * command line can override. Local input, but a file may be shared or
 * copied from elsewhere. Links privacy/ + core/ only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "privacy/privacy.h"

#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = {
        "ws://127.0.0.1:8800/room/a", "wss://sig.example.org/room/a",
        "ws://a.b.example.net:80/room/x"};
    static const char *const peers[] = {NULL, "alice@example.org",
                                        "bob@x.example.net"};
    GError *error = NULL;
    ScPrivacyRules *rules = sc_privacy_rules_new_from_data(
        (const char *)data, size, "fuzz", &error);

    if (rules == NULL) {
        g_assert_nonnull(error);
        g_assert_true(error->domain == SC_ERROR);
        g_assert_true(g_str_has_prefix(error->message, "fuzz:"));
        g_assert_null(strchr(error->message, '\n'));
        g_error_free(error);
        return 0;
    }
    g_assert_no_error(error);
    for (gsize u = 0; u < G_N_ELEMENTS(urls); u++) {
        for (gsize p = 0; p < G_N_ELEMENTS(peers); p++) {
            ScPrivacyDecision *d =
                sc_privacy_rules_resolve(rules, urls[u], peers[p], NULL);
            const char *req[] = {"relay_only=true", NULL};
            JsonParser *parser = json_parser_new();
            char *json;
            char *text;

            g_assert_nonnull(d);
            g_assert_true(sc_privacy_decision_covers(d, d));
            json = sc_privacy_decision_to_json(d);
            g_assert_true(json_parser_load_from_data(parser, json, -1, NULL));
            g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
            text = sc_privacy_decision_describe(d, p == 0);
            g_assert_nonnull(text);
            /* asking for more privacy is never refused */
            g_assert_true(sc_privacy_decision_merge(d, req, FALSE, NULL));
            g_assert_cmpstr(sc_privacy_decision_get(d, "ip_handling"), ==,
                            "relay-only");
            g_free(text);
            g_free(json);
            g_object_unref(parser);
            sc_privacy_decision_unref(d);
        }
    }
    sc_privacy_rules_free(rules);
    return 0;
}
