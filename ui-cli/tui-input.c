/* ui-cli/tui-input.c - the keys of the full-screen view and its input
 * line: a small line editor (insert, backspace, delete, left/right,
 * home/end, Ctrl-U) with a bounded history (up/down). Enter hands the line
 * to cli_handle_line(), as line mode does: chat or a /command.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tui.h"

#include <curses.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define CTRL(c) ((c) & 0x1f)

static void
set_input(CliTui *t, const char *utf8)
{
    glong n = 0;
    g_autofree gunichar *u =
        utf8 != NULL ? g_utf8_to_ucs4(utf8, -1, NULL, &n, NULL) : NULL;

    t->input_len = u != NULL ? MIN((gsize)n, (gsize)TUI_INPUT_MAX) : 0;
    if (u != NULL)
        memcpy(t->input, u, t->input_len * sizeof *u);
    t->cursor = t->input_len;
}

void
tui_input_clear(CliTui *t)
{
    t->input_len = 0;
    t->cursor = 0;
    t->history_pos = t->history->len;
    g_clear_pointer(&t->draft, g_free);
}

static char *
input_text(CliTui *t)
{
    char *s = g_ucs4_to_utf8(t->input, (glong)t->input_len, NULL, NULL, NULL);

    return s != NULL ? s : g_strdup("");
}

/* Only what is shown as itself is typed in: no control, layout or
 * zero-width character (the peer would see it raw). */
static gboolean
typeable(gunichar c)
{
    char buf[8];
    int n = g_unichar_to_utf8(c, buf);
    g_autofree char *safe = cli_sanitize(buf, n, sizeof buf, FALSE);

    return c >= 0x20 && wcwidth((wchar_t)c) > 0 && strlen(safe) == (gsize)n &&
           memcmp(safe, buf, (gsize)n) == 0;
}

static void
insert(CliTui *t, gunichar c)
{
    if (t->input_len >= TUI_INPUT_MAX || !typeable(c))
        return;
    memmove(t->input + t->cursor + 1, t->input + t->cursor,
            (t->input_len - t->cursor) * sizeof *t->input);
    t->input[t->cursor++] = c;
    t->input_len++;
}

static void
delete_at(CliTui *t, gsize at)
{
    if (at >= t->input_len)
        return;
    memmove(t->input + at, t->input + at + 1,
            (t->input_len - at - 1) * sizeof *t->input);
    t->input_len--;
    if (t->cursor > at)
        t->cursor--;
}

static void
history_move(CliTui *t, int dir)
{
    guint len = t->history->len;

    if (dir < 0 && t->history_pos > 0) {
        if (t->history_pos == len) {
            g_free(t->draft);
            t->draft = input_text(t);
        }
        t->history_pos--;
        set_input(t, t->history->pdata[t->history_pos]);
    } else if (dir > 0 && t->history_pos < len) {
        t->history_pos++;
        set_input(t, t->history_pos == len ? t->draft
                                           : t->history->pdata[t->history_pos]);
    }
}

static void
submit(CliTui *t)
{
    g_autofree char *line = input_text(t);

    if (*line != '\0' &&
        (t->history->len == 0 ||
         strcmp(t->history->pdata[t->history->len - 1], line) != 0)) {
        g_ptr_array_add(t->history, g_strdup(line));
        if (t->history->len > TUI_HISTORY_MAX)
            g_ptr_array_remove_index(t->history, 0);
    }
    tui_input_clear(t);
    if (*line == '\0')
        return;
    tui_add_line(t, line[0] != '/' ? TUI_LINE_ME : TUI_LINE_INFO, line);
    cli_handle_line(t->cli, line);
}

