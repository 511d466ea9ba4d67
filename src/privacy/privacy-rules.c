/* src/privacy/privacy-rules.c - reading a privacy file: GKeyFile does the
 * parsing; a scan of the lines beforehand only finds where each group and
 * key is (GKeyFile gives no line numbers) and refuses duplicates, which
 * GKeyFile would merge silently. Every group, key and value is checked:
 * a typo must not turn a privacy rule into nothing.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "privacy"
#include "privacy/privacy-priv.h"

#include <gio/gio.h>
#include <string.h>

typedef struct {
    const char *name;
    GHashTable *lines;   /* "group" or "group\x1fkey" -> line */
    guint bad_line;      /* first line GKeyFile cannot read, 0: none */
} Scan;

typedef struct {
    char *name;
    ScPrivProfile profile;
} NamedProfile;

static void
named_profile_free(NamedProfile *p)
{
    g_free(p->name);
    g_free(p);
}

static void
rule_free(ScPrivRule *r)
{
    g_free(r->name);
    g_free(r->value);
    g_free(r->profile_name);
    g_free(r);
}

void
sc_privacy_rules_free(ScPrivacyRules *rules)
{
    if (rules == NULL)
        return;
    g_free(rules->source);
    g_ptr_array_unref(rules->rules);
    g_hash_table_unref(rules->contacts);
    g_hash_table_unref(rules->file_contacts);
    g_free(rules);
}

static gboolean G_GNUC_PRINTF(4, 5)
fail(GError **error, const Scan *s, guint line, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* one line: a value GKeyFile unescaped may hold "\n" and the like */
    for (char *c = msg; *c != '\0'; c++)
        if ((guchar)*c < 0x20 || *c == 0x7f)
            *c = '?';
    if (line > 0)
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "%s:%u: %s",
                    s->name, line, msg);
    else
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "%s: %s",
                    s->name, msg);
    return FALSE;
}

static guint
line_of(const Scan *s, const char *group, const char *key)
{
    g_autofree char *k =
        key != NULL ? g_strdup_printf("%s\x1f%s", group, key) : g_strdup(group);
    return GPOINTER_TO_UINT(g_hash_table_lookup(s->lines, k));
}

/* Where each group and key is, as GKeyFile reads lines: leading blanks
 * skipped, '#' comments, "[group]", "key=value". */
static gboolean
scan_lines(Scan *s, const char *text, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *group = NULL;

    for (guint i = 0; lines[i] != NULL; i++) {
        guint no = i + 1;
        char *l = g_strchug(lines[i]);
        char *eq;
        char *k;

        if (*l == '\0' || *l == '#' || (*l == '\r' && l[1] == '\0'))
            continue;
        if (*l == '[') {
            char *end = strchr(l, ']');
            if (end == NULL) {
                if (s->bad_line == 0)
                    s->bad_line = no;
                continue;
            }
            g_free(group);
            group = g_strndup(l + 1, end - l - 1);
            if (g_hash_table_contains(s->lines, group))
                return fail(error, s, no, "group [%s] appears twice "
                            "(first at line %u)", group,
                            line_of(s, group, NULL));
            g_hash_table_insert(s->lines, g_strdup(group),
                                GUINT_TO_POINTER(no));
            continue;
        }
        eq = strchr(l, '=');
        if (eq == NULL || group == NULL) {
            if (s->bad_line == 0)
                s->bad_line = no;
            continue;
        }
        k = g_strndup(l, eq - l);
        g_strchomp(k);
        if (strchr(k, '[') != NULL) {
            /* GKeyFile's localized keys would hide from g_key_file_get_keys() */
            fail(error, s, no, "unknown key '%s' in [%s] (no localized keys)",
                 k, group);
            g_free(k);
            return FALSE;
        }
        {
            g_autofree char *full = g_strdup_printf("%s\x1f%s", group, k);
            if (g_hash_table_contains(s->lines, full)) {
                guint first = line_of(s, group, k);
                g_free(k);
                return fail(error, s, no, "key appears twice in [%s] (first "
                            "at line %u)", group, first);
            }
            g_hash_table_insert(s->lines, g_steal_pointer(&full),
                                GUINT_TO_POINTER(no));
        }
        g_free(k);
    }
    return TRUE;
}

static gboolean
name_ok(const char *name)
{
    gsize n = strlen(name);
    if (n == 0 || n > SC_PRIV_NAME_MAX)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_')
            return FALSE;
    return TRUE;
}

