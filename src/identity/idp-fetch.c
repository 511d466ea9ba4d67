/* src/identity/idp-fetch.c - HTTPS for the IdP sandbox (libsoup 3): the
 * proxy script and the script's own fetch()/XHR requests. The server
 * certificate is checked against the system trust store, and failing that
 * against the extra CA file (--ca); redirects are followed by hand, only
 * to https (W3C: "a redirect to any other scheme [is] a fatal error"), at
 * most SC_IDP_REDIRECT_MAX, and for the script's requests only within the
 * sandbox's origin. Bodies are read up to a limit; one byte more fails.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "identity"
#include "identity/identity-priv.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

struct ScIdpHttp {
    SoupSession *session;
    GTlsDatabase *extra;     /* --ca anchors, or NULL */
    gboolean cookies;        /* a cookie jar is on the session */
};

/* The user's IdP sessions (ScIdpConfig.cookie_file), read-only: cookies
 * the IdP sets are never kept, the file is never written. NULL without an
 * error when there is no such file (nobody logged in). */
static SoupCookieJar *
open_cookie_jar(const char *path, GError **error)
{
    GStatBuf st;

    if (g_stat(path, &st) != 0) {
        if (errno == ENOENT)
            return NULL;
        g_propagate_error(error, sc_idp_error_new(
                                     SC_IDP_ERROR_LOAD_FAILURE,
                                     "cannot read the IdP cookie file: %s",
                                     g_strerror(errno)));
        return NULL;
    }
    /* it holds session secrets: the user's own, for the user's eyes only */
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
        st.st_uid != getuid()) {
        g_propagate_error(error, sc_idp_error_new(
                                     SC_IDP_ERROR_LOAD_FAILURE,
                                     "the IdP cookie file must be a regular "
                                     "file of ours that only we may read "
                                     "(chmod 600)"));
        return NULL;
    }
    SoupCookieJar *jar = soup_cookie_jar_text_new(path, TRUE);
    soup_cookie_jar_set_accept_policy(jar, SOUP_COOKIE_JAR_ACCEPT_NEVER);
    return jar;
}

ScIdpHttp *
sc_idp_http_new(const char *ca_file, const char *cookie_file,
                guint timeout_s, GError **error)
{
    GTlsDatabase *extra = NULL;
    SoupCookieJar *jar = NULL;
    GError *err = NULL;

    if (ca_file != NULL) {
        /* GTlsFileDatabase takes only an absolute path (a relative one
         * fails every certificate, with a GLib warning) */
        g_autofree char *abs = g_canonicalize_filename(ca_file, NULL);
        extra = g_tls_file_database_new(abs, &err);
        if (extra == NULL) {
            g_propagate_error(error, sc_idp_error_new(
                                         SC_IDP_ERROR_TLS,
                                         "cannot read the CA file: %s",
                                         err->message));
            g_error_free(err);
            return NULL;
        }
    }
    if (cookie_file != NULL) {
        jar = open_cookie_jar(cookie_file, &err);
        if (err != NULL) {
            g_clear_object(&extra);
            g_propagate_error(error, err);
            return NULL;
        }
    }
    ScIdpHttp *h = g_new0(ScIdpHttp, 1);
    h->extra = extra;
    /* no cache, no auth manager, and no cookie jar unless the user's IdP
     * sessions are asked for (generation): nothing else of ours is sent */
    h->session = soup_session_new_with_options("timeout", timeout_s,
                                               "idle-timeout", timeout_s,
                                               "user-agent", "sealcall-idp",
                                               "max-conns-per-host", 2,
                                               NULL);
    if (jar != NULL) {
        soup_session_add_feature(h->session, SOUP_SESSION_FEATURE(jar));
        g_object_unref(jar);
        h->cookies = TRUE;
    }
    return h;
}

void
sc_idp_http_free(ScIdpHttp *h)
{
    if (h == NULL)
        return;
    soup_session_abort(h->session);
    g_object_unref(h->session);
    g_clear_object(&h->extra);
    g_free(h);
}

void
sc_idp_http_response_free(ScIdpHttpResponse *r)
{
    if (r == NULL)
        return;
    g_free(r->url);
    g_free(r->reason);
    if (r->headers != NULL)
        g_ptr_array_unref(r->headers);
    if (r->body != NULL)
        g_bytes_unref(r->body);
    g_free(r);
}

char *
sc_idp_origin_of(GUri *uri)
{
    int port = g_uri_get_port(uri);
    if (port == -1 || port == 443)
        return g_strdup_printf("https://%s", g_uri_get_host(uri));
    return g_strdup_printf("https://%s:%d", g_uri_get_host(uri), port);
}

typedef struct {
    ScIdpHttp *http;
    char *method;
    GUri *uri;
    GPtrArray *req_headers;     /* name, value, name, value ... */
    GBytes *req_body;
    char *origin;               /* required origin, or NULL (the script) */
    gsize max_body;
    guint redirects;
    SoupMessage *msg;
    GInputStream *in;
    GByteArray *buf;
} Req;

