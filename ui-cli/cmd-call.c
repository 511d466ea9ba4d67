/* ui-cli/cmd-call.c - `sealcall call` and `sealcall answer`: one call
 * through a signaling relay, interactive or scripted (--json, interop
 * contract section 3). Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

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
     * out, then we hang up (see finish_then_hang_up()). */
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
} Cli;

/* ---- output ---- */

static void
print_line(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static void
print_json_event(const char *event, const char *field, const char *value)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "event");
    json_builder_add_string_value(b, event);
    if (field != NULL) {
        /* JSON text is UTF-8: bytes that are not become U+FFFD */
        g_autofree char *valid = g_utf8_make_valid(value, -1);
        json_builder_set_member_name(b, field);
        json_builder_add_string_value(b, valid);
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    text = json_to_string(root, FALSE);
    print_line(text);
}

static void
report_error(Cli *cli, const char *detail)
{
    if (cli->json) {
        print_json_event("error", "detail", detail);
    } else {
        g_autofree char *safe =
            cli_sanitize(detail, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
        fprintf(stderr, "sealcall: %s\n", safe);
    }
}

/* Every string of an event shown on the terminal goes through
 * cli_sanitize(): most of them come from the peer (labels, chat, reasons,
 * details) or from what it signalled. */
typedef struct {
    const ScCallEvent *ev;
    GPtrArray *keep;
} Shown;

static const char *
field_max(Shown *v, const char *name, gsize max)
{
    const char *raw = sc_call_event_get_string(v->ev, name);
    char *safe;

    if (raw == NULL)
        return NULL;
    safe = cli_sanitize(raw, -1, max, FALSE);
    g_ptr_array_add(v->keep, safe);
    return safe;
}

static const char *
field(Shown *v, const char *name)
{
    return field_max(v, name, CLI_SHOW_FIELD_MAX);
}

static void
print_human(const ScCallEvent *ev)
{
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    Shown v = {ev, keep};
    const char *state = field(&v, "state");
    const char *local_type = field(&v, "local_type");

    switch (sc_call_event_get_kind(ev)) {
    case SC_CALL_EVENT_SIGNALING:
        printf("* signaling %s\n", state);
        break;
    case SC_CALL_EVENT_ICE:
        if (local_type != NULL)
            printf("* ICE %s (%s -> %s)\n", state, local_type,
                   field(&v, "remote_type"));
        else
            printf("* ICE %s\n", state);
        break;
    case SC_CALL_EVENT_DTLS:
        if (g_strcmp0(state, "connected") == 0)
            printf("* DTLS %s %s, SRTP %s, we are the %s\n"
                   "  peer certificate verified: %s\n",
                   field(&v, "version"), field(&v, "cipher"),
                   field(&v, "srtp_profile"), field(&v, "role"),
                   field(&v, "remote_fingerprint"));
        else
            printf("* DTLS %s: %s\n", state, field(&v, "detail"));
        break;
    case SC_CALL_EVENT_CHANNEL:
        printf("* channel '%s' %s\n", field(&v, "label"), state);
        break;
    case SC_CALL_EVENT_MESSAGE:
        if (sc_call_event_get_string(ev, "text") != NULL)
            printf("<%s> %s\n", field(&v, "label"),
                   field_max(&v, "text", CLI_SHOW_MESSAGE_MAX));
        else
            printf("<%s> [binary, base64] %s\n", field(&v, "label"),
                   field_max(&v, "binary", CLI_SHOW_MESSAGE_MAX));
        break;
    case SC_CALL_EVENT_BENCH:
        if (g_strcmp0(sc_call_event_get_string(ev, "role"), "sender") == 0)
            printf("* bench: %s bytes in %s s = %s Mbit/s\n",
                   field(&v, "bytes"), field(&v, "seconds"),
                   field(&v, "mbps"));
        else
            printf("* bench received %s bytes (pattern %s)\n",
                   field(&v, "bytes"), field(&v, "pattern"));
        break;
    case SC_CALL_EVENT_MEDIA:
        printf("* %s %s %s (%s packets)\n", field(&v, "kind"),
               field(&v, "direction"), state, field(&v, "packets"));
        break;
    case SC_CALL_EVENT_INSPECTOR:
        printf("* security inspector: %s\n", field(&v, "report"));
        break;
    case SC_CALL_EVENT_ENDED:
        printf("* call ended: %s (%s)\n", field(&v, "reason"),
               field(&v, "detail"));
        break;
    case SC_CALL_EVENT_ERROR:
        printf("* error: %s\n", field(&v, "detail"));
        break;
    case SC_CALL_EVENT_IDENTITY:
        cli_identity_show(ev);
        break;
    case SC_CALL_EVENT_INCOMING:
        cli_defer_show_incoming(ev);
        break;
    default:
        break;
    }
    fflush(stdout);
}

static void finish_then_hang_up(Cli *cli);
static void report_undelivered(Cli *cli);
static gboolean sent_on_label(Cli *cli, const char *label);

static gboolean
on_grace_over(gpointer data)
{
    Cli *cli = data;
    cli->grace_id = 0;
    g_main_loop_quit(cli->loop);
    return G_SOURCE_REMOVE;
}

static void
on_event(ScCall *call, const ScCallEvent *ev, gpointer data)
{
    Cli *cli = data;
    ScCallEventKind kind = sc_call_event_get_kind(ev);
    const char *state = sc_call_event_get_string(ev, "state");

    if (kind == SC_CALL_EVENT_ENDED)
        report_undelivered(cli);
    cli->deciding = kind == SC_CALL_EVENT_INCOMING ||
                    (cli->deciding && kind != SC_CALL_EVENT_ENDED);
    if (cli->json) {
        g_autofree char *line = sc_call_event_to_json(ev);
        print_line(line);
    } else {
        print_human(ev);
        if (kind == SC_CALL_EVENT_SIGNALING && cli->idp != NULL &&
            g_strcmp0(state, "connected") == 0) {
            g_autofree char *idp =
                cli_sanitize(cli->idp, -1, CLI_SHOW_FIELD_MAX, FALSE);
            printf("* our identity asserted by %s\n", idp);
        }
    }
    /* ICE checks are paced by a timer every Ta: keep timers precise while
     * they run (ui-cli/poll.c), GLib's own way otherwise. */
    if (kind == SC_CALL_EVENT_ICE)
        cli_set_precise_timers(
            g_strcmp0(state, "checking") == 0);
    else if (kind == SC_CALL_EVENT_ENDED)
        cli_set_precise_timers(FALSE);
    if (kind == SC_CALL_EVENT_ENDED) {
        ScEndReason r = sc_call_event_get_end_reason(ev);
        cli->ended = TRUE;
        cli->exit_status = (r == SC_END_REASON_HANGUP || r == SC_END_REASON_BYE)
                               ? CLI_EXIT_OK
                               : CLI_EXIT_FAILURE;
        /* Let the bye and the WebSocket close go out: quit when signaling
         * reports closed, or after at most two seconds. */
        cli->grace_id = g_timeout_add(2000, on_grace_over, cli);
    } else if (kind == SC_CALL_EVENT_SIGNALING && cli->ended &&
               g_strcmp0(state, "closed") == 0) {
        g_main_loop_quit(cli->loop);
    } else if (kind == SC_CALL_EVENT_CHANNEL) {
        const char *label = sc_call_event_get_string(ev, "label");
        /* only labels we sent on: the peer's choice of labels and their
         * number must not grow this table */
        if (label != NULL && sent_on_label(cli, label))
            g_hash_table_insert(cli->seen, g_strdup(label),
                                GINT_TO_POINTER(g_strcmp0(state, "closed") == 0
                                                    ? SEEN_CLOSED
                                                    : SEEN_OPEN));
    } else if (kind == SC_CALL_EVENT_BENCH &&
               g_strcmp0(sc_call_event_get_string(ev, "role"), "sender") ==
                   0) {
        cli->bench_running = FALSE;
    }
    finish_then_hang_up(cli);
}

/* ---- end of input ---- */

static void
remember_channel(Cli *cli, ScChannel *chan)
{
    for (guint i = 0; i < cli->used->len; i++)
        if (cli->used->pdata[i] == chan)
            return;
    g_ptr_array_add(cli->used, sc_channel_ref(chan));
    /* it may have opened before we first sent on it (the peer's channel,
     * or ours from an earlier command) */
    if (sc_channel_is_open(chan))
        g_hash_table_insert(cli->seen, g_strdup(sc_channel_get_label(chan)),
                            GINT_TO_POINTER(SEEN_OPEN));
}

static gboolean
sent_on_label(Cli *cli, const char *label)
{
    for (guint i = 0; i < cli->used->len; i++)
        if (g_strcmp0(sc_channel_get_label(cli->used->pdata[i]), label) == 0)
            return TRUE;
    return FALSE;
}

static int
seen(Cli *cli, ScChannel *chan)
{
    return GPOINTER_TO_INT(
        g_hash_table_lookup(cli->seen, sc_channel_get_label(chan)));
}

/* A channel we sent on still holds messages: not open yet (they wait in
 * its queue) or not all handed to the network. */
static gboolean
channel_pending(ScChannel *chan)
{
    return !sc_channel_is_open(chan) ||
           sc_channel_get_buffered_amount(chan) > 0;
}

static gboolean
on_recheck(gpointer data)
{
    Cli *cli = data;
    cli->recheck_id = 0;
    finish_then_hang_up(cli);
    return G_SOURCE_REMOVE;
}

/* After end of input: hang up once every message we sent has been handed
 * to the network and a bench we started has finished, or stay until the
 * call ends (then each undelivered channel gets an error event). A channel
 * that closed holds nothing more to wait for. */
static void
finish_then_hang_up(Cli *cli)
{
    gboolean pending = cli->bench_running;
    gboolean draining = FALSE;

    if (!cli->input_done || cli->ended)
        return;
    for (guint i = 0; i < cli->used->len; i++) {
        ScChannel *chan = cli->used->pdata[i];
        if (!channel_pending(chan) || seen(cli, chan) == SEEN_CLOSED)
            continue;
        pending = TRUE;
        if (sc_channel_is_open(chan))
            draining = TRUE;
    }
    if (!pending) {
        cli->all_done = TRUE;
        sc_call_hangup(cli->call);
        return;
    }
    /* Events (a channel opening, the bench's end, the call's end) wake us
     * as the call progresses; SCTP drains an open channel's buffer without
     * one, so then look again shortly. */
    if (draining && cli->recheck_id == 0)
        cli->recheck_id = g_timeout_add(20, on_recheck, cli);
}

/* The call ended before what was asked could be done: say so. */
static void
report_undelivered(Cli *cli)
{
    if (cli->all_done)
        return;
    for (guint i = 0; i < cli->used->len; i++) {
        ScChannel *chan = cli->used->pdata[i];
        /* by now the call has closed its channels: what is still counted
         * was never handed to SCTP */
        if (seen(cli, chan) == SEEN_CLOSED)
            continue;
        if (sc_channel_get_buffered_amount(chan) > 0 ||
            seen(cli, chan) != SEEN_OPEN) {
            g_autofree char *d = g_strdup_printf(
                "the call ended before the messages on channel '%s' were "
                "sent",
                sc_channel_get_label(chan));
            report_error(cli, d);
        }
    }
}

/* ---- commands ---- */

static void
print_inspector(Cli *cli)
{
    g_autofree char *report = sc_call_inspect_json(cli->call);

    if (cli->json) {
        g_autofree char *line =
            g_strdup_printf("{\"event\":\"inspector\",\"report\":%s}", report);
        print_line(line);
    } else {
        g_autoptr(JsonParser) p = json_parser_new();
        if (json_parser_load_from_data(p, report, -1, NULL)) {
            g_autoptr(JsonGenerator) gen = json_generator_new();
            g_autofree char *pretty = NULL;
            json_generator_set_pretty(gen, TRUE);
            json_generator_set_root(gen, json_parser_get_root(p));
            g_autofree char *safe = NULL;
            pretty = json_generator_to_data(gen, NULL);
            /* json-glib escapes C0 controls, not C1 or bidi characters */
            safe = cli_sanitize(pretty, -1, G_MAXINT, TRUE);
            printf("security inspector:\n%s\n", safe);
        }
        fflush(stdout);
    }
}

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
        report_error(cli, "send needs exactly one of \"text\" or \"binary\"");
        return;
    }
    if (!json_get_int(o, "max_retransmits", -1, &max_rtx) ||
        !json_get_int(o, "max_lifetime", -1, &max_life) || max_rtx > 65535 ||
        max_life > G_MAXINT || max_rtx < -1 || max_life < -1) {
        report_error(cli, "max_retransmits / max_lifetime must be integers");
        return;
    }
    chan = sc_call_get_channel(cli->call, label, ordered, (int)max_rtx,
                               (int)max_life, &error);
    if (chan == NULL) {
        report_error(cli, error->message);
        return;
    }
    remember_channel(cli, chan);
    if (b64 != NULL) {
        if (*b64 != '\0')
            bin = g_base64_decode(b64, &bin_len);
        if (!sc_channel_send(chan, TRUE, bin, bin_len, &error))
            report_error(cli, error->message);
    } else if (!sc_channel_send(chan, FALSE, (const guint8 *)text,
                                strlen(text), &error)) {
        report_error(cli, error->message);
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
        report_error(cli, "bench needs integer \"bytes\" >= 0 and \"chunk\" > 0");
        return;
    }
    if (!sc_call_start_bench(cli->call, (guint64)bytes, (gsize)chunk, &error))
        report_error(cli, error->message);
    else
        cli->bench_running = TRUE;
}

