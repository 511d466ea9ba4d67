/* ui-cli/call-output.c - what `sealcall call|answer` prints in line mode and with
 * --json: events, errors and the inspector report.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

void
cli_print_line(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

void
cli_print_json_event(const char *event, const char *field, const char *value)
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
    cli_print_line(text);
}

void
cli_report_error(Cli *cli, const char *detail)
{
    if (cli->tui != NULL) {
        cli_tui_error(cli->tui, detail);
    } else if (cli->json) {
        cli_print_json_event("error", "detail", detail);
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

void
cli_print_event_human(const ScCallEvent *ev)
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
    case SC_CALL_EVENT_PRIVACY:
        cli_privacy_show(ev);
        break;
    default:
        break;
    }
    fflush(stdout);
}

void
cli_show_event(Cli *cli, const ScCallEvent *ev)
{
    if (cli->tui != NULL) {
        cli_tui_event(cli->tui, ev);
        return;
    }
    cli_print_event_human(ev);
    if (sc_call_event_get_kind(ev) == SC_CALL_EVENT_SIGNALING &&
        cli->idp != NULL &&
        g_strcmp0(sc_call_event_get_string(ev, "state"), "connected") == 0) {
        g_autofree char *idp =
            cli_sanitize(cli->idp, -1, CLI_SHOW_FIELD_MAX, FALSE);
        printf("* our identity asserted by %s\n", idp);
        fflush(stdout);
    }
}

void
cli_print_inspector(Cli *cli)
{
    g_autofree char *report = NULL;

    if (cli->tui != NULL) {
        cli_tui_inspector(cli->tui);
        return;
    }
    report = sc_call_inspect_json(cli->call);
    if (cli->json) {
        g_autofree char *line =
            g_strdup_printf("{\"event\":\"inspector\",\"report\":%s}", report);
        cli_print_line(line);
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
