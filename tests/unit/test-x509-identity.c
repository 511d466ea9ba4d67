/* tests/unit/test-x509-identity.c - X.509 peer identities
 * (keys/x509-identity.c, issue 14 point 7) and the chain of a --cert file:
 * certificates made here with OpenSSL, each refusal checked by its code,
 * and what a hostile certificate puts in its names kept printable.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "keys/keys.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#define DAY (24L * 3600)

typedef struct {
    X509 *x;
    EVP_PKEY *key;
} Pair;

static void
pair_clear(Pair *p)
{
    X509_free(p->x);
    EVP_PKEY_free(p->key);
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    g_assert_nonnull(e);
    g_assert_cmpint(X509_add_ext(x, e, -1), ==, 1);
    X509_EXTENSION_free(e);
}

/* A certificate for @cn (raw bytes, UTF-8 string type) signed by @issuer
 * (NULL: self-signed), valid from @from to @to seconds from now; @exts:
 * NID, value pairs ending with NID_undef. */
static Pair
make(const char *cn, const Pair *issuer, long from, long to, ...)
{
    Pair p = {X509_new(), EVP_EC_gen("P-256")};
    X509_NAME *name = X509_NAME_new();
    static long serial = 1;
    va_list ap;
    int nid;

    g_assert_nonnull(p.x);
    g_assert_nonnull(p.key);
    X509_set_version(p.x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(p.x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(p.x), from);
    X509_gmtime_adj(X509_getm_notAfter(p.x), to);
    X509_set_pubkey(p.x, p.key);
    g_assert_cmpint(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                               (const unsigned char *)cn, -1,
                                               -1, 0),
                    ==, 1);
    X509_set_subject_name(p.x, name);
    X509_set_issuer_name(p.x, issuer != NULL
                                  ? X509_get_subject_name(issuer->x)
                                  : name);
    X509_NAME_free(name);
    va_start(ap, to);
    while ((nid = va_arg(ap, int)) != NID_undef)
        add_ext(p.x, issuer != NULL ? issuer->x : p.x, nid,
                va_arg(ap, const char *));
    va_end(ap);
    g_assert_cmpint(X509_sign(p.x, issuer != NULL ? issuer->key : p.key,
                              EVP_sha256()),
                    >, 0);
    return p;
}

static Pair
make_ca(const char *cn, const Pair *issuer)
{
    return make(cn, issuer, -DAY, 30 * DAY, NID_basic_constraints,
                "critical,CA:TRUE", NID_key_usage, "critical,keyCertSign",
                NID_undef);
}

static X509_STORE *
store_of(X509 *anchor)
{
    X509_STORE *s = X509_STORE_new();

    g_assert_cmpint(X509_STORE_add_cert(s, anchor), ==, 1);
    return s;
}

static ScX509Identity *
check(const Pair *leaf, STACK_OF(X509) *chain, X509_STORE *store,
      GError **error)
{
    return sc_x509_identity_verify(leaf->x, chain, store, -1, error);
}

static void
test_verified(void)
{
    Pair ca = make_ca("Test Root", NULL);
    Pair sub = make_ca("Test Sub", &ca);
    Pair leaf = make("Alice", &sub, -DAY, 30 * DAY, NID_basic_constraints,
                     "critical,CA:FALSE", NID_key_usage,
                     "critical,digitalSignature", NID_ext_key_usage,
                     "clientAuth", NID_subject_alt_name,
                     "DNS:example.org,email:bad address@x,"
                     "email:alice@example.org",
                     NID_undef);
    Pair cn_only = make("Bob Example", &ca, -DAY, 30 * DAY, NID_undef);
    X509_STORE *store = store_of(ca.x);
    STACK_OF(X509) *chain = sk_X509_new_null();
    g_autoptr(GError) error = NULL;

    sk_X509_push(chain, sub.x);
    {
        g_autoptr(ScX509Identity) id = check(&leaf, chain, store, &error);
        g_assert_no_error(error);
        /* the first email SAN in user@domain form */
        g_assert_cmpstr(id->identity, ==, "alice@example.org");
        g_assert_cmpstr(id->subject, ==, "CN=Alice");
        g_assert_cmpstr(id->issuer, ==, "CN=Test Sub");
    }
    {
        /* without the intermediate the chain does not reach the anchor */
        g_autoptr(ScX509Identity) id = check(&leaf, NULL, store, &error);
        g_assert_null(id);
        g_assert_error(error, SC_X509_ERROR, SC_X509_ERROR_UNTRUSTED);
        g_assert_nonnull(strstr(error->message, "CN=Test Sub"));
        g_clear_error(&error);
    }
    {
        /* no SAN: the CN */
        g_autoptr(ScX509Identity) id = check(&cn_only, NULL, store, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(id->identity, ==, "Bob Example");
    }
    {
        /* valid at a time given, expired at a later one */
        g_autoptr(ScX509Identity) id = sc_x509_identity_verify(
            cn_only.x, NULL, store, g_get_real_time() / G_USEC_PER_SEC +
                                        40 * DAY,
            &error);
        g_assert_null(id);
        g_assert_error(error, SC_X509_ERROR, SC_X509_ERROR_EXPIRED);
        g_clear_error(&error);
    }
    g_assert_cmpstr(sc_x509_error_name(SC_X509_ERROR_EXPIRED), ==,
                    "x509-expired");
    sk_X509_free(chain);
    X509_STORE_free(store);
    pair_clear(&ca);
    pair_clear(&sub);
    pair_clear(&leaf);
    pair_clear(&cn_only);
}

static void
expect(const Pair *leaf, STACK_OF(X509) *chain, X509_STORE *store, int code,
       const char *in_message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScX509Identity) id = check(leaf, chain, store, &error);

    g_assert_null(id);
    g_assert_error(error, SC_X509_ERROR, code);
    if (in_message != NULL && strstr(error->message, in_message) == NULL)
        g_error("\"%s\" not in \"%s\"", in_message, error->message);
}

