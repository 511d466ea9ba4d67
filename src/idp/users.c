/* src/idp/users.c - the IdP's users file: one user a line, NAME:HASH,
 * HASH = scrypt$N$r$p$SALT$KEY (SALT and KEY unpadded base64url), '#'
 * lines and blank lines ignored. Passwords are checked with OpenSSL's
 * scrypt (EVP_KDF) and a constant-time compare; never stored or logged.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/idp-priv.h"
#include "core/core.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SALT_LEN 16
#define HASH_LEN 32
/* what a users file may ask for: bounds the CPU and memory per login */
#define SCRYPT_MAX_N (1u << 20)
#define SCRYPT_MAX_R 16
#define SCRYPT_MAX_P 4

typedef struct {
    guint64 n;
    guint64 r;
    guint64 p;
    guint8 salt[SALT_LEN];
    guint8 hash[HASH_LEN];
} Entry;

struct IdpUsers {
    GHashTable *users; /* name -> Entry */
    Entry dummy;       /* checked for unknown names: same cost */
};

static gboolean
scrypt(const char *password, gsize len, const guint8 *salt, guint64 n,
       guint64 r, guint64 p, guint8 *out)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    uint64_t un = n, ur = r, up = p;
    uint64_t maxmem = 256u * 1024 * 1024;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          (void *)password, len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
                                          SALT_LEN),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &un),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_R, &ur),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_P, &up),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    gboolean ok = ctx != NULL && EVP_KDF_derive(ctx, out, HASH_LEN, params) == 1;

    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* Decodes base64url @s into exactly @want bytes at @out. */
static gboolean
unb64url(const char *s, guint8 *out, gsize want)
{
    gsize n = 0;
    g_autofree guint8 *raw = idp_b64url_decode(s, strlen(s), &n);

    if (raw == NULL || n != want)
        return FALSE;
    memcpy(out, raw, want);
    return TRUE;
}

SC_API char *
sc_idp_hash_password(const char *password, GError **error)
{
    gsize len;
    guint8 salt[SALT_LEN];
    guint8 hash[HASH_LEN];
    g_autofree char *s64 = NULL;
    g_autofree char *h64 = NULL;

    g_return_val_if_fail(password != NULL, NULL);
    len = strlen(password);
    if (len == 0 || len > IDP_MAX_PASSWORD) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "a password has 1 to %d bytes", IDP_MAX_PASSWORD);
        return NULL;
    }
    sc_random_bytes(salt, sizeof salt);
    if (!scrypt(password, len, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, hash)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "scrypt failed");
        return NULL;
    }
    s64 = idp_b64url_encode(salt, sizeof salt);
    h64 = idp_b64url_encode(hash, sizeof hash);
    OPENSSL_cleanse(hash, sizeof hash);
    return g_strdup_printf("scrypt$%d$%d$%d$%s$%s", SCRYPT_N, SCRYPT_R,
                           SCRYPT_P, s64, h64);
}

SC_API gboolean
sc_idp_user_name_is_valid(const char *name)
{
    gsize len;

    if (name == NULL)
        return FALSE;
    len = strlen(name);
    if (len == 0 || len > IDP_MAX_USER)
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        char c = name[i];
        if (!(g_ascii_islower(c) || g_ascii_isdigit(c) || c == '.' ||
              c == '_' || c == '-'))
            return FALSE;
    }
    return !g_str_has_prefix(name, IDP_PSEUDONYM_PREFIX) &&
           !g_str_equal(name, IDP_PSEUDONYM_HINT);
}

static gboolean
parse_u64(const char *s, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(s, 10, 1, max, out, NULL);
}

