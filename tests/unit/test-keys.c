/* tests/unit/test-keys.c - certificates and fingerprints (RFC 8122).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "keys/keys.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/stat.h>

/* ---- certificate generation ---- */

static void
test_cert_new(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScCert) c = sc_cert_new_ecdsa(&error);
    g_assert_no_error(error);
    g_assert_nonnull(c);

    X509 *x = sc_cert_get_x509(c);
    EVP_PKEY *key = sc_cert_get_key(c);
    g_assert_cmpint(EVP_PKEY_get_base_id(key), ==, EVP_PKEY_EC);
    char group[64] = "";
    size_t glen = 0;
    g_assert_cmpint(EVP_PKEY_get_group_name(key, group, sizeof(group), &glen),
                    ==, 1);
    g_assert_cmpstr(group, ==, "prime256v1");

    /* self-signed, signature over SHA-256, v3 */
    g_assert_cmpint(X509_get_version(x), ==, X509_VERSION_3);
    g_assert_cmpint(X509_check_issued(x, x), ==, X509_V_OK);
    g_assert_cmpint(X509_verify(x, key), ==, 1);
    g_assert_cmpint(X509_get_signature_nid(x), ==, NID_ecdsa_with_SHA256);
    g_assert_cmpint(X509_check_private_key(x, key), ==, 1);

    /* CN=sealcall */
    char cn[64] = "";
    g_assert_cmpint(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
                                              NID_commonName, cn, sizeof(cn)),
                    >, 0);
    g_assert_cmpstr(cn, ==, "sealcall");

    /* positive serial with about 128 bits */
    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    g_assert_nonnull(serial);
    g_assert_false(BN_is_negative(serial));
    g_assert_cmpint(BN_num_bits(serial), >=, 120);
    g_assert_cmpint(BN_num_bits(serial), <=, 128);
    BN_free(serial);

    /* valid now, from about a day ago, for about 30 days */
    int days = 0, secs = 0;
    g_assert_cmpint(X509_cmp_current_time(X509_get0_notBefore(x)), <, 0);
    g_assert_cmpint(X509_cmp_current_time(X509_get0_notAfter(x)), >, 0);
    g_assert_cmpint(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
                                   X509_get0_notAfter(x)),
                    ==, 1);
    g_assert_cmpint(days, ==, 31);

    /* fingerprint format */
    g_autofree char *fp = sc_cert_get_fingerprint(c, SC_HASH_SHA256);
    g_assert_nonnull(fp);
    g_assert_true(g_regex_match_simple(
        "^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", fp, 0, 0));
    g_autofree char *fp1 = sc_cert_get_fingerprint(c, SC_HASH_SHA1);
    g_assert_true(
        g_regex_match_simple("^sha-1 ([0-9A-F]{2}:){19}[0-9A-F]{2}$", fp1, 0, 0));

    /* a second certificate is a different identity */
    g_autoptr(ScCert) c2 = sc_cert_new_ecdsa(NULL);
    g_autofree char *fp2 = sc_cert_get_fingerprint(c2, SC_HASH_SHA256);
    g_assert_cmpstr(fp, !=, fp2);

    /* refcount */
    ScCert *r = sc_cert_ref(c);
    g_assert_true(r == c);
    sc_cert_unref(r);
}

