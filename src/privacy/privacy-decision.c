/* src/privacy/privacy-decision.c - choosing the profile of a call
 * (precedence), combining it with the command line, and saying what it
 * reveals (seed 003 section 8.6: users should be informed how their
 * privacy will be handled).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "privacy"
#include "privacy/privacy-priv.h"

#include <string.h>

const char *
sc_priv_match_name(ScPrivMatch m)
{
    static const char *const names[] = {"peer", "origin", "domain",
                                        "not-in-contacts", "default",
                                        "built-in"};
    return (guint)m < G_N_ELEMENTS(names) ? names[m] : "?";
}

static void
decision_clear(gpointer data)
{
    ScPrivacyDecision *d = data;

    g_free(d->source);
    g_free(d->rule);
    g_free(d->reason);
    g_free(d->origin);
    g_free(d->peer_identity);
}

ScPrivacyDecision *
sc_privacy_decision_ref(ScPrivacyDecision *d)
{
    g_return_val_if_fail(d != NULL, NULL);
    return g_rc_box_acquire(d);
}

void
sc_privacy_decision_unref(ScPrivacyDecision *d)
{
    if (d != NULL)
        g_rc_box_release_full(d, decision_clear);
}

/* Whether @r matches; sets @why. */
static gboolean
rule_matches(const ScPrivacyRules *rules, const ScPrivRule *r,
             const char *origin, const char *host, gboolean host_is_ip,
             const char *peer, char **why)
{
    const char *peer_domain = peer != NULL ? strrchr(peer, '@') + 1 : NULL;

    switch (r->kind) {
    case SC_PRIV_MATCH_PEER:
        if (peer == NULL || strcmp(r->value, peer) != 0)
            return FALSE;
        *why = g_strdup_printf("the peer is %s", peer);
        return TRUE;
    case SC_PRIV_MATCH_ORIGIN:
        if (strcmp(r->value, origin) != 0)
            return FALSE;
        *why = g_strdup_printf("the signaling origin is %s", origin);
        return TRUE;
    case SC_PRIV_MATCH_DOMAIN:
        if (!host_is_ip && sc_priv_domain_match(r->value, host)) {
            *why = g_strdup_printf("the signaling host %s matches %s", host,
                                   r->value);
            return TRUE;
        }
        if (peer_domain != NULL && sc_priv_domain_match(r->value, peer_domain)) {
            *why = g_strdup_printf("the peer's domain %s matches %s",
                                   peer_domain, r->value);
            return TRUE;
        }
        return FALSE;
    case SC_PRIV_MATCH_NOT_IN_CONTACTS:
        if (peer == NULL) {
            *why = g_strdup("the peer's identity is not known (no verified "
                            "identity), so it is not a contact");
            return TRUE;
        }
        if (sc_priv_rules_is_contact(rules, peer))
            return FALSE;
        *why = g_strdup_printf("%s is not in your contacts", peer);
        return TRUE;
    case SC_PRIV_MATCH_DEFAULT:
        *why = g_strdup("no other rule matches");
        return TRUE;
    default:
        return FALSE;
    }
}