/* Parses HASH into @e. */
static gboolean
parse_hash(const char *hash, Entry *e)
{
    g_auto(GStrv) f = g_strsplit(hash, "$", -1);

    if (g_strv_length(f) != 6 || !g_str_equal(f[0], "scrypt") ||
        !parse_u64(f[1], SCRYPT_MAX_N, &e->n) || (e->n & (e->n - 1)) != 0 ||
        e->n < 2 || !parse_u64(f[2], SCRYPT_MAX_R, &e->r) ||
        !parse_u64(f[3], SCRYPT_MAX_P, &e->p) ||
        !unb64url(f[4], e->salt, SALT_LEN) ||
        !unb64url(f[5], e->hash, HASH_LEN))
        return FALSE;
    return TRUE;
}

static void
entry_free(gpointer p)
{
    Entry *e = p;

    OPENSSL_cleanse(e, sizeof *e);
    g_free(e);
}

void
idp_users_free(IdpUsers *users)
{
    if (users == NULL)
        return;
    g_hash_table_destroy(users->users);
    OPENSSL_cleanse(&users->dummy, sizeof users->dummy);
    g_free(users);
}

IdpUsers *
idp_users_load(const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(IdpUsers) users = NULL;
    guint lineno = 0;

    if (!g_file_get_contents(path, &data, &len, &local)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "cannot read the users file: %s", local->message);
        return NULL;
    }
    if (len > IDP_MAX_USERS_FILE || memchr(data, '\0', len) != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "%s: over %d bytes or not text", path, IDP_MAX_USERS_FILE);
        return NULL;
    }
    users = g_new0(IdpUsers, 1);
    users->users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         entry_free);
    users->dummy.n = SCRYPT_N;
    users->dummy.r = SCRYPT_R;
    users->dummy.p = SCRYPT_P;
    sc_random_bytes(users->dummy.salt, SALT_LEN);
    sc_random_bytes(users->dummy.hash, HASH_LEN);
    lines = g_strsplit(data, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        char *line = g_strstrip(*l);
        char *colon;
        Entry *e;

        lineno++;
        if (*line == '\0' || *line == '#')
            continue;
        colon = strchr(line, ':');
        if (colon == NULL) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "%s line %u: not NAME:HASH", path, lineno);
            return NULL;
        }
        *colon = '\0';
        e = g_new0(Entry, 1);
        if (!sc_idp_user_name_is_valid(line) || !parse_hash(colon + 1, e)) {
            entry_free(e);
            /* the line itself is not quoted: it holds a password hash */
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "%s line %u: bad user name or password hash", path,
                        lineno);
            return NULL;
        }
        if (g_hash_table_contains(users->users, line) ||
            g_hash_table_size(users->users) >= IDP_MAX_USERS) {
            entry_free(e);
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "%s line %u: user listed twice, or over %d users",
                        path, lineno, IDP_MAX_USERS);
            return NULL;
        }
        g_hash_table_insert(users->users, g_strdup(line), e);
    }
    /* the split lines held hashes: wipe them */
    for (char **l = lines; *l != NULL; l++)
        OPENSSL_cleanse(*l, strlen(*l));
    OPENSSL_cleanse(data, len);
    return g_steal_pointer(&users);
}

guint
idp_users_count(const IdpUsers *users)
{
    return g_hash_table_size(users->users);
}

gboolean
idp_users_check(const IdpUsers *users, const char *name, const char *password,
                gsize password_len)
{
    const Entry *e = NULL;
    guint8 got[HASH_LEN];
    gboolean ok;

    if (sc_idp_user_name_is_valid(name))
        e = g_hash_table_lookup(users->users, name);
    if (password_len == 0 || password_len > IDP_MAX_PASSWORD)
        return FALSE;
    /* an unknown name costs the same scrypt as a known one */
    ok = scrypt(password, password_len,
                e != NULL ? e->salt : users->dummy.salt,
                e != NULL ? e->n : users->dummy.n,
                e != NULL ? e->r : users->dummy.r,
                e != NULL ? e->p : users->dummy.p, got) &&
         CRYPTO_memcmp(got, e != NULL ? e->hash : users->dummy.hash,
                       HASH_LEN) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok && e != NULL;
}
