/* src/call/peer-policy.c - what the call decides once the peer's identity
 * step is done (issue 13 point 7, issue 14 point 8): the privacy rules
 * made again with the peer's verified identity (peer rules, domain rules
 * on its domain, not_in_contacts), `--only-verified` (a verified contact
 * or nothing), and refuse_unlinkable (an answerer refusing callers who
 * hide both their address and who they are).
 *
 * It runs from identity-gate.c when the peer's identity is verified,
 * failed (and not required) or absent, and only then: the gate holds
 * SRTP keys and SCTP until then whenever this file may still end the
 * call (sc_call_policy_waits()), so nothing flows either way before the
 * decision. With deferred ICE the caller's assertion is verified before
 * the call is announced (defer.c), so the same decision is made before
 * anything about us is revealed, and the `incoming` event says what it
 * found.
 *
 * An "unlinkable caller" (what refuse_unlinkable refuses): every
 * candidate it has signalled by the time of the decision hides its
 * address (relay candidates whose related address is 0.0.0.0 or :: port
 * 0, or absent; host candidates named by an mDNS `.local` name), at least
 * one candidate has arrived, and it has no verified identity other than a
 * pseudonym. A caller who has signalled any other candidate, or who is a
 * verified non-pseudonymous identity, is linkable.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"
#include "identity/identity.h"
#include "privacy/privacy-priv.h"

#include <string.h>

/* ---- configuration ---- */

gboolean
sc_call_set_privacy_rules(ScCall *call, ScPrivacyRules *rules, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!sc_call_defer_before_start(call, error)) {
        sc_privacy_rules_free(rules);
        return FALSE;
    }
    g_clear_pointer(&call->policy.rules, sc_privacy_rules_free);
    call->policy.rules = rules;
    return TRUE;
}

gboolean
sc_call_set_only_verified(ScCall *call, gboolean only, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!sc_call_defer_before_start(call, error))
        return FALSE;
    call->policy.only_verified = only;
    /* the identity gate: nothing before a verified identity */
    if (only)
        call->id_gate.require_any = TRUE;
    return TRUE;
}

gboolean
sc_call_set_refuse_unlinkable(ScCall *call, gboolean refuse, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!sc_call_defer_before_start(call, error))
        return FALSE;
    if (refuse && call->role != SC_CALL_ROLE_ANSWERER) {
        g_set_error_literal(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                            "refuse_unlinkable is for the answerer");
        return FALSE;
    }
    call->policy.refuse_unlinkable = refuse;
    return TRUE;
}

void
sc_call_policy_free(ScCall *call)
{
    g_clear_pointer(&call->policy.rules, sc_privacy_rules_free);
    g_clear_pointer(&call->policy.held_desc, sc_sdp_desc_free);
}

gboolean
sc_call_policy_waits(ScCall *call)
{
    ScCallPolicy *p = &call->policy;

    return p->only_verified || p->refuse_unlinkable ||
           (p->rules != NULL && call->privacy_decision != NULL &&
            sc_priv_rules_depend_on_peer(p->rules));
}

/* ---- the caller's candidates (refuse_unlinkable) ---- */

static gboolean
is_unspecified(const char *addr)
{
    g_autoptr(GInetAddress) a = g_inet_address_new_from_string(addr);

    return a != NULL && g_inet_address_get_is_any(a);
}

static void
note_candidate(ScCall *call, const ScIceCandidate *c)
{
    gboolean hides =
        (g_str_equal(c->type, "relay") &&
         (c->raddr == NULL || (is_unspecified(c->raddr) && c->rport == 0))) ||
        (g_str_equal(c->type, "host") && c->mdns);

    if (call->policy.n_cands < G_MAXUINT)
        call->policy.n_cands++;
    if (!hides)
        call->policy.revealing = TRUE;
}

static void announce_after_candidates(ScCall *call);

void
sc_call_policy_note_remote_candidate(ScCall *call, const char *line)
{
    g_autoptr(ScIceCandidate) c = NULL;

    if (line == NULL)
        return;
    if (line[0] == '\0') {
        call->policy.cands_done = TRUE;
    } else {
        c = sc_ice_candidate_parse(line, NULL);
        if (c != NULL)
            note_candidate(call, c);
    }
    if (call->policy.announce_wait &&
        (call->policy.revealing || call->policy.cands_done))
        announce_after_candidates(call);
}

