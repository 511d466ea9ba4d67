/* src/idp/jws.c - the IdP's signing key: ES256 JWS (RFC 7515, RFC 7518
 * §3.4: ECDSA P-256 with SHA-256, the signature as R || S, 64 bytes),
 * its JWKS (RFC 7517) and key id (RFC 7638 thumbprint), and the
 * pseudonym derivation. OpenSSL 3 for the crypto, json-glib for JSON.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/idp-priv.h"
#include "core/core.h"
#include "signaling/signaling.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define JWS_SIG_LEN 64
#define COORD_LEN 32

struct IdpKey {
    EVP_PKEY *pkey;
    char *x;   /* base64url of the public point's coordinates */
    char *y;
    char *kid;
    guint8 pseudonym_key[32];
};

char *
idp_b64url_encode(const guint8 *data, gsize len)
{
    char *s = g_base64_encode(data, len);
    gsize n = 0;

    for (char *p = s; *p != '\0'; p++) {
        if (*p == '=')
            break;
        s[n++] = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
    s[n] = '\0';
    return s;
}

guint8 *
idp_b64url_decode(const char *s, gsize len, gsize *out_len)
{
    g_autofree char *t = NULL;
    guint8 *out;
    gsize n;

    if (len % 4 == 1)
        return NULL;
    t = g_malloc(len + 4);
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        if (g_ascii_isalnum(c))
            t[i] = c;
        else if (c == '-')
            t[i] = '+';
        else if (c == '_')
            t[i] = '/';
        else
            return NULL;
    }
    n = len;
    while (n % 4 != 0)
        t[n++] = '=';
    t[n] = '\0';
    out = g_base64_decode(t, out_len);
    {
        /* the encoding must be canonical: re-encode and compare */
        g_autofree char *back = idp_b64url_encode(out, *out_len);
        if (strlen(back) != len || memcmp(back, s, len) != 0) {
            g_free(out);
            return NULL;
        }
    }
    return out;
}

void
idp_key_free(IdpKey *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey);
    g_free(key->x);
    g_free(key->y);
    g_free(key->kid);
    OPENSSL_cleanse(key->pseudonym_key, sizeof key->pseudonym_key);
    g_free(key);
}

const char *
idp_key_kid(const IdpKey *key)
{
    return key->kid;
}

static gboolean
is_p256(EVP_PKEY *pkey)
{
    char group[64] = "";
    size_t glen = 0;

    if (!EVP_PKEY_is_a(pkey, "EC"))
        return FALSE;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, sizeof group, &glen))
        return FALSE;
    return g_str_equal(group, "prime256v1") || g_str_equal(group, "P-256");
}

/* Fills x, y, kid and the pseudonym key of @key from its EVP_PKEY. */
static gboolean
key_derive(IdpKey *key, GError **error)
{
    BIGNUM *bx = NULL;
    BIGNUM *by = NULL;
    guint8 cx[COORD_LEN];
    guint8 cy[COORD_LEN];
    g_autofree char *canon = NULL;
    guint8 digest[32];
    unsigned int dlen = 0;
    unsigned char *der = NULL;
    int der_len;
    gboolean ok = FALSE;

    if (!EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) ||
        !EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) ||
        BN_bn2binpad(bx, cx, COORD_LEN) != COORD_LEN ||
        BN_bn2binpad(by, cy, COORD_LEN) != COORD_LEN)
        goto out;
    key->x = idp_b64url_encode(cx, COORD_LEN);
    key->y = idp_b64url_encode(cy, COORD_LEN);
    /* RFC 7638 §3.2: the required members in lexicographic order, no
     * white space */
    canon = g_strdup_printf("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\","
                            "\"y\":\"%s\"}", key->x, key->y);
    if (!EVP_Digest(canon, strlen(canon), digest, &dlen, EVP_sha256(), NULL))
        goto out;
    key->kid = idp_b64url_encode(digest, dlen);

    /* The pseudonym key: SHA-256 over a label and the private key, so
     * that pseudonyms stay stable as long as the signing key does and
     * nobody without the key can compute or link them. */
    der_len = i2d_PrivateKey(key->pkey, &der);
    if (der_len <= 0)
        goto out;
    {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        static const char label[] = "sealcall idp pseudonym key v1";
        ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, label, sizeof label) &&
             EVP_DigestUpdate(md, der, (size_t)der_len) &&
             EVP_DigestFinal_ex(md, key->pseudonym_key, &dlen);
        EVP_MD_CTX_free(md);
    }
    OPENSSL_clear_free(der, (size_t)der_len);
out:
    BN_free(bx);
    BN_free(by);
    if (!ok)
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "cannot read the signing key's public point");
    return ok;
}

