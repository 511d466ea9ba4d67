/* src/srtp/srtp-session.c - SRTP/SRTCP (RFC 3711) with the DTLS-SRTP
 * profiles SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2) and
 * SRTP_AEAD_AES_128_GCM (RFC 7714), on libsrtp2.
 * libsrtp2 takes `int *len` and writes the tag past the end of the packet
 * without knowing the buffer size: every length is range-checked here
 * (STYLE D4), and its status codes become ScStatus at this boundary.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "srtp"
#include "core/core.h"
#include "srtp/srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

#define RTP_MIN_HEADER 12
#define RTCP_MIN_HEADER 8
#define SRTCP_INDEX_LEN 4 /* E flag + 31-bit SRTCP index */
#define REPLAY_WINDOW 1024

/* Two libsrtp sessions, one per direction: in one srtp_t an inbound packet
 * whose SSRC we also send with would be checked with our outbound stream
 * (libsrtp keys streams by SSRC only); separate contexts make reflected or
 * colliding SSRCs fail authentication instead. */
struct ScSrtpSession {
    srtp_t tx;
    srtp_t rx;
    ScSrtpProfile profile;
    gsize rtp_overhead;
    gsize rtcp_overhead;
    ScSrtpStats stats;
    guint secret_ids[4];   /* keys and salts, kept out of logs */
};

/* ---- profiles ---- */

typedef struct {
    ScSrtpProfile profile;
    const char *name;
    const char *description;
    gsize key_len;
    gsize salt_len;
    gsize tag_len;
} ProfileInfo;

static const ProfileInfo profiles[] = {
    {SC_SRTP_PROFILE_AES128_CM_SHA1_80, "SRTP_AES128_CM_SHA1_80",
     "AES-128-CM / HMAC-SHA1-80", 16, 14, 10},
    {SC_SRTP_PROFILE_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM", "AES-128-GCM",
     16, 12, 16},
};

static const ProfileInfo *
profile_info(ScSrtpProfile p)
{
    for (gsize i = 0; i < G_N_ELEMENTS(profiles); i++)
        if (profiles[i].profile == p)
            return &profiles[i];
    return NULL;
}

gboolean
sc_srtp_profile_get_lengths(ScSrtpProfile p, gsize *key_len, gsize *salt_len)
{
    const ProfileInfo *info = profile_info(p);
    if (info == NULL)
        return FALSE;
    if (key_len != NULL)
        *key_len = info->key_len;
    if (salt_len != NULL)
        *salt_len = info->salt_len;
    return TRUE;
}

const char *
sc_srtp_profile_to_string(ScSrtpProfile p)
{
    if (p == SC_SRTP_PROFILE_NONE)
        return "NONE";
    const ProfileInfo *info = profile_info(p);
    return info != NULL ? info->name : "unknown";
}

const char *
sc_srtp_profile_describe(ScSrtpProfile p)
{
    if (p == SC_SRTP_PROFILE_NONE)
        return "none";
    const ProfileInfo *info = profile_info(p);
    return info != NULL ? info->description : "unknown";
}

/* ---- global libsrtp state ---- */

static GMutex global_lock;
static guint global_refs;

static void
on_srtp_log(srtp_log_level_t level, const char *msg, void *data)
{
    (void)data;
    switch (level) {
    case srtp_log_level_error:
        SC_LOG_ERROR(NULL, "libsrtp: %s", msg);
        break;
    case srtp_log_level_warning:
        SC_LOG_WARN(NULL, "libsrtp: %s", msg);
        break;
    case srtp_log_level_info:
        SC_LOG_DEBUG(NULL, "libsrtp: %s", msg);
        break;
    case srtp_log_level_debug:
    default:
        SC_LOG_TRACE(NULL, "libsrtp: %s", msg);
        break;
    }
}

void
sc_srtp_global_ref(void)
{
    g_mutex_lock(&global_lock);
    if (global_refs++ == 0) {
        srtp_err_status_t err = srtp_init();
        if (err != srtp_err_status_ok)
            g_error("srtp_init failed (libsrtp status %d)", (int)err);
        (void)srtp_install_log_handler(on_srtp_log, NULL);
    }
    g_mutex_unlock(&global_lock);
}

void
sc_srtp_global_unref(void)
{
    g_mutex_lock(&global_lock);
    if (global_refs == 0) {
        g_mutex_unlock(&global_lock);
        g_return_if_reached();
    }
    if (--global_refs == 0) {
        (void)srtp_install_log_handler(NULL, NULL);
        (void)srtp_shutdown();
    }
    g_mutex_unlock(&global_lock);
}

/* ---- sessions ---- */

static gboolean
set_crypto_policy(ScSrtpProfile p, srtp_crypto_policy_t *rtp,
                  srtp_crypto_policy_t *rtcp)
{
    switch (p) {
    case SC_SRTP_PROFILE_AES128_CM_SHA1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
        return TRUE;
    case SC_SRTP_PROFILE_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
        return TRUE;
    case SC_SRTP_PROFILE_NONE:
    default:
        return FALSE;
    }
}

