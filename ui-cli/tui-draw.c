/* ui-cli/tui-draw.c - what the full-screen view shows (issue 15, seed 001
 * §5.2 and §5.5): the status area, always on top (who the peer is and how
 * that was verified, how the keys were made, what is encrypted each way,
 * the privacy profile, microphone and camera, and alerts no one can
 * miss), then the security panel or the chat pane, the input line and the
 * keys. Every string reaches the terminal through tui_put(), which sanitizes
 * it and draws only printable characters of known width: nothing a peer
 * sends can move the cursor, change colours or draw a line of its own.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tui.h"

#include <curses.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

attr_t
tui_pair(int p)
{
    return has_colors() ? COLOR_PAIR(p) : 0;
}

void
tui_colors_init(void)
{
    if (!has_colors())
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_OK, COLOR_GREEN, -1);
    init_pair(PAIR_ALERT, COLOR_RED, -1);
    init_pair(PAIR_WARN, COLOR_YELLOW, -1);
    init_pair(PAIR_DIM, COLOR_CYAN, -1);
}

/* The one writer: @text at (@y, @x), at most @width columns, sanitized;
 * characters that are not printable or have no width show as '?'. With
 * @fill, the rest of the width is spaces (in @attr). Returns the columns
 * used. */
int
tui_put(int y, int x, int width, attr_t attr, gboolean fill, const char *text)
{
    g_autofree char *safe =
        cli_sanitize(text != NULL ? text : "", -1, 16384, FALSE);
    gboolean utf8 = MB_CUR_MAX > 1;
    int used = 0;

    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + width > COLS)
        width = COLS - x;
    attron(attr);
    move(y, x);
    for (const char *p = safe; *p != '\0' && used < width;
         p = g_utf8_next_char(p)) {
        wchar_t wc = (wchar_t)g_utf8_get_char(p);
        int w;

        if (!utf8 && wc >= 0x80)
            wc = L'?';
        w = wcwidth(wc);
        if (w <= 0 || !iswprint((wint_t)wc) || wc < 0x20) {
            wc = L'?';
            w = 1;
        }
        if (used + w > width)
            break;
        addnwstr(&wc, 1);
        used += w;
    }
    if (fill)
        for (; used < width; used++)
            addch(' ');
    attroff(attr);
    return used;
}

/* tui_put() after a label of the status area; returns the next column */
static int
field(int y, int x, const char *label, attr_t attr, const char *text)
{
    if (label != NULL)
        x += tui_put(y, x, 9, ATTR_LABEL, TRUE, label);
    return x + tui_put(y, x, COLS - x, attr, FALSE, text);
}

gboolean
tui_bool(JsonObject *o, const char *name, gboolean def)
{
    JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_BOOLEAN)
        return def;
    return json_node_get_boolean(n);
}

JsonArray *
tui_array(JsonObject *o, const char *name)
{
    JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

    return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n)
                                                 : NULL;
}

static gboolean
dtls_up(CliTui *t)
{
    return g_strcmp0(tui_str(t->dtls, "state"), "connected") == 0 &&
           t->ended == NULL;
}

static const char *
phase(CliTui *t)
{
    const char *ice = tui_str(t->ice, "state");

    if (t->ended != NULL)
        return g_strcmp0(tui_str(t->ended, "reason"), "hangup") == 0 ||
                       g_strcmp0(tui_str(t->ended, "reason"), "bye") == 0
                   ? "CALL ENDED"
                   : "CALL FAILED";
    if (t->incoming != NULL)
        return "INCOMING CALL";
    if (dtls_up(t))
        return "CONNECTED";
    if (g_strcmp0(ice, "connected") == 0)
        return "securing (DTLS handshake)";
    if (ice != NULL)
        return "connecting (ICE)";
    return "waiting for the peer";
}

