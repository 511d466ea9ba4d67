/* fuzz/fuzz-demux.c - what every datagram ICE hands a call goes through
 * before the DTLS transport or SRTP: RFC 7983 first-byte demultiplexing and
 * the ingress decision (sc_demux_ingress), then the checks and routing the
 * media applies to a clear RTP/RTCP packet (rtp-view), fed here with the
 * same bytes so they are reached without a key.
 * Properties: the class depends only on the first two bytes and follows
 * the RFC 7983 §7 ranges; the ingress decision follows the class and the
 * size limit; a parsed RTP header lies inside the packet, reads back its
 * fields, and is exactly as long as it says (a shorter prefix fails); RTP
 * routing picks the last matching session; RTCP that checks is whole words
 * and routes to a non-empty subset of the sessions (all when none is
 * named). Links the pure parts of src/media and core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"
#include "media/rtp-view.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRTP_MAX 1600 /* the call's unprotect buffer */

/* audio (PT 111) has seen no RTP yet; video (PT 96) has */
static const ScRtpRoute routes[] = {
    {TRUE, TRUE, 111, 0x11111111u, 0},
    {TRUE, TRUE, 96, 0x22222222u, 0x33333333u},
};
/* the same payload type twice (last one wins), one session not receiving,
 * one not set up */
static const ScRtpRoute odd_routes[] = {
    {TRUE, TRUE, 96, 0x44444444u, 0},
    {TRUE, FALSE, 111, 0x55555555u, 0},
    {TRUE, TRUE, 96, 0, 0x66666666u},
    {FALSE, TRUE, 100, 0x11111111u, 0x33333333u},
};

static guint32
be32(const uint8_t *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
}

static void
check_classify(const uint8_t *data, size_t size, ScPacketKind k)
{
    if (size == 0) {
        g_assert_cmpint(k, ==, SC_PACKET_UNKNOWN);
        return;
    }
    /* the class must not depend on bytes after the second */
    g_assert_cmpint(k, ==, sc_demux_classify(data, size < 2 ? size : 2));
    switch (k) {
    case SC_PACKET_STUN:
        g_assert_cmpuint(data[0], <=, 3);
        break;
    case SC_PACKET_DTLS:
        g_assert_true(data[0] >= 20 && data[0] <= 63);
        break;
    case SC_PACKET_RTP:
        g_assert_true(data[0] >= 128 && data[0] <= 191);
        g_assert_true((data[1] & 0x7f) < 64 || (data[1] & 0x7f) > 95);
        break;
    case SC_PACKET_RTCP:
        g_assert_true(data[0] >= 128 && data[0] <= 191);
        g_assert_true((data[1] & 0x7f) >= 64 && (data[1] & 0x7f) <= 95);
        break;
    default:
        break;
    }
}

static void
check_ingress(const uint8_t *data, size_t size, ScPacketKind k)
{
    ScIngress in = sc_demux_ingress(data, size, SRTP_MAX);
    gboolean srtp = k == SC_PACKET_RTP || k == SC_PACKET_RTCP;

    switch (in) {
    case SC_INGRESS_DTLS:
        g_assert_cmpint(k, ==, SC_PACKET_DTLS);
        break;
    case SC_INGRESS_SRTP:
        g_assert_cmpint(k, ==, SC_PACKET_RTP);
        g_assert_cmpuint(size, <=, SRTP_MAX);
        break;
    case SC_INGRESS_SRTCP:
        g_assert_cmpint(k, ==, SC_PACKET_RTCP);
        g_assert_cmpuint(size, <=, SRTP_MAX);
        break;
    case SC_INGRESS_SRTP_TOO_BIG:
        g_assert_true(srtp);
        g_assert_cmpuint(size, >, SRTP_MAX);
        break;
    case SC_INGRESS_IGNORE:
        g_assert_true(k != SC_PACKET_DTLS && !srtp);
        break;
    default:
        g_assert_not_reached();
    }
    /* one byte less room: SRTP/SRTCP of exactly this size no longer fits */
    if (srtp && size > 0)
        g_assert_cmpint(sc_demux_ingress(data, size, size - 1), ==,
                        SC_INGRESS_SRTP_TOO_BIG);
}

