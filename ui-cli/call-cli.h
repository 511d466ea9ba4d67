/* ui-cli/call-cli.h - the state of one `sealcall call|answer` run, shared
 * by cmd-call.c (options, setup, events), call-output.c (what is printed),
 * call-input.c (commands), call-drain.c (end of input), call-setup.c and
 * the full-screen view (tui*.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CALL_CLI_H
#define SC_CALL_CLI_H

#include "cli.h"

#include <gio/gio.h>
#include <sealcall/sealcall.h>

/* the control socket of `sealcall inspect` (control.c) */
typedef struct CliControl CliControl;
/* the full-screen view (tui.c); NULL in line mode and with --json */
typedef struct CliTui CliTui;

/* what we saw of a channel we sent on (Cli.seen) */
enum { SEEN_OPEN = 1, SEEN_CLOSED = 2 };

typedef struct {
    GMainLoop *loop;
    ScCall *call;
    gboolean json;
    gboolean ended;
    int exit_status;
    GDataInputStream *in;
    GCancellable *cancel;
    guint grace_id;
    /* End of input means "no more commands": what was asked is carried
     * out, then we hang up (see cli_finish_then_hang_up()). */
    gboolean input_done;
    GPtrArray *used;     /* ScChannel refs we sent on */
    GHashTable *seen;    /* label -> SEEN_OPEN or SEEN_CLOSED */
    gboolean all_done;   /* we hung up because everything was carried out */
    gboolean bench_running;
    guint recheck_id;
    gboolean deciding;   /* --defer-ice: an incoming call waits (defer.c) */
    const char *idp;     /* --idp: told once signaling connects (the
                          * assertion is made before it connects) */
    const CliPrivacy *priv; /* the privacy decision, for /privacy */
    CliControl *control;    /* NULL: no control socket */
    CliTui *tui;         /* the full-screen view, or NULL */
    gboolean media[2];   /* audio, video asked for (not --no-audio/video) */
} Cli;

/* ---- call-output.c ---- */

/* One line on stdout, flushed. */
void cli_print_line(const char *line);
/* {"event":EVENT,FIELD:VALUE} on stdout (@field NULL: no field); @value
 * is made valid UTF-8. */
void cli_print_json_event(const char *event, const char *field,
                          const char *value);
/* An error event (--json) or a sanitized line on stderr. */
void cli_report_error(Cli *cli, const char *detail);
/* An event as a human-readable line; every string is sanitized. */
void cli_print_event_human(const ScCallEvent *ev);
/* An event for the user (not --json): to the full-screen view when it is
 * on, otherwise a line (cli_print_event_human()). */
void cli_show_event(Cli *cli, const ScCallEvent *ev);
/* The security inspector report: an inspector event (--json), the
 * view's security panel, or pretty, sanitized JSON. */
void cli_print_inspector(Cli *cli);

/* ---- call-drain.c ---- */

/* @chan was sent on: end of input waits for it to drain. */
void cli_remember_channel(Cli *cli, ScChannel *chan);
/* Whether we sent on a channel labelled @label. */
gboolean cli_sent_on_label(Cli *cli, const char *label);
/* After end of input: hangs up once everything asked is carried out. */
void cli_finish_then_hang_up(Cli *cli);
/* The call ended: an error for each channel whose messages were not sent. */
void cli_report_undelivered(Cli *cli);

/* ---- call-input.c ---- */

/* Reads the next command line from stdin (asynchronously). */
void cli_read_next_line(Cli *cli);
/* One interactive line (chat, or a /command), as typed. */
void cli_handle_line(Cli *cli, const char *line);

/* ---- call-setup.c ---- */

/* --cert (refused with per-origin keys or unlinkability); exit status. */
int cli_apply_certificate(ScCall *call, const char *cmd,
                          const CliPrivacy *priv, const char *cert);
/* --ice-address, repeatable. */
gboolean cli_add_addresses(ScCall *call, char **addresses, GError **error);
/* Overwrites TURN passwords in the process's argv with '*'. */
void cli_scrub_turn_args(int argc, char **orig);
/* --turn (repeatable) and --ca. */
gboolean cli_add_turn_servers(ScCall *call, char **turns, const char *ca,
                              GError **error);

/* ---- control.c: the control socket `sealcall inspect` reads ---- */

/* Where the control sockets are: $XDG_RUNTIME_DIR/sealcall, or
 * /tmp/sealcall-UID without XDG_RUNTIME_DIR (an absolute path). */
char *cli_control_dir(void);
/* Whether @dir (created 0700 first with @create) is a directory of ours
 * with mode 0700, not a symlink, in a parent that others cannot change;
 * FALSE with a one-line @error. */
gboolean cli_control_dir_check(const char *dir, gboolean create,
                               GError **error);
/* Whether @name is "call-PID.sock"; sets @pid. */
gboolean cli_control_parse_name(const char *name, guint *pid);
/* Whether nobody listens on the socket @path (a crashed process's). */
gboolean cli_control_is_stale(const char *path);
/* Listens on CONTROL_DIR/call-PID.sock for `sealcall inspect`; NULL, with
 * a warning on stderr, when the directory is unsafe or the socket cannot
 * be made (the call goes on without it). @role: "call" or "answer". */
CliControl *cli_control_start(ScCall *call, const char *role,
                              const char *signal_url);
/* Tells watchers about @ev (their reports are coalesced); @ctl may be
 * NULL. */
void cli_control_notify(CliControl *ctl, const ScCallEvent *ev);
/* Removes the socket, closes every client; @ctl may be NULL. */
void cli_control_stop(CliControl *ctl);

/* ---- tui.c: the full-screen view ---- */

/* Whether `call`/`answer` shows the full-screen view: stdin and stdout
 * are terminals, and neither --json nor --plain was given. */
gboolean cli_tui_wanted(gboolean json, gboolean plain);
/* Takes over the terminal (curses, alternate screen; our stderr is shown
 * in the view) and reads the keyboard instead of cli_read_next_line().
 * @title: what the top line names (the command and the room). NULL with
 * @error when the terminal cannot be used (then line mode stays). */
CliTui *cli_tui_start(Cli *cli, const char *title, GError **error);
/* Gives the terminal back as it was, then prints how the call ended on
 * it. Also done (without the summary) at exit and on a fatal signal. */
void cli_tui_stop(CliTui *tui);
void cli_tui_event(CliTui *tui, const ScCallEvent *ev);
void cli_tui_error(CliTui *tui, const char *detail);
/* /inspect: opens the security panel. */
void cli_tui_inspector(CliTui *tui);

#endif
