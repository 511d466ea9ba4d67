/* fuzz/fuzz-fingerprint.c - a=fingerprint values (RFC 8122 §5): whatever
 * sc_fingerprint_parse() accepts prints back to a canonical form that parses
 * to the same value and prints identically (round-trip stability), and
 * only accepted hashes (sha-256 or stronger) ever parse. The parser is
 * sdp/'s; the SAS is keys/'. Links keys/ + sdp/ + core/ only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "keys/keys.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    /* the attribute value as the SDP layer hands it over: a C string */
    char *text = g_strndup((const char *)data, size);
    ScFingerprint first, second;
    GError *error = NULL;

    if (!sc_fingerprint_parse(text, &first, &error)) {
        g_assert_nonnull(error);
        g_assert_true(error->domain == SC_ERROR);
        g_assert_true(error->code == SC_ERROR_SDP_SYNTAX ||
                      error->code == SC_ERROR_NOT_SUPPORTED);
        g_error_free(error);
        g_free(text);
        return 0;
    }
    g_assert_no_error(error);
    g_assert_true(sc_hash_is_accepted(first.hash));
    g_assert_cmpuint(first.len, ==, sc_hash_digest_len(first.hash));

    char *printed = sc_fingerprint_to_string(&first);
    g_assert_nonnull(printed);
    g_assert_true(sc_fingerprint_parse(printed, &second, NULL));
    g_assert_true(sc_fingerprint_equal(&first, &second));
    char *reprinted = sc_fingerprint_to_string(&second);
    g_assert_cmpstr(printed, ==, reprinted);
    /* canonical form: hash name, one space, upper-case hex pairs */
    g_assert_cmpuint(strlen(printed), ==,
                     strlen(sc_hash_to_string(first.hash)) + 1 +
                         first.len * 3 - 1);

    /* the SAS is symmetric for any two valid fingerprints */
    ScFingerprint other = first;
    other.digest[0] ^= 0x01;
    char *s1 = sc_fingerprint_sas(&first, &other);
    char *s2 = sc_fingerprint_sas(&other, &first);
    g_assert_nonnull(s1);
    g_assert_cmpstr(s1, ==, s2);
    g_free(s1);
    g_free(s2);

    g_free(reprinted);
    g_free(printed);
    g_free(text);
    return 0;
}
