/* src/identity/identity-syntax.c - pure syntax of IdP identity: IdP
 * domains and protocols (RFC 8827 §7.5), the well-known proxy URL, the
 * a=identity value (§7.4, §7.6) and asserted identities against the IdP's
 * domain (§8.1). Everything here is hostile input; no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity/identity.h"

#include <idn2.h>
#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK(sc-idp-error-quark, sc_idp_error)

static const char *const error_names[SC_IDP_ERROR_N] = {
    [SC_IDP_ERROR_LOAD_FAILURE] = "idp-load-failure",
    [SC_IDP_ERROR_BAD_SCRIPT] = "idp-bad-script-failure",
    [SC_IDP_ERROR_EXECUTION] = "idp-execution-failure",
    [SC_IDP_ERROR_NEED_LOGIN] = "idp-need-login",
    [SC_IDP_ERROR_TIMEOUT] = "idp-timeout",
    [SC_IDP_ERROR_TLS] = "idp-tls-failure",
    [SC_IDP_ERROR_TOKEN_EXPIRED] = "idp-token-expired",
    [SC_IDP_ERROR_TOKEN_INVALID] = "idp-token-invalid",
};

const char *
sc_idp_error_name(ScIdpErrorCode code)
{
    if ((int)code < 0 || code >= SC_IDP_ERROR_N)
        return "idp-execution-failure";
    return error_names[code];
}

int
sc_idp_error_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < SC_IDP_ERROR_N; i++)
        if (strcmp(name, error_names[i]) == 0)
            return i;
    return -1;
}

GError *
sc_idp_error_new_valist(ScIdpErrorCode code, const char *fmt, va_list ap)
{
    char *msg = g_strdup_vprintf(fmt, ap);
    const char *name = sc_idp_error_name(code);
    gsize n = strlen(name);
    /* a message that already starts with the name (an IdP's own text, a
     * lower layer's error) is not prefixed twice */
    GError *e = strncmp(msg, name, n) == 0 && msg[n] == ':'
                    ? g_error_new_literal(SC_IDP_ERROR, code, msg)
                    : g_error_new(SC_IDP_ERROR, code, "%s: %s", name, msg);
    g_free(msg);
    return e;
}

GError *
sc_idp_error_new(ScIdpErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    GError *e = sc_idp_error_new_valist(code, fmt, ap);
    va_end(ap);
    return e;
}

/* an error's message without its "idp-...: " prefix */
static const char *
bare(const GError *e)
{
    const char *sep = strstr(e->message, ": ");
    return g_str_has_prefix(e->message, "idp-") && sep ? sep + 2 : e->message;
}

gboolean
sc_idp_fail(GError **error, ScIdpErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_propagate_error(error, sc_idp_error_new_valist(code, fmt, ap));
    va_end(ap);
    return FALSE;
}

/* A host name (U- or A-labels, or an IPv4 literal) to lower-case A-labels;
 * NULL when it is not one. */
static char *
host_to_ascii(const char *host, gsize len)
{
    if (len == 0 || len > 253)
        return NULL;
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)host[i];
        /* no controls, space, DEL, or URL/authority delimiters */
        if (c <= 0x20 || c == 0x7f || strchr("/\\?#@:[]%", c) != NULL)
            return NULL;
    }
    char *in = g_strndup(host, len);
    if (!g_utf8_validate(in, -1, NULL)) {
        g_free(in);
        return NULL;
    }
    char *out = NULL;
    int rc = idn2_to_ascii_8z(in, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    g_free(in);
    if (rc != IDN2_OK || out == NULL) {
        idn2_free(out);
        return NULL;
    }
    char *lower = g_ascii_strdown(out, -1);
    idn2_free(out);
    /* LDH labels of 1-63 characters, not starting or ending with '-' */
    gsize n = strlen(lower);
    gsize label = 0;
    if (n == 0 || n > 253)
        goto bad;
    for (gsize i = 0; i <= n; i++) {
        char c = lower[i];
        if (c == '.' || c == '\0') {
            if (label == 0 || label > 63 || lower[i - 1] == '-' ||
                lower[i - label] == '-')
                goto bad;
            label = 0;
            continue;
        }
        if (!g_ascii_isalnum(c) && c != '-')
            goto bad;
        label++;
    }
    return lower;
bad:
    g_free(lower);
    return NULL;
}

