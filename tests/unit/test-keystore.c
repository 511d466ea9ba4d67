/* tests/unit/test-keystore.c - the per-origin key store (keys/store.c):
 * origins normalised, hostile origins, permissions, atomic and race-free
 * creation, one key per origin and never another origin's, renewal,
 * listing and forgetting.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "keys/keys.h"
#include "test-util.h"

#include <sealcall/keys.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

static char *
fp_of(ScCert *c)
{
    return sc_cert_get_fingerprint(c, SC_HASH_SHA256);
}

/* every name in @dir, sorted */
static GPtrArray *
list_dir(const char *dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;

    g_assert_nonnull(d);
    while ((n = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    return names;
}

static void
rm_rf(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
        !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        g_autoptr(GPtrArray) names = list_dir(path);
        for (guint i = 0; i < names->len; i++) {
            g_autofree char *p = g_build_filename(path, names->pdata[i], NULL);
            rm_rf(p);
        }
        g_assert_cmpint(g_rmdir(path), ==, 0);
    } else {
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
}

static mode_t
mode_of(const char *path)
{
    struct stat st;
    g_assert_cmpint(g_lstat(path, &st), ==, 0);
    return st.st_mode & 07777;
}

/* ---- origins ---- */

static void
test_origin_normalize(void)
{
    struct {
        const char *in;
        const char *out;
    } ok[] = {
        {"ws://127.0.0.1:8800/room/alice", "ws://127.0.0.1:8800"},
        {"WSS://Example.ORG/room/x?y=1", "wss://example.org:443"},
        {"ws://example.org", "ws://example.org:80"},
        {"ws://example.org:80", "ws://example.org:80"},
        {"wss://example.org.:443", "wss://example.org:443"},
        {"wss://example.org:8443", "wss://example.org:8443"},
        {"ws://[::1]:9/room/a", "ws://[::1]:9"},
        {"ws://[0:0:0:0:0:0:0:1]:9", "ws://[::1]:9"},
        {"ws://[2001:DB8::A]:9", "ws://[2001:db8::a]:9"},
        {"wss://b\xc3\xbc" "cher.example", "wss://xn--bcher-kva.example:443"},
        {"wss://B\xc3\x9c" "CHER.example", "wss://xn--bcher-kva.example:443"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *o = sc_key_origin_normalize(ok[i].in, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(o, ==, ok[i].out);
        /* normalising is idempotent */
        g_autofree char *again = sc_key_origin_normalize(o, &error);
        g_assert_cmpstr(again, ==, o);
    }
    g_autofree char *long_host = g_strnfill(300, 'a');
    g_autofree char *long_url = g_strdup_printf("ws://%s:1", long_host);
    g_autofree char *long_label = g_strnfill(64, 'b');
    g_autofree char *label_url = g_strdup_printf("ws://%s.org", long_label);
    g_autofree char *huge = g_strnfill(100000, 'c');
    const char *bad[] = {
        "http://example.org", "example.org", "ws://", "ws:///room/x",
        "ws://user@example.org", "ws://../", "ws://a..b", "ws://.a",
        "ws://a%2F..%2Fb", "ws://%2e%2e", "ws://a%0ab", "ws://a%1b[31mb",
        "ws://a%00b", "ws://exa mple.org", "ws://a:70000", "ws://[::1",
        "ws://a\\b/c", long_url, label_url, huge, "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *o = sc_key_origin_normalize(bad[i], &error);
        g_test_message("refused %.60s: %s", bad[i],
                       error != NULL ? error->message : "(accepted!)");
        g_assert_null(o);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    }
}

/* ---- the store ---- */

static void
test_store_create_and_reuse(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-store-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "a", "sealcall", "keys", NULL);
    g_autoptr(GError) error = NULL;

    /* made on first use: the directory 0700 (its parents too), the file
     * 0600, no temporary file left */
    g_autoptr(ScCert) a1 = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_no_error(error);
    g_assert_cmpint(mode_of(dir), ==, 0700);
    g_autofree char *parent = g_path_get_dirname(dir);
    g_assert_cmpint(mode_of(parent), ==, 0700);
    g_autoptr(GPtrArray) names = list_dir(dir);
    g_assert_cmpuint(names->len, ==, 1);
    const char *name = names->pdata[0];
    g_assert_true(g_str_has_suffix(name, ".pem"));
    g_assert_true(g_str_has_prefix(name, "ws_a.example_80-"));
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_cmpint(mode_of(path), ==, 0600);

    /* the same origin: the same key and certificate, from the file */
    g_autoptr(ScCert) a2 = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_no_error(error);
    g_autofree char *fa1 = fp_of(a1);
    g_autofree char *fa2 = fp_of(a2);
    g_assert_cmpstr(fa1, ==, fa2);
    g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(a1), sc_cert_get_key(a2)), ==,
                    1);

    /* other origins (host, port, scheme): other keys */
    const char *others[] = {"ws://b.example:80", "ws://a.example:81",
                            "wss://a.example:80"};
    for (gsize i = 0; i < G_N_ELEMENTS(others); i++) {
        g_autoptr(ScCert) o = sc_key_store_get(dir, others[i], &error);
        g_assert_no_error(error);
        g_autofree char *fo = fp_of(o);
        g_assert_cmpstr(fo, !=, fa1);
        g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(o), sc_cert_get_key(a1)),
                        !=, 1);
    }
    g_autoptr(GPtrArray) after = list_dir(dir);
    g_assert_cmpuint(after->len, ==, 4);

    /* a stored key: ECDSA P-256, certificate valid about a year */
    gint64 nb, na;
    sc_cert_get_validity(a1, &nb, &na);
    g_assert_cmpint(na - nb, ==, (gint64)(SC_KEY_STORE_CERT_DAYS + 1) * 86400);
    char group[32] = "";
    size_t glen = 0;
    g_assert_cmpint(EVP_PKEY_get_group_name(sc_cert_get_key(a1), group,
                                            sizeof group, &glen),
                    ==, 1);
    g_assert_cmpstr(group, ==, "prime256v1");
    rm_rf(top);
}

