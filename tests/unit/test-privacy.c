/* tests/unit/test-privacy.c - privacy rules: the file parser (errors with
 * line numbers, unknown keys, bounds), destination matching (origins,
 * identities, domain patterns, contacts), the precedence, the command
 * line's part, and the report.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "privacy/privacy.h"
#include "test-util.h"

#include <glib/gstdio.h>

#include <string.h>

static ScPrivacyRules *
load(const char *text, GError **error)
{
    return sc_privacy_rules_new_from_data(text, strlen(text), "p.conf", error);
}

/* The file must be refused with @fragment in a message that starts with
 * "p.conf:LINE: ". */
static void
assert_refused(const char *text, guint line, const char *fragment)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyRules) rules = load(text, &error);
    g_autofree char *prefix =
        line > 0 ? g_strdup_printf("p.conf:%u: ", line) : g_strdup("p.conf: ");

    if (rules != NULL)
        g_error("accepted:\n%s", text);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    if (!g_str_has_prefix(error->message, prefix) ||
        strstr(error->message, fragment) == NULL)
        g_error("for:\n%s\nexpected '%s...%s', got '%s'", text, prefix,
                fragment, error->message);
    g_assert_null(strchr(error->message, '\n'));
}

static ScPrivacyDecision *
resolve(const char *text, const char *url, const char *peer)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyRules) rules = load(text, &error);
    ScPrivacyDecision *d;

    g_assert_no_error(error);
    d = sc_privacy_rules_resolve(rules, url, peer, &error);
    g_assert_no_error(error);
    g_assert_nonnull(d);
    return d;
}

#define PROFILES                                                             \
    "[profile open]\nkey_scope = per-origin\ndisclose_identity = full\n"     \
    "[profile hidden]\nrelay_only = true\n"                                  \
    "[profile quiet]\ndefer_ice = true\n"                                    \
    "[profile pseud]\ndisclose_identity = pseudonym\n"                       \
    "[profile strict]\nrefuse_anonymous = true\n"

/* ---- parser ---- */

static void
test_parse_ok(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyRules) rules = load(
        "# comment\n\n" PROFILES
        "[rule a]\norigin = wss://Relay.Example.com\nprofile = open\n"
        "[rule b]\npeer = alice@Example.ORG.\nprofile = hidden\n"
        "[rule c]\ndomain = *.example.net\nprofile = unlinkable\n"
        "[rule d]\nnot_in_contacts = true\nprofile = standard\n"
        "[default]\nprofile = quiet\n"
        "[contacts]\npeers = bob@example.org;carol@example.com;\n",
        &error);

    g_assert_no_error(error);
    g_assert_nonnull(rules);
}

