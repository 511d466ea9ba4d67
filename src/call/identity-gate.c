/* src/call/identity-gate.c - the call's IdP identity (RFC 8827 §7, issue
 * 14 points 3 and 4): our assertion generated before anything is
 * signalled (--idp), the peer's a=identity validated, checked (user@domain,
 * authority or --trust-idp, every remote fingerprint covered), reported
 * in an `identity` event, and the gate of --peer-identity: no SRTP keys,
 * no SCTP (so no channel, message or media either way) until the peer's
 * identity verifies as the one required.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-priv.h"
#include "identity/identity.h"
#include "inspector/inspector.h"

#include <sealcall/keys.h>
#include <string.h>

#define TRUST_MAX 64

static ScIdpConfig
idp_config(ScCall *call)
{
    ScIdpConfig cfg = {0};

    cfg.ca_file = call->privacy.ca_file;
    /* this call's scripts only (our IdP's, fetched to assert, is run
     * again without a fetch to validate a peer who uses the same IdP) */
    if (call->id_gate.scripts == NULL)
        call->id_gate.scripts = sc_idp_script_cache_new();
    cfg.script_cache = call->id_gate.scripts;
    cfg.spare = &call->id_gate.spare;
    return cfg;
}

/* The user's IdP sessions, sent when generating our assertion (as a
 * browser's IdP sandbox sends its cookies): $XDG_DATA_HOME/sealcall/
 * idp-cookies.txt, beside the key store. */
static char *
idp_cookie_file(void)
{
    return g_build_filename(g_get_user_data_dir(), "sealcall",
                            "idp-cookies.txt", NULL);
}

/* ---- configuration ---- */

static gboolean
idle_call(ScCall *call, GError **error)
{
    if (call->state == CALL_IDLE && call->sig == NULL)
        return TRUE;
    g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                "identity options are set before the call starts");
    return FALSE;
}

gboolean
sc_call_set_idp(ScCall *call, const char *domain, const char *protocol,
                const char *username_hint, GError **error)
{
    g_autofree char *host = NULL;

    g_return_val_if_fail(call != NULL && domain != NULL, FALSE);
    if (!idle_call(call, error))
        return FALSE;
    if (protocol == NULL)
        protocol = "default";
    if (!sc_idp_domain_parse(domain, &host, NULL, error) ||
        !sc_idp_protocol_check(protocol, error)) {
        g_prefix_error(error, "--idp: ");
        return FALSE;
    }
    if (username_hint != NULL &&
        (strlen(username_hint) > SC_IDENTITY_MAX ||
         !g_utf8_validate(username_hint, -1, NULL))) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "--identity-hint: at most %d bytes of UTF-8",
                    SC_IDENTITY_MAX);
        return FALSE;
    }
    g_free(call->id_gate.idp_domain);
    g_free(call->id_gate.idp_protocol);
    g_free(call->id_gate.hint);
    call->id_gate.idp_domain = g_strdup(domain);
    call->id_gate.idp_protocol = g_strdup(protocol);
    call->id_gate.hint = g_strdup(username_hint);
    return TRUE;
}

/* "user@domain" -> user and the lower-case A-label domain */
static gboolean
split_identity(const char *identity, char **user, char **domain,
               GError **error)
{
    const char *at = strrchr(identity, '@');
    g_autofree char *d = NULL;

    if (at == NULL || at == identity || at[1] == '\0' ||
        strlen(identity) > SC_IDENTITY_MAX ||
        !g_utf8_validate(identity, -1, NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "an identity is USER@DOMAIN");
        return FALSE;
    }
    d = g_hostname_to_ascii(at + 1);
    if (d == NULL || strchr(d, ':') != NULL || strchr(d, '/') != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bad domain in identity");
        return FALSE;
    }
    *user = g_strndup(identity, (gsize)(at - identity));
    *domain = g_ascii_strdown(d, -1);
    return TRUE;
}