static void
req_free(Req *r)
{
    g_free(r->method);
    if (r->uri != NULL)
        g_uri_unref(r->uri);
    if (r->req_headers != NULL)
        g_ptr_array_unref(r->req_headers);
    if (r->req_body != NULL)
        g_bytes_unref(r->req_body);
    g_free(r->origin);
    g_clear_object(&r->msg);
    g_clear_object(&r->in);
    if (r->buf != NULL)
        g_byte_array_unref(r->buf);
    g_free(r);
}

static gboolean
on_accept_certificate(SoupMessage *msg, GTlsCertificate *cert,
                      GTlsCertificateFlags errors, gpointer data)
{
    ScIdpHttp *h = data;
    if (h->extra == NULL)
        return FALSE;
    GUri *uri = soup_message_get_uri(msg);
    GSocketConnectable *id =
        g_network_address_new(g_uri_get_host(uri),
                               (guint16)MAX(g_uri_get_port(uri), 0));
    GTlsCertificateFlags f = g_tls_database_verify_chain(
        h->extra, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, id, NULL,
        G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
    g_object_unref(id);
    return f == 0;
}

static void start_message(GTask *task);

static void
fail_task(GTask *task, ScIdpErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
fail_task(GTask *task, ScIdpErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_task_return_error(task, sc_idp_error_new_valist(code, fmt, ap));
    va_end(ap);
    g_object_unref(task);
}

static void
on_read(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    Req *r = g_task_get_task_data(task);
    GError *err = NULL;
    GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(src), res, &err);

    if (chunk == NULL) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
            g_task_return_error(task, err);
            g_object_unref(task);
            return;
        }
        fail_task(task, SC_IDP_ERROR_LOAD_FAILURE, "reading %s: %s",
                  g_uri_get_host(r->uri), err->message);
        g_error_free(err);
        return;
    }
    gsize n = g_bytes_get_size(chunk);
    if (n > 0) {
        g_byte_array_append(r->buf, g_bytes_get_data(chunk, NULL), (guint)n);
        g_bytes_unref(chunk);
        if (r->buf->len > r->max_body) {
            fail_task(task, SC_IDP_ERROR_LOAD_FAILURE,
                      "response from %s larger than %zu bytes",
                      g_uri_get_host(r->uri), r->max_body);
            return;
        }
        g_input_stream_read_bytes_async(r->in, 16384, G_PRIORITY_DEFAULT,
                                        g_task_get_cancellable(task), on_read,
                                        task);
        return;
    }
    g_bytes_unref(chunk);
    ScIdpHttpResponse *out = g_new0(ScIdpHttpResponse, 1);
    out->status = soup_message_get_status(r->msg);
    out->reason = g_strdup(soup_message_get_reason_phrase(r->msg));
    out->url = g_uri_to_string(r->uri);
    out->headers = g_ptr_array_new_with_free_func(g_free);
    SoupMessageHeadersIter it;
    const char *name, *value;
    soup_message_headers_iter_init(&it, soup_message_get_response_headers(r->msg));
    while (soup_message_headers_iter_next(&it, &name, &value)) {
        if (g_ascii_strcasecmp(name, "set-cookie") == 0 || out->headers->len >= 128)
            continue;
        g_ptr_array_add(out->headers, g_ascii_strdown(name, -1));
        g_ptr_array_add(out->headers, g_strdup(value));
    }
    out->body = g_byte_array_free_to_bytes(g_steal_pointer(&r->buf));
    g_task_return_pointer(task, out, (GDestroyNotify)sc_idp_http_response_free);
    g_object_unref(task);
}

static gboolean
is_redirect(guint status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 ||
           status == 308;
}

static void
on_sent(GObject *src, GAsyncResult *res, gpointer data)
{
    GTask *task = data;
    Req *r = g_task_get_task_data(task);
    GError *err = NULL;
    GInputStream *in = soup_session_send_finish(SOUP_SESSION(src), res, &err);

    if (in == NULL) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
            g_task_return_error(task, err);
            g_object_unref(task);
            return;
        }
        gboolean tls = err->domain == G_TLS_ERROR ||
                       soup_message_get_tls_peer_certificate_errors(r->msg) != 0;
        fail_task(task, tls ? SC_IDP_ERROR_TLS : SC_IDP_ERROR_LOAD_FAILURE,
                  "%s: %s", g_uri_get_host(r->uri), err->message);
        g_error_free(err);
        return;
    }
    guint status = soup_message_get_status(r->msg);
    if (is_redirect(status)) {
        const char *loc = soup_message_headers_get_one(
            soup_message_get_response_headers(r->msg), "Location");
        g_object_unref(in);
        GUri *next = loc ? g_uri_parse_relative(r->uri, loc, G_URI_FLAGS_ENCODED, NULL)
                         : NULL;
        if (next == NULL || r->redirects >= SC_IDP_REDIRECT_MAX) {
            if (next != NULL)
                g_uri_unref(next);
            fail_task(task, SC_IDP_ERROR_LOAD_FAILURE,
                      "bad or too many redirects from %s", g_uri_get_host(r->uri));
            return;
        }
        if (g_strcmp0(g_uri_get_scheme(next), "https") != 0 ||
            g_uri_get_host(next) == NULL || g_uri_get_userinfo(next) != NULL) {
            g_uri_unref(next);
            fail_task(task, SC_IDP_ERROR_LOAD_FAILURE,
                      "redirect from %s to a URL that is not https",
                      g_uri_get_host(r->uri));
            return;
        }
        if (r->origin != NULL) {
            char *o = sc_idp_origin_of(next);
            gboolean same = strcmp(o, r->origin) == 0;
            g_free(o);
            if (!same) {
                g_uri_unref(next);
                fail_task(task, SC_IDP_ERROR_LOAD_FAILURE,
                          "redirect out of the IdP's origin");
                return;
            }
        }
        g_uri_unref(r->uri);
        r->uri = next;
        r->redirects++;
        if (status == 303 ||
            ((status == 301 || status == 302) && strcmp(r->method, "POST") == 0)) {
            g_free(r->method);
            r->method = g_strdup("GET");
            g_clear_pointer(&r->req_body, g_bytes_unref);
        }
        start_message(task);
        return;
    }
    r->in = in;
    r->buf = g_byte_array_new();
    g_input_stream_read_bytes_async(r->in, 16384, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable(task), on_read, task);
}

