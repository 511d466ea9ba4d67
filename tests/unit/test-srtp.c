/* tests/unit/test-srtp.c - SRTP sessions: libsrtp known-answer vectors
 * (AES-CM-128/HMAC-SHA1-80 and AEAD-AES-128-GCM, from libsrtp's
 * srtp_validate(); see tests/data/vectors/README), round trips, tamper,
 * replay and the length checks around libsrtp's int interface.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "srtp/srtp.h"
#include "test-util.h"

#include <string.h>

static gsize
unhex(const char *hex, guint8 *out, gsize cap)
{
    gsize n = 0;
    for (const char *p = hex; *p != '\0';) {
        if (*p == ' ') {
            p++;
            continue;
        }
        g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
        g_assert_cmpuint(n, <, cap);
        out[n++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 |
                            g_ascii_xdigit_value(p[1]));
        p += 2;
    }
    return n;
}

/* libsrtp srtp_validate(): SSRC 0xcafebabe, SEQ 0x1234, ROC 0 */
#define RTP_PLAIN "800f1234decafbadcafebabe abababababababababababababababab"
#define RTCP_PLAIN "81c8000bcafebabe abababababababababababababababab"

#define CM_KEY "e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6"
#define CM_RTP                                                               \
    "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402"              \
    " b78d6acc99ea179b8dbb"
#define CM_RTCP                                                              \
    "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001"             \
    " 993e08cd54d6c1230798"

#define GCM_KEY "000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab"
#define GCM_RTP                                                              \
    "800f1234decafbadcafebabe c5002ede04cfdd2eb91159e0880aa06e"              \
    " d2976826f796b201df3131a127e8a392"
#define GCM_RTCP                                                             \
    "81c8000bcafebabe c98b8b5df0392a55852b6c21ac8e7025"                      \
    " c52c6fbea2b3b446ea31123ba88ce61e 80000001"

typedef struct {
    ScSrtpProfile profile;
    const char *key, *rtp, *rtcp;
} Vector;

static const Vector vectors[] = {
    {SC_SRTP_PROFILE_AES128_CM_SHA1_80, CM_KEY, CM_RTP, CM_RTCP},
    {SC_SRTP_PROFILE_AEAD_AES_128_GCM, GCM_KEY, GCM_RTP, GCM_RTCP},
};

static ScSrtpKeys
keys_from_hex(ScSrtpProfile profile, const char *local, const char *remote)
{
    ScSrtpKeys k;
    memset(&k, 0, sizeof(k));
    k.profile = profile;
    k.key_salt_len = unhex(local, k.local, sizeof(k.local));
    g_assert_cmpuint(unhex(remote, k.remote, sizeof(k.remote)), ==,
                     k.key_salt_len);
    return k;
}

static void
test_known_answer(gconstpointer data)
{
    const Vector *v = data;
    g_autoptr(GError) error = NULL;
    ScSrtpKeys keys = keys_from_hex(v->profile, v->key, v->key);
    g_autoptr(ScSrtpSession) s = sc_srtp_session_new(&keys, &error);
    sc_secure_wipe(&keys, sizeof(keys));
    g_assert_no_error(error);
    g_assert_nonnull(s);

    guint8 pkt[128], expect[128], plain[128];
    gsize plain_len = unhex(RTP_PLAIN, plain, sizeof(plain));
    gsize expect_len = unhex(v->rtp, expect, sizeof(expect));
    memcpy(pkt, plain, plain_len);
    gsize len = plain_len;
    g_assert_cmpint(sc_srtp_session_protect(s, pkt, &len, sizeof(pkt)), ==,
                    SC_OK);
    g_assert_cmpmem(pkt, len, expect, expect_len);
    g_assert_cmpuint(len, ==, plain_len + sc_srtp_session_get_rtp_overhead(s));
    /* the same session's inbound side uses the same key here */
    g_assert_cmpint(sc_srtp_session_unprotect(s, pkt, &len), ==, SC_OK);
    g_assert_cmpmem(pkt, len, plain, plain_len);

    plain_len = unhex(RTCP_PLAIN, plain, sizeof(plain));
    expect_len = unhex(v->rtcp, expect, sizeof(expect));
    memcpy(pkt, plain, plain_len);
    len = plain_len;
    g_assert_cmpint(sc_srtp_session_protect_rtcp(s, pkt, &len, sizeof(pkt)),
                    ==, SC_OK);
    g_assert_cmpmem(pkt, len, expect, expect_len);
    g_assert_cmpuint(len, ==,
                     plain_len + sc_srtp_session_get_rtcp_overhead(s));
    g_assert_cmpint(sc_srtp_session_unprotect_rtcp(s, pkt, &len), ==, SC_OK);
    g_assert_cmpmem(pkt, len, plain, plain_len);

    ScSrtpStats st;
    sc_srtp_session_get_stats(s, &st);
    g_assert_cmpuint(st.protected_rtp, ==, 1);
    g_assert_cmpuint(st.protected_rtcp, ==, 1);
    g_assert_cmpuint(st.unprotected_rtp, ==, 1);
    g_assert_cmpuint(st.unprotected_rtcp, ==, 1);
}