static void
check_rtp(const uint8_t *data, size_t size, const ScRtpRoute *r, guint n)
{
    ScRtpView v, v2;
    gint idx;

    if (sc_rtp_view_parse(data, size, &v) != SC_OK)
        return;
    g_assert_cmpuint(size, >=, 12);
    g_assert_cmpuint(size, <=, SC_RTP_VIEW_MAX_LEN);
    g_assert_cmpuint(data[0] >> 6, ==, 2);
    g_assert_cmpuint(v.payload_type, <, 128);
    g_assert_cmpuint(v.payload_type, ==, data[1] & 0x7f);
    g_assert_cmpuint(v.seq, ==, (data[2] << 8) | data[3]);
    g_assert_cmpuint(v.timestamp, ==, be32(data + 4));
    g_assert_cmpuint(v.ssrc, ==, be32(data + 8));
    g_assert_cmpuint(v.csrc_count, ==, data[0] & 0x0f);
    g_assert_cmpuint(v.header_len, >=,
                     12 + 4u * v.csrc_count + (v.has_extension ? 4 : 0));
    g_assert_cmpuint(v.header_len % 4, ==, 0);
    g_assert_cmpuint(v.header_len, <=, size);
    /* the header alone parses the same; one byte less does not */
    g_assert_cmpint(sc_rtp_view_parse(data, v.header_len, &v2), ==, SC_OK);
    g_assert_cmpuint(v2.header_len, ==, v.header_len);
    g_assert_cmpuint(v2.ssrc, ==, v.ssrc);
    g_assert_cmpint(sc_rtp_view_parse(data, v.header_len - 1, &v2), ==,
                    SC_DROP_MALFORMED);

    idx = sc_rtp_route(v.payload_type, r, n);
    if (idx < 0) {
        for (guint i = 0; i < n; i++)
            g_assert_false(r[i].have && r[i].recv &&
                           r[i].payload_type == v.payload_type);
    } else {
        g_assert_cmpint(idx, <, (gint)n);
        g_assert_true(r[idx].have && r[idx].recv &&
                      r[idx].payload_type == v.payload_type);
        for (guint i = (guint)idx + 1; i < n; i++)
            g_assert_false(r[i].have && r[i].recv &&
                           r[i].payload_type == v.payload_type);
    }
}

static void
check_rtcp(const uint8_t *data, size_t size)
{
    guint all = (1u << G_N_ELEMENTS(routes)) - 1;
    guint odd_all = (1u << G_N_ELEMENTS(odd_routes)) - 1;
    guint mask;

    if (!sc_rtcp_view_check(data, size))
        return;
    g_assert_cmpuint(size, >=, SC_RTP_VIEW_MIN_LEN);
    g_assert_cmpuint(size % 4, ==, 0);
    g_assert_cmpuint(data[0] >> 6, ==, 2);

    mask = sc_rtcp_route(data, size, routes, G_N_ELEMENTS(routes));
    g_assert_cmpuint(mask, !=, 0);
    g_assert_cmpuint(mask & ~all, ==, 0);
    mask = sc_rtcp_route(data, size, odd_routes, G_N_ELEMENTS(odd_routes));
    g_assert_cmpuint(mask, !=, 0);
    g_assert_cmpuint(mask & ~odd_all, ==, 0);
    /* a session that is not set up is only reached by the "nobody named"
     * broadcast */
    if (mask & (1u << 3))
        g_assert_cmpuint(mask, ==, odd_all);
    g_assert_cmpuint(sc_rtcp_route(data, size, routes, 0), ==, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ScPacketKind k = sc_demux_classify(data, size);

    check_classify(data, size, k);
    check_ingress(data, size, k);
    /* after unprotect the media sees a clear packet with the same header:
     * run its checks on these bytes whatever their class */
    check_rtp(data, size, routes, G_N_ELEMENTS(routes));
    check_rtp(data, size, odd_routes, G_N_ELEMENTS(odd_routes));
    check_rtcp(data, size);
    return 0;
}
