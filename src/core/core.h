/* src/core - logging, errors, status codes, randomness, secret memory.
 * The bottom of the module stack: depends on GLib and OpenSSL's RNG only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CORE_H
#define SC_CORE_H

#include <glib.h>
#include <sealcall/error.h>
#include <sealcall/log.h>

G_BEGIN_DECLS

/* ---- data-plane status (per packet; never allocates) ---- */
typedef enum {
    SC_OK = 0,
    SC_DROP_MALFORMED,
    SC_DROP_AUTH,
    SC_DROP_REPLAY,
    SC_DROP_UNKNOWN,
    SC_DROP_NO_ROUTE,
    SC_DROP_STATE,    /* layer not ready (for example DTLS not connected) */
    SC_DROP_NOSPACE,  /* output buffer too small / send buffer full */
    SC_STATUS_N
} ScStatus;

const char *sc_status_to_string(ScStatus status);

/* ---- logging ---- */
/* Each .c file defines SC_LOG_MODULE ("dtls", "ice", ...) before including
 * this header. The level is checked before the message is formatted. */
gboolean sc_log_enabled(ScLogLevel level, const char *module);
void sc_log_emit(ScLogLevel level, const char *module, const char *id,
                 const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#ifndef SC_LOG_MODULE
#define SC_LOG_MODULE "core"
#endif

#define SC_LOG_AT(lvl, id, ...)                                              \
    G_STMT_START                                                             \
    {                                                                        \
        if (sc_log_enabled((lvl), SC_LOG_MODULE))                            \
            sc_log_emit((lvl), SC_LOG_MODULE, (id), __VA_ARGS__);            \
    }                                                                        \
    G_STMT_END
/* @id: short object id string (call id + layer), or NULL */
#define SC_LOG_ERROR(id, ...) SC_LOG_AT(SC_LOG_LEVEL_ERROR, id, __VA_ARGS__)
#define SC_LOG_WARN(id, ...) SC_LOG_AT(SC_LOG_LEVEL_WARN, id, __VA_ARGS__)
#define SC_LOG_INFO(id, ...) SC_LOG_AT(SC_LOG_LEVEL_INFO, id, __VA_ARGS__)
#define SC_LOG_DEBUG(id, ...) SC_LOG_AT(SC_LOG_LEVEL_DEBUG, id, __VA_ARGS__)
#define SC_LOG_TRACE(id, ...) SC_LOG_AT(SC_LOG_LEVEL_TRACE, id, __VA_ARGS__)

/* ---- secrets kept out of logs (core/log-secrets.c) ---- */
/* Registers a secret the library holds (a copy is kept, wiped when
 * removed): from now on no log line that shows it raw, in hex (any case,
 * any separators, "0x" prefixes) or in base64 (standard or URL alphabet,
 * any alignment) is written; sc_log_emit() and the guarded GLib domains
 * withhold the line. Secrets shorter than 6 bytes are not registered.
 * Returns an id for sc_log_secret_remove(), 0 if nothing was registered.
 * Thread-safe. */
guint sc_log_secret_add(const void *data, gsize len);
/* Forgets secret @id (0 is ignored); call it before the secret is freed. */
void sc_log_secret_remove(guint id);
/* Whether @text (@len bytes, -1 for NUL-terminated) shows a live secret. */
gboolean sc_log_shows_secret(const char *text, gssize len);
/* What a withheld line says instead. */
const char *sc_log_withheld_text(void);
/* Installs (once per domain) a GLib log handler for @domain that withholds
 * messages showing a live secret and passes the rest, and the withheld
 * text, to g_log_default_handler(). For the log domains of libraries we
 * drive (libnice's), which are not ours to silence otherwise. */
void sc_log_guard_glib_domain(const char *domain);

/* ---- randomness: OpenSSL's RAND_bytes only (never g_random_*) ---- */
/* Aborts if the RNG fails: there is no safe way to continue without it. */
void sc_random_bytes(guint8 *buf, gsize len);
guint32 sc_random_u32(void);
guint64 sc_random_u64(void);
/* Uniform in [0, bound) without modulo bias; bound > 0. */
guint32 sc_random_uniform(guint32 bound);
/* A random string of @len chars from [A-Za-z0-9+/] (ICE char set). */
char *sc_random_ice_string(gsize len) G_GNUC_WARN_UNUSED_RESULT;

/* ---- secrets: wiped with OPENSSL_cleanse() before they are freed ---- */
typedef struct {
    gsize len;
    guint8 data[];
} ScSecret;

ScSecret *sc_secret_new(gsize len) G_GNUC_WARN_UNUSED_RESULT;
ScSecret *sc_secret_new_from(const guint8 *data, gsize len)
    G_GNUC_WARN_UNUSED_RESULT;
void sc_secret_free(ScSecret *secret);
/* Constant-time comparison (CRYPTO_memcmp). */
gboolean sc_secure_equal(const void *a, const void *b, gsize len);
void sc_secure_wipe(void *buf, gsize len);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScSecret, sc_secret_free)

/* ---- monotonic clock in microseconds (injectable for tests) ---- */
gint64 sc_clock_now_us(void);
void sc_clock_set_func(gint64 (*func)(void));

/* ---- main-loop sources ---- */
/* Destroys *source (if any), drops our reference and sets it to NULL. */
void sc_source_clear(GSource **source);

G_END_DECLS

#endif /* SC_CORE_H */
