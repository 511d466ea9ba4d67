/* src/privacy/privacy-profile.c - profile fields and their values (ordered
 * from revealing to private), the rules that tie fields together, and the
 * normalization and matching of destinations (origins, identities, domain
 * patterns).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "privacy"
#include "privacy/privacy-priv.h"

#include <gio/gio.h>
#include <string.h>

static const char *const bool_values[] = {"false", "true", NULL};
/* RFC 8828 section 5.2 modes 1 to 4, from revealing to private, named as
 * sc_ip_handling_from_string() names them (ui-cli/privacy-cli.c,
 * cli_privacy_apply(), hands the value to it). */
static const char *const ip_values[] = {"all", "default-route",
                                        "default-route-only", "relay-only",
                                        NULL};
static const char *const key_values[] = {"per-origin", "per-call", NULL};
static const char *const id_values[] = {"full", "pseudonym", "none", NULL};

static const struct {
    const char *name;
    const char *const *values;
    const char *list;
} fields[SC_PRIV_N_FIELDS] = {
    [SC_PRIV_RELAY_ONLY] = {"relay_only", bool_values, "true, false"},
    [SC_PRIV_IP_HANDLING] = {"ip_handling", ip_values,
                             "all, default-route, default-route-only, relay-only"},
    [SC_PRIV_KEY_SCOPE] = {"key_scope", key_values, "per-call, per-origin"},
    [SC_PRIV_DISCLOSE_IDENTITY] = {"disclose_identity", id_values,
                                   "none, pseudonym, full"},
    [SC_PRIV_DEFER_ICE] = {"defer_ice", bool_values, "true, false"},
    [SC_PRIV_REQUIRE_UNLINKABLE] = {"require_unlinkable", bool_values,
                                    "true, false"},
    [SC_PRIV_REFUSE_ANONYMOUS] = {"refuse_anonymous", bool_values,
                                  "true, false"},
    [SC_PRIV_REFUSE_UNLINKABLE] = {"refuse_unlinkable", bool_values,
                                   "true, false"},
};

const char *
sc_priv_field_name(ScPrivField f)
{
    g_return_val_if_fail((guint)f < SC_PRIV_N_FIELDS, NULL);
    return fields[f].name;
}

const char *
sc_priv_field_values(ScPrivField f)
{
    g_return_val_if_fail((guint)f < SC_PRIV_N_FIELDS, NULL);
    return fields[f].list;
}

gboolean
sc_priv_field_from_name(const char *name, ScPrivField *out)
{
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        if (g_strcmp0(name, fields[f].name) == 0) {
            *out = (ScPrivField)f;
            return TRUE;
        }
    }
    return FALSE;
}

const char *
sc_priv_value_name(ScPrivField f, guint rank)
{
    g_return_val_if_fail((guint)f < SC_PRIV_N_FIELDS, NULL);
    for (guint i = 0; fields[f].values[i] != NULL; i++)
        if (i == rank)
            return fields[f].values[i];
    g_return_val_if_reached(NULL);
}

gboolean
sc_priv_value_from_name(ScPrivField f, const char *value, guint8 *rank)
{
    g_return_val_if_fail((guint)f < SC_PRIV_N_FIELDS, FALSE);
    for (guint i = 0; fields[f].values[i] != NULL; i++) {
        if (g_strcmp0(value, fields[f].values[i]) == 0) {
            *rank = (guint8)i;
            return TRUE;
        }
    }
    return FALSE;
}

void
sc_priv_profile_builtin(ScPrivProfile *p)
{
    /* what sealcall does without rules: every address may be signalled, a
     * fresh key pair per call, no identity asserted */
    memset(p, 0, sizeof(*p));
    p->v[SC_PRIV_KEY_SCOPE] = SC_PRIV_KEY_PER_CALL;
    p->v[SC_PRIV_DISCLOSE_IDENTITY] = SC_PRIV_ID_NONE;
}