static char *
get_value(GKeyFile *kf, const char *group, const char *key)
{
    char *v = g_key_file_get_string(kf, group, key, NULL);
    return v != NULL ? g_strstrip(v) : g_strdup("");
}

static gboolean
read_profile(const Scan *s, GKeyFile *kf, const char *group, const char *name,
             GPtrArray *profiles, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
    NamedProfile *np;
    guint32 set = 0;

    if (!name_ok(name))
        return fail(error, s, line_of(s, group, NULL),
                    "profile name '%s': use 1-64 of A-Z a-z 0-9 _ -", name);
    if (strcmp(name, "standard") == 0 || strcmp(name, "unlinkable") == 0)
        return fail(error, s, line_of(s, group, NULL),
                    "profile '%s' is built in and cannot be redefined", name);
    for (guint i = 0; i < profiles->len; i++)
        if (strcmp(((NamedProfile *)profiles->pdata[i])->name, name) == 0)
            return fail(error, s, line_of(s, group, NULL),
                        "profile '%s' is defined twice", name);
    if (profiles->len >= SC_PRIV_MAX_PROFILES)
        return fail(error, s, line_of(s, group, NULL),
                    "more than %d profiles", SC_PRIV_MAX_PROFILES);
    np = g_new0(NamedProfile, 1);
    np->name = g_strdup(name);
    g_ptr_array_add(profiles, np);
    sc_priv_profile_builtin(&np->profile);
    for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
        ScPrivField f;
        g_autofree char *v = NULL;
        if (!sc_priv_field_from_name(keys[i], &f))
            return fail(error, s, line_of(s, group, keys[i]),
                        "unknown key '%s' in [%s] (profile keys: relay_only, "
                        "ip_handling, key_scope, disclose_identity, "
                        "defer_ice, require_unlinkable, refuse_anonymous, "
                        "refuse_unlinkable)",
                        keys[i], group);
        v = get_value(kf, group, keys[i]);
        if (!sc_priv_value_from_name(f, v, &np->profile.v[f]))
            return fail(error, s, line_of(s, group, keys[i]),
                        "%s: '%s' is not one of %s", keys[i], v,
                        sc_priv_field_values(f));
        set |= 1u << f;
    }
    /* a value set in the file that another set value rules out */
    for (guint f = 0; f < SC_PRIV_N_FIELDS; f++) {
        const char *why = NULL;
        if ((set & (1u << f)) != 0 &&
            np->profile.v[f] <
                sc_priv_profile_floor(&np->profile, (ScPrivField)f, &why))
            return fail(error, s, line_of(s, group, sc_priv_field_name((ScPrivField)f)),
                        "%s=%s contradicts this profile: %s",
                        sc_priv_field_name((ScPrivField)f),
                        sc_priv_value_name((ScPrivField)f, np->profile.v[f]),
                        why);
    }
    sc_priv_profile_normalize(&np->profile);
    return TRUE;
}

static gboolean
find_profile(GPtrArray *profiles, const char *name, ScPrivProfile *out)
{
    for (guint i = 0; i < profiles->len; i++) {
        const NamedProfile *p = profiles->pdata[i];
        if (strcmp(p->name, name) == 0) {
            *out = p->profile;
            return TRUE;
        }
    }
    sc_priv_profile_builtin(out);
    if (strcmp(name, "standard") == 0)
        return TRUE;
    if (strcmp(name, "unlinkable") == 0) {
        out->v[SC_PRIV_REQUIRE_UNLINKABLE] = SC_PRIV_TRUE;
        sc_priv_profile_normalize(out);
        return TRUE;
    }
    return FALSE;
}

