/* ui-cli/control.c - the control socket of a running `sealcall call|answer`,
 * through which `sealcall inspect` (cmd-inspect.c) reads the security
 * inspector report (interop contract section 4) from another terminal.
 *
 * A Unix stream socket, CONTROL_DIR/call-PID.sock (cli_control_dir():
 * $XDG_RUNTIME_DIR/sealcall, else /tmp/sealcall-UID), mode 0600 in a
 * directory of ours with mode 0700; only a peer of our own uid
 * (SO_PEERCRED) is served. Line-delimited JSON (README, "Inspecting a
 * running call"): {"cmd":"inspect"} answers the report line,
 * {"cmd":"info"} a line that tells the calls apart, {"cmd":"watch"} a
 * report line after call events (at most 5 a second) and, when the call
 * ends, the report and the call's `ended` event.
 *
 * The call must never wait for a control client: every socket is
 * non-blocking and served at low priority, a few clients at once, requests
 * bounded in size and rate, and a client that does not read what is
 * queued for it is dropped.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* clients connected at once; more are told "busy" and closed */
#define CONTROL_MAX_CLIENTS 4
/* pending connections the kernel keeps for us */
#define CONTROL_BACKLOG 8
/* connections taken per wake-up, so that a flood cannot hold the loop */
#define CONTROL_ACCEPTS_PER_WAKE 16
/* bytes of one request line */
#define CONTROL_MAX_REQUEST 1024
/* requests per second per client (and the burst) */
#define CONTROL_RATE 10
/* bytes queued for one client: a report with 1024 channels of long,
 * escaped labels fits, twice */
#define CONTROL_MAX_QUEUED (16 * 1024 * 1024)
/* a client that reads nothing of its queue, or asks nothing, for this
 * long is dropped (a watcher is exempt from the second) */
#define CONTROL_STALL_US (10 * G_USEC_PER_SEC)
/* watchers get at most one report per this interval */
#define CONTROL_WATCH_INTERVAL_US (200 * 1000)

typedef struct Client Client;

struct CliControl {
    ScCall *call;            /* borrowed: the call outlives us */
    char *path;              /* CONTROL_DIR/call-PID.sock */
    GSocket *listener;
    GSource *accept_src;
    guint housekeeping_id;
    GList *clients;          /* Client */
    guint n_clients;
    char *role;              /* "call" / "answer" */
    char *signal;            /* the room URL without userinfo or query */
    gint64 started;          /* unix seconds */
    gboolean watch_due;      /* an event came since the last round */
    guint watch_timer;
    gint64 last_round_us;
    char *ended_line;        /* the call's `ended` event, once it ended */
    gboolean told_refused;   /* a stranger's connection was logged */
};

struct Client {
    CliControl *ctl;
    GSocket *sock;
    GSource *in_src;
    GSource *out_src;
    GByteArray *in;          /* a request line being read */
    GByteArray *out;         /* queued for the client */
    gsize out_off;
    gboolean watching;
    gboolean dirty;          /* a report is due once the queue drains */
    gboolean closing;        /* close once the queue drained */
    double tokens;           /* request rate: token bucket */
    gint64 tokens_us;
    gint64 last_request_us;
    gint64 last_progress_us; /* the client last took bytes from us */
};

static void client_free(Client *c);
static void client_flush(Client *c);

/* ---- the directory ---- */

char *
cli_control_dir(void)
{
    const char *run = g_getenv("XDG_RUNTIME_DIR");

    if (run != NULL && g_path_is_absolute(run))
        return g_build_filename(run, "sealcall", NULL);
    return g_strdup_printf("/tmp/sealcall-%u", (guint)geteuid());
}

/* @dir's parent must not let others swap @dir after we checked it: ours or
 * root's, and sticky if others may write to it (/tmp). */
static gboolean
parent_is_safe(const char *dir, GError **error)
{
    g_autofree char *parent = g_path_get_dirname(dir);
    struct stat st;

    if (lstat(parent, &st) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "%s: %s", parent, g_strerror(errno));
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode) ||
        (st.st_uid != geteuid() && st.st_uid != 0) ||
        ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
         (st.st_mode & S_ISVTX) == 0)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is not a directory that only we or root can change "
                    "(or a sticky one, like /tmp)",
                    parent);
        return FALSE;
    }
    return TRUE;
}