static void
note_description(ScCall *call, const ScSdpDesc *desc)
{
    if (desc == NULL || call->policy.desc_noted)
        return;
    call->policy.desc_noted = TRUE;
    for (guint i = 0; i < desc->sections->len; i++) {
        const ScSdpSection *s = desc->sections->pdata[i];
        if (s->end_of_candidates)
            call->policy.cands_done = TRUE;
        for (guint j = 0; s->candidates != NULL && j < s->candidates->len; j++)
            note_candidate(call, s->candidates->pdata[j]);
    }
}

gboolean
sc_call_policy_is_pseudonym(const char *identity)
{
    const char *at = identity != NULL ? strrchr(identity, '@') : NULL;

    /* sealcall idp's form: p- and 26 base32 characters */
    if (at == NULL || at - identity != 28 || strncmp(identity, "p-", 2) != 0)
        return FALSE;
    for (const char *c = identity + 2; c < at; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '2' && *c <= '7') ||
              (*c >= 'A' && *c <= 'Z')))
            return FALSE;
    return TRUE;
}

/* NULL when the caller is linkable; else why it is unlinkable. */
static char *
unlinkable_why(ScCall *call, const char *identity)
{
    note_description(call, call->remote != NULL ? call->remote
                                                : call->policy.held_desc);
    if (call->policy.revealing || call->policy.n_cands == 0)
        return NULL;
    if (identity != NULL && !sc_call_identity_is_pseudonym(call, identity))
        return NULL;
    return g_strdup_printf(
        "the caller is unlinkable: its %u candidate%s hide%s its address "
        "(relay with no related address, or mDNS) and it has %s",
        call->policy.n_cands, call->policy.n_cands == 1 ? "" : "s",
        call->policy.n_cands == 1 ? "s" : "",
        identity != NULL ? "only a pseudonym" : "no verified identity");
}

/* ---- the decision ---- */

static void
refuse(ScCall *call, const char *detail)
{
    SC_LOG_WARN(call->id, "call refused: %s", detail);
    sc_call_send_bye(call, "identity-rejected");
    sc_call_end(call, SC_END_REASON_IDENTITY_REJECTED, detail);
}

static void
emit_privacy(ScCall *call, const ScPrivacyDecision *d)
{
    ScCallEvent *ev = sc_call_event_new(SC_CALL_EVENT_PRIVACY);
    g_autoptr(JsonNode) node = sc_privacy_decision_to_json_node(d);
    JsonObject *o = json_node_get_object(node);
    g_autofree char *text =
        sc_privacy_decision_describe(d, call->role == SC_CALL_ROLE_ANSWERER);
    GList *members = json_object_get_members(o);

    for (GList *l = members; l != NULL; l = l->next) {
        JsonNode *m = json_object_get_member(o, l->data);
        if (JSON_NODE_HOLDS_VALUE(m) &&
            json_node_get_value_type(m) == G_TYPE_STRING)
            sc_call_event_set_str(ev, l->data, json_node_get_string(m));
        else
            sc_call_event_set_node(ev, l->data, json_node_copy(m));
    }
    g_list_free(members);
    sc_call_event_set_bool(ev, "reevaluated", TRUE);
    sc_call_event_set_str(ev, "text", text);
    sc_call_emit(call, ev);
}