/* Two sessions with swapped random keys, as DTLS-SRTP sets them up. */
static void
make_pair(ScSrtpProfile profile, ScSrtpSession **a, ScSrtpSession **b)
{
    gsize key_len = 0, salt_len = 0;
    g_assert_true(sc_srtp_profile_get_lengths(profile, &key_len, &salt_len));
    ScSrtpKeys ka, kb;
    memset(&ka, 0, sizeof(ka));
    ka.profile = profile;
    ka.key_salt_len = key_len + salt_len;
    sc_random_bytes(ka.local, ka.key_salt_len);
    sc_random_bytes(ka.remote, ka.key_salt_len);
    kb = ka;
    memcpy(kb.local, ka.remote, sizeof(kb.local));
    memcpy(kb.remote, ka.local, sizeof(kb.remote));
    *a = sc_srtp_session_new(&ka, NULL);
    *b = sc_srtp_session_new(&kb, NULL);
    sc_secure_wipe(&ka, sizeof(ka));
    sc_secure_wipe(&kb, sizeof(kb));
    g_assert_nonnull(*a);
    g_assert_nonnull(*b);
}

static gsize
make_rtp(guint8 *buf, guint16 seq, guint32 ssrc, gsize payload)
{
    buf[0] = 0x80;
    buf[1] = 111;
    buf[2] = (guint8)(seq >> 8);
    buf[3] = (guint8)seq;
    memset(buf + 4, 0, 4);
    buf[8] = (guint8)(ssrc >> 24);
    buf[9] = (guint8)(ssrc >> 16);
    buf[10] = (guint8)(ssrc >> 8);
    buf[11] = (guint8)ssrc;
    for (gsize i = 0; i < payload; i++)
        buf[12 + i] = (guint8)(i * 7 + seq);
    return 12 + payload;
}