gboolean
cli_control_dir_check(const char *dir, gboolean create, GError **error)
{
    struct stat st;

    if (!parent_is_safe(dir, error))
        return FALSE;
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "cannot create %s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    if (lstat(dir, &st) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "%s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    /* lstat: a symlink is not a directory */
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is not a directory of uid %u with mode 0700 (owner "
                    "%u, mode %04o%s): refusing to use it",
                    dir, (guint)geteuid(), (guint)st.st_uid,
                    (guint)(st.st_mode & 07777),
                    S_ISLNK(st.st_mode) ? ", a symlink" : "");
        return FALSE;
    }
    return TRUE;
}

gboolean
cli_control_parse_name(const char *name, guint *pid)
{
    guint64 v;
    g_autofree char *digits = NULL;

    if (strlen(name) < 11 || !g_str_has_prefix(name, "call-") ||
        !g_str_has_suffix(name, ".sock"))
        return FALSE;
    digits = g_strndup(name + 5, strlen(name) - 5 - 5);
    if (!g_ascii_string_to_unsigned(digits, 10, 1, G_MAXINT, &v, NULL))
        return FALSE;
    *pid = (guint)v;
    return TRUE;
}

/* Whether nothing listens on @path any more: its process died (a crash,
 * SIGKILL) and left it behind. */
gboolean
cli_control_is_stale(const char *path)
{
    g_autoptr(GSocket) s =
        g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                     G_SOCKET_PROTOCOL_DEFAULT, NULL);
    g_autoptr(GSocketAddress) a = g_unix_socket_address_new(path);
    g_autoptr(GError) error = NULL;

    if (s == NULL)
        return FALSE;
    g_socket_set_blocking(s, FALSE);
    if (g_socket_connect(s, a, NULL, &error))
        return FALSE;
    return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* The sockets of processes that are gone; only ours can be in @dir. */
static void
remove_stale(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint seen = 0;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL && seen++ < 256) {
        guint pid;
        g_autofree char *path = NULL;

        if (!cli_control_parse_name(name, &pid) || pid == (guint)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        path = g_build_filename(dir, name, NULL);
        if (cli_control_is_stale(path))
            (void)unlink(path);
    }
}

/* ---- output ---- */

static void
clear_source(GSource **src)
{
    if (*src == NULL)
        return;
    g_source_destroy(*src);
    g_clear_pointer(src, g_source_unref);
}

static void
close_later(Client *c)
{
    c->closing = TRUE;
    clear_source(&c->in_src);
    client_flush(c);
}

/* Queues @line and a newline for @c; a client over the bound is dropped.
 * FALSE when @c was freed. */
static gboolean
queue_line(Client *c, const char *line)
{
    gsize len = strlen(line);

    if (c->out->len - c->out_off + len + 1 > CONTROL_MAX_QUEUED) {
        client_free(c);
        return FALSE;
    }
    if (c->out->len == c->out_off)
        c->last_progress_us = g_get_monotonic_time();
    g_byte_array_append(c->out, (const guint8 *)line, (guint)len);
    g_byte_array_append(c->out, (const guint8 *)"\n", 1);
    return TRUE;
}

/* {"error":WHAT}; @what is ours, with nothing to escape. FALSE when @c
 * was freed. */
static gboolean
queue_error(Client *c, const char *what)
{
    g_autofree char *line = g_strdup_printf("{\"error\":\"%s\"}", what);

    return queue_line(c, line);
}

/* A watcher's report (@report, or made now when NULL); after the end, the
 * `ended` event follows and the connection closes. FALSE when @c was
 * freed. */
