/* tests/lib/idp-drive.c - drives identity/'s IdP sandbox for the
 * integration test (tests/integration/test-idp-sandbox.py): one generate
 * or validate, on a GLib main loop, and one JSON line with the outcome,
 * including the sandbox child's pid (gone by then: the run reaps it).
 *   idp-drive [--ca FILE] [--timeout MS] [--memory BYTES] [--cancel-at-spawn 1]
 *             generate DOMAIN PROTOCOL CONTENTS ORIGIN [HINT]
 *   idp-drive [options] validate ATTR ORIGIN
 * The helper comes from $SEALCALL_IDP_SANDBOX (the build tree's).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity/identity.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GMainLoop *loop;
static GCancellable *cancel;
static GPid child_pid;
static JsonBuilder *out;

/* the strongest seccomp mode seen in the child's /proc status while the
 * run lasts (2: a filter), read every 10 ms from its spawn to its end */
static int seccomp_seen = -1;

static gboolean
watch_seccomp(gpointer data)
{
    char path[64], *text = NULL;
    g_snprintf(path, sizeof path, "/proc/%d/status", (int)child_pid);
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        const char *p = strstr(text, "\nSeccomp:");
        if (p != NULL)
            seccomp_seen = MAX(seccomp_seen, atoi(p + 9));
        g_free(text);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
do_cancel(gpointer data)
{
    g_cancellable_cancel(cancel);
    return G_SOURCE_REMOVE;
}

/* with --cancel-at-spawn, the run is cancelled once its child runs */
static void
on_spawn(GPid pid, gpointer data)
{
    child_pid = pid;
    g_timeout_add(10, watch_seccomp, NULL);
    if (cancel != NULL)
        g_idle_add(do_cancel, NULL);
}

static void
put(const char *k, const char *v)
{
    if (v == NULL)
        return;
    json_builder_set_member_name(out, k);
    json_builder_add_string_value(out, v);
}

static void
put_error(GError *err, const char *login_url)
{
    json_builder_set_member_name(out, "ok");
    json_builder_add_boolean_value(out, FALSE);
    if (err->domain == SC_IDP_ERROR)
        put("error", sc_idp_error_name((ScIdpErrorCode)err->code));
    else
        put("error", g_quark_to_string(err->domain));
    put("message", err->message);
    put("loginUrl", login_url);
}

static void
on_generated(GObject *src, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    char *login = NULL;
    char *attr = sc_idp_generate_finish(res, &login, &err);
    if (attr != NULL) {
        json_builder_set_member_name(out, "ok");
        json_builder_add_boolean_value(out, TRUE);
        put("attr", attr);
        ScIdentityAssertion *a = sc_identity_assertion_parse(attr, NULL);
        g_assert_nonnull(a);   /* whatever we generate, we can parse */
        put("domain", a->domain);
        put("protocol", a->protocol);
        put("assertion", a->assertion);
        sc_identity_assertion_free(a);
    } else {
        put_error(err, login);
        g_error_free(err);
    }
    g_free(attr);
    g_free(login);
    g_main_loop_quit(loop);
}

static void
on_validated(GObject *src, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    char *login = NULL;
    ScIdpValidation *v = sc_idp_validate_finish(res, &login, &err);
    if (v != NULL) {
        json_builder_set_member_name(out, "ok");
        json_builder_add_boolean_value(out, TRUE);
        put("identity", v->identity);
        put("contents", v->contents);
        put("domain", v->domain);
        put("protocol", v->protocol);
        gboolean auth = FALSE;
        GError *e2 = NULL;
        if (sc_identity_check(v->identity, v->domain, NULL, &auth, &e2)) {
            json_builder_set_member_name(out, "authoritative");
            json_builder_add_boolean_value(out, auth);
        } else {
            put("identityError", e2->message);
            g_error_free(e2);
        }
        sc_idp_validation_free(v);
    } else {
        put_error(err, login);
        g_error_free(err);
    }
    g_free(login);
    g_main_loop_quit(loop);
}

int
main(int argc, char **argv)
{
    ScIdpConfig cfg = { 0 };
    int i = 1;

    for (; i + 1 < argc && g_str_has_prefix(argv[i], "--"); i += 2) {
        if (strcmp(argv[i], "--ca") == 0)
            cfg.ca_file = argv[i + 1];
        else if (strcmp(argv[i], "--cookies") == 0)
            cfg.cookie_file = argv[i + 1];
        else if (strcmp(argv[i], "--timeout") == 0)
            cfg.timeout_ms = (guint)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--memory") == 0)
            cfg.memory_limit = g_ascii_strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--cancel-at-spawn") == 0)
            cancel = g_cancellable_new();
    }
    cfg.on_spawn = on_spawn;
    loop = g_main_loop_new(NULL, FALSE);
    out = json_builder_new();
    json_builder_begin_object(out);
    if (i + 4 < argc && strcmp(argv[i], "generate") == 0) {
        sc_idp_generate_async(&cfg, argv[i + 1], argv[i + 2], argv[i + 3],
                              argv[i + 4], i + 5 < argc ? argv[i + 5] : NULL,
                              cancel, on_generated, NULL);
    } else if (i + 2 < argc && strcmp(argv[i], "validate") == 0) {
        sc_idp_validate_async(&cfg, argv[i + 1], argv[i + 2], cancel,
                              on_validated, NULL);
    } else {
        fprintf(stderr, "usage: see tests/lib/idp-drive.c\n");
        return 2;
    }
    g_main_loop_run(loop);
    json_builder_set_member_name(out, "pid");
    json_builder_add_int_value(out, child_pid);
    json_builder_set_member_name(out, "seccomp");
    json_builder_add_int_value(out, seccomp_seen);
    json_builder_end_object(out);
    JsonNode *n = json_builder_get_root(out);
    char *text = json_to_string(n, FALSE);
    printf("%s\n", text);
    g_free(text);
    json_node_unref(n);
    g_object_unref(out);
    g_main_loop_unref(loop);
    g_clear_object(&cancel);
    return 0;
}
