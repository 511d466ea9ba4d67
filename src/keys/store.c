/* src/keys/store.c - the per-origin key store: one DTLS key pair and its
 * self-signed certificate per signaling origin (WebRTC security
 * architecture: "different key pairs MUST be used for each origin", so
 * that a kept key is no super-cookie across services).
 *
 * Layout: DIR (0700, by default $XDG_DATA_HOME/sealcall/keys) holds one
 * 0600 file per origin. Its name comes from the normalised origin, never
 * from the raw text the user or a web link gave: "<readable>-<hash>.pem",
 * where <hash> is the first 32 hex digits of SHA-256(origin) and
 * <readable> the scheme, host and port with every byte outside [a-z0-9.-]
 * replaced by '_', at most 64 bytes. The file holds a header
 * ("origin: ...", "created: <unix time>") and then the PEM key and
 * certificate; the origin in the header must equal the one asked for, so
 * that a key is only ever used for its own origin (a colliding or copied
 * file is refused, not used).
 *
 * Writing is atomic: a temporary file in DIR (0600 from its creation),
 * written and fsync()ed, then link()ed to its name, which fails if another
 * process made the key meanwhile (we then use theirs: two calls to one
 * origin never get different keys), or rename()d over it to renew the
 * certificate; then DIR is fsync()ed.
 *
 * Renewal: a stored certificate is valid for SC_KEY_STORE_CERT_DAYS; from
 * SC_KEY_STORE_RENEW_DAYS before it expires (or if it is not yet valid:
 * the clock went back) it is replaced by a new certificate over the same
 * key. Its fingerprint then changes; the key does not. A renewal that
 * cannot be written (a read-only store) keeps the old certificate while
 * it is valid.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "keys"
#include "core/core.h"
#include "keys/keys.h"

#include <sealcall/keys.h>

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_FILE_MAX (64 * 1024)
#define ORIGIN_MAX 300 /* "wss://" + 253-byte name + ":65535", with room */

char *
sc_key_store_get_default_dir(void)
{
    return g_build_filename(g_get_user_data_dir(), "sealcall", "keys", NULL);
}

/* ---- origins ---- */

static gboolean
dns_name_ok(const char *h)
{
    gsize len = strlen(h);
    gsize label = 0;

    if (len == 0 || len > 253)
        return FALSE;
    for (const char *p = h; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return FALSE; /* empty label: "a..b", ".a" */
            label = 0;
            continue;
        }
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return FALSE;
        if (++label > 63)
            return FALSE;
    }
    return label > 0;
}

char *
sc_key_origin_normalize(const char *url, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(GUri) uri = NULL;
    g_autofree char *host = NULL;
    const char *scheme;
    int port;

    g_return_val_if_fail(url != NULL, NULL);
    if (strlen(url) > 4096) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "origin too long");
        return NULL;
    }
    /* GLib's message quotes the input: not repeated (hostile text) */
    uri = g_uri_parse(url, G_URI_FLAGS_NONE, &local);
    if (uri == NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "not a valid ws:// or wss:// URL");
        return NULL;
    }
    scheme = g_uri_get_scheme(uri);
    if (g_ascii_strcasecmp(scheme, "ws") == 0) {
        scheme = "ws";
        port = 80;
    } else if (g_ascii_strcasecmp(scheme, "wss") == 0) {
        scheme = "wss";
        port = 443;
    } else {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "an origin starts with ws:// or wss://");
        return NULL;
    }
    if (g_uri_get_userinfo(uri) != NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "an origin has no user name");
        return NULL;
    }
    if (g_uri_get_port(uri) > 0)
        port = g_uri_get_port(uri);
    if (port > 65535) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "port out of range");
        return NULL;
    }
    const char *raw = g_uri_get_host(uri);
    if (raw == NULL || *raw == '\0') {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "the URL has no host");
        return NULL;
    }
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(raw);
    if (addr != NULL) {
        g_autofree char *canon = g_inet_address_to_string(addr);
        g_autofree char *lower = g_ascii_strdown(canon, -1);
        host = g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6
                   ? g_strdup_printf("[%s]", lower)
                   : g_strdup(lower);
    } else {
        /* IDNA (UTS #46 via GLib) to the ASCII form, then lower case */
        g_autofree char *ascii = g_hostname_to_ascii(raw);
        if (ascii == NULL || !g_str_is_ascii(ascii)) {
            g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                                "the host is not a valid name");
            return NULL;
        }
        host = g_ascii_strdown(ascii, -1);
        gsize n = strlen(host);
        if (n > 1 && host[n - 1] == '.')
            host[n - 1] = '\0'; /* "example.org." is example.org */
        if (!dns_name_ok(host)) {
            g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                                "the host is not a valid DNS name or IP "
                                "address");
            return NULL;
        }
    }
    return g_strdup_printf("%s://%s:%d", scheme, host, port);
}