ScPrivacyDecision *
sc_privacy_rules_resolve(const ScPrivacyRules *rules, const char *signal_url,
                         const char *peer_identity, GError **error)
{
    g_autoptr(ScPrivacyDecision) d = g_rc_box_new0(ScPrivacyDecision);
    g_autofree char *host = NULL;
    g_autoptr(GString) names = g_string_new(NULL);
    g_autoptr(GString) reasons = g_string_new(NULL);
    gboolean host_is_ip = FALSE;
    ScPrivMatch best = SC_PRIV_MATCH_BUILTIN;
    guint best_rank = 0;

    g_return_val_if_fail(rules != NULL, NULL);
    d->origin = sc_priv_origin_from_url(signal_url, TRUE, &host, &host_is_ip,
                                        error);
    if (d->origin == NULL) {
        g_prefix_error(error, "signaling URL: ");
        return NULL;
    }
    if (peer_identity != NULL) {
        d->peer_identity = sc_priv_identity_normalize(peer_identity, error);
        if (d->peer_identity == NULL) {
            g_prefix_error(error, "peer identity: ");
            return NULL;
        }
    }
    d->source = rules->rules->len > 0 || g_hash_table_size(rules->contacts) > 0
                    ? g_strdup(rules->source)
                    : NULL;
    sc_priv_profile_builtin(&d->rule_profile);
    /* the most specific kind that matches; among domain rules the longest
     * pattern; rules that tie are merged, the more private value winning */
    for (guint i = 0; i < rules->rules->len; i++) {
        const ScPrivRule *r = rules->rules->pdata[i];
        g_autofree char *why = NULL;
        guint rank = r->kind == SC_PRIV_MATCH_DOMAIN
                         ? sc_priv_pattern_rank(r->value)
                         : 0;

        if (r->kind > best || (r->kind == best && rank < best_rank))
            continue;
        if (!rule_matches(rules, r, d->origin, host, host_is_ip,
                          d->peer_identity, &why))
            continue;
        if (r->kind < best || rank > best_rank) {
            best = r->kind;
            best_rank = rank;
            g_string_truncate(names, 0);
            g_string_truncate(reasons, 0);
            /* the least private of all, so that merging starts from the
             * first rule's own values */
            memset(&d->rule_profile, 0, sizeof(d->rule_profile));
        }
        g_string_append_printf(names, "%s%s", names->len > 0 ? "+" : "",
                               r->name);
        g_string_append_printf(reasons, "%s%s", reasons->len > 0 ? "; " : "",
                               why);
        sc_priv_profile_merge_max(&d->rule_profile, &r->profile);
    }
    d->matched = best;
    if (best == SC_PRIV_MATCH_BUILTIN) {
        d->reason = g_strdup(rules->rules->len == 0
                                 ? "no privacy rules"
                                 : "no rule matches and there is no "
                                   "[default]");
    } else {
        d->rule = g_string_free(g_steal_pointer(&names), FALSE);
        d->reason = g_string_free(g_steal_pointer(&reasons), FALSE);
    }
    d->profile = d->rule_profile;
    return g_steal_pointer(&d);
}

gboolean
sc_privacy_decision_merge(ScPrivacyDecision *d, const char *const *requests,
                          gboolean override, GError **error)
{
    ScPrivProfile eff;
    guint8 want[SC_PRIV_N_FIELDS] = {0};
    guint32 req = 0;
    gboolean replace;

    g_return_val_if_fail(d != NULL && !d->merged, FALSE);
    for (guint i = 0; requests != NULL && requests[i] != NULL; i++) {
        const char *eq = strchr(requests[i], '=');
        g_autofree char *key =
            eq != NULL ? g_strndup(requests[i], eq - requests[i]) : NULL;
        ScPrivField f;
        if (key == NULL || !sc_priv_field_from_name(key, &f) ||
            !sc_priv_value_from_name(f, eq + 1, &want[f])) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "bad privacy request '%s'", requests[i]);
            return FALSE;
        }
        if ((req & (1u << f)) != 0) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "%s is asked twice", key);
            return FALSE;
        }
        req |= 1u << f;
    }
    /* no rule applies: the built-in profile only fills in what the
     * command line leaves out, as with --privacy-override */
    replace = override || d->matched == SC_PRIV_MATCH_BUILTIN;
    if (replace)
        sc_priv_profile_builtin(&eff);
    else
        eff = d->rule_profile;
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        if ((req & (1u << f)) == 0)
            continue;
        if (!replace && want[f] < eff.v[f]) {
            g_set_error(
                error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                "privacy %s '%s' (%s) sets %s=%s; the command line asks "
                "for %s=%s, which reveals more: refused (--privacy-override "
                "lets the command line decide)",
                "rule", d->rule, d->reason,
                sc_priv_field_name((ScPrivField)f),
                sc_priv_value_name((ScPrivField)f, eff.v[f]),
                sc_priv_field_name((ScPrivField)f),
                sc_priv_value_name((ScPrivField)f, want[f]));
            return FALSE;
        }
        eff.v[f] = replace ? want[f] : MAX(eff.v[f], want[f]);
    }
    sc_priv_profile_normalize(&eff);
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        const char *why = NULL;
        if ((req & (1u << f)) == 0 || want[f] >= eff.v[f])
            continue;
        sc_priv_profile_floor(&eff, (ScPrivField)f, &why);
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "the command line asks for %s=%s, but %s%s%s%s",
                    sc_priv_field_name((ScPrivField)f),
                    sc_priv_value_name((ScPrivField)f, want[f]),
                    why != NULL ? why : "the profile forbids it",
                    d->rule != NULL && !override ? " (rule '" : "",
                    d->rule != NULL && !override ? d->rule : "",
                    d->rule != NULL && !override ? "')" : "");
        return FALSE;
    }
    d->profile = eff;
    d->requested = req;
    memcpy(d->want, want, sizeof d->want);
    d->overridden = override;
    d->merged = TRUE;
    return TRUE;
}

