/* src/media/ssrc-guard.h - which of the peer's SSRCs an RTP session
 * accepts, and the filtering of received clear RTCP down to what concerns
 * accepted SSRCs (pure: no I/O, no allocation; the caller keeps the state).
 *
 * rtpbin keeps a source (and for RTP a jitter buffer with its own thread)
 * for every SSRC a peer mentions, in RTP (sender and CSRCs) or RTCP (SR,
 * RR, SDES chunks), without limit, and each statistics read walks them
 * all. A peer that holds valid SRTP keys can name as many SSRCs as it
 * sends packets, so each RTP session (one per m-section) accepts only:
 *  - the SSRCs the peer signalled in the section's a=ssrc lines (RFC 5576;
 *    RTX and FEC included, at most SC_SSRC_GUARD_SIGNALLED_MAX), and
 *  - at most SC_SSRC_GUARD_LEARN_MAX others, learned first come first
 *    served: from RTP of the section's payload type when the peer
 *    signalled no SSRC there (pipeline.c), or from an SR/RR whose report
 *    block is about our SSRC of the session (a receive-only peer's
 *    reporting SSRC, which it never signals: Chromium uses 1). A
 *    learned SSRC not seen for SC_SSRC_GUARD_IDLE_US frees its place,
 *    long after rtpbin timed out its source.
 * Our own SSRC is never accepted from the peer (a loop or a collision,
 * RFC 3550 §8.2). Everything else is dropped before rtpbin, and counted.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SSRC_GUARD_H
#define SC_SSRC_GUARD_H

#include "core/core.h"

G_BEGIN_DECLS

#define SC_SSRC_GUARD_SIGNALLED_MAX 32
#define SC_SSRC_GUARD_LEARN_MAX 4
#define SC_SSRC_GUARD_IDLE_US (60 * G_USEC_PER_SEC)

typedef struct {
    guint32 ssrc;
    gint64 seen_us;
} ScSsrcLearned;

/* One RTP session's view of the peer's SSRCs. Zero-initialise, then set
 * @have, @local and the signalled list (sc_ssrc_guard_set_signalled()). */
typedef struct {
    gboolean have;
    guint32 local;  /* our SSRC in this session */
    guint32 signalled[SC_SSRC_GUARD_SIGNALLED_MAX];
    guint n_signalled;
    ScSsrcLearned learned[SC_SSRC_GUARD_LEARN_MAX];
    guint n_learned;
} ScSsrcGuard;

/* Copies at most SC_SSRC_GUARD_SIGNALLED_MAX of @ssrcs (our own @g->local
 * and duplicates left out). */
void sc_ssrc_guard_set_signalled(ScSsrcGuard *g, const guint32 *ssrcs,
                                 guint n);

/* TRUE when @ssrc is the peer's and accepted by @g (signalled, or learned
 * and not idle at @now_us; a learned one's last sighting is refreshed).
 * With @may_learn, an SSRC not yet accepted is learned while there is
 * room. */
gboolean sc_ssrc_guard_accept(ScSsrcGuard *g, guint32 ssrc,
                              gboolean may_learn, gint64 now_us);

/* TRUE when @ssrc is one of the peer's SSRCs that @g accepts, without
 * learning or refreshing anything. */
gboolean sc_ssrc_guard_knows(const ScSsrcGuard *g, guint32 ssrc,
                             gint64 now_us);

/* First pass over a checked RTCP compound (sc_rtcp_view_check()): for each
 * SR/RR whose sender no session accepts, learns it into the sessions of
 * @guards (@n at most 32) whose SSRC one of its report blocks is about.
 * Returns how many parts (SR/RR, report blocks, SDES chunks, BYE SSRCs,
 * feedback, APP/XR/other packets) no session will receive: the caller's
 * drop count. */
guint sc_ssrc_guard_rtcp_learn(ScSsrcGuard *guards, guint n,
                               const guint8 *buf, gsize len, gint64 now_us);

/* Second pass, per session: writes to @out (at least @len bytes) the
 * compound that session @idx receives: its accepted senders' SR/RR with
 * only the report blocks about our SSRC of that session, SDES chunks and
 * BYE SSRCs it accepts, and transport/payload-specific feedback about our
 * SSRC there (or SSRC 0: FIR, REMB, TWCC name theirs inside). APP, XR and
 * unknown packets are left out. Returns the length written, 0 when
 * nothing concerns session @idx. */
gsize sc_ssrc_guard_rtcp_filter(const ScSsrcGuard *guards, guint n,
                                guint idx, const guint8 *buf, gsize len,
                                gint64 now_us, guint8 *out);

G_END_DECLS

#endif /* SC_SSRC_GUARD_H */
