/* sealcall - log handler.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * ScLogLevel:
 * Severity of a log line. Since: 0.1
 */
typedef enum {
    SC_LOG_LEVEL_ERROR = 0,
    SC_LOG_LEVEL_WARN = 1,
    SC_LOG_LEVEL_INFO = 2,
    SC_LOG_LEVEL_DEBUG = 3,
    SC_LOG_LEVEL_TRACE = 4,
} ScLogLevel;

/**
 * ScLogFunc:
 * @level: severity
 * @module: (transfer none): module name, such as "dtls"
 * @message: (transfer none): the formatted line, never containing secrets
 * @user_data: the pointer given to sc_log_set_handler()
 *
 * Receives every log line of the library. May be called from any thread
 * that logs (the owner thread, or GStreamer's threads for media).
 * Since: 0.1
 */
typedef void (*ScLogFunc)(ScLogLevel level, const char *module,
                          const char *message, gpointer user_data);

/**
 * sc_log_set_handler:
 * @func: (nullable): handler, or %NULL to restore the default (stderr)
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): releases @user_data when the handler is replaced
 *
 * Installs the process-wide log handler. Call it before creating endpoints.
 * Since: 0.1
 */
SC_API void sc_log_set_handler(ScLogFunc func, gpointer user_data,
                               GDestroyNotify destroy);

/**
 * sc_log_set_level:
 * @level: the most verbose level to emit (default %SC_LOG_LEVEL_WARN, or
 *   what the SC_DEBUG environment variable says: "all", or a comma list of
 *   modules that log at %SC_LOG_LEVEL_DEBUG)
 *
 * Since: 0.1
 */
SC_API void sc_log_set_level(ScLogLevel level);

G_END_DECLS

#endif /* SC_LOG_H */
