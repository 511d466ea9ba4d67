/* src/idp/server.c - `sealcall idp`: the reference IdP's HTTPS server
 * (libsoup 3). Routes (README `sealcall idp`):
 *   GET  /.well-known/idp-proxy/default  the W3C proxy (register API)
 *   GET  /.well-known/idp-proxy/seed     the postMessage-protocol proxy
 *   GET  /.well-known/jwks.json          the signing key (JWKS)
 *   GET  /login, POST /login             the login form (login-page.c)
 *   GET  /login/done, /login/done.js     tells the opener WEBRTC-LOGINDONE
 *   POST /logout                         ends the session
 *   POST /assert                         signs an assertion (session cookie)
 *   POST /validate                       checks an assertion
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "idp"
#include "idp/server-priv.h"
#include "core/core.h"
#include "signaling/signaling.h"

#include <string.h>
#include <unistd.h>

/* a request (headers and body) must be complete within this */
#define REQUEST_TIMEOUT_S 10
/* connections in their HTTP request at a time; more are closed */
#define MAX_REQUESTS 1000

/* Requests in progress: idp->requests maps each SoupServerMessage (a
 * reference held) to the monotonic time it began; one sweep a second
 * closes the connections whose request is older than REQUEST_TIMEOUT_S
 * (a client that trickles its headers or body in cannot hold one). */

static void
on_request_done(SoupServerMessage *msg, gpointer user_data)
{
    ScIdpServer *idp = user_data;

    g_signal_handlers_disconnect_by_data(msg, idp);
    g_hash_table_remove(idp->requests, msg); /* drops our reference */
}

static gboolean
on_sweep(gpointer data)
{
    ScIdpServer *idp = data;
    gint64 too_old = g_get_monotonic_time() - REQUEST_TIMEOUT_S * G_USEC_PER_SEC;
    GHashTableIter it;
    gpointer msg, started;
    GPtrArray *late = g_ptr_array_new_with_free_func(g_object_unref);

    g_hash_table_iter_init(&it, idp->requests);
    while (g_hash_table_iter_next(&it, &msg, &started))
        if (*(gint64 *)started < too_old)
            g_ptr_array_add(late, g_object_ref(msg));
    for (guint i = 0; i < late->len; i++) {
        SoupServerMessage *m = late->pdata[i];
        GSocket *sock = soup_server_message_get_socket(m);

        SC_LOG_WARN("idp", "an HTTP request took over %d s: closing it",
                    REQUEST_TIMEOUT_S);
        on_request_done(m, idp);
        if (sock != NULL)
            (void)g_socket_shutdown(sock, TRUE, TRUE, NULL);
    }
    g_ptr_array_unref(late);
    return G_SOURCE_CONTINUE;
}

static void
on_request_started(SoupServer *server, SoupServerMessage *msg,
                   gpointer user_data)
{
    ScIdpServer *idp = user_data;
    gint64 *started;

    (void)server;
    if (g_hash_table_size(idp->requests) >= MAX_REQUESTS) {
        GSocket *sock = soup_server_message_get_socket(msg);

        SC_LOG_WARN("idp", "%d requests in progress: closing a new one",
                    MAX_REQUESTS);
        if (sock != NULL)
            (void)g_socket_shutdown(sock, TRUE, TRUE, NULL);
        return;
    }
    started = g_new(gint64, 1);
    *started = g_get_monotonic_time();
    g_hash_table_insert(idp->requests, g_object_ref(msg), started);
    g_signal_connect(msg, "finished", G_CALLBACK(on_request_done), idp);
    g_signal_connect(msg, "disconnected", G_CALLBACK(on_request_done), idp);
}

void
idp_respond(SoupServerMessage *msg, guint status, const char *type,
            const char *body)
{
    SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

    soup_message_headers_replace(h, "Cache-Control", "no-store");
    soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
    soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
    soup_message_headers_replace(h, "Strict-Transport-Security",
                                 "max-age=31536000");
    if (soup_message_headers_get_one(h, "Content-Security-Policy") == NULL)
        soup_message_headers_replace(h, "Content-Security-Policy",
                                     "default-src 'none'");
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, body,
                                     strlen(body));
}

/* Ends the object @b holds and sends it. */
static void
respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
    g_autofree char *text = NULL;

    json_builder_end_object(b);
    text = idp_json_finish(b);
    idp_respond(msg, status, "application/json", text);
}

/* Answers with a JSON object {"error":DETAIL,"message":MESSAGE[,
 * "loginUrl":URL]}. */