const char *
sc_privacy_decision_get(const ScPrivacyDecision *d, const char *key)
{
    ScPrivField f;

    g_return_val_if_fail(d != NULL && key != NULL, NULL);
    if (strcmp(key, "rule") == 0)
        return d->rule;
    if (strcmp(key, "matched") == 0)
        return sc_priv_match_name(d->matched);
    if (!sc_priv_field_from_name(key, &f))
        return NULL;
    return sc_priv_value_name(f, d->profile.v[f]);
}

gboolean
sc_privacy_decision_covers(const ScPrivacyDecision *applied,
                           const ScPrivacyDecision *later)
{
    g_return_val_if_fail(applied != NULL && later != NULL, FALSE);
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++)
        if (applied->profile.v[f] < later->profile.v[f])
            return FALSE;
    return TRUE;
}

ScPrivacyDecision *
sc_privacy_rules_redecide(const ScPrivacyRules *rules,
                          const ScPrivacyDecision *applied,
                          const char *peer_identity, GError **error)
{
    g_autoptr(ScPrivacyDecision) later = NULL;
    g_autoptr(GPtrArray) req = g_ptr_array_new_with_free_func(g_free);

    g_return_val_if_fail(rules != NULL && applied != NULL, NULL);
    later = sc_privacy_rules_resolve(rules, applied->origin, peer_identity,
                                     error);
    if (later == NULL)
        return NULL;
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++)
        if ((applied->requested & (1u << f)) != 0)
            g_ptr_array_add(req, g_strdup_printf(
                                     "%s=%s",
                                     sc_priv_field_name((ScPrivField)f),
                                     sc_priv_value_name((ScPrivField)f,
                                                        applied->want[f])));
    g_ptr_array_add(req, NULL);
    if (applied->merged &&
        !sc_privacy_decision_merge(later, (const char *const *)req->pdata,
                                   applied->overridden, error))
        return NULL;
    return g_steal_pointer(&later);
}

gboolean
sc_priv_rules_depend_on_peer(const ScPrivacyRules *rules)
{
    for (guint i = 0; i < rules->rules->len; i++) {
        const ScPrivRule *r = rules->rules->pdata[i];
        if (r->kind == SC_PRIV_MATCH_PEER || r->kind == SC_PRIV_MATCH_DOMAIN ||
            r->kind == SC_PRIV_MATCH_NOT_IN_CONTACTS)
            return TRUE;
    }
    return FALSE;
}

gboolean
sc_priv_rules_is_contact(const ScPrivacyRules *rules, const char *identity)
{
    g_autofree char *norm = sc_priv_identity_normalize(identity, NULL);

    return norm != NULL && (g_hash_table_contains(rules->contacts, norm) ||
                            g_hash_table_contains(rules->file_contacts, norm));
}

gboolean
sc_privacy_rules_is_contact(const ScPrivacyRules *rules, const char *identity)
{
    g_return_val_if_fail(rules != NULL && identity != NULL, FALSE);
    return sc_priv_rules_is_contact(rules, identity);
}

guint
sc_priv_decision_first_uncovered(const ScPrivacyDecision *applied,
                                 const ScPrivacyDecision *later,
                                 guint32 ignore)
{
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++)
        if ((ignore & (1u << f)) == 0 &&
            applied->profile.v[f] < later->profile.v[f])
            return f;
    return SC_PRIV_N_FIELDS;
}

char *
sc_priv_decision_rule_text(const ScPrivacyDecision *d)
{
    if (d->rule == NULL)
        return g_strdup("the built-in profile");
    return g_strdup_printf("rule '%s' (%s: %s)", d->rule,
                           sc_priv_match_name(d->matched), d->reason);
}

/* ---- telling the user ---- */

