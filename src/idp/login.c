/* src/idp/login.c - the IdP's login state: sessions (a random token in an
 * HttpOnly, Secure, SameSite cookie, kept in memory only) and the limit
 * on failed logins per client address and per user name. Every session
 * token is registered with the log filter (core/log-secrets.c) while it
 * lives, so that no log line can show one.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/idp-priv.h"
#include "core/core.h"

#include <string.h>

#include <openssl/crypto.h>

#define TOKEN_BYTES 32

typedef struct {
    char *user;
    gint64 expires;
    guint secret_id;
} Session;

typedef struct {
    gint64 window_start;
    guint failures;
} Failures;

struct IdpLogin {
    GHashTable *sessions; /* token -> Session */
    GHashTable *failures; /* key -> Failures */
};

static void
session_free(gpointer p)
{
    Session *s = p;

    sc_log_secret_remove(s->secret_id);
    g_free(s->user);
    g_free(s);
}

static void
token_free(gpointer p)
{
    char *t = p;

    OPENSSL_cleanse(t, strlen(t));
    g_free(t);
}

IdpLogin *
idp_login_new(void)
{
    IdpLogin *login = g_new0(IdpLogin, 1);

    login->sessions = g_hash_table_new_full(g_str_hash, g_str_equal,
                                            token_free, session_free);
    login->failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            g_free);
    return login;
}

void
idp_login_free(IdpLogin *login)
{
    if (login == NULL)
        return;
    g_hash_table_destroy(login->sessions);
    g_hash_table_destroy(login->failures);
    g_free(login);
}

static gboolean
session_expired(gpointer key, gpointer value, gpointer user_data)
{
    const Session *s = value;

    return s->expires <= *(const gint64 *)user_data;
}

char *
idp_login_session_new(IdpLogin *login, const char *user, gint64 now)
{
    guint8 raw[TOKEN_BYTES];
    char *b64;
    Session *s;

    if (g_hash_table_size(login->sessions) >= IDP_MAX_SESSIONS)
        g_hash_table_foreach_remove(login->sessions, session_expired, &now);
    if (g_hash_table_size(login->sessions) >= IDP_MAX_SESSIONS)
        return NULL;
    sc_random_bytes(raw, sizeof raw);
    /* base64url without padding: a cookie value needs no quoting */
    b64 = idp_b64url_encode(raw, sizeof raw);
    OPENSSL_cleanse(raw, sizeof raw);
    s = g_new0(Session, 1);
    s->user = g_strdup(user);
    s->expires = now + IDP_SESSION_LIFETIME;
    s->secret_id = sc_log_secret_add(b64, strlen(b64));
    g_hash_table_insert(login->sessions, g_strdup(b64), s);
    return b64;
}

const char *
idp_login_session_user(IdpLogin *login, const char *token, gint64 now)
{
    Session *s;

    if (token == NULL || strlen(token) > 64)
        return NULL;
    s = g_hash_table_lookup(login->sessions, token);
    if (s == NULL)
        return NULL;
    if (s->expires <= now) {
        g_hash_table_remove(login->sessions, token);
        return NULL;
    }
    return s->user;
}

void
idp_login_session_end(IdpLogin *login, const char *token)
{
    if (token != NULL)
        g_hash_table_remove(login->sessions, token);
}

static gboolean
failures_expired(gpointer key, gpointer value, gpointer user_data)
{
    const Failures *f = value;

    return f->window_start + IDP_FAILURE_WINDOW <= *(const gint64 *)user_data;
}

guint
idp_login_blocked_for(IdpLogin *login, const char *key, gint64 now)
{
    Failures *f = g_hash_table_lookup(login->failures, key);

    if (f == NULL)
        return 0;
    if (f->window_start + IDP_FAILURE_WINDOW <= now) {
        g_hash_table_remove(login->failures, key);
        return 0;
    }
    if (f->failures < IDP_MAX_FAILURES)
        return 0;
    return (guint)(f->window_start + IDP_FAILURE_WINDOW - now);
}

void
idp_login_failed(IdpLogin *login, const char *key, gint64 now)
{
    Failures *f = g_hash_table_lookup(login->failures, key);

    if (f != NULL && f->window_start + IDP_FAILURE_WINDOW <= now) {
        f->window_start = now;
        f->failures = 0;
    }
    if (f == NULL) {
        if (g_hash_table_size(login->failures) >= IDP_MAX_TRACKED)
            g_hash_table_foreach_remove(login->failures, failures_expired,
                                        &now);
        if (g_hash_table_size(login->failures) >= IDP_MAX_TRACKED) {
            /* Full of live entries: a flood of failures from many
             * addresses. Forgetting one lets it retry sooner; that is
             * bounded by the table and scrypt's cost per attempt. */
            GHashTableIter it;
            gpointer k;
            g_hash_table_iter_init(&it, login->failures);
            if (g_hash_table_iter_next(&it, &k, NULL))
                g_hash_table_iter_remove(&it);
        }
        f = g_new0(Failures, 1);
        f->window_start = now;
        g_hash_table_insert(login->failures, g_strdup(key), f);
    }
    if (f->failures < G_MAXUINT)
        f->failures++;
}