/* The store takes only normalised origins, so a hostile string never
 * names a file: "../", control characters, very long ones. */
static void
test_store_hostile_origins(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-hostile-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autofree char *longo = g_strnfill(5000, 'x');
    const char *hostile[] = {
        "../../evil",          "ws://a.example:80/../../x",
        "ws://a.example:80\n", "ws://A.example:80",
        "ws://a.example",      "ws://\x1b[31m:80",
        longo,                 "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(ScCert) c = sc_key_store_get(dir, hostile[i], &error);
        g_assert_null(c);
        g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    }
    /* nothing was written, not even beside the store */
    g_autoptr(GPtrArray) top_names = list_dir(top);
    for (guint i = 0; i < top_names->len; i++)
        g_assert_cmpstr(top_names->pdata[i], ==, "keys");
    if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GPtrArray) names = list_dir(dir);
        g_assert_cmpuint(names->len, ==, 0);
    }

    /* what normalises from hostile input names a safe file: the readable
     * part only [a-z0-9._-], bounded, no leading dot, inside the store */
    const char *inputs[] = {"ws://[fe80::1]:9", "wss://xn--bcher-kva.example",
                            "ws://a-b_c.example:65535"};
    g_autoptr(GError) error = NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autofree char *o = sc_key_origin_normalize(inputs[i], &error);
        g_assert_no_error(error);
        g_autoptr(ScCert) c = sc_key_store_get(dir, o, &error);
        g_assert_no_error(error);
        g_assert_nonnull(c);
    }
    g_autoptr(GPtrArray) names = list_dir(dir);
    g_assert_cmpuint(names->len, ==, G_N_ELEMENTS(inputs));
    for (guint i = 0; i < names->len; i++) {
        const char *n = names->pdata[i];
        g_test_message("file name %s", n);
        g_assert_cmpuint(strlen(n), <=, 64 + 1 + 32 + 4);
        g_assert_cmpint(n[0], !=, '.');
        for (const char *p = n; *p; p++)
            g_assert_true(g_ascii_isalnum(*p) || strchr("._-", *p) != NULL);
    }
    rm_rf(top);
}

static void
write_mode(const char *path, const char *text, mode_t mode)
{
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_cmpint(g_chmod(path, mode), ==, 0);
}

/* path of the only file in @dir */
static char *
only_file(const char *dir)
{
    g_autoptr(GPtrArray) names = list_dir(dir);
    g_assert_cmpuint(names->len, ==, 1);
    return g_build_filename(dir, names->pdata[0], NULL);
}

static void
ignore_entry(const char *origin, const char *fingerprint, gint64 created,
             gint64 expires, const char *path, const char *problem,
             gpointer data)
{
}