/* A mid-call privacy change (privacy-cli.c); told as a `privacy` event
 * with "change": true (the one at start has the rule's profile). */
static void
change_privacy(Cli *cli, gboolean relay_only)
{
    g_autoptr(GError) error = NULL;
    const char *text = cli_privacy_change_text(relay_only);

    if (!cli_privacy_change(cli->call, cli->priv, relay_only, &error)) {
        report_error(cli, error->message);
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
        print_line(out);
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
        report_error(cli, d);
        return;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        report_error(cli, "a command must be a JSON object");
        return;
    }
    o = json_node_get_object(root);
    cmd = json_object_get_string_member_with_default(o, "cmd", NULL);
    if (cmd == NULL) {
        report_error(cli, "a command needs a \"cmd\" string field");
    } else if (strcmp(cmd, "send") == 0) {
        cmd_send(cli, o);
    } else if (strcmp(cmd, "bench") == 0) {
        cmd_bench(cli, o);
    } else if (strcmp(cmd, "inspect") == 0) {
        print_inspector(cli);
    } else if (strcmp(cmd, "hangup") == 0) {
        sc_call_hangup(cli->call);
    } else if (strcmp(cmd, "privacy") == 0) {
        JsonNode *ro = json_object_get_member(o, "relay_only");
        if (ro == NULL || !JSON_NODE_HOLDS_VALUE(ro) ||
            json_node_get_value_type(ro) != G_TYPE_BOOLEAN)
            report_error(cli, "privacy needs a boolean \"relay_only\"");
        else
            change_privacy(cli, json_node_get_boolean(ro));
    } else if (strcmp(cmd, "accept") == 0 || strcmp(cmd, "decline") == 0) {
        if (!(cmd[0] == 'a' ? sc_call_accept(cli->call, &error)
                            : sc_call_decline(cli->call, &error)))
            report_error(cli, error->message);
        cli->deciding = FALSE;
    } else {
        g_autofree char *d = g_strdup_printf("unknown command '%s'", cmd);
        report_error(cli, d);
    }
}

