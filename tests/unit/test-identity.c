/* tests/unit/test-identity.c - identity/'s pure syntax: IdP domains and
 * protocols, the well-known URL, a=identity values, and asserted
 * identities against the IdP (authoritative or not, RFC 8827 §7.5, §8.1).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity/identity-priv.h"

#include <string.h>

static void
test_domain(void)
{
    char *host = NULL;
    guint16 port = 1;
    GError *err = NULL;

    g_assert_true(sc_idp_domain_parse("IdP.Example.ORG", &host, &port, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(host, ==, "idp.example.org");
    g_assert_cmpuint(port, ==, 0);
    g_free(host);
    g_assert_true(sc_idp_domain_parse("localhost:8443", &host, &port, NULL));
    g_assert_cmpstr(host, ==, "localhost");
    g_assert_cmpuint(port, ==, 8443);
    g_free(host);
    /* U-labels become A-labels */
    g_assert_true(sc_idp_domain_parse("bücher.example", &host, NULL, NULL));
    g_assert_cmpstr(host, ==, "xn--bcher-kva.example");
    g_free(host);
    g_assert_true(sc_idp_domain_parse("127.0.0.1:1", NULL, NULL, NULL));

    const char *bad[] = {
        "", "user@idp.example", "idp.example/x", "idp.example\\x",
        "idp.example:0", "idp.example:65536", "idp.example:", "idp.example:+1",
        "idp.example:123456", "[::1]:443", "idp example", "idp.example?x",
        "idp.example#x", "-idp.example", "idp-.example", "idp..example",
        ".idp.example", "a\x01.example", "idp.example:80:80", "%41.example",
        "xn--zz.example",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(sc_idp_domain_parse(bad[i], NULL, NULL, &err));
        g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_LOAD_FAILURE);
        g_clear_error(&err);
    }
    char *long_label = g_strnfill(64, 'a');
    g_assert_false(sc_idp_domain_parse(long_label, NULL, NULL, NULL));
    g_free(long_label);
}

static void
test_protocol_and_url(void)
{
    GError *err = NULL;
    char *url = sc_idp_proxy_url("idp.example.org", "default", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(url, ==, "https://idp.example.org/.well-known/idp-proxy/default");
    g_free(url);
    url = sc_idp_proxy_url("LocalHost:8443", "idp.js#fail", NULL);
    g_assert_cmpstr(url, ==, "https://localhost:8443/.well-known/idp-proxy/idp.js#fail");
    g_free(url);

    const char *bad[] = {
        "", "a/b", "a\\b", "a%2Fb", "a%2fb", "a%5Cb", "..", ".", "%2e%2E",
        "a b", "a\nb", "a%zz", "a%2", "a%00b", "\xc3\xa9",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(sc_idp_protocol_check(bad[i], &err));
        g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_LOAD_FAILURE);
        g_clear_error(&err);
        g_assert_null(sc_idp_proxy_url("idp.example", bad[i], NULL));
    }
    g_assert_null(sc_idp_proxy_url("evil.example@idp.example", "default", NULL));
}

