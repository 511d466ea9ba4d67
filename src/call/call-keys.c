/* src/call/call-keys.c - the call's DTLS key pair and its scope (WebRTC
 * security architecture §5.5, RFC 8827 §6.5): fresh for each call by
 * default, the per-origin key of keys/store.c (taken when the call
 * starts, once the signal URL is known and can no longer change), or a
 * configured certificate file. Our a=fingerprint follows the
 * certificate's hash (sc_cert_get_fingerprint_hash(), RFC 8122 §5).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"

#include "keys/keys.h"

#include <sealcall/keys.h>

static void
use_cert(ScCall *call, ScCert *cert)
{
    g_clear_pointer(&call->cert, sc_cert_unref);
    g_clear_pointer(&call->local_fingerprint, g_free);
    call->cert = cert;
    call->local_fingerprint =
        sc_cert_get_fingerprint(cert, sc_cert_get_fingerprint_hash(cert));
}

gboolean
sc_call_keys_init(ScCall *call, GError **error)
{
    ScCert *cert = sc_cert_new_ecdsa(error);

    if (cert == NULL)
        return FALSE;
    use_cert(call, cert);
    call->key_scope = SC_KEY_SCOPE_PER_CALL;
    return TRUE;
}

static gboolean
check_idle(ScCall *call, GError **error)
{
    if (call->state != CALL_IDLE || call->sig != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the key pair is chosen before the call starts");
        return FALSE;
    }
    return TRUE;
}

gboolean
sc_call_set_key_scope(ScCall *call, ScKeyScope scope, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (scope == SC_KEY_SCOPE_CONFIGURED) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "a configured key scope is set by giving the "
                            "certificate file");
        return FALSE;
    }
    if (scope != SC_KEY_SCOPE_PER_CALL && scope != SC_KEY_SCOPE_PER_ORIGIN) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "unknown key scope %d", (int)scope);
        return FALSE;
    }
    if (!check_idle(call, error))
        return FALSE;
    /* a configured certificate is dropped for a fresh key: never reused
     * where the user asked for unlinkable calls */
    if (scope == SC_KEY_SCOPE_PER_CALL &&
        call->key_scope != SC_KEY_SCOPE_PER_CALL)
        return sc_call_keys_init(call, error);
    call->key_scope = scope;
    return TRUE;
}

gboolean
sc_call_set_certificate_file(ScCall *call, const char *path, GError **error)
{
    g_return_val_if_fail(call != NULL && path != NULL, FALSE);
    if (!check_idle(call, error))
        return FALSE;
    ScCert *cert = sc_cert_load_pem(path, error);
    if (cert == NULL)
        return FALSE;
    use_cert(call, cert);
    call->key_scope = SC_KEY_SCOPE_CONFIGURED;
    return TRUE;
}

gboolean
sc_call_keys_resolve(ScCall *call, GError **error)
{
    if (call->key_scope != SC_KEY_SCOPE_PER_ORIGIN)
        return TRUE;
    g_autofree char *origin = sc_key_origin_normalize(call->signal_url, error);
    if (origin == NULL)
        return FALSE;
    g_autofree char *dir = sc_key_store_get_default_dir();
    ScCert *cert = sc_key_store_get(dir, origin, error);
    if (cert == NULL)
        return FALSE;
    use_cert(call, cert);
    SC_LOG_INFO(call->id, "per-origin key of %s: %s", origin,
                call->local_fingerprint);
    return TRUE;
}

const char *
sc_call_key_scope_string(ScCall *call)
{
    switch (call->key_scope) {
    case SC_KEY_SCOPE_PER_ORIGIN:
        return "per-origin";
    case SC_KEY_SCOPE_CONFIGURED:
        return "configured";
    default:
        return "per-call";
    }
}
