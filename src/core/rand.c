/* src/core/rand.c - randomness from OpenSSL's CSPRNG (RAND_bytes) only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"

#include <openssl/rand.h>

void
sc_random_bytes(guint8 *buf, gsize len)
{
    while (len > 0) {
        int n = len > G_MAXINT ? G_MAXINT : (int)len;
        if (RAND_bytes(buf, n) != 1)
            g_error("sealcall: OpenSSL RAND_bytes failed; refusing to run "
                    "without a working random number generator");
        buf += n;
        len -= (gsize)n;
    }
}

guint32
sc_random_u32(void)
{
    guint32 v;
    sc_random_bytes((guint8 *)&v, sizeof v);
    return v;
}

guint64
sc_random_u64(void)
{
    guint64 v;
    sc_random_bytes((guint8 *)&v, sizeof v);
    return v;
}

guint32
sc_random_uniform(guint32 bound)
{
    g_return_val_if_fail(bound > 0, 0);
    /* rejection sampling: drop values in the incomplete top range */
    guint32 limit = G_MAXUINT32 - (G_MAXUINT32 % bound);
    for (;;) {
        guint32 v = sc_random_u32();
        if (v < limit)
            return v % bound;
    }
}

char *
sc_random_ice_string(gsize len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = g_malloc(len + 1);
    guint8 *raw = g_malloc(len);

    sc_random_bytes(raw, len);
    for (gsize i = 0; i < len; i++)
        s[i] = alphabet[raw[i] & 63];   /* 64 symbols: no bias */
    s[len] = '\0';
    sc_secure_wipe(raw, len);
    g_free(raw);
    return s;
}