static void
handle_human_line(Cli *cli, const char *line)
{
    g_autoptr(GError) error = NULL;

    if (cli->deciding && line[0] != '/') {
        /* the answer to "accept? [y/N]" */
        cli->deciding = FALSE;
        if (!cli_defer_answer(cli->call, line, &error))
            report_error(cli, error->message);
        return;
    }
    if (line[0] == '\0')
        return;
    if (strcmp(line, "/hangup") == 0 || strcmp(line, "/quit") == 0) {
        sc_call_hangup(cli->call);
    } else if (strcmp(line, "/inspect") == 0) {
        print_inspector(cli);
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
    } else if (line[0] == '/') {
        fprintf(stderr, "commands: /hangup /inspect /bench [BYTES [CHUNK]] "
                        "/privacy direct|relay-only; anything else is sent "
                        "as chat\n");
    } else {
        ScChannel *chan =
            sc_call_get_channel(cli->call, "chat", TRUE, -1, -1, &error);
        if (chan != NULL)
            remember_channel(cli, chan);
        if (chan == NULL ||
            !sc_channel_send(chan, FALSE, (const guint8 *)line, strlen(line),
                             &error))
            report_error(cli, error->message);
    }
}

static void read_next_line(Cli *cli);

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
            report_error(cli, error->message);
            read_next_line(cli);
            return;
        }
        /* end of input: no more commands. What was asked is carried out
         * first (a message sent before the call was up goes once its
         * channel opens), then we hang up. */
        cli->input_done = TRUE;
        finish_then_hang_up(cli);
        return;
    }
    if (cli->json)
        handle_json_line(cli, g_strstrip(line));
    else
        handle_human_line(cli, g_strchomp(line));
    read_next_line(cli);
}