static void
test_store_permissions(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-perm-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autoptr(GError) error = NULL;

    /* a store directory others may read is refused, never used */
    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
    g_autoptr(ScCert) c = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_null(c);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_assert_true(g_str_has_prefix(error->message, dir));
    g_assert_nonnull(strstr(error->message, "mode 0755"));
    g_clear_error(&error);
    g_autoptr(GPtrArray) none = list_dir(dir);
    g_assert_cmpuint(none->len, ==, 0);
    g_assert_false(sc_key_store_foreach(dir, ignore_entry, NULL, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_clear_error(&error);
    g_assert_cmpint(g_chmod(dir, 0700), ==, 0);

    /* a key file others may read is refused (it may have leaked) */
    c = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_no_error(error);
    g_clear_pointer(&c, sc_cert_unref);
    g_autofree char *path = only_file(dir);
    g_assert_cmpint(g_chmod(path, 0644), ==, 0);
    c = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_null(c);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_assert_true(g_str_has_prefix(error->message, path));
    g_assert_nonnull(strstr(error->message, "mode 0644"));
    g_clear_error(&error);
    /* ... and not replaced behind the user's back */
    g_assert_cmpint(mode_of(path), ==, 0644);
    rm_rf(top);
}

/* A file that holds another origin's key (copied, or a hash collision)
 * is refused: a key is only ever used for its own origin. */
static void
test_store_other_origin(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-other-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autoptr(GError) error = NULL;

    g_autoptr(ScCert) b = sc_key_store_get(dir, "ws://b.example:80", &error);
    g_assert_no_error(error);
    g_assert_nonnull(b);
    g_autofree char *b_path = only_file(dir);
    g_autofree char *b_text = NULL;
    g_assert_true(g_file_get_contents(b_path, &b_text, NULL, NULL));
    g_assert_cmpint(g_unlink(b_path), ==, 0);

    g_autoptr(ScCert) a = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_no_error(error);
    g_assert_nonnull(a);
    g_autofree char *a_path = only_file(dir);
    /* b's file under a's name */
    write_mode(a_path, b_text, 0600);
    g_autoptr(ScCert) got = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_null(got);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_assert_true(g_str_has_prefix(error->message, a_path));
    g_assert_nonnull(strstr(error->message, "another origin"));
    g_clear_error(&error);

    /* a malformed file is refused too, and left for the user to look at */
    write_mode(a_path, "origin: ws://a.example:80\ngarbage\n", 0600);
    got = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_null(got);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_assert_nonnull(strstr(error->message, "malformed"));
    g_clear_error(&error);
    write_mode(a_path, "garbage\n", 0600);
    got = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_null(got);
    g_assert_error(error, SC_ERROR, SC_ERROR_CERTIFICATE);
    g_clear_error(&error);
    rm_rf(top);
}

/* A certificate that nears its end is replaced by one over the same key;
 * the creation time is kept. */
static void
test_store_renewal(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-renew-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autoptr(GError) error = NULL;
    const char *origin = "wss://renew.example:443";

    g_autoptr(ScCert) first = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_autofree char *path = only_file(dir);

    /* the same key with a certificate that expires in 10 days */
    g_autoptr(ScCert) old = sc_cert_new_for_key(sc_cert_get_key(first), 10,
                                                &error);
    g_assert_no_error(error);
    gsize pem_len = 0;
    g_autofree char *pem = sc_cert_to_pem(old, &pem_len);
    g_autofree char *text = g_strdup_printf(
        "origin: %s\ncreated: 1000\n%s", origin, pem);
    write_mode(path, text, 0600);

    g_autoptr(ScCert) renewed = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_autofree char *f_old = fp_of(old);
    g_autofree char *f_new = fp_of(renewed);
    g_assert_cmpstr(f_old, !=, f_new);
    g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(renewed),
                                sc_cert_get_key(first)),
                    ==, 1);
    gint64 nb, na, now = g_get_real_time() / G_USEC_PER_SEC;
    sc_cert_get_validity(renewed, &nb, &na);
    g_assert_cmpint(na, >, now + (gint64)300 * 86400);
    g_assert_cmpint(mode_of(path), ==, 0600);
    g_autofree char *stored = NULL;
    g_assert_true(g_file_get_contents(path, &stored, NULL, NULL));
    g_assert_nonnull(strstr(stored, "created: 1000\n"));
    g_free(g_steal_pointer(&path));
    path = only_file(dir); /* no temporary file left */

    /* the renewed one is what the next call gets, unchanged */
    g_autoptr(ScCert) again = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_autofree char *f_again = fp_of(again);
    g_assert_cmpstr(f_again, ==, f_new);

    /* one that ends tomorrow is renewed the same way */
    g_autoptr(ScCert) dead = sc_cert_new_for_key(sc_cert_get_key(first), 1,
                                                 &error);
    g_assert_no_error(error);
    pem = (g_free(pem), sc_cert_to_pem(dead, &pem_len));
    g_free(text);
    text = g_strdup_printf("origin: %s\ncreated: 1000\n%s", origin, pem);
    write_mode(path, text, 0600);
    g_autoptr(ScCert) revived = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sc_cert_check_validity(revived, now, "x", NULL), ==, TRUE);
    g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(revived),
                                sc_cert_get_key(first)),
                    ==, 1);
    sc_secure_wipe(pem, pem_len);
    rm_rf(top);
}

