/* tests/unit/test-rtp-view.c - the checks and BUNDLE routing the media
 * applies to received clear RTP/RTCP (src/media/rtp-view.c), and the
 * call's ingress decision per datagram (sc_demux_ingress).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"
#include "media/rtp-view.h"

#include <string.h>

#define AUDIO_LOCAL 0x11111111u
#define VIDEO_LOCAL 0x22222222u
#define VIDEO_REMOTE 0x33333333u

static const ScRtpRoute routes[] = {
    {TRUE, TRUE, 111, AUDIO_LOCAL, 0},
    {TRUE, TRUE, 96, VIDEO_LOCAL, VIDEO_REMOTE},
};

static gsize
put32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
    return 4;
}

/* an RTCP header for a packet of @words 32-bit words after it */
static gsize
rtcp_hdr(guint8 *p, guint count, guint8 type, guint words)
{
    p[0] = 0x80 | count;
    p[1] = type;
    p[2] = words >> 8;
    p[3] = words;
    return 4;
}

static void
test_rtp_parse(void)
{
    guint8 pkt[64] = {0x80 | 0x10 | 1, 0x80 | 96, 0x12, 0x34, 0, 0, 0, 9};
    ScRtpView v;
    gsize n = 8;

    n += put32(pkt + n, VIDEO_REMOTE);
    n += put32(pkt + n, 0x01020304);         /* one CSRC */
    pkt[n++] = 0xbe, pkt[n++] = 0xde;        /* extension: 1 word */
    pkt[n++] = 0, pkt[n++] = 1;
    n += put32(pkt + n, 0x10ff0000);
    memset(pkt + n, 0x55, 8);
    n += 8;
    g_assert_cmpint(sc_rtp_view_parse(pkt, n, &v), ==, SC_OK);
    g_assert_cmpuint(v.payload_type, ==, 96);
    g_assert_true(v.marker);
    g_assert_cmpuint(v.seq, ==, 0x1234);
    g_assert_cmpuint(v.timestamp, ==, 9);
    g_assert_cmpuint(v.ssrc, ==, VIDEO_REMOTE);
    g_assert_cmpuint(v.csrc_count, ==, 1);
    g_assert_cmpuint(v.header_len, ==, 24);
    g_assert_cmpint(sc_rtp_route(v.payload_type, routes, 2), ==, 1);
    g_assert_cmpint(sc_rtp_route(111, routes, 2), ==, 0);
    g_assert_cmpint(sc_rtp_route(97, routes, 2), ==, -1);

    /* the extension claims 0x0101 words: past the end */
    pkt[18] = 1;
    g_assert_cmpint(sc_rtp_view_parse(pkt, n, &v), ==, SC_DROP_MALFORMED);
    pkt[18] = 0;
    /* 15 CSRCs do not fit */
    pkt[0] = 0x80 | 15;
    g_assert_cmpint(sc_rtp_view_parse(pkt, n, &v), ==, SC_DROP_MALFORMED);
    /* version 1, and a bare 11-byte header */
    pkt[0] = 0x40;
    g_assert_cmpint(sc_rtp_view_parse(pkt, n, &v), ==, SC_DROP_MALFORMED);
    pkt[0] = 0x80;
    g_assert_cmpint(sc_rtp_view_parse(pkt, 11, &v), ==, SC_DROP_MALFORMED);
    g_assert_cmpint(sc_rtp_view_parse(pkt, 12, &v), ==, SC_OK);
}

static void
test_rtcp_route(void)
{
    guint8 pkt[128];
    gsize n;

    /* PLI from the peer's video to our video: video only */
    n = rtcp_hdr(pkt, 1, 206, 2);
    n += put32(pkt + n, VIDEO_REMOTE);
    n += put32(pkt + n, VIDEO_LOCAL);
    g_assert_true(sc_rtcp_view_check(pkt, n));
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 2), ==, 2);

    /* RR from an SSRC we have not seen, reporting on our audio: audio */
    n = rtcp_hdr(pkt, 1, 201, 7);
    n += put32(pkt + n, 0x12345678);
    n += put32(pkt + n, AUDIO_LOCAL);
    memset(pkt + n, 0, 20);
    n += 20;
    g_assert_true(sc_rtcp_view_check(pkt, n));
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 2), ==, 1);

    /* ... followed by FIR naming our video in its FCI: both */
    n += rtcp_hdr(pkt + n, 4, 206, 4);
    n += put32(pkt + n, 0x12345678);
    n += put32(pkt + n, 0);
    n += put32(pkt + n, VIDEO_LOCAL);
    n += put32(pkt + n, 0x01000000);
    g_assert_true(sc_rtcp_view_check(pkt, n));
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 2), ==, 3);

    /* an RR whose count (5) claims more blocks than its length holds: the
     * blocks that are not there are not read, and as nothing known is
     * named it goes to every session */
    n = rtcp_hdr(pkt, 5, 201, 1);
    n += put32(pkt + n, 0x12345678);
    g_assert_true(sc_rtcp_view_check(pkt, n));
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 2), ==, 3);

    /* BYE of the peer's video */
    n = rtcp_hdr(pkt, 1, 203, 1);
    n += put32(pkt + n, VIDEO_REMOTE);
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 2), ==, 2);

    /* lengths that do not add up are not RTCP */
    pkt[3] = 2;
    g_assert_false(sc_rtcp_view_check(pkt, n));
    g_assert_false(sc_rtcp_view_check(pkt, 4));
    g_assert_cmpuint(sc_rtcp_route(pkt, n, routes, 0), ==, 0);
}

static void
test_ingress(void)
{
    guint8 dtls[13] = {22, 0xfe, 0xfd};
    guint8 stun[20] = {0x00, 0x01};
    guint8 rtp[12] = {0x80, 96};
    guint8 rtcp[8] = {0x81, 200};
    guint8 turn[4] = {0x40, 0x00};

    g_assert_cmpint(sc_demux_ingress(dtls, sizeof dtls, 1600), ==,
                    SC_INGRESS_DTLS);
    g_assert_cmpint(sc_demux_ingress(stun, sizeof stun, 1600), ==,
                    SC_INGRESS_IGNORE);
    g_assert_cmpint(sc_demux_ingress(turn, sizeof turn, 1600), ==,
                    SC_INGRESS_IGNORE);
    g_assert_cmpint(sc_demux_ingress(rtp, sizeof rtp, 1600), ==,
                    SC_INGRESS_SRTP);
    g_assert_cmpint(sc_demux_ingress(rtcp, sizeof rtcp, 1600), ==,
                    SC_INGRESS_SRTCP);
    g_assert_cmpint(sc_demux_ingress(rtp, sizeof rtp, sizeof rtp - 1), ==,
                    SC_INGRESS_SRTP_TOO_BIG);
    g_assert_cmpint(sc_demux_ingress(rtcp, sizeof rtcp, sizeof rtcp - 1), ==,
                    SC_INGRESS_SRTP_TOO_BIG);
    /* DTLS is not limited by the SRTP buffer */
    g_assert_cmpint(sc_demux_ingress(dtls, sizeof dtls, 1), ==,
                    SC_INGRESS_DTLS);
    g_assert_cmpint(sc_demux_ingress(rtp, 1, 1600), ==, SC_INGRESS_IGNORE);
    g_assert_cmpint(sc_demux_ingress(NULL, 0, 1600), ==, SC_INGRESS_IGNORE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-view/rtp-parse", test_rtp_parse);
    g_test_add_func("/rtp-view/rtcp-route", test_rtcp_route);
    g_test_add_func("/rtp-view/ingress", test_ingress);
    return g_test_run();
}