static void
read_next_line(Cli *cli)
{
    g_data_input_stream_read_line_async(cli->in, G_PRIORITY_DEFAULT,
                                        cli->cancel, on_line, cli);
}

static gboolean
on_signal(gpointer data)
{
    Cli *cli = data;
    if (!cli->ended)
        sc_call_hangup(cli->call);
    else
        g_main_loop_quit(cli->loop);
    return G_SOURCE_CONTINUE;
}

static void
log_to_stderr(ScLogLevel level, const char *module, const char *message,
              gpointer user_data)
{
    static const char *const names[] = {"error", "warn", "info", "debug",
                                        "trace"};
    gint64 now = g_get_monotonic_time();
    /* log lines quote what the peer sent (candidates, labels, reasons) */
    g_autofree char *safe = cli_sanitize(message, -1, CLI_SHOW_LOG_MAX, FALSE);

    (void)user_data;
    /* microseconds: the log is also how setup time is taken apart */
    fprintf(stderr, "%" G_GINT64_FORMAT ".%06d sealcall[%s] %s: %s\n",
            now / 1000000 % 10000, (int)(now % 1000000), module,
            (guint)level < G_N_ELEMENTS(names) ? names[level] : "?", safe);
}

/* --cert: a configured certificate is a key scope of its own (the same key
 * for every origin), so it contradicts --key-scope and a profile that asks
 * for per-origin keys or unlinkability; unusable files are refused (one
 * line naming the file and the reason). The key scope itself reaches the
 * call in cli_privacy_apply(). */
