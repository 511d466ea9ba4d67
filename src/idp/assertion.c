/* src/idp/assertion.c - the IdP's assertions: the claims it signs and the
 * checks a validation makes. The payload (a JWT, RFC 7519, signed ES256):
 *   {"iss":"https://DOMAIN[:PORT]","identity":"USER@DOMAIN",
 *    "contents":"<the caller's string, unchanged>","origin":"<calling
 *    origin>","pseudonym":false,"iat":N,"exp":N}
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/idp-priv.h"
#include "core/core.h"

#include <string.h>

gboolean
idp_is_printable_ascii(const char *s, gsize len)
{
    for (gsize i = 0; i < len; i++)
        if ((guchar)s[i] < 0x20 || (guchar)s[i] > 0x7e)
            return FALSE;
    return TRUE;
}

const char *
idp_json_get_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

void
idp_json_add_string(JsonBuilder *b, const char *name, const char *v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, v);
}

void
idp_json_add_bool(JsonBuilder *b, const char *name, gboolean v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, v);
}

void
idp_json_add_int(JsonBuilder *b, const char *name, gint64 v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, v);
}

char *
idp_json_finish(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);

    return json_to_string(root, FALSE);
}

char *
idp_assertion_issue(const IdpKey *key, const char *issuer,
                    const char *identity, gboolean pseudonym,
                    const char *contents, const char *origin, gint64 now,
                    guint lifetime, GError **error)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();
    g_autofree char *payload = NULL;

    json_builder_begin_object(b);
    idp_json_add_string(b, "iss", issuer);
    idp_json_add_string(b, "identity", identity);
    idp_json_add_string(b, "contents", contents);
    idp_json_add_string(b, "origin", origin);
    idp_json_add_bool(b, "pseudonym", pseudonym);
    idp_json_add_int(b, "iat", now);
    idp_json_add_int(b, "exp", now + (gint64)lifetime);
    json_builder_end_object(b);
    payload = idp_json_finish(b);
    return idp_jws_sign(key, payload, error);
}

void
idp_validated_clear(IdpValidated *v)
{
    g_clear_pointer(&v->identity, g_free);
    g_clear_pointer(&v->contents, g_free);
    g_clear_pointer(&v->origin, g_free);
}

static gboolean
get_int(JsonObject *o, const char *name, gint64 *out)
{
    JsonNode *n = json_object_get_member(o, name);

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64)
        return FALSE;
    *out = json_node_get_int(n);
    return TRUE;
}

static gboolean
bad(GError **error, const char *why)
{
    g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY, "idp-token-invalid: %s",
                why);
    return FALSE;
}

gboolean
idp_assertion_validate(const IdpKey *key, const char *issuer,
                       const char *domain, const char *token, gint64 now,
                       guint max_lifetime, IdpValidated *out, GError **error)
{
    g_autoptr(JsonObject) p = idp_jws_verify(key, token, error);
    const char *iss, *identity, *contents, *origin, *at;
    JsonNode *pseudo;
    gint64 iat = 0, exp = 0;

    if (p == NULL)
        return FALSE;
    iss = idp_json_get_string(p, "iss");
    identity = idp_json_get_string(p, "identity");
    contents = idp_json_get_string(p, "contents");
    origin = idp_json_get_string(p, "origin");
    pseudo = json_object_get_member(p, "pseudonym");
    if (iss == NULL || identity == NULL || contents == NULL ||
        origin == NULL || !get_int(p, "iat", &iat) ||
        !get_int(p, "exp", &exp) || pseudo == NULL ||
        !JSON_NODE_HOLDS_VALUE(pseudo) ||
        json_node_get_value_type(pseudo) != G_TYPE_BOOLEAN)
        return bad(error, "a claim is missing or of the wrong type");
    if (!g_str_equal(iss, issuer))
        return bad(error, "issued by another IdP");
    at = strrchr(identity, '@');
    if (at == NULL || at == identity || !g_str_equal(at + 1, domain))
        return bad(error, "identity is not USER@DOMAIN of this IdP");
    if (strlen(contents) > IDP_MAX_CONTENTS ||
        strlen(origin) > IDP_MAX_ORIGIN)
        return bad(error, "a claim is too long");
    if (iat > now + IDP_CLOCK_SKEW || exp <= iat ||
        exp - iat > (gint64)max_lifetime)
        return bad(error, "bad issue or expiry time");
    if (exp <= now) {
        g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY,
                    "idp-token-expired: the assertion expired %" G_GINT64_FORMAT
                    " s ago", now - exp);
        return FALSE;
    }
    out->identity = g_strdup(identity);
    out->contents = g_strdup(contents);
    out->origin = g_strdup(origin);
    out->pseudonym = json_node_get_boolean(pseudo);
    out->iat = iat;
    out->exp = exp;
    return TRUE;
}
