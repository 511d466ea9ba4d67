/* src/media/demux.h - RFC 7983 first-byte demultiplexing (pure).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_DEMUX_H
#define SC_DEMUX_H

#include "core/core.h"

G_BEGIN_DECLS

typedef enum {
    SC_PACKET_UNKNOWN,
    SC_PACKET_STUN,
    SC_PACKET_ZRTP,
    SC_PACKET_DTLS,
    SC_PACKET_TURN_CHANNEL,
    SC_PACKET_RTP,
    SC_PACKET_RTCP,
} ScPacketKind;

/* RFC 7983 §7; RTP vs RTCP by payload type 192-223 (RFC 5761 §4). */
ScPacketKind sc_demux_classify(const guint8 *buf, gsize len);

/* What a call does with one datagram ICE hands it. STUN that libnice did not
 * consume, ZRTP, TURN channel data and unknown first bytes are ignored; SRTP
 * and SRTCP longer than @srtp_max (the caller's unprotect buffer) are
 * dropped unread. */
typedef enum {
    SC_INGRESS_IGNORE,
    SC_INGRESS_DTLS,      /* to the DTLS transport (which starts as server
                           * if the role is still open) */
    SC_INGRESS_SRTP,      /* unprotect as SRTP, then the media */
    SC_INGRESS_SRTCP,     /* unprotect as SRTCP, then the media */
    SC_INGRESS_SRTP_TOO_BIG,
} ScIngress;

ScIngress sc_demux_ingress(const guint8 *buf, gsize len, gsize srtp_max);

G_END_DECLS

#endif
