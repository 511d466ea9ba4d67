/* ui-cli/tui.h - the full-screen view of `sealcall call|answer` (issue 15):
 * its state, shared by tui.c (life cycle, terminal, events), tui-draw.c
 * (what the screen shows) and tui-input.c (keys and the input line).
 * Everything drawn goes through cli_sanitize() in tui-draw.c's one
 * writer: most of it comes from the peer, its relay or its IdP.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_TUI_H
#define SC_TUI_H

#include "call-cli.h"

#include <curses.h>
#include <json-glib/json-glib.h>
#include <wchar.h>

/* the chat pane keeps at most this many lines and bytes (oldest go) */
#define TUI_SCROLLBACK_LINES 1000
#define TUI_SCROLLBACK_BYTES (1024 * 1024)
/* the input line: characters, and lines of history */
#define TUI_INPUT_MAX 4096
#define TUI_HISTORY_MAX 100

typedef enum {
    TUI_LINE_INFO,  /* progress, our own stderr */
    TUI_LINE_PEER,  /* a message from the peer */
    TUI_LINE_ME,    /* what we sent */
    TUI_LINE_ALERT, /* an error, the end of the call */
} TuiLineKind;

typedef struct {
    TuiLineKind kind;
    char *text; /* sanitized */
} TuiLine;

enum { TUI_AUDIO = 0, TUI_VIDEO = 1 };
enum { TUI_SEND = 0, TUI_RECV = 1 };

struct CliTui {
    Cli *cli;
    char *title;
    gboolean active;        /* curses is on the screen */
    GMainLoop *holding;     /* a failed call's screen waits for a key */
    /* our stderr, shown in the chat pane (tui.c) */
    int saved_stderr;
    int err_read;
    guint err_watch;
    GString *err_partial;
    guint input_watch, winch_id, hup_id, int_id, term_id, tick_id, redraw_id;
    /* the last event of each kind that the status area shows, as parsed
     * JSON objects (NULL: none yet) */
    JsonObject *ice, *dtls, *identity, *ended, *incoming;
    gint64 incoming_at;     /* monotonic µs */
    gint64 connected_at;
    /* the inspector report, refreshed each second, and the one before
     * (rates are their difference) */
    JsonObject *report, *prev_report;
    gint64 report_at, prev_report_at;
    /* media events: -1 none yet, 0 stopped, 1 flowing */
    int flow[2][2];
    gboolean stopped[2];    /* the user stopped the microphone / camera */
    gboolean panel;         /* the security panel is shown */
    int panel_scroll, chat_scroll;
    GQueue scrollback;      /* TuiLine *, oldest first */
    gsize scrollback_bytes;
    /* the input line (tui-input.c) */
    gunichar input[TUI_INPUT_MAX + 1];
    gsize input_len, cursor;
    GPtrArray *history;     /* char * (UTF-8), oldest first */
    guint history_pos;      /* == history->len: the line being edited */
    char *draft;            /* that line while history is browsed */
};

/* tui.c */
void tui_add_line(CliTui *t, TuiLineKind kind, const char *text);
void tui_schedule_redraw(CliTui *t);
void tui_refresh_report(CliTui *t);
/* the string member @name of @o, NULL when absent or not a string */
const char *tui_str(JsonObject *o, const char *name);
/* member @path ("a.b.c") of @o: an object, or NULL */
JsonObject *tui_obj(JsonObject *o, const char *path);
/* whether the media kind is in the call (from the report) */
gboolean tui_has_media(CliTui *t, int kind);
/* the report's media entry of @kind ("audio"/"video") and @dir
 * ("send"/"recv"; NULL: either), or NULL */
JsonObject *tui_media_entry(CliTui *t, const char *kind, const char *dir);
/* whether sending of the media kind is stopped (the microphone/camera
 * keys, /mute) */
gboolean tui_media_stopped(CliTui *t, int kind);

/* tui-draw.c */
enum { PAIR_OK = 1, PAIR_ALERT, PAIR_WARN, PAIR_DIM };

/* a verified peer: bold and green; not verified: reverse and yellow;
 * alerts: reverse, bold and red. The words differ too (never colour
 * alone), and so do the attributes without colours. */
#define ATTR_VERIFIED (A_BOLD | tui_pair(PAIR_OK))
#define ATTR_UNVERIFIED (A_REVERSE | A_BOLD | tui_pair(PAIR_WARN))
#define ATTR_ALERT (A_REVERSE | A_BOLD | tui_pair(PAIR_ALERT))
#define ATTR_LABEL (A_BOLD)
attr_t tui_pair(int p);
void tui_draw(CliTui *t);
void tui_colors_init(void);
/* The one writer: @text at (@y, @x), at most @width columns, sanitized;
 * characters that are not printable or have no width show as '?'. With
 * @fill, the rest of the width is spaces (in @attr). Returns the columns
 * used. */
int tui_put(int y, int x, int width, attr_t attr, gboolean fill,
            const char *text);
gboolean tui_bool(JsonObject *o, const char *name, gboolean def);
JsonArray *tui_array(JsonObject *o, const char *name);
/* how many bytes of @s fit in @width columns */
gsize tui_fit(const char *s, int width);

/* tui-panel.c */
void tui_draw_panel(CliTui *t, int top, int bottom);
void tui_draw_incoming(CliTui *t, int top, int bottom);

/* tui-input.c */
/* a key (or character) read by wget_wch: @is_key for KEY_* codes */
void tui_input_key(CliTui *t, gboolean is_key, wint_t ch);
void tui_input_clear(CliTui *t);

#endif