static void
test_parse_errors(void)
{
    /* unknown key in a profile (typo safety), with its line */
    assert_refused("[profile p]\nrelay_only = true\nrelay_onyl = true\n", 3,
                   "unknown key 'relay_onyl' in [profile p]");
    /* unknown key in a rule and in [default], [contacts] */
    assert_refused("[rule r]\norigin = ws://a.example:1\nprofile = standard\n"
                   "relay_only = true\n",
                   4, "unknown key 'relay_only' in [rule r]");
    assert_refused("\n[default]\nprofile = standard\norigin = ws://a:1\n", 4,
                   "unknown key 'origin' in [default]");
    assert_refused("[contacts]\npeer = a@b.example\n", 2,
                   "unknown key 'peer' in [contacts]");
    /* a localized key is no key of ours */
    assert_refused("[profile p]\nrelay_only[de] = true\n", 2,
                   "unknown key 'relay_only[de]'");
    /* unknown group */
    assert_refused("[profile p]\n\n[rules x]\norigin = ws://a:1\n", 3,
                   "unknown group [rules x]");
    /* bad values, each field */
    assert_refused("[profile p]\nrelay_only = yes\n", 2,
                   "relay_only: 'yes' is not one of true, false");
    assert_refused("[profile p]\nrelay_only = 1\n", 2, "'1' is not one of");
    assert_refused("[profile p]\nip_handling = default-route-all\n", 2,
                   "ip_handling: 'default-route-all' is not one of all, "
                   "default-route, default-route-only, relay-only");
    assert_refused("[profile p]\nkey_scope = per-site\n", 2,
                   "key_scope: 'per-site' is not one of per-call, per-origin");
    assert_refused("[profile p]\ndisclose_identity = some\n", 2,
                   "disclose_identity: 'some' is not one of none, pseudonym, "
                   "full");
    assert_refused("[profile p]\ndefer_ice = TRUE\n", 2, "defer_ice: 'TRUE'");
    assert_refused("[profile p]\nrequire_unlinkable = on\n", 2,
                   "require_unlinkable: 'on'");
    assert_refused("[profile p]\nrefuse_anonymous = \n", 2,
                   "refuse_anonymous: ''");
    assert_refused("[profile p]\nrefuse_unlinkable = no\n", 2,
                   "refuse_unlinkable: 'no'");
    /* one line, whatever the value holds once GKeyFile unescapes it */
    assert_refused("[profile p]\nrelay_only = a\\nb\x1b\n", 2,
                   "relay_only: 'a?b?' is not one of");
    /* contradictions inside a profile */
    assert_refused("[profile p]\nrelay_only = true\nip_handling = all\n", 3,
                   "ip_handling=all contradicts this profile");
    assert_refused("[profile p]\nrequire_unlinkable = true\n"
                   "key_scope = per-origin\n",
                   3, "require_unlinkable=true needs key_scope=per-call");
    assert_refused("[profile p]\ndisclose_identity = full\n"
                   "require_unlinkable = true\n",
                   2, "disclose_identity=full contradicts");
    assert_refused("[profile p]\nrelay_only = false\n"
                   "ip_handling = relay-only\n",
                   2, "relay_only=false contradicts");
    /* duplicates GKeyFile would merge silently */
    assert_refused("[profile p]\nrelay_only = true\n\nrelay_only = false\n", 4,
                   "key appears twice in [profile p] (first at line 2)");
    assert_refused("[profile p]\n[default]\nprofile = p\n[profile p]\n", 4,
                   "group [profile p] appears twice (first at line 1)");
    assert_refused("[rule a]\norigin = ws://x.example:80\nprofile = standard\n"
                   "[rule b]\norigin = WS://X.example\nprofile = standard\n",
                   4, "matches the same destination as rule 'a' (line 1)");
    /* rules: one destination, a profile that exists */
    assert_refused("[rule a]\norigin = ws://x.example\ndomain = x.example\n"
                   "profile = standard\n",
                   3, "has two destinations");
    assert_refused("[rule a]\nprofile = standard\n", 1, "names no destination");
    assert_refused("[rule a]\norigin = ws://x.example\n", 1,
                   "names no profile");
    assert_refused("[rule a]\norigin = ws://x.example\nprofile = nope\n", 3,
                   "no profile 'nope'");
    assert_refused("[default]\nprofile = Private\n[profile private]\n", 2,
                   "no profile 'Private'");
    assert_refused("[rule a]\nnot_in_contacts = false\nprofile = standard\n",
                   2, "not_in_contacts takes only true");
    assert_refused("[profile standard]\nrelay_only = true\n", 1,
                   "built in and cannot be redefined");
    assert_refused("[profile a b]\n", 1, "profile name 'a b'");
    assert_refused("[rule]\n", 1, "unknown group [rule]");
    /* destinations that are not */
    assert_refused("[rule a]\norigin = https://x.example\nprofile = standard\n",
                   2, "origin: 'https://x.example': the scheme must be ws");
    assert_refused("[rule a]\norigin = ws://x.example/room/a\n"
                   "profile = standard\n",
                   2, "without path");
    assert_refused("[rule a]\norigin = ws://u@x.example\nprofile = standard\n",
                   2, "without path, query or user");
    assert_refused("[rule a]\npeer = alice\nprofile = standard\n", 2,
                   "an identity is user@domain");
    assert_refused("[rule a]\npeer = al ice@x.example\nprofile = standard\n",
                   2, "no spaces");
    assert_refused("[rule a]\npeer = a@bad_host!\nprofile = standard\n", 2,
                   "bad domain in identity");
    assert_refused("[rule a]\ndomain = *\nprofile = standard\n", 2,
                   "a domain pattern is *.DOMAIN or DOMAIN");
    assert_refused("[rule a]\ndomain = a.*.example\nprofile = standard\n", 2,
                   "a domain pattern");
    assert_refused("[rule a]\ndomain = **.example\nprofile = standard\n", 2,
                   "a domain pattern");
    assert_refused("[rule a]\ndomain = 10.0.0.1\nprofile = standard\n", 2,
                   "a domain pattern");
    assert_refused("[contacts]\npeers = a@b.example;nobody\n", 2,
                   "peers: 'nobody'");
    /* syntax GKeyFile refuses, with the line found by our scan */
    assert_refused("[profile p]\nrelay_only = true\nthis is no key\n", 3,
                   "");
    assert_refused("relay_only = true\n[profile p]\n", 1, "");
    assert_refused("[profile p\nrelay_only = true\n", 1, "");
}