/* Alerts: one full-width line each, at the top. */
static int
draw_alerts(CliTui *t, int y)
{
    JsonObject *tr = tui_obj(t->report, "transport");
    JsonArray *media = tui_array(t->report, "media");
    JsonArray *chans = tui_array(t->report, "channels");
    const char *reason = tui_str(t->ended, "reason");
    g_autofree char *line = NULL;

    if (tui_bool(tr, "null_cipher", FALSE)) {
        line = g_strdup_printf("!! NULL CIPHER: nothing of this call is "
                               "encrypted (%s) !!",
                               tui_str(tr, "cipher"));
        tui_put(y++, 0, COLS, ATTR_ALERT, TRUE, line);
        g_clear_pointer(&line, g_free);
    }
    for (guint i = 0; media != NULL && i < json_array_get_length(media);
         i++) {
        JsonNode *n = json_array_get_element(media, i);
        JsonObject *m = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n)
                                                  : NULL;
        if (m != NULL && dtls_up(t) && !tui_bool(m, "encrypted", TRUE)) {
            line = g_strdup_printf("!! UNENCRYPTED: %s %s is not "
                                   "encrypted !!",
                                   tui_str(m, "kind"),
                                   tui_str(m, "direction"));
            tui_put(y++, 0, COLS, ATTR_ALERT, TRUE, line);
            g_clear_pointer(&line, g_free);
        }
    }
    for (guint i = 0; chans != NULL && i < json_array_get_length(chans);
         i++) {
        JsonNode *n = json_array_get_element(chans, i);
        if (JSON_NODE_HOLDS_OBJECT(n) &&
            !tui_bool(json_node_get_object(n), "encrypted", TRUE)) {
            tui_put(y++, 0, COLS, ATTR_ALERT, TRUE,
                "!! UNENCRYPTED: a data channel is not encrypted !!");
            break;
        }
    }
    if (dtls_up(t) && tr != NULL &&
        !tui_bool(tr, "remote_fingerprint_verified", FALSE))
        tui_put(y++, 0, COLS, ATTR_ALERT, TRUE,
            "!! UNAUTHENTICATED: the peer's certificate does not match a "
            "signalled fingerprint !!");
    if (g_strcmp0(tui_str(tr, "keying"), "out-of-band") == 0)
        tui_put(y++, 0, COLS, ATTR_ALERT, TRUE,
            "!! KEYS FROM A SERVER (out of band): whoever delivered them "
            "can listen !!");
    if (reason != NULL && g_strcmp0(reason, "hangup") != 0 &&
        g_strcmp0(reason, "bye") != 0) {
        const char *detail = tui_str(t->ended, "detail");
        g_autofree char *up = g_ascii_strup(reason, -1);
        line = g_strconcat("!! CALL FAILED: ", up, detail ? ": " : "",
                           detail ? detail : "", " !!", NULL);
        tui_put(y++, 0, COLS, ATTR_ALERT, TRUE, line);
        g_clear_pointer(&line, g_free);
    }
    if (g_strcmp0(tui_str(t->identity, "status"), "failed") == 0) {
        line = g_strdup_printf("!! PEER IDENTITY REJECTED: %s (%s) !!",
                               tui_str(t->identity, "error"),
                               tui_str(t->identity, "detail"));
        tui_put(y++, 0, COLS, ATTR_ALERT, TRUE, line);
    }
    return y;
}

static void
draw_peer(CliTui *t, int y)
{
    JsonObject *peer = tui_obj(t->report, "peer");
    JsonObject *tr = tui_obj(t->report, "transport");
    const char *by = tui_str(peer, "verified_by");
    const char *who = tui_str(peer, "identity");
    const char *status = tui_str(t->identity, "status");
    g_autofree char *how = NULL;
    int x;

    if (who != NULL && (g_strcmp0(by, "idp") == 0 ||
                        g_strcmp0(by, "x509") == 0)) {
        if (g_strcmp0(by, "idp") == 0)
            how = g_strdup_printf(
                "(by IdP %s, %s%s)", tui_str(peer, "idp"),
                tui_bool(peer, "authoritative", FALSE)
                    ? "authoritative"
                    : "third party you trust (--trust-idp)",
                tui_bool(peer, "pseudonym", FALSE) ? ", a pseudonym" : "");
        else
            how = g_strdup_printf("(by X.509 certificate, subject %s)",
                                  tui_str(peer, "subject") != NULL
                                      ? tui_str(peer, "subject")
                                      : who);
        x = field(y, 0, "Peer", ATTR_VERIFIED, "[VERIFIED] ");
        x += tui_put(y, x, COLS - x, ATTR_VERIFIED, FALSE, who);
        tui_put(y, x + 1, COLS - x - 1, ATTR_VERIFIED, FALSE, how);
        return;
    }
    x = field(y, 0, "Peer", ATTR_UNVERIFIED, "[NOT VERIFIED]");
    how = g_strdup_printf(
        " %s%s%s",
        g_strcmp0(status, "failed") == 0 ? "its identity was rejected"
        : g_strcmp0(status, "none") == 0 ? "no identity asserted"
                                          : "no identity known yet",
        tui_str(tr, "sas") != NULL ? "; compare the SAS aloud: " : "",
        tui_str(tr, "sas") != NULL ? tui_str(tr, "sas") : "");
    tui_put(y, x, COLS - x, A_NORMAL, FALSE, how);
}