static gboolean
queue_watch(Client *c, const char *report)
{
    g_autofree char *made = NULL;

    if (report == NULL)
        report = made = sc_call_inspect_json(c->ctl->call);
    c->dirty = FALSE;
    if (!queue_line(c, report))
        return FALSE;
    if (c->ctl->ended_line != NULL) {
        if (!queue_line(c, c->ctl->ended_line))
            return FALSE;
        c->closing = TRUE;
    }
    return TRUE;
}

static gboolean
on_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
    Client *c = data;

    (void)sock;
    (void)cond;
    g_clear_pointer(&c->out_src, g_source_unref);
    client_flush(c);
    return G_SOURCE_REMOVE;
}

/* Writes what the socket takes now, never waiting. Frees @c when it
 * failed, or when it was closing and everything went out. */
static void
client_flush(Client *c)
{
    while (c->out_off < c->out->len) {
        g_autoptr(GError) error = NULL;
        gssize n = g_socket_send(c->sock,
                                 (const char *)c->out->data + c->out_off,
                                 c->out->len - c->out_off, NULL, &error);
        if (n < 0 &&
            g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            if (c->out_src == NULL) {
                c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
                g_source_set_priority(c->out_src, G_PRIORITY_LOW);
                g_source_set_callback(c->out_src,
                                      (GSourceFunc)(void (*)(void))on_writable,
                                      c, NULL);
                g_source_attach(c->out_src, NULL);
            }
            return;
        }
        if (n <= 0) {
            client_free(c);
            return;
        }
        c->out_off += (gsize)n;
        c->last_progress_us = g_get_monotonic_time();
    }
    g_byte_array_set_size(c->out, 0);
    c->out_off = 0;
    if (c->dirty && c->watching && !c->closing) {
        if (!queue_watch(c, NULL))
            return;
        client_flush(c);
        return;
    }
    if (c->closing)
        client_free(c);
}

/* ---- watch rounds ---- */

static gboolean on_watch_timer(gpointer data);

static void
watch_round(CliControl *ctl)
{
    GList *l = ctl->clients;
    g_autofree char *report = NULL; /* one for every watcher of the round */

    ctl->watch_due = FALSE;
    ctl->last_round_us = g_get_monotonic_time();
    while (l != NULL) {
        Client *c = l->data;
        l = l->next; /* @c may be freed */
        if (!c->watching || c->closing)
            continue;
        if (c->out->len > c->out_off) {
            c->dirty = TRUE; /* coalesced: sent when the queue drains */
            continue;
        }
        if (report == NULL)
            report = sc_call_inspect_json(ctl->call);
        if (queue_watch(c, report))
            client_flush(c);
    }
}

static void
schedule_round(CliControl *ctl)
{
    gint64 wait = ctl->last_round_us + CONTROL_WATCH_INTERVAL_US -
                  g_get_monotonic_time();

    ctl->watch_due = TRUE;
    if (ctl->watch_timer != 0)
        return;
    /* never from inside the call's event function: from the loop */
    ctl->watch_timer = g_timeout_add_full(
        G_PRIORITY_LOW, wait > 0 ? (guint)(wait / 1000) : 0, on_watch_timer,
        ctl, NULL);
}

static gboolean
on_watch_timer(gpointer data)
{
    CliControl *ctl = data;

    ctl->watch_timer = 0;
    watch_round(ctl);
    return G_SOURCE_REMOVE;
}

void
cli_control_notify(CliControl *ctl, const ScCallEvent *ev)
{
    gboolean watched = FALSE;

    if (ctl == NULL)
        return;
    if (sc_call_event_get_kind(ev) == SC_CALL_EVENT_ENDED &&
        ctl->ended_line == NULL)
        ctl->ended_line = sc_call_event_to_json(ev);
    for (GList *l = ctl->clients; l != NULL; l = l->next)
        watched = watched || ((Client *)l->data)->watching;
    if (watched)
        schedule_round(ctl);
}

/* ---- requests ---- */