gboolean
sc_call_identity_same(const char *a, const char *b)
{
    g_autofree char *au = NULL, *ad = NULL, *bu = NULL, *bd = NULL;

    return a != NULL && b != NULL && split_identity(a, &au, &ad, NULL) &&
           split_identity(b, &bu, &bd, NULL) && g_str_equal(au, bu) &&
           g_str_equal(ad, bd);
}

gboolean
sc_call_set_peer_identity(ScCall *call, const char *identity, GError **error)
{
    g_autofree char *user = NULL, *domain = NULL;

    g_return_val_if_fail(call != NULL && identity != NULL, FALSE);
    if (!idle_call(call, error))
        return FALSE;
    if (!split_identity(identity, &user, &domain, error)) {
        g_prefix_error(error, "--peer-identity: ");
        return FALSE;
    }
    g_free(call->id_gate.required);
    call->id_gate.required = g_strdup(identity);
    return TRUE;
}

gboolean
sc_call_set_refuse_anonymous(ScCall *call, gboolean refuse, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!idle_call(call, error))
        return FALSE;
    call->id_gate.require_any = refuse;
    return TRUE;
}

/* A verified identity is required: --peer-identity or refuse_anonymous. */
static gboolean
required(ScCall *call)
{
    return call->id_gate.required != NULL || call->id_gate.require_any;
}

gboolean
sc_call_add_trusted_idp(ScCall *call, const char *idp_domain,
                        const char *suffix, GError **error)
{
    g_autofree char *host = NULL, *s = NULL;
    const char *p = suffix;

    g_return_val_if_fail(call != NULL && idp_domain != NULL && suffix != NULL,
                         FALSE);
    if (!idle_call(call, error))
        return FALSE;
    if (!sc_idp_domain_parse(idp_domain, &host, NULL, error)) {
        g_prefix_error(error, "--trust-idp: ");
        return FALSE;
    }
    if (*p == '@' || *p == '.')
        p++;
    s = *p != '\0' ? g_hostname_to_ascii(p) : NULL;
    if (s == NULL || strchr(s, ':') != NULL || strchr(s, '/') != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "--trust-idp: SUFFIX is a domain name (example.org)");
        return FALSE;
    }
    if (call->id_gate.trust == NULL)
        call->id_gate.trust = g_ptr_array_new_with_free_func(g_free);
    if (call->id_gate.trust->len >= 2 * TRUST_MAX) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "--trust-idp: at most %d rules", TRUST_MAX);
        return FALSE;
    }
    g_ptr_array_add(call->id_gate.trust, g_ascii_strdown(idp_domain, -1));
    g_ptr_array_add(call->id_gate.trust, g_ascii_strdown(s, -1));
    return TRUE;
}

void
sc_call_identity_free(ScCall *call)
{
    ScCallIdentity *g = &call->id_gate;

    if (g->cancel != NULL)
        g_cancellable_cancel(g->cancel);
    g_clear_object(&g->cancel);
    g_clear_pointer(&g->idp_domain, g_free);
    g_clear_pointer(&g->idp_protocol, g_free);
    g_clear_pointer(&g->hint, g_free);
    g_clear_pointer(&g->scripts, g_hash_table_unref);
    g_clear_pointer(&g->spare, sc_idp_spare_free);
    g_clear_pointer(&g->assertion, g_free);
    g_clear_pointer(&g->required, g_free);
    g_clear_pointer(&g->trust, g_ptr_array_unref);
    g_clear_pointer(&g->identity, g_free);
    g_clear_pointer(&g->idp, g_free);
    g_clear_pointer(&g->idp_reason, g_free);
    sc_call_identity_x509_free(call);
    if (g->pending != NULL) {
        g_source_destroy(g->pending);
        g_clear_pointer(&g->pending, g_source_unref);
    }
}

void
sc_call_identity_stop(ScCall *call)
{
    if (call->id_gate.cancel != NULL)
        g_cancellable_cancel(call->id_gate.cancel);
}

/* ---- the origin ---- */

/* The origin we give the IdP, as a page's would be: the relay's HTTP
 * origin (ws -> http, wss -> https), the default port omitted (RFC 6454
 * serialisation, what Firefox passes: the page's principal origin). */
