/* ui-cli/cmd-inspect.c - `sealcall inspect [--call PID] [--watch] [--json]`:
 * the security inspector report (interop contract section 4) of a
 * `sealcall call|answer` running in another terminal, read through its
 * control socket (control.c). The socket's directory must be ours (0700)
 * and the process behind the socket of our uid, so that nobody else can
 * show us a report of their making; what the report quotes from the peer
 * is sanitized for the terminal. Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* bytes of one line from the call: a report with 1024 channels of long
 * escaped labels fits */
#define INSPECT_MAX_LINE (16 * 1024 * 1024)
/* seconds to wait for a call's answer (not for --watch's reports) */
#define INSPECT_TIMEOUT 5
/* calls looked at in the directory */
#define INSPECT_MAX_CALLS 64

typedef struct {
    guint pid;
    GSocket *sock;
    GByteArray *buf;
    JsonNode *info; /* its answer to {"cmd":"info"} */
} Conn;

static void
conn_free(Conn *c)
{
    if (c->sock != NULL) {
        (void)g_socket_close(c->sock, NULL);
        g_object_unref(c->sock);
    }
    g_byte_array_unref(c->buf);
    if (c->info != NULL)
        json_node_unref(c->info);
    g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Conn, conn_free)

static void
usage(FILE *out)
{
    g_autofree char *dir = cli_control_dir();

    fprintf(out,
            "Usage: sealcall inspect [--call PID] [--watch] [--json]\n"
            "\n"
            "Prints the security inspector report of a 'sealcall call' or "
            "'sealcall answer'\nrunning as the same user (its control "
            "socket in %s).\n"
            "\n"
            "  --call PID   the call of process PID (needed when several "
            "run)\n"
            "  --watch      print the report again as the call changes (at "
            "most 5 a second)\n"
            "               until the call ends\n"
            "  --json       the report as one line of JSON (interop "
            "contract section 4),\n"
            "               unchanged; with --watch one line per report, "
            "then the call's\n"
            "               `ended` event\n"
            "\n"
            "Exit status: 0 the report was printed, or the watched call "
            "ended by hangup or\nbye; 1 no call is running (or not PID), it "
            "could not be reached, or the\nwatched call failed; 2 usage "
            "errors, and several calls running without --call\n(they are "
            "listed).\n",
            dir);
}

static gboolean
send_line(GSocket *s, const char *line, GError **error)
{
    g_autofree char *text = g_strconcat(line, "\n", NULL);
    gsize len = strlen(text), off = 0;

    while (off < len) {
        gssize n = g_socket_send(s, text + off, len - off, NULL, error);
        if (n < 0)
            return FALSE;
        off += (gsize)n;
    }
    return TRUE;
}

/* The next line from the call; NULL at end of stream (@error unset) or on
 * error. */
static char *
read_line(Conn *c, GError **error)
{
    for (;;) {
        guint8 *nl = c->buf->len > 0
                         ? memchr(c->buf->data, '\n', c->buf->len)
                         : NULL;
        char tmp[65536];
        gssize n;

        if (nl != NULL) {
            gsize len = (gsize)(nl - c->buf->data);
            char *line = g_strndup((const char *)c->buf->data, len);
            g_byte_array_remove_range(c->buf, 0, (guint)len + 1);
            return line;
        }
        if (c->buf->len > INSPECT_MAX_LINE) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                        "the call sent a line over %d bytes",
                        INSPECT_MAX_LINE);
            return NULL;
        }
        n = g_socket_receive(c->sock, tmp, sizeof tmp, NULL, error);
        if (n <= 0)
            return NULL;
        g_byte_array_append(c->buf, (const guint8 *)tmp, (guint)n);
    }
}

/* Connects to the call of @pid; NULL with @error (G_IO_ERROR_NOT_FOUND
 * when no such call runs: a stale socket is removed). */
static Conn *
conn_open(const char *dir, guint pid, GError **error)
{
    g_autofree char *path = g_strdup_printf("%s/call-%u.sock", dir, pid);
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GCredentials) cred = NULL;
    g_autoptr(Conn) c = g_new0(Conn, 1);
    g_autoptr(GError) err = NULL;
    uid_t uid;

    c->pid = pid;
    c->buf = g_byte_array_new();
    c->sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_DEFAULT, error);
    if (c->sock == NULL)
        return NULL;
    g_socket_set_timeout(c->sock, INSPECT_TIMEOUT);
    if (!g_socket_connect(c->sock, addr, NULL, &err)) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)) {
            /* nobody listens (renamed into place only once listening):
             * its process is gone and left it behind */
            (void)unlink(path);
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "no call with PID %u is running (removed its stale "
                        "socket)",
                        pid);
        } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "no call with PID %u is running", pid);
        } else {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                        "cannot reach the call of PID %u: %s", pid,
                        err->message);
        }
        return NULL;
    }
    /* the process behind the socket must be of our uid too */
    cred = g_socket_get_credentials(c->sock, &err);
    uid = cred != NULL ? g_credentials_get_unix_user(cred, NULL) : (uid_t)-1;
    if (cred == NULL || uid != geteuid()) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is not held by a process of uid %u: not asked",
                    path, (guint)geteuid());
        return NULL;
    }
    return g_steal_pointer(&c);
}