/* the digest against the OpenSSL command-line tool's */
static void
test_fingerprint_vector(void)
{
    g_autofree char *pem_path = g_test_build_filename(
        G_TEST_DIST, "data", "vectors", "cert-ecdsa-p256.pem", NULL);
    g_autofree char *fp_path = g_test_build_filename(
        G_TEST_DIST, "data", "vectors", "cert-ecdsa-p256.fingerprints", NULL);
    g_autofree char *pem = NULL, *fps = NULL;
    gsize pem_len = 0;
    g_assert_true(g_file_get_contents(pem_path, &pem, &pem_len, NULL));
    g_assert_true(g_file_get_contents(fp_path, &fps, NULL, NULL));

    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    g_assert_nonnull(x);

    g_auto(GStrv) lines = g_strsplit(g_strstrip(fps), "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 3);
    for (guint i = 0; lines[i] != NULL; i++) {
        ScFingerprint want, got;
        if (g_str_has_prefix(lines[i], "sha-1 ")) {
            /* computed right, but the one rule refuses to parse it */
            g_autoptr(GError) error = NULL;
            g_assert_false(sc_fingerprint_parse(lines[i], &want, &error));
            g_assert_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
            g_assert_true(sc_fingerprint_compute(x, SC_HASH_SHA1, &got));
            g_autofree char *s1 = sc_fingerprint_to_string(&got);
            g_assert_cmpstr(s1, ==, lines[i]);
            continue;
        }
        g_assert_true(sc_fingerprint_parse(lines[i], &want, NULL));
        g_assert_true(sc_fingerprint_compute(x, want.hash, &got));
        g_assert_true(sc_fingerprint_equal(&want, &got));
        g_autofree char *s = sc_fingerprint_to_string(&got);
        g_assert_cmpstr(s, ==, lines[i]);
    }
    X509_free(x);
}

/* ---- parsing ---- */

#define FP256                                                                \
    "25:FD:54:9F:03:FB:81:4B:E8:F2:BA:F3:A9:A1:C3:37:34:D8:BA:10:9A:1C:E9:"  \
    "0F:C5:A6:C9:A8:99:82:C0:EB"

static void
test_parse_ok(void)
{
    ScFingerprint fp, fp2;
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_fingerprint_parse("sha-256 " FP256, &fp, &error));
    g_assert_no_error(error);
    g_assert_cmpint(fp.hash, ==, SC_HASH_SHA256);
    g_assert_cmpuint(fp.len, ==, 32);
    g_assert_cmpuint(fp.digest[0], ==, 0x25);
    g_assert_cmpuint(fp.digest[31], ==, 0xEB);
    g_autofree char *s = sc_fingerprint_to_string(&fp);
    g_assert_cmpstr(s, ==, "sha-256 " FP256);

    /* hash name case-insensitive, hex either case, surrounding space */
    g_autofree char *lower = g_ascii_strdown("SHA-256 " FP256, -1);
    g_assert_true(sc_fingerprint_parse(lower, &fp2, NULL));
    g_assert_true(sc_fingerprint_equal(&fp, &fp2));
    g_assert_true(sc_fingerprint_parse("SHA-256 " FP256, &fp2, NULL));
    g_assert_true(sc_fingerprint_equal(&fp, &fp2));
    g_assert_true(sc_fingerprint_parse("  sha-256 " FP256 " \r\n", &fp2, NULL));
    g_assert_true(sc_fingerprint_equal(&fp, &fp2));

    const struct {
        const char *name;
        ScHash hash;
        gsize len;
    } hashes[] = {
        {"sha-1", SC_HASH_SHA1, 20},     {"sha-224", SC_HASH_SHA224, 28},
        {"sha-256", SC_HASH_SHA256, 32}, {"sha-384", SC_HASH_SHA384, 48},
        {"sha-512", SC_HASH_SHA512, 64},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(hashes); i++) {
        GString *t = g_string_new(hashes[i].name);
        g_string_append_c(t, ' ');
        for (gsize j = 0; j < hashes[i].len; j++)
            g_string_append_printf(t, "%s%02X", j ? ":" : "", (guint)j);
        if (hashes[i].len < 32) {
            /* well-formed, but only sha-256 and stronger are accepted */
            g_autoptr(GError) e = NULL;
            g_assert_false(sc_hash_is_accepted(hashes[i].hash));
            g_assert_false(sc_fingerprint_parse(t->str, &fp, &e));
            g_assert_error(e, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
            g_assert_cmpstr(sc_hash_to_string(hashes[i].hash), ==,
                            hashes[i].name);
            g_string_free(t, TRUE);
            continue;
        }
        g_assert_true(sc_fingerprint_parse(t->str, &fp, NULL));
        g_assert_cmpint(fp.hash, ==, hashes[i].hash);
        g_assert_cmpuint(fp.len, ==, hashes[i].len);
        g_assert_cmpuint(sc_hash_digest_len(fp.hash), ==, hashes[i].len);
        g_assert_cmpstr(sc_hash_to_string(fp.hash), ==, hashes[i].name);
        g_autofree char *back = sc_fingerprint_to_string(&fp);
        g_assert_cmpstr(back, ==, t->str);
        g_string_free(t, TRUE);
    }
}

#define SHA224_VALUE                                                         \
    "sha-224 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:"   \
    "14:15:16:17:18:19:1A:1B"

static void
test_parse_rejects(void)
{
    static const char *const refused[] = {
        "md5 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0",
        "md2 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0",
        "sha-3 " FP256,
        "sha256 " FP256,
        "sha-1 34:12:DE:67:FC:97:7A:52:8C:73:82:FB:13:95:5C:BF:4A:04:AD:A8",
        "SHA-1 34:12:de:67:fc:97:7a:52:8c:73:82:fb:13:95:5c:bf:4a:04:ad:a8",
        SHA224_VALUE,
    };
    for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_autoptr(GError) error = NULL;
        ScFingerprint fp, pattern;
        memset(&fp, 0x5a, sizeof(fp));
        memset(&pattern, 0x5a, sizeof(pattern));
        g_test_message("refusing \"%s\"", refused[i]);
        g_assert_false(sc_fingerprint_parse(refused[i], &fp, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "is not accepted (sha-256, "
                                                "sha-384 or sha-512 is "
                                                "required)"));
        g_assert_true(memcmp(&fp, &pattern, sizeof(fp)) == 0); /* untouched */
    }
    static const char *const bad[] = {
        "sha-256",
        "sha-256 ",
        "",
        "sha-256  " FP256,          /* two spaces */
        "sha-256\t" FP256,          /* not a space */
        "sha-256 AB:CD",            /* too short */
        "sha-256 " FP256 ":00",     /* too long */
        "sha-256 " FP256 ":",       /* trailing colon */
        "sha-256 " FP256 " junk",
        "sha-256 25FD:54:9F:03:FB:81:4B:E8:F2:BA:F3:A9:A1:C3:37:34:D8:BA:10:9A:"
        "1C:E9:0F:C5:A6:C9:A8:99:82:C0:EB",
        "sha-256 2G:FD:54:9F:03:FB:81:4B:E8:F2:BA:F3:A9:A1:C3:37:34:D8:BA:10:"
        "9A:1C:E9:0F:C5:A6:C9:A8:99:82:C0:EB",
        "sha-256 5:FD:54:9F:03:FB:81:4B:E8:F2:BA:F3:A9:A1:C3:37:34:D8:BA:10:"
        "9A:1C:E9:0F:C5:A6:C9:A8:99:82:C0:EB",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        ScFingerprint fp, pattern;
        memset(&fp, 0x5a, sizeof(fp));
        memset(&pattern, 0x5a, sizeof(pattern));
        g_test_message("rejecting \"%s\"", bad[i]);
        g_assert_false(sc_fingerprint_parse(bad[i], &fp, &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_SDP_SYNTAX);
        g_assert_true(memcmp(&fp, &pattern, sizeof(fp)) == 0); /* untouched */
    }
    /* a long attacker-chosen hash name is truncated in the message */
    g_autoptr(GError) error = NULL;
    ScFingerprint fp;
    g_autofree char *longname = g_strnfill(1000, 'x');
    g_autofree char *text = g_strconcat(longname, " 00", NULL);
    g_assert_false(sc_fingerprint_parse(text, &fp, &error));
    g_assert_cmpuint(strlen(error->message), <, 100);
}

/* ---- verification ---- */

static void
test_verify(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScCert) c = sc_cert_new_ecdsa(NULL);
    g_autoptr(ScCert) other = sc_cert_new_ecdsa(NULL);
    X509 *x = sc_cert_get_x509(c);
    ScFingerprint good256, good512, good1, bad256, bad512, matched;

    g_assert_true(sc_fingerprint_compute(x, SC_HASH_SHA256, &good256));
    g_assert_true(sc_fingerprint_compute(x, SC_HASH_SHA512, &good512));
    g_assert_true(sc_fingerprint_compute(x, SC_HASH_SHA1, &good1));
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(other),
                                         SC_HASH_SHA256, &bad256));
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(other),
                                         SC_HASH_SHA512, &bad512));

    /* one matching */
    g_assert_true(sc_fingerprint_verify(x, &good256, 1, &matched, &error));
    g_assert_no_error(error);
    g_assert_true(sc_fingerprint_equal(&matched, &good256));

    /* several of the same hash, one matches */
    ScFingerprint set1[] = {bad256, good256};
    g_assert_true(sc_fingerprint_verify(x, set1, 2, &matched, NULL));
    g_assert_true(sc_fingerprint_equal(&matched, &good256));

    /* mismatch names both digests */
    g_assert_false(sc_fingerprint_verify(x, &bad256, 1, &matched, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_autofree char *want = sc_fingerprint_to_string(&bad256);
    g_autofree char *got = sc_fingerprint_to_string(&good256);
    g_assert_nonnull(strstr(error->message, want));
    g_assert_nonnull(strstr(error->message, got));
    g_clear_error(&error);

    /* the strongest offered hash decides (RFC 8122 §5.1) */
    ScFingerprint set2[] = {bad256, good512};
    g_assert_true(sc_fingerprint_verify(x, set2, 2, &matched, NULL));
    g_assert_cmpint(matched.hash, ==, SC_HASH_SHA512);
    ScFingerprint set3[] = {good256, bad512};
    g_assert_false(sc_fingerprint_verify(x, set3, 2, NULL, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_clear_error(&error);

    /* a matching sha-1 value never gets here: the one parser refuses it */
    g_autofree char *text1 = sc_fingerprint_to_string(&good1);
    ScFingerprint parsed1;
    g_assert_false(sc_fingerprint_parse(text1, &parsed1, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED);
    g_clear_error(&error);

    /* nor is sha-1 enough here, even when it matches; ignored beside
     * sha-256 */
    g_assert_false(sc_fingerprint_verify(x, &good1, 1, NULL, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    ScFingerprint set4[] = {good1, bad256};
    g_assert_false(sc_fingerprint_verify(x, set4, 2, NULL, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_FINGERPRINT_MISMATCH);
    g_clear_error(&error);

    /* nothing offered */
    g_assert_false(sc_fingerprint_verify(x, NULL, 0, NULL, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
}

static void
test_sas(void)
{
    g_autoptr(ScCert) a = sc_cert_new_ecdsa(NULL);
    g_autoptr(ScCert) b = sc_cert_new_ecdsa(NULL);
    g_autoptr(ScCert) m = sc_cert_new_ecdsa(NULL);
    ScFingerprint fa, fb, fm;
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(a), SC_HASH_SHA256,
                                         &fa));
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(b), SC_HASH_SHA256,
                                         &fb));
    g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(m), SC_HASH_SHA256,
                                         &fm));
    g_autofree char *ab = sc_fingerprint_sas(&fa, &fb);
    g_autofree char *ba = sc_fingerprint_sas(&fb, &fa);
    g_autofree char *am = sc_fingerprint_sas(&fa, &fm);
    g_assert_cmpstr(ab, ==, ba);
    g_assert_cmpstr(ab, !=, am);
    g_assert_true(g_regex_match_simple(
        "^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$", ab, 0, 0));

    /* the definition in keys.h, computed independently */
    const ScFingerprint *lo = memcmp(fa.digest, fb.digest, 32) < 0 ? &fa : &fb;
    const ScFingerprint *hi = lo == &fa ? &fb : &fa;
    guint8 buf[66];
    buf[0] = SC_HASH_SHA256;
    memcpy(buf + 1, lo->digest, 32);
    buf[33] = SC_HASH_SHA256;
    memcpy(buf + 34, hi->digest, 32);
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, buf, sizeof(buf));
    const char *hex = g_checksum_get_string(sum);
    g_autofree char *expect = g_ascii_strup(hex, 16);
    g_autofree char *dashed = g_strdup_printf(
        "%.4s-%.4s-%.4s-%.4s", expect, expect + 4, expect + 8, expect + 12);
    g_assert_cmpstr(ab, ==, dashed);
}

/* ---- loading PEM files (keys generated now, never committed) ---- */

/* self-signed over @key, valid from now + @from to now + @to seconds,
 * signed with @md (NULL: SHA-256) */
static X509 *
make_cert(EVP_PKEY *key, long from, long to, const EVP_MD *md)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    g_assert_nonnull(x);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 12345);
    X509_gmtime_adj(X509_getm_notBefore(x), from);
    X509_gmtime_adj(X509_getm_notAfter(x), to);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"test", -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_NAME_free(name);
    g_assert_cmpint(X509_sign(x, key, md != NULL ? md : EVP_sha256()), >, 0);
    return x;
}

