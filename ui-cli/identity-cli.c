/* ui-cli/identity-cli.c - the identity options of `call` and `answer`
 * (contract section 5: --idp, --idp-protocol, --identity-hint,
 * --peer-identity, --trust-idp) and the `identity` event on a terminal,
 * an IdP's or an X.509 certificate's (--cert, --ca).
 * What an IdP or a peer says goes through cli_sanitize().
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

gboolean
cli_identity_apply(ScCall *call, const char *idp, const char *protocol,
                   const char *hint, const char *peer_identity,
                   char **trust_idp, GError **error)
{
    if (idp != NULL && !sc_call_set_idp(call, idp, protocol, hint, error))
        return FALSE;
    if (peer_identity != NULL &&
        !sc_call_set_peer_identity(call, peer_identity, error))
        return FALSE;
    for (guint i = 0; trust_idp != NULL && trust_idp[i] != NULL; i++) {
        const char *eq = strchr(trust_idp[i], '=');
        g_autofree char *domain = NULL;
        if (eq == NULL || eq == trust_idp[i] || eq[1] == '\0') {
            g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                                "--trust-idp takes DOMAIN=SUFFIX");
            return FALSE;
        }
        domain = g_strndup(trust_idp[i], (gsize)(eq - trust_idp[i]));
        if (!sc_call_add_trusted_idp(call, domain, eq + 1, error))
            return FALSE;
    }
    return TRUE;
}

static char *
safe(const ScCallEvent *ev, const char *name)
{
    const char *raw = sc_call_event_get_string(ev, name);

    return cli_sanitize(raw != NULL ? raw : "?", -1, CLI_SHOW_FIELD_MAX,
                        FALSE);
}

/* --ca was given: a peer without an IdP assertion may still verify by
 * its X.509 certificate once DTLS is up */
static gboolean x509_expected;

/* authoritative (the identity's domain is the IdP's) or a third party
 * that --trust-idp accepted */
static const char *
third_party(const ScCallEvent *ev)
{
    return g_strcmp0(sc_call_event_get_string(ev, "authoritative"),
                     "false") == 0
               ? ", a third party accepted by --trust-idp"
               : ", authoritative";
}

void
cli_identity_expect_x509(gboolean on)
{
    x509_expected = on;
}

void
cli_identity_show(const ScCallEvent *ev)
{
    const char *status = sc_call_event_get_string(ev, "status");
    gboolean local = g_strcmp0(sc_call_event_get_string(ev, "side"),
                               "local") == 0;
    g_autofree char *idp = safe(ev, "idp");
    g_autofree char *who = safe(ev, "identity");
    g_autofree char *err = safe(ev, "error");
    g_autofree char *detail = safe(ev, "detail");
    gboolean x509 =
        g_strcmp0(sc_call_event_get_string(ev, "verified_by"), "x509") == 0;

    if (local) {
        printf("* our identity: IdP %s failed: %s (%s)\n", idp, err, detail);
        if (sc_call_event_get_string(ev, "login_url") != NULL) {
            /* identity/ gives only printable ASCII, at most 2048 bytes */
            g_autofree char *url = cli_sanitize(
                sc_call_event_get_string(ev, "login_url"), -1,
                CLI_SHOW_MESSAGE_MAX, FALSE);
            printf("  the IdP asks you to log in: open %s\n", url);
        }
    } else if (g_strcmp0(status, "verified") == 0 && x509) {
        g_autofree char *issuer = safe(ev, "issuer");
        printf("* peer identity VERIFIED: %s (by its X.509 certificate "
               "from %s)\n", who, issuer);
    } else if (g_strcmp0(status, "verified") == 0 &&
               g_strcmp0(sc_call_event_get_string(ev, "pseudonym"), "true") ==
                   0) {
        printf("* peer identity VERIFIED PSEUDONYM: %s (by IdP %s%s: it "
               "vouches for this pseudonym, not for who is behind it)\n",
               who, idp, third_party(ev));
    } else if (g_strcmp0(status, "verified") == 0) {
        printf("* peer identity VERIFIED: %s (by IdP %s%s)\n", who, idp,
               third_party(ev));
    } else if (g_strcmp0(status, "none") == 0) {
        printf(x509_expected
                   ? "* peer identity: no IdP assertion (its X.509 "
                     "certificate is checked once DTLS is up)\n"
                   : "* peer identity: none asserted (UNVERIFIED peer)\n");
    } else if (g_str_has_prefix(err, "x509-")) {
        printf("* peer X.509 certificate NOT verified: %s (%s)\n", err,
               detail);
    } else {
        printf("* peer identity NOT verified: %s (%s)\n", err, detail);
    }
    if (sc_call_event_get_string(ev, "conflict") != NULL) {
        g_autofree char *other = safe(ev, "conflict");
        printf("  WARNING: its %s identity is %s: the IdP and the "
               "certificate name different peers\n",
               x509 ? "IdP" : "X.509", other);
    }
}
