/* src/identity/idp-result.c - what an IdP's answer means (pure): the
 * sandbox's result line, written by an IdP's script and therefore
 * hostile, becomes an a=identity value, a validation result, or a W3C IdP
 * error (with the login URL for idp-need-login). The mapping:
 *   script does not parse, throws while loading, never registers and
 *     never listens for messages           -> idp-bad-script-failure
 *   rejects/throws with errorDetail "idp-need-login", or Firefox's
 *     {name: "IdpLoginError", loginUrl}, or seed LOGINNEEDED -> idp-need-login
 *   errorDetail "idp-token-expired" / "idp-token-invalid" -> that name
 *   validateAssertion rejects, or seed ERROR to VERIFY -> idp-token-invalid
 *   anything else that fails (a throw, a rejected generateAssertion, seed
 *     ERROR to SIGN, a malformed or oversized result, an assertion that
 *     names another IdP)                    -> idp-execution-failure
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "identity"
#include "identity/identity-priv.h"

#include <string.h>

#define IDP_TEXT_MAX 200

char *
sc_idp_text(const char *s)
{
    if (s == NULL)
        return g_strdup("");
    char *v = g_utf8_make_valid(s, -1);
    GString *out = g_string_new(NULL);
    gsize n = 0;
    for (const char *p = v; *p && n < IDP_TEXT_MAX; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
            g_unichar_type(c) == G_UNICODE_FORMAT ||
            g_unichar_type(c) == G_UNICODE_LINE_SEPARATOR ||
            g_unichar_type(c) == G_UNICODE_PARAGRAPH_SEPARATOR)
            g_string_append_c(out, '?');
        else
            g_string_append_unichar(out, c);
    }
    g_free(v);
    return g_string_free(out, FALSE);
}

const char *
sc_idp_json_string(JsonNode *n)
{
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static const char *
str_member(JsonObject *o, const char *name)
{
    return sc_idp_json_string(o ? json_object_get_member(o, name) : NULL);
}

static JsonObject *
obj_member(JsonObject *o, const char *name)
{
    JsonNode *n = o ? json_object_get_member(o, name) : NULL;
    return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static gboolean
same_idp(const char *a, const char *b)
{
    char *ha = NULL, *hb = NULL;
    guint16 pa = 0, pb = 0;
    gboolean same = sc_idp_domain_parse(a, &ha, &pa, NULL) &&
                    sc_idp_domain_parse(b, &hb, &pb, NULL) &&
                    strcmp(ha, hb) == 0 && pa == pb;
    g_free(ha);
    g_free(hb);
    return same;
}

/* a login URL is shown to the user: an absolute http(s) URL, printable
 * ASCII, bounded */
static gboolean
login_url_ok(const char *url)
{
    if (url == NULL || strlen(url) > 2048)
        return FALSE;
    for (const char *p = url; *p; p++)
        if ((guchar)*p <= 0x20 || (guchar)*p >= 0x7f)
            return FALSE;
    GUri *u = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
    gboolean ok = u != NULL && (g_strcmp0(g_uri_get_scheme(u), "https") == 0 ||
                                g_strcmp0(g_uri_get_scheme(u), "http") == 0) &&
                  g_uri_get_host(u) != NULL && g_uri_get_host(u)[0] != '\0';
    if (u != NULL)
        g_uri_unref(u);
    return ok;
}