static void
draw_keys(CliTui *t, int y)
{
    JsonObject *tr = tui_obj(t->report, "transport");
    const char *keying = tui_str(tr, "keying");
    g_autofree char *text = NULL;

    if (!dtls_up(t) || keying == NULL)
        text = g_strdup(t->ended != NULL ? "none (the call is over)"
                                         : "not negotiated yet");
    else if (g_strcmp0(keying, "pairwise-dtls-srtp") == 0)
        text = g_strdup_printf("pairwise, negotiated with the peer "
                               "(DTLS-SRTP, %s, forward secrecy %s)",
                               tui_str(tr, "dtls_version"),
                               tui_bool(tr, "pfs", FALSE) ? "yes" : "NO");
    else
        text = g_strdup_printf("OUT OF BAND: delivered by a server (%s)",
                               keying);
    field(y, 0, "Keys", dtls_up(t) ? A_NORMAL : A_DIM, text);
}

/* "audio: encrypted" and the like, one cell of the streams rows */
static int
cell(CliTui *t, int y, int x, const char *kind, const char *dir)
{
    g_autofree char *text = NULL;
    attr_t attr = A_NORMAL;
    JsonObject *m = NULL;

    if (strcmp(kind, "data") == 0) {
        JsonArray *c = tui_array(t->report, "channels");
        gboolean all = TRUE;
        guint n = c != NULL ? json_array_get_length(c) : 0;
        for (guint i = 0; i < n; i++) {
            JsonNode *e = json_array_get_element(c, i);
            all = all && JSON_NODE_HOLDS_OBJECT(e) &&
                  tui_bool(json_node_get_object(e), "encrypted", FALSE);
        }
        if (n == 0)
            text = g_strdup("data: no channel");
        else if (all)
            text = g_strdup("data: encrypted");
        else
            text = g_strdup("data: NOT ENCRYPTED"), attr = ATTR_ALERT;
    } else if ((m = tui_media_entry(t, kind, dir)) == NULL &&
               (dtls_up(t) || !tui_has_media(t, strcmp(kind, "video") == 0))) {
        text = g_strdup_printf("%s: none", kind);
        attr = A_DIM;
    } else if (m == NULL || !dtls_up(t)) {
        text = g_strdup_printf("%s: not yet", kind);
        attr = A_DIM;
    } else if (tui_bool(m, "encrypted", FALSE)) {
        text = g_strdup_printf("%s: encrypted", kind);
        attr = A_BOLD;
    } else {
        text = g_strdup_printf("%s: NOT ENCRYPTED", kind);
        attr = ATTR_ALERT;
    }
    tui_put(y, x, 22, attr, FALSE, text);
    return x + 22;
}

static void
draw_streams(CliTui *t, int y)
{
    static const char *const kinds[] = {"audio", "video", "data"};

    for (int d = 0; d < 2; d++) {
        int x = tui_put(y + d, 0, 9, ATTR_LABEL, TRUE, d == 0 ? "Sent" : "Received");
        for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++)
            x = cell(t, y + d, x, kinds[k], d == 0 ? "send" : "recv");
    }
}

