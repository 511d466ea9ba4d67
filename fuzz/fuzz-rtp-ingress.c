/* fuzz/fuzz-rtp-ingress.c - a received SRTP/SRTCP packet from the demux to
 * the media: libsrtp unprotect with a fixed test key (src/srtp), then the
 * header checks and routing the media applies (src/media/rtp-view.c).
 *
 * The first input byte picks the mode, the rest is the packet:
 *   bits 0-1  0: unprotect the bytes as SRTP       1: as SRTCP
 *             2: protect them as RTP first         3: as RTCP first
 *   bit 2     profile: AES128_CM_SHA1_80 or AEAD_AES_128_GCM
 * Modes 2 and 3 get past authentication, so the fuzzer reaches what runs
 * after it with packets of its own choosing.
 * Properties: what unprotects is the original clear packet, shorter by
 * exactly the overhead; a replay and a packet with a changed tag never
 * unprotect; a demux class and an ingress decision exist for every
 * protected packet; the clear packet's checks and routing hold (see
 * fuzz-demux.c), and the SSRC guard's per-session RTCP cut is a valid
 * compound, no longer than the packet, that a second cut leaves as it is.
 * Links the pure modules srtp and media (rtp-view, ssrc-guard, demux) and
 * core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"
#include "media/rtp-view.h"
#include "media/ssrc-guard.h"
#include "srtp/srtp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF_MAX 1600 /* the call's unprotect buffer */
#define OVERHEAD_MAX 32

static const ScRtpRoute routes[] = {
    {TRUE, TRUE, 111, 0x11111111u, 0},
    {TRUE, TRUE, 96, 0x22222222u, 0x33333333u},
};

static ScSrtpSession *
session_new(gboolean gcm)
{
    ScSrtpKeys keys = {0};
    g_autoptr(GError) error = NULL;
    ScSrtpSession *s;
    gsize key_len = 0, salt_len = 0;

    keys.profile = gcm ? SC_SRTP_PROFILE_AEAD_AES_128_GCM
                       : SC_SRTP_PROFILE_AES128_CM_SHA1_80;
    g_assert_true(sc_srtp_profile_get_lengths(keys.profile, &key_len,
                                              &salt_len));
    keys.key_salt_len = key_len + salt_len;
    /* the same test key both ways: what tx protects, rx accepts */
    for (gsize i = 0; i < keys.key_salt_len; i++)
        keys.local[i] = keys.remote[i] = (guint8)(0xa5 ^ (i * 7));
    s = sc_srtp_session_new(&keys, &error);
    g_assert_no_error(error);
    g_assert_nonnull(s);
    return s;
}

/* The SSRC guard's cut of a checked compound, per session: never longer,
 * a valid compound itself, and cut again it stays the same. */
static void
guard_rtcp(const guint8 *pkt, gsize n)
{
    static const guint32 signalled = 0x33333333u;
    ScSsrcGuard g[2] = { { .have = TRUE, .local = 0x11111111u },
                         { .have = TRUE, .local = 0x22222222u } };
    guint8 out[BUF_MAX], again[BUF_MAX];

    sc_ssrc_guard_set_signalled(&g[1], &signalled, 1);
    (void)sc_ssrc_guard_rtcp_learn(g, 2, pkt, n, 1);
    for (guint i = 0; i < 2; i++) {
        gsize w = sc_ssrc_guard_rtcp_filter(g, 2, i, pkt, n, 1, out);
        g_assert_cmpuint(w, <=, n);
        if (w == 0)
            continue;
        g_assert_true(sc_rtcp_view_check(out, w));
        g_assert_cmpuint(sc_ssrc_guard_rtcp_learn(g, 2, out, w, 1), ==, 0);
        g_assert_cmpuint(sc_ssrc_guard_rtcp_filter(g, 2, i, out, w, 1, again),
                         ==, w);
        g_assert_cmpmem(out, w, again, w);
    }
}

/* What the media does with a clear packet that authenticated. */
static void
to_media(const guint8 *pkt, gsize n, gboolean rtcp)
{
    if (rtcp) {
        if (sc_rtcp_view_check(pkt, n)) {
            guint mask = sc_rtcp_route(pkt, n, routes, G_N_ELEMENTS(routes));
            g_assert_cmpuint(mask, !=, 0);
            g_assert_cmpuint(mask, <=, 3);
            guard_rtcp(pkt, n);
        }
    } else {
        ScRtpView v;
        if (sc_rtp_view_parse(pkt, n, &v) == SC_OK) {
            gint idx = sc_rtp_route(v.payload_type, routes,
                                    G_N_ELEMENTS(routes));
            g_assert_cmpuint(v.header_len, <=, n);
            g_assert_true(idx < 0 || routes[idx].payload_type == v.payload_type);
        }
    }
}

