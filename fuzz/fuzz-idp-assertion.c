/* fuzz/fuzz-idp-assertion.c - `sealcall idp`'s validation of an assertion
 * a client sends (POST /validate): idp_assertion_validate() over the JWS
 * parser (strict base64url, header checks, ES256) and the claim checks.
 * The first byte picks the input's use: odd, the rest is a token to
 * validate as it is (the parser's paths; a forged signature never
 * verifies); even, the rest is a payload that this target signs with the
 * IdP's key first, so that the claim checks see every shape of payload.
 * Properties: a validated assertion's identity is USER@DOMAIN of this IdP,
 * its contents and origin are within the bounds, it is not expired and
 * its lifetime is within the IdP's; an odd input (not signed here) never
 * validates unless it is a token signed here before (none are).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "idp/idp-priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DOMAIN "idp.test"
#define ISSUER "https://idp.test:8443"
#define NOW 1800000000
#define LIFETIME 300

static IdpKey *key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *rest = NULL;
    g_autofree char *token = NULL;
    g_auto(IdpValidated) v = {0};
    g_autoptr(GError) error = NULL;
    gboolean signed_here;
    const char *at;

    if (key == NULL)
        key = idp_key_generate(NULL);
    if (key == NULL)
        abort();
    if (size < 1 || size > 16384)
        return 0;
    rest = g_strndup((const char *)data + 1, size - 1);
    signed_here = (data[0] & 1) == 0;
    if (signed_here) {
        token = idp_jws_sign(key, rest, NULL);
        if (token == NULL)
            abort();
    } else {
        token = g_strdup(rest);
    }
    if (!idp_assertion_validate(key, ISSUER, DOMAIN, token, NOW, LIFETIME,
                                &v, &error)) {
        if (error == NULL ||
            (!g_str_has_prefix(error->message, "idp-token-invalid: ") &&
             !g_str_has_prefix(error->message, "idp-token-expired: ")))
            abort();
        return 0;
    }
    if (!signed_here)
        abort(); /* a signature we did not make verified */
    at = strrchr(v.identity, '@');
    if (at == NULL || at == v.identity || strcmp(at + 1, DOMAIN) != 0 ||
        strlen(v.contents) > IDP_MAX_CONTENTS ||
        strlen(v.origin) > IDP_MAX_ORIGIN || v.exp <= NOW ||
        v.exp - v.iat > LIFETIME || v.iat > NOW + IDP_CLOCK_SKEW)
        abort();
    return 0;
}