static void
toggle_media(CliTui *t, int kind)
{
    const char *name = kind == TUI_AUDIO ? "microphone" : "camera";
    g_autofree char *text = NULL;

    if (!tui_has_media(t, kind)) {
        text = g_strdup_printf("no %s in this call", name);
        tui_add_line(t, TUI_LINE_INFO, text);
        return;
    }
    {
        g_autoptr(GError) error = NULL;
        gboolean on = tui_media_stopped(t, kind);

        if (!sc_call_set_media_sending(t->cli->call,
                                       kind == TUI_AUDIO ? SC_MEDIA_TYPE_AUDIO
                                                         : SC_MEDIA_TYPE_VIDEO,
                                       on, &error)) {
            tui_add_line(t, TUI_LINE_ALERT, error->message);
            return;
        }
        t->stopped[kind] = !on;
        tui_refresh_report(t);
        text = g_strdup_printf(on ? "%s on: sending again"
                                  : "%s stopped: nothing of it is sent",
                               name);
        tui_add_line(t, TUI_LINE_INFO, text);
    }
}

static void
decide(CliTui *t, gboolean accept)
{
    g_autoptr(GError) error = NULL;
    Cli *cli = t->cli;

    cli->deciding = FALSE;
    g_clear_pointer(&t->incoming, json_object_unref);
    if (!(accept ? sc_call_accept(cli->call, &error)
                 : sc_call_decline(cli->call, &error)))
        tui_add_line(t, TUI_LINE_ALERT, error->message);
    else
        tui_add_line(t, TUI_LINE_INFO,
                     accept ? "accepted: connecting" : "declined");
}

static void
scroll_by(CliTui *t, int dir)
{
    int page = MAX(LINES / 2, 1);

    if (t->panel)
        t->panel_scroll = MAX(0, t->panel_scroll + dir * page);
    else
        t->chat_scroll = MAX(0, t->chat_scroll - dir * page);
}

void
tui_input_key(CliTui *t, gboolean is_key, wint_t ch)
{
    tui_schedule_redraw(t);
    if (t->incoming != NULL && t->cli->deciding) {
        /* before the user decides, only the decision */
        if (!is_key && (ch == 'y' || ch == 'Y'))
            decide(t, TRUE);
        else if (!is_key && (ch == 'n' || ch == 'N'))
            decide(t, FALSE);
        return;
    }
    if (is_key) {
        switch (ch) {
        case KEY_F(2):
            toggle_media(t, TUI_AUDIO);
            break;
        case KEY_F(3):
            toggle_media(t, TUI_VIDEO);
            break;
        case KEY_F(4):
            t->panel = !t->panel;
            if (t->panel)
                tui_refresh_report(t);
            break;
        case KEY_PPAGE:
            scroll_by(t, -1);
            break;
        case KEY_NPAGE:
            scroll_by(t, 1);
            break;
        case KEY_LEFT:
            if (t->cursor > 0)
                t->cursor--;
            break;
        case KEY_RIGHT:
            if (t->cursor < t->input_len)
                t->cursor++;
            break;
        case KEY_HOME:
            t->cursor = 0;
            break;
        case KEY_END:
            t->cursor = t->input_len;
            break;
        case KEY_BACKSPACE:
            if (t->cursor > 0)
                delete_at(t, t->cursor - 1);
            break;
        case KEY_DC:
            delete_at(t, t->cursor);
            break;
        case KEY_UP:
            history_move(t, -1);
            break;
        case KEY_DOWN:
            history_move(t, 1);
            break;
        case KEY_ENTER:
            submit(t);
            break;
        default:
            break;
        }
        return;
    }
    switch (ch) {
    case CTRL('A'):
        toggle_media(t, TUI_AUDIO);
        break;
    case CTRL('V'):
        toggle_media(t, TUI_VIDEO);
        break;
    case '\t':
        t->panel = !t->panel;
        if (t->panel)
            tui_refresh_report(t);
        break;
    case '\r':
    case '\n':
        submit(t);
        break;
    case 0x7f:
    case CTRL('H'):
        if (t->cursor > 0)
            delete_at(t, t->cursor - 1);
        break;
    case CTRL('U'):
        tui_input_clear(t);
        break;
    case CTRL('L'):
        clearok(curscr, TRUE);
        break;
    default:
        if (ch >= 0x20 && ch != 0x7f)
            insert(t, (gunichar)ch);
        break;
    }
}
