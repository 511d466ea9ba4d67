/* src/call/identity-x509.c - the peer's X.509 identity (seed 001 §5.5,
 * issue 14 point 7): with --ca, once DTLS is up (the peer's certificate
 * already matched its signalled a=fingerprint), the certificate chain the
 * peer sent is checked against --ca's anchors only (keys/x509-identity.c)
 * and reported in an `identity` event where an IdP identity would be:
 * verified with verified_by "x509", the identity, subject and issuer; or
 * failed with verified_by "none", the error name and why. The gate
 * (identity-gate.c) takes either source: --peer-identity is satisfied by
 * an X.509 identity equal to it.
 *
 * A peer that asserted an IdP identity over a self-signed certificate
 * (every browser, every per-call key) makes no X.509 claim: that is
 * logged, not reported, so that its IdP identity is the one event. Any
 * other failure is reported, a self-signed certificate without an
 * assertion included.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call-priv.h"

#include "keys/keys.h"

#include <openssl/x509.h>

void
sc_call_identity_x509_free(ScCall *call)
{
    ScCallIdentity *g = &call->id_gate;

    g_clear_pointer(&g->x509_identity, g_free);
    g_clear_pointer(&g->x509_subject, g_free);
    g_clear_pointer(&g->x509_issuer, g_free);
    g_clear_pointer(&g->x509_reason, g_free);
    g_clear_pointer(&g->anchors, X509_STORE_free);
}

gboolean
sc_call_identity_x509_anchors(ScCall *call, const char *path, GError **error)
{
    g_autoptr(GError) local = NULL;
    X509_STORE *s = sc_x509_anchors_load(path, &local);

    if (s == NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            local->message);
        return FALSE;
    }
    g_clear_pointer(&call->id_gate.anchors, X509_STORE_free);
    call->id_gate.anchors = s;
    return TRUE;
}

static void
emit_verified(ScCall *call)
{
    ScCallIdentity *g = &call->id_gate;
    ScCallEvent *ev = sc_call_identity_event("verified", "x509");

    sc_call_event_set_str(ev, "identity", g->x509_identity);
    sc_call_event_set_str(ev, "subject", g->x509_subject);
    sc_call_event_set_str(ev, "issuer", g->x509_issuer);
    sc_call_event_set_bool(ev, "authoritative", TRUE);
    /* an IdP identity verified first that names someone else */
    if (g->status == SC_CALL_IDENTITY_VERIFIED &&
        !sc_call_identity_same(g->identity, g->x509_identity)) {
        sc_call_event_set_str(ev, "conflict", g->identity);
        SC_LOG_WARN(call->id, "the peer's IdP and X.509 identities differ");
    }
    sc_call_emit(call, ev);
}

static void
emit_failed(ScCall *call, const ScX509Identity *id, const GError *error)
{
    ScCallEvent *ev = sc_call_identity_event("failed", "none");

    if (id != NULL) {
        sc_call_event_set_str(ev, "identity", id->identity);
        sc_call_event_set_str(ev, "subject", id->subject);
        sc_call_event_set_str(ev, "issuer", id->issuer);
    }
    sc_call_event_set_str(ev, "error", call->id_gate.x509_error);
    sc_call_event_set_str(ev, "detail", error->message);
    sc_call_emit(call, ev);
}

/* No X.509 claim: an IdP identity was asserted over a self-signed
 * certificate (a browser's, a per-call key). */
static gboolean
no_claim(ScCall *call, STACK_OF(X509) *chain)
{
    X509 *leaf = sk_X509_value(chain, 0);

    return call->id_gate.peer_asserted && sk_X509_num(chain) == 1 &&
           X509_self_signed(leaf, 0) == 1;
}

static ScX509Identity *
verify(ScCall *call, STACK_OF(X509) *chain, GError **error)
{
    if (chain == NULL) {
        g_set_error(error, SC_X509_ERROR, SC_X509_ERROR_UNTRUSTED,
                    "no verified peer certificate");
        return NULL;
    }
    /* the anchors were read by sc_call_set_ca_file(): no file I/O here */
    return sc_x509_identity_verify(sk_X509_value(chain, 0), chain,
                                   call->id_gate.anchors, -1, error);
}

void
sc_call_identity_x509_check(ScCall *call)
{
    ScCallIdentity *g = &call->id_gate;
    STACK_OF(X509) *chain = NULL;
    g_autoptr(ScX509Identity) id = NULL;
    g_autoptr(GError) error = NULL;

    if (g->anchors == NULL || g->x509_status != SC_CALL_IDENTITY_UNKNOWN ||
        call->dtls == NULL)
        return;
    chain = sc_dtls_transport_get_peer_chain(call->dtls);
    id = verify(call, chain, &error);
    if (id != NULL && g->required != NULL &&
        !sc_call_identity_same(g->required, id->identity))
        g_set_error(&error, SC_X509_ERROR, SC_X509_ERROR_MISMATCH,
                    "the peer is %s, not %s (--peer-identity)", id->identity,
                    g->required);
    if (error == NULL) {
        g->x509_status = SC_CALL_IDENTITY_VERIFIED;
        g->x509_identity = g_strdup(id->identity);
        g->x509_subject = g_strdup(id->subject);
        g->x509_issuer = g_strdup(id->issuer);
        SC_LOG_INFO(call->id, "peer identity verified by its X.509 "
                              "certificate");
        emit_verified(call);
    } else {
        g->x509_status = SC_CALL_IDENTITY_FAILED;
        g->x509_reason = g_strdup(error->message);
        if (chain != NULL && no_claim(call, chain)) {
            SC_LOG_DEBUG(call->id, "no X.509 identity (self-signed, with "
                                   "an IdP assertion)");
        } else {
            g->x509_error = error->domain == SC_X509_ERROR
                                ? sc_x509_error_name(error->code)
                                : "x509-untrusted";
            SC_LOG_WARN(call->id, "peer X.509 identity rejected: %s",
                        sc_x509_error_name(error->code));
            emit_failed(call, id, error);
        }
    }
    sk_X509_pop_free(chain, X509_free);
}
