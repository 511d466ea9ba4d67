/* src/sctp/dcep.c - Data Channel Establishment Protocol codec.
 * Implements RFC 8832 sections 5.1 (DATA_CHANNEL_OPEN), 5.2
 * (DATA_CHANNEL_ACK) and 6.2 (label/protocol lengths up to 65535).
 * Pure: GLib + core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sctp"
#include "core/core.h"

#include <string.h>

#include "sctp/dcep.h"

gboolean
sc_dcep_channel_type_is_valid(guint type)
{
    switch (type) {
    case SC_DCEP_RELIABLE:
    case SC_DCEP_RELIABLE_UNORDERED:
    case SC_DCEP_PARTIAL_RELIABLE_REXMIT:
    case SC_DCEP_PARTIAL_RELIABLE_REXMIT_UNORDERED:
    case SC_DCEP_PARTIAL_RELIABLE_TIMED:
    case SC_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED:
        return TRUE;
    default:
        return FALSE;
    }
}

static guint16
rd16(const guint8 *p)
{
    return (guint16)(((guint)p[0] << 8) | p[1]);
}

static guint32
rd32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
}

static void
wr16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

static void
wr32(guint8 *p, guint32 v)
{
    p[0] = (guint8)(v >> 24);
    p[1] = (guint8)(v >> 16);
    p[2] = (guint8)(v >> 8);
    p[3] = (guint8)v;
}

/* Label and protocol are UTF-8 (RFC 8832 section 5.1); we hand them to
 * callers as C strings, so an embedded NUL is rejected too
 * (g_utf8_validate_len() refuses NUL bytes). */
static gboolean
text_ok(const guint8 *p, gsize len)
{
    return len == 0 || g_utf8_validate_len((const char *)p, len, NULL);
}

static char *
dup_text(const guint8 *p, gsize len)
{
    char *s = g_malloc(len + 1);

    if (len > 0)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

ScStatus
sc_dcep_parse_open(const guint8 *buf, gsize len, ScDcepOpen *out)
{
    gsize label_len, protocol_len;
    const guint8 *label, *protocol;

    g_return_val_if_fail(out != NULL, SC_DROP_MALFORMED);
    memset(out, 0, sizeof(*out));
    if (buf == NULL || len < SC_DCEP_OPEN_HEADER_LEN)
        return SC_DROP_MALFORMED;
    if (buf[0] != SC_DCEP_MSG_OPEN || !sc_dcep_channel_type_is_valid(buf[1]))
        return SC_DROP_MALFORMED;
    label_len = rd16(buf + 8);
    protocol_len = rd16(buf + 10);
    /* both are at most 65535, so the sum cannot overflow */
    if (len - SC_DCEP_OPEN_HEADER_LEN < label_len + protocol_len)
        return SC_DROP_MALFORMED;
    label = buf + SC_DCEP_OPEN_HEADER_LEN;
    protocol = label + label_len;
    if (!text_ok(label, label_len) || !text_ok(protocol, protocol_len))
        return SC_DROP_MALFORMED;

    out->channel_type = (ScDcepChannelType)buf[1];
    out->priority = rd16(buf + 2);
    out->reliability = rd32(buf + 4);
    out->label = dup_text(label, label_len);
    out->label_len = label_len;
    out->protocol = dup_text(protocol, protocol_len);
    out->protocol_len = protocol_len;
    return SC_OK;
}

gboolean
sc_dcep_open_text_lengths(const guint8 *buf, gsize len, gsize *label_len,
                          gsize *protocol_len)
{
    gboolean ok = buf != NULL && len >= SC_DCEP_OPEN_HEADER_LEN &&
                  buf[0] == SC_DCEP_MSG_OPEN;

    if (label_len != NULL)
        *label_len = ok ? rd16(buf + 8) : 0;
    if (protocol_len != NULL)
        *protocol_len = ok ? rd16(buf + 10) : 0;
    return ok;
}

void
sc_dcep_open_clear(ScDcepOpen *o)
{
    if (o == NULL)
        return;
    g_free(o->label);
    g_free(o->protocol);
    memset(o, 0, sizeof(*o));
}

guint8 *
sc_dcep_build_open(const ScDcepOpen *o, gsize *len_out)
{
    guint8 *buf;
    gsize len;

    g_return_val_if_fail(o != NULL && len_out != NULL, NULL);
    g_return_val_if_fail(o->label != NULL || o->label_len == 0, NULL);
    g_return_val_if_fail(o->protocol != NULL || o->protocol_len == 0, NULL);
    if (o->label_len > G_MAXUINT16 || o->protocol_len > G_MAXUINT16)
        return NULL;

    len = SC_DCEP_OPEN_HEADER_LEN + o->label_len + o->protocol_len;
    buf = g_malloc(len);
    buf[0] = SC_DCEP_MSG_OPEN;
    buf[1] = (guint8)o->channel_type;
    wr16(buf + 2, o->priority);
    wr32(buf + 4, o->reliability);
    wr16(buf + 8, (guint16)o->label_len);
    wr16(buf + 10, (guint16)o->protocol_len);
    if (o->label_len > 0)
        memcpy(buf + SC_DCEP_OPEN_HEADER_LEN, o->label, o->label_len);
    if (o->protocol_len > 0)
        memcpy(buf + SC_DCEP_OPEN_HEADER_LEN + o->label_len, o->protocol,
               o->protocol_len);
    *len_out = len;
    return buf;
}

gboolean
sc_dcep_is_ack(const guint8 *buf, gsize len)
{
    return buf != NULL && len >= 1 && buf[0] == SC_DCEP_MSG_ACK;
}

gboolean
sc_dcep_is_open(const guint8 *buf, gsize len)
{
    return buf != NULL && len >= 1 && buf[0] == SC_DCEP_MSG_OPEN;
}