/* "<readable>-<hash>.pem": see the top of the file. */
static char *
file_name(const char *origin)
{
    g_autofree char *hash =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, origin, -1);
    GString *s = g_string_new(NULL);

    for (const char *p = origin; *p && s->len < 64; p++) {
        char c = g_ascii_tolower(*p);
        if (g_ascii_isalnum(c) || c == '.' || c == '-')
            g_string_append_c(s, c);
        else if (s->len == 0 || s->str[s->len - 1] != '_')
            g_string_append_c(s, '_');
    }
    /* never ".", ".." or a leading dot (hidden, or a temporary file) */
    if (s->len > 0 && s->str[0] == '.')
        s->str[0] = '_';
    g_string_append_printf(s, "-%.32s.pem", hash);
    return g_string_free(s, FALSE);
}

/* ---- the directory ---- */

/* Makes @dir (and its parents) 0700 if missing; refuses one that is not
 * ours or that group or others may access. */
static gboolean
open_dir(const char *dir, gboolean create, GError **error)
{
    struct stat st;

    if (create && g_mkdir_with_parents(dir, 0700) != 0) {
        int e = errno;
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: cannot create the key store: %s", dir,
                    g_strerror(e));
        return FALSE;
    }
    if (lstat(dir, &st) != 0) {
        int e = errno;
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE, "%s: %s", dir,
                    g_strerror(e));
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: the key store is not a directory of ours", dir);
        return FALSE;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: group or others may access the key store (mode "
                    "%04o); chmod 700 it",
                    dir, (unsigned)(st.st_mode & 07777));
        return FALSE;
    }
    return TRUE;
}

static void
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* ---- one file ---- */

typedef struct {
    char *origin;
    gint64 created;
    ScCert *cert;
} Entry;

static void
entry_clear(Entry *e)
{
    g_clear_pointer(&e->origin, g_free);
    g_clear_pointer(&e->cert, sc_cert_unref);
}

