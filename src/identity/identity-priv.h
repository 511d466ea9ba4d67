/* src/identity/identity-priv.h - shared between identity/'s own files.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_IDENTITY_PRIV_H
#define SC_IDENTITY_PRIV_H

#include "core/core.h"
#include "identity/identity.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* ---- idp-spare.c ---- */
/* The helper program: @configured, else $SEALCALL_IDP_SANDBOX, else the
 * installed one. */
const char *sc_idp_helper_path(const char *configured);
/* Starts sealcall-idp-sandbox with an empty environment, stdin and stdout
 * piped, stderr silenced. */
GSubprocess *sc_idp_sandbox_launch(const char *helper, guint64 memory,
                                   guint timeout_ms, GError **error);
/* The spare's child if it was started as a run of @config would start
 * one and is still alive; *@spare is consumed (NULL after) either way. */
GSubprocess *sc_idp_spare_take(ScIdpSpare **spare, const ScIdpConfig *config);

/* ---- idp-fetch.c ---- */
typedef struct ScIdpHttp ScIdpHttp;

typedef struct {
    guint status;
    char *reason;
    char *url;            /* final URL, after redirects */
    GPtrArray *headers;   /* lower-case name, value, ... (no Set-Cookie) */
    GBytes *body;
} ScIdpHttpResponse;

/* @cookie_file: see ScIdpConfig (NULL: no cookies). Errors: SC_IDP_ERROR_TLS
 * when @ca_file cannot be read, SC_IDP_ERROR_LOAD_FAILURE for a cookie file
 * that others may read or write, or that is not a regular file. */
ScIdpHttp *sc_idp_http_new(const char *ca_file, const char *cookie_file,
                           guint timeout_s, GError **error);
void sc_idp_http_free(ScIdpHttp *http);
void sc_idp_http_response_free(ScIdpHttpResponse *r);

/* One request, redirects followed by hand (https only; within @origin
 * when it is not NULL). @headers: name, value, ... (forbidden names are
 * dropped). Errors: SC_IDP_ERROR_TLS, SC_IDP_ERROR_LOAD_FAILURE, or
 * G_IO_ERROR_CANCELLED. */
void sc_idp_http_request_async(ScIdpHttp *http, const char *method, GUri *uri,
                               GPtrArray *headers, GBytes *body,
                               const char *origin, gsize max_body,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
ScIdpHttpResponse *sc_idp_http_request_finish(GAsyncResult *res,
                                              GError **error);

/* "https://host[:port]" (port left out when 443) */
char *sc_idp_origin_of(GUri *uri);

/* ---- idp-result.c (pure) ---- */
/* The sandbox's result object (hostile: the IdP's script wrote it) for a
 * generate (@generate) or validate run with the IdP @domain/@protocol:
 * TRUE with *attr_out or *val_out; FALSE with an SC_IDP_ERROR error and,
 * for idp-need-login, *login_url when the IdP gave a usable one. */
gboolean sc_idp_result_interpret(gboolean generate, const char *domain,
                                 const char *protocol, JsonObject *o,
                                 char **attr_out, ScIdpValidation **val_out,
                                 char **login_url, GError **error);
/* The string a JSON node holds, or NULL for anything else (no GLib
 * critical on hostile input, unlike json-glib's getters). */
const char *sc_idp_json_string(JsonNode *node);
/* Text from an IdP for our messages: valid UTF-8, at most 200 characters,
 * control and format characters replaced by '?'. */
char *sc_idp_text(const char *s) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

#endif /* SC_IDENTITY_PRIV_H */