/* The privacy rules again, with the peer's identity. FALSE: ended. */
static gboolean
redecide(ScCall *call, const char *identity)
{
    ScPrivacyDecision *applied = call->privacy_decision;
    g_autoptr(ScPrivacyDecision) later = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *was = NULL, *now = NULL, *detail = NULL;
    guint32 ignore = 0;
    guint f;

    if (call->policy.rules == NULL || applied == NULL || identity == NULL ||
        !sc_priv_rules_depend_on_peer(call->policy.rules))
        return TRUE;
    later = sc_privacy_rules_redecide(call->policy.rules, applied, identity,
                                      &error);
    if (later == NULL) {
        detail = g_strdup_printf("privacy rules with the peer's identity "
                                 "%s: %s", identity, error->message);
        refuse(call, detail);
        return FALSE;
    }
    /* facts that meet a field: the peer has a verified identity
     * (refuse_anonymous); unlinkability is checked on its own below;
     * deferring ICE is the answerer's only */
    ignore |= 1u << SC_PRIV_REFUSE_ANONYMOUS;
    ignore |= 1u << SC_PRIV_REFUSE_UNLINKABLE;
    if (call->role != SC_CALL_ROLE_ANSWERER)
        ignore |= 1u << SC_PRIV_DEFER_ICE;
    /* we assert no identity: none was disclosed, whatever the field said */
    if (call->id_gate.idp_domain == NULL)
        ignore |= 1u << SC_PRIV_DISCLOSE_IDENTITY;
    f = sc_priv_decision_first_uncovered(applied, later, ignore);
    if (f < SC_PRIV_N_FIELDS) {
        was = sc_priv_decision_rule_text(applied);
        now = sc_priv_decision_rule_text(later);
        detail = g_strdup_printf(
            "privacy %s asks for %s=%s, but this call was set up with "
            "%s=%s (%s), and what that revealed cannot be taken back",
            now, sc_priv_field_name((ScPrivField)f),
            sc_priv_value_name((ScPrivField)f, later->profile.v[f]),
            sc_priv_field_name((ScPrivField)f),
            sc_priv_value_name((ScPrivField)f, applied->profile.v[f]), was);
        refuse(call, detail);
        return FALSE;
    }
    if (call->role == SC_CALL_ROLE_ANSWERER &&
        later->profile.v[SC_PRIV_REFUSE_UNLINKABLE] == SC_PRIV_TRUE) {
        g_autofree char *why = unlinkable_why(call, identity);
        if (why != NULL) {
            now = sc_priv_decision_rule_text(later);
            detail = g_strdup_printf("%s; privacy %s refuses unlinkable "
                                     "callers (refuse_unlinkable)",
                                     why, now);
            refuse(call, detail);
            return FALSE;
        }
    }
    sc_privacy_decision_unref(call->privacy_decision);
    call->privacy_decision = sc_privacy_decision_ref(later);
    emit_privacy(call, later);
    return TRUE;
}

gboolean
sc_call_policy_on_identity(ScCall *call)
{
    const char *identity = sc_call_get_peer_identity(call);
    g_autofree char *detail = NULL;

    if (sc_call_has_ended(call))
        return FALSE;
    if (call->policy.decided)
        return TRUE;
    call->policy.decided = TRUE;
    if (call->policy.only_verified &&
        (identity == NULL || call->policy.rules == NULL ||
         !sc_priv_rules_is_contact(call->policy.rules, identity))) {
        detail = identity != NULL
                     ? g_strdup_printf("peer identity: %s is verified but "
                                       "not in your contacts "
                                       "(--only-verified)",
                                       identity)
                     : g_strdup("peer identity: none verified "
                                "(--only-verified)");
        refuse(call, detail);
        return FALSE;
    }
    /* deferred and not announced yet: a caller whose offer carried no
     * candidate (trickle) is judged once its candidates have come (one
     * that shows an address, or its end-of-candidates): before the
     * announcement, so before anything of ours is revealed */
    note_description(call, call->remote != NULL ? call->remote
                                                : call->policy.held_desc);
    if (call->policy.refuse_unlinkable && call->remote == NULL &&
        call->policy.held_desc != NULL && !call->policy.revealing &&
        !call->policy.cands_done) {
        if (!redecide(call, identity))
            return FALSE;
        call->policy.announce_wait = TRUE;
        SC_LOG_INFO(call->id, "refuse_unlinkable: the announcement waits "
                              "for the caller's candidates");
        return TRUE;
    }
    if (call->policy.refuse_unlinkable) {
        g_autofree char *why = unlinkable_why(call, identity);
        if (why != NULL) {
            const ScPrivacyDecision *d = call->privacy_decision;
            g_autofree char *rule =
                d != NULL ? sc_priv_decision_rule_text(d) : NULL;
            detail = g_strdup_printf("%s; %s%s refuses unlinkable callers "
                                     "(refuse_unlinkable)",
                                     why, rule != NULL ? "privacy " : "",
                                     rule != NULL ? rule : "the call");
            refuse(call, detail);
            return FALSE;
        }
    }
    if (!redecide(call, identity))
        return FALSE;
    sc_call_defer_identity_done(call);
    return !sc_call_has_ended(call);
}

static void
announce_after_candidates(ScCall *call)
{
    g_autofree char *why = NULL, *detail = NULL;

    call->policy.announce_wait = FALSE;
    if (sc_call_has_ended(call))
        return;
    why = unlinkable_why(call, sc_call_get_peer_identity(call));
    if (why != NULL) {
        detail = g_strdup_printf("%s; the privacy rules refuse unlinkable "
                                 "callers (refuse_unlinkable)", why);
        refuse(call, detail);
        return;
    }
    sc_call_defer_identity_done(call);
}

/* ---- deferred ICE: verifying before the call is announced ---- */

