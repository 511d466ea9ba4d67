/* ui-cli/call-input.c - the commands of `sealcall call|answer`: JSON lines
 * (--json, interop contract section 3) and interactive lines.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

static gboolean
json_get_int(JsonObject *o, const char *name, gint64 def, gint64 *out)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
        *out = def;
        return TRUE;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64)
        return FALSE;
    *out = json_node_get_int(n);
    return TRUE;
}

static void
cmd_send(Cli *cli, JsonObject *o)
{
    g_autoptr(GError) error = NULL;
    const char *label = json_object_get_string_member_with_default(o, "label",
                                                                   "chat");
    const char *text = json_object_get_string_member_with_default(o, "text",
                                                                  NULL);
    const char *b64 = json_object_get_string_member_with_default(o, "binary",
                                                                 NULL);
    gboolean ordered =
        json_object_get_boolean_member_with_default(o, "ordered", TRUE);
    gint64 max_rtx = -1;
    gint64 max_life = -1;
    g_autofree guint8 *bin = NULL;
    gsize bin_len = 0;
    ScChannel *chan;

    if ((text == NULL) == (b64 == NULL)) {
        cli_report_error(cli, "send needs exactly one of \"text\" or \"binary\"");
        return;
    }
    if (!json_get_int(o, "max_retransmits", -1, &max_rtx) ||
        !json_get_int(o, "max_lifetime", -1, &max_life) || max_rtx > 65535 ||
        max_life > G_MAXINT || max_rtx < -1 || max_life < -1) {
        cli_report_error(cli, "max_retransmits / max_lifetime must be integers");
        return;
    }
    chan = sc_call_get_channel(cli->call, label, ordered, (int)max_rtx,
                               (int)max_life, &error);
    if (chan == NULL) {
        cli_report_error(cli, error->message);
        return;
    }
    cli_remember_channel(cli, chan);
    if (b64 != NULL) {
        if (*b64 != '\0')
            bin = g_base64_decode(b64, &bin_len);
        if (!sc_channel_send(chan, TRUE, bin, bin_len, &error))
            cli_report_error(cli, error->message);
    } else if (!sc_channel_send(chan, FALSE, (const guint8 *)text,
                                strlen(text), &error)) {
        cli_report_error(cli, error->message);
    }
}

static void
cmd_bench(Cli *cli, JsonObject *o)
{
    g_autoptr(GError) error = NULL;
    gint64 bytes = 0;
    gint64 chunk = 0;

    if (!json_get_int(o, "bytes", 16 * 1024 * 1024, &bytes) ||
        !json_get_int(o, "chunk", 65536, &chunk) || bytes < 0 || chunk <= 0) {
        cli_report_error(cli, "bench needs integer \"bytes\" >= 0 and \"chunk\" > 0");
        return;
    }
    if (!sc_call_start_bench(cli->call, (guint64)bytes, (gsize)chunk, &error))
        cli_report_error(cli, error->message);
    else
        cli->bench_running = TRUE;
}

/* Stops or resumes sending one medium (sealcall's own `media` command and
 * /mute, /unmute); the library tells it with a `media` event. */
static void
set_media_sending(Cli *cli, const char *kind, gboolean send)
{
    g_autoptr(GError) error = NULL;
    ScMediaType type;

    if (kind != NULL && strcmp(kind, "audio") == 0) {
        type = SC_MEDIA_TYPE_AUDIO;
    } else if (kind != NULL && strcmp(kind, "video") == 0) {
        type = SC_MEDIA_TYPE_VIDEO;
    } else {
        cli_report_error(cli, "media needs \"kind\": \"audio\" or \"video\"");
        return;
    }
    if (!sc_call_set_media_sending(cli->call, type, send, &error))
        cli_report_error(cli, error->message);
}