static void
start_message(GTask *task)
{
    Req *r = g_task_get_task_data(task);

    g_clear_object(&r->msg);
    r->msg = soup_message_new_from_uri(r->method, r->uri);
    if (r->msg == NULL) {
        fail_task(task, SC_IDP_ERROR_LOAD_FAILURE, "cannot make a request");
        return;
    }
    soup_message_add_flags(r->msg, SOUP_MESSAGE_NO_REDIRECT);
    if (r->http->cookies) {
        /* the sandbox's requests are its own origin's (same-site), as a
         * browser's IdP sandbox makes them with the IdP's principal */
        soup_message_set_site_for_cookies(r->msg, r->uri);
        soup_message_set_first_party(r->msg, r->uri);
    }
    SoupMessageHeaders *hdrs = soup_message_get_request_headers(r->msg);
    for (guint i = 0; r->req_headers != NULL && i + 1 < r->req_headers->len; i += 2)
        soup_message_headers_append(hdrs, r->req_headers->pdata[i],
                                    r->req_headers->pdata[i + 1]);
    if (r->req_body != NULL) {
        const char *ct = soup_message_headers_get_content_type(hdrs, NULL);
        soup_message_set_request_body_from_bytes(r->msg, ct ? ct : "text/plain",
                                                 r->req_body);
    }
    g_signal_connect(r->msg, "accept-certificate",
                     G_CALLBACK(on_accept_certificate), r->http);
    soup_session_send_async(r->http->session, r->msg, G_PRIORITY_DEFAULT,
                            g_task_get_cancellable(task), on_sent, task);
}

/* request header names a script may not set (Fetch's forbidden names) */
static gboolean
header_allowed(const char *name, const char *value)
{
    static const char *const forbidden[] = {
        "accept-charset", "accept-encoding", "access-control-request-headers",
        "access-control-request-method", "connection", "content-length",
        "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
        "origin", "referer", "te", "trailer", "transfer-encoding", "upgrade",
        "via", "authorization", "proxy-authorization",
    };
    gsize n = strlen(name);
    if (n == 0 || n > 64 || strlen(value) > 4096)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!(g_ascii_isalnum(name[i]) || strchr("!#$%&'*+-.^_`|~", name[i])))
            return FALSE;
    for (const char *v = value; *v; v++)
        if ((guchar)*v < 0x20 && *v != '\t')
            return FALSE;
    if (g_ascii_strncasecmp(name, "proxy-", 6) == 0 ||
        g_ascii_strncasecmp(name, "sec-", 4) == 0)
        return FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(forbidden); i++)
        if (g_ascii_strcasecmp(name, forbidden[i]) == 0)
            return FALSE;
    return TRUE;
}

void
sc_idp_http_request_async(ScIdpHttp *http, const char *method, GUri *uri,
                          GPtrArray *headers, GBytes *body, const char *origin,
                          gsize max_body, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
    GTask *task = g_task_new(NULL, cancellable, callback, user_data);
    Req *r = g_new0(Req, 1);
    r->http = http;
    r->method = g_strdup(method);
    r->uri = g_uri_ref(uri);
    r->origin = g_strdup(origin);
    r->max_body = max_body;
    r->req_body = body ? g_bytes_ref(body) : NULL;
    r->req_headers = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; headers != NULL && i + 1 < headers->len && i < 64; i += 2) {
        if (!header_allowed(headers->pdata[i], headers->pdata[i + 1]))
            continue;
        g_ptr_array_add(r->req_headers, g_strdup(headers->pdata[i]));
        g_ptr_array_add(r->req_headers, g_strdup(headers->pdata[i + 1]));
    }
    g_task_set_task_data(task, r, (GDestroyNotify)req_free);
    start_message(task);
}

ScIdpHttpResponse *
sc_idp_http_request_finish(GAsyncResult *res, GError **error)
{
    return g_task_propagate_pointer(G_TASK(res), error);
}