/* Whether the IdP an assertion names is one the user named already: the
 * domain of --peer-identity, an IdP of --trust-idp, or the domain of a
 * contact or of a peer rule. Only such an IdP is contacted before the
 * user accepts: fetching its proxy shows it our address. */
static gboolean
idp_known(ScCall *call, const char *idp_domain)
{
    g_autofree char *host = NULL;
    GPtrArray *t = call->id_gate.trust;
    const ScPrivacyRules *r = call->policy.rules;
    const char *at;
    GHashTableIter it;
    gpointer key;

    if (!sc_idp_domain_parse(idp_domain, &host, NULL, NULL))
        return FALSE;
    at = call->id_gate.required != NULL ? strrchr(call->id_gate.required, '@')
                                        : NULL;
    if (at != NULL && g_ascii_strcasecmp(at + 1, host) == 0)
        return TRUE;
    for (guint i = 0; t != NULL && i + 1 < t->len; i += 2) {
        g_autofree char *th = NULL;
        if (sc_idp_domain_parse(t->pdata[i], &th, NULL, NULL) &&
            g_ascii_strcasecmp(th, host) == 0)
            return TRUE;
    }
    if (r == NULL)
        return FALSE;
    for (guint k = 0; k < 2; k++) {
        g_hash_table_iter_init(&it, k == 0 ? r->contacts : r->file_contacts);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            at = strrchr(key, '@');
            if (at != NULL && g_ascii_strcasecmp(at + 1, host) == 0)
                return TRUE;
        }
    }
    for (guint i = 0; i < r->rules->len; i++) {
        const ScPrivRule *rule = r->rules->pdata[i];
        at = rule->kind == SC_PRIV_MATCH_PEER ? strrchr(rule->value, '@')
                                              : NULL;
        if (at != NULL && g_ascii_strcasecmp(at + 1, host) == 0)
            return TRUE;
    }
    return FALSE;
}

ScPolicyPreverify
sc_call_policy_preverify(ScCall *call, const char *offer_text)
{
    g_autoptr(ScSdpDesc) desc =
        sc_sdp_parse(SC_SDP_TYPE_OFFER, offer_text, NULL);
    g_autoptr(ScIdentityAssertion) a = NULL;

    if (desc == NULL)
        return SC_POLICY_ANNOUNCE;
    /* no assertion and nothing to decide: announced at once (the identity
     * step reports `none` after accept, as without deferring) */
    if (desc->identity == NULL && call->id_gate.required == NULL &&
        !call->id_gate.require_any && !sc_call_policy_waits(call))
        return SC_POLICY_ANNOUNCE;
    if (desc->identity != NULL) {
        a = sc_identity_assertion_parse(desc->identity, NULL);
        if (a == NULL || !idp_known(call, a->domain)) {
            g_autofree char *detail = NULL;
            /* verified after accept, behind the identity gate */
            if (!call->policy.only_verified &&
                call->id_gate.required == NULL)
                return SC_POLICY_ANNOUNCE;
            detail = g_strdup_printf(
                "peer identity: its IdP %s is not one you named (--peer-"
                "identity, --trust-idp, a contact or a peer rule), so it "
                "cannot vouch for %s; refused before anything was revealed",
                a != NULL ? a->domain : "(unreadable)",
                call->policy.only_verified ? "a contact"
                                           : call->id_gate.required);
            refuse(call, detail);
            return SC_POLICY_REFUSED;
        }
    }
    call->policy.held_desc = g_steal_pointer(&desc);
    sc_call_identity_on_remote(call, call->policy.held_desc);
    return SC_POLICY_VERIFYING;
}

gboolean
sc_call_policy_on_dtls_up(ScCall *call)
{
    g_autofree char *why = NULL, *detail = NULL;

    if (!call->policy.refuse_unlinkable || !call->policy.decided ||
        sc_call_has_ended(call))
        return !sc_call_has_ended(call);
    /* decided before the caller's candidates had all arrived (deferred
     * ICE): judged again now that ICE has connected */
    why = unlinkable_why(call, sc_call_get_peer_identity(call));
    if (why == NULL)
        return TRUE;
    detail = g_strdup_printf("%s; the privacy rules refuse unlinkable "
                             "callers (refuse_unlinkable)", why);
    refuse(call, detail);
    return FALSE;
}

const GPtrArray *
sc_call_policy_remote_fingerprints(ScCall *call)
{
    return call->remote != NULL ? call->remote->fingerprints
                                : call->policy.held_desc->fingerprints;
}