static void
cmd_media(Cli *cli, JsonObject *o)
{
    JsonNode *kind = json_object_get_member(o, "kind");
    JsonNode *send = json_object_get_member(o, "send");

    if (send == NULL || !JSON_NODE_HOLDS_VALUE(send) ||
        json_node_get_value_type(send) != G_TYPE_BOOLEAN) {
        cli_report_error(cli, "media needs a boolean \"send\"");
        return;
    }
    set_media_sending(cli,
                      kind != NULL && JSON_NODE_HOLDS_VALUE(kind) &&
                              json_node_get_value_type(kind) == G_TYPE_STRING
                          ? json_node_get_string(kind)
                          : NULL,
                      json_node_get_boolean(send));
}

/* "allow future calls from this verified user" (privacy-cli.c) */
static void
allow_peer(Cli *cli)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    if (!cli_contacts_allow(cli->call, cli->priv, &text, &error)) {
        cli_report_error(cli, error->message);
        return;
    }
    if (cli->json) {
        cli_print_json_event("contacts", "text", text);
    } else {
        g_autofree char *safe = cli_sanitize(text, -1, CLI_SHOW_LOG_MAX, FALSE);
        printf("* %s\n", safe);
        fflush(stdout);
    }
}

/* A mid-call privacy change (privacy-cli.c); told as a `privacy` event
 * with "change": true (the one at start has the rule's profile). */
static void
change_privacy(Cli *cli, gboolean relay_only)
{
    g_autoptr(GError) error = NULL;
    const char *text = cli_privacy_change_text(relay_only);

    if (!cli_privacy_change(cli->call, cli->priv, relay_only, &error)) {
        cli_report_error(cli, error->message);
        return;
    }
    if (cli->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *out = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, "privacy");
        json_builder_set_member_name(b, "change");
        json_builder_add_boolean_value(b, TRUE);
        json_builder_set_member_name(b, "relay_only");
        json_builder_add_boolean_value(b, relay_only);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, text);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        out = json_to_string(root, FALSE);
        cli_print_line(out);
    } else {
        fprintf(stderr, "sealcall: %s\n", text);
    }
}

static void
handle_json_line(Cli *cli, const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    JsonNode *root;
    JsonObject *o;
    const char *cmd;

    if (!json_parser_load_from_data(parser, line, -1, &error)) {
        g_autofree char *d = g_strdup_printf("bad command line: %s",
                                             error->message);
        cli_report_error(cli, d);
        return;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        cli_report_error(cli, "a command must be a JSON object");
        return;
    }
    o = json_node_get_object(root);
    cmd = json_object_get_string_member_with_default(o, "cmd", NULL);
    if (cmd == NULL) {
        cli_report_error(cli, "a command needs a \"cmd\" string field");
    } else if (strcmp(cmd, "send") == 0) {
        cmd_send(cli, o);
    } else if (strcmp(cmd, "bench") == 0) {
        cmd_bench(cli, o);
    } else if (strcmp(cmd, "inspect") == 0) {
        cli_print_inspector(cli);
    } else if (strcmp(cmd, "hangup") == 0) {
        sc_call_hangup(cli->call);
    } else if (strcmp(cmd, "media") == 0) {
        cmd_media(cli, o);
    } else if (strcmp(cmd, "privacy") == 0) {
        JsonNode *ro = json_object_get_member(o, "relay_only");
        if (ro == NULL || !JSON_NODE_HOLDS_VALUE(ro) ||
            json_node_get_value_type(ro) != G_TYPE_BOOLEAN)
            cli_report_error(cli, "privacy needs a boolean \"relay_only\"");
        else
            change_privacy(cli, json_node_get_boolean(ro));
    } else if (strcmp(cmd, "allow") == 0) {
        allow_peer(cli);
    } else if (strcmp(cmd, "accept") == 0 || strcmp(cmd, "decline") == 0) {
        if (!(cmd[0] == 'a' ? sc_call_accept(cli->call, &error)
                            : sc_call_decline(cli->call, &error)))
            cli_report_error(cli, error->message);
        cli->deciding = FALSE;
    } else {
        g_autofree char *d = g_strdup_printf("unknown command '%s'", cmd);
        cli_report_error(cli, d);
    }
}

