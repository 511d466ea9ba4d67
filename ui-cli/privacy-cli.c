/* ui-cli/privacy-cli.c - privacy rules for `sealcall call|answer`: which
 * rule applies, combined with the command line, told to the user before
 * the call connects, and applied to the call in one function
 * (cli_privacy_apply()). Public API only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

void
cli_privacy_add_options(GOptionContext *octx, CliPrivacy *p)
{
    GOptionEntry entries[] = {
        {"privacy-config", 0, 0, G_OPTION_ARG_FILENAME, &p->config,
         "privacy rules (default $XDG_CONFIG_HOME/sealcall/privacy.conf; "
         "/dev/null: none)",
         "FILE"},
        {"privacy-override", 0, 0, G_OPTION_ARG_NONE, &p->override,
         "the command line replaces the privacy rule's profile (default: it "
         "may only add privacy)",
         NULL},
        {"contacts", 0, 0, G_OPTION_ARG_FILENAME, &p->contacts,
         "contacts file: verified identities, one a line (default "
         "$XDG_CONFIG_HOME/sealcall/contacts; /dev/null: none)",
         "FILE"},
        {"only-verified", 0, 0, G_OPTION_ARG_NONE, &p->only_verified,
         "call only with a verified peer in your contacts (others end "
         "identity-rejected before media or data; with --defer-ice before "
         "the call is announced)",
         NULL},
        {"require-unlinkable", 0, 0, G_OPTION_ARG_NONE,
         &p->require_unlinkable,
         "refuse the call unless it is unlinkable: per-call keys, relay "
         "only, no identity beyond a pseudonym",
         NULL},
        {NULL},
    };
    g_option_context_add_main_entries(octx, entries, NULL);
}

void
cli_privacy_clear(CliPrivacy *p)
{
    g_clear_pointer(&p->ip_handling, g_free);
    g_clear_pointer(&p->key_scope, g_free);
    g_clear_pointer(&p->disclose_identity, g_free);
    g_clear_pointer(&p->config, g_free);
    g_clear_pointer(&p->asked, g_free);
    g_clear_pointer(&p->ruled, g_free);
    g_clear_pointer(&p->decision, sc_privacy_decision_unref);
    g_clear_pointer(&p->contacts, g_free);
    g_clear_pointer(&p->rules, sc_privacy_rules_free);
}

char *
cli_contacts_path(const CliPrivacy *p)
{
    return p->contacts != NULL ? g_strdup(p->contacts)
                               : sc_privacy_contacts_default_path();
}

static gboolean
is_true(const ScPrivacyDecision *d, const char *key)
{
    return g_strcmp0(sc_privacy_decision_get(d, key), "true") == 0;
}

gboolean
cli_privacy_decide(CliPrivacy *p, const char *signal_url, gboolean answering,
                   GError **error)
{
    g_autofree char *path =
        p->config != NULL ? g_strdup(p->config) : sc_privacy_rules_default_path();
    g_autoptr(ScPrivacyRules) rules = NULL;
    g_autoptr(GPtrArray) req = g_ptr_array_new_with_free_func(g_free);
    ScPrivacyDecision *d;

    (void)answering;
    if (p->key_scope != NULL && strcmp(p->key_scope, "per-call") != 0 &&
        strcmp(p->key_scope, "per-origin") != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "--key-scope: '%s' is not one of per-call, per-origin",
                    p->key_scope);
        return FALSE;
    }
    /* the default file may be absent; a file named on the command line not */
    rules = sc_privacy_rules_load(path, p->config != NULL, error);
    if (rules == NULL)
        return FALSE;
    {
        g_autofree char *contacts = cli_contacts_path(p);
        if (!sc_privacy_rules_add_contacts_file(rules, contacts, error))
            return FALSE;
    }
    /* the peer's identity is not known before the call: peer rules cannot
     * match yet, not_in_contacts does; the call decides again once it is
     * verified (sc_call_set_privacy_rules()) */
    d = sc_privacy_rules_resolve(rules, signal_url, NULL, error);
    if (d == NULL)
        return FALSE;
    p->decision = d;
    p->rules = g_steal_pointer(&rules);
    {
        static const char *const fields[] = {
            "relay_only", "ip_handling", "key_scope", "defer_ice",
            "refuse_anonymous", "refuse_unlinkable", NULL};
        GString *ruled = g_string_new(NULL);
        for (guint i = 0; fields[i] != NULL; i++)
            g_string_append_printf(ruled, "%s=%s ", fields[i],
                                   sc_privacy_decision_get(d, fields[i]));
        p->ruled = g_string_free(ruled, FALSE);
    }
    if (p->relay_only)
        g_ptr_array_add(req, g_strdup("relay_only=true"));
    if (p->ip_handling != NULL)
        g_ptr_array_add(req, g_strdup_printf("ip_handling=%s", p->ip_handling));
    if (p->key_scope != NULL)
        g_ptr_array_add(req, g_strdup_printf("key_scope=%s", p->key_scope));
    if (p->defer_ice)
        g_ptr_array_add(req, g_strdup("defer_ice=true"));
    if (p->require_unlinkable)
        g_ptr_array_add(req, g_strdup("require_unlinkable=true"));
    g_ptr_array_add(req, NULL);
    p->asked = g_strjoinv(" ", (char **)req->pdata);
    if (!sc_privacy_decision_merge(d, (const char *const *)req->pdata,
                                   p->override, error)) {
        return FALSE;
    }
    p->relay_only = is_true(d, "relay_only");
    g_free(p->ip_handling);
    p->ip_handling = g_strdup(sc_privacy_decision_get(d, "ip_handling"));
    g_free(p->key_scope);
    p->key_scope = g_strdup(sc_privacy_decision_get(d, "key_scope"));
    p->defer_ice = is_true(d, "defer_ice");
    g_free(p->disclose_identity);
    p->disclose_identity =
        g_strdup(sc_privacy_decision_get(d, "disclose_identity"));
    p->require_unlinkable = is_true(d, "require_unlinkable");
    p->refuse_anonymous = is_true(d, "refuse_anonymous");
    p->refuse_unlinkable = is_true(d, "refuse_unlinkable");
    return TRUE;
}