static void
test_pair(gconstpointer data)
{
    ScSrtpProfile profile = GPOINTER_TO_INT(data);
    ScSrtpSession *a, *b;
    make_pair(profile, &a, &b);

    guint8 pkt[256], orig[256], copy[256];
    for (guint16 seq = 100; seq < 110; seq++) {
        gsize len = make_rtp(pkt, seq, 0x11223344, 160);
        memcpy(orig, pkt, len);
        gsize olen = len;
        g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, sizeof(pkt)),
                        ==, SC_OK);
        g_assert_true(memcmp(pkt + 12, orig + 12, 160) != 0);
        memcpy(copy, pkt, len);
        gsize clen = len;
        g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &len), ==, SC_OK);
        g_assert_cmpmem(pkt, len, orig, olen);
        /* the same packet again is a replay */
        g_assert_cmpint(sc_srtp_session_unprotect(b, copy, &clen), ==,
                        SC_DROP_REPLAY);
    }
    /* the wrong direction (a's own outbound key) does not authenticate */
    gsize len = make_rtp(pkt, 500, 0x11223344, 20);
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, sizeof(pkt)), ==,
                    SC_OK);
    g_assert_cmpint(sc_srtp_session_unprotect(a, pkt, &len), ==,
                    SC_DROP_AUTH);

    /* tampering with one bit of the payload or of the tag */
    for (int where = 0; where < 2; where++) {
        len = make_rtp(pkt, (guint16)(600 + where), 0x11223344, 40);
        g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, sizeof(pkt)),
                        ==, SC_OK);
        pkt[where == 0 ? 20 : len - 1] ^= 0x01;
        g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &len), ==,
                        SC_DROP_AUTH);
    }

    /* RTCP both ways, with replay and tamper */
    guint8 rtcp[64] = {0x81, 0xc8, 0x00, 0x06, 0xca, 0xfe, 0xba, 0xbe};
    for (gsize i = 8; i < 28; i++)
        rtcp[i] = (guint8)i;
    memcpy(pkt, rtcp, 28);
    len = 28;
    g_assert_cmpint(sc_srtp_session_protect_rtcp(b, pkt, &len, sizeof(pkt)),
                    ==, SC_OK);
    memcpy(copy, pkt, len);
    gsize clen = len;
    g_assert_cmpint(sc_srtp_session_unprotect_rtcp(a, pkt, &len), ==, SC_OK);
    g_assert_cmpmem(pkt, len, rtcp, 28);
    g_assert_cmpint(sc_srtp_session_unprotect_rtcp(a, copy, &clen), ==,
                    SC_DROP_REPLAY);
    memcpy(pkt, rtcp, 28);
    len = 28;
    g_assert_cmpint(sc_srtp_session_protect_rtcp(b, pkt, &len, sizeof(pkt)),
                    ==, SC_OK);
    pkt[10] ^= 0x80;
    g_assert_cmpint(sc_srtp_session_unprotect_rtcp(a, pkt, &len), ==,
                    SC_DROP_AUTH);

    ScSrtpStats st;
    sc_srtp_session_get_stats(b, &st);
    g_assert_cmpuint(st.unprotected_rtp, ==, 10);
    g_assert_cmpuint(st.replayed, ==, 10);
    g_assert_cmpuint(st.auth_failed, ==, 2);
    g_assert_cmpuint(st.protected_rtcp, ==, 2);
    sc_srtp_session_get_stats(a, &st);
    g_assert_cmpuint(st.auth_failed, ==, 2);
    g_assert_cmpuint(st.replayed, ==, 1);
    sc_srtp_session_free(a);
    sc_srtp_session_free(b);
}

/* One receive stream per SSRC that authenticated, until forgotten: a
 * forgotten SSRC's next packet starts a new one, an SSRC kept keeps its
 * replay window. */
static void
test_forget_ssrc(void)
{
    ScSrtpSession *a, *b;
    guint8 pkt[256], copy[256];
    gsize n, len;

    make_pair(SC_SRTP_PROFILE_AES128_CM_SHA1_80, &a, &b);
    for (guint32 ssrc = 0x1000; ssrc < 0x1000 + 100; ssrc++) {
        n = make_rtp(pkt, 1, ssrc, 20);
        g_assert_cmpint(sc_srtp_session_protect(a, pkt, &n, sizeof pkt), ==,
                        SC_OK);
        g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &n), ==, SC_OK);
        g_assert_true(sc_srtp_session_has_ssrc(b, ssrc));
        if (ssrc != 0x1000)
            sc_srtp_session_forget_ssrc(b, ssrc);
    }
    g_assert_true(sc_srtp_session_has_ssrc(b, 0x1000));
    for (guint32 ssrc = 0x1001; ssrc < 0x1000 + 100; ssrc++)
        g_assert_false(sc_srtp_session_has_ssrc(b, ssrc));
    sc_srtp_session_forget_ssrc(b, 0x9999); /* none: nothing happens */

    /* a forgotten SSRC authenticates again */
    n = make_rtp(pkt, 2, 0x1001, 20);
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &n, sizeof pkt), ==,
                    SC_OK);
    g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &n), ==, SC_OK);
    g_assert_true(sc_srtp_session_has_ssrc(b, 0x1001));
    /* the kept one still refuses a replay */
    len = make_rtp(pkt, 3, 0x1000, 20);
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, sizeof pkt), ==,
                    SC_OK);
    memcpy(copy, pkt, len);
    n = len;
    g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &n), ==, SC_OK);
    n = len;
    g_assert_cmpint(sc_srtp_session_unprotect(b, copy, &n), ==,
                    SC_DROP_REPLAY);
    sc_srtp_session_free(a);
    sc_srtp_session_free(b);
}