static void
test_assertion_round_trip(void)
{
    /* RFC 8827's example (§7.6) */
    const char *rfc =
        "eyJpZHAiOnsiZG9tYWluIjoiZXhhbXBsZS5vcmciLCJwcm90b2NvbCI6ImJvZ3VzIn0sImFz"
        "c2VydGlvbiI6IntcImlkZW50aXR5XCI6XCJib2JAZXhhbXBsZS5vcmdcIixcImNvbnRlbnRz"
        "XCI6XCJhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3l6XCIsXCJzaWduYXR1cmVcIjpcIjAxMDIw"
        "MzA0MDUwNlwifSJ9";
    GError *err = NULL;
    ScIdentityAssertion *a = sc_identity_assertion_parse(rfc, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(a->domain, ==, "example.org");
    g_assert_cmpstr(a->protocol, ==, "bogus");
    g_assert_true(g_str_has_prefix(a->assertion, "{\"identity\":\"bob@example.org\""));
    char *again = sc_identity_assertion_encode(a->domain, a->protocol, a->assertion);
    g_assert_cmpstr(again, ==, rfc);
    /* an extension after a space is ignored */
    char *ext = g_strconcat(rfc, " ext=1", NULL);
    ScIdentityAssertion *b = sc_identity_assertion_parse(ext, NULL);
    g_assert_nonnull(b);
    g_assert_cmpstr(b->assertion, ==, a->assertion);
    sc_identity_assertion_free(b);
    g_free(ext);
    g_free(again);
    sc_identity_assertion_free(a);

    /* protocol absent: "default" */
    char *j = g_base64_encode((const guchar *)"{\"idp\":{\"domain\":\"a.example\"},\"assertion\":\"x\"}", 46);
    a = sc_identity_assertion_parse(j, NULL);
    g_assert_nonnull(a);
    g_assert_cmpstr(a->protocol, ==, "default");
    sc_identity_assertion_free(a);
    g_free(j);

    /* too big to encode */
    char *huge = g_strnfill(SC_IDENTITY_ATTR_MAX, 'x');
    g_assert_null(sc_identity_assertion_encode("a.example", "default", huge));
    g_free(huge);
}

static void
expect_invalid(const char *json)
{
    GError *err = NULL;
    char *b64 = g_base64_encode((const guchar *)json, strlen(json));
    g_assert_null(sc_identity_assertion_parse(b64, &err));
    g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
    g_clear_error(&err);
    g_free(b64);
}

static void
test_assertion_hostile(void)
{
    GError *err = NULL;
    const char *bad_b64[] = { "", "a", "abc", "ab=c", "a===", "ab c=", "????",
                              "YQ==YQ==", "Zm9v\n" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad_b64); i++) {
        g_assert_null(sc_identity_assertion_parse(bad_b64[i], &err));
        g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
        g_clear_error(&err);
    }
    expect_invalid("[]");
    expect_invalid("\"x\"");
    expect_invalid("{}");
    expect_invalid("{\"idp\":{\"domain\":\"a.example\"}}");
    expect_invalid("{\"idp\":\"a.example\",\"assertion\":\"x\"}");
    expect_invalid("{\"idp\":{\"domain\":1},\"assertion\":\"x\"}");
    expect_invalid("{\"idp\":{\"domain\":\"a.example\",\"protocol\":\"../x\"},\"assertion\":\"x\"}");
    expect_invalid("{\"idp\":{\"domain\":\"a.example\",\"protocol\":7},\"assertion\":\"x\"}");
    expect_invalid("{\"idp\":{\"domain\":\"u@a.example\"},\"assertion\":\"x\"}");
    expect_invalid("{\"idp\":{\"domain\":\"a.example\"},\"assertion\":{}}");
    expect_invalid("{\"idp\":{\"domain\":\"a.example\"},\"assertion\":\"x\"");
    /* longer than the limit */
    char *big = g_strnfill(SC_IDENTITY_ATTR_MAX + 4, 'A');
    g_assert_null(sc_identity_assertion_parse(big, &err));
    g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
    g_clear_error(&err);
    g_free(big);
}

static void
check(const char *identity, const char *idp, gboolean ok, gboolean auth)
{
    gboolean a = !auth;
    GError *err = NULL;
    char *dom = NULL;
    gboolean r = sc_identity_check(identity, idp, &dom, &a, &err);
    if (r != ok)
        g_error("%s vs %s: got %d, want %d (%s)", identity, idp, r, ok,
                err ? err->message : "");
    if (ok) {
        g_assert_no_error(err);
        g_assert_cmpint(a, ==, auth);
        g_assert_nonnull(dom);
    } else {
        g_assert_error(err, SC_IDP_ERROR, SC_IDP_ERROR_TOKEN_INVALID);
    }
    g_clear_error(&err);
    g_free(dom);
}

static void
test_identity_authority(void)
{
    check("alice@example.org", "example.org", TRUE, TRUE);
    /* the IdP's port is removed before comparing */
    check("alice@example.org", "example.org:8443", TRUE, TRUE);
    /* case and IDNA label equivalence */
    check("alice@EXAMPLE.org", "example.ORG", TRUE, TRUE);
    check("alice@bücher.example", "xn--bcher-kva.example", TRUE, TRUE);
    check("alice@xn--bcher-kva.example", "BÜCHER.example:443", TRUE, TRUE);
    /* percent-encoded '@' in the user part (RFC 8827 §8.1) */
    check("user%40133@identity.example.com", "identity.example.com", TRUE, TRUE);
    /* third party: syntactically fine, not authoritative */
    check("alice@other.example", "example.org", TRUE, FALSE);
    check("alice@sub.example.org", "example.org", TRUE, FALSE);
    check("alice@example.org.evil", "example.org", TRUE, FALSE);
    /* malformed */
    check("", "example.org", FALSE, FALSE);
    check("alice", "example.org", FALSE, FALSE);
    check("@example.org", "example.org", FALSE, FALSE);
    check("a@b@example.org", "example.org", FALSE, FALSE);
    check("alice@", "example.org", FALSE, FALSE);
    check("alice@example.org:443", "example.org", FALSE, FALSE);
    check("al\x1b[31mice@example.org", "example.org", FALSE, FALSE);
    check("al\xe2\x80\xaeice@example.org", "example.org", FALSE, FALSE);
    check("al%zzice@example.org", "example.org", FALSE, FALSE);
    check("al%4@example.org", "example.org", FALSE, FALSE);
    check("alice@exa mple.org", "example.org", FALSE, FALSE);
    check("\xff@example.org", "example.org", FALSE, FALSE);
    check("alice@example.org", "bad idp", FALSE, FALSE);
    char *user = g_strnfill(600, 'a');
    char *longid = g_strdup_printf("%s@example.org", user);
    check(longid, "example.org", FALSE, FALSE);
    g_free(longid);
    g_free(user);
}