static X509 *
make_self_signed(EVP_PKEY *key)
{
    return make_cert(key, 0, 3600, NULL);
}

/* writes a PEM file of mode 0600 (a key file sc_cert_load_pem() accepts
 * as to its permissions) */
static char *
write_pem(const char *dir, const char *name, X509 *x, EVP_PKEY *key,
          gboolean key_first)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (key_first && key != NULL)
        PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
    if (x != NULL)
        PEM_write_bio_X509(bio, x);
    if (!key_first && key != NULL)
        PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, data, len, NULL));
    g_assert_cmpint(g_chmod(path, 0600), ==, 0);
    BIO_free(bio);
    return path;
}

static void
test_load_pem(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("sealcall-keys-XXXXXX", NULL);
    g_assert_nonnull(dir);

    EVP_PKEY *ec = EVP_EC_gen("P-256");
    EVP_PKEY *ec2 = EVP_EC_gen("P-256");
    EVP_PKEY *rsa_small = EVP_RSA_gen(1024);
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    g_assert_true(ec && ec2 && rsa_small && rsa);
    X509 *xec = make_self_signed(ec);
    X509 *xrsa_small = make_self_signed(rsa_small);
    X509 *xrsa = make_self_signed(rsa);

    g_autofree char *p_ec = write_pem(dir, "ec.pem", xec, ec, FALSE);
    g_autofree char *p_ec_keyfirst = write_pem(dir, "ec2.pem", xec, ec, TRUE);
    g_autofree char *p_mismatch = write_pem(dir, "mis.pem", xec, ec2, FALSE);
    g_autofree char *p_nokey = write_pem(dir, "nokey.pem", xec, NULL, FALSE);
    g_autofree char *p_nocert = write_pem(dir, "nocert.pem", NULL, ec, FALSE);
    g_autofree char *p_small =
        write_pem(dir, "small.pem", xrsa_small, rsa_small, FALSE);
    g_autofree char *p_rsa = write_pem(dir, "rsa.pem", xrsa, rsa, FALSE);
    g_autofree char *p_missing = g_build_filename(dir, "missing.pem", NULL);

    ScFingerprint want, got;
    g_assert_true(sc_fingerprint_compute(xec, SC_HASH_SHA256, &want));
    const char *good[] = {p_ec, p_ec_keyfirst, p_rsa};
    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(ScCert) c = sc_cert_load_pem(good[i], &error);
        g_assert_no_error(error);
        g_assert_nonnull(c);
        if (i < 2) {
            g_assert_true(sc_fingerprint_compute(sc_cert_get_x509(c),
                                                 SC_HASH_SHA256, &got));
            g_assert_true(sc_fingerprint_equal(&want, &got));
            g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(c), ec), ==, 1);
        }
    }
    const char *bad[] = {p_mismatch, p_nokey, p_nocert, p_small, p_missing};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("loading %s", bad[i]);
        g_assert_null(sc_cert_load_pem(bad[i], &error));
        g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
        if (bad[i] == p_small)
            g_assert_nonnull(strstr(error->message, "2048"));
        g_clear_error(&error);
    }

    const char *all[] = {p_ec, p_ec_keyfirst, p_mismatch, p_nokey,
                         p_nocert, p_small, p_rsa};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        g_assert_cmpint(g_unlink(all[i]), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    X509_free(xec);
    X509_free(xrsa_small);
    X509_free(xrsa);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ec2);
    EVP_PKEY_free(rsa_small);
    EVP_PKEY_free(rsa);
}