gboolean
sc_idp_domain_parse(const char *domain, char **host_out, guint16 *port_out,
                    GError **error)
{
    if (domain == NULL || domain[0] == '\0')
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE, "empty IdP domain");
    gsize len = strlen(domain);
    if (len > SC_IDP_DOMAIN_MAX)
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE, "IdP domain too long");
    const char *colon = strrchr(domain, ':');
    gsize host_len = colon ? (gsize)(colon - domain) : len;
    guint16 port = 0;
    if (colon != NULL) {
        const char *p = colon + 1;
        gsize digits = strlen(p);
        if (digits == 0 || digits > 5)
            return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                        "IdP domain: bad port");
        guint v = 0;
        for (gsize i = 0; i < digits; i++) {
            if (!g_ascii_isdigit(p[i]))
                return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                            "IdP domain: bad port");
            v = v * 10 + (guint)(p[i] - '0');
        }
        if (v == 0 || v > 65535)
            return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                        "IdP domain: port out of range");
        port = (guint16)v;
    }
    char *host = host_to_ascii(domain, host_len);
    if (host == NULL)
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                    "IdP domain is not a host name[:port]");
    if (host_out != NULL)
        *host_out = host;
    else
        g_free(host);
    if (port_out != NULL)
        *port_out = port;
    return TRUE;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = g_ascii_tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

gboolean
sc_idp_protocol_check(const char *protocol, GError **error)
{
    if (protocol == NULL || protocol[0] == '\0')
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE, "empty IdP protocol");
    gsize len = strlen(protocol);
    if (len > SC_IDP_PROTOCOL_MAX)
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE, "IdP protocol too long");
    /* what the path segment decodes to, up to any query or fragment */
    GString *dec = g_string_new(NULL);
    gboolean in_path = TRUE;
    for (gsize i = 0; i < len; i++) {
        char c = protocol[i];
        char d = c;
        if (c == '%') {
            int hi = i + 2 < len ? hexval(protocol[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(protocol[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                g_string_free(dec, TRUE);
                return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                            "IdP protocol: bad percent-encoding");
            }
            d = (char)(hi * 16 + lo);
            i += 2;
        } else if (!(g_ascii_isalnum(c) || strchr("-._~!$&'()*+,;=:@?#", c))) {
            g_string_free(dec, TRUE);
            return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                        "IdP protocol: character not allowed");
        }
        if (d == '/' || d == '\\' || d == '\0' ||
            (c == '%' && ((guchar)d < 0x20 || (guchar)d == 0x7f))) {
            g_string_free(dec, TRUE);
            return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                        "IdP protocol must not contain '/' or '\\'");
        }
        if (c == '?' || c == '#')
            in_path = FALSE;
        if (in_path)
            g_string_append_c(dec, d);
    }
    gboolean dots = strcmp(dec->str, "") == 0 || strcmp(dec->str, ".") == 0 ||
                    strcmp(dec->str, "..") == 0;
    g_string_free(dec, TRUE);
    if (dots)
        return sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
                    "IdP protocol must name a file under idp-proxy/");
    return TRUE;
}

#define WELL_KNOWN "/.well-known/idp-proxy/"

char *
sc_idp_proxy_url(const char *domain, const char *protocol, GError **error)
{
    char *host = NULL;
    guint16 port = 0;

    if (!sc_idp_domain_parse(domain, &host, &port, error) ||
        !sc_idp_protocol_check(protocol, error)) {
        g_free(host);
        return NULL;
    }
    char *url = port ? g_strdup_printf("https://%s:%u" WELL_KNOWN "%s", host,
                                       (guint)port, protocol)
                     : g_strdup_printf("https://%s" WELL_KNOWN "%s", host,
                                       protocol);
    /* parse it back: same host and port, path still under the prefix */
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
    gboolean ok = uri != NULL && g_strcmp0(g_uri_get_scheme(uri), "https") == 0 &&
                  g_uri_get_userinfo(uri) == NULL &&
                  g_strcmp0(g_uri_get_host(uri), host) == 0 &&
                  g_uri_get_port(uri) == (port ? (int)port : -1) &&
                  g_str_has_prefix(g_uri_get_path(uri), WELL_KNOWN) &&
                  strchr(g_uri_get_path(uri) + strlen(WELL_KNOWN), '/') == NULL;
    if (uri != NULL)
        g_uri_unref(uri);
    g_free(host);
    if (!ok) {
        g_free(url);
        sc_idp_fail(error, SC_IDP_ERROR_LOAD_FAILURE,
             "IdP domain and protocol do not make a well-known URL");
        return NULL;
    }
    return url;
}

void
sc_identity_assertion_free(ScIdentityAssertion *a)
{
    if (a == NULL)
        return;
    g_free(a->domain);
    g_free(a->protocol);
    g_free(a->assertion);
    g_free(a);
}

/* RFC 4648 §4 alphabet, padded, length a multiple of 4 */
static gboolean
strict_base64(const char *s, gsize len)
{
    if (len == 0 || len % 4 != 0)
        return FALSE;
    gsize pad = 0;
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0)
            return FALSE;        /* data after padding */
        if (!(g_ascii_isalnum(c) || c == '+' || c == '/'))
            return FALSE;
    }
    return pad <= 2;
}

static const char *
member_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