static char *
info_line(CliControl *ctl)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(ctl->started);
    g_autofree char *started = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
    const char *peer = sc_call_get_peer_identity(ctl->call);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "pid");
    json_builder_add_int_value(b, getpid());
    json_builder_set_member_name(b, "role");
    json_builder_add_string_value(b, ctl->role);
    json_builder_set_member_name(b, "signal");
    json_builder_add_string_value(b, ctl->signal);
    json_builder_set_member_name(b, "started");
    json_builder_add_string_value(b, started);
    json_builder_set_member_name(b, "peer_identity");
    if (peer != NULL)
        json_builder_add_string_value(b, peer);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "ended");
    json_builder_add_boolean_value(b, ctl->ended_line != NULL);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    return json_to_string(root, FALSE);
}

/* Takes one request token; FALSE when the client asks too fast. */
static gboolean
take_token(Client *c)
{
    gint64 now = g_get_monotonic_time();

    c->tokens = MIN((double)CONTROL_RATE,
                    c->tokens + (double)(now - c->tokens_us) *
                                    CONTROL_RATE / G_USEC_PER_SEC);
    c->tokens_us = now;
    c->last_request_us = now;
    if (c->tokens < 1.0)
        return FALSE;
    c->tokens -= 1.0;
    return TRUE;
}

/* FALSE when @c was freed or is closing. */
static gboolean
handle_request(Client *c, const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;
    const char *cmd = NULL;

    if (!take_token(c)) {
        if (queue_error(c, "too many requests (at most 10 a second)"))
            close_later(c);
        return FALSE;
    }
    if (json_parser_load_from_data(parser, line, -1, NULL) &&
        (root = json_parser_get_root(parser)) != NULL &&
        JSON_NODE_HOLDS_OBJECT(root))
        cmd = json_object_get_string_member_with_default(
            json_node_get_object(root), "cmd", NULL);
    if (g_strcmp0(cmd, "inspect") == 0) {
        g_autofree char *report = sc_call_inspect_json(c->ctl->call);
        if (!queue_line(c, report))
            return FALSE;
    } else if (g_strcmp0(cmd, "info") == 0) {
        g_autofree char *info = info_line(c->ctl);
        if (!queue_line(c, info))
            return FALSE;
    } else if (g_strcmp0(cmd, "watch") == 0) {
        if (!c->watching) {
            c->watching = TRUE;
            if (c->out->len > c->out_off)
                c->dirty = TRUE;
            else if (!queue_watch(c, NULL))
                return FALSE;
        }
    } else {
        return queue_error(c, "a request is one line: {\\\"cmd\\\":"
                              "\\\"inspect\\\"} (or watch, info)");
    }
    return TRUE;
}

static gboolean
on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    Client *c = data;
    char buf[2048];
    g_autoptr(GError) error = NULL;
    gssize n;
    guint8 *nl;

    (void)cond;
    n = g_socket_receive(sock, buf, sizeof buf, NULL, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
    if (n <= 0) {
        /* the client closed (its write side): what is queued still goes */
        g_clear_pointer(&c->in_src, g_source_unref);
        c->watching = FALSE;
        c->closing = TRUE;
        client_flush(c);
        return G_SOURCE_REMOVE;
    }
    g_byte_array_append(c->in, (const guint8 *)buf, (guint)n);
    for (;;) {
        g_autofree char *line = NULL;
        gsize len;

        nl = c->in->len > 0 ? memchr(c->in->data, '\n', c->in->len) : NULL;
        len = nl != NULL ? (gsize)(nl - c->in->data) : c->in->len;
        if (len > CONTROL_MAX_REQUEST) {
            if (queue_error(c, "request too long (at most 1024 bytes)"))
                close_later(c);
            return G_SOURCE_REMOVE;
        }
        if (nl == NULL)
            break;
        line = g_strndup((const char *)c->in->data, len);
        g_byte_array_remove_range(c->in, 0, (guint)len + 1);
        /* FALSE: @c is freed or closing (its source destroyed) */
        if (!handle_request(c, g_strstrip(line)))
            return G_SOURCE_REMOVE;
    }
    client_flush(c);
    return G_SOURCE_CONTINUE;
}

/* ---- clients ---- */