static void
draw_privacy(CliTui *t, int y)
{
    JsonObject *ice = tui_obj(t->report, "ice");
    JsonObject *prof = tui_obj(t->report, "privacy.profile");
    JsonObject *tr = tui_obj(t->report, "transport");
    gboolean relay = g_strcmp0(tui_str(ice, "policy"), "relay-only") == 0;
    const char *scope = tui_str(tr, "key_scope");
    g_autofree char *text = g_strdup_printf(
        "%s; keys %s%s%s", relay ? "relay-only (your addresses hidden from "
                                   "the peer)"
                                 : "direct candidates allowed (the peer may "
                                   "see your addresses)",
        scope != NULL ? scope
                      : (tui_str(prof, "key_scope") != NULL
                             ? tui_str(prof, "key_scope")
                             : "?"),
        g_strcmp0(tui_str(ice, "defer_ice"), "off") != 0 &&
                tui_str(ice, "defer_ice") != NULL
            ? "; ICE deferred until you accept"
            : "",
        tui_bool(ice, "mdns", FALSE) ? "; mDNS host names" : "");

    field(y, 0, "Privacy", A_NORMAL, text);
}

static void
draw_devices(CliTui *t, int y)
{
    static const char *const names[] = {"microphone", "camera"};
    static const char *const keys[] = {"F2", "F3"};
    int x = tui_put(y, 0, 9, ATTR_LABEL, TRUE, "Devices");

    for (int k = 0; k < 2; k++) {
        g_autofree char *text = NULL;
        attr_t attr = A_NORMAL;

        if (!tui_has_media(t, k)) {
            text = g_strdup_printf("%s: not in this call", names[k]);
            attr = A_DIM;
        } else if (tui_media_stopped(t, k)) {
            text = g_strdup_printf("%s: STOPPED [%s starts]", names[k],
                                   keys[k]);
        } else if (t->flow[k][TUI_SEND] == 1 && t->ended == NULL) {
            text = g_strdup_printf("%s: IN USE, sending [%s stops]", names[k],
                                   keys[k]);
            attr = A_BOLD | tui_pair(PAIR_WARN);
        } else {
            text = g_strdup_printf("%s: on, not sending [%s stops]",
                                   names[k], keys[k]);
        }
        x += tui_put(y, x, 40, attr, FALSE, text);
        x += tui_put(y, x, 3, A_NORMAL, TRUE, "");
    }
}

static int
draw_status(CliTui *t)
{
    int y = 0;
    g_autofree char *title = NULL;
    g_autofree char *clock = NULL;

    if (t->connected_at != 0 && t->ended == NULL) {
        gint64 s = (g_get_monotonic_time() - t->connected_at) / G_USEC_PER_SEC;
        clock = g_strdup_printf("  %02d:%02d", (int)(s / 60 % 100),
                                (int)(s % 60));
    }
    title = g_strdup_printf(" sealcall %s   %s%s", t->title, phase(t),
                            clock != NULL ? clock : "");
    tui_put(y++, 0, COLS, A_REVERSE, TRUE, title);
    y = draw_alerts(t, y);
    draw_peer(t, y++);
    draw_keys(t, y++);
    draw_streams(t, y);
    y += 2;
    draw_privacy(t, y++);
    draw_devices(t, y++);
    return y;
}

/* how many columns of @s fit in @width (in bytes), breaking after ':' or
 * ' ' when one is near the end */
gsize
tui_fit(const char *s, int width)
{
    int used = 0;
    const char *p = s, *brk = NULL;

    while (*p != '\0') {
        int w = wcwidth((wchar_t)g_utf8_get_char(p));
        if (w <= 0)
            w = 1;
        if (used + w > width)
            break;
        used += w;
        if (*p == ':' || *p == ' ')
            brk = g_utf8_next_char(p);
        p = g_utf8_next_char(p);
    }
    if (*p != '\0' && brk != NULL && brk - s > (p - s) / 2)
        return (gsize)(brk - s);
    if (*s == '\0')
        return 0;
    return p > s ? (gsize)(p - s) : (gsize)(g_utf8_next_char(s) - s);
}

/* ---- the chat pane ---- */

static const char *
prefix(TuiLineKind k)
{
    switch (k) {
    case TUI_LINE_PEER:
        return "";
    case TUI_LINE_ME:
        return "you> ";
    case TUI_LINE_ALERT:
        return "! ";
    default:
        return "* ";
    }
}

static attr_t
line_attr(TuiLineKind k)
{
    switch (k) {
    case TUI_LINE_PEER:
        return A_NORMAL;
    case TUI_LINE_ME:
        return A_BOLD;
    case TUI_LINE_ALERT:
        return A_BOLD | tui_pair(PAIR_ALERT);
    default:
        return tui_pair(PAIR_DIM);
    }
}

