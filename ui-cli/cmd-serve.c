/* ui-cli/cmd-serve.c - `sealcall serve`: run the signaling relay of interop
 * contract section 1 until SIGINT or SIGTERM. Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <sealcall/sealcall.h>

#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>

#define SERVE_DEFAULT_HOST "127.0.0.1"
#define SERVE_DEFAULT_PORT 8800
/* After SIGINT/SIGTERM the close frames (1001) go out at once; this grace
 * period lets the peers' close replies arrive before the process exits. */
#define SERVE_GRACE_MS 500

typedef struct {
    GMainLoop *loop;
    ScRelay *relay;
    guint grace_id;
    gboolean stopping;
} ServeState;

static gboolean
on_grace_over(gpointer data)
{
    ServeState *st = data;

    st->grace_id = 0;
    g_main_loop_quit(st->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
on_stop_signal(gpointer data)
{
    ServeState *st = data;

    if (st->stopping) {
        /* second signal: do not wait any longer */
        g_main_loop_quit(st->loop);
        return G_SOURCE_CONTINUE;
    }
    st->stopping = TRUE;
    sc_relay_close(st->relay);
    st->grace_id = g_timeout_add(SERVE_GRACE_MS, on_grace_over, st);
    return G_SOURCE_CONTINUE;
}

/* Writes @s as a JSON string body: the host is an IP address, but nothing
 * unescaped may ever reach the machine-readable stdout. */
static void
print_json_string(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        guchar ch = (guchar)*p;
        if (g_ascii_isalnum(ch) || ch == '.' || ch == ':' || ch == '-' ||
            ch == '_' || ch == '%')
            putchar(ch);
        else
            printf("\\u%04x", ch);
    }
}

/* Parses option @name's value @text (NULL: not given, *out untouched) as
 * an integer in [min, max]. FALSE with *message set otherwise. */
static gboolean
parse_limit(const char *name, const char *text, guint64 min, guint64 max,
            guint64 *out, char **message)
{
    if (text == NULL)
        return TRUE;
    if (g_ascii_string_to_unsigned(text, 10, min, max, out, NULL))
        return TRUE;
    *message = g_strdup_printf("%s must be a number from %" G_GUINT64_FORMAT
                               " to %" G_GUINT64_FORMAT ", not \"%s\"",
                               name, min, max, text);
    return FALSE;
}

static int
usage_error(const char *message)
{
    fprintf(stderr, "sealcall serve: %s (see sealcall serve --help)\n",
            message);
    return CLI_EXIT_USAGE;
}

int
cli_serve_main(int argc, char **argv)
{
    g_autofree char *host = NULL;
    g_autofree char *port_str = NULL;
    g_autofree char *max_conn_str = NULL;
    g_autofree char *max_rooms_str = NULL;
    g_autofree char *max_queued_str = NULL;
    g_autofree char *frame_rate_str = NULL;
    g_autofree char *frame_burst_str = NULL;
    g_autofree char *request_timeout_str = NULL;
    g_autofree char *idle_timeout_str = NULL;
    gboolean verbose = FALSE;
    gboolean test_hooks = FALSE;
    const GOptionEntry entries[] = {
        {"host", 0, 0, G_OPTION_ARG_STRING, &host,
         "IP address to listen on (default " SERVE_DEFAULT_HOST ")", "ADDR"},
        {"port", 0, 0, G_OPTION_ARG_STRING, &port_str,
         "TCP port to listen on, 0 for any free port (default 8800)", "N"},
        {"max-connections", 0, 0, G_OPTION_ARG_STRING, &max_conn_str,
         "most WebSocket connections at a time; more get HTTP 503; also "
         "most connections still in their HTTP request, apart (default "
         "1000)", "N"},
        {"max-rooms", 0, 0, G_OPTION_ARG_STRING, &max_rooms_str,
         "most rooms at a time; more get HTTP 503 (default 500)", "N"},
        {"max-queued", 0, 0, G_OPTION_ARG_STRING, &max_queued_str,
         "bytes that may wait to be sent on a connection; a connection that "
         "reads too slowly is closed with 4408 (default 1048576, at least "
         "262144)", "BYTES"},
        {"frame-rate", 0, 0, G_OPTION_ARG_STRING, &frame_rate_str,
         "frames per second a connection may send; faster is closed with "
         "4429 (default 50)", "N"},
        {"frame-burst", 0, 0, G_OPTION_ARG_STRING, &frame_burst_str,
         "frames a connection may send at once (default 200)", "N"},
        {"request-timeout", 0, 0, G_OPTION_ARG_STRING, &request_timeout_str,
         "seconds a connection has to complete an HTTP request or WebSocket "
         "upgrade; then it is closed (default 10)", "S"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &idle_timeout_str,
         "seconds a WebSocket connection may send nothing, not even a pong "
         "to the pings sent every third of it; then it is closed with 4408 "
         "(default 90, at least 3)", "S"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
         "log joins, leaves and dropped frames on stderr", NULL},
        {"test-hooks", 0, 0, G_OPTION_ARG_NONE, &test_hooks,
         "TESTS ONLY: also serve /test.html, a page that any relay room "
         "can read and drive (never on a relay that users reach)", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    guint64 port = SERVE_DEFAULT_PORT;
    guint64 max_conn = SC_RELAY_DEFAULT_MAX_CONNECTIONS;
    guint64 max_rooms = SC_RELAY_DEFAULT_MAX_ROOMS;
    guint64 max_queued = SC_RELAY_DEFAULT_MAX_QUEUED;
    guint64 frame_rate = SC_RELAY_DEFAULT_FRAME_RATE;
    guint64 request_timeout = SC_RELAY_DEFAULT_REQUEST_TIMEOUT;
    guint64 idle_timeout = SC_RELAY_DEFAULT_IDLE_TIMEOUT;
    guint64 frame_burst = SC_RELAY_DEFAULT_FRAME_BURST;
    g_autofree char *limit_msg = NULL;
    ServeState st = {0};
    guint sigint_id;
    guint sigterm_id;

    octx = g_option_context_new("- run a signaling relay");
    g_option_context_set_summary(
        octx,
        "Relays WebSocket signaling between the two participants of each\n"
        "room at ws://ADDR:N/room/NAME (interop contract section 1), and\n"
        "serves a web client at http://ADDR:N/ (?room=NAME&role=call|answer)\n"
        "so that a browser can call a sealcall user and be called by one.\n"
        "Once listening, prints one line on stdout:\n"
        "  {\"event\":\"listening\",\"host\":ADDR,\"port\":N}\n"
        "SIGINT or SIGTERM closes every connection (1001) and exits 0.\n"
        "The page's parameters: room=NAME (default demo), role=call|answer\n"
        "(default answer), audio=0, video=0, ice=ADDR (signal only the\n"
        "candidates on ADDR). It waits in the room until its user presses\n"
        "Join: a link alone never starts a call.\n"
        "Close codes: 4409 room full, 4408 too slow (the connection's send\n"
        "queue went over --max-queued), 4429 over --frame-rate, 4503 relay\n"
        "busy (connection or room limit hit during the upgrade).");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error))
        return usage_error(error->message);
    if (argc > 1) {
        g_autofree char *msg =
            g_strdup_printf("unexpected argument \"%s\"", argv[1]);
        return usage_error(msg);
    }
    if (port_str != NULL &&
        !g_ascii_string_to_unsigned(port_str, 10, 0, 65535, &port, NULL)) {
        g_autofree char *msg = g_strdup_printf(
            "--port must be a number from 0 to 65535, not \"%s\"", port_str);
        return usage_error(msg);
    }
    if (!parse_limit("--max-connections", max_conn_str, 1, G_MAXUINT,
                     &max_conn, &limit_msg) ||
        !parse_limit("--max-rooms", max_rooms_str, 1, G_MAXUINT, &max_rooms,
                     &limit_msg) ||
        !parse_limit("--max-queued", max_queued_str, SC_RELAY_MIN_MAX_QUEUED,
                     G_MAXUINT, &max_queued, &limit_msg) ||
        !parse_limit("--frame-rate", frame_rate_str, 1, G_MAXUINT,
                     &frame_rate, &limit_msg) ||
        !parse_limit("--frame-burst", frame_burst_str, 1, G_MAXUINT,
                     &frame_burst, &limit_msg) ||
        !parse_limit("--request-timeout", request_timeout_str, 1, 86400,
                     &request_timeout, &limit_msg) ||
        !parse_limit("--idle-timeout", idle_timeout_str, 3, 86400,
                     &idle_timeout, &limit_msg))
        return usage_error(limit_msg);
    if (host == NULL)
        host = g_strdup(SERVE_DEFAULT_HOST);
    if (verbose)
        sc_log_set_level(SC_LOG_LEVEL_INFO);

    st.relay = sc_relay_new(NULL, host, (guint16)port, &error);
    if (st.relay == NULL) {
        if (g_error_matches(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT))
            return usage_error(error->message);
        fprintf(stderr, "sealcall serve: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }
    if (test_hooks) {
        fputs("sealcall serve: WARNING: --test-hooks is for tests only: "
              "/test.html sends everything it sees, chat included, to any "
              "relay room its link names and obeys commands from there\n",
              stderr);
        sc_relay_set_test_page(st.relay, TRUE);
    }

    sc_relay_set_max_connections(st.relay, (guint)max_conn);
    sc_relay_set_max_rooms(st.relay, (guint)max_rooms);
    sc_relay_set_max_queued(st.relay, (gsize)max_queued);
    sc_relay_set_frame_rate(st.relay, (guint)frame_rate, (guint)frame_burst);
    sc_relay_set_request_timeout(st.relay, (guint)request_timeout);
    sc_relay_set_idle_timeout(st.relay, (guint)idle_timeout);

    st.loop = g_main_loop_new(NULL, FALSE);
    sigint_id = g_unix_signal_add(SIGINT, on_stop_signal, &st);
    sigterm_id = g_unix_signal_add(SIGTERM, on_stop_signal, &st);

    fputs("{\"event\":\"listening\",\"host\":\"", stdout);
    print_json_string(host);
    printf("\",\"port\":%u}\n", (unsigned)sc_relay_get_port(st.relay));
    fflush(stdout);

    g_main_loop_run(st.loop);

    g_source_remove(sigint_id);
    g_source_remove(sigterm_id);
    if (st.grace_id != 0)
        g_source_remove(st.grace_id);
    sc_relay_free(st.relay);
    /* let the connections finish closing their sockets */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_main_loop_unref(st.loop);
    return CLI_EXIT_OK;
}
