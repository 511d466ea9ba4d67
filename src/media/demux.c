/* src/media/demux.c - RFC 7983 §7 first-byte demultiplexing of one ICE
 * component shared by STUN, DTLS and SRTP/SRTCP, and RFC 5761 §4 RTP/RTCP
 * separation by the second byte. Pure: no I/O, no state.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"

ScPacketKind
sc_demux_classify(const guint8 *buf, gsize len)
{
    if (buf == NULL || len == 0)
        return SC_PACKET_UNKNOWN;
    guint8 b = buf[0];
    if (b <= 3)
        return SC_PACKET_STUN;
    if (b >= 16 && b <= 19)
        return SC_PACKET_ZRTP;
    if (b >= 20 && b <= 63)
        return SC_PACKET_DTLS;
    if (b >= 64 && b <= 79)
        return SC_PACKET_TURN_CHANNEL;
    if (b >= 128 && b <= 191) {
        if (len < 2)
            return SC_PACKET_UNKNOWN;
        guint8 pt = buf[1] & 0x7f;
        /* RTCP packet types 192-223 appear as 64-95 with the marker bit */
        if (pt >= 64 && pt <= 95)
            return SC_PACKET_RTCP;
        return SC_PACKET_RTP;
    }
    return SC_PACKET_UNKNOWN;
}

ScIngress
sc_demux_ingress(const guint8 *buf, gsize len, gsize srtp_max)
{
    switch (sc_demux_classify(buf, len)) {
    case SC_PACKET_DTLS:
        return SC_INGRESS_DTLS;
    case SC_PACKET_RTP:
        return len > srtp_max ? SC_INGRESS_SRTP_TOO_BIG : SC_INGRESS_SRTP;
    case SC_PACKET_RTCP:
        return len > srtp_max ? SC_INGRESS_SRTP_TOO_BIG : SC_INGRESS_SRTCP;
    default:
        return SC_INGRESS_IGNORE;
    }
}
