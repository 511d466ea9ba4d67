/* ui-cli/tui-panel.c - the full-screen view's security panel (the
 * drill-down of seed 001 §5.5: DTLS, ciphers, PFS, SRTP, fingerprints and
 * the SAS, the ICE pair, consent, key scope, identity, each stream's
 * numbers) and the incoming-call screen of --defer-ice. Drawn with
 * tui_put(), which sanitizes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tui.h"

#include <curses.h>
#include <string.h>

/* ---- the security panel: label, value, wrapped to the width ---- */

typedef struct {
    GPtrArray *rows; /* char * "label\tvalue" */
} Panel;

static void
row(Panel *p, const char *label, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
row(Panel *p, const char *label, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *value = NULL;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(p->rows, g_strdup_printf("%s\t%s", label, value));
}

static const char *
s_or(const char *s, const char *def)
{
    return s != NULL ? s : def;
}

/* a number of the entry, -1 when absent or null */
static gint64
num(JsonObject *m, const char *name)
{
    JsonNode *n = m != NULL ? json_object_get_member(m, name) : NULL;

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64)
        return -1;
    return json_node_get_int(n);
}

/* A stream's numbers, with units: packets and their rate (from the last
 * two reports), bitrate, and RTCP's loss, jitter and round trip where
 * the report has them (on send entries they are the peer's claims);
 * other numbers the report gains are shown by name. */
static void
append_numbers(GString *s, JsonObject *m, JsonObject *pm, double dt)
{
    static const char *const known[] = {
        "packets", "bytes", "bitrate", "packets_lost", "fraction_lost",
        "jitter_us", "round_trip_us"};
    gint64 pk = num(m, "packets"), ppk = num(pm, "packets");
    JsonNode *fl = json_object_get_member(m, "fraction_lost");
    GList *members;

    if (pk >= 0) {
        g_string_append_printf(s, ", packets %" G_GINT64_FORMAT, pk);
        if (ppk >= 0 && dt > 0.2 && pk >= ppk)
            g_string_append_printf(s, " (%.0f/s)", (double)(pk - ppk) / dt);
    }
    if (num(m, "bitrate") >= 0)
        g_string_append_printf(s, ", %.1f kbit/s",
                               (double)num(m, "bitrate") / 1000);
    if (num(m, "packets_lost") >= 0)
        g_string_append_printf(s, ", lost %" G_GINT64_FORMAT,
                               num(m, "packets_lost"));
    if (fl != NULL && JSON_NODE_HOLDS_VALUE(fl) &&
        json_node_get_value_type(fl) == G_TYPE_DOUBLE)
        g_string_append_printf(s, " (%.1f%%)", json_node_get_double(fl) * 100);
    if (num(m, "jitter_us") >= 0)
        g_string_append_printf(s, ", jitter %.1f ms",
                               (double)num(m, "jitter_us") / 1000);
    if (num(m, "round_trip_us") >= 0)
        g_string_append_printf(s, ", RTT %.1f ms",
                               (double)num(m, "round_trip_us") / 1000);
    if (g_strcmp0(tui_str(m, "rtcp_from"), "peer") == 0 &&
        num(m, "packets_lost") >= 0)
        g_string_append(s, " (the peer's RTCP)");
    members = json_object_get_members(m);
    for (GList *l = members; l != NULL; l = l->next) {
        JsonNode *v = json_object_get_member(m, l->data);
        gboolean seen = FALSE;
        for (gsize k = 0; k < G_N_ELEMENTS(known); k++)
            seen = seen || strcmp(l->data, known[k]) == 0;
        if (seen || !JSON_NODE_HOLDS_VALUE(v))
            continue;
        if (json_node_get_value_type(v) == G_TYPE_INT64)
            g_string_append_printf(s, ", %s %" G_GINT64_FORMAT,
                                   (char *)l->data, json_node_get_int(v));
        else if (json_node_get_value_type(v) == G_TYPE_DOUBLE)
            g_string_append_printf(s, ", %s %.3g", (char *)l->data,
                                   json_node_get_double(v));
    }
    g_list_free(members);
}

static void
media_rows(CliTui *t, Panel *p)
{
    JsonArray *a = tui_array(t->report, "media");
    JsonArray *prev = tui_array(t->prev_report, "media");
    double dt = (double)(t->report_at - t->prev_report_at) / G_USEC_PER_SEC;

    for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
        JsonNode *n = json_array_get_element(a, i);
        JsonObject *m, *pm = NULL;
        GString *s = g_string_new(NULL);
        g_autofree char *label = NULL;

        if (!JSON_NODE_HOLDS_OBJECT(n)) {
            g_string_free(s, TRUE);
            continue;
        }
        m = json_node_get_object(n);
        if (prev != NULL && i < json_array_get_length(prev) &&
            JSON_NODE_HOLDS_OBJECT(json_array_get_element(prev, i)))
            pm = json_node_get_object(json_array_get_element(prev, i));
        g_string_append_printf(s, "%s, %s",
                               tui_bool(m, "encrypted", FALSE)
                                   ? "encrypted"
                                   : "NOT ENCRYPTED",
                               s_or(tui_str(m, "cipher"), "no cipher"));
        if (!tui_bool(m, "sending", TRUE))
            g_string_append(s, ", STOPPED");
        append_numbers(s, m, pm, dt);
        label = g_strdup_printf("  %s %s", s_or(tui_str(m, "kind"), "?"),
                                s_or(tui_str(m, "direction"), "?"));
        row(p, label, "%s", s->str);
        g_string_free(s, TRUE);
    }
}

