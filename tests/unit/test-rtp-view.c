/* tests/unit/test-rtp-view.c - the checks and BUNDLE routing the media
 * applies to received clear RTP/RTCP (src/media/rtp-view.c), and the
 * call's ingress decision per datagram (sc_demux_ingress).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"
#include "media/rtp-view.h"
#include "media/ssrc-guard.h"

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

static void
w32(guint8 *p, guint32 v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* learning: signalled always, at most LEARN_MAX others, never ours, an
 * idle place taken again */
static void
test_ssrc_guard_accept(void)
{
    ScSsrcGuard g = { .have = TRUE, .local = 0xaaaa };
    const guint32 sig[] = { 0xaaaa, 0x1111, 0x1111, 0x2222 };
    gint64 t = 1000;

    sc_ssrc_guard_set_signalled(&g, sig, G_N_ELEMENTS(sig));
    g_assert_cmpuint(g.n_signalled, ==, 2); /* ours and the duplicate out */
    g_assert_true(sc_ssrc_guard_accept(&g, 0x2222, FALSE, t));
    g_assert_false(sc_ssrc_guard_accept(&g, 0xaaaa, TRUE, t));
    g_assert_false(sc_ssrc_guard_accept(&g, 0x5000, FALSE, t));
    for (guint i = 0; i < SC_SSRC_GUARD_LEARN_MAX; i++)
        g_assert_true(sc_ssrc_guard_accept(&g, 0x5000 + i, TRUE, t));
    g_assert_false(sc_ssrc_guard_accept(&g, 0x6000, TRUE, t));
    g_assert_true(sc_ssrc_guard_knows(&g, 0x5001, t));
    /* 0x5001 stays in use; the others go idle and free their places */
    t += SC_SSRC_GUARD_IDLE_US / 2;
    g_assert_true(sc_ssrc_guard_accept(&g, 0x5001, FALSE, t));
    t += SC_SSRC_GUARD_IDLE_US / 2 + 1;
    g_assert_false(sc_ssrc_guard_knows(&g, 0x5000, t));
    g_assert_true(sc_ssrc_guard_accept(&g, 0x6000, TRUE, t));
    g_assert_true(sc_ssrc_guard_knows(&g, 0x5001, t));
    g_assert_true(sc_ssrc_guard_knows(&g, 0x1111, t + G_MAXINT32));
}

/* a compound of RR (from the peer's audio SSRC: a block about our audio,
 * one about a stranger), RR from an unknown SSRC about our video (learned
 * into video), SDES with chunks of audio, video and a stranger, BYE with a
 * stranger and the audio SSRC plus a reason, APP, PLI about our video:
 * each session gets its own parts, the strangers' are counted */
