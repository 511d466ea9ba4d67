/* src/identity/idp-run.c - one IdP interaction (generate or validate):
 * fetch the proxy script (idp-fetch.c), start sealcall-idp-sandbox,
 * serve its fetch() requests from the IdP's origin only, and turn what it
 * says, or how it ends, into a result or a W3C IdP error. A deadline
 * covers the whole run; at the deadline or on any result the child is
 * killed by pid and reaped before the caller hears back.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "identity"
#include "identity/identity-priv.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHILD_LINE_MAX (1024u * 1024)
#define FETCH_REQ_BODY_MAX (64u * 1024)

typedef enum { KIND_GENERATE, KIND_VALIDATE } Kind;

typedef struct {
    Kind kind;
    char *domain;
    char *protocol;
    char *contents;
    char *origin;
    char *hint;
    GHashTable *cache;         /* the call's scripts by proxy URL, or NULL */
    GSubprocess *spare;        /* a child started ahead, taken, or NULL */
    char *cache_key;           /* our proxy URL */
    char *assertion;
    char *helper;
    guint timeout_ms;
    guint64 memory;
    void (*on_spawn)(GPid pid, gpointer data);
    gpointer on_spawn_data;

    GMainContext *ctx;
    ScIdpHttp *http;
    GCancellable *cancel;      /* ours: stops every operation of the run */
    GCancellable *caller;
    gulong caller_id;
    GSource *deadline;
    GSource *cancel_idle;
    GSource *rss_watch;
    GPid pid;
    GSubprocess *proc;
    GOutputStream *to_child;
    GInputStream *from_child;
    GQueue out;                /* GBytes waiting to be written */
    gboolean writing;
    GByteArray *in;
    guint8 readbuf[16384];
    GUri *base;                /* the script's final URL */
    char *sandbox_origin;
    guint fetches;
    gboolean decided;
    /* the outcome */
    GError *error;
    char *login_url;
    char *attr;                   /* generate */
    ScIdpValidation *validation;  /* validate */
} Run;

static void
run_free(Run *r)
{
    g_free(r->domain);
    g_free(r->protocol);
    g_free(r->contents);
    g_free(r->origin);
    g_free(r->hint);
    if (r->cache != NULL)
        g_hash_table_unref(r->cache);
    if (r->spare != NULL) {
        g_subprocess_force_exit(r->spare);   /* never used */
        g_object_unref(r->spare);
    }
    g_free(r->cache_key);
    g_free(r->assertion);
    g_free(r->helper);
    sc_idp_http_free(r->http);
    g_clear_object(&r->cancel);
    g_clear_object(&r->caller);
    sc_source_clear(&r->deadline);
    sc_source_clear(&r->cancel_idle);
    sc_source_clear(&r->rss_watch);
    g_clear_object(&r->proc);
    g_queue_clear_full(&r->out, (GDestroyNotify)g_bytes_unref);
    if (r->in != NULL)
        g_byte_array_unref(r->in);
    if (r->base != NULL)
        g_uri_unref(r->base);
    g_free(r->sandbox_origin);
    g_clear_error(&r->error);
    g_free(r->login_url);
    g_free(r->attr);
    sc_idp_validation_free(r->validation);
    if (r->ctx != NULL)
        g_main_context_unref(r->ctx);
    g_free(r);
}

typedef struct {
    char *attr;
    ScIdpValidation *validation;
} Outcome;

static void
outcome_free(Outcome *o)
{
    g_free(o->attr);
    sc_idp_validation_free(o->validation);
    g_free(o);
}

