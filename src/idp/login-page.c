/* src/idp/login-page.c - the IdP's login pages. GET /login shows a form
 * with a CSRF token (double submit: the same random token in a
 * __Host- cookie, SameSite=Strict, and in the form); POST /login checks
 * the token, the Origin header, the failure limit (per client address and
 * per user name) and the password, then sets the session cookie
 * (HttpOnly, Secure, SameSite=Lax, __Host-) and redirects (303) to
 * /login/done, whose script posts "WEBRTC-LOGINDONE" to the opener or
 * parent window (W3C Identity for WebRTC, login). POST /logout ends the
 * session.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/server-priv.h"
#include "core/core.h"

#include <string.h>

#include <openssl/crypto.h>

#define CSRF_BYTES 24
#define PAGE_CSP                                                              \
    "default-src 'none'; form-action 'self'; script-src 'self'; "             \
    "base-uri 'none'"

static void
set_cookie(SoupServerMessage *msg, const char *name, const char *value,
           const char *same_site, int max_age)
{
    g_autofree char *c = g_strdup_printf(
        "%s=%s; Path=/; Secure; HttpOnly; SameSite=%s; Max-Age=%d", name,
        value, same_site, max_age);

    soup_message_headers_append(soup_server_message_get_response_headers(msg),
                                "Set-Cookie", c);
}

static void
respond_page(SoupServerMessage *msg, guint status, const char *body)
{
    soup_message_headers_replace(soup_server_message_get_response_headers(msg),
                                 "Content-Security-Policy", PAGE_CSP);
    idp_respond(msg, status, "text/html; charset=utf-8", body);
}

static char *
random_token(void)
{
    guint8 raw[CSRF_BYTES];

    sc_random_bytes(raw, sizeof raw);
    return idp_b64url_encode(raw, sizeof raw);
}

static void
show_form(ScIdpServer *idp, SoupServerMessage *msg, guint status, const char *note)
{
    g_autofree char *csrf = random_token();
    g_autofree char *domain = g_markup_escape_text(idp->domain, -1);
    g_autofree char *page = g_strdup_printf(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>Log in to %s</title></head><body>\n"
        "<h1>Log in to %s</h1>\n%s%s%s"
        "<p>The calling site will learn USER@%s, or, if it asks for a "
        "pseudonym, only a name that this IdP made for that site.</p>\n"
        "<form method=\"post\" action=\"/login\">\n"
        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
        "<label>User <input name=\"user\" autocomplete=\"username\" "
        "maxlength=\"64\" required></label>\n"
        "<label>Password <input name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\" maxlength=\"1024\" "
        "required></label>\n"
        "<button type=\"submit\">Log in</button>\n</form>\n</body></html>\n",
        domain, domain, note != NULL ? "<p><strong>" : "",
        note != NULL ? note : "", note != NULL ? "</strong></p>\n" : "",
        domain, csrf);

    set_cookie(msg, IDP_CSRF_COOKIE, csrf, "Strict", 600);
    respond_page(msg, status, page);
}

/* The form's fields, NULL when the body is not a form. */
static GHashTable *
request_form(SoupServerMessage *msg)
{
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    const char *type = soup_message_headers_get_content_type(h, NULL);
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *text = NULL;
    const char *data;
    gsize len = 0;
    GHashTable *form;

    if (type == NULL ||
        g_ascii_strcasecmp(type, "application/x-www-form-urlencoded") != 0)
        return NULL;
    bytes = soup_message_body_flatten(soup_server_message_get_request_body(msg));
    data = g_bytes_get_data(bytes, &len);
    if (len == 0 || len > IDP_MAX_BODY || memchr(data, '\0', len) != NULL)
        return NULL;
    text = g_strndup(data, len);
    form = soup_form_decode(text);
    OPENSSL_cleanse(text, len); /* it held the password */
    return form;
}

static void
form_wipe(gpointer key, gpointer value, gpointer user_data)
{
    (void)key;
    (void)user_data;
    if (value != NULL)
        OPENSSL_cleanse(value, strlen(value));
}

