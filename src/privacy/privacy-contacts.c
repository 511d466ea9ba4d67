/* src/privacy/privacy-contacts.c - the user's contacts file (issue 14
 * point 8, "allow future calls from this verified user"): one verified
 * identity (user@domain) a line in $XDG_CONFIG_HOME/sealcall/contacts,
 * read by the privacy rules (not_in_contacts) and by `answer
 * --only-verified`. Written whole and atomically (a temporary file
 * renamed over the old one), mode 0600; a file that group or others may
 * write is refused, since whoever can write it decides who may call.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "privacy"
#include "privacy/privacy-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
sc_privacy_contacts_default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "sealcall", "contacts",
                            NULL);
}

static gboolean G_GNUC_PRINTF(3, 4)
fail(GError **error, const char *path, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "%s: %s", path,
                msg);
    return FALSE;
}

/* The file's text (at most SC_PRIVACY_FILE_MAX bytes); "" when missing. */
static char *
read_bounded(const char *path, gsize *len, GError **error)
{
    g_autofree char *buf = NULL;
    struct stat st;
    ssize_t got;
    gsize total = 0;
    int fd;

    /* "none" on the command line, as for --privacy-config */
    if (strcmp(path, "/dev/null") == 0) {
        *len = 0;
        return g_strdup("");
    }
    fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0) {
        if (errno == ENOENT) {
            *len = 0;
            return g_strdup("");
        }
        fail(error, path, "%s", g_strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        fail(error, path, "not a regular file");
        return NULL;
    }
    if ((st.st_mode & 022) != 0) {
        close(fd);
        fail(error, path, "group or others may write it (whoever can "
                          "decides who may call you): chmod 600");
        return NULL;
    }
    /* one byte more than allowed tells a file that is too long */
    buf = g_malloc(SC_PRIVACY_FILE_MAX + 2);
    while (total <= SC_PRIVACY_FILE_MAX &&
           (got = read(fd, buf + total, SC_PRIVACY_FILE_MAX + 1 - total)) > 0)
        total += (gsize)got;
    close(fd);
    if (total > SC_PRIVACY_FILE_MAX) {
        fail(error, path, "longer than %d bytes", SC_PRIVACY_FILE_MAX);
        return NULL;
    }
    buf[total] = '\0';
    *len = total;
    return g_steal_pointer(&buf);
}

char **
sc_privacy_contacts_load(const char *path, GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen =
        g_hash_table_new(g_str_hash, g_str_equal);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    text = read_bounded(path, &len, error);
    if (text == NULL)
        return NULL;
    if (memchr(text, '\0', len) != NULL || !g_utf8_validate(text, len, NULL)) {
        fail(error, path, "not UTF-8 text");
        return NULL;
    }
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_autoptr(GError) e = NULL;
        char *l = g_strstrip(lines[i]);
        char *norm;

        if (*l == '\0' || *l == '#')
            continue;
        norm = sc_priv_identity_normalize(l, &e);
        if (norm == NULL) {
            fail(error, path, "line %u: %s", i + 1, e->message);
            return NULL;
        }
        if (g_hash_table_contains(seen, norm)) {
            g_free(norm);
            continue;
        }
        if (out->len >= SC_PRIV_MAX_CONTACTS) {
            g_free(norm);
            fail(error, path, "more than %d contacts", SC_PRIV_MAX_CONTACTS);
            return NULL;
        }
        g_ptr_array_add(out, norm);
        g_hash_table_add(seen, norm);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

static gboolean
save(const char *path, char **list, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GString) s = g_string_new(
        "# sealcall contacts: verified identities (user@domain), one a line\n"
        "# (sealcall contacts add|remove USER@DOMAIN)\n");
    g_autoptr(GError) e = NULL;

    if (strcmp(path, "/dev/null") == 0)
        return fail(error, path, "no contacts file to change");
    for (guint i = 0; list[i] != NULL; i++)
        g_string_append_printf(s, "%s\n", list[i]);
    if (g_mkdir_with_parents(dir, 0700) != 0)
        return fail(error, dir, "%s", g_strerror(errno));
    if (!g_file_set_contents_full(path, s->str, (gssize)s->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, &e))
        return fail(error, path, "%s", e->message);
    return TRUE;
}

/* The file's list and @identity normalized, for a change. */
static gboolean
load_for_change(const char *path, const char *identity, char **norm,
                char ***list, GError **error)
{
    *norm = sc_priv_identity_normalize(identity, error);
    if (*norm == NULL)
        return FALSE;
    *list = sc_privacy_contacts_load(path, error);
    return *list != NULL;
}

gboolean
sc_privacy_contacts_add(const char *path, const char *identity,
                        gboolean *added, GError **error)
{
    g_auto(GStrv) list = NULL;
    g_autofree char *norm = NULL;
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) next = NULL;
    gboolean there;

    g_return_val_if_fail(path != NULL && identity != NULL, FALSE);
    if (!load_for_change(path, identity, &norm, &list, error))
        return FALSE;
    there = g_strv_contains((const char *const *)list, norm);
    if (added != NULL)
        *added = !there;
    if (there)
        return TRUE;
    if (g_strv_length(list) >= SC_PRIV_MAX_CONTACTS)
        return fail(error, path, "it holds %d contacts already (the most)",
                    SC_PRIV_MAX_CONTACTS);
    g_strv_builder_addv(b, (const char **)list);
    g_strv_builder_add(b, norm);
    next = g_strv_builder_end(b);
    return save(path, next, error);
}

gboolean
sc_privacy_contacts_remove(const char *path, const char *identity,
                           gboolean *removed, GError **error)
{
    g_auto(GStrv) list = NULL;
    g_autofree char *norm = NULL;
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) next = NULL;
    gboolean found = FALSE;

    g_return_val_if_fail(path != NULL && identity != NULL, FALSE);
    if (!load_for_change(path, identity, &norm, &list, error))
        return FALSE;
    for (guint i = 0; list[i] != NULL; i++) {
        if (g_str_equal(list[i], norm))
            found = TRUE;
        else
            g_strv_builder_add(b, list[i]);
    }
    if (removed != NULL)
        *removed = found;
    if (!found)
        return TRUE;
    next = g_strv_builder_end(b);
    return save(path, next, error);
}

gboolean
sc_privacy_rules_add_contacts_file(ScPrivacyRules *rules, const char *path,
                                   GError **error)
{
    g_auto(GStrv) list = NULL;

    g_return_val_if_fail(rules != NULL && path != NULL, FALSE);
    list = sc_privacy_contacts_load(path, error);
    if (list == NULL)
        return FALSE;
    for (guint i = 0; list[i] != NULL; i++)
        g_hash_table_add(rules->file_contacts, g_strdup(list[i]));
    return TRUE;
}
