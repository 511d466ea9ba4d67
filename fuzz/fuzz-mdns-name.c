/* fuzz/fuzz-mdns-name.c - sc_ice_mdns_name_is_valid() on arbitrary text:
 * the peer's ".local" candidate address, the only mDNS names we look up
 * (network input; ice-reveal.c resolves and logs what it accepts).
 * Properties: it accepts exactly the draft's "<uuid>.local" (8-4-4-4-12
 * hex digits, ".local", either case), checked against an independent
 * oracle (a GRegex); what it accepts is printable, and the candidate
 * parser (sdp-candidate.c) takes it as an mDNS address that prints back
 * unchanged, so no accepted name is lost or altered on the way to the
 * lookup. Links ice, sdp and core.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/mdns.h"
#include "sdp/sdp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UUID_LOCAL_RE                                                         \
    "\\A[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"         \
    "[0-9A-Fa-f]{12}\\.[Ll][Oo][Cc][Aa][Ll]\\z"

static GRegex *
oracle(void)
{
    static GRegex *re;

    if (re == NULL)
        re = g_regex_new(UUID_LOCAL_RE, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0,
                         NULL);
    g_assert_nonnull(re);
    return re;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* what reaches the validator is a C string: cut at the first NUL */
    char *name = g_strndup((const char *)data, size);
    gboolean valid = sc_ice_mdns_name_is_valid(name);
    gboolean want = g_regex_match(oracle(), name, 0, NULL);

    if (valid != want)
        g_error("validator says %d, the draft's format %d, for \"%s\"", valid,
                want, g_strescape(name, NULL));
    if (valid) {
        char *line, *printed;
        ScIceCandidate *c;
        GError *error = NULL;

        for (const char *p = name; *p; p++)
            g_assert_true(g_ascii_isprint(*p));
        line = g_strdup_printf("candidate:1 1 udp 2122260223 %s 9 typ host",
                               name);
        c = sc_ice_candidate_parse(line, &error);
        if (c == NULL)
            g_error("a valid name is refused as an address: %s",
                    error->message);
        g_assert_true(c->mdns);
        g_assert_cmpstr(c->address, ==, name);
        printed = sc_ice_candidate_to_string(c);
        g_assert_nonnull(strstr(printed, name));
        g_free(printed);
        sc_ice_candidate_free(c);
        g_free(line);
    }
    g_free(name);
    return 0;
}