static int
interpret(gboolean generate, const char *json, char **attr, ScIdpValidation **val,
          char **login)
{
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    GError *err = NULL;
    gboolean ok = sc_idp_result_interpret(generate, "idp.example:8443", "default",
                                          json_node_get_object(json_parser_get_root(p)),
                                          attr, val, login, &err);
    g_object_unref(p);
    if (ok) {
        g_assert_no_error(err);
        return -1;
    }
    g_assert_nonnull(err);
    g_assert_true(err->domain == SC_IDP_ERROR);
    g_assert_true(g_str_has_prefix(err->message, sc_idp_error_name(err->code)));
    int code = err->code;
    g_error_free(err);
    return code;
}

static void
test_result_mapping(void)
{
    char *attr = NULL, *login = NULL;
    ScIdpValidation *val = NULL;

    /* generate: the assertion, for the IdP we asked */
    g_assert_cmpint(interpret(TRUE, "{\"ok\":true,\"value\":{\"idp\":{\"domain\":"
                              "\"IDP.example:8443\",\"protocol\":\"default\"},"
                              "\"assertion\":\"x\"}}", &attr, &val, &login), ==, -1);
    ScIdentityAssertion *a = sc_identity_assertion_parse(attr, NULL);
    g_assert_cmpstr(a->domain, ==, "idp.example:8443");
    g_assert_cmpstr(a->assertion, ==, "x");
    sc_identity_assertion_free(a);
    g_clear_pointer(&attr, g_free);
    /* another port, domain or protocol; missing or wrong types */
    const char *bad_gen[] = {
        "{\"ok\":true,\"value\":{\"idp\":{\"domain\":\"idp.example\"},\"assertion\":\"x\"}}",
        "{\"ok\":true,\"value\":{\"idp\":{\"domain\":\"evil.example:8443\"},\"assertion\":\"x\"}}",
        "{\"ok\":true,\"value\":{\"idp\":{\"domain\":\"idp.example:8443\",\"protocol\":\"p2\"},\"assertion\":\"x\"}}",
        "{\"ok\":true,\"value\":{\"idp\":{\"domain\":\"idp.example:8443\"},\"assertion\":1}}",
        "{\"ok\":true,\"value\":\"x\"}",
        "{\"ok\":true}",
        "{\"ok\":\"yes\",\"value\":{}}",
        "{\"ok\":false,\"how\":\"throw\"}",
        "{\"ok\":false,\"how\":\"reject\",\"message\":{}}",
        "{}",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad_gen); i++)
        g_assert_cmpint(interpret(TRUE, bad_gen[i], &attr, &val, &login), ==,
                        SC_IDP_ERROR_EXECUTION);
    g_assert_null(attr);
    /* bad scripts */
    g_assert_cmpint(interpret(TRUE, "{\"ok\":false,\"how\":\"syntax\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_BAD_SCRIPT);
    g_assert_cmpint(interpret(FALSE, "{\"ok\":false,\"how\":\"none\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_BAD_SCRIPT);
    /* login: a usable URL is kept, anything else dropped */
    g_assert_cmpint(interpret(TRUE, "{\"ok\":false,\"how\":\"reject\",\"name\":\"IdpLoginError\","
                              "\"loginUrl\":\"https://idp.example/login?x=1\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_NEED_LOGIN);
    g_assert_cmpstr(login, ==, "https://idp.example/login?x=1");
    g_clear_pointer(&login, g_free);
    const char *bad_urls[] = { "javascript:alert(1)", "https://idp.example/\\u001b[2J",
                               "file:///etc/passwd", "/relative", "https://" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad_urls); i++) {
        char *j = g_strdup_printf("{\"ok\":false,\"errorDetail\":\"idp-need-login\","
                                  "\"loginUrl\":\"%s\"}", bad_urls[i]);
        g_assert_cmpint(interpret(FALSE, j, &attr, &val, &login), ==, SC_IDP_ERROR_NEED_LOGIN);
        g_assert_null(login);
        g_free(j);
    }
    /* validate */
    g_assert_cmpint(interpret(FALSE, "{\"ok\":true,\"value\":{\"identity\":\"a@idp.example\","
                              "\"contents\":\"c\"}}", &attr, &val, &login), ==, -1);
    g_assert_cmpstr(val->identity, ==, "a@idp.example");
    g_assert_cmpstr(val->domain, ==, "idp.example:8443");
    g_clear_pointer(&val, sc_idp_validation_free);
    /* seed 002's identity: {name} */
    g_assert_cmpint(interpret(FALSE, "{\"ok\":true,\"value\":{\"identity\":{\"name\":\"b@idp.example\"},"
                              "\"contents\":\"c\"}}", &attr, &val, &login), ==, -1);
    g_assert_cmpstr(val->identity, ==, "b@idp.example");
    g_clear_pointer(&val, sc_idp_validation_free);
    g_assert_cmpint(interpret(FALSE, "{\"ok\":false,\"how\":\"reject\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_TOKEN_INVALID);
    g_assert_cmpint(interpret(FALSE, "{\"ok\":false,\"how\":\"throw\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_EXECUTION);
    g_assert_cmpint(interpret(FALSE, "{\"ok\":false,\"how\":\"reject\",\"errorDetail\":"
                              "\"idp-token-expired\"}", &attr, &val, &login),
                    ==, SC_IDP_ERROR_TOKEN_EXPIRED);
    g_assert_cmpint(interpret(FALSE, "{\"ok\":true,\"value\":{\"identity\":\"a@idp.example\"}}",
                              &attr, &val, &login), ==, SC_IDP_ERROR_EXECUTION);
    g_assert_null(val);
    /* IdP text in messages: bounded, no terminal controls */
    char *t = sc_idp_text("a\x1b[31mb\nc\xe2\x80\xae");
    g_assert_cmpstr(t, ==, "a?[31mb?c?");
    g_free(t);
    char *longs = g_strnfill(1000, 'x');
    t = sc_idp_text(longs);
    g_assert_cmpuint(strlen(t), ==, 200);
    g_free(t);
    g_free(longs);
}

static void
test_error_names(void)
{
    g_assert_cmpstr(sc_idp_error_name(SC_IDP_ERROR_TIMEOUT), ==, "idp-timeout");
    g_assert_cmpstr(sc_idp_error_name(SC_IDP_ERROR_NEED_LOGIN), ==, "idp-need-login");
    for (int i = 0; i < SC_IDP_ERROR_N; i++)
        g_assert_cmpint(sc_idp_error_from_name(sc_idp_error_name(i)), ==, i);
    g_assert_cmpint(sc_idp_error_from_name("idp-bogus"), ==, -1);
    /* the name once, whether or not the text already starts with it */
    {
        g_autoptr(GError) a = sc_idp_error_new(SC_IDP_ERROR_TOKEN_INVALID,
                                               "bad signature");
        g_autoptr(GError) b = sc_idp_error_new(
            SC_IDP_ERROR_TOKEN_INVALID, "idp-token-invalid: bad signature");
        g_autoptr(GError) c = sc_idp_error_new(SC_IDP_ERROR_TOKEN_INVALID,
                                               "idp-token-invalidity");
        g_assert_cmpstr(a->message, ==, "idp-token-invalid: bad signature");
        g_assert_cmpstr(b->message, ==, "idp-token-invalid: bad signature");
        g_assert_cmpstr(c->message, ==,
                        "idp-token-invalid: idp-token-invalidity");
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/identity/domain", test_domain);
    g_test_add_func("/identity/protocol-and-url", test_protocol_and_url);
    g_test_add_func("/identity/assertion/round-trip", test_assertion_round_trip);
    g_test_add_func("/identity/assertion/hostile", test_assertion_hostile);
    g_test_add_func("/identity/check/authority", test_identity_authority);
    g_test_add_func("/identity/error-names", test_error_names);
    g_test_add_func("/identity/result-mapping", test_result_mapping);
    return g_test_run();
}
