/* fuzz/fuzz-identity.c - a=identity values (RFC 8827 §7.4, §7.6) and the
 * identities IdPs return (§8.1), both hostile. First byte: 0 = a=identity
 * value, 1 = "identity NUL idp-domain". Properties: what parses re-encodes
 * to an a=identity value that parses to the same fields; the domain and
 * protocol it names make a well-known URL under the IdP's host; an
 * accepted identity has exactly one '@' and is authoritative exactly when
 * its domain's A-labels equal the IdP host's. Links identity/ + core/.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity/identity.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_attr(const char *text)
{
    GError *error = NULL;
    ScIdentityAssertion *a = sc_identity_assertion_parse(text, &error);
    if (a == NULL) {
        g_assert_error(error, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
        g_error_free(error);
        return;
    }
    char *url = sc_idp_proxy_url(a->domain, a->protocol, NULL);
    g_assert_nonnull(url);
    g_assert_true(g_str_has_prefix(url, "https://"));
    g_assert_nonnull(strstr(url, "/.well-known/idp-proxy/"));
    char *again = sc_identity_assertion_encode(a->domain, a->protocol, a->assertion);
    if (again != NULL) {
        ScIdentityAssertion *b = sc_identity_assertion_parse(again, NULL);
        g_assert_nonnull(b);
        g_assert_cmpstr(a->domain, ==, b->domain);
        g_assert_cmpstr(a->protocol, ==, b->protocol);
        g_assert_cmpstr(a->assertion, ==, b->assertion);
        char *third = sc_identity_assertion_encode(b->domain, b->protocol, b->assertion);
        g_assert_cmpstr(again, ==, third);
        g_free(third);
        sc_identity_assertion_free(b);
    }
    g_free(again);
    g_free(url);
    sc_identity_assertion_free(a);
}

static void
fuzz_identity(const char *identity, const char *idp)
{
    gboolean auth = FALSE;
    char *dom = NULL;
    GError *error = NULL;
    if (!sc_identity_check(identity, idp, &dom, &auth, &error)) {
        g_assert_error(error, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
        g_error_free(error);
        return;
    }
    const char *at = strchr(identity, '@');
    g_assert_nonnull(at);
    g_assert_true(at > identity);
    g_assert_null(strchr(identity + (at - identity) + 1, '@'));
    char *host = NULL;
    g_assert_true(sc_idp_domain_parse(idp, &host, NULL, NULL));
    g_assert_cmpint(auth, ==, strcmp(dom, host) == 0);
    /* the identity's own domain is authoritative for itself */
    gboolean self = FALSE;
    g_assert_true(sc_identity_check(identity, dom, NULL, &self, NULL));
    g_assert_true(self);
    g_free(host);
    g_free(dom);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * SC_IDENTITY_ATTR_MAX)
        return 0;
    char *text = g_strndup((const char *)data + 1, size - 1);
    if (data[0] % 2 == 0) {
        fuzz_attr(text);
    } else {
        gsize n = strlen(text);
        const char *idp = n + 1 < size - 1 ? text + n + 1 : "example.org";
        fuzz_identity(text, idp);
    }
    g_free(text);
    return 0;
}
