/* fuzz/fuzz-sdp.c - sc_sdp_parse() on arbitrary text, as offer and as
 * answer. Property: whatever parses as an offer with a data section gets an
 * answer from sc_sdp_create_answer(), and that answer parses as an answer
 * with the same m-lines, the data section accepted.
 * Links sdp + core only (pure module, no stubs).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sdp/sdp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fps[] = {
    "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
    "FF:00:11:22:33:44:55:66:77:88:99",
    NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    ScSdpDesc *offer = sc_sdp_parse(SC_SDP_TYPE_OFFER, text, NULL);
    ScSdpDesc *as_answer = sc_sdp_parse(SC_SDP_TYPE_ANSWER, text, NULL);

    if (offer != NULL) {
        ScSdpLocal local = {
            .ice_ufrag = "fUzZ",
            .ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz",
            .fingerprints = fps,
            .tls_id = "0123456789abcdefghijKLMN",
            .sctp_port = 5000,
            .max_message_size = 262144,
            .session_id = 1,
            .session_version = 2,
        };
        GError *error = NULL;
        char *answer = sc_sdp_create_answer(&local, offer, &error);

        if (answer == NULL) {
            /* the only reason to refuse a valid offer */
            g_assert_cmpint(offer->data_section, ==, -1);
            g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
            g_error_free(error);
        } else {
            ScSdpDesc *a = sc_sdp_parse(SC_SDP_TYPE_ANSWER, answer, &error);
            const ScSdpSection *ds;

            if (a == NULL)
                g_error("our answer does not parse: %s\n%s", error->message,
                        answer);
            g_assert_cmpuint(a->sections->len, ==, offer->sections->len);
            g_assert_cmpint(a->data_section, ==, offer->data_section);
            ds = a->sections->pdata[a->data_section];
            g_assert_cmpuint(ds->sctp_port, ==, 5000);
            g_assert_cmpstr(a->ice_ufrag, ==, "fUzZ");
            g_assert_cmpint(a->setup, !=, SC_SDP_SETUP_ACTPASS);
            for (guint i = 0; i < a->sections->len; i++) {
                const ScSdpSection *x = a->sections->pdata[i];
                const ScSdpSection *y = offer->sections->pdata[i];
                g_assert_cmpstr(x->mid, ==, y->mid);
                g_assert_cmpstr(x->proto, ==, y->proto);
            }
            sc_sdp_desc_free(a);
            g_free(answer);
        }
        sc_sdp_desc_free(offer);
    }
    sc_sdp_desc_free(as_answer);
    g_free(text);
    return 0;
}
