/* ui-cli/call-setup.c - options of `sealcall call|answer` that need more than
 * one library call: --cert, --ice-address, --turn (and its scrubbing from
 * argv), --ca.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

/* --cert: a configured certificate is a key scope of its own (the same key
 * for every origin), so it contradicts --key-scope and a profile that asks
 * for per-origin keys or unlinkability; unusable files are refused (one
 * line naming the file and the reason). The key scope itself reaches the
 * call in cli_privacy_apply(). */
int
cli_apply_certificate(ScCall *call, const char *cmd, const CliPrivacy *priv,
                  const char *cert)
{
    g_autoptr(GError) error = NULL;

    if (cert == NULL)
        return CLI_EXIT_OK;
    if (priv->require_unlinkable ||
        g_strcmp0(priv->key_scope, "per-call") != 0) {
        fprintf(stderr, "sealcall %s: --cert is one key pair for every "
                        "origin, but the privacy profile asks for %s\n",
                cmd, priv->require_unlinkable ? "unlinkable calls"
                                              : "per-origin keys");
        return CLI_EXIT_USAGE;
    }
    if (!sc_call_set_certificate_file(call, cert, &error)) {
        g_autofree char *safe =
            cli_sanitize(error->message, -1, CLI_SHOW_MESSAGE_MAX, FALSE);
        fprintf(stderr, "sealcall %s: %s\n", cmd, safe);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

gboolean
cli_add_addresses(ScCall *call, char **addresses, GError **error)
{
    for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++) {
        if (!sc_call_add_local_address(call, addresses[i], error)) {
            g_prefix_error(error, "--ice-address: ");
            return FALSE;
        }
    }
    return TRUE;
}

/* The TURN credentials in the process's own argv (what ps and
 * /proc/PID/cmdline show) are overwritten with '*' once GOption has read
 * them (it keeps copies), as curl does for -u. @orig: argv as it was
 * before parsing. */
void
cli_scrub_turn_args(int argc, char **orig)
{
    for (int i = 1; i < argc; i++) {
        char *v = NULL, *p, *at;

        if (g_str_has_prefix(orig[i], "--turn="))
            v = orig[i] + strlen("--turn=");
        else if (g_str_equal(orig[i - 1], "--turn"))
            v = orig[i];
        if (v == NULL || (p = strchr(v, ':')) == NULL ||
            (at = strrchr(v, '@')) == NULL)
            continue;
        while (++p < at)
            *p = '*';
    }
}

/* --turn and --ca (contract section 5); --relay-only reaches the call in
 * cli_privacy_apply() */
gboolean
cli_add_turn_servers(ScCall *call, char **turns, const char *ca, GError **error)
{
    if (ca != NULL && !sc_call_set_ca_file(call, ca, error)) {
        g_prefix_error(error, "--ca ");
        return FALSE;
    }
    cli_identity_expect_x509(ca != NULL);
    for (guint i = 0; turns != NULL && turns[i] != NULL; i++)
        if (!sc_call_add_turn_server(call, turns[i], error)) {
            g_prefix_error(error, "--turn: ");
            return FALSE;
        }
    return TRUE;
}