void
idp_respond_error(SoupServerMessage *msg, guint status, const char *detail,
                  const char *message, const char *login_url)
{
    g_autoptr(JsonBuilder) b = json_builder_new_immutable();

    json_builder_begin_object(b);
    idp_json_add_string(b, "error", detail);
    idp_json_add_string(b, "message", message);
    if (login_url != NULL)
        idp_json_add_string(b, "loginUrl", login_url);
    respond_json(msg, status, b);
}

/* The value of cookie @name in the request, or NULL. */
char *
idp_request_cookie(SoupServerMessage *msg, const char *name)
{
    const char *hdr = soup_message_headers_get_list(
        soup_server_message_get_request_headers(msg), "Cookie");
    char *value = NULL;

    if (hdr == NULL || strlen(hdr) > 8192)
        return NULL;
    {
        g_auto(GStrv) parts = g_strsplit(hdr, ";", 64);
        for (char **p = parts; *p != NULL && value == NULL; p++) {
            char *kv = g_strstrip(*p);
            char *eq = strchr(kv, '=');
            if (eq == NULL)
                continue;
            *eq = '\0';
            if (g_str_equal(kv, name))
                value = g_strdup(eq + 1);
        }
        for (char **p = parts; *p != NULL; p++)
            memset(*p, 0, strlen(*p)); /* may have held a session token */
    }
    return value;
}

/* Whether the request's Origin header, when there is one, is this
 * server's own origin (https://HOST of the request): a cross-site page
 * cannot make a browser send a request that passes. */
gboolean
idp_request_same_origin(SoupServerMessage *msg)
{
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    const char *origin = soup_message_headers_get_one(h, "Origin");
    const char *host = soup_message_headers_get_one(h, "Host");
    g_autofree char *own = NULL;

    if (origin == NULL)
        return TRUE;
    if (host == NULL)
        return FALSE;
    own = g_strconcat("https://", host, NULL);
    return g_ascii_strcasecmp(origin, own) == 0;
}

/* The JSON object of a POST body with Content-Type application/json. */
static JsonObject *
request_json(SoupServerMessage *msg)
{
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    const char *type = soup_message_headers_get_content_type(h, NULL);
    SoupMessageBody *body = soup_server_message_get_request_body(msg);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(JsonParser) parser = NULL;
    const char *data;
    gsize len = 0;
    JsonNode *root;

    if (type == NULL || g_ascii_strcasecmp(type, "application/json") != 0)
        return NULL;
    bytes = soup_message_body_flatten(body);
    data = g_bytes_get_data(bytes, &len);
    /* strict RFC 8259, nesting bounded, before json-glib's recursion */
    if (len == 0 || len > IDP_MAX_BODY || !sc_sig_json_is_object(data, len))
        return NULL;
    parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, data, (gssize)len, NULL))
        return NULL;
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    return json_object_ref(json_node_get_object(root));
}