static void
client_free(Client *c)
{
    CliControl *ctl = c->ctl;

    clear_source(&c->in_src);
    clear_source(&c->out_src);
    (void)g_socket_close(c->sock, NULL);
    g_object_unref(c->sock);
    g_byte_array_unref(c->in);
    g_byte_array_unref(c->out);
    ctl->clients = g_list_remove(ctl->clients, c);
    ctl->n_clients--;
    g_free(c);
}

/* An accepted connection we do not serve: a short reason if the socket
 * takes it now, then closed. */
static void
turn_away(GSocket *s, const char *line)
{
    if (line != NULL)
        (void)g_socket_send(s, line, strlen(line), NULL, NULL);
    (void)g_socket_close(s, NULL);
}

static void
accept_one(CliControl *ctl, GSocket *s)
{
    g_autoptr(GCredentials) cred = g_socket_get_credentials(s, NULL);
    uid_t uid = cred != NULL ? g_credentials_get_unix_user(cred, NULL)
                             : (uid_t)-1;
    Client *c;

    g_socket_set_blocking(s, FALSE);
    /* SO_PEERCRED: the uid of the process that connected. The directory
     * (0700) and the socket (0600) keep others out already; a process
     * that gets past them (root's capabilities) is still not served. */
    if (cred == NULL || uid != geteuid()) {
        if (!ctl->told_refused)
            fprintf(stderr, "sealcall: control socket: refused a connection "
                            "from uid %ld (only uid %u is served)\n",
                    cred != NULL ? (long)uid : -1L, (guint)geteuid());
        ctl->told_refused = TRUE;
        turn_away(s, NULL);
        return;
    }
    if (ctl->n_clients >= CONTROL_MAX_CLIENTS) {
        turn_away(s, "{\"error\":\"busy: 4 control clients are connected\"}"
                     "\n");
        return;
    }
    c = g_new0(Client, 1);
    c->ctl = ctl;
    c->sock = g_object_ref(s);
    c->in = g_byte_array_new();
    c->out = g_byte_array_new();
    c->tokens = CONTROL_RATE;
    c->tokens_us = c->last_request_us = c->last_progress_us =
        g_get_monotonic_time();
    c->in_src = g_socket_create_source(s, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_priority(c->in_src, G_PRIORITY_LOW);
    g_source_set_callback(c->in_src, (GSourceFunc)(void (*)(void))on_readable,
                          c, NULL);
    g_source_attach(c->in_src, NULL);
    ctl->clients = g_list_prepend(ctl->clients, c);
    ctl->n_clients++;
}

static gboolean
on_accept(GSocket *listener, GIOCondition cond, gpointer data)
{
    CliControl *ctl = data;

    (void)cond;
    for (guint i = 0; i < CONTROL_ACCEPTS_PER_WAKE; i++) {
        g_autoptr(GSocket) s = g_socket_accept(listener, NULL, NULL);
        if (s == NULL)
            break; /* would block, or the peer left already */
        accept_one(ctl, s);
    }
    return G_SOURCE_CONTINUE;
}

/* Drops clients that read nothing of their queue, and idle ones that
 * ask nothing, for CONTROL_STALL_US. */
static gboolean
on_housekeeping(gpointer data)
{
    CliControl *ctl = data;
    gint64 now = g_get_monotonic_time();
    GList *l = ctl->clients;

    while (l != NULL) {
        Client *c = l->data;
        l = l->next;
        if ((c->out->len > c->out_off &&
             now - c->last_progress_us > CONTROL_STALL_US) ||
            (c->out->len == c->out_off && !c->watching &&
             now - c->last_request_us > CONTROL_STALL_US))
            client_free(c);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- start and stop ---- */

/* The room URL as shown to `sealcall inspect`: no userinfo, query or
 * fragment. */
static char *
shown_signal(const char *url)
{
    g_autoptr(GUri) u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);

    if (u == NULL)
        return g_strdup("?");
    return g_uri_join(G_URI_FLAGS_NONE, g_uri_get_scheme(u), NULL,
                      g_uri_get_host(u), g_uri_get_port(u), g_uri_get_path(u),
                      NULL, NULL);
}

static gboolean
listen_at(CliControl *ctl, const char *dir, GError **error)
{
    g_autofree char *tmp =
        g_strdup_printf("%s/.call-%d.tmp", dir, (int)getpid());
    g_autoptr(GSocketAddress) addr = NULL;
    struct sockaddr_un sun;

    ctl->path = g_strdup_printf("%s/call-%d.sock", dir, (int)getpid());
    if (strlen(tmp) >= sizeof sun.sun_path) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                    "%s: the path is too long for a Unix socket", ctl->path);
        return FALSE;
    }
    /* both named after our PID: what is there was left by a process
     * that had it before */
    (void)unlink(tmp);
    (void)unlink(ctl->path);
    ctl->listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, error);
    if (ctl->listener == NULL)
        return FALSE;
    addr = g_unix_socket_address_new(tmp);
    g_socket_set_listen_backlog(ctl->listener, CONTROL_BACKLOG);
    /* bound under a temporary name and renamed once listening, so that a
     * connection refused at CONTROL_DIR/call-PID.sock always means a
     * stale socket; the directory (0700) keeps others out meanwhile */
    if (!g_socket_bind(ctl->listener, addr, FALSE, error))
        return FALSE;
    if (chmod(tmp, 0600) != 0 || !g_socket_listen(ctl->listener, error) ||
        rename(tmp, ctl->path) != 0) {
        if (error != NULL && *error == NULL)
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                        "%s: %s", ctl->path, g_strerror(errno));
        (void)unlink(tmp);
        return FALSE;
    }
    g_socket_set_blocking(ctl->listener, FALSE);
    return TRUE;
}

