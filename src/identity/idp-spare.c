/* src/identity/idp-spare.c - starting the sandbox child
 * (sealcall-idp-sandbox, an empty environment, cwd /), for a run at once or
 * ahead of it: a spare child makes its JavaScriptCore context while the
 * call goes on, and the run that takes it (validating the peer's
 * assertion) skips the child's start-up on the call's critical path. A
 * spare has received nothing yet; it serves one run, as any child.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "identity"
#include "identity/identity-priv.h"

#ifndef SC_LIBEXECDIR
#define SC_LIBEXECDIR "/usr/local/libexec"
#endif

struct ScIdpSpare {
    GSubprocess *proc;
    char *helper;
    guint64 memory;
    guint timeout_ms;
};

const char *
sc_idp_helper_path(const char *configured)
{
    if (configured != NULL)
        return configured;
    const char *env = g_getenv("SEALCALL_IDP_SANDBOX");
    return env != NULL && env[0] != '\0' ? env
                                         : SC_LIBEXECDIR "/sealcall-idp-sandbox";
}

GSubprocess *
sc_idp_sandbox_launch(const char *helper, guint64 memory, guint timeout_ms,
                      GError **error)
{
    char mem[32], cpu[32];
    g_snprintf(mem, sizeof mem, "%" G_GUINT64_FORMAT, memory);
    g_snprintf(cpu, sizeof cpu, "%u", timeout_ms / 1000 + 2);

    GSubprocessLauncher *l = g_subprocess_launcher_new(
        G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    /* nothing of our environment (HOME, tokens, proxies) reaches the IdP */
    const char *env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", NULL };
    g_subprocess_launcher_set_environ(l, (char **)env);
    g_subprocess_launcher_set_cwd(l, "/");
    GSubprocess *p = g_subprocess_launcher_spawn(
        l, error, sc_idp_helper_path(helper), "--memory", mem, "--cpu", cpu,
        NULL);
    g_object_unref(l);
    return p;
}

static guint64
memory_of(const ScIdpConfig *config)
{
    return config && config->memory_limit ? config->memory_limit
                                          : SC_IDP_MEMORY_DEFAULT;
}

static guint
timeout_of(const ScIdpConfig *config)
{
    return config && config->timeout_ms ? config->timeout_ms
                                        : SC_IDP_TIMEOUT_MS_DEFAULT;
}

ScIdpSpare *
sc_idp_spare_new(const ScIdpConfig *config)
{
    g_autoptr(GError) err = NULL;
    const char *helper = config ? config->helper_path : NULL;
    GSubprocess *p = sc_idp_sandbox_launch(helper, memory_of(config),
                                           timeout_of(config), &err);
    if (p == NULL) {
        SC_LOG_INFO(NULL, "no spare IdP sandbox: %s", err->message);
        return NULL;
    }
    ScIdpSpare *s = g_new0(ScIdpSpare, 1);
    s->proc = p;
    s->helper = g_strdup(helper);
    s->memory = memory_of(config);
    s->timeout_ms = timeout_of(config);
    return s;
}

GSubprocess *
sc_idp_spare_take(ScIdpSpare **spare, const ScIdpConfig *config)
{
    ScIdpSpare *s = spare != NULL ? *spare : NULL;
    GSubprocess *p = NULL;

    if (s == NULL)
        return NULL;
    *spare = NULL;
    /* only a child started as this run would start it, and still there
     * (GLib clears the identifier once it is reaped) */
    if (g_strcmp0(s->helper, config ? config->helper_path : NULL) == 0 &&
        s->memory == memory_of(config) && s->timeout_ms == timeout_of(config) &&
        g_subprocess_get_identifier(s->proc) != NULL)
        p = g_steal_pointer(&s->proc);
    sc_idp_spare_free(s);
    return p;
}

void
sc_idp_spare_free(ScIdpSpare *s)
{
    if (s == NULL)
        return;
    if (s->proc != NULL) {
        /* SIGKILL to its pid; GLib's child watch reaps it */
        g_subprocess_force_exit(s->proc);
        g_object_unref(s->proc);
    }
    g_free(s->helper);
    g_free(s);
}
