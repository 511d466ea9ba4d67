/* src/ice/turn-url.c - TURN server URLs: RFC 7065's turn:/turns: URI with
 * the userinfo of the interop contract (section 5),
 * "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]". Strict: only RFC 3986
 * characters, exactly one '@', both USER and PASS, an IP literal host
 * (IPv6 in brackets), no path or fragment, only the transport parameter.
 * Percent-decoding, the brackets and the port are GLib's GUri's; the
 * checks around it are ours, and no error message shows USER or PASS
 * (sc_turn_url_redact()). Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "ice"
#include "ice/ice.h"

#include <string.h>

void
sc_turn_server_free(ScTurnServer *s)
{
    if (s == NULL)
        return;
    if (s->password != NULL)
        sc_secure_wipe(s->password, strlen(s->password));
    if (s->username != NULL)
        sc_secure_wipe(s->username, strlen(s->username));
    g_free(s->password);
    g_free(s->username);
    g_free(s->host);
    g_free(s->url_redacted);
    g_free(s);
}

ScTurnServer *
sc_turn_server_copy(const ScTurnServer *s)
{
    ScTurnServer *n = g_new0(ScTurnServer, 1);

    *n = *s;
    n->host = g_strdup(s->host);
    n->username = g_strdup(s->username);
    n->password = g_strdup(s->password);
    n->url_redacted = g_strdup(s->url_redacted);
    return n;
}

/* "turn" or "turns" (RFC 3986 §3.1: case-insensitive), the length of the
 * prefix up to and with the ':' in *@skip; NULL if neither */
static const char *
url_scheme(const char *url, gsize *skip)
{
    if (g_ascii_strncasecmp(url, "turn:", 5) == 0) {
        *skip = 5;
        return "turn";
    }
    if (g_ascii_strncasecmp(url, "turns:", 6) == 0) {
        *skip = 6;
        return "turns";
    }
    return NULL;
}

char *
sc_turn_url_redact(const char *url)
{
    const char *scheme;
    const char *at;
    gsize skip = 0;
    GString *out;

    if (url == NULL)
        return g_strdup("(none)");
    scheme = url_scheme(url, &skip);
    at = strrchr(url, '@');
    out = g_string_new(scheme != NULL ? scheme : "(not turn: or turns:)");
    /* without an '@' there is no telling the host from a password */
    if (scheme == NULL || at == NULL) {
        if (scheme != NULL)
            g_string_append(out, ":***");
        return g_string_free(out, FALSE);
    }
    g_string_append(out, ":***@");
    for (const char *p = at + 1; *p && out->len < 128; p++)
        g_string_append_c(out, g_ascii_isgraph(*p) ? *p : '?');
    return g_string_free(out, FALSE);
}

/* RFC 3986 unreserved / sub-delims / '%' and the delimiters a TURN URL
 * uses; everything else (space, controls, non-ASCII, '/', '#', ...) is
 * refused before GUri sees the URL. */
static gboolean
url_char_ok(char c)
{
    return g_ascii_isalnum(c) || strchr("-._~!$&'()*+,;=%:@[]?", c) != NULL;
}

static gboolean
fail(GError **error, const char *redacted, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
fail(GError **error, const char *redacted, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *what = NULL;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                "TURN server %s: %s (the form is "
                "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp], or turns:)",
                redacted, what);
    return FALSE;
}

/* USER or PASS as decoded: printable (no controls: they would reach
 * libnice's STUN attributes and our terminal), bounded */
static gboolean
credential_ok(const char *s)
{
    gsize n = strlen(s);

    if (n == 0 || n > SC_TURN_MAX_CREDENTIAL_LEN)
        return FALSE;
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return FALSE;
    return TRUE;
}

static gboolean
parse_port(const char *hostport, gboolean secure, guint16 *port,
           const char *redacted, GError **error)
{
    /* the port is what follows the last ':' outside the brackets */
    const char *close = strrchr(hostport, ']');
    const char *colon = strrchr(close != NULL ? close : hostport, ':');
    guint64 v = 0;

    *port = secure ? SC_TURNS_DEFAULT_PORT : SC_TURN_DEFAULT_PORT;
    if (colon == NULL)
        return TRUE;
    if (colon[1] == '\0')
        return fail(error, redacted, "empty port");
    if (strlen(colon + 1) > 5 ||
        !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &v, NULL))
        return fail(error, redacted, "the port must be 1 to 65535");
    *port = (guint16)v;
    return TRUE;
}