gboolean
cli_privacy_apply(ScCall *call, CliPrivacy *p, gboolean answering,
                  GError **error)
{
    /* relay_only (and ip_handling relay-only, the same RFC 8828 mode 4):
     * branch turn wires its setter here, e.g. sc_call_set_relay_only() */
    if (p->relay_only && !sc_call_set_relay_only(call, TRUE, error))
        return FALSE;
    /* ip_handling: RFC 8828 modes; the value names are in one table,
     * src/privacy/privacy-profile.c, the same as the library's */
    if (p->ip_handling != NULL) {
        ScIpHandling mode;
        if (!sc_ip_handling_from_string(p->ip_handling, &mode, error) ||
            !sc_call_set_ip_handling(call, mode, error)) {
            g_prefix_error(error, "--ip-handling: ");
            return FALSE;
        }
    }
    /* key_scope: per-call is what sc_call_new() does; --cert (a configured
     * certificate) is applied after this, by the caller */
    if (g_strcmp0(p->key_scope, "per-origin") == 0 &&
        !sc_call_set_key_scope(call, SC_KEY_SCOPE_PER_ORIGIN, error))
        return FALSE;
    /* defer_ice: the answerer's (a caller has nothing to defer: a rule's
     * defer_ice does not apply to `call`; the option is refused there) */
    if (p->defer_ice && !answering &&
        strstr(p->asked, "defer_ice=true") != NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "--defer-ice is for `sealcall answer`: a caller "
                            "has no call to accept");
        return FALSE;
    }
    if (p->defer_ice && answering &&
        !sc_call_set_defer_ice(call, TRUE, error))
        return FALSE;
    /* disclose_identity: checked against --idp by the caller of this
     * (cmd-call.c: a rule's "none" refuses it). */
    /* refuse_anonymous: the answerer's gate: no media or data before the
     * caller's identity verifies, else identity-rejected (call/'s
     * identity gate). refuse_unlinkable: a caller who hides its address
     * and has no identity but a pseudonym (call/peer-policy.c) */
    if (answering && p->refuse_anonymous &&
        !sc_call_set_refuse_anonymous(call, TRUE, error))
        return FALSE;
    if (answering && p->refuse_unlinkable &&
        !sc_call_set_refuse_unlinkable(call, TRUE, error))
        return FALSE;
    if (p->only_verified && !sc_call_set_only_verified(call, TRUE, error))
        return FALSE;
    /* the call decides again with the peer's verified identity (peer
     * rules, domain rules on its domain, not_in_contacts) */
    return sc_call_set_privacy_rules(call, g_steal_pointer(&p->rules),
                                     error);
}

gboolean
cli_privacy_check_idp(const CliPrivacy *p, const char *idp, const char *hint,
                      GError **error)
{
    const char *rule = sc_privacy_decision_get(p->decision, "rule");

    if (idp == NULL)
        return TRUE;
    /* a privacy rule (not the built-in profile, whose "none" only means
     * that nothing is asserted unless --idp asks) that discloses no
     * identity refuses --idp */
    if (g_strcmp0(p->disclose_identity, "none") == 0 && rule != NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the privacy rule '%s' says disclose_identity=none: "
                    "--idp is refused", rule);
        return FALSE;
    }
    /* at most a pseudonym: sealcall idp asserts p-XXXX@DOMAIN for the
     * username hint "pseudonym"; any other hint names the user */
    if (g_strcmp0(p->disclose_identity, "pseudonym") == 0 &&
        g_strcmp0(hint, "pseudonym") != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "%s%s%s says disclose_identity=pseudonym: --idp needs "
                    "--identity-hint pseudonym (an identity that is not a "
                    "pseudonym is refused)",
                    rule != NULL ? "the privacy rule '" : "the privacy profile",
                    rule != NULL ? rule : "", rule != NULL ? "'" : "");
        return FALSE;
    }
    return TRUE;
}