int
idp_open_private_file(const char *path, const char *what, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    const char *why = NULL;

    if (fd < 0)
        why = g_strerror(errno);
    else if (fstat(fd, &st) != 0)
        why = g_strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if ((st.st_mode & 077) != 0)
        why = "a private key must not be readable or writable by group or "
              "others (chmod 600 it)";
    if (why == NULL)
        return fd;
    g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE, "%s %s: %s", what,
                path, why);
    if (fd >= 0)
        close(fd);
    return -1;
}

IdpKey *
idp_key_generate(GError **error)
{
    g_autoptr(IdpKey) key = g_new0(IdpKey, 1);

    key->pkey = EVP_EC_gen("P-256");
    if (key->pkey == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                    "cannot make a P-256 key");
        return NULL;
    }
    if (!key_derive(key, error))
        return NULL;
    return g_steal_pointer(&key);
}

static IdpKey *
key_create(const char *path, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    g_autoptr(IdpKey) key = NULL;
    BIO *bio;
    gboolean ok;

    if (fd < 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "cannot create the signing key %s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    key = g_new0(IdpKey, 1);
    key->pkey = EVP_EC_gen("P-256");
    bio = BIO_new_fd(fd, BIO_CLOSE);
    ok = key->pkey != NULL && bio != NULL &&
         PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL,
                                  NULL) &&
         BIO_flush(bio) == 1 && fsync(fd) == 0;
    if (bio != NULL)
        BIO_free(bio);
    else
        close(fd);
    if (!ok) {
        (void)unlink(path);
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "cannot write the signing key %s", path);
        return NULL;
    }
    SC_LOG_INFO("idp", "made a new signing key in %s", path);
    if (!key_derive(key, error))
        return NULL;
    return g_steal_pointer(&key);
}

IdpKey *
idp_key_load_or_create(const char *path, GError **error)
{
    g_autoptr(IdpKey) key = NULL;
    BIO *bio;
    int fd;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return key_create(path, error); /* O_EXCL: no race to exploit */
    fd = idp_open_private_file(path, "signing key", error);
    if (fd < 0)
        return NULL;
    key = g_new0(IdpKey, 1);
    bio = BIO_new_fd(fd, BIO_CLOSE);
    if (bio == NULL) {
        close(fd);
    } else {
        key->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    if (key->pkey == NULL || !is_p256(key->pkey)) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s is not a PEM ECDSA P-256 private key", path);
        return NULL;
    }
    if (!key_derive(key, error))
        return NULL;
    return g_steal_pointer(&key);
}

char *
idp_key_jwks(const IdpKey *key)
{
    return g_strdup_printf(
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
        "\"y\":\"%s\",\"kid\":\"%s\",\"alg\":\"ES256\",\"use\":\"sig\"}]}",
        key->x, key->y, key->kid);
}

char *
idp_jws_sign(const IdpKey *key, const char *payload, GError **error)
{
    g_autofree char *header = g_strdup_printf(
        "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", key->kid);
    g_autofree char *h64 =
        idp_b64url_encode((const guint8 *)header, strlen(header));
    g_autofree char *p64 =
        idp_b64url_encode((const guint8 *)payload, strlen(payload));
    g_autofree char *input = g_strconcat(h64, ".", p64, NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[80];
    size_t der_len = sizeof der;
    const unsigned char *dp = der;
    ECDSA_SIG *sig = NULL;
    guint8 raw[JWS_SIG_LEN];
    gboolean ok;

    ok = md != NULL &&
         EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
         EVP_DigestSign(md, der, &der_len, (const unsigned char *)input,
                        strlen(input)) == 1 &&
         (sig = d2i_ECDSA_SIG(NULL, &dp, (long)der_len)) != NULL &&
         BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32;
    EVP_MD_CTX_free(md);
    ECDSA_SIG_free(sig);
    if (!ok) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "signing failed");
        return NULL;
    }
    {
        g_autofree char *s64 = idp_b64url_encode(raw, sizeof raw);
        return g_strconcat(input, ".", s64, NULL);
    }
}

static gboolean
invalid(GError **error, const char *why)
{
    g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY, "idp-token-invalid: %s",
                why);
    return FALSE;
}

/* Whether the ES256 signature @raw (R || S) is valid for @input. */
static gboolean
verify_sig(const IdpKey *key, const char *input, gsize input_len,
           const guint8 *raw)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL);
    BIGNUM *s = BN_bin2bn(raw + 32, 32, NULL);
    unsigned char *der = NULL;
    int der_len = -1;
    EVP_MD_CTX *md = NULL;
    gboolean ok = FALSE;

    if (sig == NULL || r == NULL || s == NULL ||
        ECDSA_SIG_set0(sig, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        goto out;
    }
    der_len = i2d_ECDSA_SIG(sig, &der);
    md = EVP_MD_CTX_new();
    ok = der_len > 0 && md != NULL &&
         EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
         EVP_DigestVerify(md, der, (size_t)der_len,
                          (const unsigned char *)input, input_len) == 1;
out:
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return ok;
}

