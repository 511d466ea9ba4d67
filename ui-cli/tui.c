/* ui-cli/tui.c - the full-screen view of `sealcall call|answer` (issue 15):
 * taking the terminal and giving it back on every way out (the end of the
 * call, Ctrl-C, SIGTERM, SIGHUP, exit(), a fatal signal), our own stderr
 * shown inside the view, the keyboard, and the state the screen is drawn
 * from (the last events, the inspector report refreshed each second, the
 * chat pane's bounded scrollback).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* What a fatal signal handler or atexit() needs to give the terminal
 * back: the terminal modes from before curses, and the terminfo strings
 * that leave the alternate screen, show the cursor and reset attributes,
 * written with write(2) (async-signal-safe). */
static struct termios saved_tios;
static gboolean saved_tios_ok;
static volatile sig_atomic_t screen_on;
static char restore_seq[256];
static size_t restore_len;
static volatile sig_atomic_t saved_stderr_fd = -1;
static volatile sig_atomic_t err_read_fd = -1;
static CliTui *the_tui;

static void
restore_now(void)
{
    if (screen_on) {
        screen_on = 0;
        if (restore_len > 0 &&
            write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
            /* nothing more can be done */
        }
        if (saved_tios_ok)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
    }
    if (saved_stderr_fd >= 0) {
        char buf[4096];
        ssize_t n;

        dup2(saved_stderr_fd, STDERR_FILENO);
        saved_stderr_fd = -1;
        /* what was said just before the end (a sanitizer's report, an
         * abort message) goes to the terminal, not down the pipe */
        while (err_read_fd >= 0 && (n = read(err_read_fd, buf, sizeof buf)) > 0)
            if (write(STDERR_FILENO, buf, (size_t)n) < 0)
                break;
    }
}

static void
on_fatal_signal(int sig)
{
    /* SA_RESETHAND: raising it again does what it would have done */
    restore_now();
    raise(sig);
}

static void
on_exit_restore(void)
{
    if (screen_on) {
        endwin();
        screen_on = 0;
    }
    restore_now();
}

static void
append_cap(const char *name)
{
    const char *s = tigetstr(name);
    size_t n;

    if (s == NULL || s == (const char *)-1)
        return;
    n = strlen(s);
    if (restore_len + n < sizeof restore_seq) {
        memcpy(restore_seq + restore_len, s, n);
        restore_len += n;
    }
}

gboolean
cli_tui_wanted(gboolean json, gboolean plain)
{
    return !json && !plain && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

const char *
tui_str(JsonObject *o, const char *name)
{
    JsonNode *n;

    if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
        !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

JsonObject *
tui_obj(JsonObject *o, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);

    for (guint i = 0; o != NULL && parts[i] != NULL; i++) {
        JsonNode *n = json_object_get_member(o, parts[i]);
        o = n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n)
                                                   : NULL;
    }
    return o;
}

JsonObject *
tui_media_entry(CliTui *t, const char *kind, const char *dir)
{
    JsonNode *n = t->report != NULL
                      ? json_object_get_member(t->report, "media")
                      : NULL;
    JsonArray *a = n != NULL && JSON_NODE_HOLDS_ARRAY(n)
                       ? json_node_get_array(n)
                       : NULL;

    for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        JsonObject *m;
        if (!JSON_NODE_HOLDS_OBJECT(e))
            continue;
        m = json_node_get_object(e);
        if (g_strcmp0(tui_str(m, "kind"), kind) == 0 &&
            (dir == NULL || g_strcmp0(tui_str(m, "direction"), dir) == 0))
            return m;
    }
    return NULL;
}

static const char *
kind_name(int kind)
{
    return kind == TUI_AUDIO ? "audio" : "video";
}

gboolean
tui_has_media(CliTui *t, int kind)
{
    JsonNode *n = t->report != NULL
                      ? json_object_get_member(t->report, "media")
                      : NULL;

    /* the report lists media once the call's media runs (what was
     * negotiated); before, what was asked for */
    if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n) ||
        json_array_get_length(json_node_get_array(n)) == 0)
        return t->cli->media[kind] && t->ended == NULL;
    return tui_media_entry(t, kind_name(kind), NULL) != NULL;
}