/* A renewal that cannot be written keeps the still valid certificate
 * (and the store as it was). Needs a store the process cannot write:
 * skipped as root, which writes anyway. */
static void
renewal_read_only_body(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-ro-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autoptr(GError) error = NULL;
    const char *origin = "ws://ro.example:80";

    g_autoptr(ScCert) first = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_autofree char *path = only_file(dir);
    g_autoptr(ScCert) old = sc_cert_new_for_key(sc_cert_get_key(first), 10,
                                                &error);
    gsize pem_len = 0;
    g_autofree char *pem = sc_cert_to_pem(old, &pem_len);
    g_autofree char *text =
        g_strdup_printf("origin: %s\ncreated: 1000\n%s", origin, pem);
    write_mode(path, text, 0600);
    g_assert_cmpint(g_chmod(dir, 0500), ==, 0);
    g_autoptr(ScCert) got = sc_key_store_get(dir, origin, &error);
    g_assert_no_error(error);
    g_autofree char *f_old = fp_of(old);
    g_autofree char *f_got = fp_of(got);
    g_assert_cmpstr(f_got, ==, f_old);
    g_assert_cmpint(g_chmod(dir, 0700), ==, 0);
    sc_secure_wipe(pem, pem_len);
    rm_rf(top);
}

/* Root writes into a read-only directory: as root, the test runs in a
 * child that has become nobody (65534) first. */
static void
test_store_renewal_read_only(void)
{
    if (g_test_subprocess()) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            g_error("cannot become nobody: %s", g_strerror(errno));
        renewal_read_only_body();
        return;
    }
    if (geteuid() == 0) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
        g_test_trap_assert_passed();
        return;
    }
    renewal_read_only_body();
}

/* Calls to one new origin at the same time get one key: a second writer
 * never replaces the first one's key (link(), not rename()). */
typedef struct {
    const char *dir;
    const char *origin;
    char *fp;
} Racer;

static gpointer
race(gpointer data)
{
    Racer *r = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScCert) c = sc_key_store_get(r->dir, r->origin, &error);
    r->fp = c != NULL ? fp_of(c) : NULL;
    if (c == NULL)
        g_test_message("racer: %s", error->message);
    return NULL;
}

static void
test_store_race(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-race-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);

    for (int round = 0; round < 10; round++) {
        g_autofree char *origin =
            g_strdup_printf("ws://race%d.example:80", round);
        Racer r[8];
        GThread *t[8];
        for (int i = 0; i < 8; i++) {
            r[i] = (Racer){dir, origin, NULL};
            t[i] = g_thread_new("racer", race, &r[i]);
        }
        for (int i = 0; i < 8; i++)
            g_thread_join(t[i]);
        for (int i = 0; i < 8; i++) {
            g_assert_nonnull(r[i].fp);
            g_assert_cmpstr(r[i].fp, ==, r[0].fp);
        }
        for (int i = 0; i < 8; i++)
            g_free(r[i].fp);
    }
    g_autoptr(GPtrArray) names = list_dir(dir);
    g_assert_cmpuint(names->len, ==, 10); /* no temporary file left */
    rm_rf(top);
}

typedef struct {
    GPtrArray *origins;
    GPtrArray *fps;
    guint problems;
} Listed;