static void
complete(GTask *task)
{
    Run *r = g_task_get_task_data(task);
    if (r->caller_id != 0) {
        g_cancellable_disconnect(r->caller, r->caller_id);
        r->caller_id = 0;
    }
    if (r->error != NULL) {
        /* the login URL travels beside the error */
        g_object_set_data_full(G_OBJECT(task), "sc-login-url",
                               g_steal_pointer(&r->login_url), g_free);
        g_task_return_error(task, g_steal_pointer(&r->error));
    } else {
        Outcome *o = g_new0(Outcome, 1);
        o->attr = g_steal_pointer(&r->attr);
        o->validation = g_steal_pointer(&r->validation);
        g_task_return_pointer(task, o, (GDestroyNotify)outcome_free);
    }
    g_object_unref(task);
}

static void
on_reaped(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    (void)g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
    complete(task);
}

/* Decides the outcome once; kills the child and waits for it to be gone
 * before the caller is told. Takes the run's own task reference. */
static void
decide(GTask *task, GError *error)
{
    Run *r = g_task_get_task_data(task);
    if (r->decided) {
        if (error != NULL)
            g_error_free(error);
        return;
    }
    r->decided = TRUE;
    r->error = error;
    sc_source_clear(&r->deadline);
    sc_source_clear(&r->rss_watch);
    sc_source_clear(&r->cancel_idle);   /* none of them may run after us */
    g_cancellable_cancel(r->cancel);
    if (r->proc != NULL) {
        g_subprocess_force_exit(r->proc);   /* SIGKILL to its pid */
        g_subprocess_wait_async(r->proc, NULL, on_reaped, task);
        return;
    }
    complete(task);
}

static void
decide_error(GTask *task, ScIdpErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
decide_error(GTask *task, ScIdpErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    GError *e = sc_idp_error_new_valist(code, fmt, ap);
    va_end(ap);
    decide(task, e);
}

/* ---- writing to the child ---- */

static void write_next(GTask *task);

static void
on_written(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    GError *err = NULL;
    gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res,
                                                   NULL, &err);
    r->writing = FALSE;
    g_bytes_unref(g_queue_pop_head(&r->out));
    if (!ok) {
        if (!r->decided)
            decide_error(task, SC_IDP_ERROR_EXECUTION, "the sandbox stopped reading");
        g_error_free(err);
    } else if (!r->decided) {
        write_next(task);
    }
    g_object_unref(task);
}

static void
write_next(GTask *task)
{
    Run *r = g_task_get_task_data(task);
    if (r->writing || g_queue_is_empty(&r->out) || r->decided)
        return;
    GBytes *b = g_queue_peek_head(&r->out);
    gsize n;
    const void *d = g_bytes_get_data(b, &n);
    r->writing = TRUE;
    g_output_stream_write_all_async(r->to_child, d, n, G_PRIORITY_DEFAULT,
                                    r->cancel, on_written, g_object_ref(task));
}

static void
send_node(GTask *task, JsonNode *node)
{
    Run *r = g_task_get_task_data(task);
    gsize len = 0;
    JsonGenerator *gen = json_generator_new();
    json_generator_set_root(gen, node);
    char *text = json_generator_to_data(gen, &len);
    g_object_unref(gen);
    char *line = g_realloc(text, len + 2);
    line[len] = '\n';
    line[len + 1] = '\0';
    g_queue_push_tail(&r->out, g_bytes_new_take(line, len + 1));
    write_next(task);
}

/* ---- the script's fetch() requests ---- */

typedef struct {
    GTask *task;
    gint64 id;
} FetchCtx;

static void
reply_fetch_error(GTask *task, gint64 id, const char *message)
{
    JsonBuilder *b = json_builder_new_immutable();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "op");
    json_builder_add_string_value(b, "fetched");
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, id);
    json_builder_set_member_name(b, "error");
    json_builder_add_string_value(b, message);
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    send_node(task, n);
    json_node_unref(n);
    g_object_unref(b);
}

