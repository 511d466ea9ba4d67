/* ui-cli/defer.c - `sealcall answer --defer-ice` on a terminal: shows who
 * calls (an `incoming` event) and asks "accept? [y/N]". Everything shown
 * comes from the caller's offer or our own options and goes through
 * cli_sanitize().
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

static void
show(const char *what, const ScCallEvent *ev, const char *field)
{
    const char *raw = sc_call_event_get_string(ev, field);
    g_autofree char *safe =
        cli_sanitize(raw != NULL ? raw : "(unknown)", -1, CLI_SHOW_FIELD_MAX,
                     FALSE);

    printf("  %-22s %s\n", what, safe);
}

void
cli_defer_show_incoming(const ScCallEvent *ev)
{
    const char *timeout = sc_call_event_get_string(ev, "timeout");

    printf("* incoming call (nothing of our network is revealed until you "
           "accept)\n");
    show("relay:", ev, "origin");
    show("room:", ev, "room");
    show("media offered:", ev, "media");
    show("data channel:", ev, "data_channel");
    show("caller's certificate:", ev, "fingerprints");
    if (sc_call_event_get_string(ev, "identity") != NULL) {
        show(g_strcmp0(sc_call_event_get_string(ev, "pseudonym"), "true") == 0
                 ? "VERIFIED pseudonym:"
                 : "VERIFIED identity:",
             ev, "identity");
        show("  by IdP:", ev, "idp");
    } else if (g_strcmp0(sc_call_event_get_string(ev, "identity_status"),
                         "failed") == 0) {
        printf("  %-22s asserted, verification FAILED\n", "identity:");
    } else if (g_strcmp0(sc_call_event_get_string(ev, "identity_present"),
                         "true") == 0) {
        printf("  %-22s asserted, NOT verified (its IdP is not contacted "
               "before you accept)\n", "identity:");
    } else {
        printf("  %-22s none\n", "identity:");
    }
    if (sc_call_event_get_string(ev, "rule_matched") != NULL) {
        const char *rule = sc_call_event_get_string(ev, "rule");
        g_autofree char *safe = cli_sanitize(
            rule != NULL ? rule : "(built-in profile)", -1,
            CLI_SHOW_FIELD_MAX, FALSE);
        g_autofree char *m = cli_sanitize(
            sc_call_event_get_string(ev, "rule_matched"), -1,
            CLI_SHOW_FIELD_MAX, FALSE);
        printf("  %-22s %s (%s)\n", "privacy rule:", safe, m);
    }
    if (timeout != NULL) {
        g_autofree char *safe =
            cli_sanitize(timeout, -1, CLI_SHOW_FIELD_MAX, FALSE);
        printf("  declined in %s s without an answer\n", safe);
    }
    printf("accept? [y/N] ");
    fflush(stdout);
}

gboolean
cli_defer_answer(ScCall *call, const char *line, GError **error)
{
    g_autofree char *word = g_ascii_strdown(line, -1);

    g_strstrip(word);
    if (strcmp(word, "y") == 0 || strcmp(word, "yes") == 0)
        return sc_call_accept(call, error);
    return sc_call_decline(call, error);
}