/* [rule NAME]: one destination key and `profile`; [default]: `profile`. */
static gboolean
read_rule(const Scan *s, GKeyFile *kf, const char *group, const char *name,
          GPtrArray *rules, GError **error)
{
    static const char *const match_keys[] = {"peer", "origin", "domain",
                                             "not_in_contacts"};
    static const ScPrivMatch match_kinds[] = {
        SC_PRIV_MATCH_PEER, SC_PRIV_MATCH_ORIGIN, SC_PRIV_MATCH_DOMAIN,
        SC_PRIV_MATCH_NOT_IN_CONTACTS};
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
    gboolean is_default = name == NULL;
    guint gline = line_of(s, group, NULL);
    ScPrivRule *r;

    if (!is_default && !name_ok(name))
        return fail(error, s, gline,
                    "rule name '%s': use 1-64 of A-Z a-z 0-9 _ -", name);
    if (rules->len >= SC_PRIV_MAX_RULES)
        return fail(error, s, gline, "more than %d rules", SC_PRIV_MAX_RULES);
    r = g_new0(ScPrivRule, 1);
    g_ptr_array_add(rules, r);
    r->name = g_strdup(is_default ? "default" : name);
    r->kind = is_default ? SC_PRIV_MATCH_DEFAULT : SC_PRIV_MATCH_BUILTIN;
    r->line = gline;
    for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
        guint kline = line_of(s, group, keys[i]);
        g_autofree char *v = get_value(kf, group, keys[i]);
        g_autoptr(GError) e = NULL;
        guint m;

        if (strcmp(keys[i], "profile") == 0) {
            r->profile_name = g_steal_pointer(&v);
            continue;
        }
        for (m = 0; m < G_N_ELEMENTS(match_keys); m++)
            if (!is_default && strcmp(keys[i], match_keys[m]) == 0)
                break;
        if (m == G_N_ELEMENTS(match_keys))
            return fail(error, s, kline, "unknown key '%s' in [%s] (%s)",
                        keys[i], group,
                        is_default ? "[default] takes only profile"
                                   : "a rule takes one of peer, origin, "
                                     "domain, not_in_contacts, and profile");
        if (r->kind != SC_PRIV_MATCH_BUILTIN)
            return fail(error, s, kline, "[%s] has two destinations: one rule "
                        "matches one destination", group);
        r->kind = match_kinds[m];
        switch (r->kind) {
        case SC_PRIV_MATCH_PEER:
            r->value = sc_priv_identity_normalize(v, &e);
            break;
        case SC_PRIV_MATCH_ORIGIN:
            r->value = sc_priv_origin_from_url(v, FALSE, NULL, NULL, &e);
            break;
        case SC_PRIV_MATCH_DOMAIN:
            r->value = sc_priv_pattern_normalize(v, &e);
            break;
        default:
            if (strcmp(v, "true") != 0)
                return fail(error, s, kline,
                            "not_in_contacts takes only true");
            r->value = g_strdup("true");
            break;
        }
        if (r->value == NULL)
            return fail(error, s, kline, "%s: '%s': %s", keys[i], v,
                        e->message);
    }
    if (r->kind == SC_PRIV_MATCH_BUILTIN)
        return fail(error, s, gline, "[%s] names no destination (peer, "
                    "origin, domain or not_in_contacts)", group);
    if (r->profile_name == NULL)
        return fail(error, s, gline, "[%s] names no profile", group);
    for (guint i = 0; i + 1 < rules->len; i++) {
        ScPrivRule *o = rules->pdata[i];
        if (o->kind == r->kind && g_strcmp0(o->value, r->value) == 0)
            return fail(error, s, gline, "[%s] matches the same destination "
                        "as rule '%s' (line %u)", group, o->name, o->line);
    }
    return TRUE;
}

static gboolean
read_contacts(const Scan *s, GKeyFile *kf, GHashTable *contacts,
              GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(kf, "contacts", NULL, NULL);
    g_auto(GStrv) peers = NULL;
    gsize n = 0;

    for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
        if (strcmp(keys[i], "peers") != 0)
            return fail(error, s, line_of(s, "contacts", keys[i]),
                        "unknown key '%s' in [contacts] (it takes peers = "
                        "user@domain;user@domain...)",
                        keys[i]);
    peers = g_key_file_get_string_list(kf, "contacts", "peers", &n, NULL);
    if (n > SC_PRIV_MAX_CONTACTS)
        return fail(error, s, line_of(s, "contacts", "peers"),
                    "more than %d contacts", SC_PRIV_MAX_CONTACTS);
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GError) e = NULL;
        g_autofree char *p = g_strstrip(g_strdup(peers[i]));
        char *norm = sc_priv_identity_normalize(p, &e);
        if (norm == NULL)
            return fail(error, s, line_of(s, "contacts", "peers"),
                        "peers: '%s': %s", p, e->message);
        g_hash_table_add(contacts, norm);
    }
    return TRUE;
}

