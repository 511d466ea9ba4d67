/* src/sdp/sdp-attr.c - attribute value syntax shared by parser and writer:
 * ice-char strings (RFC 8839 §5.4), tls-id (RFC 8842 §4), a=setup names
 * (RFC 4145 §4, RFC 5763 §5), direction names (RFC 3264 §5.1).
 * Pure: no I/O, no globals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sdp"
#include "core/core.h"
#include "sdp/sdp.h"

gboolean
sc_sdp_is_ice_chars(const char *s, gsize min, gsize max)
{
    gsize n = 0;

    if (s == NULL)
        return FALSE;
    for (const char *p = s; *p; p++, n++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/')
            return FALSE;
        if (n >= max)
            return FALSE;
    }
    return n >= min;
}

gboolean
sc_sdp_tls_id_is_valid(const char *s)
{
    gsize n = 0;

    if (s == NULL)
        return FALSE;
    for (const char *p = s; *p; p++, n++) {
        if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '-' &&
            *p != '_')
            return FALSE;
        if (n >= 255)
            return FALSE;
    }
    return n >= 20;
}

const char *
sc_sdp_setup_to_string(ScSdpSetup setup)
{
    switch (setup) {
    case SC_SDP_SETUP_ACTPASS:
        return "actpass";
    case SC_SDP_SETUP_ACTIVE:
        return "active";
    case SC_SDP_SETUP_PASSIVE:
        return "passive";
    }
    return NULL;
}

const char *
sc_sdp_direction_to_string(ScSdpDirection dir)
{
    switch (dir) {
    case SC_SDP_DIRECTION_INACTIVE:
        return "inactive";
    case SC_SDP_DIRECTION_SENDONLY:
        return "sendonly";
    case SC_SDP_DIRECTION_RECVONLY:
        return "recvonly";
    case SC_SDP_DIRECTION_SENDRECV:
        return "sendrecv";
    }
    return NULL;
}

ScSdpDirection
sc_sdp_direction_reverse(ScSdpDirection dir)
{
    guint d = (guint)dir & 3u;

    return (ScSdpDirection)(((d & 1u) << 1) | ((d & 2u) >> 1));
}

const char *
sc_sdp_type_to_string(ScSdpType type)
{
    return type == SC_SDP_TYPE_ANSWER ? "answer" : "offer";
}
