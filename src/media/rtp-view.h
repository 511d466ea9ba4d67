/* src/media/rtp-view.h - checks and routing of one received clear RTP or
 * RTCP packet, between SRTP unprotect and the media pipeline (pure: no I/O,
 * no state; the caller passes what it knows about its streams).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_RTP_VIEW_H
#define SC_RTP_VIEW_H

#include "core/core.h"

G_BEGIN_DECLS

/* Smallest and largest clear packet handed to the media (RTCP's smallest
 * is a bare 8-byte header: RFC 5506 reduced size). */
#define SC_RTP_VIEW_MIN_LEN 8
#define SC_RTP_VIEW_MAX_LEN 65535

/* The fixed header of an RTP packet (RFC 3550 §5.1), checked. */
typedef struct {
    guint8 payload_type; /* 0-127 */
    gboolean marker;
    guint16 seq;
    guint32 timestamp;
    guint32 ssrc;
    guint csrc_count;
    gboolean has_extension;
    gsize header_len; /* fixed header + CSRCs + extension (RFC 3550 §5.3.1) */
} ScRtpView;

/* Checks @buf as an RTP packet: version 2, 12 to 65535 bytes, CSRC list and
 * header extension inside the packet. SC_OK and fills @out, or
 * SC_DROP_MALFORMED (then @out is untouched). Padding is left to the
 * depayloader. */
ScStatus sc_rtp_view_parse(const guint8 *buf, gsize len, ScRtpView *out);

/* Checks @buf as RTCP: version 2, 8 to 65535 bytes, and a compound packet
 * (RFC 3550 §6.1) or a reduced-size one (RFC 5506) whose lengths add up
 * (gst_rtcp_buffer_validate_data_reduced). */
gboolean sc_rtcp_view_check(const guint8 *buf, gsize len);

/* What the receiver knows about one of its RTP sessions (one per media kind
 * under BUNDLE). */
typedef struct {
    gboolean have;        /* the session exists */
    gboolean recv;        /* it receives RTP */
    guint8 payload_type;  /* its negotiated payload type */
    guint32 local_ssrc;   /* the SSRC we send with */
    guint32 remote_ssrc;  /* the peer's, from its RTP; 0 before any */
} ScRtpRoute;

/* Index in @routes (@n at most 32) of the receiving session for an RTP
 * packet of payload type @pt: the last one that has, receives and uses @pt;
 * -1 for none. */
gint sc_rtp_route(guint8 pt, const ScRtpRoute *routes, guint n);

/* Bit mask of the sessions in @routes (@n at most 31) that a checked RTCP
 * packet concerns (BUNDLE, RFC 8843 §9.2: by SSRC): its senders' SSRCs we
 * have seen RTP from, report blocks and feedback targets that are our
 * SSRCs, FIR entries, BYE lists. A packet that names no known SSRC goes to
 * every session (all @n bits set), which ignores what is not its own. Never
 * 0 for @n > 0. */
guint sc_rtcp_route(const guint8 *buf, gsize len, const ScRtpRoute *routes,
                    guint n);

G_END_DECLS

#endif /* SC_RTP_VIEW_H */