CliControl *
cli_control_start(ScCall *call, const char *role, const char *signal_url)
{
    g_autofree char *dir = cli_control_dir();
    g_autoptr(GError) error = NULL;
    CliControl *ctl;

    if (!cli_control_dir_check(dir, TRUE, &error)) {
        fprintf(stderr, "sealcall %s: control socket disabled (`sealcall "
                        "inspect` will not see this call): %s\n",
                role, error->message);
        return NULL;
    }
    remove_stale(dir);
    ctl = g_new0(CliControl, 1);
    ctl->call = call;
    ctl->role = g_strdup(role);
    ctl->signal = shown_signal(signal_url);
    ctl->started = g_get_real_time() / G_USEC_PER_SEC;
    if (!listen_at(ctl, dir, &error)) {
        fprintf(stderr, "sealcall %s: control socket disabled (`sealcall "
                        "inspect` will not see this call): %s\n",
                role, error->message);
        g_clear_object(&ctl->listener);
        g_free(ctl->path);
        g_free(ctl->role);
        g_free(ctl->signal);
        g_free(ctl);
        return NULL;
    }
    ctl->accept_src = g_socket_create_source(ctl->listener, G_IO_IN, NULL);
    g_source_set_priority(ctl->accept_src, G_PRIORITY_LOW);
    g_source_set_callback(ctl->accept_src,
                          (GSourceFunc)(void (*)(void))on_accept, ctl, NULL);
    g_source_attach(ctl->accept_src, NULL);
    ctl->housekeeping_id =
        g_timeout_add_seconds_full(G_PRIORITY_LOW, 1, on_housekeeping, ctl,
                                   NULL);
    return ctl;
}

void
cli_control_stop(CliControl *ctl)
{
    if (ctl == NULL)
        return;
    /* the path first: from now on nobody finds a call that is going */
    (void)unlink(ctl->path);
    if (ctl->watch_due || ctl->ended_line != NULL)
        watch_round(ctl);
    /* what the sockets take now; the rest is lost with the process */
    while (ctl->clients != NULL)
        client_free(ctl->clients->data);
    if (ctl->watch_timer != 0)
        g_source_remove(ctl->watch_timer);
    g_source_remove(ctl->housekeeping_id);
    clear_source(&ctl->accept_src);
    (void)g_socket_close(ctl->listener, NULL);
    g_object_unref(ctl->listener);
    g_free(ctl->ended_line);
    g_free(ctl->path);
    g_free(ctl->role);
    g_free(ctl->signal);
    g_free(ctl);
}
