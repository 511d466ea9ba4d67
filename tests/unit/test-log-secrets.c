/* tests/unit/test-log-secrets.c - secrets stay out of logs, in the library
 * itself (no CLI involved): a registered secret is recognised raw, in hex
 * (either case, separators, "0x" prefixes, libnice's "key : 0x" line) and
 * in base64 (standard and URL alphabets, at each alignment inside a longer
 * encoding), and withheld from the library's own log lines, from guarded
 * GLib log domains (libnice's) and from everything libnice logs while two
 * real ICE transports connect with NICE_DEBUG=all; once removed it is no
 * longer looked for.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "test"
#include "core/core.h"
#include "ice/ice.h"
#include "test-util.h"

#include <string.h>

static const char PWD[] = "Su66D++LgA/V+UbGMKtcb9o4";

/* every message the GLib writer saw, "DOMAIN: MESSAGE\n" */
static GString *glib_seen;
static GMutex seen_lock;

static GLogWriterOutput
capture_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
               gpointer user_data)
{
    const char *domain = "", *message = "";

    (void)level;
    (void)user_data;
    for (gsize i = 0; i < n_fields; i++) {
        if (fields[i].length >= 0)
            continue;
        if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0)
            domain = fields[i].value;
        else if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
    }
    g_mutex_lock(&seen_lock);
    g_string_append_printf(glib_seen, "%s: %s\n", domain, message);
    g_mutex_unlock(&seen_lock);
    return G_LOG_WRITER_HANDLED;
}

static char *
hex_of(const guint8 *data, gsize len, gboolean upper, const char *sep)
{
    GString *s = g_string_new(NULL);
    for (gsize i = 0; i < len; i++)
        g_string_append_printf(s, upper ? "%s%02X" : "%s%02x",
                               i > 0 ? sep : "", data[i]);
    return g_string_free(s, FALSE);
}

/* base64 of @secret with @pre bytes before it and 2 after, as when it is
 * part of a longer encoded buffer */
