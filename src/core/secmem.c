/* src/core/secmem.c - secrets that are wiped before they are freed.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"

#include <openssl/crypto.h>
#include <string.h>

ScSecret *
sc_secret_new(gsize len)
{
    ScSecret *s = g_malloc0(sizeof(ScSecret) + len);
    s->len = len;
    return s;
}

ScSecret *
sc_secret_new_from(const guint8 *data, gsize len)
{
    ScSecret *s = sc_secret_new(len);
    if (len > 0)
        memcpy(s->data, data, len);
    return s;
}

void
sc_secret_free(ScSecret *secret)
{
    if (secret == NULL)
        return;
    OPENSSL_cleanse(secret->data, secret->len);
    g_free(secret);
}

gboolean
sc_secure_equal(const void *a, const void *b, gsize len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

void
sc_secure_wipe(void *buf, gsize len)
{
    if (buf != NULL && len > 0)
        OPENSSL_cleanse(buf, len);
}