guint
sc_priv_profile_floor(const ScPrivProfile *p, ScPrivField f, const char **why)
{
    gboolean unlinkable = p->v[SC_PRIV_REQUIRE_UNLINKABLE] == SC_PRIV_TRUE;
    gboolean relay = p->v[SC_PRIV_RELAY_ONLY] == SC_PRIV_TRUE ||
                     p->v[SC_PRIV_IP_HANDLING] == SC_PRIV_IP_RELAY;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    switch (f) {
    case SC_PRIV_RELAY_ONLY:
        if (unlinkable) {
            *why = "require_unlinkable=true needs relay_only=true";
            return SC_PRIV_TRUE;
        }
        if (p->v[SC_PRIV_IP_HANDLING] == SC_PRIV_IP_RELAY) {
            *why = "ip_handling=relay-only is relay_only=true";
            return SC_PRIV_TRUE;
        }
        return 0;
    case SC_PRIV_IP_HANDLING:
        if (unlinkable || relay) {
            *why = unlinkable ? "require_unlinkable=true needs "
                                "ip_handling=relay-only"
                              : "relay_only=true is ip_handling=relay-only";
            return SC_PRIV_IP_RELAY;
        }
        return 0;
    case SC_PRIV_KEY_SCOPE:
        if (unlinkable) {
            *why = "require_unlinkable=true needs key_scope=per-call";
            return SC_PRIV_KEY_PER_CALL;
        }
        return 0;
    case SC_PRIV_DISCLOSE_IDENTITY:
        if (unlinkable) {
            *why = "require_unlinkable=true needs disclose_identity=none or "
                   "pseudonym";
            return SC_PRIV_ID_PSEUDONYM;
        }
        return 0;
    default:
        return 0;
    }
}

void
sc_priv_profile_normalize(ScPrivProfile *p)
{
    /* two rounds: relay_only and ip_handling imply each other */
    for (int round = 0; round < 2; round++)
        for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
            guint floor = sc_priv_profile_floor(p, (ScPrivField)f, NULL);
            if (p->v[f] < floor)
                p->v[f] = (guint8)floor;
        }
}

void
sc_priv_profile_merge_max(ScPrivProfile *into, const ScPrivProfile *p)
{
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++)
        into->v[f] = MAX(into->v[f], p->v[f]);
    sc_priv_profile_normalize(into);
}

/* ---- destinations ---- */

static gboolean
label_ok(const char *l, gsize n)
{
    if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(l[i]) && l[i] != '-' && l[i] != '_')
            return FALSE;
    return TRUE;
}

char *
sc_priv_hostname_normalize(const char *host, gboolean *is_ip)
{
    g_autofree char *trimmed = NULL;
    g_autofree char *ascii = NULL;
    gsize n;
    const char *p;

    if (is_ip != NULL)
        *is_ip = FALSE;
    if (host == NULL || *host == '\0' || strlen(host) > 255)
        return NULL;
    if (g_hostname_is_ip_address(host)) {
        if (is_ip != NULL)
            *is_ip = TRUE;
        return g_ascii_strdown(host, -1);
    }
    trimmed = g_strdup(host);
    n = strlen(trimmed);
    if (trimmed[n - 1] == '.') /* the root label: one trailing dot */
        trimmed[--n] = '\0';
    if (n == 0)
        return NULL;
    /* IDNA (UTS #46 as GLib does it): Bücher.example -> xn--bcher-kva.example */
    ascii = g_hostname_to_ascii(trimmed);
    if (ascii == NULL)
        return NULL;
    n = strlen(ascii);
    if (n == 0 || n > 253)
        return NULL;
    p = ascii;
    while (TRUE) {
        const char *dot = strchr(p, '.');
        gsize len = dot != NULL ? (gsize)(dot - p) : strlen(p);
        if (!label_ok(p, len))
            return NULL;
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    return g_ascii_strdown(ascii, -1);
}

char *
sc_priv_origin_from_url(const char *url, gboolean allow_path, char **host_out,
                        gboolean *host_is_ip, GError **error)
{
    g_autoptr(GUri) uri = NULL;
    g_autofree char *host = NULL;
    const char *scheme;
    const char *path;
    gboolean is_ip = FALSE;
    gint port;

    if (url != NULL)
        uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
    if (uri == NULL || g_uri_get_host(uri) == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "not a ws:// or wss:// URL");
        return NULL;
    }
    scheme = g_uri_get_scheme(uri);
    if (g_ascii_strcasecmp(scheme, "ws") != 0 &&
        g_ascii_strcasecmp(scheme, "wss") != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the scheme must be ws or wss");
        return NULL;
    }
    path = g_uri_get_path(uri);
    if (!allow_path &&
        ((path[0] != '\0' && strcmp(path, "/") != 0) ||
         g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL ||
         g_uri_get_userinfo(uri) != NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "an origin is scheme://host[:port], without path, query "
                    "or user");
        return NULL;
    }
    host = sc_priv_hostname_normalize(g_uri_get_host(uri), &is_ip);
    if (host == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bad host name");
        return NULL;
    }
    port = g_uri_get_port(uri);
    if (port < 0)
        port = g_ascii_strcasecmp(scheme, "wss") == 0 ? 443 : 80;
    if (host_is_ip != NULL)
        *host_is_ip = is_ip;
    if (host_out != NULL)
        *host_out = g_strdup(host);
    return g_strdup_printf("%s://%s%s%s:%d", g_ascii_strcasecmp(scheme, "wss")
                                                 == 0 ? "wss" : "ws",
                           strchr(host, ':') != NULL ? "[" : "", host,
                           strchr(host, ':') != NULL ? "]" : "", port);
}