static void
handle_assert(ScIdpServer *idp, SoupServerMessage *msg)
{
    g_autoptr(JsonObject) req = request_json(msg);
    g_autofree char *token = NULL;
    g_autofree char *identity = NULL;
    g_autofree char *assertion = NULL;
    g_autofree char *login_url = NULL;
    g_autoptr(GError) error = NULL;
    const char *contents, *origin, *hint, *user;
    gboolean pseudonym = FALSE;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;

    if (!idp_request_same_origin(msg)) {
        idp_respond_error(msg, SOUP_STATUS_FORBIDDEN, "idp-execution-failure",
                          "cross-origin request", NULL);
        return;
    }
    if (req == NULL) {
        idp_respond_error(msg, SOUP_STATUS_BAD_REQUEST,
                          "idp-execution-failure",
                          "the body must be a JSON object (application/json)",
                          NULL);
        return;
    }
    contents = idp_json_get_string(req, "contents");
    origin = idp_json_get_string(req, "origin");
    hint = idp_json_get_string(req, "usernameHint");
    if (json_object_has_member(req, "usernameHint") &&
        !JSON_NODE_HOLDS_NULL(json_object_get_member(req, "usernameHint")) &&
        hint == NULL) {
        idp_respond_error(msg, SOUP_STATUS_BAD_REQUEST,
                          "idp-execution-failure",
                          "usernameHint must be a string", NULL);
        return;
    }
    if (contents == NULL || *contents == '\0' ||
        strlen(contents) > IDP_MAX_CONTENTS || origin == NULL ||
        *origin == '\0' || strlen(origin) > IDP_MAX_ORIGIN ||
        !idp_is_printable_ascii(origin, strlen(origin)) ||
        (hint != NULL && (strlen(hint) > IDP_MAX_HINT ||
                          !idp_is_printable_ascii(hint, strlen(hint))))) {
        idp_respond_error(msg, SOUP_STATUS_BAD_REQUEST,
                          "idp-execution-failure",
                          "contents (1 to 4096 bytes), origin (1 to 512 "
                          "printable ASCII) and usernameHint (at most 256 "
                          "printable ASCII) are required or bounded", NULL);
        return;
    }
    login_url = g_strconcat(idp->issuer, "/login", NULL);
    token = idp_request_cookie(msg, IDP_SESSION_COOKIE);
    user = idp_login_session_user(idp->login, token, now);
    if (user == NULL) {
        idp_respond_error(msg, SOUP_STATUS_UNAUTHORIZED, "idp-need-login",
                          "log in to the IdP first", login_url);
        return;
    }
    if (hint != NULL && *hint != '\0') {
        g_autofree char *full = g_strconcat(user, "@", idp->domain, NULL);
        if (g_str_equal(hint, IDP_PSEUDONYM_HINT)) {
            pseudonym = TRUE;
        } else if (!g_str_equal(hint, user) && !g_str_equal(hint, full)) {
            /* the caller wants someone else: let the user log in as them */
            idp_respond_error(msg, SOUP_STATUS_UNAUTHORIZED, "idp-need-login",
                              "logged in as another user than the hint",
                              login_url);
            return;
        }
    }
    if (pseudonym) {
        g_autofree char *p = idp_key_pseudonym(idp->key, user, origin);
        if (p == NULL) {
            idp_respond_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              "idp-execution-failure", "internal error", NULL);
            return;
        }
        identity = g_strconcat(p, "@", idp->domain, NULL);
    } else {
        identity = g_strconcat(user, "@", idp->domain, NULL);
    }
    assertion = idp_assertion_issue(idp->key, idp->issuer, identity,
                                    pseudonym, contents, origin, now,
                                    idp->lifetime, &error);
    if (assertion == NULL) {
        idp_respond_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                          "idp-execution-failure", "internal error", NULL);
        return;
    }
    SC_LOG_INFO("idp", "signed an assertion (%s) for an origin of %zu bytes",
                pseudonym ? "pseudonym" : "identity", strlen(origin));
    {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();

        json_builder_begin_object(b);
        idp_json_add_string(b, "assertion", assertion);
        idp_json_add_string(b, "identity", identity);
        idp_json_add_bool(b, "pseudonym", pseudonym);
        respond_json(msg, SOUP_STATUS_OK, b);
    }
}

static void
handle_validate(ScIdpServer *idp, SoupServerMessage *msg)
{
    g_autoptr(JsonObject) req = request_json(msg);
    g_auto(IdpValidated) v = {0};
    g_autoptr(GError) error = NULL;
    const char *assertion;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;

    if (req == NULL || (assertion = idp_json_get_string(req, "assertion")) == NULL) {
        idp_respond_error(msg, SOUP_STATUS_BAD_REQUEST, "idp-token-invalid",
                          "the body must be {\"assertion\":STRING}", NULL);
        return;
    }
    if (!idp_assertion_validate(idp->key, idp->issuer, idp->domain, assertion,
                                now, idp->lifetime, &v, &error)) {
        const char *colon = strchr(error->message, ':');
        g_autofree char *detail =
            colon != NULL ? g_strndup(error->message,
                                      (gsize)(colon - error->message))
                          : g_strdup("idp-token-invalid");
        idp_respond_error(msg, SOUP_STATUS_BAD_REQUEST, detail,
                          error->message, NULL);
        return;
    }
    {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();

        json_builder_begin_object(b);
        idp_json_add_string(b, "identity", v.identity);
        idp_json_add_string(b, "contents", v.contents);
        idp_json_add_string(b, "origin", v.origin);
        idp_json_add_bool(b, "pseudonym", v.pseudonym);
        idp_json_add_int(b, "iat", v.iat);
        idp_json_add_int(b, "exp", v.exp);
        respond_json(msg, SOUP_STATUS_OK, b);
    }
}

static void
serve_bytes(SoupServerMessage *msg, const char *type, GBytes *bytes)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(bytes, &len);
    g_autofree char *text = g_strndup(data, len);

    idp_respond(msg, SOUP_STATUS_OK, type, text);
}