static void
handle_login_post(ScIdpServer *idp, SoupServerMessage *msg)
{
    GHashTable *form = request_form(msg);
    g_autofree char *cookie_csrf = idp_request_cookie(msg, IDP_CSRF_COOKIE);
    const char *csrf, *user, *password;
    const char *addr = soup_server_message_get_remote_host(msg);
    g_autofree char *ip_key = g_strconcat("ip:", addr != NULL ? addr : "?",
                                          NULL);
    g_autofree char *user_key = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    guint wait;
    gboolean ok;

    if (form == NULL) {
        show_form(idp, msg, SOUP_STATUS_BAD_REQUEST, "Send the form.");
        return;
    }
    csrf = g_hash_table_lookup(form, "csrf");
    user = g_hash_table_lookup(form, "user");
    password = g_hash_table_lookup(form, "password");
    if (!idp_request_same_origin(msg) || csrf == NULL ||
        cookie_csrf == NULL || strlen(csrf) != strlen(cookie_csrf) ||
        strlen(csrf) < 16 ||
        CRYPTO_memcmp(csrf, cookie_csrf, strlen(csrf)) != 0) {
        SC_LOG_WARN("idp", "a login without the form's token: refused");
        show_form(idp, msg, SOUP_STATUS_FORBIDDEN,
                  "The form expired: log in again.");
        goto out;
    }
    if (user == NULL || password == NULL || strlen(user) > IDP_MAX_USER ||
        strlen(password) > IDP_MAX_PASSWORD) {
        show_form(idp, msg, SOUP_STATUS_BAD_REQUEST,
                  "Wrong user name or password.");
        goto out;
    }
    user_key = g_strconcat("user:", user, NULL);
    wait = MAX(idp_login_blocked_for(idp->login, ip_key, now),
               idp_login_blocked_for(idp->login, user_key, now));
    if (wait > 0) {
        g_autofree char *secs = g_strdup_printf("%u", wait);
        soup_message_headers_replace(
            soup_server_message_get_response_headers(msg), "Retry-After",
            secs);
        show_form(idp, msg, 429 /* Too Many Requests, RFC 6585 */,
                  "Too many failed logins: wait a minute.");
        goto out;
    }
    ok = idp_users_check(idp->users, user, password, strlen(password));
    if (!ok) {
        idp_login_failed(idp->login, ip_key, now);
        idp_login_failed(idp->login, user_key, now);
        SC_LOG_WARN("idp", "a failed login");
        show_form(idp, msg, SOUP_STATUS_UNAUTHORIZED,
                  "Wrong user name or password.");
        goto out;
    }
    {
        g_autofree char *token = idp_login_session_new(idp->login, user, now);
        if (token == NULL) {
            show_form(idp, msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                      "Too many sessions: try later.");
            goto out;
        }
        set_cookie(msg, IDP_SESSION_COOKIE, token, "Lax",
                   IDP_SESSION_LIFETIME);
        set_cookie(msg, IDP_CSRF_COOKIE, "", "Strict", 0);
        OPENSSL_cleanse(token, strlen(token));
    }
    SC_LOG_INFO("idp", "a user logged in");
    soup_message_headers_replace(soup_server_message_get_response_headers(msg),
                                 "Location", "/login/done");
    idp_respond(msg, SOUP_STATUS_SEE_OTHER, "text/plain", "logged in\n");
out:
    g_hash_table_foreach(form, form_wipe, NULL);
    g_hash_table_unref(form);
}

static void
show_done(ScIdpServer *idp, SoupServerMessage *msg)
{
    g_autofree char *token = idp_request_cookie(msg, IDP_SESSION_COOKIE);
    const char *user = idp_login_session_user(
        idp->login, token, g_get_real_time() / G_USEC_PER_SEC);
    g_autofree char *who =
        user != NULL ? g_markup_printf_escaped("%s@%s", user, idp->domain)
                     : g_strdup("nobody");
    g_autofree char *page = g_strdup_printf(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>Logged in</title></head><body>\n"
        "<p>Logged in as %s. You can close this window.</p>\n"
        "<script src=\"/login/done.js\"></script>\n</body></html>\n",
        who);

    respond_page(msg, SOUP_STATUS_OK, page);
}

/* W3C Identity for WebRTC: "the login page posts the exact string
 * WEBRTC-LOGINDONE to its opener or parent". */
static const char done_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var w = window.opener || (window.parent !== window ? window.parent : "
    "null);\n"
    "  if (w) w.postMessage('WEBRTC-LOGINDONE', '*');\n"
    "})();\n";

gboolean
idp_login_route(ScIdpServer *idp, SoupServerMessage *msg, const char *path,
                gboolean get, gboolean post)
{
    if (g_str_equal(path, "/login") && get) {
        show_form(idp, msg, SOUP_STATUS_OK, NULL);
        return TRUE;
    }
    if (g_str_equal(path, "/login") && post) {
        handle_login_post(idp, msg);
        return TRUE;
    }
    if (g_str_equal(path, "/login/done") && get) {
        show_done(idp, msg);
        return TRUE;
    }
    if (g_str_equal(path, "/login/done.js") && get) {
        idp_respond(msg, SOUP_STATUS_OK,
                    "application/javascript; charset=utf-8", done_js);
        return TRUE;
    }
    if (g_str_equal(path, "/logout") && post) {
        g_autofree char *token = idp_request_cookie(msg, IDP_SESSION_COOKIE);
        if (!idp_request_same_origin(msg)) {
            idp_respond(msg, SOUP_STATUS_FORBIDDEN, "text/plain",
                        "cross-origin request\n");
            return TRUE;
        }
        idp_login_session_end(idp->login, token);
        set_cookie(msg, IDP_SESSION_COOKIE, "", "Lax", 0);
        idp_respond(msg, SOUP_STATUS_OK, "text/plain", "logged out\n");
        return TRUE;
    }
    return FALSE;
}