ScPrivacyRules *
sc_privacy_rules_new_from_data(const char *data, gsize len, const char *name,
                               GError **error)
{
    g_autoptr(ScPrivacyRules) rules = g_new0(ScPrivacyRules, 1);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GPtrArray) profiles =
        g_ptr_array_new_with_free_func((GDestroyNotify)named_profile_free);
    g_autoptr(GHashTable) lines =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GError) e = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) groups = NULL;
    const char *end = NULL;
    Scan s = {name, lines, 0};

    g_return_val_if_fail(name != NULL, NULL);
    rules->source = g_strdup(name);
    rules->rules = g_ptr_array_new_with_free_func((GDestroyNotify)rule_free);
    rules->contacts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            NULL);
    rules->file_contacts = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                 g_free, NULL);
    if (len > SC_PRIVACY_FILE_MAX) {
        fail(error, &s, 0, "longer than %d bytes", SC_PRIVACY_FILE_MAX);
        return NULL;
    }
    if (data == NULL)
        data = "";
    if (memchr(data, '\0', len) != NULL || !g_utf8_validate(data, len, &end)) {
        guint line = 1;
        if (end == NULL)
            end = memchr(data, '\0', len);
        for (const char *c = data; c < end; c++)
            line += *c == '\n';
        fail(error, &s, line, "not UTF-8 text");
        return NULL;
    }
    text = g_strndup(data, len);
    if (!scan_lines(&s, text, error))
        return NULL;
    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
        fail(error, &s, s.bad_line, "%s", e->message);
        return NULL;
    }
    groups = g_key_file_get_groups(kf, NULL);
    /* profiles first: rules may name a profile defined below them */
    for (guint i = 0; groups[i] != NULL; i++)
        if (g_str_has_prefix(groups[i], "profile ") &&
            !read_profile(&s, kf, groups[i], groups[i] + 8, profiles, error))
            return NULL;
    for (guint i = 0; groups[i] != NULL; i++) {
        const char *g = groups[i];
        gboolean ok = TRUE;
        if (g_str_has_prefix(g, "profile "))
            continue;
        if (g_str_has_prefix(g, "rule "))
            ok = read_rule(&s, kf, g, g + 5, rules->rules, error);
        else if (strcmp(g, "default") == 0)
            ok = read_rule(&s, kf, g, NULL, rules->rules, error);
        else if (strcmp(g, "contacts") == 0)
            ok = read_contacts(&s, kf, rules->contacts, error);
        else
            ok = fail(error, &s, line_of(&s, g, NULL),
                      "unknown group [%s] (groups: [profile NAME], [rule "
                      "NAME], [default], [contacts])",
                      g);
        if (!ok)
            return NULL;
    }
    for (guint i = 0; i < rules->rules->len; i++) {
        ScPrivRule *r = rules->rules->pdata[i];
        const char *group = r->kind == SC_PRIV_MATCH_DEFAULT ? "default" : NULL;
        g_autofree char *rg =
            group == NULL ? g_strdup_printf("rule %s", r->name) : NULL;
        if (!find_profile(profiles, r->profile_name, &r->profile)) {
            fail(error, &s, line_of(&s, group != NULL ? group : rg, "profile"),
                 "no profile '%s' (define [profile %s], or use the built-in "
                 "standard or unlinkable)",
                 r->profile_name, r->profile_name);
            return NULL;
        }
    }
    return g_steal_pointer(&rules);
}

char *
sc_privacy_rules_default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "sealcall",
                            "privacy.conf", NULL);
}

ScPrivacyRules *
sc_privacy_rules_load(const char *path, gboolean must_exist, GError **error)
{
    g_autoptr(GFile) file = NULL;
    g_autoptr(GFileInputStream) in = NULL;
    g_autoptr(GError) e = NULL;
    g_autofree char *buf = NULL;
    gsize got = 0;

    g_return_val_if_fail(path != NULL, NULL);
    file = g_file_new_for_path(path);
    in = g_file_read(file, NULL, &e);
    if (in == NULL) {
        if (!must_exist && g_error_matches(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            return sc_privacy_rules_new_from_data("", 0, path, error);
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "%s: %s", path,
                    e->message);
        return NULL;
    }
    /* one byte more than allowed tells a file that is too long */
    buf = g_malloc(SC_PRIVACY_FILE_MAX + 1);
    if (!g_input_stream_read_all(G_INPUT_STREAM(in), buf, SC_PRIVACY_FILE_MAX + 1,
                                 &got, NULL, &e)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "%s: %s", path,
                    e->message);
        return NULL;
    }
    return sc_privacy_rules_new_from_data(buf, got, path, error);
}