void
cli_handle_line(Cli *cli, const char *line)
{
    g_autoptr(GError) error = NULL;

    if (cli->deciding && line[0] != '/') {
        /* the answer to "accept? [y/N]" */
        cli->deciding = FALSE;
        if (!cli_defer_answer(cli->call, line, &error))
            cli_report_error(cli, error->message);
        return;
    }
    if (line[0] == '\0')
        return;
    if (strcmp(line, "/hangup") == 0 || strcmp(line, "/quit") == 0) {
        sc_call_hangup(cli->call);
    } else if (strcmp(line, "/inspect") == 0) {
        cli_print_inspector(cli);
    } else if (g_str_has_prefix(line, "/bench")) {
        guint64 bytes = 16 * 1024 * 1024;
        guint64 chunk = 65536;
        g_auto(GStrv) f = g_strsplit(line, " ", -1);
        if ((f[1] != NULL && !g_ascii_string_to_unsigned(f[1], 10, 0,
                                                          G_MAXUINT64, &bytes,
                                                          NULL)) ||
            (f[1] != NULL && f[2] != NULL &&
             !g_ascii_string_to_unsigned(f[2], 10, 1, G_MAXUINT32, &chunk,
                                         NULL))) {
            fprintf(stderr, "usage: /bench [BYTES [CHUNK]]\n");
            return;
        }
        if (!sc_call_start_bench(cli->call, bytes, (gsize)chunk, &error))
            fprintf(stderr, "sealcall: %s\n", error->message);
        else
            cli->bench_running = TRUE;
    } else if (strcmp(line, "/privacy direct") == 0 ||
               strcmp(line, "/privacy relay-only") == 0) {
        change_privacy(cli, line[9] == 'r');
    } else if (g_str_has_prefix(line, "/mute ") ||
               g_str_has_prefix(line, "/unmute ")) {
        set_media_sending(cli, strchr(line, ' ') + 1, line[1] == 'u');
    } else if (strcmp(line, "/allow") == 0) {
        allow_peer(cli);
    } else if (line[0] == '/') {
        fprintf(stderr, "commands: /hangup /inspect /bench [BYTES [CHUNK]] "
                        "/privacy direct|relay-only /mute audio|video "
                        "/unmute audio|video /allow; anything else is sent "
                        "as chat\n");
    } else {
        ScChannel *chan =
            sc_call_get_channel(cli->call, "chat", TRUE, -1, -1, &error);
        if (chan != NULL)
            cli_remember_channel(cli, chan);
        if (chan == NULL ||
            !sc_channel_send(chan, FALSE, (const guint8 *)line, strlen(line),
                             &error))
            cli_report_error(cli, error->message);
    }
}


static void
on_line(GObject *src, GAsyncResult *res, gpointer data)
{
    Cli *cli = data;
    g_autoptr(GError) error = NULL;
    gsize len = 0;
    g_autofree char *line = g_data_input_stream_read_line_finish_utf8(
        G_DATA_INPUT_STREAM(src), res, &len, &error);

    if (line == NULL) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return;
        if (error != NULL) {
            cli_report_error(cli, error->message);
            cli_read_next_line(cli);
            return;
        }
        /* end of input: no more commands. What was asked is carried out
         * first (a message sent before the call was up goes once its
         * channel opens), then we hang up. */
        cli->input_done = TRUE;
        cli_finish_then_hang_up(cli);
        return;
    }
    if (cli->json)
        handle_json_line(cli, g_strstrip(line));
    else
        cli_handle_line(cli, g_strchomp(line));
    cli_read_next_line(cli);
}

void
cli_read_next_line(Cli *cli)
{
    g_data_input_stream_read_line_async(cli->in, G_PRIORITY_DEFAULT,
                                        cli->cancel, on_line, cli);
}