static void
append_revealed(GString *s, const ScPrivacyDecision *d, gboolean answering)
{
    const guint8 *v = d->profile.v;

    g_string_append(s, "privacy: the peer learns ");
    switch (v[SC_PRIV_IP_HANDLING]) {
    case SC_PRIV_IP_RELAY:
        g_string_append(s, "no address of yours, only your TURN server's "
                           "(which learns yours)");
        break;
    case SC_PRIV_IP_DEFAULT_ROUTE_ONLY:
        g_string_append(s, "only your public address on the default route "
                           "(through STUN), no local address");
        break;
    case SC_PRIV_IP_DEFAULT_ROUTE:
        g_string_append(s, "the addresses of your default route's "
                           "interface (and your public address through "
                           "STUN)");
        break;
    default:
        g_string_append(s, "your IP addresses (every local interface, and "
                           "your public address through STUN)");
        break;
    }
    if (answering && v[SC_PRIV_DEFER_ICE] == SC_PRIV_TRUE)
        g_string_append(s, ", and nothing before you accept the call");
    if (v[SC_PRIV_KEY_SCOPE] == SC_PRIV_KEY_PER_CALL)
        g_string_append(s, "; a key pair made for this call only");
    else
        g_string_append_printf(s, "; the key pair of every call through %s "
                                  "(such calls can be linked)",
                               d->origin);
    if (v[SC_PRIV_DISCLOSE_IDENTITY] == SC_PRIV_ID_NONE)
        g_string_append(s, "; no identity");
    else if (v[SC_PRIV_DISCLOSE_IDENTITY] == SC_PRIV_ID_PSEUDONYM)
        g_string_append(s, "; at most a pseudonym");
    else
        g_string_append(s, "; your identity, if you assert one");
    g_string_append_printf(s, ".\nprivacy: the signaling service %s learns "
                              "your IP address, the room and when you call%s.\n",
                           d->origin,
                           v[SC_PRIV_IP_HANDLING] == SC_PRIV_IP_RELAY
                               ? ""
                               : ", and the addresses you send the peer");
}

char *
sc_privacy_decision_describe(const ScPrivacyDecision *d, gboolean answering)
{
    GString *s = g_string_new("privacy: ");

    g_return_val_if_fail(d != NULL, NULL);
    if (d->rule != NULL)
        g_string_append_printf(s, "rule '%s' of %s applies (%s: %s)", d->rule,
                               d->source, sc_priv_match_name(d->matched),
                               d->reason);
    else
        g_string_append_printf(s, "built-in profile (%s)", d->reason);
    if (d->overridden)
        g_string_append(s, "; replaced by the command line "
                           "(--privacy-override)");
    else if (d->requested != 0)
        g_string_append(s, "; the command line adds to it");
    g_string_append(s, "\nprivacy:");
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        /* the callee's checks matter only to the callee */
        if (!answering && (f == SC_PRIV_REFUSE_ANONYMOUS ||
                           f == SC_PRIV_REFUSE_UNLINKABLE ||
                           f == SC_PRIV_DEFER_ICE))
            continue;
        g_string_append_printf(s, " %s=%s", sc_priv_field_name((ScPrivField)f),
                               sc_priv_value_name((ScPrivField)f,
                                                  d->profile.v[f]));
    }
    g_string_append_c(s, '\n');
    append_revealed(s, d, answering);
    return g_string_free(s, FALSE);
}

static void
set_str(JsonObject *o, const char *name, const char *value)
{
    if (value == NULL)
        json_object_set_null_member(o, name);
    else
        json_object_set_string_member(o, name, value);
}

JsonNode *
sc_privacy_decision_to_json_node(const ScPrivacyDecision *d)
{
    JsonObject *o = json_object_new();
    JsonObject *profile = json_object_new();
    JsonArray *cli = json_array_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    const char *const strings[][2] = {
        {"source", d->source},
        {"rule", d->rule},
        {"matched", sc_priv_match_name(d->matched)},
        {"reason", d->reason},
        {"origin", d->origin},
        {"peer_identity", d->peer_identity},
    };

    for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
        set_str(o, strings[i][0], strings[i][1]);
    json_object_set_boolean_member(o, "overridden", d->overridden);
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        const char *name = sc_priv_field_name((ScPrivField)f);
        const char *v = sc_priv_value_name((ScPrivField)f, d->profile.v[f]);
        if ((d->requested & (1u << f)) != 0)
            json_array_add_string_element(cli, name);
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
            json_object_set_boolean_member(profile, name, v[0] == 't');
        else
            json_object_set_string_member(profile, name, v);
    }
    json_object_set_array_member(o, "command_line", cli);
    json_object_set_object_member(o, "profile", profile);
    json_node_take_object(node, o);
    return node;
}

char *
sc_privacy_decision_to_json(const ScPrivacyDecision *d)
{
    g_autoptr(JsonNode) node = NULL;

    g_return_val_if_fail(d != NULL, NULL);
    node = sc_privacy_decision_to_json_node(d);
    return json_to_string(node, FALSE);
}
