/* src/keys/cert.c - DTLS identities: fresh ECDSA P-256 self-signed
 * certificates (RFC 8827 §6.5, RFC 5763 §5) and PEM loading.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "keys"
#include "core/core.h"
#include "keys/keys.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>

struct ScCert {
    gatomicrefcount ref;
    X509 *x509;
    EVP_PKEY *key;
};

/* Drains OpenSSL's error queue into @error (C5.5: translate at the boundary). */
static void
set_openssl_error(GError **error, ScError code, const char *what)
{
    char detail[256] = "no OpenSSL detail";
    unsigned long e = ERR_peek_last_error();

    if (e != 0)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    g_set_error(error, SC_ERROR, code, "%s: %s", what, detail);
}

static ScCert *
cert_wrap(X509 *x509, EVP_PKEY *key)
{
    ScCert *c = g_new0(ScCert, 1);
    g_atomic_ref_count_init(&c->ref);
    c->x509 = x509;
    c->key = key;
    return c;
}

static gboolean
set_random_serial(X509 *x509)
{
    guint8 raw[16];
    gboolean ok = FALSE;

    sc_random_bytes(raw, sizeof(raw));
    raw[0] &= 0x7f; /* positive */
    raw[0] |= 0x40; /* and a full 127-bit value, never shorter */
    BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
    if (bn != NULL) {
        ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
        if (serial != NULL) {
            ok = X509_set_serialNumber(x509, serial) == 1;
            ASN1_INTEGER_free(serial);
        }
        BN_free(bn);
    }
    return ok;
}

ScCert *
sc_cert_new_ecdsa(GError **error)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == NULL) {
        set_openssl_error(error, SC_ERROR_INTERNAL,
                          "cannot generate an ECDSA P-256 key");
        return NULL;
    }
    X509 *x509 = X509_new();
    X509_NAME *name = NULL;
    const char *what = "cannot allocate a certificate";
    if (x509 == NULL)
        goto fail;
    what = "cannot fill in the certificate";
    if (X509_set_version(x509, X509_VERSION_3) != 1 ||
        !set_random_serial(x509) ||
        X509_gmtime_adj(X509_getm_notBefore(x509), -24L * 3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x509), 30L * 24 * 3600) == NULL ||
        X509_set_pubkey(x509, key) != 1)
        goto fail;
    name = X509_NAME_new();
    if (name == NULL ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"sealcall", -1, -1,
                                   0) != 1 ||
        X509_set_subject_name(x509, name) != 1 ||
        X509_set_issuer_name(x509, name) != 1)
        goto fail;
    X509_NAME_free(name);
    name = NULL;
    what = "cannot sign the certificate";
    if (X509_sign(x509, key, EVP_sha256()) <= 0)
        goto fail;
    return cert_wrap(x509, key);

fail:
    set_openssl_error(error, SC_ERROR_INTERNAL, what);
    X509_NAME_free(name);
    X509_free(x509);
    EVP_PKEY_free(key);
    return NULL;
}

ScCert *
sc_cert_load_pem(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);

    g_autofree char *data = NULL;
    gsize len = 0;
    GError *io_error = NULL;
    if (!g_file_get_contents(path, &data, &len, &io_error)) {
        g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY,
                    "cannot read certificate file: %s", io_error->message);
        g_error_free(io_error);
        return NULL;
    }
    if (len > G_MAXINT) {
        g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY,
                    "%s: file too large", path);
        return NULL;
    }

    X509 *x509 = NULL;
    EVP_PKEY *key = NULL;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        set_openssl_error(error, SC_ERROR_IDENTITY, "out of memory");
        goto out;
    }
    x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x509 == NULL) {
        set_openssl_error(error, SC_ERROR_IDENTITY,
                          "no PEM certificate in the file");
        goto out;
    }
    /* The key may come before or after the certificate: reread from the
     * start. A passphrase-protected key is refused (no callback, empty
     * passphrase). */
    BIO_free(bio);
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        set_openssl_error(error, SC_ERROR_IDENTITY, "out of memory");
        goto out;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    if (key == NULL) {
        set_openssl_error(error, SC_ERROR_IDENTITY,
                          "no (unencrypted) PEM private key in the file");
        goto out;
    }
    ERR_clear_error(); /* PEM readers leave "no start line" entries */

    int type = EVP_PKEY_get_base_id(key);
    if (type == EVP_PKEY_RSA) {
        if (EVP_PKEY_get_bits(key) < 2048) {
            g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY,
                        "RSA key of %d bits is too short (minimum 2048)",
                        EVP_PKEY_get_bits(key));
            goto out;
        }
    } else if (type != EVP_PKEY_EC) {
        g_set_error(error, SC_ERROR, SC_ERROR_IDENTITY,
                    "unsupported key type %s (RSA or EC expected)",
                    OBJ_nid2sn(type));
        goto out;
    }
    if (X509_check_private_key(x509, key) != 1) {
        set_openssl_error(error, SC_ERROR_IDENTITY,
                          "the private key does not match the certificate");
        goto out;
    }
    BIO_free(bio);
    sc_secure_wipe(data, len);
    return cert_wrap(x509, key);

out:
    BIO_free(bio);
    X509_free(x509);
    EVP_PKEY_free(key);
    if (data != NULL)
        sc_secure_wipe(data, len);
    ERR_clear_error();
    return NULL;
}

ScCert *
sc_cert_ref(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    g_atomic_ref_count_inc(&cert->ref);
    return cert;
}

void
sc_cert_unref(ScCert *cert)
{
    if (cert == NULL)
        return;
    if (!g_atomic_ref_count_dec(&cert->ref))
        return;
    X509_free(cert->x509);
    EVP_PKEY_free(cert->key);
    g_free(cert);
}

X509 *
sc_cert_get_x509(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    return cert->x509;
}

EVP_PKEY *
sc_cert_get_key(ScCert *cert)
{
    g_return_val_if_fail(cert != NULL, NULL);
    return cert->key;
}

char *
sc_cert_get_fingerprint(ScCert *cert, ScHash hash)
{
    ScFingerprint fp;

    g_return_val_if_fail(cert != NULL, NULL);
    g_return_val_if_fail((guint)hash < SC_HASH_N, NULL);
    if (!sc_fingerprint_compute(cert->x509, hash, &fp))
        return NULL;
    return sc_fingerprint_to_string(&fp);
}
