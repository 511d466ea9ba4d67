/* src/core/log-secrets.c - secrets never reach a log, in any encoding.
 * Modules register each secret they hold while it lives (ICE passwords,
 * SRTP keys); every line the library logs, and every message of the GLib
 * log domains guarded here (libnice's, whose STUN debug output prints the
 * message-integrity key as "key : 0x<hex>" and whose agent prints
 * credentials), is checked against them before it is written: a line that
 * shows one raw, in hex (either case, any separators, "0x" prefixes) or in
 * base64 (standard or URL alphabet, at any alignment inside a longer
 * encoding) is withheld as a whole.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* memmem() */
#include "core/core.h"

#include <string.h>

/* shorter "secrets" would match ordinary text */
#define SECRET_MIN_LEN 6
#define WITHHELD "(a message that showed a secret, withheld by sealcall)"

typedef struct {
    guint id;
    ScSecret *secret;
} Entry;

static GMutex secrets_lock;
static GArray *secrets;       /* of Entry */
static guint next_id = 1;
static GHashTable *guarded;   /* GLib log domains with our handler */

guint
sc_log_secret_add(const void *data, gsize len)
{
    Entry e;

    if (data == NULL || len < SECRET_MIN_LEN)
        return 0;
    g_mutex_lock(&secrets_lock);
    if (secrets == NULL)
        secrets = g_array_new(FALSE, FALSE, sizeof(Entry));
    e.id = next_id++;
    if (next_id == 0)
        next_id = 1;
    e.secret = sc_secret_new_from(data, len);
    g_array_append_val(secrets, e);
    g_mutex_unlock(&secrets_lock);
    return e.id;
}

void
sc_log_secret_remove(guint id)
{
    if (id == 0)
        return;
    g_mutex_lock(&secrets_lock);
    for (guint i = 0; secrets != NULL && i < secrets->len; i++) {
        Entry *e = &g_array_index(secrets, Entry, i);
        if (e->id == id) {
            sc_secret_free(e->secret);
            g_array_remove_index_fast(secrets, i);
            break;
        }
    }
    g_mutex_unlock(&secrets_lock);
}

static gboolean
has(const char *hay, gsize hay_len, const char *needle, gsize needle_len)
{
    return needle_len > 0 && hay_len >= needle_len &&
           memmem(hay, hay_len, needle, needle_len) != NULL;
}

/* The hex digits of @text, lower case, in order: separators, "0x"
 * prefixes and everything else dropped, so that "0x5375...", "53:75:..",
 * "53 75", "\x53\x75" and "5375" all read "5375". */
static char *
hex_digits(const char *text, gsize len, gsize *out_len)
{
    char *out = g_malloc(len + 1);
    gsize n = 0;

    for (gsize i = 0; i < len; i++) {
        char c = text[i];
        if (c == '0' && i + 2 < len && (text[i + 1] | 0x20) == 'x' &&
            g_ascii_isxdigit(text[i + 2]) &&
            (i == 0 || !g_ascii_isalnum(text[i - 1]))) {
            i++; /* a "0x" prefix, not a digit */
            continue;
        }
        if (g_ascii_isxdigit(c))
            out[n++] = g_ascii_tolower(c);
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* @text with the base64url alphabet mapped to the standard one */
static char *
b64_standard(const char *text, gsize len)
{
    char *out = g_memdup2(text, len + 1);

    for (gsize i = 0; i < len; i++) {
        if (out[i] == '-')
            out[i] = '+';
        else if (out[i] == '_')
            out[i] = '/';
    }
    return out;
}

static gboolean
shows(const ScSecret *s, const char *text, gsize len, const char *hex,
      gsize hex_len, const char *b64, gsize b64_len)
{
    static const char digits[] = "0123456789abcdef";
    gboolean found = FALSE;
    char *enc;
    gsize enc_len = 2 * s->len;

    if (has(text, len, (const char *)s->data, s->len))
        return TRUE;
    enc = g_malloc(enc_len + 1);
    for (gsize i = 0; i < s->len; i++) {
        enc[2 * i] = digits[s->data[i] >> 4];
        enc[2 * i + 1] = digits[s->data[i] & 15];
    }
    found = has(hex, hex_len, enc, enc_len);
    sc_secure_wipe(enc, enc_len);
    g_free(enc);
    /* base64: the secret may start at any of the three byte offsets of a
     * 3-byte group; the characters that depend on its bytes alone are the
     * ones from ceil(8k/6) to floor(8(k+len)/6) */
    for (gsize k = 0; k < 3 && !found; k++) {
        gsize raw_len = k + s->len;
        guint8 *raw = g_malloc0(raw_len);
        gsize from = (8 * k + 5) / 6;
        gsize to = 8 * raw_len / 6;

        memcpy(raw + k, s->data, s->len);
        enc = g_base64_encode(raw, raw_len);
        found = has(b64, b64_len, enc + from, to - from);
        sc_secure_wipe(raw, raw_len);
        sc_secure_wipe(enc, strlen(enc));
        g_free(raw);
        g_free(enc);
    }
    return found;
}

gboolean
sc_log_shows_secret(const char *text, gssize len)
{
    gboolean found = FALSE;
    gsize n, hex_len = 0;
    char *hex = NULL, *b64 = NULL;

    if (text == NULL)
        return FALSE;
    n = len < 0 ? strlen(text) : (gsize)len;
    g_mutex_lock(&secrets_lock);
    if (secrets != NULL && secrets->len > 0) {
        hex = hex_digits(text, n, &hex_len);
        b64 = b64_standard(text, n);
        for (guint i = 0; i < secrets->len && !found; i++)
            found = shows(g_array_index(secrets, Entry, i).secret, text, n,
                          hex, hex_len, b64, n);
    }
    g_mutex_unlock(&secrets_lock);
    if (hex != NULL) {
        sc_secure_wipe(hex, hex_len);
        sc_secure_wipe(b64, n);
    }
    g_free(hex);
    g_free(b64);
    return found;
}

const char *
sc_log_withheld_text(void)
{
    return WITHHELD;
}

/* Messages of a guarded domain: withheld when they show a secret, then
 * passed to GLib's default handler (and so to the application's writer
 * function, g_log_set_writer_func()), as if we were not there. */
static void
glib_filter(const gchar *domain, GLogLevelFlags level, const gchar *message,
            gpointer user_data)
{
    (void)user_data;
    if (sc_log_shows_secret(message, -1))
        message = WITHHELD;
    g_log_default_handler(domain, level, message, NULL);
}

void
sc_log_guard_glib_domain(const char *domain)
{
    g_mutex_lock(&secrets_lock);
    if (guarded == NULL)
        guarded = g_hash_table_new(g_str_hash, g_str_equal);
    if (!g_hash_table_contains(guarded, domain)) {
        char *name = g_strdup(domain);
        g_hash_table_add(guarded, name);
        g_log_set_handler(name,
                          G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
                              G_LOG_FLAG_RECURSION,
                          glib_filter, NULL);
    }
    g_mutex_unlock(&secrets_lock);
}