static void
on_fetched(GObject *src, GAsyncResult *res, gpointer data)
{
    FetchCtx *fc = data;
    Run *r = g_task_get_task_data(fc->task);
    GError *err = NULL;
    ScIdpHttpResponse *resp = sc_idp_http_request_finish(res, &err);

    if (r->decided) {
        g_clear_error(&err);
        sc_idp_http_response_free(resp);
        goto out;
    }
    if (resp == NULL) {
        SC_LOG_DEBUG(NULL, "IdP script fetch failed: %s", err->message);
        reply_fetch_error(fc->task, fc->id, "request failed");
        g_error_free(err);
        goto out;
    }
    JsonBuilder *b = json_builder_new_immutable();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "op");
    json_builder_add_string_value(b, "fetched");
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, fc->id);
    json_builder_set_member_name(b, "status");
    json_builder_add_int_value(b, resp->status);
    json_builder_set_member_name(b, "statusText");
    json_builder_add_string_value(b, resp->reason ? resp->reason : "");
    json_builder_set_member_name(b, "url");
    json_builder_add_string_value(b, resp->url);
    json_builder_set_member_name(b, "headers");
    json_builder_begin_array(b);
    for (guint i = 0; i + 1 < resp->headers->len; i += 2) {
        json_builder_begin_array(b);
        json_builder_add_string_value(b, resp->headers->pdata[i]);
        json_builder_add_string_value(b, resp->headers->pdata[i + 1]);
        json_builder_end_array(b);
    }
    json_builder_end_array(b);
    gsize blen;
    const char *bdata = g_bytes_get_data(resp->body, &blen);
    char *text = g_utf8_make_valid(bdata ? bdata : "", (gssize)blen);
    json_builder_set_member_name(b, "body");
    json_builder_add_string_value(b, text);
    g_free(text);
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    send_node(fc->task, n);
    json_node_unref(n);
    g_object_unref(b);
    sc_idp_http_response_free(resp);
out:
    g_object_unref(fc->task);
    g_free(fc);
}

static gboolean
method_allowed(const char *m)
{
    static const char *const ok[] = { "GET", "POST", "HEAD", "PUT", "DELETE",
                                      "PATCH", "OPTIONS" };
    for (gsize i = 0; i < G_N_ELEMENTS(ok); i++)
        if (strcmp(m, ok[i]) == 0)
            return TRUE;
    return FALSE;
}

static void
handle_fetch(GTask *task, JsonObject *o)
{
    Run *r = g_task_get_task_data(task);
    JsonNode *idn = json_object_get_member(o, "id");
    if (idn == NULL || !JSON_NODE_HOLDS_VALUE(idn) ||
        json_node_get_value_type(idn) != G_TYPE_INT64)
        return;
    gint64 id = json_node_get_int(idn);
    const char *url = sc_idp_json_string(json_object_get_member(o, "url"));
    const char *method = sc_idp_json_string(json_object_get_member(o, "method"));
    if (++r->fetches > SC_IDP_FETCH_MAX) {
        reply_fetch_error(task, id, "too many requests");
        return;
    }
    GUri *uri = url ? g_uri_parse_relative(r->base, url, G_URI_FLAGS_ENCODED, NULL)
                    : NULL;
    char *origin = uri ? sc_idp_origin_of(uri) : NULL;
    gboolean same = uri != NULL && g_strcmp0(g_uri_get_scheme(uri), "https") == 0 &&
                    g_uri_get_userinfo(uri) == NULL && origin != NULL &&
                    strcmp(origin, r->sandbox_origin) == 0;
    g_free(origin);
    if (!same) {
        SC_LOG_INFO(NULL, "IdP script fetch outside its origin refused");
        reply_fetch_error(task, id, "refused: not the IdP's origin");
        if (uri != NULL)
            g_uri_unref(uri);
        return;
    }
    if (method == NULL || !method_allowed(method)) {
        reply_fetch_error(task, id, "method not allowed");
        g_uri_unref(uri);
        return;
    }
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    JsonNode *hn = json_object_get_member(o, "headers");
    if (hn != NULL && JSON_NODE_HOLDS_ARRAY(hn)) {
        JsonArray *ha = json_node_get_array(hn);
        for (guint i = 0; i < json_array_get_length(ha) && i < 32; i++) {
            JsonNode *pn = json_array_get_element(ha, i);
            if (!JSON_NODE_HOLDS_ARRAY(pn) || json_array_get_length(json_node_get_array(pn)) != 2)
                continue;
            JsonArray *pa = json_node_get_array(pn);
            const char *k = sc_idp_json_string(json_array_get_element(pa, 0));
            const char *v = sc_idp_json_string(json_array_get_element(pa, 1));
            if (k == NULL || v == NULL)
                continue;
            g_ptr_array_add(headers, g_strdup(k));
            g_ptr_array_add(headers, g_strdup(v));
        }
    }
    GBytes *body = NULL;
    const char *bs = sc_idp_json_string(json_object_get_member(o, "body"));
    if (bs != NULL) {
        gsize bl = strlen(bs);
        if (bl > FETCH_REQ_BODY_MAX) {
            reply_fetch_error(task, id, "request body too large");
            g_ptr_array_unref(headers);
            g_uri_unref(uri);
            return;
        }
        body = g_bytes_new(bs, bl);
    }
    FetchCtx *fc = g_new0(FetchCtx, 1);
    fc->task = g_object_ref(task);
    fc->id = id;
    sc_idp_http_request_async(r->http, method, uri, headers, body,
                              r->sandbox_origin, SC_IDP_FETCH_BODY_MAX,
                              r->cancel, on_fetched, fc);
    if (body != NULL)
        g_bytes_unref(body);
    g_ptr_array_unref(headers);
    g_uri_unref(uri);
}