static JsonObject *
parse_object(const guint8 *data, gsize len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    JsonNode *root;

    /* strict RFC 8259, nesting bounded, before json-glib's recursion */
    if (!sc_sig_json_is_object((const char *)data, len) ||
        !json_parser_load_from_data(parser, (const char *)data, (gssize)len,
                                    NULL))
        return NULL;
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    return json_object_ref(json_node_get_object(root));
}

JsonObject *
idp_jws_verify(const IdpKey *key, const char *token, GError **error)
{
    gsize len = strlen(token);
    const char *dot1;
    const char *dot2;
    g_autofree guint8 *hdr = NULL;
    g_autofree guint8 *pay = NULL;
    g_autofree guint8 *sig = NULL;
    gsize hdr_len = 0, pay_len = 0, sig_len = 0;
    g_autoptr(JsonObject) header = NULL;
    JsonObject *payload;
    JsonNode *alg;
    JsonNode *kid;

    if (len > IDP_MAX_ASSERTION)
        return invalid(error, "assertion too long"), NULL;
    dot1 = strchr(token, '.');
    dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
        return invalid(error, "not a JWS compact serialization"), NULL;
    hdr = idp_b64url_decode(token, (gsize)(dot1 - token), &hdr_len);
    pay = idp_b64url_decode(dot1 + 1, (gsize)(dot2 - dot1 - 1), &pay_len);
    sig = idp_b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len);
    if (hdr == NULL || pay == NULL || sig == NULL)
        return invalid(error, "bad base64url"), NULL;
    header = parse_object(hdr, hdr_len);
    if (header == NULL)
        return invalid(error, "header is not a JSON object"), NULL;
    /* only our algorithm and our key: never "none", never a key named by
     * the token (jwk, jku, x5u...), never a critical extension */
    alg = json_object_get_member(header, "alg");
    kid = json_object_get_member(header, "kid");
    if (alg == NULL || !JSON_NODE_HOLDS_VALUE(alg) ||
        json_node_get_value_type(alg) != G_TYPE_STRING ||
        !g_str_equal(json_node_get_string(alg), "ES256"))
        return invalid(error, "alg is not ES256"), NULL;
    if (kid == NULL || !JSON_NODE_HOLDS_VALUE(kid) ||
        json_node_get_value_type(kid) != G_TYPE_STRING ||
        !g_str_equal(json_node_get_string(kid), key->kid))
        return invalid(error, "unknown kid"), NULL;
    if (json_object_has_member(header, "crit") ||
        json_object_has_member(header, "jwk") ||
        json_object_has_member(header, "jku") ||
        json_object_has_member(header, "x5u") ||
        json_object_has_member(header, "x5c"))
        return invalid(error, "unsupported header member"), NULL;
    if (sig_len != JWS_SIG_LEN ||
        !verify_sig(key, token, (gsize)(dot2 - token), sig))
        return invalid(error, "bad signature"), NULL;
    payload = parse_object(pay, pay_len);
    if (payload == NULL)
        return invalid(error, "payload is not a JSON object"), NULL;
    return payload;
}

char *
idp_key_pseudonym(const IdpKey *key, const char *user, const char *origin)
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    g_autoptr(GString) msg = g_string_new(user);
    guint8 mac[32];
    size_t mac_len = 0;
    GString *out = g_string_new(IDP_PSEUDONYM_PREFIX);
    guint bits = 0;
    guint acc = 0;

    g_string_append_c(msg, '\0');
    g_string_append(msg, origin);
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key->pseudonym_key,
                  sizeof key->pseudonym_key, (const unsigned char *)msg->str,
                  msg->len, mac, sizeof mac, &mac_len) == NULL ||
        mac_len != sizeof mac) {
        g_string_free(out, TRUE);
        return NULL;
    }
    /* 130 bits in 26 base32 characters: lower case, DNS- and URI-safe */
    for (gsize i = 0; i < mac_len && out->len < 2 + 26; i++) {
        acc = (acc << 8) | mac[i];
        bits += 8;
        while (bits >= 5 && out->len < 2 + 26) {
            bits -= 5;
            g_string_append_c(out, b32[(acc >> bits) & 31]);
        }
    }
    OPENSSL_cleanse(mac, sizeof mac);
    return g_string_free(out, FALSE);
}