static void
on_http(SoupServer *server, SoupServerMessage *msg, const char *path,
        GHashTable *query, gpointer user_data)
{
    ScIdpServer *idp = user_data;
    const char *method = soup_server_message_get_method(msg);
    gboolean get = g_str_equal(method, "GET") || g_str_equal(method, "HEAD");
    gboolean post = g_str_equal(method, "POST");

    (void)server;
    (void)query;
    if (soup_server_message_get_status(msg) != 0)
        return; /* refused by the early handler */
    if (g_str_has_prefix(path, IDP_PROXY_PREFIX) && get) {
        g_autoptr(GBytes) js =
            idp_proxy_script(path + strlen(IDP_PROXY_PREFIX));
        if (js == NULL)
            idp_respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain",
                        "no such IdP protocol\n");
        else
            serve_bytes(msg, "application/javascript; charset=utf-8", js);
        return;
    }
    if (g_str_equal(path, "/.well-known/jwks.json") && get) {
        g_autofree char *jwks = idp_key_jwks(idp->key);
        soup_message_headers_replace(
            soup_server_message_get_response_headers(msg),
            "Access-Control-Allow-Origin", "*");
        idp_respond(msg, SOUP_STATUS_OK, "application/jwk-set+json", jwks);
        return;
    }
    if (g_str_equal(path, "/assert") && post) {
        handle_assert(idp, msg);
        return;
    }
    if (g_str_equal(path, "/validate") && post) {
        handle_validate(idp, msg);
        return;
    }
    if (idp_login_route(idp, msg, path, get, post))
        return;
    idp_respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain", "not found\n");
}

/* Headers are in, no body read yet: only GET/HEAD without a body and
 * POST with a Content-Length of at most IDP_MAX_BODY go on. */
static void
on_headers(SoupServer *server, SoupServerMessage *msg, const char *path,
           GHashTable *query, gpointer user_data)
{
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    SoupEncoding enc = soup_message_headers_get_encoding(h);
    const char *method = soup_server_message_get_method(msg);
    gboolean has_body =
        enc != SOUP_ENCODING_NONE &&
        !(enc == SOUP_ENCODING_CONTENT_LENGTH &&
          soup_message_headers_get_content_length(h) == 0);
    const char *refusal = NULL;
    guint status = 0;

    (void)server;
    (void)path;
    (void)query;
    (void)user_data;
    if (!g_str_equal(method, "GET") && !g_str_equal(method, "HEAD") &&
        !g_str_equal(method, "POST")) {
        status = SOUP_STATUS_METHOD_NOT_ALLOWED;
        refusal = "method not allowed\n";
    } else if (has_body && !g_str_equal(method, "POST")) {
        status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
        refusal = "no body here\n";
    } else if (has_body && enc != SOUP_ENCODING_CONTENT_LENGTH) {
        status = SOUP_STATUS_LENGTH_REQUIRED;
        refusal = "Content-Length required\n";
    } else if (has_body &&
               soup_message_headers_get_content_length(h) > IDP_MAX_BODY) {
        status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
        refusal = "body over 16384 bytes\n";
    }
    if (refusal == NULL)
        return;
    soup_message_body_set_accumulate(soup_server_message_get_request_body(msg),
                                     FALSE);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg),
                                 "Connection", "close");
    idp_respond(msg, status, "text/plain", refusal);
}

static gboolean
domain_is_valid(const char *d)
{
    gsize len = strlen(d);

    if (len == 0 || len > IDP_MAX_DOMAIN || d[0] == '.' || d[0] == '-' ||
        d[len - 1] == '.' || d[len - 1] == '-' || strstr(d, "..") != NULL)
        return FALSE;
    for (gsize i = 0; i < len; i++)
        if (!(g_ascii_isalnum(d[i]) || d[i] == '-' || d[i] == '.'))
            return FALSE;
    return TRUE;
}

static GTlsCertificate *
load_tls(const char *cert_file, const char *key_file, GError **error)
{
    int fd = idp_open_private_file(key_file, "TLS key", error);
    g_autoptr(GError) local = NULL;
    GTlsCertificate *cert;

    if (fd < 0)
        return NULL;
    close(fd);
    cert = g_tls_certificate_new_from_files(cert_file, key_file, &local);
    if (cert == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_CERTIFICATE,
                    "cannot load the TLS certificate and key: %s",
                    local->message);
        return NULL;
    }
    return cert;
}

/* The port the server listens on, from the URI libsoup reports. */
static guint16
bound_port(SoupServer *server)
{
    GSList *uris = soup_server_get_uris(server);
    gint port = uris != NULL ? g_uri_get_port(uris->data) : -1;

    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    return port > 0 && port <= 65535 ? (guint16)port : 0;
}