char *
sc_call_identity_origin(ScCall *call)
{
    g_autofree char *o = sc_key_origin_normalize(call->signal_url, NULL);
    const char *rest;
    gboolean tls;
    char *out;

    if (o == NULL)
        return NULL;
    tls = g_str_has_prefix(o, "wss://");
    rest = o + (tls ? 6 : 5);
    out = g_strconcat(tls ? "https://" : "http://", rest, NULL);
    if ((tls && g_str_has_suffix(out, ":443")) ||
        (!tls && g_str_has_suffix(out, ":80")))
        *strrchr(out, ':') = '\0';
    return out;
}

/* ---- events ---- */

/* A valid assertion of someone other than --peer-identity. */
static GQuark
peer_mismatch_quark(void)
{
    return g_quark_from_static_string("sc-peer-identity-mismatch");
}

ScCallEvent *
sc_call_identity_event(const char *status, const char *verified_by)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_IDENTITY);

    sc_call_event_set_str(ev, "side", "remote");
    sc_call_event_set_str(ev, "status", status);
    sc_call_event_set_str(ev, "verified_by", verified_by);
    return ev;
}

static void
emit_identity(ScCall *call, const char *side, const char *status,
              const char *identity, const char *idp, const GError *error,
              const char *login_url)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_IDENTITY);
    ScCallIdentity *g = &call->id_gate;

    sc_call_event_set_str(ev, "side", side);
    sc_call_event_set_str(ev, "status", status);
    if (g_str_equal(side, "remote"))
        sc_call_event_set_str(ev, "verified_by",
                              g_str_equal(status, "verified") ? "idp"
                                                              : "none");
    /* an X.509 identity verified first that names someone else */
    if (g_str_equal(status, "verified") &&
        g->x509_status == SC_CALL_IDENTITY_VERIFIED &&
        !sc_call_identity_same(identity, g->x509_identity)) {
        sc_call_event_set_str(ev, "conflict", g->x509_identity);
        SC_LOG_WARN(call->id, "the peer's IdP and X.509 identities differ");
    }
    if (identity != NULL)
        sc_call_event_set_str(ev, "identity", identity);
    if (idp != NULL)
        sc_call_event_set_str(ev, "idp", idp);
    /* issue 14 point 9: authoritative or a third party that --trust-idp
     * accepted; a pseudonym or a name */
    if (g_str_equal(side, "remote") && g_str_equal(status, "verified")) {
        sc_call_event_set_bool(ev, "authoritative", g->authoritative);
        sc_call_event_set_bool(ev, "pseudonym", g->pseudonym);
    }
    if (error != NULL) {
        const char *name = error->domain == peer_mismatch_quark()
                               ? "peer-identity-mismatch"
                           : error->domain == SC_IDP_ERROR &&
                                   error->code >= 0 &&
                                   error->code < SC_IDP_ERROR_N
                               ? sc_idp_error_name(error->code)
                               : "idp-token-invalid";
        sc_call_event_set_str(ev, "error", name);
        sc_call_event_set_str(ev, "detail", error->message);
    }
    if (login_url != NULL)
        sc_call_event_set_str(ev, "login_url", login_url);
    sc_call_emit(call, ev);
}

/* ---- generation (--idp) ---- */

/* A sandbox child for the peer's validation, started now (after our own
 * assertion, so not competing with it) rather than when the peer's
 * description arrives: with --peer-identity that validation holds the
 * call (identity/idp-spare.c). Only in calls that use identity. */
static void
start_spare(ScCall *call)
{
    ScIdpConfig cfg = idp_config(call);

    if (call->id_gate.spare == NULL)
        call->id_gate.spare = sc_idp_spare_new(&cfg);
}