gboolean
tui_media_stopped(CliTui *t, int kind)
{
    JsonObject *m = tui_media_entry(t, kind_name(kind), "send");
    JsonNode *v = m != NULL ? json_object_get_member(m, "sending") : NULL;

    /* the library's word (the send entry's "sending") over ours: /mute
     * typed on the input line stops it too */
    if (v != NULL && JSON_NODE_HOLDS_VALUE(v) &&
        json_node_get_value_type(v) == G_TYPE_BOOLEAN)
        return !json_node_get_boolean(v);
    return t->stopped[kind];
}

static void
line_free(TuiLine *l)
{
    g_free(l->text);
    g_free(l);
}

void
tui_add_line(CliTui *t, TuiLineKind kind, const char *text)
{
    TuiLine *l = g_new0(TuiLine, 1);

    l->kind = kind;
    l->text = cli_sanitize(text, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
    t->scrollback_bytes += strlen(l->text);
    g_queue_push_tail(&t->scrollback, l);
    while (t->scrollback.length > TUI_SCROLLBACK_LINES ||
           t->scrollback_bytes > TUI_SCROLLBACK_BYTES) {
        TuiLine *old = g_queue_pop_head(&t->scrollback);
        t->scrollback_bytes -= strlen(old->text);
        line_free(old);
    }
    tui_schedule_redraw(t);
}

static gboolean
on_redraw(gpointer data)
{
    CliTui *t = data;

    t->redraw_id = 0;
    if (t->active)
        tui_draw(t);
    return G_SOURCE_REMOVE;
}

/* Many events at once (a peer's burst of messages) make one redraw. */
void
tui_schedule_redraw(CliTui *t)
{
    if (t->redraw_id == 0)
        t->redraw_id = g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, on_redraw,
                                       t, NULL);
}

static JsonObject *
parse_object(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();
    JsonNode *root;

    if (text == NULL || !json_parser_load_from_data(p, text, -1, NULL))
        return NULL;
    root = json_parser_get_root(p);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    return json_object_ref(json_node_get_object(root));
}

void
tui_refresh_report(CliTui *t)
{
    g_autofree char *text = sc_call_inspect_json(t->cli->call);
    JsonObject *r = parse_object(text);

    if (r == NULL)
        return;
    g_clear_pointer(&t->prev_report, json_object_unref);
    t->prev_report = t->report;
    t->prev_report_at = t->report_at;
    t->report = r;
    t->report_at = g_get_monotonic_time();
}

static gboolean
on_tick(gpointer data)
{
    CliTui *t = data;

    /* consent freshness, packet counts and rates are live */
    if (!t->cli->ended)
        tui_refresh_report(t);
    tui_schedule_redraw(t);
    return G_SOURCE_CONTINUE;
}

/* ---- our stderr, into the chat pane ---- */

static void
stderr_take_lines(CliTui *t, gboolean all)
{
    char *nl;

    while ((nl = memchr(t->err_partial->str, '\n', t->err_partial->len)) !=
           NULL) {
        g_autofree char *line =
            g_strndup(t->err_partial->str, (gsize)(nl - t->err_partial->str));
        g_string_erase(t->err_partial, 0, (gssize)(nl - t->err_partial->str) + 1);
        tui_add_line(t, TUI_LINE_INFO, line);
    }
    /* a line that never ends is shown in pieces, not kept growing */
    if (all || t->err_partial->len > CLI_SHOW_MESSAGE_MAX) {
        if (t->err_partial->len > 0)
            tui_add_line(t, TUI_LINE_INFO, t->err_partial->str);
        g_string_truncate(t->err_partial, 0);
    }
}

static gboolean
on_stderr(gint fd, GIOCondition cond, gpointer data)
{
    CliTui *t = data;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);

    (void)cond;
    if (n > 0) {
        g_string_append_len(t->err_partial, buf, n);
        stderr_take_lines(t, FALSE);
        return G_SOURCE_CONTINUE;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    t->err_watch = 0;
    return G_SOURCE_REMOVE;
}

