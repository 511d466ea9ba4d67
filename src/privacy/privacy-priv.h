/* src/privacy - what the module's own files share.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_PRIVACY_PRIV_H
#define SC_PRIVACY_PRIV_H

#include "privacy/privacy.h"

G_BEGIN_DECLS

/* TRUE when a rule's match can change once the peer's identity is
 * known: a peer, domain or not_in_contacts rule (privacy-decision.c). */
gboolean sc_priv_rules_depend_on_peer(const ScPrivacyRules *rules);
/* TRUE when @identity (normalized or not) is a contact: [contacts] or a
 * contacts file added with sc_privacy_rules_add_contacts_file(). */
gboolean sc_priv_rules_is_contact(const ScPrivacyRules *rules,
                                  const char *identity);
/* The first field in which @later asks for more than @applied has, among
 * those not in @ignore (a bit per field); SC_PRIV_N_FIELDS when none. */
guint sc_priv_decision_first_uncovered(const ScPrivacyDecision *applied,
                                       const ScPrivacyDecision *later,
                                       guint32 ignore);
/* "rule 'NAME' (MATCHED: REASON)" or "the built-in profile" */
char *sc_priv_decision_rule_text(const ScPrivacyDecision *d);

/* What a rule matches, most specific first: the order is the precedence. */
typedef enum {
    SC_PRIV_MATCH_PEER,
    SC_PRIV_MATCH_ORIGIN,
    SC_PRIV_MATCH_DOMAIN,
    SC_PRIV_MATCH_NOT_IN_CONTACTS,
    SC_PRIV_MATCH_DEFAULT,
    SC_PRIV_MATCH_BUILTIN,
} ScPrivMatch;

const char *sc_priv_match_name(ScPrivMatch m);

typedef struct {
    char *name;           /* from [rule NAME]; "default" for [default] */
    ScPrivMatch kind;
    char *value;          /* normalized origin, identity or pattern */
    char *profile_name;
    ScPrivProfile profile; /* the named profile's values, normalized */
    guint line;
} ScPrivRule;

struct ScPrivacyRules {
    char *source;         /* file name, for messages and reports */
    GPtrArray *rules;     /* ScPrivRule *, [default] included */
    GHashTable *contacts; /* normalized identities ([contacts]) */
    GHashTable *file_contacts; /* the contacts file's (privacy-contacts.c) */
};

struct ScPrivacyDecision {              /* a g_rc_box */
    char *source;          /* NULL: no rules file */
    char *rule;            /* rule name(s), "a+b" for a merged tie */
    ScPrivMatch matched;
    char *reason;          /* why it matched */
    char *origin;
    char *peer_identity;   /* NULL: not known */
    ScPrivProfile rule_profile; /* what the rules chose */
    ScPrivProfile profile;      /* in effect, with the command line */
    guint32 requested;     /* bit per field the command line set */
    guint8 want[SC_PRIV_N_FIELDS]; /* what it set (for a later decision) */
    gboolean merged;
    gboolean overridden;
};

G_END_DECLS

#endif