/* ---- the result ---- */

static void
handle_result(GTask *task, JsonObject *o)
{
    Run *r = g_task_get_task_data(task);
    GError *err = NULL;
    char *login = NULL;
    if (sc_idp_result_interpret(r->kind == KIND_GENERATE, r->domain, r->protocol,
                                o, &r->attr, &r->validation, &login, &err)) {
        decide(task, NULL);
        return;
    }
    r->login_url = login;
    decide(task, err);
}

static void
handle_line(GTask *task, const char *line, gsize len)
{
    JsonParser *p = json_parser_new_immutable();
    if (!json_parser_load_from_data(p, line, (gssize)len, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
        g_object_unref(p);
        decide_error(task, SC_IDP_ERROR_EXECUTION, "the sandbox spoke nonsense");
        return;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    const char *op = sc_idp_json_string(json_object_get_member(o, "op"));
    if (g_strcmp0(op, "fetch") == 0)
        handle_fetch(task, o);
    else if (g_strcmp0(op, "result") == 0)
        handle_result(task, o);
    g_object_unref(p);
}

static void
on_child_read(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    GError *err = NULL;
    gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &err);

    if (r->decided) {
        g_clear_error(&err);
        g_object_unref(task);
        return;
    }
    if (n <= 0) {
        /* the child ended without a result: killed by a limit or crashed */
        decide_error(task, SC_IDP_ERROR_EXECUTION,
                     "the IdP sandbox ended without a result (resource limit "
                     "or crash)");
        g_clear_error(&err);
        g_object_unref(task);
        return;
    }
    g_byte_array_append(r->in, r->readbuf, (guint)n);
    guint8 *nl;
    while (!r->decided &&
           (nl = memchr(r->in->data, '\n', r->in->len)) != NULL) {
        gsize len = (gsize)(nl - r->in->data);
        handle_line(task, (const char *)r->in->data, len);
        g_byte_array_remove_range(r->in, 0, (guint)len + 1);
    }
    if (!r->decided && r->in->len > CHILD_LINE_MAX)
        decide_error(task, SC_IDP_ERROR_EXECUTION, "the sandbox said too much");
    if (!r->decided)
        g_input_stream_read_async(r->from_child, r->readbuf, sizeof r->readbuf,
                                  G_PRIORITY_DEFAULT, r->cancel, on_child_read,
                                  g_object_ref(task));
    g_object_unref(task);
}

/* ---- the child's resident memory ---- */

#define RSS_POLL_MS 50

/* RLIMIT_DATA in the child counts new mappings only; growth inside what
 * the engine reserved at start shows here, in the resident size. */
static gboolean
on_rss_poll(gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    char path[64], *text = NULL;
    g_snprintf(path, sizeof path, "/proc/%d/statm", (int)r->pid);
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return G_SOURCE_CONTINUE;     /* exiting: the pipe will tell */
    char *p = strchr(text, ' ');
    guint64 pages = p ? g_ascii_strtoull(p + 1, NULL, 10) : 0;
    g_free(text);
    if (pages * (guint64)sysconf(_SC_PAGESIZE) <= r->memory)
        return G_SOURCE_CONTINUE;
    g_source_unref(r->rss_watch);
    r->rss_watch = NULL;
    decide_error(task, SC_IDP_ERROR_EXECUTION,
                 "the IdP sandbox went over its memory limit (%" G_GUINT64_FORMAT
                 " MiB)", r->memory >> 20);
    return G_SOURCE_REMOVE;
}

/* ---- start ---- */

static void
add_location(JsonBuilder *b, GUri *u, const char *origin)
{
    json_builder_set_member_name(b, "location");
    json_builder_begin_object(b);
    char *href = g_uri_to_string(u);
    int port = g_uri_get_port(u);
    char *ports = port > 0 ? g_strdup_printf("%d", port) : g_strdup("");
    char *host = port > 0 ? g_strdup_printf("%s:%d", g_uri_get_host(u), port)
                          : g_strdup(g_uri_get_host(u));
    const char *q = g_uri_get_query(u), *f = g_uri_get_fragment(u);
    char *search = q ? g_strconcat("?", q, NULL) : g_strdup("");
    char *hash = f ? g_strconcat("#", f, NULL) : g_strdup("");
    const char *kv[][2] = {
        { "href", href }, { "protocol", "https:" }, { "host", host },
        { "hostname", g_uri_get_host(u) }, { "port", ports },
        { "pathname", g_uri_get_path(u) }, { "search", search },
        { "hash", hash }, { "origin", origin },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(kv); i++) {
        json_builder_set_member_name(b, kv[i][0]);
        json_builder_add_string_value(b, kv[i][1]);
    }
    json_builder_end_object(b);
    g_free(href);
    g_free(ports);
    g_free(host);
    g_free(search);
    g_free(hash);
}

static void
add_str(JsonBuilder *b, const char *name, const char *value)
{
    if (value == NULL)
        return;
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

/* Starts the child as the script's fetch starts: its engine is made while
 * the script travels (it waits for the run request on stdin). FALSE: the
 * run is decided (failed) and @task may be gone. */
static gboolean
spawn_sandbox(GTask *task)
{
    Run *r = g_task_get_task_data(task);
    GError *err = NULL;

    /* a spare the call started ahead (idp-spare.c), else a new child */
    r->proc = g_steal_pointer(&r->spare);
    if (r->proc == NULL)
        r->proc = sc_idp_sandbox_launch(r->helper, r->memory, r->timeout_ms,
                                        &err);
    if (r->proc == NULL) {
        decide_error(task, SC_IDP_ERROR_EXECUTION, "cannot start the sandbox: %s",
                     err->message);
        g_error_free(err);
        return FALSE;
    }
    const char *ident = g_subprocess_get_identifier(r->proc);
    r->pid = ident != NULL ? (GPid)atoi(ident) : 0;
    if (r->on_spawn != NULL && r->pid > 0)
        r->on_spawn(r->pid, r->on_spawn_data);
    if (r->pid > 0) {
        r->rss_watch = g_timeout_source_new(RSS_POLL_MS);
        g_source_set_callback(r->rss_watch, on_rss_poll, task, NULL);
        g_source_attach(r->rss_watch, r->ctx);
    }
    r->to_child = g_subprocess_get_stdin_pipe(r->proc);
    r->from_child = g_subprocess_get_stdout_pipe(r->proc);
    r->in = g_byte_array_new();
    g_input_stream_read_async(r->from_child, r->readbuf, sizeof r->readbuf,
                              G_PRIORITY_DEFAULT, r->cancel, on_child_read,
                              g_object_ref(task));
    return TRUE;
}

/* The run request: the script, its URL and origin, the arguments. */
static void
start_sandbox(GTask *task, const char *script, gsize len)
{
    Run *r = g_task_get_task_data(task);
    char *text = g_utf8_make_valid(script, (gssize)len);
    char *url = g_uri_to_string(r->base);
    JsonBuilder *b = json_builder_new_immutable();
    json_builder_begin_object(b);
    add_str(b, "op", "run");
    add_str(b, "kind", r->kind == KIND_GENERATE ? "generate" : "validate");
    add_str(b, "script", text);
    add_str(b, "url", url);
    add_location(b, r->base, r->sandbox_origin);
    json_builder_set_member_name(b, "args");
    json_builder_begin_object(b);
    add_str(b, "origin", r->origin);
    add_str(b, "protocol", r->protocol);
    add_str(b, "contents", r->contents);
    add_str(b, "usernameHint", r->hint);
    add_str(b, "assertion", r->assertion);
    json_builder_end_object(b);
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    send_node(task, n);
    json_node_unref(n);
    g_object_unref(b);
    g_free(text);
    g_free(url);
}

/* A script fetched by an earlier run of the same call, from the same
 * proxy URL (so the same origin): the URL it came from after redirects,
 * and its bytes. */
typedef struct {
    char *url;
    GBytes *body;
} CachedScript;

static void
cached_script_free(CachedScript *c)
{
    g_free(c->url);
    g_bytes_unref(c->body);
    g_free(c);
}

GHashTable *
sc_idp_script_cache_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify)cached_script_free);
}

