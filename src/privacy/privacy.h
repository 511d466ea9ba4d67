/* src/privacy - privacy profiles and destination rules (seed 003 sections
 * 3.5, 8.1, 8.2, 8.5, 8.6). Pure: no I/O except reading the rules file in
 * sc_privacy_rules_load(); depends on core/ only. call/ keeps the decision
 * of a call for the inspector; the CLI applies it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_PRIVACY_INTERNAL_H
#define SC_PRIVACY_INTERNAL_H

#include "core/core.h"
#include <json-glib/json-glib.h>
#include <sealcall/privacy.h>

G_BEGIN_DECLS

/* The fields of a profile. Each has a list of values ordered from the
 * one that reveals most (rank 0) to the most private one; "most private
 * wins" is the larger rank. */
typedef enum {
    SC_PRIV_RELAY_ONLY,
    SC_PRIV_IP_HANDLING,
    SC_PRIV_KEY_SCOPE,
    SC_PRIV_DISCLOSE_IDENTITY,
    SC_PRIV_DEFER_ICE,
    SC_PRIV_REQUIRE_UNLINKABLE,
    SC_PRIV_REFUSE_ANONYMOUS,
    SC_PRIV_REFUSE_UNLINKABLE,
    SC_PRIV_N_FIELDS
} ScPrivField;

/* Ranks of the fields whose values the code tests by name. */
enum { SC_PRIV_FALSE = 0, SC_PRIV_TRUE = 1 };
/* ip_handling: RFC 8828 section 5.2 modes (see privacy-profile.c) */
enum {
    SC_PRIV_IP_ALL = 0,
    SC_PRIV_IP_DEFAULT_ROUTE = 1,
    SC_PRIV_IP_DEFAULT_ROUTE_ONLY = 2,
    SC_PRIV_IP_RELAY = 3
};
enum { SC_PRIV_KEY_PER_ORIGIN = 0, SC_PRIV_KEY_PER_CALL = 1 };
enum { SC_PRIV_ID_FULL = 0, SC_PRIV_ID_PSEUDONYM = 1, SC_PRIV_ID_NONE = 2 };

typedef struct {
    guint8 v[SC_PRIV_N_FIELDS]; /* rank of each field's value */
} ScPrivProfile;

/* Field names and values, as in the file (and in requests). */
const char *sc_priv_field_name(ScPrivField f);
gboolean sc_priv_field_from_name(const char *name, ScPrivField *out);
const char *sc_priv_value_name(ScPrivField f, guint rank);
gboolean sc_priv_value_from_name(ScPrivField f, const char *value,
                                 guint8 *rank);
/* comma-separated list of the values of @f, for messages */
const char *sc_priv_field_values(ScPrivField f);

/* The built-in profile `standard`: what sealcall does without rules
 * (relay_only false, ip_handling all, key_scope per-call,
 * disclose_identity none, the rest false). A profile's unset fields take
 * these values. */
void sc_priv_profile_builtin(ScPrivProfile *p);
/* Raises the fields that others imply (relay_only <-> ip_handling
 * relay-only; require_unlinkable -> relay-only, per-call keys, identity
 * at most pseudonym). */
void sc_priv_profile_normalize(ScPrivProfile *p);
/* The lowest rank @f may have under @p's other fields (what
 * sc_priv_profile_normalize() would raise it to); sets @why. */
guint sc_priv_profile_floor(const ScPrivProfile *p, ScPrivField f,
                            const char **why);
/* Field by field maximum: the more private value wins. */
void sc_priv_profile_merge_max(ScPrivProfile *into, const ScPrivProfile *p);

/* Destinations. Host names are compared in ASCII (IDNA) lower case
 * without a trailing dot. */
char *sc_priv_hostname_normalize(const char *host, gboolean *is_ip);
/* "ws://Host.Example:80/room/x" -> "ws://host.example:80"; @host_out
 * (nullable) gets the normalized host. Only ws and wss. */
char *sc_priv_origin_from_url(const char *url, gboolean allow_path,
                              char **host_out, gboolean *host_is_ip,
                              GError **error);
/* "user@Domain." -> "user@domain" (user part kept as is). */
char *sc_priv_identity_normalize(const char *identity, GError **error);
/* "*.Example.org" or "example.org" -> normalized; NULL if invalid. */
char *sc_priv_pattern_normalize(const char *pattern, GError **error);
/* @pattern and @host normalized: "*.example.org" matches a.example.org
 * and a.b.example.org, not example.org, badexample.org or
 * example.org.evil.com; a pattern without "*." matches only itself. */
gboolean sc_priv_domain_match(const char *pattern, const char *host);
/* Specificity of a domain pattern: 2 * labels (+1 when exact). */
guint sc_priv_pattern_rank(const char *pattern);

/* The decision, as JSON (the inspector's `privacy` object). */
JsonNode *sc_privacy_decision_to_json_node(const ScPrivacyDecision *d)
    G_GNUC_WARN_UNUSED_RESULT;

/* Limits of a privacy file. */
#define SC_PRIV_MAX_RULES 256
#define SC_PRIV_MAX_PROFILES 64
#define SC_PRIV_MAX_CONTACTS 1024
#define SC_PRIV_NAME_MAX 64

G_END_DECLS

#endif
