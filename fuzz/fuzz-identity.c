/* fuzz/fuzz-identity.c - a=identity values (RFC 8827 §7.4, §7.6) and the
 * identities IdPs return (§8.1), both hostile. First byte: 0 = a=identity
 * value, 1 = "identity NUL idp-domain", 2 and 3 = the sandbox's result
 * line (what an IdP script wrote) for a generate or a validate.
 * Properties: what parses re-encodes
 * to an a=identity value that parses to the same fields; the domain and
 * protocol it names make a well-known URL under the IdP's host; an
 * accepted identity has exactly one '@' and is authoritative exactly when
 * its domain's A-labels equal the IdP host's; a result line gives either
 * an a=identity value that parses and names the IdP asked, a validation
 * with bounded fields, or an SC_IDP_ERROR whose message starts with its
 * W3C name (a login URL only with idp-need-login). Links identity/ +
 * core/ (and libsoup's headers, unused).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity/identity-priv.h"

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

static void
fuzz_result(const char *text, gboolean generate)
{
    JsonParser *p = json_parser_new_immutable();
    if (!json_parser_load_from_data(p, text, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
        g_object_unref(p);
        return;
    }
    char *attr = NULL, *login = NULL;
    ScIdpValidation *val = NULL;
    GError *error = NULL;
    gboolean ok = sc_idp_result_interpret(generate, "idp.example:8443", "default",
                                          json_node_get_object(json_parser_get_root(p)),
                                          &attr, &val, &login, &error);
    if (ok) {
        g_assert_no_error(error);
        g_assert_null(login);
        if (generate) {
            ScIdentityAssertion *a = sc_identity_assertion_parse(attr, NULL);
            g_assert_nonnull(a);
            g_assert_cmpstr(a->domain, ==, "idp.example:8443");
            g_assert_cmpstr(a->protocol, ==, "default");
            sc_identity_assertion_free(a);
        } else {
            g_assert_nonnull(val);
            g_assert_cmpuint(strlen(val->identity), <=, SC_IDENTITY_MAX);
            g_assert_cmpuint(strlen(val->contents), <=, SC_IDP_CONTENTS_MAX);
        }
    } else {
        g_assert_nonnull(error);
        g_assert_true(error->domain == SC_IDP_ERROR);
        g_assert_true(g_str_has_prefix(error->message, sc_idp_error_name(error->code)));
        g_assert_true(login == NULL || error->code == SC_IDP_ERROR_NEED_LOGIN);
        g_assert_null(attr);
        g_assert_null(val);
        g_error_free(error);
    }
    g_free(attr);
    g_free(login);
    sc_idp_validation_free(val);
    g_object_unref(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * SC_IDENTITY_ATTR_MAX)
        return 0;
    char *text = g_strndup((const char *)data + 1, size - 1);
    if (data[0] % 4 >= 2) {
        fuzz_result(text, data[0] % 4 == 2);
    } else if (data[0] % 2 == 0) {
        fuzz_attr(text);
    } else {
        gsize n = strlen(text);
        const char *idp = n + 1 < size - 1 ? text + n + 1 : "example.org";
        fuzz_identity(text, idp);
    }
    g_free(text);
    return 0;
}