static void
draw_chat(CliTui *t, int top, int bottom)
{
    int height = bottom - top;
    int skip;
    int y = bottom - 1;
    int width = MAX(COLS - 1, 1);

    if (height <= 0)
        return;
    /* newest at the bottom; chat_scroll rows of the wrapped text up */
    skip = t->chat_scroll;
    for (GList *l = t->scrollback.tail; l != NULL && y >= top; l = l->prev) {
        TuiLine *ln = l->data;
        g_autofree char *full = g_strconcat(prefix(ln->kind), ln->text, NULL);
        GPtrArray *parts = g_ptr_array_new();
        const char *p = full;
        gsize step;

        do {
            step = tui_fit(p, width);
            g_ptr_array_add(parts, (gpointer)p);
            p += step;
        } while (step > 0 && *p != '\0' && parts->len < 400);
        for (int i = (int)parts->len - 1; i >= 0 && y >= top; i--) {
            const char *start = parts->pdata[i];
            gsize n = (guint)i + 1 < parts->len
                          ? (gsize)((const char *)parts->pdata[i + 1] - start)
                          : strlen(start);
            g_autofree char *piece = g_strndup(start, n);
            if (skip > 0) {
                skip--;
                continue;
            }
            tui_put(y--, 0, width, line_attr(ln->kind), FALSE, piece);
        }
        g_ptr_array_unref(parts);
    }
    if (skip > 0)
        t->chat_scroll -= skip; /* scrolled past the oldest line */
    if (t->chat_scroll > 0)
        tui_put(top, COLS - 12, 12, A_REVERSE, TRUE, " scrolled up");
}

/* ---- input and help ---- */

static void
draw_input(CliTui *t, int y)
{
    int width = COLS - 2;
    gsize start = 0;
    int cols = 0, cursor_x;

    tui_put(y, 0, 2, A_BOLD, FALSE, "> ");
    if (width <= 0)
        return;
    /* scroll so that the cursor is on screen */
    for (gsize i = t->cursor; i > 0; i--) {
        int w = wcwidth((wchar_t)t->input[i - 1]);
        cols += w > 0 ? w : 1;
        if (cols >= width - 1) {
            start = i;
            break;
        }
    }
    {
        g_autofree char *text = g_ucs4_to_utf8(t->input + start,
                                               (glong)(t->input_len - start),
                                               NULL, NULL, NULL);
        g_autofree char *before = g_ucs4_to_utf8(
            t->input + start, (glong)(t->cursor - start), NULL, NULL, NULL);
        g_autofree char *safe_before =
            cli_sanitize(before != NULL ? before : "", -1, 65536, FALSE);
        tui_put(y, 2, width, A_NORMAL, FALSE, text);
        cursor_x = 2;
        for (const char *p = safe_before; *p != '\0'; p = g_utf8_next_char(p)) {
            int w = wcwidth((wchar_t)g_utf8_get_char(p));
            cursor_x += w > 0 ? w : 1;
        }
    }
    move(y, MIN(cursor_x, COLS - 1));
}

static void
draw_help(CliTui *t, int y)
{
    const char *help =
        t->incoming != NULL && t->cli->deciding
            ? " y accept   n decline   (nothing of your network is revealed "
              "until you accept)   ^C hang up"
        : t->holding != NULL
            ? " the call failed (reason on top): press any key to leave"
        : t->ended != NULL
            ? " the call is over: leaving..."
            : " F2/^A mic  F3/^V camera  F4/Tab security  PgUp/PgDn scroll  "
              "Enter send  /hangup or ^C hang up";
    tui_put(y, 0, COLS, A_REVERSE, TRUE, help);
}

void
tui_draw(CliTui *t)
{
    int top, bottom;

    erase();
    top = draw_status(t);
    if (top < LINES) {
        move(top, 0);
        hline(ACS_HLINE, COLS);
        top++;
    }
    bottom = MAX(top, LINES - 2);
    if (t->incoming != NULL && t->cli->deciding)
        tui_draw_incoming(t, top, bottom);
    else if (t->panel)
        tui_draw_panel(t, top, bottom);
    else
        draw_chat(t, top, bottom);
    draw_help(t, LINES - 1);
    draw_input(t, LINES - 2);
    refresh();
}