static void
test_refused(void)
{
    Pair ca = make_ca("Root", NULL);
    Pair other = make_ca("Other Root", NULL);
    X509_STORE *store = store_of(ca.x);
    Pair expired = make("old@example.org", &ca, -30 * DAY, -DAY, NID_undef);
    Pair future = make("new@example.org", &ca, DAY, 30 * DAY, NID_undef);
    Pair as_ca = make("ca@example.org", &ca, -DAY, DAY,
                      NID_basic_constraints, "critical,CA:TRUE", NID_undef);
    Pair ku = make("ku@example.org", &ca, -DAY, DAY, NID_key_usage,
                   "critical,keyEncipherment", NID_undef);
    Pair eku = make("eku@example.org", &ca, -DAY, DAY, NID_ext_key_usage,
                    "emailProtection", NID_undef);
    Pair foreign = make("alice@example.org", &other, -DAY, DAY, NID_undef);
    Pair self = make("alice@example.org", NULL, -DAY, DAY, NID_undef);
    Pair notca = make("Not A CA", &ca, -DAY, DAY, NID_basic_constraints,
                      "critical,CA:FALSE", NID_undef);
    Pair under_notca = make("x@example.org", &notca, -DAY, DAY, NID_undef);
    Pair nobody = make("\x1b[2Jevil", &ca, -DAY, DAY, NID_undef);
    X509_STORE *self_store = store_of(self.x);
    STACK_OF(X509) *chain = sk_X509_new_null();
    STACK_OF(X509) *many = sk_X509_new_null();

    expect(&expired, NULL, store, SC_X509_ERROR_EXPIRED, "expired");
    expect(&future, NULL, store, SC_X509_ERROR_EXPIRED, "not yet valid");
    expect(&as_ca, NULL, store, SC_X509_ERROR_USAGE, "CA certificate");
    expect(&ca, NULL, store, SC_X509_ERROR_USAGE, "CA certificate");
    expect(&ku, NULL, store, SC_X509_ERROR_USAGE, "digitalSignature");
    expect(&eku, NULL, store, SC_X509_ERROR_USAGE, "clientAuth");
    expect(&foreign, NULL, store, SC_X509_ERROR_UNTRUSTED, "Other Root");
    expect(&self, NULL, store, SC_X509_ERROR_UNTRUSTED, "self-signed");
    /* a certificate pinned in --ca is an anchor, not a person's */
    expect(&self, NULL, self_store, SC_X509_ERROR_USAGE, "trust anchor");
    sk_X509_push(chain, notca.x);
    expect(&under_notca, chain, store, SC_X509_ERROR_USAGE, NULL);
    /* a CN with control characters names nobody */
    expect(&nobody, NULL, store, SC_X509_ERROR_NO_IDENTITY, NULL);
    for (int i = 0; i < SC_CERT_CHAIN_MAX + 2; i++)
        sk_X509_push(many, ca.x);
    expect(&self, many, store, SC_X509_ERROR_UNTRUSTED, "certificates");

    sk_X509_free(chain);
    sk_X509_free(many);
    X509_STORE_free(store);
    X509_STORE_free(self_store);
    Pair *all[] = {&ca, &other, &expired, &future, &as_ca, &ku, &eku,
                   &foreign, &self, &notca, &under_notca, &nobody};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        pair_clear(all[i]);
}