/* Each refusal of a configured certificate (issue 13 point 1): one line
 * that starts with the file's path and says why. */
static void
expect_refusal(const char *path, const char *reason)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScCert) c = sc_cert_load_pem(path, &error);

    g_test_message("%s: expecting '%s'", path, reason);
    g_assert_null(c);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_test_message("  got: %s", error->message);
    g_assert_true(g_str_has_prefix(error->message, path));
    g_assert_nonnull(strstr(error->message, reason));
    g_assert_null(strchr(error->message, '\n'));
}

static EVP_PKEY *
gen_key(const char *alg, const char *curve)
{
    EVP_PKEY *k = curve != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, alg, curve)
                                : EVP_PKEY_Q_keygen(NULL, NULL, alg);
    g_assert_nonnull(k);
    return k;
}

static void
test_load_refusals(void)
{
    g_autofree char *dir = g_dir_make_tmp("sealcall-refuse-XXXXXX", NULL);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    EVP_PKEY *ec2 = EVP_EC_gen("P-256");
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    EVP_PKEY *p521 = EVP_EC_gen("P-521");
    EVP_PKEY *k1 = EVP_EC_gen("secp256k1");
    EVP_PKEY *ed = gen_key("ED25519", NULL);
    EVP_PKEY *rsa1024 = EVP_RSA_gen(1024);
    g_assert_true(ec && ec2 && p384 && p521 && k1 && rsa1024);
    X509 *good = make_self_signed(ec);
    X509 *expired = make_cert(ec, -7200, -3600, NULL);
    X509 *future = make_cert(ec, 3600, 7200, NULL);
    X509 *x521 = make_cert(p521, 0, 3600, NULL);
    X509 *xk1 = make_cert(k1, 0, 3600, NULL);
    X509 *xed = X509_new();
    X509 *x1024 = make_self_signed(rsa1024);
    {
        /* Ed25519 signs without a separate digest */
        X509_NAME *name = X509_NAME_new();
        X509_set_version(xed, X509_VERSION_3);
        X509_gmtime_adj(X509_getm_notBefore(xed), 0);
        X509_gmtime_adj(X509_getm_notAfter(xed), 3600);
        X509_set_pubkey(xed, ed);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"t", -1, -1, 0);
        X509_set_subject_name(xed, name);
        X509_set_issuer_name(xed, name);
        X509_NAME_free(name);
        g_assert_cmpint(X509_sign(xed, ed, NULL), >, 0);
    }

    /* permissions: the private key must be the user's alone */
    g_autofree char *p_group = write_pem(dir, "group.pem", good, ec, FALSE);
    g_assert_cmpint(g_chmod(p_group, 0640), ==, 0);
    expect_refusal(p_group, "group or others may access it (mode 0640)");
    g_autofree char *p_other = write_pem(dir, "other.pem", good, ec, FALSE);
    g_assert_cmpint(g_chmod(p_other, 0604), ==, 0);
    expect_refusal(p_other, "group or others may access it (mode 0604)");
    /* not a regular file (a FIFO would block a naive reader) */
    g_autofree char *p_fifo = g_build_filename(dir, "fifo.pem", NULL);
    g_assert_cmpint(mkfifo(p_fifo, 0600), ==, 0);
    expect_refusal(p_fifo, "not a regular file");
    g_autofree char *p_dir = g_build_filename(dir, "sub.pem", NULL);
    g_assert_cmpint(g_mkdir(p_dir, 0700), ==, 0);
    expect_refusal(p_dir, "not a regular file");

    /* validity */
    g_autofree char *p_exp = write_pem(dir, "expired.pem", expired, ec, FALSE);
    expect_refusal(p_exp, "the certificate expired on ");
    g_autofree char *p_fut = write_pem(dir, "future.pem", future, ec, FALSE);
    expect_refusal(p_fut, "the certificate is not valid before ");

    /* malformed: a certificate block whose content is not DER */
    g_autofree char *p_bad = g_build_filename(dir, "malformed.pem", NULL);
    {
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(bio, ec, NULL, NULL, 0, NULL, NULL);
        BIO_puts(bio, "-----BEGIN CERTIFICATE-----\n"
                      "TUlJQmZqQ0NBU1NnQXdJQkFnSUNNRGt3Q2dZSUtvWkl6ajBFQXdJd0R6RU4=\n"
                      "-----END CERTIFICATE-----\n");
        char *data = NULL;
        long len = BIO_get_mem_data(bio, &data);
        g_assert_true(g_file_set_contents(p_bad, data, len, NULL));
        g_assert_cmpint(g_chmod(p_bad, 0600), ==, 0);
        BIO_free(bio);
    }
    expect_refusal(p_bad, "malformed certificate");
    g_autofree char *p_garbage = g_build_filename(dir, "garbage.pem", NULL);
    g_assert_true(g_file_set_contents(p_garbage, "\x1b[2Jhello\n", -1, NULL));
    g_assert_cmpint(g_chmod(p_garbage, 0600), ==, 0);
    expect_refusal(p_garbage, "malformed certificate");

    /* key types DTLS 1.2 peers and browsers do not accept */
    g_autofree char *p_521 = write_pem(dir, "p521.pem", x521, p521, FALSE);
    expect_refusal(p_521, "unsupported key: ECDSA on secp521r1");
    g_autofree char *p_k1 = write_pem(dir, "k1.pem", xk1, k1, FALSE);
    expect_refusal(p_k1, "unsupported key: ECDSA on secp256k1");
    g_autofree char *p_ed = write_pem(dir, "ed.pem", xed, ed, FALSE);
    expect_refusal(p_ed, "unsupported key type ED25519");
    g_autofree char *p_1024 = write_pem(dir, "rsa1024.pem", x1024, rsa1024,
                                        FALSE);
    expect_refusal(p_1024, "RSA key of 1024 bits is too short");

    /* certificate and key that do not match */
    g_autofree char *p_mis = write_pem(dir, "mismatch.pem", good, ec2, FALSE);
    expect_refusal(p_mis, "the private key does not match the certificate");

    /* and the good one is taken */
    g_autofree char *p_good = write_pem(dir, "good.pem", good, ec, FALSE);
    g_autoptr(ScCert) c = sc_cert_load_pem(p_good, NULL);
    g_assert_nonnull(c);

    const char *files[] = {p_group, p_other, p_fifo, p_exp, p_fut,
                           p_bad, p_garbage, p_521, p_k1, p_ed,
                           p_1024, p_mis, p_good};
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++)
        g_assert_cmpint(g_unlink(files[i]), ==, 0);
    g_assert_cmpint(g_rmdir(p_dir), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    X509 *xs[] = {good, expired, future, x521, xk1, xed, x1024};
    for (gsize i = 0; i < G_N_ELEMENTS(xs); i++)
        X509_free(xs[i]);
    EVP_PKEY *ks[] = {ec, ec2, p384, p521, k1, ed, rsa1024};
    for (gsize i = 0; i < G_N_ELEMENTS(ks); i++)
        EVP_PKEY_free(ks[i]);
}