/* While the view is on, what is written to stderr (our messages, GLib's
 * and GStreamer's warnings, -v logs) would draw over it: it goes through
 * a pipe into the chat pane instead, sanitized like everything else. A
 * writer never blocks on it (lines are lost if the loop falls 64 KiB
 * behind). Left alone when stderr is not the terminal (2>FILE). */
static void
capture_stderr(CliTui *t)
{
    int fds[2];

    t->saved_stderr = -1;
    t->err_read = -1;
    if (!isatty(STDERR_FILENO) || !g_unix_open_pipe(fds, FD_CLOEXEC, NULL))
        return;
    fflush(stderr);
    t->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (t->saved_stderr < 0 || dup2(fds[1], STDERR_FILENO) < 0 ||
        !g_unix_set_fd_nonblocking(STDERR_FILENO, TRUE, NULL) ||
        !g_unix_set_fd_nonblocking(fds[0], TRUE, NULL)) {
        if (t->saved_stderr >= 0) {
            dup2(t->saved_stderr, STDERR_FILENO);
            close(t->saved_stderr);
        }
        t->saved_stderr = -1;
        close(fds[0]);
        close(fds[1]);
        return;
    }
    close(fds[1]);
    saved_stderr_fd = t->saved_stderr;
    err_read_fd = fds[0];
    t->err_read = fds[0];
    t->err_partial = g_string_new(NULL);
    t->err_watch = g_unix_fd_add(fds[0], G_IO_IN | G_IO_HUP | G_IO_ERR,
                                 on_stderr, t);
}

/* What was written to stderr and not shown yet; stderr back to the
 * terminal. Returns the text not shown (g_free). */
static char *
release_stderr(CliTui *t)
{
    GString *rest;
    char buf[4096];
    ssize_t n;

    if (t->err_read < 0)
        return NULL;
    fflush(stderr);
    rest = g_string_new(t->err_partial->str);
    while ((n = read(t->err_read, buf, sizeof buf)) > 0 &&
           rest->len < 64 * 1024)
        g_string_append_len(rest, buf, n);
    g_clear_handle_id(&t->err_watch, g_source_remove);
    saved_stderr_fd = -1;
    err_read_fd = -1;
    dup2(t->saved_stderr, STDERR_FILENO);
    close(t->saved_stderr);
    close(t->err_read);
    t->err_read = -1;
    g_string_free(t->err_partial, TRUE);
    t->err_partial = NULL;
    return g_string_free(rest, FALSE);
}

/* ---- the keyboard and signals ---- */