static void
on_generated(GObject *src, GAsyncResult *res, gpointer data)
{
    ScCall *call = data;
    g_autoptr(GError) error = NULL;
    g_autofree char *login = NULL;
    g_autofree char *attr = sc_idp_generate_finish(res, &login, &error);

    (void)src;
    if (attr == NULL && g_error_matches(error, G_IO_ERROR,
                                        G_IO_ERROR_CANCELLED)) {
        sc_call_unref(call);
        return;
    }
    if (!sc_call_has_ended(call)) {
        if (attr == NULL) {
            g_autofree char *detail = NULL;
            emit_identity(call, "local", "failed", NULL,
                          call->id_gate.idp_domain, error, login);
            detail = login != NULL
                         ? g_strdup_printf("our identity: the IdP asks for a "
                                           "login: open %s, then call "
                                           "again (%s)",
                                           login, error->message)
                         : g_strdup_printf("our identity: %s",
                                           error->message);
            /* nothing was signalled: the relay was never contacted */
            sc_call_end(call, SC_END_REASON_ERROR, detail);
        } else {
            call->id_gate.assertion = g_steal_pointer(&attr);
            SC_LOG_INFO(call->id, "identity assertion from %s ready",
                        call->id_gate.idp_domain);
            /* no event: the contract's identity event reports the peer
             * (verified / failed / none); ours shows only when it fails */
            sc_signal_client_connect(call->sig);
            start_spare(call);
        }
    }
    sc_call_unref(call);
}

gboolean
sc_call_identity_begin(ScCall *call)
{
    ScIdpConfig cfg = idp_config(call);
    g_autofree char *cookies = idp_cookie_file();
    g_autofree char *origin = NULL;
    g_autofree char *contents = NULL;
    ScFingerprint fp;
    g_autoptr(JsonBuilder) b = NULL;
    g_autoptr(JsonNode) root = NULL;
    char *sp;

    if (call->id_gate.idp_domain == NULL) {
        if (call->id_gate.required != NULL || call->id_gate.require_any)
            start_spare(call);
        return FALSE;
    }
    origin = sc_call_identity_origin(call);
    /* contents as Firefox writes them (PeerConnectionIdp): every
     * a=fingerprint of our SDP (we have one) as {algorithm, digest} */
    b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "fingerprint");
    json_builder_begin_array(b);
    if (sc_fingerprint_parse(call->local_fingerprint, &fp, NULL)) {
        g_autofree char *text = g_strdup(call->local_fingerprint);
        sp = strchr(text, ' ');
        if (sp != NULL) {
            *sp = '\0';
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "algorithm");
            json_builder_add_string_value(b, text);
            json_builder_set_member_name(b, "digest");
            json_builder_add_string_value(b, sp + 1);
            json_builder_end_object(b);
        }
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    contents = json_to_string(root, FALSE);
    cfg.cookie_file = cookies;
    if (call->id_gate.cancel == NULL)
        call->id_gate.cancel = g_cancellable_new();
    sc_idp_generate_async(&cfg, call->id_gate.idp_domain,
                          call->id_gate.idp_protocol, contents,
                          origin != NULL ? origin : "null",
                          call->id_gate.hint, call->id_gate.cancel,
                          on_generated, sc_call_ref(call));
    return TRUE;
}

const char *
sc_call_identity_local_attr(ScCall *call)
{
    return call->id_gate.assertion;
}

/* ---- verification ---- */

static gboolean
trusted_third_party(ScCall *call, const char *idp_domain,
                    const char *id_domain)
{
    GPtrArray *t = call->id_gate.trust;
    g_autofree char *idp = g_ascii_strdown(idp_domain, -1);
    g_autofree char *idp_host = NULL;

    (void)sc_idp_domain_parse(idp_domain, &idp_host, NULL, NULL);
    for (guint i = 0; t != NULL && i + 1 < t->len; i += 2) {
        const char *rule = t->pdata[i], *suffix = t->pdata[i + 1];
        gsize n = strlen(id_domain), m = strlen(suffix);
        gboolean idp_ok =
            g_str_equal(rule, idp) ||
            (strchr(rule, ':') == NULL && idp_host != NULL &&
             g_ascii_strcasecmp(rule, idp_host) == 0);
        gboolean suffix_ok =
            g_str_equal(id_domain, suffix) ||
            (n > m && id_domain[n - m - 1] == '.' &&
             g_str_equal(id_domain + n - m, suffix));
        if (idp_ok && suffix_ok)
            return TRUE;
    }
    return FALSE;
}