static void
on_entry(const char *origin, const char *fingerprint, gint64 created,
         gint64 expires, const char *path, const char *problem,
         gpointer data)
{
    Listed *l = data;
    if (problem != NULL) {
        g_assert_null(origin);
        g_assert_true(g_str_has_prefix(problem, path));
        l->problems++;
        return;
    }
    g_assert_cmpint(created, >, 0);
    g_assert_cmpint(expires, >, created);
    g_ptr_array_add(l->origins, g_strdup(origin));
    g_ptr_array_add(l->fps, g_strdup(fingerprint));
}

static void
test_store_list_forget(void)
{
    g_autofree char *top = g_dir_make_tmp("sealcall-list-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(top, "keys", NULL);
    g_autoptr(GError) error = NULL;
    Listed l = {g_ptr_array_new_with_free_func(g_free),
                g_ptr_array_new_with_free_func(g_free), 0};

    /* no store yet: empty */
    g_assert_true(sc_key_store_foreach(dir, on_entry, &l, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(l.origins->len, ==, 0);

    g_autoptr(ScCert) a = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_autoptr(ScCert) b = sc_key_store_get(dir, "wss://[::1]:443", &error);
    g_assert_no_error(error);
    g_assert_nonnull(b);
    g_autofree char *fa = fp_of(a);
    g_assert_true(sc_key_store_foreach(dir, on_entry, &l, &error));
    g_assert_cmpuint(l.origins->len, ==, 2);
    guint ia = g_strcmp0(l.origins->pdata[0], "ws://a.example:80") == 0 ? 0
                                                                        : 1;
    g_assert_cmpstr(l.origins->pdata[ia], ==, "ws://a.example:80");
    g_assert_cmpstr(l.origins->pdata[1 - ia], ==, "wss://[::1]:443");
    g_assert_cmpstr(l.fps->pdata[ia], ==, fa);

    /* a file that cannot be used is listed as a problem, not skipped */
    g_autofree char *junk = g_build_filename(dir, "junk.pem", NULL);
    write_mode(junk, "nothing\n", 0600);
    g_ptr_array_set_size(l.origins, 0);
    g_ptr_array_set_size(l.fps, 0);
    g_assert_true(sc_key_store_foreach(dir, on_entry, &l, &error));
    g_assert_cmpuint(l.origins->len, ==, 2);
    g_assert_cmpuint(l.problems, ==, 1);
    g_assert_cmpint(g_unlink(junk), ==, 0);

    /* forget: by origin or by signal URL, normalised */
    gboolean removed = FALSE;
    g_assert_true(sc_key_store_forget(dir, "WS://A.example/room/x", &removed,
                                      &error));
    g_assert_no_error(error);
    g_assert_true(removed);
    g_assert_true(sc_key_store_forget(dir, "ws://a.example:80", &removed,
                                      &error));
    g_assert_false(removed);
    g_assert_false(sc_key_store_forget(dir, "../../etc/passwd", &removed,
                                       &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    g_ptr_array_set_size(l.origins, 0);
    g_ptr_array_set_size(l.fps, 0);
    g_assert_true(sc_key_store_foreach(dir, on_entry, &l, &error));
    g_assert_cmpuint(l.origins->len, ==, 1);
    g_assert_cmpstr(l.origins->pdata[0], ==, "wss://[::1]:443");

    /* after forgetting, the origin gets a new key pair */
    g_autoptr(ScCert) a2 = sc_key_store_get(dir, "ws://a.example:80", &error);
    g_assert_no_error(error);
    g_autofree char *fa2 = fp_of(a2);
    g_assert_cmpstr(fa2, !=, fa);
    g_assert_cmpint(EVP_PKEY_eq(sc_cert_get_key(a), sc_cert_get_key(a2)), !=,
                    1);
    g_ptr_array_unref(l.origins);
    g_ptr_array_unref(l.fps);
    rm_rf(top);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keys/store/origin-normalize", test_origin_normalize);
    g_test_add_func("/keys/store/create-and-reuse",
                    test_store_create_and_reuse);
    g_test_add_func("/keys/store/hostile-origins", test_store_hostile_origins);
    g_test_add_func("/keys/store/permissions", test_store_permissions);
    g_test_add_func("/keys/store/other-origin", test_store_other_origin);
    g_test_add_func("/keys/store/renewal", test_store_renewal);
    g_test_add_func("/keys/store/renewal-read-only",
                    test_store_renewal_read_only);
    g_test_add_func("/keys/store/race", test_store_race);
    g_test_add_func("/keys/store/list-forget", test_store_list_forget);
    return g_test_run();
}