static void
test_ssrc_guard_rtcp(void)
{
    ScSsrcGuard g[2] = { { .have = TRUE, .local = 0xa0 },
                         { .have = TRUE, .local = 0xb0 } };
    const guint32 audio_peer = 0xa1;
    guint8 c[256], out[256];
    guint8 *q = c;
    gsize n, len;

    sc_ssrc_guard_set_signalled(&g[0], &audio_peer, 1);
    memset(c, 0, sizeof c);
    q[0] = 0x82, q[1] = 201, q[3] = 13;     /* RR, 2 blocks */
    w32(q + 4, audio_peer);
    w32(q + 8, 0xa0);
    q[12] = 7;                              /* fraction */
    w32(q + 32, 0xdead);
    q += 56;
    q[0] = 0x81, q[1] = 201, q[3] = 7;      /* RR, 1 block, unknown sender */
    w32(q + 4, 0xb1);
    w32(q + 8, 0xb0);
    q += 32;
    q[0] = 0x83, q[1] = 202, q[3] = 9;      /* SDES, 3 chunks of 12 bytes */
    w32(q + 4, audio_peer);
    q[8] = 1, q[9] = 2, q[10] = 'a', q[11] = 'a';
    w32(q + 16, 0xb1);
    q[20] = 1, q[21] = 2, q[22] = 'b', q[23] = 'b';
    w32(q + 28, 0xbad);
    q[32] = 1, q[33] = 2, q[34] = 'x', q[35] = 'x';
    q += 40;
    q[0] = 0x82, q[1] = 203, q[3] = 3;      /* BYE, 2 SSRCs, reason */
    w32(q + 4, 0xbad);
    w32(q + 8, audio_peer);
    q[12] = 3, q[13] = 'b', q[14] = 'y', q[15] = 'e';
    q += 16;
    q[0] = 0x80, q[1] = 204, q[3] = 2;      /* APP */
    w32(q + 4, audio_peer);
    q += 12;
    q[0] = 0x81, q[1] = 206, q[3] = 2;      /* PLI about our video */
    w32(q + 4, 0x1);
    w32(q + 8, 0xb0);
    q += 12;
    len = (gsize)(q - c);
    g_assert_true(sc_rtcp_view_check(c, len));

    /* the stranger block, the 0xbad chunk and BYE entry, the APP */
    g_assert_cmpuint(sc_ssrc_guard_rtcp_learn(g, 2, c, len, 1), ==, 4);
    g_assert_true(sc_ssrc_guard_knows(&g[1], 0xb1, 1));
    g_assert_false(sc_ssrc_guard_knows(&g[0], 0xb1, 1));

    n = sc_ssrc_guard_rtcp_filter(g, 2, 0, c, len, 1, out);
    /* audio: RR(a1, block about a0) + SDES(a1) + BYE(a1, reason) */
    g_assert_cmpuint(n, ==, 32 + 16 + 12);
    g_assert_true(sc_rtcp_view_check(out, n));
    g_assert_cmpmem(out, 12, "\x81\xc9\0\7\0\0\0\xa1\0\0\0\xa0", 12);
    g_assert_cmpuint(out[12], ==, 7);
    g_assert_cmpmem(out + 32, 8, "\x81\xca\0\3\0\0\0\xa1", 8);
    g_assert_cmpmem(out + 48, 12, "\x81\xcb\0\2\0\0\0\xa1\3bye", 12);

    /* video: RR(b1 learned) + SDES(b1) + PLI */
    n = sc_ssrc_guard_rtcp_filter(g, 2, 1, c, len, 1, out);
    g_assert_cmpuint(n, ==, 32 + 16 + 12);
    g_assert_true(sc_rtcp_view_check(out, n));
    g_assert_cmpmem(out + 4, 8, "\0\0\0\xb1\0\0\0\xb0", 8);
    g_assert_cmpmem(out + 32, 8, "\x81\xca\0\3\0\0\0\xb1", 8);
    g_assert_cmpmem(out + 48, 4, "\x81\xce\0\2", 4);

    /* nothing for a session: 0; of a truncated SDES chunk list only the
     * chunks that fit pass */
    g[1].have = FALSE;
    g_assert_cmpuint(sc_ssrc_guard_rtcp_filter(g, 2, 1, c, len, 1, out), ==,
                     0);
    memset(c, 0, sizeof c);
    c[0] = 0x81, c[1] = 201, c[3] = 1;
    w32(c + 4, audio_peer);
    c[8] = 0x85, c[9] = 202, c[11] = 2;     /* claims 5 chunks, holds one */
    w32(c + 12, audio_peer);
    c[16] = 1, c[17] = 1, c[18] = 'a';
    g_assert_cmpuint(sc_ssrc_guard_rtcp_learn(g, 2, c, 20, 1), ==, 4);
    g_assert_cmpuint(sc_ssrc_guard_rtcp_filter(g, 2, 0, c, 20, 1, out), ==, 20);
    g_assert_cmpuint(out[8], ==, 0x81);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-view/rtp-parse", test_rtp_parse);
    g_test_add_func("/rtp-view/rtcp-route", test_rtcp_route);
    g_test_add_func("/rtp-view/ingress", test_ingress);
    g_test_add_func("/rtp-view/ssrc-guard-accept", test_ssrc_guard_accept);
    g_test_add_func("/rtp-view/ssrc-guard-rtcp", test_ssrc_guard_rtcp);
    return g_test_run();
}
