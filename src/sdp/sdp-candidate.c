/* src/sdp/sdp-candidate.c - a=candidate lines: RFC 8839 §5.1 (grammar,
 * unknown extensions ignored, FQDNs refused), RFC 6544 §4.5 (tcptype),
 * draft-ietf-mmusic-mdns-ice-candidates (".local" host names kept and
 * marked), RFC 8838 (the "ufrag" extension browsers add when trickling).
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp-priv.h"

#include <arpa/inet.h>
#include <string.h>

void
sc_ice_candidate_free(ScIceCandidate *c)
{
    if (c == NULL)
        return;
    g_free(c->foundation);
    g_free(c->transport);
    g_free(c->address);
    g_free(c->type);
    g_free(c->raddr);
    g_free(c->tcptype);
    g_free(c->ufrag);
    g_free(c);
}

ScIceCandidate *
sc_ice_candidate_copy(const ScIceCandidate *c)
{
    ScIceCandidate *n;

    g_return_val_if_fail(c != NULL, NULL);
    n = g_new0(ScIceCandidate, 1);
    *n = *c;
    n->foundation = g_strdup(c->foundation);
    n->transport = g_strdup(c->transport);
    n->address = g_strdup(c->address);
    n->type = g_strdup(c->type);
    n->raddr = g_strdup(c->raddr);
    n->tcptype = g_strdup(c->tcptype);
    n->ufrag = g_strdup(c->ufrag);
    return n;
}

#define fail(error, ...)                                                    \
    sc_sdp_fail_prefixed((error), "bad candidate: ", __VA_ARGS__)

/* 1..max_digits decimal digits, value <= max. */
static gboolean
parse_uint(const char *s, guint max_digits, guint64 max, guint64 *out)
{
    guint64 v = 0;
    guint n = 0;

    for (const char *p = s; *p; p++, n++) {
        if (!g_ascii_isdigit(*p) || n >= max_digits)
            return FALSE;
        v = v * 10 + (guint64)(*p - '0');
    }
    if (n == 0 || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

/* "<label>.local" with exactly one dot (mDNS draft §3.2.1). */
static gboolean
is_mdns_name(const char *s)
{
    const char *dot = strchr(s, '.');
    gsize label;

    if (dot == NULL || strchr(dot + 1, '.') != NULL)
        return FALSE;
    if (g_ascii_strcasecmp(dot + 1, "local") != 0)
        return FALSE;
    label = (gsize)(dot - s);
    if (label == 0 || label > 63)
        return FALSE;
    for (const char *p = s; p < dot; p++)
        if (!g_ascii_isalnum(*p) && *p != '-')
            return FALSE;
    return TRUE;
}

typedef enum { ADDR_BAD, ADDR_IP, ADDR_MDNS } AddrKind;

static AddrKind
classify_address(const char *s)
{
    guint8 buf[16];

    if (strlen(s) < 64) {
        if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
            return ADDR_IP;
    }
    if (is_mdns_name(s))
        return ADDR_MDNS;
    return ADDR_BAD;
}

ScIceCandidate *
sc_ice_candidate_parse(const char *line, GError **error)
{
    g_autoptr(ScIceCandidate) c = NULL;
    g_auto(GStrv) tok = NULL;
    g_autofree char *copy = NULL;
    const char *s;
    guint n = 0;
    guint64 v;
    GPtrArray *parts;

    g_return_val_if_fail(line != NULL, NULL);

    copy = g_strstrip(g_strdup(line));
    s = copy;
    if (g_ascii_strncasecmp(s, "a=", 2) == 0)
        s += 2;
    if (g_ascii_strncasecmp(s, "candidate:", 10) != 0) {
        fail(error, "does not start with \"candidate:\"");
        return NULL;
    }
    s += 10;

    /* Split on runs of blanks. */
    parts = g_ptr_array_new();
    {
        char *p = (char *)s;
        while (*p) {
            while (*p == ' ' || *p == '\t')
                *p++ = '\0';
            if (*p == '\0')
                break;
            g_ptr_array_add(parts, p);
            while (*p && *p != ' ' && *p != '\t')
                p++;
        }
    }
    n = parts->len;
    g_ptr_array_add(parts, NULL);
    tok = g_strdupv((char **)parts->pdata);
    g_ptr_array_free(parts, TRUE);

    if (n < 8) {
        fail(error, "%u fields, need at least 8 (foundation component "
                    "transport priority address port typ type)", n);
        return NULL;
    }
    c = g_new0(ScIceCandidate, 1);

    if (!sc_sdp_is_ice_chars(tok[0], 1, 32)) {
        fail(error, "foundation must be 1-32 ice-chars");
        return NULL;
    }
    c->foundation = g_strdup(tok[0]);

    if (!parse_uint(tok[1], 3, 256, &v) || v == 0) {
        fail(error, "component id \"%.16s\" is not 1..256", tok[1]);
        return NULL;
    }
    c->component = (guint)v;

    if (g_ascii_strcasecmp(tok[2], "udp") != 0 &&
        g_ascii_strcasecmp(tok[2], "tcp") != 0) {
        fail(error, "transport \"%.16s\" is not UDP or TCP", tok[2]);
        return NULL;
    }
    c->transport = g_ascii_strdown(tok[2], -1);

    if (!parse_uint(tok[3], 10, G_MAXUINT32, &v)) {
        fail(error, "priority \"%.16s\" is not a number 0..4294967295",
             tok[3]);
        return NULL;
    }
    c->priority = (guint32)v;

    switch (classify_address(tok[4])) {
    case ADDR_IP:
        break;
    case ADDR_MDNS:
        c->mdns = TRUE;
        break;
    case ADDR_BAD:
        fail(error, "address \"%.64s\" is neither an IP address nor an mDNS "
                    ".local name (FQDNs are not allowed, RFC 8839 section 5.1)",
             tok[4]);
        return NULL;
    }
    c->address = g_strdup(tok[4]);

    if (!parse_uint(tok[5], 5, 65535, &v)) {
        fail(error, "port \"%.16s\" is not 0..65535", tok[5]);
        return NULL;
    }
    c->port = (guint16)v;

    if (g_ascii_strcasecmp(tok[6], "typ") != 0) {
        fail(error, "expected \"typ\" after the port, got \"%.16s\"", tok[6]);
        return NULL;
    }
    if (g_ascii_strcasecmp(tok[7], "host") != 0 &&
        g_ascii_strcasecmp(tok[7], "srflx") != 0 &&
        g_ascii_strcasecmp(tok[7], "prflx") != 0 &&
        g_ascii_strcasecmp(tok[7], "relay") != 0) {
        fail(error, "unknown candidate type \"%.16s\"", tok[7]);
        return NULL;
    }
    c->type = g_ascii_strdown(tok[7], -1);

    /* name/value pairs; a trailing lone name is ignored */
    for (guint i = 8; i + 1 < n; i += 2) {
        const char *name = tok[i], *value = tok[i + 1];

        if (strcmp(name, "raddr") == 0 && c->raddr == NULL) {
            if (classify_address(value) == ADDR_BAD) {
                fail(error, "raddr \"%.64s\" is not an IP address", value);
                return NULL;
            }
            c->raddr = g_strdup(value);
        } else if (strcmp(name, "rport") == 0) {
            if (!parse_uint(value, 5, 65535, &v)) {
                fail(error, "rport \"%.16s\" is not 0..65535", value);
                return NULL;
            }
            c->rport = (guint16)v;
        } else if (strcmp(name, "tcptype") == 0 && c->tcptype == NULL) {
            if (strcmp(c->transport, "tcp") != 0)
                continue; /* meaningless on UDP: ignore */
            if (strcmp(value, "active") != 0 && strcmp(value, "passive") != 0 &&
                strcmp(value, "so") != 0) {
                fail(error, "tcptype \"%.16s\" is not active, passive or so",
                     value);
                return NULL;
            }
            c->tcptype = g_strdup(value);
        } else if (strcmp(name, "ufrag") == 0 && c->ufrag == NULL) {
            if (sc_sdp_is_ice_chars(value, 1, 256))
                c->ufrag = g_strdup(value);
        }
        /* anything else (generation, network-id, network-cost, ...) is
         * ignored, RFC 8839 §5.1 */
    }
    if (c->raddr == NULL)
        c->rport = 0;
    if (strcmp(c->transport, "tcp") == 0 && c->tcptype == NULL) {
        fail(error, "TCP candidate without tcptype (RFC 6544 section 4.5)");
        return NULL;
    }
    return g_steal_pointer(&c);
}

char *
sc_ice_candidate_to_string(const ScIceCandidate *c)
{
    GString *s;

    g_return_val_if_fail(c != NULL, NULL);
    s = g_string_new(NULL);
    g_string_append_printf(s, "candidate:%s %u %s %u %s %u typ %s",
                           c->foundation, c->component, c->transport,
                           c->priority, c->address, c->port, c->type);
    if (c->raddr != NULL)
        g_string_append_printf(s, " raddr %s rport %u", c->raddr, c->rport);
    if (c->tcptype != NULL)
        g_string_append_printf(s, " tcptype %s", c->tcptype);
    return g_string_free(s, FALSE);
}