/* Every fingerprint of the remote description is in @contents. */
static gboolean
fingerprints_covered(ScCall *call, const char *contents, GError **error)
{
    g_autoptr(JsonParser) p = json_parser_new();
    JsonNode *root;
    JsonArray *arr = NULL;
    const GPtrArray *remote_fps = sc_call_policy_remote_fingerprints(call);

    if (json_parser_load_from_data(p, contents, -1, NULL)) {
        root = json_parser_get_root(p);
        if (JSON_NODE_HOLDS_OBJECT(root)) {
            JsonNode *n = json_object_get_member(json_node_get_object(root),
                                                 "fingerprint");
            if (n != NULL && JSON_NODE_HOLDS_ARRAY(n))
                arr = json_node_get_array(n);
        }
    }
    if (arr == NULL)
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                           "the assertion's contents hold no fingerprint "
                           "list");
    for (guint i = 0; i < remote_fps->len; i++) {
        const char *want = remote_fps->pdata[i];
        gboolean found = FALSE;
        for (guint j = 0; !found && j < json_array_get_length(arr); j++) {
            JsonNode *e = json_array_get_element(arr, j);
            JsonObject *o;
            const char *alg, *dig;
            g_autofree char *text = NULL, *norm = NULL;
            if (!JSON_NODE_HOLDS_OBJECT(e))
                continue;
            o = json_node_get_object(e);
            alg = json_object_get_string_member_with_default(o, "algorithm",
                                                             NULL);
            dig = json_object_get_string_member_with_default(o, "digest",
                                                             NULL);
            if (alg == NULL || dig == NULL)
                continue;
            text = g_strdup_printf("%s %s", alg, dig);
            norm = sc_fingerprint_normalize(text, NULL);
            found = norm != NULL && g_str_equal(norm, want);
        }
        if (!found)
            return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                               "the peer's a=fingerprint %s is not in its "
                               "identity assertion",
                               want);
    }
    return TRUE;
}

static gboolean
check_validation(ScCall *call, const ScIdpValidation *v, gboolean *auth,
                 GError **error)
{
    g_autofree char *dom = NULL;

    if (!sc_identity_check(v->identity, v->domain, &dom, auth, error))
        return FALSE;
    if (!*auth && !trusted_third_party(call, v->domain, dom))
        return sc_idp_fail(error, SC_IDP_ERROR_TOKEN_INVALID,
                           "IdP %s is not authoritative for %s (a third "
                           "party; --trust-idp %s=%s would accept it)",
                           v->domain, dom, v->domain, dom);
    if (!fingerprints_covered(call, v->contents, error))
        return FALSE;
    if (call->id_gate.required != NULL &&
        !sc_call_identity_same(call->id_gate.required, v->identity)) {
        /* the assertion is valid: it names someone else (not an IdP
         * error; told as peer-identity-mismatch) */
        g_set_error(error, peer_mismatch_quark(), 0,
                    "peer-identity-mismatch: the peer is %s, not %s "
                    "(--peer-identity)",
                    v->identity, call->id_gate.required);
        return FALSE;
    }
    return TRUE;
}

static void
reject(ScCall *call, const char *why)
{
    g_autofree char *detail = g_strdup_printf("peer identity: %s", why);

    sc_call_send_bye(call, "identity-rejected");
    sc_call_end(call, SC_END_REASON_IDENTITY_REJECTED, detail);
}

/* The identity step is done and nothing required failed: the peer policy
 * decides (peer-policy.c: privacy rules with the identity,
 * --only-verified, refuse_unlinkable), then what waited goes on. */
static void
step_done(ScCall *call)
{
    if (!sc_call_policy_on_identity(call))
        return;
    if (call->id_gate.dtls_held) {
        call->id_gate.dtls_held = FALSE;
        sc_call_transport_open(call);
    }
}