/* Runs @body in the sandbox, as loaded from @final_url. */
static void
use_script(GTask *task, const char *final_url, GBytes *body)
{
    Run *r = g_task_get_task_data(task);
    /* the sandbox's origin is the final URL's (Firefox: the principal of
     * the last URI after redirects); the identity domain stays the IdP's */
    r->base = g_uri_parse(final_url, G_URI_FLAGS_ENCODED, NULL);
    if (r->base == NULL) {
        decide_error(task, SC_IDP_ERROR_LOAD_FAILURE, "bad final URL");
    } else {
        r->sandbox_origin = sc_idp_origin_of(r->base);
        gsize len;
        const char *script = g_bytes_get_data(body, &len);
        start_sandbox(task, script ? script : "", len);
    }
}

static void
on_script(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    GError *err = NULL;
    ScIdpHttpResponse *resp = sc_idp_http_request_finish(res, &err);

    if (r->decided) {
        g_clear_error(&err);
        sc_idp_http_response_free(resp);
        g_object_unref(task);
        return;
    }
    if (resp == NULL) {
        /* an SC_IDP_ERROR's message already starts with its W3C name */
        if (err->domain == SC_IDP_ERROR) {
            decide(task, err);
            err = NULL;
        } else {
            decide_error(task, SC_IDP_ERROR_LOAD_FAILURE, "%s", err->message);
        }
        g_clear_error(&err);
        g_object_unref(task);
        return;
    }
    if (resp->status != 200) {
        decide_error(task, SC_IDP_ERROR_LOAD_FAILURE,
                     "the IdP proxy answered HTTP %u", resp->status);
        sc_idp_http_response_free(resp);
        g_object_unref(task);
        return;
    }
    if (r->cache != NULL && r->cache_key != NULL &&
        g_hash_table_size(r->cache) < SC_IDP_CACHE_MAX) {
        CachedScript *c = g_new0(CachedScript, 1);
        c->url = g_strdup(resp->url);
        c->body = g_bytes_ref(resp->body);
        g_hash_table_replace(r->cache, g_strdup(r->cache_key), c);
    }
    use_script(task, resp->url, resp->body);
    sc_idp_http_response_free(resp);
    g_object_unref(task);
}