ScIdentityAssertion *
sc_identity_assertion_parse(const char *value, GError **error)
{
    if (value == NULL) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "no a=identity value");
        return NULL;
    }
    gsize len = strcspn(value, " ");
    if (len > SC_IDENTITY_ATTR_MAX) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "a=identity too long");
        return NULL;
    }
    if (!strict_base64(value, len)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "a=identity is not base64");
        return NULL;
    }
    char *b64 = g_strndup(value, len);
    gsize dlen = 0;
    guchar *json = g_base64_decode(b64, &dlen);
    g_free(b64);
    ScIdentityAssertion *a = NULL;
    JsonParser *parser = NULL;
    if (json == NULL || dlen == 0 || memchr(json, '\0', dlen) != NULL ||
        !g_utf8_validate((const char *)json, (gssize)dlen, NULL)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
             "a=identity does not decode to UTF-8 text");
        goto out;
    }
    parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, (const char *)json, (gssize)dlen,
                                    NULL)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "a=identity is not JSON");
        goto out;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
             "a=identity is not a JSON object");
        goto out;
    }
    JsonObject *o = json_node_get_object(root);
    JsonNode *idpn = json_object_get_member(o, "idp");
    const char *assertion = member_string(o, "assertion");
    if (idpn == NULL || !JSON_NODE_HOLDS_OBJECT(idpn) || assertion == NULL) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
             "a=identity lacks idp or assertion");
        goto out;
    }
    JsonObject *idp = json_node_get_object(idpn);
    const char *domain = member_string(idp, "domain");
    const char *protocol = "default";
    if (json_object_has_member(idp, "protocol")) {
        protocol = member_string(idp, "protocol");
        if (protocol == NULL) {
            sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                 "a=identity: idp.protocol is not a string");
            goto out;
        }
    }
    GError *sub = NULL;
    if (domain == NULL || !sc_idp_domain_parse(domain, NULL, NULL, &sub) ||
        !sc_idp_protocol_check(protocol, &sub)) {
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "a=identity: %s",
                    sub ? bare(sub)
                        : "no idp.domain");
        g_clear_error(&sub);
        goto out;
    }
    a = g_new0(ScIdentityAssertion, 1);
    a->domain = g_strdup(domain);
    a->protocol = g_strdup(protocol);
    a->assertion = g_strdup(assertion);
out:
    if (parser != NULL)
        g_object_unref(parser);
    g_free(json);
    return a;
}

char *
sc_identity_assertion_encode(const char *domain, const char *protocol,
                             const char *assertion)
{
    JsonBuilder *b = json_builder_new_immutable();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "idp");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "domain");
    json_builder_add_string_value(b, domain);
    json_builder_set_member_name(b, "protocol");
    json_builder_add_string_value(b, protocol);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "assertion");
    json_builder_add_string_value(b, assertion);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *json = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(b);
    gsize n = strlen(json);
    char *out = NULL;
    if (n <= SC_IDENTITY_ATTR_MAX / 4 * 3)
        out = g_base64_encode((const guchar *)json, n);
    g_free(json);
    return out;
}

gboolean
sc_identity_check(const char *identity, const char *idp_domain,
                  char **domain_out, gboolean *authoritative, GError **error)
{
    if (identity == NULL || identity[0] == '\0')
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "empty identity");
    gsize len = strlen(identity);
    if (len > SC_IDENTITY_MAX)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "identity too long");
    if (!g_utf8_validate(identity, (gssize)len, NULL))
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                    "identity is not UTF-8");
    const char *at = strchr(identity, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                    "identity is not user@domain with exactly one '@'");
    if (at == identity)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                    "identity has an empty user part");
    /* user: no control characters (it is shown on terminals); '%' only as
     * a percent-encoding */
    for (const char *p = identity; p < at; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
            g_unichar_type(c) == G_UNICODE_FORMAT ||
            g_unichar_type(c) == G_UNICODE_LINE_SEPARATOR ||
            g_unichar_type(c) == G_UNICODE_PARAGRAPH_SEPARATOR)
            return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                        "identity has a control character");
        if (c == '%' && (p + 2 >= at || hexval(p[1]) < 0 || hexval(p[2]) < 0))
            return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                        "identity has a bad percent-encoding");
    }
    const char *dom = at + 1;
    char *id_host = host_to_ascii(dom, strlen(dom));
    if (id_host == NULL)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                    "identity domain is not a domain name");
    char *idp_host = NULL;
    GError *sub = NULL;
    if (!sc_idp_domain_parse(idp_domain, &idp_host, NULL, &sub)) {
        g_free(id_host);
        sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID, "IdP domain: %s",
                    bare(sub));
        g_error_free(sub);
        return FALSE;
    }
    if (authoritative != NULL)
        *authoritative = strcmp(id_host, idp_host) == 0;
    g_free(idp_host);
    if (domain_out != NULL)
        *domain_out = id_host;
    else
        g_free(id_host);
    return TRUE;
}

void
sc_idp_validation_free(ScIdpValidation *v)
{
    if (v == NULL)
        return;
    g_free(v->identity);
    g_free(v->contents);
    g_free(v->domain);
    g_free(v->protocol);
    g_free(v);
}