/* The header lines before the first PEM block. */
static gboolean
parse_header(const char *data, const char *path, Entry *e, GError **error)
{
    const char *p = data;

    while (*p != '\0' && !g_str_has_prefix(p, "-----BEGIN ")) {
        const char *eol = strchr(p, '\n');
        gsize n = eol != NULL ? (gsize)(eol - p) : strlen(p);
        g_autofree char *line = g_strndup(p, n);
        if (g_str_has_prefix(line, "origin: ") && e->origin == NULL &&
            n - 8 <= ORIGIN_MAX)
            e->origin = g_strdup(line + 8);
        else if (g_str_has_prefix(line, "created: ")) {
            guint64 v = 0;
            if (g_ascii_string_to_unsigned(line + 9, 10, 0, G_MAXINT64, &v,
                                           NULL))
                e->created = (gint64)v;
        }
        p = eol != NULL ? eol + 1 : p + n;
    }
    if (e->origin == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: malformed key file (no origin line)", path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
read_entry(const char *path, Entry *e, GError **error)
{
    char *data = NULL;
    gsize len = 0;
    gboolean ok = FALSE;

    memset(e, 0, sizeof *e);
    if (!sc_keys_read_private_file(path, STORE_FILE_MAX, &data, &len, error))
        return FALSE;
    if (memchr(data, '\0', len) != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: malformed key file", path);
        goto out;
    }
    if (!parse_header(data, path, e, error))
        goto out;
    e->cert = sc_cert_from_pem(data, len, path, error);
    ok = e->cert != NULL;
out:
    sc_secure_wipe(data, len);
    g_free(data);
    if (!ok)
        entry_clear(e);
    return ok;
}

/* Writes @e to a new temporary file in @dir, then links it to @path
 * (@replace FALSE: fails with EEXIST if @path exists) or renames it over
 * @path. Returns 0, or an errno value. */
static int
write_entry(const char *dir, const char *path, const Entry *e,
            gboolean replace)
{
    gsize pem_len = 0;
    char *pem = sc_cert_to_pem(e->cert, &pem_len);
    g_autofree char *tmp = g_build_filename(dir, ".new-XXXXXX", NULL);
    int err = 0;

    if (pem == NULL)
        return EIO;
    g_autofree char *head = g_strdup_printf(
        "sealcall per-origin DTLS key (sealcall keys list / forget)\n"
        "origin: %s\ncreated: %" G_GINT64_FORMAT "\n",
        e->origin, e->created);
    int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno;
        goto out;
    }
    const char *parts[2] = {head, pem};
    gsize lens[2] = {strlen(head), pem_len};
    for (int i = 0; i < 2 && err == 0; i++) {
        gsize done = 0;
        while (done < lens[i]) {
            ssize_t n = write(fd, parts[i] + done, lens[i] - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                err = errno;
                break;
            }
            done += (gsize)n;
        }
    }
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0) {
        if (replace) {
            if (rename(tmp, path) != 0)
                err = errno;
        } else if (link(tmp, path) != 0) {
            err = errno;
        }
    }
    if (err != 0 || !replace)
        (void)g_unlink(tmp);
    if (err == 0)
        sync_dir(dir);
out:
    sc_secure_wipe(pem, pem_len);
    g_free(pem);
    return err;
}

static gboolean
needs_renewal(ScCert *cert, gint64 now)
{
    gint64 nb, na;

    sc_cert_get_validity(cert, &nb, &na);
    return now < nb || now > na - (gint64)SC_KEY_STORE_RENEW_DAYS * 86400;
}

ScCert *
sc_key_store_get(const char *dir, const char *origin, GError **error)
{
    g_return_val_if_fail(dir != NULL && origin != NULL, NULL);

    /* only a normalised origin names a file: never raw text */
    g_autofree char *norm = sc_key_origin_normalize(origin, NULL);
    if (norm == NULL || strcmp(norm, origin) != 0) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "not a normalised origin");
        return NULL;
    }
    g_autofree char *name = file_name(origin);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    Entry e = {0};
    g_autoptr(GError) local = NULL;

    if (!open_dir(dir, TRUE, error))
        return NULL;
    for (int attempt = 0; attempt < 3; attempt++) {
        gboolean existed = g_file_test(path, G_FILE_TEST_EXISTS) ||
                           g_file_test(path, G_FILE_TEST_IS_SYMLINK);
        gboolean exists;

        g_clear_error(&local);
        if (read_entry(path, &e, &local))
            break;
        exists = g_file_test(path, G_FILE_TEST_EXISTS) ||
                 g_file_test(path, G_FILE_TEST_IS_SYMLINK);
        if (!existed && exists)
            continue; /* another call linked it in between: read theirs */
        if (!exists) {
            /* a new key pair for a new origin */
            g_clear_error(&local);
            g_autoptr(ScCert) fresh = sc_cert_new_ecdsa(error);
            if (fresh == NULL)
                return NULL;
            Entry n = {g_strdup(origin), now, NULL};
            n.cert = sc_cert_new_for_key(sc_cert_get_key(fresh),
                                         SC_KEY_STORE_CERT_DAYS, error);
            if (n.cert == NULL) {
                entry_clear(&n);
                return NULL;
            }
            int err = write_entry(dir, path, &n, FALSE);
            if (err == 0) {
                SC_LOG_INFO(NULL, "new per-origin key in %s", path);
                ScCert *c = g_steal_pointer(&n.cert);
                entry_clear(&n);
                return c;
            }
            entry_clear(&n);
            if (err == EEXIST)
                continue; /* made meanwhile by another call: use theirs */
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                        "%s: cannot write the key: %s", path,
                        g_strerror(err));
            return NULL;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (e.cert == NULL) {
        if (local != NULL)
            g_propagate_error(error, g_steal_pointer(&local));
        else
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                        "%s: the key file keeps changing", path);
        return NULL;
    }
    if (strcmp(e.origin, origin) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: holds the key of another origin; not used (remove "
                    "the file)",
                    path);
        entry_clear(&e);
        return NULL;
    }
    if (needs_renewal(e.cert, now)) {
        Entry r = {g_strdup(e.origin), e.created, NULL};
        r.cert = sc_cert_new_for_key(sc_cert_get_key(e.cert),
                                     SC_KEY_STORE_CERT_DAYS, error);
        if (r.cert == NULL) {
            entry_clear(&r);
            entry_clear(&e);
            return NULL;
        }
        int err = write_entry(dir, path, &r, TRUE);
        if (err != 0 && sc_cert_check_validity(e.cert, now, path, NULL)) {
            /* still valid: keep using it, try again next time */
            SC_LOG_WARN(NULL, "%s: cannot renew the certificate: %s", path,
                        g_strerror(err));
            entry_clear(&r);
            ScCert *c = g_steal_pointer(&e.cert);
            entry_clear(&e);
            return c;
        }
        if (err != 0) {
            g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                        "%s: cannot renew the certificate: %s", path,
                        g_strerror(err));
            entry_clear(&r);
            entry_clear(&e);
            return NULL;
        }
        SC_LOG_INFO(NULL, "renewed the certificate in %s", path);
        entry_clear(&e);
        e = r;
    }
    ScCert *c = g_steal_pointer(&e.cert);
    entry_clear(&e);
    return c;
}