ScSrtpSession *
sc_srtp_session_new(const ScSrtpKeys *keys, GError **error)
{
    g_return_val_if_fail(keys != NULL, NULL);

    const ProfileInfo *info = profile_info(keys->profile);
    if (info == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "unsupported SRTP profile 0x%04x", (guint)keys->profile);
        return NULL;
    }
    if (keys->key_salt_len != info->key_len + info->salt_len ||
        keys->key_salt_len > SC_SRTP_MAX_KEY_SALT) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "%s needs %" G_GSIZE_FORMAT
                    " bytes of key and salt, got %" G_GSIZE_FORMAT,
                    info->name, info->key_len + info->salt_len,
                    keys->key_salt_len);
        return NULL;
    }

    /* libsrtp copies the keys during srtp_create(); our copies live on the
     * stack only for this call and are wiped before returning. */
    guint8 tx_key[SC_SRTP_MAX_KEY_SALT];
    guint8 rx_key[SC_SRTP_MAX_KEY_SALT];
    memcpy(tx_key, keys->local, keys->key_salt_len);
    memcpy(rx_key, keys->remote, keys->key_salt_len);

    srtp_policy_t tx, rx;
    memset(&tx, 0, sizeof(tx));
    memset(&rx, 0, sizeof(rx));
    (void)set_crypto_policy(keys->profile, &tx.rtp, &tx.rtcp);
    (void)set_crypto_policy(keys->profile, &rx.rtp, &rx.rtcp);
    tx.ssrc.type = ssrc_any_outbound;
    tx.key = tx_key;
    tx.window_size = REPLAY_WINDOW;
    tx.allow_repeat_tx = 0;
    tx.next = NULL;
    rx.ssrc.type = ssrc_any_inbound;
    rx.key = rx_key;
    rx.window_size = REPLAY_WINDOW;
    rx.allow_repeat_tx = 0;
    rx.next = NULL;

    sc_srtp_global_ref();
    ScSrtpSession *s = g_new0(ScSrtpSession, 1);
    srtp_err_status_t err = srtp_create(&s->tx, &tx);
    if (err == srtp_err_status_ok) {
        err = srtp_create(&s->rx, &rx);
        if (err != srtp_err_status_ok)
            (void)srtp_dealloc(s->tx);
    }
    sc_secure_wipe(tx_key, sizeof(tx_key));
    sc_secure_wipe(rx_key, sizeof(rx_key));
    if (err != srtp_err_status_ok) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                    "srtp_create failed (libsrtp status %d)", (int)err);
        g_free(s);
        sc_srtp_global_unref();
        return NULL;
    }
    /* each key and salt on its own, so that either one alone is caught */
    s->secret_ids[0] = sc_log_secret_add(keys->local, info->key_len);
    s->secret_ids[1] = sc_log_secret_add(keys->local + info->key_len,
                                         info->salt_len);
    s->secret_ids[2] = sc_log_secret_add(keys->remote, info->key_len);
    s->secret_ids[3] = sc_log_secret_add(keys->remote + info->key_len,
                                         info->salt_len);
    s->profile = keys->profile;
    s->rtp_overhead = info->tag_len;
    s->rtcp_overhead = info->tag_len + SRTCP_INDEX_LEN;
    SC_LOG_DEBUG(NULL, "SRTP session %p: %s", (void *)s, info->description);
    return s;
}

gsize
sc_srtp_session_get_rtp_overhead(ScSrtpSession *s)
{
    g_return_val_if_fail(s != NULL, 0);
    return s->rtp_overhead;
}

gsize
sc_srtp_session_get_rtcp_overhead(ScSrtpSession *s)
{
    g_return_val_if_fail(s != NULL, 0);
    return s->rtcp_overhead;
}

ScSrtpProfile
sc_srtp_session_get_profile(ScSrtpSession *s)
{
    g_return_val_if_fail(s != NULL, SC_SRTP_PROFILE_NONE);
    return s->profile;
}

static ScStatus
map_failure(ScSrtpSession *s, srtp_err_status_t err)
{
    switch (err) {
    case srtp_err_status_auth_fail:
        s->stats.auth_failed++;
        return SC_DROP_AUTH;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        s->stats.replayed++;
        return SC_DROP_REPLAY;
    case srtp_err_status_key_expired:
        s->stats.malformed++;
        return SC_DROP_STATE;
    default:
        s->stats.malformed++;
        return SC_DROP_MALFORMED;
    }
}

typedef srtp_err_status_t (*SrtpOp)(srtp_t ctx, void *pkt, int *len);

static srtp_err_status_t
op_protect(srtp_t ctx, void *pkt, int *len)
{
    return srtp_protect(ctx, pkt, len);
}

static srtp_err_status_t
op_protect_rtcp(srtp_t ctx, void *pkt, int *len)
{
    return srtp_protect_rtcp(ctx, pkt, len);
}

static srtp_err_status_t
op_unprotect(srtp_t ctx, void *pkt, int *len)
{
    return srtp_unprotect(ctx, pkt, len);
}