static int
apply_certificate(ScCall *call, const char *cmd, const CliPrivacy *priv,
                  const char *cert)
{
    g_autoptr(GError) error = NULL;

    if (cert == NULL)
        return CLI_EXIT_OK;
    if (priv->require_unlinkable ||
        g_strcmp0(priv->key_scope, "per-call") != 0) {
        fprintf(stderr, "sealcall %s: --cert is one key pair for every "
                        "origin, but the privacy profile asks for %s\n",
                cmd, priv->require_unlinkable ? "unlinkable calls"
                                              : "per-origin keys");
        return CLI_EXIT_USAGE;
    }
    if (!sc_call_set_certificate_file(call, cert, &error)) {
        g_autofree char *safe =
            cli_sanitize(error->message, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
        fprintf(stderr, "sealcall %s: %s\n", cmd, safe);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static gboolean
add_addresses(ScCall *call, char **addresses, GError **error)
{
    for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++) {
        if (!sc_call_add_local_address(call, addresses[i], error)) {
            g_prefix_error(error, "--ice-address: ");
            return FALSE;
        }
    }
    return TRUE;
}

/* The TURN credentials in the process's own argv (what ps and
 * /proc/PID/cmdline show) are overwritten with '*' once GOption has read
 * them (it keeps copies), as curl does for -u. @orig: argv as it was
 * before parsing. */
static void
scrub_turn_args(int argc, char **orig)
{
    for (int i = 1; i < argc; i++) {
        char *v = NULL, *p, *at;

        if (g_str_has_prefix(orig[i], "--turn="))
            v = orig[i] + strlen("--turn=");
        else if (g_str_equal(orig[i - 1], "--turn"))
            v = orig[i];
        if (v == NULL || (p = strchr(v, ':')) == NULL ||
            (at = strrchr(v, '@')) == NULL)
            continue;
        while (++p < at)
            *p = '*';
    }
}

/* --turn and --ca (contract section 5); --relay-only reaches the call in
 * cli_privacy_apply() */
static gboolean
add_turn_servers(ScCall *call, char **turns, const char *ca, GError **error)
{
    if (ca != NULL && !sc_call_set_ca_file(call, ca, error)) {
        g_prefix_error(error, "--ca ");
        return FALSE;
    }
    for (guint i = 0; turns != NULL && turns[i] != NULL; i++)
        if (!sc_call_add_turn_server(call, turns[i], error)) {
            g_prefix_error(error, "--turn: ");
            return FALSE;
        }
    return TRUE;
}

int
cli_call_main(int argc, char **argv)
{
    gboolean offerer = strcmp(argv[0], "call") == 0;
    g_autofree char *signal_url = NULL;
    g_autofree char *stun = NULL;
    g_auto(GStrv) addresses = NULL;
    gboolean json = FALSE;
    gboolean verbose = FALSE;
    gboolean no_audio = FALSE, no_video = FALSE, play = FALSE, no_play = FALSE;
    g_autofree char *audio_src = NULL, *video_src = NULL, *record = NULL;
    /* identity (contract section 5) */
    g_autofree char *idp = NULL, *idp_protocol = NULL, *hint = NULL;
    g_autofree char *peer_identity = NULL, *ca = NULL;
    g_auto(GStrv) turns = NULL;
    g_autofree char **orig_argv = g_memdup2(argv, sizeof *argv * (argc + 1));
    int argc_orig = argc;
    gboolean parsed;
    g_autofree char *cert = NULL;
    g_auto(GStrv) trust_idp = NULL;
    /* relay_only, key_scope, defer_ice, ip_handling: privacy-cli.c */
    g_auto(CliPrivacy) priv = {0};
    gint ice_max_pairs = -1, accept_timeout = G_MININT;
    gboolean mdns = FALSE;
    GOptionEntry entries[] = {
        {"signal", 's', 0, G_OPTION_ARG_STRING, &signal_url,
         "signaling relay room (required)", "ws://HOST:PORT/room/NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         "scripted mode: JSON events on stdout, JSON commands on stdin", NULL},
        {"stun", 0, 0, G_OPTION_ARG_STRING, &stun, "STUN server",
         "HOST:PORT"},
        {"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &addresses,
         "gather ICE host candidates only on this local address "
         "(repeatable; default: all interfaces)",
         "ADDR"},
        {"ip-handling", 0, 0, G_OPTION_ARG_STRING, &priv.ip_handling,
         "local addresses used and revealed (RFC 8828): all (mode 1, the "
         "default), default-route (mode 2: the default route's interface), "
         "default-route-only (mode 3: no host candidate signalled), "
         "relay-only (mode 4: the same as --relay-only; needs --turn)",
         "MODE"},
        {"mdns", 0, 0, G_OPTION_ARG_NONE, &mdns,
         "signal host candidates as fresh <uuid>.local mDNS names, "
         "published through avahi-daemon (the peer's are always resolved)",
         NULL},
        {"ice-max-pairs", 0, 0, G_OPTION_ARG_INT, &ice_max_pairs,
         "check at most N candidate pairs (RFC 8445 6.1.2.5; default 100)",
         "N"},
        {"no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio,
         "no audio (neither send nor receive)", NULL},
        {"no-video", 0, 0, G_OPTION_ARG_NONE, &no_video,
         "no video (neither send nor receive)", NULL},
        {"audio-src", 0, 0, G_OPTION_ARG_STRING, &audio_src,
         "GStreamer audio source (default: a 440 Hz sine)",
         "\"pulsesrc\""},
        {"video-src", 0, 0, G_OPTION_ARG_STRING, &video_src,
         "GStreamer video source (default: a test pattern)",
         "\"v4l2src\""},
        {"record", 0, 0, G_OPTION_ARG_FILENAME, &record,
         "write received media to FILE (Ogg/Opus, or WebM with video)",
         "FILE"},
        {"play", 0, 0, G_OPTION_ARG_NONE, &play,
         "play received audio (default when interactive)", NULL},
        {"no-play", 0, 0, G_OPTION_ARG_NONE, &no_play,
         "do not play received audio", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
         "log protocol progress to stderr (SC_DEBUG=all for more)", NULL},
        {"idp", 0, 0, G_OPTION_ARG_STRING, &idp,
         "assert our identity with this IdP",
         "DOMAIN[:PORT]"},
        {"idp-protocol", 0, 0, G_OPTION_ARG_STRING, &idp_protocol,
         "IdP protocol (default: default)", "NAME"},
        {"identity-hint", 0, 0, G_OPTION_ARG_STRING, &hint,
         "username hint for the IdP", "USER"},
        {"peer-identity", 0, 0, G_OPTION_ARG_STRING, &peer_identity,
         "call only this verified peer: no media or data before its identity verifies", "USER@DOMAIN"},
        {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
         "extra trust anchors, PEM (turns: servers and IdPs)", "FILE"},
        {"trust-idp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &trust_idp,
         "accept third-party assertions of IdP DOMAIN for identities in SUFFIX", "DOMAIN=SUFFIX"},
        {"relay-only", 0, 0, G_OPTION_ARG_NONE, &priv.relay_only,
         "TURN-only: only relay candidates, related addresses hidden "
         "(needs --turn)", NULL},
        {"turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turns,
         "TURN server (repeatable; turns: for TLS)",
         "turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]"},
        {"key-scope", 0, 0, G_OPTION_ARG_STRING, &priv.key_scope,
         "DTLS key pair: fresh for each call (default), or one per "
         "signaling origin kept in $XDG_DATA_HOME/sealcall/keys",
         "per-call|per-origin"},
        {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
         "DTLS certificate and its private key, both in this one PEM file "
         "(mode 0600; ECDSA P-256/P-384 or RSA >= 2048)",
         "FILE"},
        {"defer-ice", 0, 0, G_OPTION_ARG_NONE, &priv.defer_ice,
         "answerer: announce the call (event incoming) and reveal no "
         "address until it is accepted ({\"cmd\":\"accept\"}, or y at the "
         "prompt)", NULL},
        {"accept-timeout", 0, 0, G_OPTION_ARG_INT, &accept_timeout,
         "with --defer-ice: decline after S seconds without an answer "
         "(default 60; 0: wait forever)", "S"},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScEndpoint) ep = NULL;
    g_autoptr(GInputStream) stdin_stream = NULL;
    g_autofree char *summary = NULL;
    Cli cli = {0};
    int status;

    summary = g_strdup_printf(
        "%s\n\nEvents (--json): privacy signaling ice dtls channel message media "
        "bench inspector ended error incoming.\nCommands (--json, one JSON "
        "object per line): send {label,text|binary}, bench {bytes,chunk},\n  "
        "inspect, hangup, accept, decline (--defer-ice),\n  privacy "
        "{relay_only} (mid-call: ICE restart allowing direct candidates, "
        "or back to relay-only).\nInteractive: lines are chat; /inspect "
        "/bench /hangup /privacy direct|relay-only.\n"
        "Exit status: 0 after hangup or bye, 1 when the call fails, 2 for "
        "usage errors.",
        offerer ? "Calls the peer in a relay room: sends the offer when the "
                  "room has two participants."
                : "Waits in a relay room and answers the peer's offer.");
    octx = g_option_context_new(NULL);
    g_option_context_set_summary(octx, summary);
    g_option_context_set_description(
        octx,
        "End of input (--json or not) means no more commands: what was asked "
        "is\ncarried out first (a message sent before the call is up goes "
        "once its\nchannel opens; a bench runs to its end), then the call is "
        "hung up.\nUntil then the call goes on; if it ends first, each "
        "channel whose\nmessages were not sent gets an error event.");
    g_option_context_add_main_entries(octx, entries, NULL);
    cli_privacy_add_options(octx, &priv);
    parsed = g_option_context_parse(octx, &argc, &argv, &error);
    scrub_turn_args(argc_orig, orig_argv);
    if (!parsed) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_USAGE;
    }
    if (argc > 1) {
        fprintf(stderr, "sealcall %s: unexpected argument '%s'\n", argv[0],
                argv[1]);
        return CLI_EXIT_USAGE;
    }
    if ((idp_protocol != NULL || hint != NULL) && idp == NULL) {
        fprintf(stderr, "sealcall %s: --idp-protocol and --identity-hint "
                        "need --idp\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if (signal_url == NULL) {
        fprintf(stderr, "sealcall %s: --signal ws://HOST:PORT/room/NAME is "
                        "required\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if ((no_audio && audio_src != NULL) || (no_video && video_src != NULL)) {
        fprintf(stderr, "sealcall %s: --no-audio/--no-video contradict "
                        "--audio-src/--video-src\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    if (play && no_play) {
        fprintf(stderr, "sealcall %s: --play and --no-play contradict\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    /* -v raises the level to info; it must not lower SC_DEBUG=trace */
    if (verbose && g_strcmp0(g_getenv("SC_DEBUG"), "trace") != 0)
        sc_log_set_level(SC_LOG_LEVEL_INFO);
    sc_log_set_handler(log_to_stderr, NULL, NULL);

    ep = sc_endpoint_new(NULL, &error);
    if (ep == NULL) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_FAILURE;
    }
    cli.call = sc_call_new(ep, offerer ? SC_CALL_ROLE_OFFERER
                                       : SC_CALL_ROLE_ANSWERER,
                           &error);
    if (cli.call == NULL) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        return CLI_EXIT_FAILURE;
    }
    if (!sc_call_set_signal_url(cli.call, signal_url, &error) ||
        (stun != NULL && !sc_call_set_stun_server(cli.call, stun, &error)) ||
        (ice_max_pairs != -1 &&
         !sc_call_set_ice_max_pairs(
             cli.call, ice_max_pairs < 0 ? 0 : (guint)ice_max_pairs,
             &error)) ||
        !sc_call_set_media(cli.call, SC_MEDIA_TYPE_AUDIO, !no_audio,
                           audio_src, &error) ||
        !sc_call_set_media(cli.call, SC_MEDIA_TYPE_VIDEO, !no_video,
                           video_src, &error) ||
        !sc_call_set_record(cli.call, record, &error) ||
        !add_addresses(cli.call, addresses, &error) ||
        !sc_call_set_mdns(cli.call, mdns, &error) ||
        !add_turn_servers(cli.call, turns, ca, &error) ||
        !cli_identity_apply(cli.call, idp, idp_protocol, hint, peer_identity,
                            trust_idp, &error)) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    if (cert != NULL && priv.key_scope != NULL) {
        fprintf(stderr, "sealcall %s: --cert and --key-scope contradict (a "
                        "configured certificate is its own scope)\n",
                argv[0]);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* the privacy rule for this destination, with the command line,
     * applied and told to the user before anything is sent */
    if (!cli_privacy_decide(&priv, signal_url, !offerer, &error) ||
        !cli_privacy_apply(cli.call, &priv, !offerer, &error) ||
        !sc_call_set_privacy(cli.call, priv.decision, &error)) {
        /* quotes the privacy file, which may be someone else's */
        g_autofree char *safe =
            cli_sanitize(error->message, -1, CLI_SHOW_LOG_MAX, FALSE);
        fprintf(stderr, "sealcall %s: %s\n", argv[0], safe);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* the addresses of modes 2 and 3 are the default route's */
    if (addresses != NULL && (g_strcmp0(priv.ip_handling, "default-route") == 0 ||
                              g_strcmp0(priv.ip_handling,
                                        "default-route-only") == 0)) {
        fprintf(stderr, "sealcall %s: --ip-handling %s picks the addresses "
                        "itself: drop --ice-address\n",
                argv[0], priv.ip_handling);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* after the privacy decision: a rule may be what asks for relay-only */
    if (priv.relay_only &&
        ((turns == NULL || turns[0] == NULL) || stun != NULL)) {
        const char *rule = sc_privacy_decision_get(priv.decision, "rule");
        g_autofree char *who =
            strstr(priv.asked, "relay_only=true") != NULL
                ? g_strdup("--relay-only")
            : strstr(priv.asked, "require_unlinkable=true") != NULL ||
                    rule == NULL
                ? g_strdup("--require-unlinkable (it implies relay-only)")
                : g_strdup_printf("privacy rule '%s' asks for "
                                  "relay_only=true, which",
                                  rule);
        g_autofree char *safe = cli_sanitize(who, -1, CLI_SHOW_LOG_MAX, FALSE);
        if (turns == NULL || turns[0] == NULL)
            fprintf(stderr, "sealcall %s: %s needs a TURN server (--turn): "
                            "the call is refused rather than made without "
                            "it\n",
                    argv[0], safe);
        else
            fprintf(stderr, "sealcall %s: --stun with %s contacts no STUN "
                            "server: drop --stun\n",
                    argv[0], safe);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* after the privacy decision: a rule may be what defers ICE */
    if (accept_timeout != G_MININT &&
        (!priv.defer_ice || offerer ||
         !sc_call_set_accept_timeout(
             cli.call, accept_timeout < 0 ? G_MAXUINT : (guint)accept_timeout,
             &error))) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0],
                error != NULL ? error->message
                              : "--accept-timeout needs --defer-ice");
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    /* a privacy rule (not the built-in profile, whose "none" only means
     * that nothing is asserted unless --idp asks) that discloses no
     * identity refuses --idp */
    if (idp != NULL && g_strcmp0(priv.disclose_identity, "none") == 0 &&
        g_strcmp0(sc_privacy_decision_get(priv.decision, "matched"),
                  "built-in") != 0) {
        fprintf(stderr, "sealcall %s: the privacy rule says "
                        "disclose_identity=none: --idp is refused\n",
                argv[0]);
        sc_call_unref(cli.call);
        return CLI_EXIT_USAGE;
    }
    status = apply_certificate(cli.call, argv[0], &priv, cert);
    if (status != CLI_EXIT_OK) {
        sc_call_unref(cli.call);
        return status;
    }
    cli_privacy_announce(&priv, !offerer, json);
    sc_call_set_playback(cli.call, play || (!json && !no_play));
    cli.json = json;
    cli.idp = idp;
    cli.priv = &priv;
    cli.loop = g_main_loop_new(NULL, FALSE);
    cli.cancel = g_cancellable_new();
    cli.exit_status = CLI_EXIT_FAILURE;
    cli.used = g_ptr_array_new_with_free_func((GDestroyNotify)sc_channel_unref);
    cli.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sc_call_set_event_func(cli.call, on_event, &cli, NULL);
    /* the peer's benches (contract section 2) are answered */
    sc_call_enable_bench_receiver(cli.call);
    if (!sc_call_start(cli.call, &error)) {
        fprintf(stderr, "sealcall %s: %s\n", argv[0], error->message);
        sc_call_unref(cli.call);
        g_main_loop_unref(cli.loop);
        g_object_unref(cli.cancel);
        g_ptr_array_unref(cli.used);
        g_hash_table_unref(cli.seen);
        return CLI_EXIT_FAILURE;
    }
    stdin_stream = g_unix_input_stream_new(0, FALSE);
    cli.in = g_data_input_stream_new(stdin_stream);
    read_next_line(&cli);
    g_unix_signal_add(SIGINT, on_signal, &cli);
    g_unix_signal_add(SIGTERM, on_signal, &cli);

    g_main_loop_run(cli.loop);

    g_cancellable_cancel(cli.cancel);
    if (cli.grace_id != 0)
        g_source_remove(cli.grace_id);
    if (cli.recheck_id != 0)
        g_source_remove(cli.recheck_id);
    sc_call_set_event_func(cli.call, NULL, NULL, NULL);
    g_ptr_array_unref(cli.used);
    g_hash_table_unref(cli.seen);
    sc_call_unref(cli.call);
    /* drain what the cancelled read and the teardown left on the loop */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_object_unref(cli.in);
    g_object_unref(cli.cancel);
    g_main_loop_unref(cli.loop);
    return cli.exit_status;
}
