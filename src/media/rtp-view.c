/* src/media/rtp-view.c - header checks (RFC 3550 §5.1, §5.3.1, §6.1,
 * RFC 5506) and BUNDLE routing (RFC 8843 §9.2) of received clear RTP/RTCP.
 * GStreamer's RTP library checks that an RTCP packet is one (its lengths add
 * up); the routing walk then reads only SSRC fields, each inside its own
 * packet. Nothing here keeps state, allocates or does I/O.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/rtp-view.h"

#include <gst/rtp/gstrtcpbuffer.h>

static gboolean
common_ok(const guint8 *buf, gsize len)
{
    return buf != NULL && len >= SC_RTP_VIEW_MIN_LEN &&
           len <= SC_RTP_VIEW_MAX_LEN && (buf[0] >> 6) == 2;
}

ScStatus
sc_rtp_view_parse(const guint8 *buf, gsize len, ScRtpView *out)
{
    gsize hdr;

    if (!common_ok(buf, len) || len < 12)
        return SC_DROP_MALFORMED;
    hdr = 12 + 4u * (buf[0] & 0x0f);
    if (hdr > len)
        return SC_DROP_MALFORMED;
    if (buf[0] & 0x10) {
        /* 16-bit profile, 16-bit length in words, then the words */
        if (hdr + 4 > len)
            return SC_DROP_MALFORMED;
        hdr += 4 + 4u * (((gsize)buf[hdr + 2] << 8) | buf[hdr + 3]);
        if (hdr > len)
            return SC_DROP_MALFORMED;
    }
    out->payload_type = buf[1] & 0x7f;
    out->marker = (buf[1] & 0x80) != 0;
    out->seq = (guint16)((buf[2] << 8) | buf[3]);
    out->timestamp = ((guint32)buf[4] << 24) | ((guint32)buf[5] << 16) |
                     ((guint32)buf[6] << 8) | buf[7];
    out->ssrc = ((guint32)buf[8] << 24) | ((guint32)buf[9] << 16) |
                ((guint32)buf[10] << 8) | buf[11];
    out->csrc_count = buf[0] & 0x0f;
    out->has_extension = (buf[0] & 0x10) != 0;
    out->header_len = hdr;
    return SC_OK;
}

gboolean
sc_rtcp_view_check(const guint8 *buf, gsize len)
{
    return common_ok(buf, len) &&
           gst_rtcp_buffer_validate_data_reduced((guint8 *)buf, (guint)len);
}

gint
sc_rtp_route(guint8 pt, const ScRtpRoute *routes, guint n)
{
    gint found = -1;

    for (guint i = 0; i < n && i < 32; i++) {
        if (routes[i].have && routes[i].recv && routes[i].payload_type == pt)
            found = (gint)i;
    }
    return found;
}

static guint
ssrc_route(guint32 ssrc, const ScRtpRoute *routes, guint n)
{
    guint mask = 0;

    for (guint i = 0; i < n; i++) {
        if (routes[i].have &&
            (routes[i].local_ssrc == ssrc ||
             (routes[i].remote_ssrc == ssrc && ssrc != 0)))
            mask |= 1u << i;
    }
    return mask;
}

/* 32-bit word @k of the RTCP packet at @p of @plen bytes, if it has one */
static gboolean
word(const guint8 *p, gsize plen, gsize k, guint32 *out)
{
    if (4 * k + 4 > plen)
        return FALSE;
    p += 4 * k;
    *out = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
    return TRUE;
}

guint
sc_rtcp_route(const guint8 *buf, gsize len, const ScRtpRoute *routes, guint n)
{
    guint mask = 0;
    gsize off = 0;
    guint32 ssrc;

    n = MIN(n, 31u);
    if (n == 0)
        return 0;
    /* RFC 3550 §6.4-6.6, RFC 4585 §6.1, RFC 5104 §4.3.1: every field is
     * read only if it lies inside its own packet */
    while (buf != NULL && off + 4 <= len && (buf[off] >> 6) == 2) {
        const guint8 *p = buf + off;
        guint count = p[0] & 0x1f;
        gsize plen = 4 + 4 * (((gsize)p[2] << 8) | p[3]);

        if (plen > len - off)
            break;
        switch (p[1]) {
        case 200:   /* SR: sender, 5 words of sender info, report blocks */
        case 201: { /* RR: sender, report blocks */
            gsize first = p[1] == 200 ? 7 : 2;
            if (word(p, plen, 1, &ssrc))
                mask |= ssrc_route(ssrc, routes, n);
            for (guint i = 0; i < count; i++) {
                if (word(p, plen, first + 6 * (gsize)i, &ssrc))
                    mask |= ssrc_route(ssrc, routes, n);
            }
            break;
        }
        case 205:   /* RTPFB */
        case 206: { /* PSFB: sender, media source, FCI */
            if (word(p, plen, 1, &ssrc))
                mask |= ssrc_route(ssrc, routes, n);
            if (word(p, plen, 2, &ssrc))
                mask |= ssrc_route(ssrc, routes, n);
            /* FIR (PSFB FMT 4) names its targets in 2-word FCI entries */
            if (p[1] == 206 && count == 4) {
                for (gsize k = 3; word(p, plen, k + 1, &ssrc); k += 2) {
                    (void)word(p, plen, k, &ssrc);
                    mask |= ssrc_route(ssrc, routes, n);
                }
            }
            break;
        }
        case 203: /* BYE: the SSRC/CSRC list */
            for (guint i = 0; i < count; i++) {
                if (word(p, plen, 1 + (gsize)i, &ssrc))
                    mask |= ssrc_route(ssrc, routes, n);
            }
            break;
        default:
            break; /* SDES, APP, XR: follow the reports they come with */
        }
        off += plen;
    }
    return mask ? mask : (1u << n) - 1;
}
