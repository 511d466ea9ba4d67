/* src/core/log.c - one log sink for the library.
 * SC_DEBUG=all or SC_DEBUG=ice,dtls raises the level of those modules to
 * debug; SC_DEBUG=trace gives everything. Default: warnings and errors.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    ScLogFunc func;
    gpointer user_data;
    GDestroyNotify destroy;
} LogHandler;

static GMutex log_lock;
static LogHandler handler;
static gint log_level = -1;        /* -1: not yet read from the environment */
static char **debug_modules;        /* from SC_DEBUG, NULL = none */
static gboolean debug_all;

static void
log_init_once(void)
{
    static gsize done;

    if (!g_once_init_enter(&done))
        return;
    const char *env = g_getenv("SC_DEBUG");
    gint level = SC_LOG_LEVEL_WARN;
    if (env != NULL && *env != '\0') {
        if (g_str_equal(env, "all")) {
            debug_all = TRUE;
        } else if (g_str_equal(env, "trace")) {
            debug_all = TRUE;
            level = SC_LOG_LEVEL_TRACE;
        } else {
            debug_modules = g_strsplit(env, ",", -1);
        }
    }
    g_atomic_int_set(&log_level, level);
    g_once_init_leave(&done, 1);
}

void
sc_log_set_level(ScLogLevel level)
{
    log_init_once();
    g_atomic_int_set(&log_level, (gint)level);
}

gboolean
sc_log_enabled(ScLogLevel level, const char *module)
{
    log_init_once();
    if ((gint)level <= g_atomic_int_get(&log_level))
        return TRUE;
    if (level > SC_LOG_LEVEL_DEBUG)
        return FALSE;
    if (debug_all)
        return TRUE;
    if (debug_modules != NULL && module != NULL)
        return g_strv_contains((const char *const *)debug_modules, module);
    return FALSE;
}

void
sc_log_set_handler(ScLogFunc func, gpointer user_data, GDestroyNotify destroy)
{
    LogHandler old;

    g_mutex_lock(&log_lock);
    old = handler;
    handler.func = func;
    handler.user_data = user_data;
    handler.destroy = destroy;
    g_mutex_unlock(&log_lock);
    if (old.destroy != NULL)
        old.destroy(old.user_data);
}

static const char *
level_name(ScLogLevel level)
{
    switch (level) {
    case SC_LOG_LEVEL_ERROR:
        return "ERROR";
    case SC_LOG_LEVEL_WARN:
        return "WARN";
    case SC_LOG_LEVEL_INFO:
        return "INFO";
    case SC_LOG_LEVEL_DEBUG:
        return "DEBUG";
    case SC_LOG_LEVEL_TRACE:
        return "TRACE";
    }
    return "?";
}

void
sc_log_emit(ScLogLevel level, const char *module, const char *id,
            const char *fmt, ...)
{
    va_list ap;
    char line[1024];
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (id != NULL)
        g_snprintf(line, sizeof line, "[%s] %s", id, msg);
    else
        g_snprintf(line, sizeof line, "%s", msg);
    /* the whole message (@line may be cut) and the line as written */
    if (sc_log_shows_secret(msg, -1) || sc_log_shows_secret(line, -1)) {
        sc_secure_wipe(line, sizeof line);
        g_snprintf(line, sizeof line, "%s%s%s%s", id != NULL ? "[" : "",
                   id != NULL ? id : "", id != NULL ? "] " : "",
                   sc_log_withheld_text());
    }
    sc_secure_wipe(msg, strlen(msg));
    g_free(msg);

    g_mutex_lock(&log_lock);
    if (handler.func != NULL) {
        handler.func(level, module, line, handler.user_data);
    } else {
        gint64 now = g_get_monotonic_time();
        fprintf(stderr, "%6" G_GINT64_FORMAT ".%03d sealcall-%s %s: %s\n",
                now / G_USEC_PER_SEC % 1000000,
                (int)(now / 1000 % 1000), module, level_name(level), line);
    }
    g_mutex_unlock(&log_lock);
}