/* What is accepted, and the hash of our a=fingerprint: the certificate's
 * signature hash (RFC 8122 §5). */
static void
test_load_accepted(void)
{
    g_autofree char *dir = g_dir_make_tmp("sealcall-accept-XXXXXX", NULL);
    struct {
        const char *alg;
        const char *param;
        const EVP_MD *(*md)(void);
        ScHash want;
    } cases[] = {
        {"EC", "P-256", EVP_sha256, SC_HASH_SHA256},
        {"EC", "P-384", EVP_sha384, SC_HASH_SHA384},
        {"EC", "P-256", EVP_sha512, SC_HASH_SHA512},
        {"EC", "P-256", EVP_sha1, SC_HASH_SHA256}, /* never sha-1 */
        {"RSA", NULL, EVP_sha256, SC_HASH_SHA256},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        EVP_PKEY *k = cases[i].param != NULL
                          ? EVP_EC_gen(cases[i].param)
                          : EVP_RSA_gen(2048);
        g_assert_nonnull(k);
        X509 *x = make_cert(k, -60, 3600, cases[i].md());
        g_autofree char *name = g_strdup_printf("c%" G_GSIZE_FORMAT ".pem", i);
        g_autofree char *p = write_pem(dir, name, x, k, i % 2 == 0);
        g_autoptr(GError) error = NULL;
        g_autoptr(ScCert) c = sc_cert_load_pem(p, &error);
        g_assert_no_error(error);
        g_assert_cmpint(sc_cert_get_fingerprint_hash(c), ==, cases[i].want);
        g_assert_cmpint(g_unlink(p), ==, 0);
        X509_free(x);
        EVP_PKEY_free(k);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keys/cert/new-ecdsa", test_cert_new);
    g_test_add_func("/keys/cert/load-pem", test_load_pem);
    g_test_add_func("/keys/cert/load-refusals", test_load_refusals);
    g_test_add_func("/keys/cert/load-accepted", test_load_accepted);
    g_test_add_func("/keys/fingerprint/openssl-vector", test_fingerprint_vector);
    g_test_add_func("/keys/fingerprint/parse", test_parse_ok);
    g_test_add_func("/keys/fingerprint/parse-rejects", test_parse_rejects);
    g_test_add_func("/keys/fingerprint/verify", test_verify);
    g_test_add_func("/keys/fingerprint/sas", test_sas);
    return g_test_run();
}