/* Sends @cmd and reads one line of JSON object; NULL with @error. */
static JsonNode *
ask(Conn *c, const char *cmd, char **raw, GError **error)
{
    g_autofree char *req = g_strdup_printf("{\"cmd\":\"%s\"}", cmd);
    g_autofree char *line = NULL;
    g_autoptr(JsonParser) p = json_parser_new();
    JsonNode *root;

    if (!send_line(c->sock, req, error))
        return NULL;
    line = read_line(c, error);
    if (line == NULL) {
        if (error != NULL && *error == NULL)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                        "the call of PID %u closed the connection", c->pid);
        return NULL;
    }
    if (!json_parser_load_from_data(p, line, -1, NULL) ||
        (root = json_parser_get_root(p)) == NULL ||
        !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "the call of PID %u answered something that is not a "
                    "JSON object",
                    c->pid);
        return NULL;
    }
    if (json_object_has_member(json_node_get_object(root), "error")) {
        g_autofree char *why = cli_sanitize(
            json_object_get_string_member_with_default(
                json_node_get_object(root), "error", "?"),
            -1, CLI_SHOW_FIELD_MAX, FALSE);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "the call of PID %u refused: %s", c->pid, why);
        return NULL;
    }
    if (raw != NULL)
        *raw = g_steal_pointer(&line);
    return json_node_ref(root);
}

/* The report as indented JSON, safe for a terminal (json-glib escapes C0
 * controls, not C1, bidi overrides or line separators). FALSE when stdout
 * is gone (GIO ignores SIGPIPE: `--watch | head` would go on forever). */
static gboolean
print_report(JsonNode *root, const char *raw, gboolean json)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *pretty = NULL;
    g_autofree char *safe = NULL;

    if (json) {
        printf("%s\n", raw);
        return fflush(stdout) == 0;
    }
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, root);
    pretty = json_generator_to_data(gen, NULL);
    safe = cli_sanitize(pretty, -1, G_MAXINT, TRUE);
    printf("%s\n", safe);
    return fflush(stdout) == 0;
}

static const char *
info_str(Conn *c, const char *name, const char *def)
{
    return json_object_get_string_member_with_default(
        json_node_get_object(c->info), name, def);
}

static void
print_list(GPtrArray *conns, gboolean json)
{
    if (!json)
        printf("%-8s %-7s %-21s %-24s %s\n", "PID", "ROLE", "STARTED",
               "PEER", "SIGNAL");
    for (guint i = 0; i < conns->len; i++) {
        Conn *c = conns->pdata[i];
        if (json) {
            g_autofree char *line = json_to_string(c->info, FALSE);
            printf("%s\n", line);
            continue;
        }
        /* the peer's identity (verified) and the room URL are not ours */
        g_autofree char *role =
            cli_sanitize(info_str(c, "role", "?"), -1, 16, FALSE);
        g_autofree char *started =
            cli_sanitize(info_str(c, "started", "?"), -1, 32, FALSE);
        g_autofree char *peer = cli_sanitize(
            info_str(c, "peer_identity", "(not verified)"), -1,
            CLI_SHOW_FIELD_MAX, FALSE);
        g_autofree char *signal = cli_sanitize(
            info_str(c, "signal", "?"), -1, CLI_SHOW_FIELD_MAX, FALSE);
        printf("%-8u %-7s %-21s %-24s %s\n", c->pid, role, started, peer,
               signal);
    }
    fflush(stdout);
}

/* Every call running in @dir, each with its info; stale sockets are
 * removed on the way. */
static GPtrArray *
find_calls(const char *dir)
{
    GPtrArray *conns = g_ptr_array_new_with_free_func((GDestroyNotify)conn_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(guint));
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL &&
           pids->len < INSPECT_MAX_CALLS) {
        guint pid;
        if (cli_control_parse_name(name, &pid))
            g_array_append_val(pids, pid);
    }
    for (guint i = 0; i < pids->len; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(Conn) c =
            conn_open(dir, g_array_index(pids, guint, i), &error);
        if (c != NULL)
            c->info = ask(c, "info", NULL, &error);
        if (c == NULL || c->info == NULL) {
            if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
                fprintf(stderr, "sealcall inspect: %s\n", error->message);
            continue;
        }
        g_ptr_array_add(conns, g_steal_pointer(&c));
    }
    return conns;
}