ScTurnServer *
sc_turn_url_parse(const char *url, GError **error)
{
    g_autofree char *redacted = sc_turn_url_redact(url);
    g_autofree char *rest = NULL;
    g_autofree char *as_uri = NULL;
    g_autofree char *user = NULL, *pass = NULL, *host = NULL;
    g_autofree char *path = NULL, *query = NULL, *fragment = NULL;
    g_autoptr(ScTurnServer) s = NULL;
    ScTurnServer *ret = NULL;
    const char *scheme;
    const char *at;
    char *q;
    const char *bracket;
    gsize skip = 0;
    int n_at = 0;

    if (url == NULL || (scheme = url_scheme(url, &skip)) == NULL) {
        fail(error, redacted, "the URL must start with turn: or turns:");
        return NULL;
    }
    if (strlen(url) > SC_TURN_MAX_URL_LEN) {
        fail(error, redacted, "longer than %u characters",
             SC_TURN_MAX_URL_LEN);
        return NULL;
    }
    if (g_str_has_prefix(url + skip, "//")) {
        fail(error, redacted, "no '//' after the scheme (RFC 7065)");
        return NULL;
    }
    for (const char *p = url + skip; *p; p++) {
        if (!url_char_ok(*p)) {
            fail(error, redacted, "character %u is not allowed in a URL "
                                  "(percent-encode it)",
                 (guint)(p - url) + 1);
            return NULL;
        }
        n_at += *p == '@';
    }
    if (n_at == 0) {
        fail(error, redacted, "USER:PASS@ is missing");
        return NULL;
    }
    if (n_at > 1) {
        fail(error, redacted, "more than one '@' (write an '@' in USER or "
                              "PASS as %%40)");
        return NULL;
    }
    at = strchr(url + skip, '@');
    if (memchr(url + skip, ':', (gsize)(at - (url + skip))) == NULL) {
        fail(error, redacted, "PASS is missing (USER:PASS@)");
        return NULL;
    }
    rest = g_strdup(url + skip);
    q = strchr(rest, '?');
    bracket = strpbrk(rest, "[]");
    if ((q != NULL && q < rest + (at - (url + skip))) ||
        (bracket != NULL && bracket < rest + (at - (url + skip)))) {
        fail(error, redacted, "'?', '[' or ']' in USER or PASS "
                              "(percent-encode it)");
        goto wipe;
    }
    /* GUri splits and percent-decodes an authority: give it one */
    as_uri = g_strconcat(scheme, "://", rest, NULL);
    if (!g_uri_split_with_user(as_uri, G_URI_FLAGS_HAS_PASSWORD, NULL, &user,
                               &pass, NULL, &host, NULL, &path, &query,
                               &fragment, NULL)) {
        /* GUri's message may quote a part of the URL: ours does not */
        fail(error, redacted, "malformed percent-encoding, host or port");
        goto wipe;
    }
    if (user == NULL || pass == NULL || !credential_ok(user) ||
        !credential_ok(pass)) {
        fail(error, redacted, "USER and PASS must each be 1 to %u "
                              "characters, without control characters",
             SC_TURN_MAX_CREDENTIAL_LEN);
        goto wipe;
    }
    if ((path != NULL && path[0] != '\0') || fragment != NULL) {
        fail(error, redacted, "a TURN URL has no path or fragment");
        goto wipe;
    }
    if (host == NULL || !g_hostname_is_ip_address(host) ||
        strchr(host, '%') != NULL) {
        fail(error, redacted, "HOST must be an IP address (IPv6 in "
                              "brackets), without a zone");
        goto wipe;
    }
    s = g_new0(ScTurnServer, 1);
    s->secure = g_str_equal(scheme, "turns");
    s->tcp = s->secure;
    {
        const char *hp = strchr(rest, '@') + 1;
        g_autofree char *hostport =
            q != NULL ? g_strndup(hp, (gsize)(q - hp)) : g_strdup(hp);
        if (!parse_port(hostport, s->secure, &s->port, redacted, error))
            goto wipe;
    }
    if (query != NULL) {
        if (g_str_equal(query, "transport=tcp"))
            s->tcp = TRUE;
        else if (g_str_equal(query, "transport=udp") && !s->secure)
            s->tcp = FALSE;
        else if (g_str_equal(query, "transport=udp")) {
            fail(error, redacted, "turns: over UDP (DTLS) is not supported");
            goto wipe;
        } else {
            fail(error, redacted, "the only parameter is transport=udp or "
                                  "transport=tcp");
            goto wipe;
        }
    }
    s->host = g_steal_pointer(&host);
    s->username = g_steal_pointer(&user);
    s->password = g_steal_pointer(&pass);
    s->url_redacted = g_strdup_printf(
        "%s:***@%s%s%s:%u?transport=%s", scheme,
        strchr(s->host, ':') != NULL ? "[" : "", s->host,
        strchr(s->host, ':') != NULL ? "]" : "", s->port,
        s->tcp ? "tcp" : "udp");
    ret = g_steal_pointer(&s);

wipe:
    if (user != NULL)
        sc_secure_wipe(user, strlen(user));
    if (pass != NULL)
        sc_secure_wipe(pass, strlen(pass));
    if (rest != NULL)
        sc_secure_wipe(rest, strlen(rest));
    if (as_uri != NULL)
        sc_secure_wipe(as_uri, strlen(as_uri));
    return ret;
}