static void
test_parse_bounds(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) big = g_string_new(NULL);
    g_autoptr(ScPrivacyRules) rules = NULL;
    char bad[] = "[profile p]\nrelay_only = \xff\n";
    char nul[] = "[profile p]\n\nrelay_only = true\n";

    /* size */
    while (big->len <= SC_PRIVACY_FILE_MAX)
        g_string_append(big, "# padding padding padding padding padding\n");
    rules = sc_privacy_rules_new_from_data(big->str, big->len, "p.conf",
                                           &error);
    g_assert_null(rules);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(error->message, "longer than 65536 bytes"));
    g_clear_error(&error);
    /* the same content at the limit is fine */
    g_string_truncate(big, SC_PRIVACY_FILE_MAX);
    g_string_truncate(big, strrchr(big->str, '\n') - big->str + 1);
    rules = sc_privacy_rules_new_from_data(big->str, big->len, "p.conf",
                                           &error);
    g_assert_no_error(error);
    g_clear_pointer(&rules, sc_privacy_rules_free);
    /* not text */
    rules = sc_privacy_rules_new_from_data(bad, strlen(bad), "p.conf", &error);
    g_assert_null(rules);
    g_assert_cmpstr(error->message, ==, "p.conf:2: not UTF-8 text");
    g_clear_error(&error);
    nul[12] = '\0';
    rules = sc_privacy_rules_new_from_data(nul, sizeof(nul) - 1, "p.conf",
                                           &error);
    g_assert_null(rules);
    g_assert_cmpstr(error->message, ==, "p.conf:2: not UTF-8 text");
    g_clear_error(&error);
    /* counts */
    g_string_truncate(big, 0);
    for (int i = 0; i <= SC_PRIV_MAX_PROFILES; i++)
        g_string_append_printf(big, "[profile p%d]\n", i);
    assert_refused(big->str, SC_PRIV_MAX_PROFILES + 1, "more than 64 profiles");
    g_string_truncate(big, 0);
    for (int i = 0; i <= SC_PRIV_MAX_RULES; i++)
        g_string_append_printf(big, "[rule r%d]\norigin = ws://h%d.example\n"
                                    "profile = standard\n",
                               i, i);
    assert_refused(big->str, 3 * SC_PRIV_MAX_RULES + 1, "more than 256 rules");
    g_string_assign(big, "[contacts]\npeers = ");
    for (int i = 0; i <= SC_PRIV_MAX_CONTACTS; i++)
        g_string_append_printf(big, "u%d@example.org;", i);
    assert_refused(big->str, 2, "more than 1024 contacts");
}