static gboolean
on_deadline(gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    g_source_unref(r->deadline);
    r->deadline = NULL;
    decide_error(task, SC_IDP_ERROR_TIMEOUT, "no answer from the IdP in %u ms",
                 r->timeout_ms);
    return G_SOURCE_REMOVE;
}

static gboolean
on_cancel_idle(gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    g_source_unref(r->cancel_idle);
    r->cancel_idle = NULL;
    decide(task, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "cancelled"));
    return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled(GCancellable *c, gpointer data)
{
    GTask *task = data;
    Run *r = g_task_get_task_data(task);
    /* may run in another thread or inside g_cancellable_connect: go
     * through the run's own context */
    if (r->cancel_idle != NULL || r->decided)
        return;
    r->cancel_idle = g_idle_source_new();
    g_source_set_callback(r->cancel_idle, on_cancel_idle, task, NULL);
    g_source_attach(r->cancel_idle, r->ctx);
}

static void
start(Run *r, GCancellable *cancellable, GAsyncReadyCallback callback,
      gpointer user_data, gpointer tag)
{
    GTask *task = g_task_new(NULL, cancellable, callback, user_data);
    g_task_set_source_tag(task, tag);
    g_task_set_check_cancellable(task, FALSE);
    g_task_set_task_data(task, r, (GDestroyNotify)run_free);
    r->ctx = g_main_context_ref_thread_default();
    r->cancel = g_cancellable_new();
    g_queue_init(&r->out);

    GError *err = NULL;
    char *url = sc_idp_proxy_url(r->domain, r->protocol, &err);
    if (url == NULL) {
        decide(task, err);
        return;
    }
    r->deadline = g_timeout_source_new(r->timeout_ms);
    g_source_set_callback(r->deadline, on_deadline, task, NULL);
    g_source_attach(r->deadline, r->ctx);
    if (cancellable != NULL) {
        r->caller = g_object_ref(cancellable);
        r->caller_id = g_cancellable_connect(cancellable,
                                             G_CALLBACK(on_caller_cancelled),
                                             task, NULL);
    }
    GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
    r->cache_key = url;
    if (!spawn_sandbox(task)) {
        g_uri_unref(uri);
        return;
    }
    CachedScript *hit = r->cache != NULL && uri != NULL
                            ? g_hash_table_lookup(r->cache, r->cache_key)
                            : NULL;
    if (hit != NULL) {
        /* this call fetched it already (our own assertion's IdP) */
        use_script(task, hit->url, hit->body);
        g_uri_unref(uri);
        return;
    }
    if (!r->decided)
        sc_idp_http_request_async(r->http, "GET", uri, NULL, NULL, NULL,
                                  SC_IDP_SCRIPT_MAX, r->cancel, on_script,
                                  g_object_ref(task));
    g_uri_unref(uri);
}

