/* src/idp/idp-priv.h - the reference IdP server's parts (sealcall/idp.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_IDP_PRIV_H
#define SC_IDP_PRIV_H

#include <sealcall/idp.h>
#include <sealcall/error.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* ---- limits on what a client sends (README `sealcall idp`) ---- */
#define IDP_MAX_BODY 16384          /* a POST body */
#define IDP_MAX_CONTENTS 4096       /* the contents string (fingerprints) */
#define IDP_MAX_ORIGIN 512          /* the calling origin */
#define IDP_MAX_HINT 256            /* the username hint */
#define IDP_MAX_ASSERTION 8192      /* a JWS to validate */
#define IDP_MAX_PASSWORD 1024
#define IDP_MAX_USER 64
#define IDP_MAX_DOMAIN 253
#define IDP_MAX_USERS_FILE (1024 * 1024)
#define IDP_MAX_USERS 10000
/* an assertion's iat may be this far in the future (clock skew) */
#define IDP_CLOCK_SKEW 60
/* the username hint that asks for a pseudonym */
#define IDP_PSEUDONYM_HINT "pseudonym"
#define IDP_PSEUDONYM_PREFIX "p-"

/* ---- signing key, JWS ES256 (jws.c) ---- */
typedef struct IdpKey IdpKey;

/* Loads the PEM ECDSA P-256 private key of @path, or makes one there
 * (0600, O_EXCL) when the file does not exist. Refuses a file that
 * group or others may read or write. */
IdpKey *idp_key_load_or_create(const char *path, GError **error);
/* A fresh key kept in memory only (fuzzing, tests). */
IdpKey *idp_key_generate(GError **error);
void idp_key_free(IdpKey *key);
/* Opens @path (@what names it in errors) for reading: -1 with
 * SC_ERROR_CERTIFICATE when it cannot, is not a regular file, or group
 * or others may read or write it. */
int idp_open_private_file(const char *path, const char *what,
                          GError **error);
/* base64url without padding (RFC 7515 §2) */
char *idp_b64url_encode(const guint8 *data, gsize len);
/* Strict: only the alphabet, no length of the form 4k+1, canonical
 * trailing bits. NULL on anything else. */
guint8 *idp_b64url_decode(const char *s, gsize len, gsize *out_len);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IdpKey, idp_key_free)
/* RFC 7638 thumbprint, base64url */
const char *idp_key_kid(const IdpKey *key);
/* {"keys":[{"kty":"EC","crv":"P-256","x":..,"y":..,"kid":..,"alg":"ES256","use":"sig"}]} */
char *idp_key_jwks(const IdpKey *key);
/* JWS compact serialization of @payload (a JSON object text) with the
 * protected header {"alg":"ES256","kid":KID,"typ":"JWT"}. */
char *idp_jws_sign(const IdpKey *key, const char *payload, GError **error);
/* Checks @token's form, header (alg ES256 and our kid only) and
 * signature; returns its payload object. */
JsonObject *idp_jws_verify(const IdpKey *key, const char *token,
                           GError **error);
/* The pseudonym of @user towards @origin: IDP_PSEUDONYM_PREFIX and 26
 * base32 characters of HMAC-SHA-256(K, user NUL origin), K derived from
 * the signing key. */
char *idp_key_pseudonym(const IdpKey *key, const char *user,
                        const char *origin);

/* ---- users and passwords (users.c) ---- */
typedef struct IdpUsers IdpUsers;

IdpUsers *idp_users_load(const char *path, GError **error);
void idp_users_free(IdpUsers *users);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IdpUsers, idp_users_free)
guint idp_users_count(const IdpUsers *users);
/* Whether @password is @name's: scrypt runs for unknown names too. */
gboolean idp_users_check(const IdpUsers *users, const char *name,
                         const char *password, gsize password_len);

/* ---- JSON helpers and assertions (assertion.c) ---- */
/* Member @name of @o when it is a string, else NULL. */
const char *idp_json_get_string(JsonObject *o, const char *name);
void idp_json_add_string(JsonBuilder *b, const char *name, const char *v);
void idp_json_add_bool(JsonBuilder *b, const char *name, gboolean v);
void idp_json_add_int(JsonBuilder *b, const char *name, gint64 v);
/* The text of the object @b holds (ended with json_builder_end_object). */
char *idp_json_finish(JsonBuilder *b);
/* Whether @s (length @len) is printable ASCII (0x20-0x7e) throughout. */
gboolean idp_is_printable_ascii(const char *s, gsize len);
/* Signs an assertion for @identity: payload iss, identity, contents,
 * origin, pseudonym, iat, exp. */
char *idp_assertion_issue(const IdpKey *key, const char *issuer,
                          const char *identity, gboolean pseudonym,
                          const char *contents, const char *origin,
                          gint64 now, guint lifetime, GError **error);
/* Validation result */
typedef struct {
    char *identity;
    char *contents;
    char *origin;
    gboolean pseudonym;
    gint64 iat;
    gint64 exp;
} IdpValidated;
void idp_validated_clear(IdpValidated *v);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(IdpValidated, idp_validated_clear)
/* Checks the JWS, then the claims: iss is @issuer, identity is
 * USER@@domain, contents and origin strings within bounds, iat not
 * after @now + IDP_CLOCK_SKEW, exp after @now and at most
 * @max_lifetime after iat. @error's message starts with the W3C error
 * name: "idp-token-expired: ..." or "idp-token-invalid: ...". */
gboolean idp_assertion_validate(const IdpKey *key, const char *issuer,
                                const char *domain, const char *token,
                                gint64 now, guint max_lifetime,
                                IdpValidated *out, GError **error);

/* ---- login: sessions, failure rate limit, pages (login.c) ---- */
typedef struct IdpLogin IdpLogin;

IdpLogin *idp_login_new(void);
void idp_login_free(IdpLogin *login);
/* A new session of @user: returns its token (base64url, 32 random
 * bytes), valid for IDP_SESSION_LIFETIME seconds. NULL when the session
 * table is full. */
#define IDP_SESSION_LIFETIME 3600
#define IDP_MAX_SESSIONS 10000
char *idp_login_session_new(IdpLogin *login, const char *user, gint64 now);
/* The user of session @token, NULL when unknown or expired. */
const char *idp_login_session_user(IdpLogin *login, const char *token,
                                   gint64 now);
void idp_login_session_end(IdpLogin *login, const char *token);
/* Failed logins: at most IDP_MAX_FAILURES per IDP_FAILURE_WINDOW seconds
 * per client address and per user name; over it, logins are refused
 * (429) until the window ends. */
#define IDP_MAX_FAILURES 5
#define IDP_FAILURE_WINDOW 60
#define IDP_MAX_TRACKED 4096
/* Seconds until @key may try again, 0 when it may now. */
guint idp_login_blocked_for(IdpLogin *login, const char *key, gint64 now);
void idp_login_failed(IdpLogin *login, const char *key, gint64 now);

/* ---- the proxy scripts (proxy.c, compiled in as a GResource) ---- */
/* The script of protocol @name ("default" or "seed"), NULL for others. */
GBytes *idp_proxy_script(const char *name);

#endif /* SC_IDP_PRIV_H */