static void
test_load_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("sc-privacy-XXXXXX", &error);
    g_autofree char *path = g_build_filename(dir, "privacy.conf", NULL);
    g_autofree char *big = g_strnfill(SC_PRIVACY_FILE_MAX + 1, '#');
    g_autoptr(ScPrivacyRules) rules = NULL;

    g_assert_no_error(error);
    /* missing: empty rules unless the file was asked for */
    rules = sc_privacy_rules_load(path, FALSE, &error);
    g_assert_no_error(error);
    g_clear_pointer(&rules, sc_privacy_rules_free);
    rules = sc_privacy_rules_load(path, TRUE, &error);
    g_assert_null(rules);
    g_assert_nonnull(strstr(error->message, path));
    g_clear_error(&error);
    /* a file one byte too long is refused without reading it all */
    g_assert_true(g_file_set_contents(path, big, -1, NULL));
    rules = sc_privacy_rules_load(path, TRUE, &error);
    g_assert_null(rules);
    g_assert_nonnull(strstr(error->message, "longer than"));
    g_clear_error(&error);
    /* errors name the file */
    g_assert_true(g_file_set_contents(path, "[profile p]\nx = 1\n", -1, NULL));
    rules = sc_privacy_rules_load(path, TRUE, &error);
    g_assert_null(rules);
    g_assert_true(g_str_has_prefix(error->message, path));
    g_assert_nonnull(strstr(error->message, ":2: unknown key 'x'"));
    g_clear_error(&error);
    /* /dev/null: no rules */
    rules = sc_privacy_rules_load("/dev/null", TRUE, &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_remove(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* ---- matching ---- */

static void
test_domain_match(void)
{
    static const struct {
        const char *pattern, *host;
        gboolean match;
    } cases[] = {
        {"*.example.org", "a.example.org", TRUE},
        {"*.example.org", "a.b.example.org", TRUE},
        {"*.example.org", "example.org", FALSE},
        {"*.example.org", "badexample.org", FALSE},
        {"*.example.org", "example.org.evil.com", FALSE},
        {"*.example.org", "a.example.org.evil.com", FALSE},
        {"*.example.org", "aexample.org", FALSE},
        {"*.example.org", ".example.org", FALSE},
        {"example.org", "example.org", TRUE},
        {"example.org", "a.example.org", FALSE},
        {"example.org", "badexample.org", FALSE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(sc_priv_domain_match(cases[i].pattern, cases[i].host),
                        ==, cases[i].match);
}

static void
test_normalize(void)
{
    g_autoptr(GError) error = NULL;
    struct {
        const char *in, *out;
    } hosts[] = {
        {"Example.ORG", "example.org"},
        {"example.org.", "example.org"},
        {"B\xc3\xbc" "cher.example", "xn--bcher-kva.example"},
        {"example..org", NULL},
        {"-a.example", NULL},
        {"a b.example", NULL},
        {".", NULL},
        {"", NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(hosts); i++) {
        g_autofree char *n = sc_priv_hostname_normalize(hosts[i].in, NULL);
        g_assert_cmpstr(n, ==, hosts[i].out);
    }
    {
        g_autofree char *p = sc_priv_pattern_normalize("*.B\xc3\xbc" "cher.Example.", &error);
        g_assert_cmpstr(p, ==, "*.xn--bcher-kva.example");
        g_assert_true(sc_priv_domain_match(p, "shop.xn--bcher-kva.example"));
    }
    {
        g_autofree char *host = NULL;
        g_autofree char *o = sc_priv_origin_from_url(
            "WSS://Relay.Example.COM./room/x", TRUE, &host, NULL, &error);
        g_assert_cmpstr(o, ==, "wss://relay.example.com:443");
        g_assert_cmpstr(host, ==, "relay.example.com");
    }
    {
        gboolean ip = FALSE;
        g_autofree char *o = sc_priv_origin_from_url("ws://[::1]:8080/room/x",
                                                     TRUE, NULL, &ip, &error);
        g_assert_cmpstr(o, ==, "ws://[::1]:8080");
        g_assert_true(ip);
    }
    {
        g_autofree char *id =
            sc_priv_identity_normalize("Alice@Example.ORG.", &error);
        g_assert_cmpstr(id, ==, "Alice@example.org");
    }
    g_assert_no_error(error);
}

static void
assert_rule(ScPrivacyDecision *d, const char *rule, const char *matched)
{
    g_assert_cmpstr(sc_privacy_decision_get(d, "rule"), ==, rule);
    g_assert_cmpstr(sc_privacy_decision_get(d, "matched"), ==, matched);
    sc_privacy_decision_unref(d);
}

static void
test_each_destination(void)
{
    const char *rules =
        PROFILES
        "[rule by-peer]\npeer = alice@example.org\nprofile = hidden\n"
        "[rule by-origin]\norigin = wss://relay.example.com\nprofile = open\n"
        "[rule by-domain]\ndomain = *.example.net\nprofile = quiet\n"
        "[rule stranger]\nnot_in_contacts = true\nprofile = pseud\n"
        "[default]\nprofile = strict\n"
        "[contacts]\npeers = bob@example.org\n";

    static const struct {
        const char *url, *peer, *rule, *matched;
    } cases[] = {
        /* each kind of destination */
        {"ws://h.example:1/room/a", "alice@example.org", "by-peer", "peer"},
        {"wss://relay.example.com/room/a", "bob@example.org", "by-origin",
         "origin"},
        /* the origin is exact: another port or scheme is another origin */
        {"wss://relay.example.com:444/room/a", "bob@example.org", "default",
         "default"},
        {"ws://relay.example.com:443/room/a", "bob@example.org", "default",
         "default"},
        /* case and the trailing dot do not make another origin */
        {"wss://RELAY.example.com.:443/room/a", "bob@example.org",
         "by-origin", "origin"},
        /* domain patterns: on the signaling host, and the peer's domain */
        {"ws://sig.example.net:80/room/a", "bob@example.org", "by-domain",
         "domain"},
        {"ws://h.example:1/room/a", "dan@x.example.net", "by-domain",
         "domain"},
        {"ws://badexample.net:80/room/a", "bob@example.org", "default",
         "default"},
        {"ws://example.net.evil.com/room/a", "bob@example.org", "default",
         "default"},
        /* not in contacts: an unknown peer, or one not listed */
        {"ws://h.example:1/room/a", NULL, "stranger", "not-in-contacts"},
        {"ws://h.example:1/room/a", "eve@example.org", "stranger",
         "not-in-contacts"},
        /* a contact falls through to the default; the domain part is
         * case-insensitive, the user part exact */
        {"ws://h.example:1/room/a", "bob@EXAMPLE.org.", "default", "default"},
        {"ws://h.example:1/room/a", "Bob@example.org", "stranger",
         "not-in-contacts"},
        /* the peer rule matches only the verified identity: before it is
         * known, the origin decides */
        {"wss://relay.example.com/room/a", NULL, "by-origin", "origin"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_rule(resolve(rules, cases[i].url, cases[i].peer),
                    cases[i].rule, cases[i].matched);
    /* an IP literal is never matched by a domain pattern */
    assert_rule(resolve("[rule d]\ndomain = *.0.0.1\nprofile = standard\n",
                        "ws://127.0.0.1:1/room/a", NULL),
                NULL, "built-in");
    /* nothing: the built-in profile */
    assert_rule(resolve("", "ws://h.example:1/room/a", NULL), NULL,
                "built-in");
    assert_rule(resolve(PROFILES "[rule x]\norigin = ws://o.example\n"
                                 "profile = open\n",
                        "ws://h.example:1/room/a", NULL),
                NULL, "built-in");
}

static void
test_precedence(void)
{
    const char *rules =
        PROFILES
        "[default]\nprofile = strict\n"
        "[rule stranger]\nnot_in_contacts = true\nprofile = pseud\n"
        "[rule wide]\ndomain = *.example.org\nprofile = quiet\n"
        "[rule narrow]\ndomain = *.eu.example.org\nprofile = standard\n"
        "[rule exact]\ndomain = eu.example.org\nprofile = quiet\n"
        "[rule by-origin]\norigin = ws://sig.eu.example.org:80\n"
        "profile = open\n"
        "[rule by-peer]\npeer = alice@example.org\nprofile = hidden\n";
    ScPrivacyDecision *d;

    /* peer > origin > domain > not_in_contacts > default, whatever the
     * order in the file */
    assert_rule(resolve(rules, "ws://sig.eu.example.org/room/a",
                        "alice@example.org"),
                "by-peer", "peer");
    assert_rule(resolve(rules, "ws://sig.eu.example.org/room/a", NULL),
                "by-origin", "origin");
    /* longest pattern first */
    assert_rule(resolve(rules, "ws://x.eu.example.org:81/room/a", NULL),
                "narrow", "domain");
    assert_rule(resolve(rules, "ws://x.us.example.org/room/a", NULL), "wide",
                "domain");
    assert_rule(resolve(rules, "ws://eu.example.org/room/a", NULL), "exact",
                "domain");
    assert_rule(resolve(rules, "ws://other.example/room/a", NULL), "stranger",
                "not-in-contacts");
    /* equal rank (host and peer domain match patterns of the same length):
     * both apply, the more private value of each field wins */
    d = resolve(PROFILES "[rule a]\ndomain = *.example.org\nprofile = open\n"
                         "[rule b]\ndomain = *.example.net\nprofile = quiet\n",
                "ws://sig.example.org/room/a", "bob@x.example.net");
    g_assert_cmpstr(sc_privacy_decision_get(d, "rule"), ==, "a+b");
    /* open says per-origin, quiet keeps the built-in per-call */
    g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==, "per-call");
    g_assert_cmpstr(sc_privacy_decision_get(d, "defer_ice"), ==, "true");
    /* open allows full, quiet keeps the built-in none: none wins */
    g_assert_cmpstr(sc_privacy_decision_get(d, "disclose_identity"), ==, "none");
    sc_privacy_decision_unref(d);
    d = resolve(PROFILES "[rule a]\ndomain = *.example.org\nprofile = open\n"
                         "[rule b]\ndomain = *.example.net\n"
                         "profile = unlinkable\n",
                "ws://sig.example.org/room/a", "bob@x.example.net");
    g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==, "per-call");
    g_assert_cmpstr(sc_privacy_decision_get(d, "relay_only"), ==, "true");
    sc_privacy_decision_unref(d);
}

/* Each field reaches the decision from a profile. */
static void
test_each_field(void)
{
    static const struct {
        const char *key, *value;
    } f[] = {
        {"relay_only", "true"},       {"ip_handling", "default-route"},
        {"ip_handling", "relay-only"}, {"key_scope", "per-origin"},
        {"disclose_identity", "full"}, {"disclose_identity", "pseudonym"},
        {"defer_ice", "true"},        {"require_unlinkable", "true"},
        {"refuse_anonymous", "true"}, {"refuse_unlinkable", "true"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(f); i++) {
        g_autofree char *text = g_strdup_printf(
            "[profile p]\n%s = %s\n[default]\nprofile = p\n", f[i].key,
            f[i].value);
        g_autoptr(ScPrivacyDecision) d =
            resolve(text, "ws://h.example/room/a", NULL);
        g_autofree char *json = sc_privacy_decision_to_json(d);
        g_assert_cmpstr(sc_privacy_decision_get(d, f[i].key), ==, f[i].value);
        g_assert_nonnull(strstr(json, "\"matched\":\"default\""));
    }
    /* implied fields */
    {
        g_autoptr(ScPrivacyDecision) d = resolve(
            "[default]\nprofile = unlinkable\n", "ws://h.example/room/a", NULL);
        g_assert_cmpstr(sc_privacy_decision_get(d, "relay_only"), ==, "true");
        g_assert_cmpstr(sc_privacy_decision_get(d, "ip_handling"), ==,
                        "relay-only");
        g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==, "per-call");
        g_assert_cmpstr(sc_privacy_decision_get(d, "disclose_identity"), ==,
                        "none");
        g_assert_null(sc_privacy_decision_get(d, "no_such_field"));
    }
    {
        g_autoptr(ScPrivacyDecision) d = resolve(
            "[profile p]\nrelay_only = true\n[default]\nprofile = p\n",
            "ws://h.example/room/a", NULL);
        g_assert_cmpstr(sc_privacy_decision_get(d, "ip_handling"), ==,
                        "relay-only");
    }
    /* the built-in profile is today's behaviour */
    {
        g_autoptr(ScPrivacyDecision) d =
            resolve("", "ws://h.example/room/a", NULL);
        g_assert_cmpstr(sc_privacy_decision_get(d, "relay_only"), ==, "false");
        g_assert_cmpstr(sc_privacy_decision_get(d, "ip_handling"), ==, "all");
        g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==, "per-call");
        g_assert_cmpstr(sc_privacy_decision_get(d, "disclose_identity"), ==,
                        "none");
        g_assert_cmpstr(sc_privacy_decision_get(d, "defer_ice"), ==, "false");
    }
}

/* ---- the command line ---- */

static void
merge_fails(const char *rules, const char *const *req, gboolean override,
            const char *fragment)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyDecision) d =
        resolve(rules, "ws://h.example/room/a", NULL);
    g_autofree char *before = sc_privacy_decision_to_json(d);
    g_autofree char *after = NULL;

    g_assert_false(sc_privacy_decision_merge(d, req, override, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    if (strstr(error->message, fragment) == NULL)
        g_error("expected '%s' in '%s'", fragment, error->message);
    after = sc_privacy_decision_to_json(d);
    g_assert_cmpstr(before, ==, after);
}

static void
test_command_line(void)
{
    const char *hidden = "[profile hidden]\nrelay_only = true\n"
                         "defer_ice = true\n[default]\nprofile = hidden\n";
    const char *open = "[profile open]\nkey_scope = per-origin\n"
                       "[default]\nprofile = open\n";
    g_autoptr(GError) error = NULL;
    ScPrivacyDecision *d;

    /* more private than the rule: allowed */
    {
        const char *req[] = {"key_scope=per-call", "relay_only=true", NULL};
        d = resolve(open, "ws://h.example/room/a", NULL);
        g_assert_true(sc_privacy_decision_merge(d, req, FALSE, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==,
                        "per-call");
        g_assert_cmpstr(sc_privacy_decision_get(d, "ip_handling"), ==,
                        "relay-only");
        sc_privacy_decision_unref(d);
    }
    /* less private than the rule: refused, naming the rule */
    {
        const char *req[] = {"relay_only=false", NULL};
        merge_fails(hidden, req, FALSE,
                    "privacy rule 'default' (no other rule matches) sets "
                    "relay_only=true; the command line asks for "
                    "relay_only=false, which reveals more: refused");
    }
    {
        const char *req[] = {"key_scope=per-origin", NULL};
        merge_fails("[default]\nprofile = unlinkable\n", req, FALSE,
                    "sets key_scope=per-call");
    }
    /* unless overridden: the command line replaces the profile */
    {
        const char *req[] = {"key_scope=per-origin", NULL};
        d = resolve(hidden, "ws://h.example/room/a", NULL);
        g_assert_true(sc_privacy_decision_merge(d, req, TRUE, &error));
        g_assert_cmpstr(sc_privacy_decision_get(d, "relay_only"), ==, "false");
        g_assert_cmpstr(sc_privacy_decision_get(d, "defer_ice"), ==, "false");
        g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==,
                        "per-origin");
        {
            g_autofree char *json = sc_privacy_decision_to_json(d);
            g_autofree char *text = sc_privacy_decision_describe(d, TRUE);
            g_assert_nonnull(strstr(json, "\"overridden\":true"));
            g_assert_nonnull(strstr(json, "\"command_line\":[\"key_scope\"]"));
            g_assert_nonnull(strstr(text, "--privacy-override"));
            g_assert_nonnull(strstr(text, "can be linked"));
        }
        sc_privacy_decision_unref(d);
    }
    /* require_unlinkable contradicted by the command line: refused, even
     * overridden */
    {
        const char *req[] = {"require_unlinkable=true", "key_scope=per-origin",
                             NULL};
        merge_fails("", req, TRUE,
                    "the command line asks for key_scope=per-origin, but "
                    "require_unlinkable=true needs key_scope=per-call");
        merge_fails("", req, FALSE, "require_unlinkable=true needs");
    }
    {
        const char *req[] = {"relay_only=false", "require_unlinkable=true",
                             NULL};
        merge_fails("", req, TRUE, "needs relay_only=true");
    }
    {
        const char *req[] = {"require_unlinkable=true", NULL};
        d = resolve(open, "ws://h.example/room/a", NULL);
        /* the rule allows per-origin; unlinkability asks per-call: more
         * private, so allowed, and implied fields follow */
        g_assert_true(sc_privacy_decision_merge(d, req, FALSE, &error));
        g_assert_cmpstr(sc_privacy_decision_get(d, "key_scope"), ==,
                        "per-call");
        g_assert_cmpstr(sc_privacy_decision_get(d, "relay_only"), ==, "true");
        sc_privacy_decision_unref(d);
    }
    /* bad requests */
    {
        const char *req[] = {"relay-only=true", NULL};
        merge_fails("", req, FALSE, "bad privacy request 'relay-only=true'");
    }
    {
        const char *req[] = {"key_scope=per-call", "key_scope=per-call", NULL};
        merge_fails("", req, FALSE, "key_scope is asked twice");
    }
}

static void
test_covers(void)
{
    const char *rules =
        "[profile hidden]\nrelay_only = true\n"
        "[rule a]\npeer = alice@example.org\nprofile = hidden\n"
        "[rule s]\nnot_in_contacts = true\nprofile = unlinkable\n"
        "[default]\nprofile = standard\n"
        "[contacts]\npeers = alice@example.org;bob@example.org\n";
    g_autoptr(ScPrivacyDecision) before =
        resolve(rules, "ws://h.example/room/a", NULL);
    g_autoptr(ScPrivacyDecision) alice =
        resolve(rules, "ws://h.example/room/a", "alice@example.org");
    g_autoptr(ScPrivacyDecision) bob =
        resolve(rules, "ws://h.example/room/a", "bob@example.org");
    g_autoptr(ScPrivacyDecision) eve =
        resolve(rules, "ws://h.example/room/a", "eve@example.org");

    /* before the identity is known: the stranger's (most private) profile;
     * it covers what each identity later asks */
    g_assert_cmpstr(sc_privacy_decision_get(before, "rule"), ==, "s");
    g_assert_true(sc_privacy_decision_covers(before, alice));
    g_assert_true(sc_privacy_decision_covers(before, bob));
    g_assert_true(sc_privacy_decision_covers(before, eve));
    /* the other way round it does not: the call would have to end */
    g_assert_false(sc_privacy_decision_covers(bob, alice));
    g_assert_true(sc_privacy_decision_covers(alice, bob));
}

/* The decision made again with the peer's identity keeps the origin and
 * the command line's requests (and refuses when the command line asks for
 * less than the new rule). */
static void
test_redecide(void)
{
    const char *text =
        "[profile hidden]\nrelay_only = true\n"
        "[profile open]\ndisclose_identity = full\n"
        "[rule m]\npeer = mallory@example.org\nprofile = hidden\n"
        "[rule d]\ndomain = *.example.net\nprofile = hidden\n"
        "[rule a]\npeer = alice@a.example.net\nprofile = open\n"
        "[default]\nprofile = standard\n";
    const char *req[] = {"key_scope=per-call", NULL};
    const char *less[] = {"relay_only=false", NULL};
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyRules) rules = load(text, &error);
    g_autoptr(ScPrivacyDecision) first = NULL;
    g_autoptr(ScPrivacyDecision) m = NULL, a = NULL, b = NULL, none = NULL;
    g_autoptr(ScPrivacyDecision) first2 = NULL, m2 = NULL;

    g_assert_no_error(error);
    first = sc_privacy_rules_resolve(rules, "ws://h.example:8/room/x", NULL,
                                     &error);
    g_assert_no_error(error);
    g_assert_true(sc_privacy_decision_merge(first, req, FALSE, &error));
    m = sc_privacy_rules_redecide(rules, first, "mallory@Example.ORG", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(sc_privacy_decision_get(m, "rule"), ==, "m");
    g_assert_cmpstr(sc_privacy_decision_get(m, "relay_only"), ==, "true");
    g_assert_false(sc_privacy_decision_covers(first, m));
    /* peer beats the domain rule on the identity's domain */
    a = sc_privacy_rules_redecide(rules, first, "alice@a.example.net", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(sc_privacy_decision_get(a, "rule"), ==, "a");
    g_assert_true(sc_privacy_decision_covers(first, a));
    b = sc_privacy_rules_redecide(rules, first, "bob@b.example.net", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(sc_privacy_decision_get(b, "rule"), ==, "d");
    g_assert_cmpstr(sc_privacy_decision_get(b, "matched"), ==, "domain");
    none = sc_privacy_rules_redecide(rules, first, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(sc_privacy_decision_get(none, "rule"), ==, "default");
    g_assert_true(sc_privacy_decision_covers(first, none));
    /* the command line's relay_only=false against mallory's rule */
    first2 = sc_privacy_rules_resolve(rules, "ws://h.example:8/room/x", NULL,
                                      &error);
    g_assert_true(sc_privacy_decision_merge(first2, less, FALSE, &error));
    m2 = sc_privacy_rules_redecide(rules, first2, "mallory@example.org",
                                   &error);
    g_assert_null(m2);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(error->message, "'m'"));
}

static void
test_contacts_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("sc-contacts-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sub", "contacts", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(ScPrivacyRules) rules = load("", &error);
    g_auto(GStrv) list = NULL;
    gboolean changed = FALSE;
    GStatBuf st;

    /* /dev/null: none, and never written */
    list = sc_privacy_contacts_load("/dev/null", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(list), ==, 0);
    g_clear_pointer(&list, g_strfreev);
    g_assert_false(sc_privacy_contacts_add("/dev/null", "a@example.org", NULL,
                                           &error));
    g_clear_error(&error);
    /* missing: empty */
    list = sc_privacy_contacts_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(list), ==, 0);
    g_clear_pointer(&list, g_strfreev);
    g_assert_true(sc_privacy_contacts_add(path, "Alice@Example.ORG.", &changed,
                                          &error));
    g_assert_true(changed);
    g_assert_true(sc_privacy_contacts_add(path, "Alice@EXAMPLE.org", &changed,
                                          &error));
    g_assert_false(changed);
    g_assert_true(sc_privacy_contacts_add(path, "bob@example.org", &changed,
                                          &error));
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    list = sc_privacy_contacts_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_strv_length(list), ==, 2);
    g_assert_cmpstr(list[0], ==, "Alice@example.org");
    g_clear_pointer(&list, g_strfreev);
    g_assert_false(sc_privacy_contacts_add(path, "no-domain", NULL, &error));
    g_clear_error(&error);
    g_assert_true(sc_privacy_rules_add_contacts_file(rules, path, &error));
    g_assert_true(sc_privacy_rules_is_contact(rules, "bob@EXAMPLE.org"));
    g_assert_false(sc_privacy_rules_is_contact(rules, "Bob@example.org"));
    g_assert_true(sc_privacy_contacts_remove(path, "bob@example.org",
                                             &changed, &error));
    g_assert_true(changed);
    g_assert_true(sc_privacy_contacts_remove(path, "bob@example.org",
                                             &changed, &error));
    g_assert_false(changed);
    /* writable by others: refused, whoever writes it decides who calls */
    g_assert_cmpint(g_chmod(path, 0622), ==, 0);
    list = sc_privacy_contacts_load(path, &error);
    g_assert_null(list);
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(error->message, "chmod 600"));
    g_clear_error(&error);
    g_assert_cmpint(g_chmod(path, 0600), ==, 0);
    /* bounded */
    {
        g_autoptr(GString) big = g_string_new(NULL);
        for (guint i = 0; i < 1025; i++)
            g_string_append_printf(big, "u%u@example.org\n", i);
        g_assert_true(g_file_set_contents_full(path, big->str, -1,
                                               G_FILE_SET_CONTENTS_NONE, 0600,
                                               NULL));
        list = sc_privacy_contacts_load(path, &error);
        g_assert_null(list);
        g_assert_nonnull(strstr(error->message, "more than 1024"));
        g_clear_error(&error);
    }
    g_remove(path);
    {
        g_autofree char *sub = g_path_get_dirname(path);
        g_rmdir(sub);
    }
    g_rmdir(dir);
}

static void
test_describe(void)
{
    g_autoptr(ScPrivacyDecision) d =
        resolve("[profile q]\ndefer_ice = true\nrelay_only = true\n"
                "[rule r]\ndomain = *.example.org\nprofile = q\n",
                "wss://sig.example.org/room/a", NULL);
    g_autofree char *answer = sc_privacy_decision_describe(d, TRUE);
    g_autofree char *call = sc_privacy_decision_describe(d, FALSE);
    g_autofree char *json = sc_privacy_decision_to_json(d);

    g_assert_nonnull(strstr(answer, "rule 'r' of p.conf applies (domain: the "
                                    "signaling host sig.example.org matches "
                                    "*.example.org)"));
    g_assert_nonnull(strstr(answer, "relay_only=true"));
    g_assert_nonnull(strstr(answer, "no address of yours"));
    g_assert_nonnull(strstr(answer, "nothing before you accept"));
    g_assert_nonnull(strstr(answer, "wss://sig.example.org:443 learns"));
    /* the caller is not told about the callee's settings */
    g_assert_null(strstr(call, "defer_ice"));
    g_assert_null(strstr(call, "before you accept"));
    g_assert_nonnull(strstr(json, "\"profile\":{\"relay_only\":true,"
                                  "\"ip_handling\":\"relay-only\""));
    g_assert_nonnull(strstr(json, "\"source\":\"p.conf\""));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/privacy/parse/ok", test_parse_ok);
    g_test_add_func("/privacy/parse/errors", test_parse_errors);
    g_test_add_func("/privacy/parse/bounds", test_parse_bounds);
    g_test_add_func("/privacy/parse/load-file", test_load_file);
    g_test_add_func("/privacy/match/domain", test_domain_match);
    g_test_add_func("/privacy/match/normalize", test_normalize);
    g_test_add_func("/privacy/match/each-destination", test_each_destination);
    g_test_add_func("/privacy/match/precedence", test_precedence);
    g_test_add_func("/privacy/profile/each-field", test_each_field);
    g_test_add_func("/privacy/command-line", test_command_line);
    g_test_add_func("/privacy/covers", test_covers);
    g_test_add_func("/privacy/redecide", test_redecide);
    g_test_add_func("/privacy/contacts-file", test_contacts_file);
    g_test_add_func("/privacy/describe", test_describe);
    return g_test_run();
}