static void
build_panel(CliTui *t, Panel *p)
{
    JsonObject *tr = tui_obj(t->report, "transport");
    JsonObject *peer = tui_obj(t->report, "peer");
    JsonObject *ice = tui_obj(t->report, "ice");
    JsonObject *consent = tui_obj(t->report, "ice.consent");
    JsonArray *chans = tui_array(t->report, "channels");
    JsonNode *ago = consent != NULL
                        ? json_object_get_member(consent,
                                                 "last_response_ms_ago")
                        : NULL;
    gboolean relay = g_strcmp0(tui_str(ice, "policy"), "relay-only") == 0;

    row(p, "SECURITY", "details (F4 or Tab closes, PgUp/PgDn scroll)");
    row(p, "DTLS", "%s, state %s, we are the %s",
        s_or(tui_str(tr, "dtls_version"), "-"),
        s_or(tui_str(tr, "dtls_state"), "-"),
        s_or(tui_str(tr, "dtls_role"), "-"));
    row(p, "Cipher", "%s (OpenSSL)", s_or(tui_str(tr, "cipher"), "-"));
    row(p, "", "%s (IANA)", s_or(tui_str(tr, "cipher_standard"), "-"));
    row(p, "PFS", "%s", tui_bool(tr, "pfs", FALSE)
                            ? "yes: ephemeral key exchange (forward secrecy)"
                            : "NO forward secrecy");
    row(p, "SRTP", "%s (%s)", s_or(tui_str(tr, "srtp_profile"), "-"),
        s_or(tui_str(tr, "srtp_profile_standard"), "-"));
    row(p, "Keying", "%s", s_or(tui_str(tr, "keying"), "-"));
    row(p, "Our cert", "%s", s_or(tui_str(tr, "local_fingerprint"), "-"));
    row(p, "Peer cert", "%s%s", s_or(tui_str(tr, "remote_fingerprint"), "-"),
        tui_bool(tr, "remote_fingerprint_verified", FALSE)
            ? " (matches its signalled fingerprint)"
            : " (NOT checked)");
    row(p, "SAS", "%s  (read it aloud: the peer must see the same)",
        s_or(tui_str(tr, "sas"), "-"));
    row(p, "Key scope", "%s", s_or(tui_str(tr, "key_scope"), "-"));
    row(p, "ICE pair", "%s -> %s, policy %s%s",
        s_or(tui_str(ice, "local_type"), "-"),
        s_or(tui_str(ice, "remote_type"), "-"),
        s_or(tui_str(ice, "policy"), "-"),
        tui_bool(ice, "related_address_suppressed", FALSE)
            ? ", related addresses suppressed"
            : "");
    /* addresses only where the profile allows them, never ours with
     * relay-only (the report has them once it carries them) */
    if (tui_str(ice, "remote_address") != NULL)
        row(p, "", "peer address %s", tui_str(ice, "remote_address"));
    if (!relay && tui_str(ice, "local_address") != NULL)
        row(p, "", "our address %s", tui_str(ice, "local_address"));
    if (ago != NULL && JSON_NODE_HOLDS_VALUE(ago))
        row(p, "Consent", "%s, last response %" G_GINT64_FORMAT " ms ago",
            tui_bool(consent, "fresh", FALSE) ? "fresh" : "NOT FRESH",
            json_node_get_int(ago));
    else
        row(p, "Consent", "no response yet");
    row(p, "Identity", "%s, verified by %s",
        s_or(tui_str(peer, "identity"), "none"),
        s_or(tui_str(peer, "verified_by"), "none"));
    if (tui_str(peer, "idp") != NULL)
        row(p, "", "IdP %s, %s%s", tui_str(peer, "idp"),
            tui_bool(peer, "authoritative", FALSE) ? "authoritative"
                                                   : "third party",
            tui_bool(peer, "pseudonym", FALSE) ? ", a pseudonym" : "");
    if (tui_str(t->identity, "detail") != NULL)
        row(p, "", "%s", tui_str(t->identity, "detail"));
    row(p, "Streams", "%s", "");
    media_rows(t, p);
    if (chans != NULL) {
        GString *s = g_string_new(NULL);
        guint n = json_array_get_length(chans);
        for (guint i = 0; i < n && i < 8; i++) {
            JsonNode *e = json_array_get_element(chans, i);
            if (JSON_NODE_HOLDS_OBJECT(e))
                g_string_append_printf(
                    s, "%s'%.64s'", i > 0 ? ", " : "",
                    s_or(tui_str(json_node_get_object(e), "label"), "?"));
        }
        row(p, "Channels", "%u%s%s", n, n > 0 ? ": " : "", s->str);
        g_string_free(s, TRUE);
    }
}

