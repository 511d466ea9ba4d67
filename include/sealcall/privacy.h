/* sealcall - privacy rules per destination (seed 003 sections 3.5, 8.1,
 * 8.2, 8.5, 8.6): a file maps destinations (signaling origin, peer
 * identity, domain patterns, "not in my contacts", a default) to a privacy
 * profile; the decision for one call says which rule applied, why, and
 * what the call reveals. The file format and the precedence are described
 * in README.md ("Privacy rules").
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_PRIVACY_H
#define SC_PRIVACY_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * ScPrivacyRules:
 * The rules of one privacy file, validated. Single owner. Since: 0.1
 */
typedef struct ScPrivacyRules ScPrivacyRules;

/**
 * ScPrivacyDecision:
 * The profile chosen for one call: the rule that applied, why, the
 * command line's part, and the resulting field values. Ref-counted.
 * Since: 0.1
 */
typedef struct ScPrivacyDecision ScPrivacyDecision;

/* Most bytes of a privacy file; a longer one is refused. */
#define SC_PRIVACY_FILE_MAX (64 * 1024)

/**
 * sc_privacy_rules_default_path:
 *
 * Returns: (transfer full): `$XDG_CONFIG_HOME/sealcall/privacy.conf`
 *   (`~/.config` when XDG_CONFIG_HOME is unset); free with g_free().
 * Since: 0.1
 */
SC_API char *sc_privacy_rules_default_path(void) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_rules_load:
 * @path: (transfer none): file to read (at most %SC_PRIVACY_FILE_MAX bytes)
 * @must_exist: when %FALSE, a missing file gives empty rules (the built-in
 *   profile applies to every call)
 * @error: return location for a #GError, or %NULL
 *
 * Reads and validates a privacy file (GKeyFile syntax). Unknown groups,
 * unknown keys, duplicate keys or groups, bad values and contradictions
 * inside a profile are refused: the one-line message starts with
 * `FILE:LINE: `.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the rules, release with
 *   sc_privacy_rules_free(); %NULL with @error set on failure.
 * Since: 0.1
 */
