/* sealcall - log handler.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_LOG_H
#define SC_LOG_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/*
 * Secrets and logs.
 *
 * The library never logs a secret it holds (ICE passwords, its own and the
 * peer's; SRTP master keys and salts) in any encoding: while a secret
 * lives, every line given to the #ScLogFunc (or written to stderr by
 * default) that shows it raw, in hex (either case, with or without
 * separators or "0x" prefixes) or in base64 (standard or URL alphabet,
 * also inside a longer encoding) is replaced as a whole by
 * "(a message that showed a secret, withheld by sealcall)".
 *
 * libnice, which the library drives, logs through GLib when NICE_DEBUG or
 * G_MESSAGES_DEBUG asks it to, and some of its messages show ICE passwords
 * (its STUN code prints the message-integrity key in hex). So, once per
 * process, before its first ICE agent is made, the library installs a
 * g_log_set_handler() handler for each of libnice's log domains
 * ("libnice", "libnice-stun", "libnice-socket", "libnice-random",
 * "libnice-pseudotcp", "libnice-pseudotcp-verbose"). It applies the same
 * rule and passes every message, withheld or not, at its level, to
 * g_log_default_handler(), and so on to the writer function the
 * application may have set with g_log_set_writer_func() (which keeps
 * deciding where messages go and which are shown). Two consequences for an
 * application's own GLib log set-up: a default handler set with
 * g_log_set_default_handler() does not see libnice's messages (they go to
 * GLib's default handler and writer instead), and a handler the
 * application installs for one of these domains after the first call has
 * started replaces ours, and then receives libnice's messages unfiltered.
 * Messages of other domains are left alone.
 */

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
 *   (a line that would show one is withheld: see "Secrets and logs" above)
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