static gboolean
on_input(gint fd, GIOCondition cond, gpointer data)
{
    CliTui *t = data;
    wint_t ch;
    int r;

    (void)fd;
    if (!t->active)
        return G_SOURCE_CONTINUE;
    while ((r = wget_wch(stdscr, &ch)) != ERR) {
        if (t->holding != NULL) {
            if (r != KEY_CODE_YES || ch != KEY_RESIZE)
                g_main_loop_quit(t->holding);
            continue;
        }
        tui_input_key(t, r == KEY_CODE_YES, ch);
    }
    if (cond & (G_IO_HUP | G_IO_ERR)) {
        /* the terminal went away: nobody is there to see the call */
        t->input_watch = 0;
        if (t->holding != NULL)
            g_main_loop_quit(t->holding);
        if (!t->cli->ended)
            sc_call_hangup(t->cli->call);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_winch(gpointer data)
{
    CliTui *t = data;
    struct winsize ws;

    if (t->active && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_row > 0 && ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
        clearok(curscr, TRUE);
        tui_draw(t);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal(gpointer data)
{
    CliTui *t = data;

    /* cmd-call.c's own handler hangs up; this one says so (and, being
     * installed before curses, keeps curses from handling it) */
    tui_add_line(t, TUI_LINE_ALERT, t->cli->ended ? "leaving" : "hanging up");
    if (t->holding != NULL)
        g_main_loop_quit(t->holding);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_sighup(gpointer data)
{
    CliTui *t = data;

    if (t->holding != NULL)
        g_main_loop_quit(t->holding);
    else if (!t->cli->ended)
        sc_call_hangup(t->cli->call);
    else
        g_main_loop_quit(t->cli->loop);
    return G_SOURCE_CONTINUE;
}

CliTui *
cli_tui_start(Cli *cli, const char *title, GError **error)
{
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                                SIGQUIT};
    static gboolean atexit_done;
    CliTui *t;
    SCREEN *scr;
    struct sigaction sa;

    if (the_tui != NULL) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_BUSY,
                            "the view is already on");
        return NULL;
    }
    saved_tios_ok = tcgetattr(STDIN_FILENO, &saved_tios) == 0;
    setlocale(LC_CTYPE, "");
    t = g_new0(CliTui, 1);
    t->cli = cli;
    t->title = g_strdup(title);
    memset(t->flow, -1, sizeof t->flow);
    g_queue_init(&t->scrollback);
    t->history = g_ptr_array_new_with_free_func(g_free);
    /* before curses: it installs handlers of its own for the signals that
     * have none (SIGINT would end the process without a hangup) */
    t->winch_id = g_unix_signal_add(SIGWINCH, on_winch, t);
    t->hup_id = g_unix_signal_add(SIGHUP, on_sighup, t);
    t->int_id = g_unix_signal_add_full(G_PRIORITY_HIGH, SIGINT,
                                       on_stop_signal, t, NULL);
    t->term_id = g_unix_signal_add_full(G_PRIORITY_HIGH, SIGTERM,
                                        on_stop_signal, t, NULL);
    scr = newterm(NULL, stdout, stdin);
    if (scr == NULL) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                            "this terminal (TERM) cannot show the view");
        g_source_remove(t->winch_id);
        g_source_remove(t->hup_id);
        g_source_remove(t->int_id);
        g_source_remove(t->term_id);
        g_ptr_array_unref(t->history);
        g_free(t->title);
        g_free(t);
        return NULL;
    }
    set_term(scr);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    tui_colors_init();
    restore_len = 0;
    append_cap("rmcup");
    append_cap("sgr0");
    append_cap("cnorm");
    append_cap("rmkx");
    screen_on = 1;
    t->active = TRUE;
    the_tui = t;
    if (!atexit_done) {
        atexit(on_exit_restore);
        atexit_done = TRUE;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (gsize i = 0; i < G_N_ELEMENTS(fatal); i++)
        sigaction(fatal[i], &sa, NULL);
    capture_stderr(t);
    t->input_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   on_input, t);
    t->tick_id = g_timeout_add_seconds(1, on_tick, t);
    tui_refresh_report(t);
    tui_draw(t);
    return t;
}

static gboolean
failed(CliTui *t)
{
    const char *reason = tui_str(t->ended, "reason");

    return reason != NULL && strcmp(reason, "hangup") != 0 &&
           strcmp(reason, "bye") != 0;
}

/* A call that failed (a fingerprint mismatch, a rejected identity) leaves
 * its screen up, with the reason on top, until a key is pressed (or
 * Ctrl-C, SIGTERM, SIGHUP, the terminal gone): the user sees what failed
 * instead of a screen that vanishes. */
static void
hold(CliTui *t)
{
    t->holding = g_main_loop_new(NULL, FALSE);
    tui_draw(t);
    g_main_loop_run(t->holding);
    g_clear_pointer(&t->holding, g_main_loop_unref);
}