static Run *
run_new(const ScIdpConfig *config, Kind kind)
{
    Run *r = g_new0(Run, 1);
    r->kind = kind;
    r->helper = g_strdup(config ? config->helper_path : NULL);
    r->timeout_ms = config && config->timeout_ms ? config->timeout_ms
                                                 : SC_IDP_TIMEOUT_MS_DEFAULT;
    r->memory = config && config->memory_limit ? config->memory_limit
                                               : SC_IDP_MEMORY_DEFAULT;
    if (config != NULL && config->script_cache != NULL)
        r->cache = g_hash_table_ref(config->script_cache);
    if (config != NULL) {
        r->on_spawn = config->on_spawn;
        r->on_spawn_data = config->on_spawn_data;
    }
    return r;
}

/* the CA file (a bad one is a TLS failure) and, to generate, the user's
 * IdP cookies are opened at start */
static gboolean
open_http(Run *r, const ScIdpConfig *config, GError **error)
{
    r->http = sc_idp_http_new(
        config ? config->ca_file : NULL,
        config && r->kind == KIND_GENERATE ? config->cookie_file : NULL,
        r->timeout_ms / 1000 + 1, error);
    return r->http != NULL;
}

static void
start_with(Run *r, const ScIdpConfig *config, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data, gpointer tag,
           GError *early)
{
    GError *err = early;
    if (err == NULL && !open_http(r, config, &err)) {
        /* fall through with err */
    }
    if (err != NULL) {
        GTask *task = g_task_new(NULL, cancellable, callback, user_data);
        g_task_set_source_tag(task, tag);
        g_task_set_task_data(task, r, (GDestroyNotify)run_free);
        g_task_return_error(task, err);
        g_object_unref(task);
        return;
    }
    start(r, cancellable, callback, user_data, tag);
}