char *
sc_priv_identity_normalize(const char *identity, GError **error)
{
    const char *at = identity != NULL ? strrchr(identity, '@') : NULL;
    g_autofree char *domain = NULL;
    gboolean is_ip = FALSE;

    if (at == NULL || at == identity || strlen(identity) > 320) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "an identity is user@domain");
        return NULL;
    }
    for (const char *c = identity; c < at; c++) {
        if ((guchar)*c <= 0x20 || *c == 0x7f) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "the user part of an identity has no spaces or "
                        "control characters");
            return NULL;
        }
    }
    domain = sc_priv_hostname_normalize(at + 1, &is_ip);
    if (domain == NULL || is_ip) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bad domain in identity");
        return NULL;
    }
    if (!g_utf8_validate(identity, at - identity, NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "identity is not UTF-8");
        return NULL;
    }
    return g_strdup_printf("%.*s@%s", (int)(at - identity), identity, domain);
}

char *
sc_priv_pattern_normalize(const char *pattern, GError **error)
{
    gboolean wild = g_str_has_prefix(pattern, "*.");
    gboolean is_ip = FALSE;
    g_autofree char *base =
        sc_priv_hostname_normalize(wild ? pattern + 2 : pattern, &is_ip);

    if (base == NULL || is_ip || strchr(base, '*') != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "a domain pattern is *.DOMAIN or DOMAIN ('*' only as the "
                    "whole first label)");
        return NULL;
    }
    return wild ? g_strconcat("*.", base, NULL) : g_steal_pointer(&base);
}

gboolean
sc_priv_domain_match(const char *pattern, const char *host)
{
    gsize hl, bl;
    const char *base;

    if (pattern == NULL || host == NULL)
        return FALSE;
    if (!g_str_has_prefix(pattern, "*."))
        return strcmp(pattern, host) == 0;
    base = pattern + 2;
    hl = strlen(host);
    bl = strlen(base);
    /* a whole label before ".base": not "base" itself, not "xbase" */
    return hl > bl + 1 && host[hl - bl - 1] == '.' &&
           strcmp(host + hl - bl, base) == 0;
}

guint
sc_priv_pattern_rank(const char *pattern)
{
    gboolean wild = g_str_has_prefix(pattern, "*.");
    const char *base = wild ? pattern + 2 : pattern;
    guint labels = 1;

    for (const char *c = base; *c != '\0'; c++)
        if (*c == '.')
            labels++;
    return 2 * labels + (wild ? 0 : 1);
}
