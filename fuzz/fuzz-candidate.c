/* fuzz/fuzz-candidate.c - sc_ice_candidate_parse() on arbitrary lines.
 * Property: parse -> to_string -> parse succeeds and prints identically.
 * Links sdp + core only (pure module, no stubs).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    ScIceCandidate *c = sc_ice_candidate_parse(text, NULL);

    if (c != NULL) {
        GError *error = NULL;
        char *printed = sc_ice_candidate_to_string(c);
        ScIceCandidate *again = sc_ice_candidate_parse(printed, &error);
        char *reprinted;

        if (again == NULL)
            g_error("printed candidate does not parse: %s: %s", printed,
                    error->message);
        reprinted = sc_ice_candidate_to_string(again);
        g_assert_cmpstr(printed, ==, reprinted);
        g_assert_cmpint(again->mdns, ==, c->mdns);
        g_assert_cmpuint(again->priority, ==, c->priority);
        g_free(reprinted);
        sc_ice_candidate_free(again);
        g_free(printed);
        sc_ice_candidate_free(c);
    }
    g_free(text);
    return 0;
}