static char *
b64_inside(const guint8 *secret, gsize len, gsize pre, gboolean url)
{
    g_autofree guint8 *buf = g_malloc(pre + len + 2);
    char *enc;

    memset(buf, 0xA5, pre + len + 2);
    memcpy(buf + pre, secret, len);
    enc = g_base64_encode(buf, pre + len + 2);
    for (char *p = enc; url && *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return enc;
}

static void
assert_all_forms(const guint8 *s, gsize len, gboolean expect)
{
    g_autofree char *lower = hex_of(s, len, FALSE, "");
    g_autofree char *upper_colon = hex_of(s, len, TRUE, ":");
    g_autofree char *spaced = hex_of(s, len, FALSE, " ");
    g_autofree char *escaped = hex_of(s, len, FALSE, "\\x");
    g_autofree char *per_byte = hex_of(s, len, TRUE, ", 0x");
    /* a binary secret has no raw form in text: its hex again instead */
    gboolean text = memchr(s, 0, len) == NULL;
    const char *forms[] = {
        text ? g_strdup_printf("set pwd %.*s here", (int)len,
                               (const char *)s)
             : g_strdup(lower),
        g_strdup_printf("  key     : 0x%s", lower),
        g_strdup_printf("fp %s.", upper_colon),
        g_strdup_printf("[%s]", spaced),
        g_strdup_printf("\"\\x%s\"", escaped),
        g_strdup_printf("{0x%s}", per_byte),
        b64_inside(s, len, 0, FALSE),
        b64_inside(s, len, 1, FALSE),
        b64_inside(s, len, 2, FALSE),
        b64_inside(s, len, 1, TRUE),
        b64_inside(s, len, 2, TRUE),
    };
    for (guint i = 0; i < G_N_ELEMENTS(forms); i++) {
        if (sc_log_shows_secret(forms[i], -1) != expect)
            g_error("form %u (%s): expected %s", i, forms[i],
                    expect ? "found" : "not found");
        g_free((char *)forms[i]);
    }
}

static void
test_forms(void)
{
    const guint8 key[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                            0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    guint a, b;

    assert_all_forms((const guint8 *)PWD, strlen(PWD), FALSE);
    a = sc_log_secret_add(PWD, strlen(PWD));
    b = sc_log_secret_add(key, sizeof key);
    g_assert_cmpuint(a, !=, 0);
    g_assert_cmpuint(b, !=, a);
    assert_all_forms((const guint8 *)PWD, strlen(PWD), TRUE);
    assert_all_forms(key, sizeof key, TRUE);
    /* ordinary text, half a secret, other hex */
    g_assert_false(sc_log_shows_secret("candidate 1 1 udp 2130706431", -1));
    g_assert_false(sc_log_shows_secret("0x53753636442b2b4c67412f", -1));
    g_assert_false(sc_log_shows_secret("Su66D++LgA/V+Ub", -1));
    g_assert_false(sc_log_shows_secret(NULL, -1));
    sc_log_secret_remove(a);
    sc_log_secret_remove(b);
    assert_all_forms((const guint8 *)PWD, strlen(PWD), FALSE);
    assert_all_forms(key, sizeof key, FALSE);
    /* too short to tell from text */
    g_assert_cmpuint(sc_log_secret_add("abc", 3), ==, 0);
    sc_log_secret_remove(0);
}

typedef struct {
    GPtrArray *lines;
} Captured;

static void
capture_sc_log(ScLogLevel level, const char *module, const char *message,
               gpointer user_data)
{
    (void)level;
    (void)module;
    g_ptr_array_add(((Captured *)user_data)->lines, g_strdup(message));
}

static void
test_own_log(void)
{
    Captured c = {g_ptr_array_new_with_free_func(g_free)};
    guint id = sc_log_secret_add(PWD, strlen(PWD));
    g_autofree char *hex =
        hex_of((const guint8 *)PWD, strlen(PWD), FALSE, "");

    sc_log_set_handler(capture_sc_log, &c, NULL);
    SC_LOG_WARN("t1", "remote pwd %s", PWD);
    SC_LOG_WARN("t1", "key 0x%s", hex);
    SC_LOG_WARN("t1", "nothing secret");
    sc_log_set_handler(NULL, NULL, NULL);
    sc_log_secret_remove(id);
    g_assert_cmpuint(c.lines->len, ==, 3);
    g_assert_cmpstr(c.lines->pdata[0], ==,
                    "[t1] (a message that showed a secret, withheld by "
                    "sealcall)");
    g_assert_cmpstr(c.lines->pdata[1], ==, c.lines->pdata[0]);
    g_assert_cmpstr(c.lines->pdata[2], ==, "[t1] nothing secret");
    g_ptr_array_unref(c.lines);
}

static void
test_glib_domain(void)
{
    guint id = sc_log_secret_add(PWD, strlen(PWD));
    g_autofree char *hex =
        hex_of((const guint8 *)PWD, strlen(PWD), FALSE, "");

    sc_log_guard_glib_domain("libnice-stun");
    sc_log_guard_glib_domain("libnice-stun"); /* once is enough */
    g_mutex_lock(&seen_lock);
    g_string_truncate(glib_seen, 0);
    g_mutex_unlock(&seen_lock);
    g_log("libnice-stun", G_LOG_LEVEL_DEBUG, "  key     : 0x%s", hex);
    g_log("libnice-stun", G_LOG_LEVEL_DEBUG, "  sent    : 0x0102");
    sc_log_secret_remove(id);
    g_log("libnice-stun", G_LOG_LEVEL_DEBUG, "  key     : 0x%s", hex);
    g_mutex_lock(&seen_lock);
    g_assert_cmpstr(glib_seen->str, ==,
                    "libnice-stun: (a message that showed a secret, "
                    "withheld by sealcall)\n"
                    "libnice-stun:   sent    : 0x0102\n"
                    "libnice-stun:   key     : 0x"
                    "53753636442b2b4c67412f562b5562474d4b746362396f34\n");
    g_mutex_unlock(&seen_lock);
}

/* ---- two real ICE transports, libnice's debug output on ---- */

typedef struct {
    ScIceTransport *t;
    GPtrArray *cands;
    gboolean done;
    ScIceState state;
} Side;

static void
on_candidate(gpointer data, const char *candidate)
{
    Side *s = data;
    if (candidate == NULL)
        s->done = TRUE;
    else
        g_ptr_array_add(s->cands, g_strdup(candidate));
}

static void
on_state(gpointer data, ScIceState state)
{
    ((Side *)data)->state = state;
}

static void
on_recv(gpointer data, const guint8 *buf, gsize len)
{
    (void)data;
    (void)buf;
    (void)len;
}

static const ScIceCallbacks cb = {on_candidate, on_state, on_recv};

static gboolean
gathered(gpointer data)
{
    Side *s = data;
    return s[0].done && s[1].done;
}

static gboolean
connected(gpointer data)
{
    Side *s = data;
    return s[0].state == SC_ICE_STATE_CONNECTED &&
           s[1].state == SC_ICE_STATE_CONNECTED;
}

static void
assert_not_in(const char *text, const char *pwd)
{
    g_autofree char *lower =
        hex_of((const guint8 *)pwd, strlen(pwd), FALSE, "");
    g_autofree char *upper =
        hex_of((const guint8 *)pwd, strlen(pwd), TRUE, "");
    g_autofree char *b64 = g_base64_encode((const guint8 *)pwd, strlen(pwd));

    g_assert_null(strstr(text, pwd));
    g_assert_null(strstr(text, lower));
    g_assert_null(strstr(text, upper));
    g_assert_null(strstr(text, b64));
}

static void
test_libnice_debug(void)
{
    static const char *const lo[] = {"127.0.0.1", NULL};
    Side s[2] = {{0}};
    g_autofree char *pwd0 = NULL, *pwd1 = NULL;
    g_autofree char *text = NULL;

    g_mutex_lock(&seen_lock);
    g_string_truncate(glib_seen, 0);
    g_mutex_unlock(&seen_lock);
    for (int i = 0; i < 2; i++) {
        ScIceConfig cfg = {.controlling = i == 0, .local_addresses = lo};
        g_autoptr(GError) error = NULL;
        s[i].cands = g_ptr_array_new_with_free_func(g_free);
        s[i].t = sc_ice_transport_new(NULL, i == 0 ? "a" : "b", &cfg, &cb,
                                      &s[i], &error);
        g_assert_no_error(error);
    }
    pwd0 = g_strdup(sc_ice_transport_get_pwd(s[0].t));
    pwd1 = g_strdup(sc_ice_transport_get_pwd(s[1].t));
    for (int i = 0; i < 2; i++) {
        g_autoptr(GError) error = NULL;
        ScIceTransport *other = s[1 - i].t;
        g_assert_true(sc_ice_transport_set_remote_credentials(
            s[i].t, sc_ice_transport_get_ufrag(other),
            sc_ice_transport_get_pwd(other), &error));
        g_assert_true(sc_ice_transport_gather(s[i].t, &error));
    }
    g_assert_true(sc_test_run_until(NULL, gathered, s, 20000));
    for (int i = 0; i < 2; i++) {
        g_autoptr(GError) error = NULL;
        for (guint j = 0; j < s[1 - i].cands->len; j++)
            g_assert_true(sc_ice_transport_add_remote_candidate(
                s[i].t, s[1 - i].cands->pdata[j], &error));
        sc_ice_transport_remote_gathering_done(s[i].t);
    }
    g_assert_true(sc_test_run_until(NULL, connected, s, 20000));
    for (int i = 0; i < 2; i++) {
        sc_ice_transport_free(s[i].t);
        g_ptr_array_unref(s[i].cands);
    }
    g_mutex_lock(&seen_lock);
    text = g_strdup(glib_seen->str);
    g_mutex_unlock(&seen_lock);
    /* libnice did log its STUN messages, and what showed a key was held */
    g_assert_nonnull(strstr(text, "libnice-stun: "));
    g_assert_nonnull(strstr(text, "withheld by sealcall"));
    assert_not_in(text, pwd0);
    assert_not_in(text, pwd1);
}

int
main(int argc, char **argv)
{
    /* libnice reads these once, when its first agent is made */
    g_setenv("NICE_DEBUG", "all", TRUE);
    g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
    glib_seen = g_string_new(NULL);
    g_log_set_writer_func(capture_writer, NULL, NULL);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/core/log-secrets/forms", test_forms);
    g_test_add_func("/core/log-secrets/own-log", test_own_log);
    g_test_add_func("/core/log-secrets/glib-domain", test_glib_domain);
    g_test_add_func("/core/log-secrets/libnice-debug", test_libnice_debug);
    return g_test_run();
}
