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