/* ---- listing and forgetting ---- */

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean
sc_key_store_foreach(const char *dir, ScKeyStoreFunc func, gpointer user_data,
                     GError **error)
{
    g_autofree char *def = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d;
    const char *n;

    g_return_val_if_fail(func != NULL, FALSE);
    if (dir == NULL)
        dir = def = sc_key_store_get_default_dir();
    if (!g_file_test(dir, G_FILE_TEST_EXISTS) &&
        !g_file_test(dir, G_FILE_TEST_IS_SYMLINK))
        return TRUE;
    if (!open_dir(dir, FALSE, error))
        return FALSE;
    d = g_dir_open(dir, 0, NULL);
    if (d == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: cannot read the key store", dir);
        return FALSE;
    }
    while ((n = g_dir_read_name(d)) != NULL)
        if (n[0] != '.' && g_str_has_suffix(n, ".pem"))
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path =
            g_build_filename(dir, names->pdata[i], NULL);
        g_autoptr(GError) local = NULL;
        Entry e;
        if (!read_entry(path, &e, &local)) {
            func(NULL, NULL, 0, 0, path, local->message, user_data);
            continue;
        }
        g_autofree char *fp =
            sc_cert_get_fingerprint(e.cert, sc_cert_get_fingerprint_hash(e.cert));
        gint64 nb, na;
        sc_cert_get_validity(e.cert, &nb, &na);
        func(e.origin, fp, e.created, na, path, NULL, user_data);
        entry_clear(&e);
    }
    return TRUE;
}

gboolean
sc_key_store_forget(const char *dir, const char *origin, gboolean *removed,
                    GError **error)
{
    g_autofree char *def = NULL;

    g_return_val_if_fail(origin != NULL, FALSE);
    if (removed != NULL)
        *removed = FALSE;
    g_autofree char *norm = sc_key_origin_normalize(origin, error);
    if (norm == NULL)
        return FALSE;
    if (dir == NULL)
        dir = def = sc_key_store_get_default_dir();
    g_autofree char *name = file_name(norm);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_unlink(path) != 0) {
        int e = errno;
        if (e == ENOENT)
            return TRUE;
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "%s: cannot remove the key: %s", path, g_strerror(e));
        return FALSE;
    }
    sync_dir(dir);
    if (removed != NULL)
        *removed = TRUE;
    return TRUE;
}
