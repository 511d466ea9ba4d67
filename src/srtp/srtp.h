/* src/srtp - SRTP/SRTCP sessions keyed by DTLS-SRTP (RFC 3711, RFC 5764,
 * RFC 7714), on top of libsrtp2.
 *
 * One ScSrtpSession protects everything we send with the local key and
 * unprotects everything we receive with the remote key (any SSRC). Per packet
 * calls never allocate and return ScStatus (STYLE C5.4); they work in place.
 * A session belongs to one thread at a time (libsrtp is not thread-safe per
 * session); different sessions may be used from different threads.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SRTP_H
#define SC_SRTP_H

#include "core/core.h"

G_BEGIN_DECLS

/* DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2); the
 * values are the IANA code points. */
typedef enum {
    SC_SRTP_PROFILE_NONE = 0,
    SC_SRTP_PROFILE_AES128_CM_SHA1_80 = 0x0001,
    SC_SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,
} ScSrtpProfile;

/* Largest master key + master salt we handle (AES-256-GCM: 32 + 12 = 44;
 * 46 leaves room for AES-256-CM's 32 + 14). */
#define SC_SRTP_MAX_KEY_SALT 46

/* Master key || master salt per direction. Holds secrets: wipe it with
 * sc_secure_wipe(keys, sizeof *keys) as soon as the session is created. */
typedef struct {
    ScSrtpProfile profile;
    gsize key_salt_len; /* 30 for AES128_CM_SHA1_80, 28 for AEAD_AES_128_GCM */
    guint8 local[SC_SRTP_MAX_KEY_SALT];  /* protects what we send */
    guint8 remote[SC_SRTP_MAX_KEY_SALT]; /* checks what we receive */
} ScSrtpKeys;

/* Master key and salt lengths of @p in bytes; FALSE for an unknown
 * profile. */
gboolean sc_srtp_profile_get_lengths(ScSrtpProfile p, gsize *key_len,
                                     gsize *salt_len);

/* OpenSSL's names ("SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM"),
 * "NONE", or "unknown". Static strings. */
const char *sc_srtp_profile_to_string(ScSrtpProfile p);
/* Human description: "AES-128-CM / HMAC-SHA1-80", "AES-128-GCM". */
const char *sc_srtp_profile_describe(ScSrtpProfile p);

/* libsrtp2's global state: srtp_init() on the first ref, srtp_shutdown() on
 * the last unref; also routes libsrtp's log into ours (module "srtp").
 * Thread-safe. Sessions hold a reference of their own, so calling these is
 * only needed to keep libsrtp initialised between sessions. */
void sc_srtp_global_ref(void);
void sc_srtp_global_unref(void);

typedef struct ScSrtpSession ScSrtpSession;

/* Creates a session: outbound policy with @keys->local (ssrc_any_outbound),
 * inbound with @keys->remote (ssrc_any_inbound), replay protection on
 * (window 1024), no repeated transmissions, never a NULL cipher or NULL
 * authentication. @keys is copied into libsrtp; the caller still wipes its
 * copy. Errors: %SC_ERROR_INVALID_ARGUMENT (unknown profile or a key length
 * that does not match it), %SC_ERROR_INTERNAL (libsrtp failure).
 * (transfer full): sc_srtp_session_free(). */
ScSrtpSession *sc_srtp_session_new(const ScSrtpKeys *keys, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Bytes protect() / protect_rtcp() append to a packet (auth tag, and for
 * SRTCP the E-flag/index word). */
gsize sc_srtp_session_get_rtp_overhead(ScSrtpSession *s);
gsize sc_srtp_session_get_rtcp_overhead(ScSrtpSession *s);

/* Protects the RTP packet of *@len bytes in @pkt (a buffer of @capacity
 * bytes) in place and updates *@len. SC_DROP_NOSPACE when @capacity cannot
 * hold the tag, SC_DROP_MALFORMED for a packet libsrtp refuses (too short,
 * bad header), SC_DROP_STATE if the key is exhausted. */
ScStatus sc_srtp_session_protect(ScSrtpSession *s, guint8 *pkt, gsize *len,
                                 gsize capacity) G_GNUC_WARN_UNUSED_RESULT;
ScStatus sc_srtp_session_protect_rtcp(ScSrtpSession *s, guint8 *pkt,
                                      gsize *len, gsize capacity)
    G_GNUC_WARN_UNUSED_RESULT;

/* Checks and decrypts in place; *@len shrinks on success. SC_DROP_AUTH for
 * a forged or corrupted packet, SC_DROP_REPLAY for a replayed or too old
 * one, SC_DROP_MALFORMED otherwise. On failure @pkt may be partly
 * modified. */
ScStatus sc_srtp_session_unprotect(ScSrtpSession *s, guint8 *pkt, gsize *len)
    G_GNUC_WARN_UNUSED_RESULT;
ScStatus sc_srtp_session_unprotect_rtcp(ScSrtpSession *s, guint8 *pkt,
                                        gsize *len) G_GNUC_WARN_UNUSED_RESULT;

/* libsrtp keeps a receive stream (keys, replay window) for every SSRC
 * whose packet authenticated, without limit. Forgets the one of @ssrc
 * (host order), which the caller's media layer refused: its next packet
 * starts a fresh one (and a fresh replay window, so never forget an SSRC
 * still in use). No-op when there is none. */
void sc_srtp_session_forget_ssrc(ScSrtpSession *s, guint32 ssrc);

/* TRUE when libsrtp keeps a receive stream for @ssrc (tests). */
gboolean sc_srtp_session_has_ssrc(ScSrtpSession *s, guint32 ssrc);

typedef struct {
    guint64 protected_rtp;
    guint64 protected_rtcp;
    guint64 unprotected_rtp;
    guint64 unprotected_rtcp;
    guint64 auth_failed;
    guint64 replayed;
    guint64 malformed; /* includes no-space and any other libsrtp failure */
} ScSrtpStats;

void sc_srtp_session_get_stats(ScSrtpSession *s, ScSrtpStats *out);
ScSrtpProfile sc_srtp_session_get_profile(ScSrtpSession *s);

void sc_srtp_session_free(ScSrtpSession *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScSrtpSession, sc_srtp_session_free)

G_END_DECLS

#endif /* SC_SRTP_H */