SC_API ScPrivacyRules *sc_privacy_rules_load(const char *path,
                                             gboolean must_exist,
                                             GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_rules_new_from_data:
 * @data: (transfer none): file contents, not necessarily NUL-terminated
 * @len: bytes of @data (at most %SC_PRIVACY_FILE_MAX)
 * @name: (transfer none): file name used in messages and reports
 * @error: return location for a #GError, or %NULL
 *
 * As sc_privacy_rules_load(), from memory.
 *
 * Returns: (transfer full) (nullable): the rules, or %NULL with @error set.
 * Since: 0.1
 */
SC_API ScPrivacyRules *sc_privacy_rules_new_from_data(const char *data,
                                                      gsize len,
                                                      const char *name,
                                                      GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/** sc_privacy_rules_free: Releases @rules (%NULL is ignored). Since: 0.1 */
SC_API void sc_privacy_rules_free(ScPrivacyRules *rules);

/**
 * sc_privacy_rules_resolve:
 * @rules: (transfer none): the rules
 * @signal_url: (transfer none): the call's signaling URL (ws:// or wss://);
 *   its origin scheme://host:port and its host are matched
 * @peer_identity: (transfer none) (nullable): the peer's verified identity
 *   (user@domain), or %NULL while it is not known
 *
 * Chooses the profile for a call. Precedence, most specific first: a
 * `peer` rule, an `origin` rule, `domain` rules (longest pattern first),
 * the `not_in_contacts` rule, `[default]`, the built-in profile. Rules of
 * equal rank that all match are merged field by field, the more private
 * value winning. Pure: call it again when the peer's identity becomes
 * known, and compare with sc_privacy_decision_covers().
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT for a bad URL or identity.
 *
 * Returns: (transfer full) (nullable): the decision, release with
 *   sc_privacy_decision_unref(); %NULL with @error set.
 * Since: 0.1
 */
SC_API ScPrivacyDecision *sc_privacy_rules_resolve(const ScPrivacyRules *rules,
                                                   const char *signal_url,
                                                   const char *peer_identity,
                                                   GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_decision_merge:
 * @decision: a decision from sc_privacy_rules_resolve()
 * @requests: (array zero-terminated=1) (nullable): what the command line
 *   asks, as "field=value" strings with the names of the file's profile
 *   fields (for example "relay_only=true", "key_scope=per-origin")
 * @override: %TRUE: the command line replaces the rule's profile (fields
 *   it does not name take the built-in values); %FALSE: a request may only
 *   make a field more private than the rule
 * @error: return location for a #GError, or %NULL
 *
 * Combines the rule's profile with the command line. Without @override, a
 * request that reveals more than the rule allows is refused; in both
 * modes, a request that contradicts `require_unlinkable` is refused.
 * Call at most once per decision.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT (unknown field or value, refused
 * request: the message names the rule and the field).
 *
 * Returns: %TRUE, or %FALSE with @error set (then @decision is unchanged).
 * Since: 0.1
 */
SC_API gboolean sc_privacy_decision_merge(ScPrivacyDecision *decision,
                                          const char *const *requests,
                                          gboolean override, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_decision_get:
 * @key: a profile field name (`relay_only`, `ip_handling`, `key_scope`,
 *   `disclose_identity`, `defer_ice`, `require_unlinkable`,
 *   `refuse_anonymous`, `refuse_unlinkable`), or `rule`, `matched`
 *
 * Returns: (transfer none) (nullable): the value as written in the file
 *   ("true", "per-call", ...); the rule's name (%NULL for the built-in
 *   profile); what matched (`peer`, `origin`, `domain`,
 *   `not-in-contacts`, `default`, `built-in`); %NULL for an unknown key.
 * Since: 0.1
 */
SC_API const char *sc_privacy_decision_get(const ScPrivacyDecision *decision,
                                           const char *key);

/**
 * sc_privacy_decision_describe:
 * @answering: %TRUE for the answerer (`sealcall answer`)
 *
 * Returns: (transfer full): a few lines (each ending in a newline) for the
 *   user: the rule that applied and why, the profile, and what the call
 *   reveals to the peer and to the signaling service. Contains text from
 *   the privacy file and the URL: sanitize before printing to a terminal.
 * Since: 0.1
 */
SC_API char *sc_privacy_decision_describe(const ScPrivacyDecision *decision,
                                          gboolean answering)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_decision_to_json:
 *
 * Returns: (transfer full): the decision as a JSON object (the inspector
 *   report's `privacy` member; see README.md).
 * Since: 0.1
 */
SC_API char *sc_privacy_decision_to_json(const ScPrivacyDecision *decision)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_decision_covers:
 * @applied: the decision a call was set up with
 * @later: a decision made later (for example once the peer's identity is
 *   verified)
 *
 * Returns: %TRUE when @applied is at least as private as @later in every
 *   field, so the call may go on; %FALSE when @later asks for more than
 *   was applied (the call must then end: what was revealed cannot be
 *   taken back).
 * Since: 0.1
 */
SC_API gboolean sc_privacy_decision_covers(const ScPrivacyDecision *applied,
                                           const ScPrivacyDecision *later);

/**
 * sc_privacy_rules_redecide:
 * @rules: (transfer none): the rules @applied was resolved from
 * @applied: the decision the call was set up with (after
 *   sc_privacy_decision_merge(), if the command line asked anything)
 * @peer_identity: (transfer none) (nullable): the peer's verified identity
 *
 * The decision the same call gets once more is known of the peer: the
 * same signaling origin, the same command line requests (and override)
 * as @applied, now with @peer_identity, so that `peer` rules, `domain`
 * rules on the peer's domain and `not_in_contacts` can match. Compare the
 * result with @applied (sc_privacy_decision_covers()).
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT (a bad identity; the command line
 * asks for less privacy than the new rule allows: the message names the
 * rule and the field).
 *
 * Returns: (transfer full) (nullable): the new decision, or %NULL with
 *   @error set.
 * Since: 0.1
 */
SC_API ScPrivacyDecision *sc_privacy_rules_redecide(
    const ScPrivacyRules *rules, const ScPrivacyDecision *applied,
    const char *peer_identity, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_rules_is_contact:
 * @identity: (transfer none): user@domain
 *
 * Returns: %TRUE when @identity is in the file's `[contacts]` or in a
 *   contacts file added with sc_privacy_rules_add_contacts_file() (domain
 *   compared case-insensitively, user part exactly).
 * Since: 0.1
 */
SC_API gboolean sc_privacy_rules_is_contact(const ScPrivacyRules *rules,
                                            const char *identity);

/**
 * sc_privacy_rules_add_contacts_file:
 * @path: (transfer none): a contacts file (see sc_privacy_contacts_load())
 *
 * Adds the identities of a contacts file to @rules' contacts (what
 * `not_in_contacts` and sc_privacy_rules_is_contact() look at). A missing
 * file adds nothing.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT as sc_privacy_contacts_load().
 *
 * Returns: %TRUE, or %FALSE with @error set.
 * Since: 0.1
 */
SC_API gboolean sc_privacy_rules_add_contacts_file(ScPrivacyRules *rules,
                                                   const char *path,
                                                   GError **error);

/**
 * sc_privacy_contacts_default_path:
 *
 * Returns: (transfer full): `$XDG_CONFIG_HOME/sealcall/contacts`; free
 *   with g_free().
 * Since: 0.1
 */
SC_API char *sc_privacy_contacts_default_path(void) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_contacts_load:
 * @path: (transfer none): the contacts file: one user@domain a line,
 *   `#` comments and blank lines ignored, at most %SC_PRIVACY_FILE_MAX
 *   bytes and 1024 identities
 *
 * Reads a contacts file; a missing file is an empty list. A file that
 * group or others may write, or that is not a regular file, is refused.
 *
 * Errors: %SC_ERROR_INVALID_ARGUMENT, the message starting with the path.
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   normalized identities (domain in lower-case A-labels), without
 *   duplicates, in file order; free with g_strfreev(). %NULL on error.
 * Since: 0.1
 */
SC_API char **sc_privacy_contacts_load(const char *path, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_privacy_contacts_add:
 * @identity: (transfer none): user@domain
 * @added: (out) (optional): %FALSE when it was there already
 *
 * Adds @identity to the contacts file, which is rewritten atomically
 * (mode 0600; its directory is made 0700 if missing).
 *
 * Returns: %TRUE, or %FALSE with @error set (bad identity, unusable or
 *   full file).
 * Since: 0.1
 */
SC_API gboolean sc_privacy_contacts_add(const char *path,
                                        const char *identity, gboolean *added,
                                        GError **error);

/**
 * sc_privacy_contacts_remove:
 * @removed: (out) (optional): %FALSE when it was not there
 *
 * Removes @identity from the contacts file, as sc_privacy_contacts_add().
 *
 * Returns: %TRUE, or %FALSE with @error set.
 * Since: 0.1
 */
SC_API gboolean sc_privacy_contacts_remove(const char *path,
                                           const char *identity,
                                           gboolean *removed, GError **error);

/** sc_privacy_decision_ref: Returns: (transfer full): @decision. Since: 0.1 */
SC_API ScPrivacyDecision *sc_privacy_decision_ref(ScPrivacyDecision *decision);

/** sc_privacy_decision_unref: Releases a reference (%NULL ignored). Since: 0.1 */
SC_API void sc_privacy_decision_unref(ScPrivacyDecision *decision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScPrivacyRules, sc_privacy_rules_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScPrivacyDecision, sc_privacy_decision_unref)

G_END_DECLS

#endif /* SC_PRIVACY_H */