void
sc_idp_generate_async(const ScIdpConfig *config, const char *domain,
                      const char *protocol, const char *contents,
                      const char *origin, const char *username_hint,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
    Run *r = run_new(config, KIND_GENERATE);
    GError *early = NULL;
    r->domain = g_strdup(domain);
    r->protocol = g_strdup(protocol ? protocol : "default");
    r->contents = g_strdup(contents ? contents : "");
    r->origin = g_strdup(origin ? origin : "");
    r->hint = g_strdup(username_hint);
    if (strlen(r->contents) > SC_IDP_CONTENTS_MAX)
        early = sc_idp_error_new(SC_IDP_ERROR_EXECUTION, "contents too long");
    start_with(r, config, cancellable, callback, user_data,
               sc_idp_generate_async, early);
}

/* the outcome of either kind, and the login URL beside an error */
static Outcome *
finish(GAsyncResult *result, char **login_url, GError **error)
{
    GTask *task = G_TASK(result);
    Outcome *o = g_task_propagate_pointer(task, error);
    if (login_url != NULL)
        *login_url = o == NULL ? g_strdup(g_object_get_data(G_OBJECT(task),
                                                            "sc-login-url"))
                               : NULL;
    return o;
}

char *
sc_idp_generate_finish(GAsyncResult *result, char **login_url, GError **error)
{
    Outcome *o = finish(result, login_url, error);
    if (o == NULL)
        return NULL;
    char *attr = g_steal_pointer(&o->attr);
    outcome_free(o);
    return attr;
}

void
sc_idp_validate_async(const ScIdpConfig *config, const char *attr_value,
                      const char *origin, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
    Run *r = run_new(config, KIND_VALIDATE);
    GError *early = NULL;
    ScIdentityAssertion *a = sc_identity_assertion_parse(attr_value, &early);
    if (a != NULL) {
        r->domain = g_steal_pointer(&a->domain);
        r->protocol = g_steal_pointer(&a->protocol);
        r->assertion = g_steal_pointer(&a->assertion);
        sc_identity_assertion_free(a);
    }
    r->origin = g_strdup(origin ? origin : "");
    r->spare = sc_idp_spare_take(config ? config->spare : NULL, config);
    start_with(r, config, cancellable, callback, user_data,
               sc_idp_validate_async, early);
}

ScIdpValidation *
sc_idp_validate_finish(GAsyncResult *result, char **login_url, GError **error)
{
    Outcome *o = finish(result, login_url, error);
    if (o == NULL)
        return NULL;
    ScIdpValidation *v = g_steal_pointer(&o->validation);
    outcome_free(o);
    return v;
}