/* what the peer writes in its names reaches the user printable */
static void
test_names_printable(void)
{
    Pair ca = make_ca("Root", NULL);
    Pair leaf = make("J\xc3\xbcrgen\x1b[31m, O=Evil", &ca, -DAY, DAY,
                     NID_subject_alt_name, "email:j\x7fx@example.org",
                     NID_undef);
    X509_STORE *store = store_of(ca.x);
    g_autoptr(GError) error = NULL;
    g_autoptr(ScX509Identity) id = check(&leaf, NULL, store, &error);

    /* the email SAN has a control character and the CN an escape: no
     * identity; the message's subject is escaped ASCII */
    g_assert_null(id);
    g_assert_error(error, SC_X509_ERROR, SC_X509_ERROR_NO_IDENTITY);
    for (const char *p = error->message; *p != '\0'; p++)
        g_assert_true(*p >= 0x20 && *p < 0x7f);
    /* RFC 2253 escapes: the comma is no separator, the bytes are hex */
    g_assert_nonnull(strstr(error->message, "CN=J\\C3\\BCrgen\\1B[31m\\, O=Evil"));
    X509_STORE_free(store);
    pair_clear(&ca);
    pair_clear(&leaf);
}

static char *
pem_of(const Pair *leaf, const Pair *const *chain, int n)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *mem = NULL;
    char *out;
    long len;

    PEM_write_bio_X509(b, leaf->x);
    PEM_write_bio_PrivateKey(b, leaf->key, NULL, NULL, 0, NULL, NULL);
    for (int i = 0; i < n; i++)
        PEM_write_bio_X509(b, chain[i]->x);
    len = BIO_get_mem_data(b, &mem);
    out = g_strndup(mem, (gsize)len);
    BIO_free(b);
    return out;
}

static void
test_cert_chain(void)
{
    Pair ca = make_ca("Root", NULL);
    Pair sub = make_ca("Sub", &ca);
    Pair leaf = make("a@example.org", &sub, -DAY, DAY, NID_undef);
    const Pair *one[] = {&sub};
    const Pair *lots[SC_CERT_CHAIN_MAX + 1];
    g_autoptr(GError) error = NULL;
    g_autofree char *pem = pem_of(&leaf, one, 1);
    g_autofree char *bare = pem_of(&leaf, NULL, 0);
    g_autofree char *over = NULL;

    for (int i = 0; i < SC_CERT_CHAIN_MAX + 1; i++)
        lots[i] = &sub;
    over = pem_of(&leaf, lots, SC_CERT_CHAIN_MAX + 1);
    {
        /* the key between leaf and chain: the leaf is still the first */
        g_autoptr(ScCert) c = sc_cert_from_pem(pem, strlen(pem), "t", &error);
        g_assert_no_error(error);
        g_assert_cmpint(X509_cmp(sc_cert_get_x509(c), leaf.x), ==, 0);
        g_assert_nonnull(sc_cert_get_chain(c));
        g_assert_cmpint(sk_X509_num(sc_cert_get_chain(c)), ==, 1);
        g_assert_cmpint(X509_cmp(sk_X509_value(sc_cert_get_chain(c), 0),
                                 sub.x),
                        ==, 0);
    }
    {
        g_autoptr(ScCert) c = sc_cert_from_pem(bare, strlen(bare), "t",
                                               &error);
        g_assert_no_error(error);
        g_assert_null(sc_cert_get_chain(c));
    }
    {
        g_autoptr(ScCert) c = sc_cert_from_pem(over, strlen(over), "t",
                                               &error);
        g_assert_null(c);
        g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
        g_assert_nonnull(strstr(error->message, "intermediate"));
        g_clear_error(&error);
    }
    pair_clear(&ca);
    pair_clear(&sub);
    pair_clear(&leaf);
}

static void
test_anchors_load(void)
{
    Pair ca = make_ca("Root", NULL);
    g_autofree char *dir = g_dir_make_tmp("sc-x509-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ca.pem", NULL);
    g_autofree char *junk = g_build_filename(dir, "junk.pem", NULL);
    g_autoptr(GError) error = NULL;
    X509_STORE *s;
    BIO *b = BIO_new_file(path, "w");

    PEM_write_bio_X509(b, ca.x);
    BIO_free(b);
    g_assert_true(g_file_set_contents(junk, "not a certificate\n", -1,
                                      NULL));
    s = sc_x509_anchors_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sk_X509_OBJECT_num(X509_STORE_get0_objects(s)), ==, 1);
    X509_STORE_free(s);
    g_assert_null(sc_x509_anchors_load(junk, &error));
    g_assert_error(error, SC_X509_ERROR, SC_X509_ERROR_ANCHORS);
    g_clear_error(&error);
    g_unlink(path);
    g_unlink(junk);
    g_rmdir(dir);
    pair_clear(&ca);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keys/x509/verified", test_verified);
    g_test_add_func("/keys/x509/refused", test_refused);
    g_test_add_func("/keys/x509/names-printable", test_names_printable);
    g_test_add_func("/keys/x509/cert-chain", test_cert_chain);
    g_test_add_func("/keys/x509/anchors-load", test_anchors_load);
    return g_test_run();
}