SC_API ScIdpServer *
sc_idp_server_new(GMainContext *context, const ScIdpServerConfig *config, GError **error)
{
    g_autoptr(GInetAddress) iaddr = NULL;
    g_autoptr(GSocketAddress) saddr = NULL;
    g_autoptr(GTlsCertificate) cert = NULL;
    g_autoptr(GError) local = NULL;
    ScIdpServer *idp;
    gboolean ok;

    g_return_val_if_fail(config != NULL, NULL);
    if (config->host == NULL || config->domain == NULL ||
        config->tls_cert_file == NULL || config->tls_key_file == NULL ||
        config->users_file == NULL || config->signing_key_file == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "host, domain, TLS certificate and key, users file and "
                    "signing key are all required");
        return NULL;
    }
    iaddr = g_str_equal(config->host, "localhost")
                ? g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4)
                : g_inet_address_new_from_string(config->host);
    if (iaddr == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the IdP's host must be an IP address");
        return NULL;
    }
    if (!domain_is_valid(config->domain)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the domain must be a DNS name (letters, digits, '-', "
                    "'.'), at most %d bytes", IDP_MAX_DOMAIN);
        return NULL;
    }
    if (config->assertion_lifetime > 3600) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the assertion lifetime is 1 to 3600 seconds");
        return NULL;
    }

    idp = g_new0(ScIdpServer, 1);
    idp->ctx = context != NULL ? g_main_context_ref(context)
                               : g_main_context_ref_thread_default();
    idp->domain = g_ascii_strdown(config->domain, -1);
    idp->lifetime = config->assertion_lifetime != 0
                        ? config->assertion_lifetime
                        : SC_IDP_DEFAULT_ASSERTION_LIFETIME;
    idp->login = idp_login_new();
    idp->requests = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                          g_object_unref, g_free);
    idp->users = idp_users_load(config->users_file, error);
    if (idp->users == NULL)
        goto fail;
    idp->key = idp_key_load_or_create(config->signing_key_file, error);
    if (idp->key == NULL)
        goto fail;
    cert = load_tls(config->tls_cert_file, config->tls_key_file, error);
    if (cert == NULL)
        goto fail;

    g_main_context_push_thread_default(idp->ctx);
    idp->server = soup_server_new("server-header", "sealcall-idp ",
                                  "tls-certificate", cert, NULL);
    soup_server_add_early_handler(idp->server, NULL, on_headers, idp, NULL);
    soup_server_add_handler(idp->server, NULL, on_http, idp, NULL);
    g_signal_connect(idp->server, "request-started",
                     G_CALLBACK(on_request_started), idp);
    idp->sweep = g_timeout_source_new_seconds(1);
    g_source_set_callback(idp->sweep, on_sweep, idp, NULL);
    g_source_attach(idp->sweep, idp->ctx);
    saddr = g_inet_socket_address_new(iaddr, config->port);
    ok = soup_server_listen(idp->server, saddr, SOUP_SERVER_LISTEN_HTTPS,
                            &local);
    g_main_context_pop_thread_default(idp->ctx);
    if (!ok) {
        g_set_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED,
                    "cannot listen on port %u: %s", config->port,
                    local->message);
        goto fail;
    }
    idp->port = bound_port(idp->server);
    idp->issuer = idp->port == 443
                      ? g_strconcat("https://", idp->domain, NULL)
                      : g_strdup_printf("https://%s:%u", idp->domain,
                                        idp->port);
    SC_LOG_INFO("idp", "%s: %u users, key id %s", idp->issuer,
                idp_users_count(idp->users), idp_key_kid(idp->key));
    return idp;
fail:
    sc_idp_server_free(idp);
    return NULL;
}

SC_API guint16
sc_idp_server_get_port(ScIdpServer *idp)
{
    g_return_val_if_fail(idp != NULL, 0);
    return idp->port;
}

SC_API const char *
sc_idp_server_get_key_id(ScIdpServer *idp)
{
    g_return_val_if_fail(idp != NULL, NULL);
    return idp_key_kid(idp->key);
}

SC_API void
sc_idp_server_free(ScIdpServer *idp)
{
    if (idp == NULL)
        return;
    sc_source_clear(&idp->sweep);
    if (idp->requests != NULL) {
        GHashTableIter it;
        gpointer msg;
        g_hash_table_iter_init(&it, idp->requests);
        while (g_hash_table_iter_next(&it, &msg, NULL))
            g_signal_handlers_disconnect_by_data(msg, idp);
        g_hash_table_destroy(idp->requests);
    }
    if (idp->server != NULL) {
        soup_server_disconnect(idp->server);
        g_object_unref(idp->server);
    }
    idp_login_free(idp->login);
    idp_users_free(idp->users);
    idp_key_free(idp->key);
    g_free(idp->domain);
    g_free(idp->issuer);
    g_main_context_unref(idp->ctx);
    g_free(idp);
}