static srtp_err_status_t
op_unprotect_rtcp(srtp_t ctx, void *pkt, int *len)
{
    return srtp_unprotect_rtcp(ctx, pkt, len);
}

static ScStatus
do_protect(ScSrtpSession *s, srtp_t ctx, SrtpOp op, gsize min_len, gsize overhead,
           guint8 *pkt, gsize *len, gsize capacity, guint64 *counter)
{
    if (*len < min_len || *len > capacity) {
        s->stats.malformed++;
        return SC_DROP_MALFORMED;
    }
    /* Room for the trailer, and the result must fit libsrtp's int. */
    if (capacity - *len < overhead || *len + overhead > (gsize)G_MAXINT) {
        s->stats.malformed++;
        return SC_DROP_NOSPACE;
    }
    int n = (int)*len;
    srtp_err_status_t err = op(ctx, pkt, &n);
    if (err != srtp_err_status_ok)
        return map_failure(s, err);
    if (n < (int)*len || (gsize)n > *len + overhead) {
        /* libsrtp wrote more than it promised: never let that pass. */
        g_error("libsrtp grew a packet from %" G_GSIZE_FORMAT " to %d bytes",
                *len, n);
    }
    *len = (gsize)n;
    (*counter)++;
    return SC_OK;
}

static ScStatus
do_unprotect(ScSrtpSession *s, srtp_t ctx, SrtpOp op, gsize min_len, guint8 *pkt,
             gsize *len, guint64 *counter)
{
    if (*len < min_len || *len > (gsize)G_MAXINT) {
        s->stats.malformed++;
        return SC_DROP_MALFORMED;
    }
    int n = (int)*len;
    srtp_err_status_t err = op(ctx, pkt, &n);
    if (err != srtp_err_status_ok)
        return map_failure(s, err);
    if (n < 0 || (gsize)n > *len) {
        s->stats.malformed++;
        return SC_DROP_MALFORMED;
    }
    *len = (gsize)n;
    (*counter)++;
    return SC_OK;
}

ScStatus
sc_srtp_session_protect(ScSrtpSession *s, guint8 *pkt, gsize *len,
                        gsize capacity)
{
    g_return_val_if_fail(s != NULL && pkt != NULL && len != NULL,
                         SC_DROP_MALFORMED);
    return do_protect(s, s->tx, op_protect, RTP_MIN_HEADER, s->rtp_overhead, pkt,
                      len, capacity, &s->stats.protected_rtp);
}

ScStatus
sc_srtp_session_protect_rtcp(ScSrtpSession *s, guint8 *pkt, gsize *len,
                             gsize capacity)
{
    g_return_val_if_fail(s != NULL && pkt != NULL && len != NULL,
                         SC_DROP_MALFORMED);
    return do_protect(s, s->tx, op_protect_rtcp, RTCP_MIN_HEADER, s->rtcp_overhead,
                      pkt, len, capacity, &s->stats.protected_rtcp);
}

ScStatus
sc_srtp_session_unprotect(ScSrtpSession *s, guint8 *pkt, gsize *len)
{
    g_return_val_if_fail(s != NULL && pkt != NULL && len != NULL,
                         SC_DROP_MALFORMED);
    return do_unprotect(s, s->rx, op_unprotect, RTP_MIN_HEADER + s->rtp_overhead,
                        pkt, len, &s->stats.unprotected_rtp);
}

ScStatus
sc_srtp_session_unprotect_rtcp(ScSrtpSession *s, guint8 *pkt, gsize *len)
{
    g_return_val_if_fail(s != NULL && pkt != NULL && len != NULL,
                         SC_DROP_MALFORMED);
    return do_unprotect(s, s->rx, op_unprotect_rtcp,
                        RTCP_MIN_HEADER + s->rtcp_overhead, pkt, len,
                        &s->stats.unprotected_rtcp);
}

void
sc_srtp_session_get_stats(ScSrtpSession *s, ScSrtpStats *out)
{
    g_return_if_fail(s != NULL && out != NULL);
    *out = s->stats;
}

void
sc_srtp_session_forget_ssrc(ScSrtpSession *s, guint32 ssrc)
{
    g_return_if_fail(s != NULL);
    /* libsrtp takes the SSRC in network order */
    (void)srtp_remove_stream(s->rx, g_htonl(ssrc));
}

gboolean
sc_srtp_session_has_ssrc(ScSrtpSession *s, guint32 ssrc)
{
    uint32_t roc = 0;

    g_return_val_if_fail(s != NULL, FALSE);
    /* host order here (libsrtp's srtp_get_stream_roc() converts) */
    return srtp_get_stream_roc(s->rx, ssrc, &roc) == srtp_err_status_ok;
}

void
sc_srtp_session_free(ScSrtpSession *s)
{
    if (s == NULL)
        return;
    (void)srtp_dealloc(s->tx);
    (void)srtp_dealloc(s->rx);
    for (guint i = 0; i < G_N_ELEMENTS(s->secret_ids); i++)
        sc_log_secret_remove(s->secret_ids[i]);
    g_free(s);
    sc_srtp_global_unref();
}