void
tui_draw_panel(CliTui *t, int top, int bottom)
{
    Panel p = {g_ptr_array_new_with_free_func(g_free)};
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    int width = COLS - 14;

    build_panel(t, &p);
    for (guint i = 0; i < p.rows->len; i++) {
        char *tab = strchr(p.rows->pdata[i], '\t');
        const char *v = tab + 1;
        gboolean first = TRUE;
        gsize n;
        *tab = '\0';
        do {
            n = width > 0 ? tui_fit(v, width) : strlen(v);
            g_ptr_array_add(lines,
                            g_strdup_printf("%s\t%.*s",
                                            first ? (char *)p.rows->pdata[i]
                                                  : "",
                                            (int)n, v));
            v += n;
            first = FALSE;
        } while (n > 0 && *v != '\0');
    }
    if (t->panel_scroll > (int)lines->len - (bottom - top))
        t->panel_scroll = MAX(0, (int)lines->len - (bottom - top));
    for (int y = top, i = t->panel_scroll; y < bottom && i < (int)lines->len;
         y++, i++) {
        char *tab = strchr(lines->pdata[i], '\t');
        *tab = '\0';
        tui_put(y, 1, 13, ATTR_LABEL, TRUE, lines->pdata[i]);
        tui_put(y, 14, COLS - 14, A_NORMAL, FALSE, tab + 1);
    }
    g_ptr_array_unref(lines);
    g_ptr_array_unref(p.rows);
}

/* ---- an incoming call (--defer-ice): who calls, before anything ---- */

void
tui_draw_incoming(CliTui *t, int top, int bottom)
{
    JsonObject *in = t->incoming;
    const char *id = tui_str(in, "identity");
    JsonNode *present = json_object_get_member(in, "identity_present");
    JsonNode *media = json_object_get_member(in, "media");
    JsonNode *fps = json_object_get_member(in, "fingerprints");
    JsonNode *timeout = json_object_get_member(in, "timeout");
    g_autofree char *m = media != NULL ? json_to_string(media, FALSE) : NULL;
    g_autofree char *f = fps != NULL ? json_to_string(fps, FALSE) : NULL;
    g_autofree char *left = NULL;
    int y = top;

    tui_put(y++, 1, COLS - 2, ATTR_UNVERIFIED, FALSE,
        " INCOMING CALL: nothing of your network is revealed until you "
        "accept ");
    if (id != NULL) {
        g_autofree char *v = g_strconcat("[VERIFIED] ", id, NULL);
        int x = tui_put(y, 1, 24, ATTR_LABEL, TRUE, "caller");
        tui_put(y++, x + 1, COLS - x - 2, ATTR_VERIFIED, FALSE, v);
    } else {
        int x = tui_put(y, 1, 24, ATTR_LABEL, TRUE, "caller");
        tui_put(y++, x + 1, COLS - x - 2, ATTR_UNVERIFIED, FALSE,
            present != NULL && JSON_NODE_HOLDS_VALUE(present) &&
                    json_node_get_boolean(present)
                ? "[NOT VERIFIED] an identity is asserted, not verified"
                : "[NOT VERIFIED] no identity asserted");
    }
    tui_put(y, 1, 24, ATTR_LABEL, TRUE, "relay");
    tui_put(y++, 26, COLS - 27, A_NORMAL, FALSE, tui_str(in, "origin"));
    tui_put(y, 1, 24, ATTR_LABEL, TRUE, "room");
    tui_put(y++, 26, COLS - 27, A_NORMAL, FALSE, tui_str(in, "room"));
    tui_put(y, 1, 24, ATTR_LABEL, TRUE, "media offered");
    tui_put(y++, 26, COLS - 27, A_NORMAL, FALSE, m);
    tui_put(y, 1, 24, ATTR_LABEL, TRUE, "caller's certificate");
    tui_put(y++, 26, COLS - 27, A_NORMAL, FALSE, f);
    if (timeout != NULL && JSON_NODE_HOLDS_VALUE(timeout)) {
        gint64 s = json_node_get_int(timeout) -
                   (g_get_monotonic_time() - t->incoming_at) / G_USEC_PER_SEC;
        left = g_strdup_printf("declined in %" G_GINT64_FORMAT
                               " s without an answer",
                               MAX(s, 0));
        tui_put(y++, 1, COLS - 2, A_NORMAL, FALSE, left);
    }
    if (y < bottom)
        tui_put(y + 1 < bottom ? y + 1 : y, 1, COLS - 2, A_BOLD, FALSE,
            "accept? y: accept   n: decline");
}