gboolean
sc_call_identity_satisfied(ScCall *call)
{
    /* each source refuses an identity other than --peer-identity's */
    return call->id_gate.status == SC_CALL_IDENTITY_VERIFIED ||
           call->id_gate.x509_status == SC_CALL_IDENTITY_VERIFIED;
}

/* The identity step is settled: each source either verified the peer or
 * concluded. Either source may satisfy the requirement (an IdP assertion or a
 * certificate from a --ca authority): the call is refused only when
 * both have concluded without a verified identity (X.509 counts only
 * with --ca, once DTLS is up). */
void
sc_call_identity_settle(ScCall *call)
{
    ScCallIdentity *g = &call->id_gate;
    gboolean idp_done = g->status == SC_CALL_IDENTITY_VERIFIED ||
                        g->status == SC_CALL_IDENTITY_FAILED ||
                        g->status == SC_CALL_IDENTITY_NONE;
    /* a deferred call is decided before DTLS exists: on its IdP
     * assertion alone */
    gboolean x509_done = g->anchors == NULL ||
                         g->x509_status != SC_CALL_IDENTITY_UNKNOWN ||
                         sc_call_defer_holds_ice(call);
    g_autofree char *why = NULL;

    if (sc_call_has_ended(call))
        return;
    if (sc_call_identity_satisfied(call) ||
        (!required(call) && idp_done && x509_done)) {
        step_done(call);
        return;
    }
    if (!required(call) || !idp_done || !x509_done)
        return;
    why = g->x509_error != NULL
              ? g_strdup_printf("%s; X.509: %s",
                                g->idp_reason != NULL ? g->idp_reason
                                                      : "no IdP identity",
                                g->x509_reason)
              : g_strdup(g->idp_reason != NULL ? g->idp_reason
                                               : "not verified");
    reject(call, why);
}

static void
verdict(ScCall *call, ScIdpValidation *v, const GError *error)
{
    ScCallIdentity *g = &call->id_gate;
    g_autoptr(GError) err = NULL;
    gboolean auth = FALSE;

    if (error == NULL && !check_validation(call, v, &auth, &err))
        error = err;
    if (error != NULL) {
        g->status = SC_CALL_IDENTITY_FAILED;
        SC_LOG_WARN(call->id, "peer identity rejected: %s", error->message);
        emit_identity(call, "remote", "failed",
                      v != NULL ? v->identity : NULL,
                      v != NULL ? v->domain : NULL, error, NULL);
        g_free(g->idp_reason);
        g->idp_reason = g_strdup(error->message);
        sc_call_identity_settle(call);
        return;
    }
    g->status = SC_CALL_IDENTITY_VERIFIED;
    g->identity = g_strdup(v->identity);
    g->idp = g_strdup(v->domain);
    g->authoritative = auth;
    g->pseudonym = v->pseudonym || sc_call_policy_is_pseudonym(v->identity);
    SC_LOG_INFO(call->id, "peer identity verified by %s", v->domain);
    emit_identity(call, "remote", "verified", v->identity, v->domain, NULL,
                  NULL);
    sc_call_identity_settle(call);
}

static void
on_validated(GObject *src, GAsyncResult *res, gpointer data)
{
    ScCall *call = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScIdpValidation) v = sc_idp_validate_finish(res, NULL, &error);

    (void)src;
    if (!sc_call_has_ended(call) &&
        !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        verdict(call, v, v == NULL ? error : NULL);
    sc_call_unref(call);
}

static gboolean
no_assertion(gpointer data)
{
    ScCall *call = data;

    g_clear_pointer(&call->id_gate.pending, g_source_unref);
    if (sc_call_has_ended(call))
        return G_SOURCE_REMOVE;
    call->id_gate.status = SC_CALL_IDENTITY_NONE;
    emit_identity(call, "remote", "none", NULL, NULL, NULL, NULL);
    g_free(call->id_gate.idp_reason);
    call->id_gate.idp_reason =
        g_strdup("the peer sent no identity assertion (a=identity)");
    sc_call_identity_settle(call);
    return G_SOURCE_REMOVE;
}