/* --watch: reports until the call ends; the exit status says how. */
static int
watch(Conn *c, gboolean json)
{
    g_autoptr(GError) error = NULL;

    g_socket_set_timeout(c->sock, 0); /* a quiet call sends nothing */
    if (!send_line(c->sock, "{\"cmd\":\"watch\"}", &error)) {
        fprintf(stderr, "sealcall inspect: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }
    for (;;) {
        g_autofree char *line = read_line(c, &error);
        g_autoptr(JsonParser) p = json_parser_new();
        JsonNode *root;
        JsonObject *o;

        if (line == NULL) {
            fprintf(stderr, "sealcall inspect: the call of PID %u %s\n",
                    c->pid,
                    error != NULL ? error->message
                                  : "closed its control connection before "
                                    "the call ended (the process died?)");
            return CLI_EXIT_FAILURE;
        }
        if (!json_parser_load_from_data(p, line, -1, NULL) ||
            (root = json_parser_get_root(p)) == NULL ||
            !JSON_NODE_HOLDS_OBJECT(root)) {
            fprintf(stderr, "sealcall inspect: the call of PID %u sent "
                            "something that is not a JSON object\n",
                    c->pid);
            return CLI_EXIT_FAILURE;
        }
        o = json_node_get_object(root);
        if (json_object_has_member(o, "error")) {
            g_autofree char *why = cli_sanitize(
                json_object_get_string_member_with_default(o, "error", "?"),
                -1, CLI_SHOW_FIELD_MAX, FALSE);
            fprintf(stderr, "sealcall inspect: the call of PID %u refused: "
                            "%s\n",
                    c->pid, why);
            return CLI_EXIT_FAILURE;
        }
        if (g_strcmp0(json_object_get_string_member_with_default(o, "event",
                                                                 NULL),
                      "ended") == 0) {
            const char *reason =
                json_object_get_string_member_with_default(o, "reason", "?");
            gboolean ok = g_strcmp0(reason, "hangup") == 0 ||
                          g_strcmp0(reason, "bye") == 0;
            if (json) {
                printf("%s\n", line);
            } else {
                g_autofree char *r =
                    cli_sanitize(reason, -1, CLI_SHOW_FIELD_MAX, FALSE);
                g_autofree char *d = cli_sanitize(
                    json_object_get_string_member_with_default(o, "detail",
                                                               ""),
                    -1, CLI_SHOW_FIELD_MAX, FALSE);
                printf("* call ended: %s (%s)\n", r, d);
            }
            fflush(stdout);
            return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        }
        if (!json) {
            g_autoptr(GDateTime) now = g_date_time_new_now_local();
            g_autofree char *t = g_date_time_format(now, "%H:%M:%S");
            printf("--- security inspector of PID %u at %s ---\n", c->pid, t);
        }
        if (!print_report(root, line, json))
            return CLI_EXIT_FAILURE;
    }
}

int
cli_inspect_main(int argc, char **argv)
{
    gint pid = 0;
    gboolean follow = FALSE, json = FALSE, help = FALSE;
    GOptionEntry entries[] = {
        {"call", 0, 0, G_OPTION_ARG_INT, &pid, "the call of process PID",
         "PID"},
        {"watch", 0, 0, G_OPTION_ARG_NONE, &follow,
         "follow the report until the call ends", NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, "one line of JSON", NULL},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &help, "this help", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) octx = g_option_context_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = cli_control_dir();
    g_autoptr(GPtrArray) conns = NULL;
    g_autoptr(Conn) c = NULL;
    g_autoptr(JsonNode) report = NULL;
    g_autofree char *raw = NULL;
    struct stat st;

    g_option_context_set_help_enabled(octx, FALSE);
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "sealcall inspect: %s\n", error->message);
        return CLI_EXIT_USAGE;
    }
    if (help) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 || pid < 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (lstat(dir, &st) != 0 && errno == ENOENT) {
        fprintf(stderr, "sealcall inspect: no call is running (%s does not "
                        "exist)\n",
                dir);
        return CLI_EXIT_FAILURE;
    }
    if (!cli_control_dir_check(dir, FALSE, &error)) {
        fprintf(stderr, "sealcall inspect: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }
    if (pid > 0) {
        c = conn_open(dir, (guint)pid, &error);
        if (c == NULL) {
            fprintf(stderr, "sealcall inspect: %s\n", error->message);
            return CLI_EXIT_FAILURE;
        }
    } else {
        conns = find_calls(dir);
        if (conns->len == 0) {
            fprintf(stderr, "sealcall inspect: no call is running (no "
                            "control socket in %s)\n",
                    dir);
            return CLI_EXIT_FAILURE;
        }
        if (conns->len > 1) {
            fprintf(stderr, "sealcall inspect: %u calls are running; choose "
                            "one with --call PID:\n",
                    conns->len);
            print_list(conns, json);
            return CLI_EXIT_USAGE;
        }
        c = g_ptr_array_steal_index(conns, 0);
    }
    if (follow)
        return watch(c, json);
    report = ask(c, "inspect", &raw, &error);
    if (report == NULL) {
        fprintf(stderr, "sealcall inspect: %s\n", error->message);
        return CLI_EXIT_FAILURE;
    }
    if (!json)
        printf("security inspector of PID %u:\n", c->pid);
    return print_report(report, raw, json) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