static void
unprotect_raw(ScSrtpSession *s, const guint8 *data, gsize size, gboolean rtcp)
{
    guint8 pkt[BUF_MAX];
    gsize n = size;
    ScStatus st;

    if (size > sizeof pkt)
        return;
    memcpy(pkt, data, size);
    st = rtcp ? sc_srtp_session_unprotect_rtcp(s, pkt, &n)
              : sc_srtp_session_unprotect(s, pkt, &n);
    if (st != SC_OK) {
        g_assert_true(st == SC_DROP_AUTH || st == SC_DROP_REPLAY ||
                      st == SC_DROP_MALFORMED);
        g_assert_cmpuint(n, ==, size);
        return;
    }
    /* only a packet made with the test key gets here (a corpus file) */
    g_assert_cmpuint(n + (rtcp ? sc_srtp_session_get_rtcp_overhead(s)
                               : sc_srtp_session_get_rtp_overhead(s)), ==, size);
    to_media(pkt, n, rtcp);
    /* the same packet again is a replay */
    memcpy(pkt, data, size);
    n = size;
    st = rtcp ? sc_srtp_session_unprotect_rtcp(s, pkt, &n)
              : sc_srtp_session_unprotect(s, pkt, &n);
    g_assert_cmpint(st, ==, SC_DROP_REPLAY);
}

static void
round_trip(ScSrtpSession *s, const guint8 *data, gsize size, gboolean rtcp)
{
    guint8 prot[BUF_MAX + OVERHEAD_MAX], pkt[BUF_MAX + OVERHEAD_MAX];
    gsize n = size, plen;
    gsize overhead = rtcp ? sc_srtp_session_get_rtcp_overhead(s)
                          : sc_srtp_session_get_rtp_overhead(s);
    ScSrtpStats stats;
    ScStatus st;

    g_assert_cmpuint(overhead, <=, OVERHEAD_MAX);
    if (size > BUF_MAX)
        return;
    memcpy(prot, data, size);
    st = rtcp ? sc_srtp_session_protect_rtcp(s, prot, &n, sizeof prot)
              : sc_srtp_session_protect(s, prot, &n, sizeof prot);
    if (st != SC_OK) {
        g_assert_cmpint(st, ==, SC_DROP_MALFORMED);
        return;
    }
    g_assert_cmpuint(n, ==, size + overhead);
    plen = n;
    /* the header stays clear: the demux sees what we protected */
    g_assert_cmpint(sc_demux_classify(prot, plen), ==,
                    sc_demux_classify(data, size));
    (void)sc_demux_ingress(prot, plen, BUF_MAX);

    /* a changed tag (the last byte) fails and does not use up the index */
    memcpy(pkt, prot, plen);
    pkt[plen - 1] ^= 0x01;
    n = plen;
    st = rtcp ? sc_srtp_session_unprotect_rtcp(s, pkt, &n)
              : sc_srtp_session_unprotect(s, pkt, &n);
    g_assert_cmpint(st, ==, SC_DROP_AUTH);

    memcpy(pkt, prot, plen);
    n = plen;
    st = rtcp ? sc_srtp_session_unprotect_rtcp(s, pkt, &n)
              : sc_srtp_session_unprotect(s, pkt, &n);
    g_assert_cmpint(st, ==, SC_OK);
    g_assert_cmpuint(n, ==, size);
    g_assert_cmpmem(pkt, n, data, size);
    to_media(pkt, n, rtcp);

    memcpy(pkt, prot, plen);
    n = plen;
    st = rtcp ? sc_srtp_session_unprotect_rtcp(s, pkt, &n)
              : sc_srtp_session_unprotect(s, pkt, &n);
    g_assert_cmpint(st, ==, SC_DROP_REPLAY);

    sc_srtp_session_get_stats(s, &stats);
    g_assert_cmpuint(rtcp ? stats.protected_rtcp : stats.protected_rtp, ==, 1);
    g_assert_cmpuint(rtcp ? stats.unprotected_rtcp : stats.unprotected_rtp,
                     ==, 1);
    g_assert_cmpuint(stats.auth_failed, ==, 1);
    g_assert_cmpuint(stats.replayed, ==, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean ready;
    g_autoptr(ScSrtpSession) s = NULL;
    guint8 mode;

    if (!ready) {
        /* keep libsrtp initialised across inputs */
        sc_srtp_global_ref();
        ready = TRUE;
    }
    if (size < 1)
        return 0;
    mode = data[0];
    s = session_new((mode & 4) != 0);
    switch (mode & 3) {
    case 0:
    case 1:
        unprotect_raw(s, data + 1, size - 1, (mode & 3) == 1);
        break;
    default:
        round_trip(s, data + 1, size - 1, (mode & 3) == 3);
        break;
    }
    return 0;
}