static void
test_lengths(void)
{
    ScSrtpSession *a, *b;
    make_pair(SC_SRTP_PROFILE_AES128_CM_SHA1_80, &a, &b);
    g_assert_cmpuint(sc_srtp_session_get_rtp_overhead(a), ==, 10);
    g_assert_cmpuint(sc_srtp_session_get_rtcp_overhead(a), ==, 14);

    guint8 pkt[64];
    gsize len = make_rtp(pkt, 1, 1, 20); /* 32 bytes */
    /* no room for the 10-byte tag */
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, len + 9), ==,
                    SC_DROP_NOSPACE);
    g_assert_cmpuint(len, ==, 32);
    /* a length larger than the buffer is refused before libsrtp sees it */
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, 16), ==,
                    SC_DROP_MALFORMED);
    gsize huge = (gsize)G_MAXINT + 10;
    g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &huge), ==,
                    SC_DROP_MALFORMED);
    gsize tiny = 11;
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &tiny, sizeof(pkt)), ==,
                    SC_DROP_MALFORMED);
    tiny = 21; /* header + less than a tag */
    g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &tiny), ==,
                    SC_DROP_MALFORMED);
    tiny = 7;
    g_assert_cmpint(sc_srtp_session_protect_rtcp(a, pkt, &tiny, sizeof(pkt)),
                    ==, SC_DROP_MALFORMED);
    /* exactly enough room works */
    len = 32;
    g_assert_cmpint(sc_srtp_session_protect(a, pkt, &len, 42), ==, SC_OK);
    g_assert_cmpuint(len, ==, 42);
    g_assert_cmpint(sc_srtp_session_unprotect(b, pkt, &len), ==, SC_OK);
    g_assert_cmpuint(len, ==, 32);
    sc_srtp_session_free(a);
    sc_srtp_session_free(b);
}

static void
test_bad_keys(void)
{
    g_autoptr(GError) error = NULL;
    ScSrtpKeys k;
    memset(&k, 0, sizeof(k));
    k.profile = SC_SRTP_PROFILE_NONE;
    k.key_salt_len = 30;
    g_assert_null(sc_srtp_session_new(&k, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
    g_clear_error(&error);
    k.profile = SC_SRTP_PROFILE_AEAD_AES_128_GCM;
    k.key_salt_len = 30; /* GCM wants 28 */
    g_assert_null(sc_srtp_session_new(&k, &error));
    g_assert_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT);
}

static void
test_names(void)
{
    g_assert_cmpstr(
        sc_srtp_profile_to_string(SC_SRTP_PROFILE_AES128_CM_SHA1_80), ==,
        "SRTP_AES128_CM_SHA1_80");
    g_assert_cmpstr(
        sc_srtp_profile_to_string(SC_SRTP_PROFILE_AEAD_AES_128_GCM), ==,
        "SRTP_AEAD_AES_128_GCM");
    g_assert_cmpstr(
        sc_srtp_profile_describe(SC_SRTP_PROFILE_AES128_CM_SHA1_80), ==,
        "AES-128-CM / HMAC-SHA1-80");
    g_assert_cmpstr(sc_srtp_profile_describe(SC_SRTP_PROFILE_AEAD_AES_128_GCM),
                    ==, "AES-128-GCM");
    g_assert_cmpstr(sc_srtp_profile_to_string(SC_SRTP_PROFILE_NONE), ==,
                    "NONE");
    g_assert_cmpstr(sc_srtp_profile_to_string((ScSrtpProfile)0x42), ==,
                    "unknown");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    sc_srtp_global_ref();
    g_test_add_data_func("/srtp/vector/aes-cm-128-hmac-sha1-80", &vectors[0],
                         test_known_answer);
    g_test_add_data_func("/srtp/vector/aead-aes-128-gcm", &vectors[1],
                         test_known_answer);
    g_test_add_data_func(
        "/srtp/session/pair-aes-cm",
        GINT_TO_POINTER(SC_SRTP_PROFILE_AES128_CM_SHA1_80), test_pair);
    g_test_add_data_func("/srtp/session/pair-gcm",
                         GINT_TO_POINTER(SC_SRTP_PROFILE_AEAD_AES_128_GCM),
                         test_pair);
    g_test_add_func("/srtp/session/lengths", test_lengths);
    g_test_add_func("/srtp/session/forget-ssrc", test_forget_ssrc);
    g_test_add_func("/srtp/session/bad-keys", test_bad_keys);
    g_test_add_func("/srtp/profile/names", test_names);
    int ret = g_test_run();
    sc_srtp_global_unref();
    return ret;
}