void
cli_tui_stop(CliTui *t)
{
    g_autofree char *rest = NULL;
    const char *reason = tui_str(t->ended, "reason");

    if (t->active && failed(t) && t->input_watch != 0)
        hold(t);

    g_clear_handle_id(&t->input_watch, g_source_remove);
    g_clear_handle_id(&t->winch_id, g_source_remove);
    g_clear_handle_id(&t->hup_id, g_source_remove);
    g_clear_handle_id(&t->int_id, g_source_remove);
    g_clear_handle_id(&t->term_id, g_source_remove);
    g_clear_handle_id(&t->tick_id, g_source_remove);
    g_clear_handle_id(&t->redraw_id, g_source_remove);
    if (t->active) {
        endwin();
        screen_on = 0;
        t->active = FALSE;
        if (saved_tios_ok)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
    }
    rest = release_stderr(t);
    /* what the view showed last is gone with it: how the call ended, and
     * what was written to stderr that the view had no time to show */
    if (rest != NULL && *rest != '\0') {
        g_autofree char *safe = cli_sanitize(rest, -1, 64 * 1024, TRUE);
        fprintf(stderr, "%s\n", safe);
    }
    if (reason != NULL) {
        g_autoptr(GString) s = g_string_new("sealcall: call ended: ");
        g_autofree char *safe = NULL;
        g_string_append(s, reason);
        if (tui_str(t->ended, "detail") != NULL)
            g_string_append_printf(s, " (%s)", tui_str(t->ended, "detail"));
        if (tui_str(t->ended, "peer_reason") != NULL)
            g_string_append_printf(s, ", the peer says %s",
                                   tui_str(t->ended, "peer_reason"));
        safe = cli_sanitize(s->str, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
        printf("%s\n", safe);
        fflush(stdout);
    }
    the_tui = NULL;
    g_queue_clear_full(&t->scrollback, (GDestroyNotify)line_free);
    g_ptr_array_unref(t->history);
    g_free(t->draft);
    g_clear_pointer(&t->ice, json_object_unref);
    g_clear_pointer(&t->dtls, json_object_unref);
    g_clear_pointer(&t->identity, json_object_unref);
    g_clear_pointer(&t->ended, json_object_unref);
    g_clear_pointer(&t->incoming, json_object_unref);
    g_clear_pointer(&t->report, json_object_unref);
    g_clear_pointer(&t->prev_report, json_object_unref);
    g_free(t->title);
    g_free(t);
}

/* ---- events ---- */

static void
keep(JsonObject **slot, JsonObject *o)
{
    g_clear_pointer(slot, json_object_unref);
    *slot = json_object_ref(o);
}

static const char *
or_q(const char *s)
{
    return s != NULL ? s : "?";
}

static void
event_line(CliTui *t, ScCallEventKind kind, JsonObject *o)
{
    const char *state = tui_str(o, "state");
    g_autofree char *line = NULL;

    switch (kind) {
    case SC_CALL_EVENT_SIGNALING:
        line = g_strdup_printf("signaling %s", or_q(state));
        break;
    case SC_CALL_EVENT_ICE:
        line = tui_str(o, "local_type") != NULL
                   ? g_strdup_printf("ICE %s (%s -> %s)", or_q(state),
                                     tui_str(o, "local_type"),
                                     or_q(tui_str(o, "remote_type")))
                   : g_strdup_printf("ICE %s", or_q(state));
        break;
    case SC_CALL_EVENT_DTLS:
        line = g_strcmp0(state, "connected") == 0
                   ? g_strdup_printf("DTLS connected: %s %s, SRTP %s",
                                     or_q(tui_str(o, "version")),
                                     or_q(tui_str(o, "cipher")),
                                     or_q(tui_str(o, "srtp_profile")))
                   : g_strdup_printf("DTLS %s: %s", or_q(state),
                                     or_q(tui_str(o, "detail")));
        break;
    case SC_CALL_EVENT_IDENTITY:
        if (g_strcmp0(tui_str(o, "side"), "local") == 0) {
            line = g_strdup_printf("our identity: IdP %s failed: %s (%s)",
                                   or_q(tui_str(o, "idp")),
                                   or_q(tui_str(o, "error")),
                                   or_q(tui_str(o, "detail")));
            if (tui_str(o, "login_url") != NULL) {
                tui_add_line(t, TUI_LINE_ALERT, line);
                g_free(line);
                line = g_strdup_printf("the IdP asks you to log in: open %s",
                                       tui_str(o, "login_url"));
            }
        } else {
            line = g_strdup_printf(
                "peer identity %s %s%s%s", or_q(tui_str(o, "status")),
                tui_str(o, "identity") != NULL ? tui_str(o, "identity") : "",
                tui_str(o, "detail") != NULL ? ": " : "",
                tui_str(o, "detail") != NULL ? tui_str(o, "detail") : "");
        }
        break;
    case SC_CALL_EVENT_CHANNEL:
        line = g_strdup_printf("channel '%s' %s", or_q(tui_str(o, "label")),
                               or_q(state));
        break;
    case SC_CALL_EVENT_MEDIA:
        line = g_strdup_printf("%s %s %s", or_q(tui_str(o, "kind")),
                               or_q(tui_str(o, "direction")), or_q(state));
        break;
    case SC_CALL_EVENT_BENCH: {
        JsonNode *n = json_node_init_object(json_node_alloc(), o);
        g_autofree char *b = json_to_string(n, FALSE);
        json_node_unref(n);
        line = g_strdup_printf("bench %s", b);
        break;
    }
    case SC_CALL_EVENT_ENDED:
        line = g_strdup_printf("call ended: %s (%s)", or_q(tui_str(o, "reason")),
                               or_q(tui_str(o, "detail")));
        tui_add_line(t, TUI_LINE_ALERT, line);
        return;
    case SC_CALL_EVENT_ERROR:
        line = g_strdup_printf("error: %s", or_q(tui_str(o, "detail")));
        tui_add_line(t, TUI_LINE_ALERT, line);
        return;
    case SC_CALL_EVENT_INCOMING:
        line = g_strdup("incoming call: accept (y) or decline (n)");
        break;
    default:
        return;
    }
    tui_add_line(t, TUI_LINE_INFO, line);
}

void
cli_tui_event(CliTui *t, const ScCallEvent *ev)
{
    ScCallEventKind kind = sc_call_event_get_kind(ev);
    g_autofree char *json = NULL;
    JsonObject *o;

    if (kind == SC_CALL_EVENT_MESSAGE) {
        /* no report refresh per message: a peer's burst stays cheap */
        const char *label = sc_call_event_get_string(ev, "label");
        const char *text = sc_call_event_get_string(ev, "text");
        g_autofree char *l =
            cli_sanitize(label != NULL ? label : "?", -1, CLI_SHOW_FIELD_MAX,
                         FALSE);
        /* cut by tui_add_line(), which says how much was left out */
        g_autofree char *line =
            text != NULL ? g_strdup_printf("<%s> %s", l, text)
                         : g_strdup_printf("<%s> [binary message]", l);
        tui_add_line(t, TUI_LINE_PEER, line);
        return;
    }
    json = sc_call_event_to_json(ev);
    o = parse_object(json);
    if (o == NULL)
        return;
    switch (kind) {
    case SC_CALL_EVENT_ICE:
        keep(&t->ice, o);
        break;
    case SC_CALL_EVENT_DTLS:
        keep(&t->dtls, o);
        if (g_strcmp0(tui_str(o, "state"), "connected") == 0 &&
            t->connected_at == 0)
            t->connected_at = g_get_monotonic_time();
        break;
    case SC_CALL_EVENT_IDENTITY:
        if (g_strcmp0(tui_str(o, "side"), "local") != 0)
            keep(&t->identity, o);
        break;
    case SC_CALL_EVENT_ENDED:
        keep(&t->ended, o);
        g_clear_pointer(&t->incoming, json_object_unref);
        break;
    case SC_CALL_EVENT_INCOMING:
        keep(&t->incoming, o);
        t->incoming_at = g_get_monotonic_time();
        break;
    case SC_CALL_EVENT_MEDIA: {
        int k = g_strcmp0(tui_str(o, "kind"), "video") == 0;
        int d = g_strcmp0(tui_str(o, "direction"), "recv") == 0;
        t->flow[k][d] = g_strcmp0(tui_str(o, "state"), "flowing") == 0;
        break;
    }
    default:
        break;
    }
    event_line(t, kind, o);
    if (kind == SC_CALL_EVENT_SIGNALING && t->cli->idp != NULL &&
        g_strcmp0(tui_str(o, "state"), "connected") == 0) {
        g_autofree char *line =
            g_strdup_printf("our identity asserted by %s", t->cli->idp);
        tui_add_line(t, TUI_LINE_INFO, line);
    }
    json_object_unref(o);
    if (kind != SC_CALL_EVENT_ENDED)
        tui_refresh_report(t);
    tui_schedule_redraw(t);
}

void
cli_tui_error(CliTui *t, const char *detail)
{
    tui_add_line(t, TUI_LINE_ALERT, detail);
}

void
cli_tui_inspector(CliTui *t)
{
    t->panel = TRUE;
    t->panel_scroll = 0;
    tui_refresh_report(t);
    tui_schedule_redraw(t);
}
