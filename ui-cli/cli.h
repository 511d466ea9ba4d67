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

#endif