void
sc_call_identity_on_remote(ScCall *call, const ScSdpDesc *desc)
{
    ScIdpConfig cfg = idp_config(call);
    g_autofree char *origin = NULL;

    if (call->id_gate.status != SC_CALL_IDENTITY_UNKNOWN)
        return;
    call->id_gate.status = SC_CALL_IDENTITY_PENDING;
    call->id_gate.peer_asserted = desc->identity != NULL;
    if (desc->identity == NULL) {
        /* reported from the main loop: the description is being applied */
        call->id_gate.pending = g_idle_source_new();
        g_source_set_callback(call->id_gate.pending, no_assertion,
                              sc_call_ref(call),
                              (GDestroyNotify)sc_call_unref);
        g_source_attach(call->id_gate.pending, call->ctx);
        return;
    }
    origin = sc_call_identity_origin(call);
    if (call->id_gate.cancel == NULL)
        call->id_gate.cancel = g_cancellable_new();
    sc_idp_validate_async(&cfg, desc->identity,
                          origin != NULL ? origin : "null",
                          call->id_gate.cancel, on_validated,
                          sc_call_ref(call));
}

gboolean
sc_call_identity_holds(ScCall *call)
{
    /* with --ca: the peer's certificate chain, now that DTLS has it */
    sc_call_identity_x509_check(call);
    if (sc_call_has_ended(call))
        return TRUE;
    if (!required(call) && !sc_call_policy_waits(call)) {
        /* nothing waits for it, but the policy is told (its privacy
         * event) when an X.509 identity settles the step */
        sc_call_identity_settle(call);
        if (sc_call_has_ended(call))
            return TRUE;
        return !sc_call_policy_on_dtls_up(call);
    }
    if (call->policy.decided)
        return !sc_call_policy_on_dtls_up(call);
    call->id_gate.dtls_held = TRUE;
    SC_LOG_INFO(call->id, "DTLS up; media and data held until the peer's "
                          "identity verifies");
    sc_call_identity_settle(call); /* may refuse it now */
    return TRUE;
}

/* Which identity the inspector shows: the IdP's when verified (what a
 * browser shows), else the X.509 one; both verified and different is a
 * conflict, shown. With --peer-identity each source verifies only that
 * identity, so whichever is shown is the one required. */
void
sc_call_identity_report(ScCall *call, ScInspectorSnapshot *s)
{
    ScCallIdentity *g = &call->id_gate;
    gboolean idp_ok = g->status == SC_CALL_IDENTITY_VERIFIED;
    gboolean x509_ok = g->x509_status == SC_CALL_IDENTITY_VERIFIED;

    s->verified_by = idp_ok ? "idp" : x509_ok ? "x509" : "none";
    s->peer_identity = idp_ok ? g->identity : x509_ok ? g->x509_identity
                                                      : NULL;
    s->idp = idp_ok ? g->idp : NULL;
    s->pseudonym = idp_ok && g->pseudonym;
    /* an X.509 identity's authority is a --ca anchor the user chose */
    s->authoritative = idp_ok ? g->authoritative : x509_ok;
    if (x509_ok) {
        s->subject = g->x509_subject;
        s->issuer = g->x509_issuer;
        if (idp_ok) {
            s->x509_identity = g->x509_identity;
            s->identity_conflict =
                !sc_call_identity_same(g->identity, g->x509_identity);
        }
    }
    s->x509_error = g->x509_error;
}

const char *
sc_call_get_peer_identity(ScCall *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    if (call->id_gate.status == SC_CALL_IDENTITY_VERIFIED)
        return call->id_gate.identity;
    return call->id_gate.x509_status == SC_CALL_IDENTITY_VERIFIED
               ? call->id_gate.x509_identity
               : NULL;
}

gboolean
sc_call_identity_is_pseudonym(ScCall *call, const char *identity)
{
    ScCallIdentity *g = &call->id_gate;

    if (identity == NULL)
        return FALSE;
    return sc_call_policy_is_pseudonym(identity) ||
           (g->status == SC_CALL_IDENTITY_VERIFIED && g->pseudonym &&
            g_strcmp0(identity, g->identity) == 0);
}