static gboolean
success(gboolean generate, const char *domain, const char *protocol,
        JsonObject *o, char **attr_out, ScIdpValidation **val_out,
        GError **error)
{
    JsonObject *v = obj_member(o, "value");

    if (generate) {
        JsonObject *idp = obj_member(v, "idp");
        const char *d = str_member(idp, "domain");
        const char *a = str_member(v, "assertion");
        const char *p = idp && json_object_has_member(idp, "protocol")
                            ? str_member(idp, "protocol") : "default";
        if (d == NULL || a == NULL || p == NULL)
            return sc_idp_fail(error, SC_IDP_ERROR_EXECUTION,
                        "the IdP returned no {idp:{domain,protocol},assertion}");
        /* the assertion must send verifiers to the IdP we were told to use */
        if (!same_idp(d, domain) || strcmp(p, protocol) != 0)
            return sc_idp_fail(error, SC_IDP_ERROR_EXECUTION,
                        "the IdP returned an assertion for another IdP");
        char *attr = sc_identity_assertion_encode(domain, protocol, a);
        if (attr == NULL)
            return sc_idp_fail(error, SC_IDP_ERROR_EXECUTION,
                        "the assertion is larger than %d bytes",
                        SC_IDENTITY_ATTR_MAX);
        *attr_out = attr;
        return TRUE;
    }
    const char *identity = str_member(v, "identity");
    if (identity == NULL)   /* the 2012 draft: identity: {name, displayname} */
        identity = str_member(obj_member(v, "identity"), "name");
    const char *contents = str_member(v, "contents");
    if (identity == NULL || contents == NULL)
        return sc_idp_fail(error, SC_IDP_ERROR_EXECUTION,
                    "the IdP returned no {identity,contents}");
    if (strlen(identity) > SC_IDENTITY_MAX || strlen(contents) > SC_IDP_CONTENTS_MAX)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                    "identity or contents too long");
    ScIdpValidation *val = g_new0(ScIdpValidation, 1);
    val->identity = g_strdup(identity);
    val->contents = g_strdup(contents);
    val->domain = g_strdup(domain);
    val->protocol = g_strdup(protocol);
    /* only a JSON true counts (seed 003 §5.3: a pseudonym the IdP links to
     * a surrogate identifier; sealcall idp's proxy says so) */
    JsonNode *ps = json_object_get_member(v, "pseudonym");
    val->pseudonym = ps != NULL && JSON_NODE_HOLDS_VALUE(ps) &&
                     json_node_get_value_type(ps) == G_TYPE_BOOLEAN &&
                     json_node_get_boolean(ps);
    *val_out = val;
    return TRUE;
}

gboolean
sc_idp_result_interpret(gboolean generate, const char *domain,
                        const char *protocol, JsonObject *o, char **attr_out,
                        ScIdpValidation **val_out, char **login_url,
                        GError **error)
{
    JsonNode *okn = json_object_get_member(o, "ok");
    *login_url = NULL;
    if (okn != NULL && JSON_NODE_HOLDS_VALUE(okn) &&
        json_node_get_value_type(okn) == G_TYPE_BOOLEAN &&
        json_node_get_boolean(okn))
        return success(generate, domain, protocol, o, attr_out, val_out, error);

    const char *how = str_member(o, "how");
    const char *detail = str_member(o, "errorDetail");
    const char *name = str_member(o, "name");
    char *msg = sc_idp_text(str_member(o, "message"));
    gboolean r = FALSE;
    how = how ? how : "";
    if (strcmp(how, "syntax") == 0 || strcmp(how, "load") == 0 ||
        strcmp(how, "none") == 0) {
        sc_idp_fail(error, SC_IDP_ERROR_BAD_SCRIPT, "%s", msg);
    } else if (g_strcmp0(detail, "idp-need-login") == 0 ||
               g_strcmp0(name, "IdpLoginError") == 0) {
        const char *url = str_member(o, "loginUrl");
        *login_url = login_url_ok(url) ? g_strdup(url) : NULL;
        sc_idp_fail(error, SC_IDP_ERROR_NEED_LOGIN, "the IdP needs a login%s%s",
             *login_url ? " at " : " (no usable login URL)",
             *login_url ? *login_url : "");
    } else if (g_strcmp0(detail, "idp-token-expired") == 0) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_EXPIRED, "%s", msg);
    } else if (g_strcmp0(detail, "idp-token-invalid") == 0 ||
               (!generate && strcmp(how, "reject") == 0)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "%s", msg);
    } else {
        sc_idp_fail(error, SC_IDP_ERROR_EXECUTION, "%s", msg);
    }
    g_free(msg);
    return r;
}
