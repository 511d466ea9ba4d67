/* ui-cli/cli.h - subcommands of the sealcall program.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CLI_H
#define SC_CLI_H

/* Exit statuses shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* `sealcall serve [--host H] [--port N]`; argv[0] is "serve". */
int cli_serve_main(int argc, char **argv);
/* `sealcall call|answer --signal URL [...]`; argv[0] is "call" or "answer". */
int cli_call_main(int argc, char **argv);

/* Whether the default main context fires timers within about 0.1 ms of
 * their time (on) or GLib's own way, up to 1 ms late (off); see poll.c. */
void cli_set_precise_timers(int on);

/* Text a peer controls (chat, labels, bye reasons, identities, error
 * details and log lines that quote it), made safe to print on a terminal: C0 and C1
 * control characters, DEL (so every escape sequence), bidi marks and
 * overrides and U+2028/U+2029 are shown as \xHH or \uHHHH, bytes that
 * are not UTF-8 (and NUL) as \xHH; newlines are kept only when
 * @keep_newlines. At most @max_bytes of @s are shown, then a marker says
 * how many were left out. @len -1: @s is NUL-terminated. Returns a new
 * string (g_free), NULL for NULL. */
char *cli_sanitize(const char *s, long len, unsigned long max_bytes,
                   int keep_newlines);

/* How much of a peer's string is shown: chat text and binary messages,
 * and everything else (labels, reasons, details). */
#define CLI_SHOW_MESSAGE_MAX 4096
#define CLI_SHOW_FIELD_MAX 256
/* and of a log line on stderr */
#define CLI_SHOW_LOG_MAX 16384

#endif