gboolean
cli_contacts_allow(ScCall *call, const CliPrivacy *p, char **text,
                   GError **error)
{
    const char *who = sc_call_get_peer_identity(call);
    g_autofree char *path = cli_contacts_path(p);
    gboolean added = FALSE;

    if (who == NULL) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                            "allow: the peer has no verified identity (only "
                            "a verified user can be allowed)");
        return FALSE;
    }
    if (!sc_privacy_contacts_add(path, who, &added, error))
        return FALSE;
    *text = g_strdup_printf("%s %s your contacts (%s): future calls from "
                            "this verified user are allowed "
                            "(--only-verified)",
                            who, added ? "added to" : "is already in", path);
    return TRUE;
}

void
cli_privacy_show(const ScCallEvent *ev)
{
    const char *text = sc_call_event_get_string(ev, "text");
    g_autofree char *safe =
        cli_sanitize(text != NULL ? text : "", -1, 4096, TRUE);
    g_auto(GStrv) lines = g_strsplit(safe, "\n", -1);

    printf("* privacy decided again with the peer's verified identity:\n");
    for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
            printf("  %s\n", lines[i]);
}

void
cli_privacy_announce(const CliPrivacy *p, gboolean answering, gboolean json)
{
    if (json) {
        g_autofree char *text = sc_privacy_decision_to_json(p->decision);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *line = NULL;
        g_autofree char *desc =
            sc_privacy_decision_describe(p->decision, answering);
        JsonObject *o;
        GList *members;

        if (!json_parser_load_from_data(parser, text, -1, NULL))
            return;
        o = json_node_get_object(json_parser_get_root(parser));
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, "privacy");
        members = json_object_get_members(o);
        for (GList *l = members; l != NULL; l = l->next) {
            json_builder_set_member_name(b, l->data);
            json_builder_add_value(
                b, json_node_copy(json_object_get_member(o, l->data)));
        }
        g_list_free(members);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, desc);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        line = json_to_string(root, FALSE);
        fputs(line, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    } else {
        g_autofree char *desc =
            sc_privacy_decision_describe(p->decision, answering);
        /* the file's names and the URL are the user's own, but keep the
         * terminal safe from what a shared config may hold */
        g_autofree char *safe = cli_sanitize(desc, -1, 4096, TRUE);
        g_auto(GStrv) lines = g_strsplit(safe, "\n", -1);
        for (guint i = 0; lines[i] != NULL; i++)
            if (lines[i][0] != '\0')
                fprintf(stderr, "sealcall: %s\n", lines[i]);
    }
}

/* The rule, or --require-unlinkable, that insists on relay-only for this
 * call (NULL when none does): an upgrade to direct candidates would undo
 * it. --relay-only alone is the user's own choice, theirs to change. */
static char *
insists_on_relay_only(const CliPrivacy *p)
{
    const char *rule = sc_privacy_decision_get(p->decision, "rule");
    g_autofree char *ruled = g_strdup_printf(" %s ", p->ruled);

    if (p->require_unlinkable)
        return g_strdup(strstr(p->asked, "require_unlinkable=true") != NULL ||
                                rule == NULL
                            ? "--require-unlinkable"
                            : "the privacy rule's require_unlinkable");
    if (rule != NULL && (strstr(ruled, " relay_only=true ") != NULL ||
                         strstr(ruled, " ip_handling=relay-only ") != NULL))
        return g_strdup_printf("privacy rule '%s' (relay_only=true)", rule);
    return NULL;
}

gboolean
cli_privacy_change(ScCall *call, const CliPrivacy *p, gboolean relay_only,
                   GError **error)
{
    g_autofree char *who = relay_only ? NULL : insists_on_relay_only(p);

    if (who != NULL && !p->override) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "refused: %s keeps this call relay-only, and direct "
                    "candidates would show the peer your addresses (start "
                    "the call with --privacy-override to allow the change)",
                    who);
        return FALSE;
    }
    return sc_call_change_relay_only(call, relay_only, error);
}

const char *
cli_privacy_change_text(gboolean relay_only)
{
    return relay_only
               ? "back to relay-only: an ICE restart with relay candidates "
                 "only; once a relay pair is selected nothing goes to the "
                 "peer but through the TURN server (the addresses the peer "
                 "learnt meanwhile stay learnt)"
               : "direct candidates allowed: an ICE restart that shows the "
                 "peer and the signaling relay your local addresses (host "
                 "candidates), and the peer your public address when a "
                 "direct pair is used; the call goes on";
}
