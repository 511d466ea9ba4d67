/* fuzz/fuzz-demux.c - RFC 7983 first-byte demultiplexing of every inbound
 * datagram. Property: the class depends only on the first two bytes and
 * follows the RFC 7983 §7 ranges.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media/demux.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ScPacketKind k = sc_demux_classify(data, size);

    if (size == 0) {
        g_assert_cmpint(k, ==, SC_PACKET_UNKNOWN);
        return 0;
    }
    /* the class must not depend on bytes after the second */
    g_assert_cmpint(k, ==, sc_demux_classify(data, size < 2 ? size : 2));
    switch (k) {
    case SC_PACKET_STUN:
        g_assert_cmpuint(data[0], <=, 3);
        break;
    case SC_PACKET_DTLS:
        g_assert_true(data[0] >= 20 && data[0] <= 63);
        break;
    case SC_PACKET_RTP:
    case SC_PACKET_RTCP:
        g_assert_true(data[0] >= 128 && data[0] <= 191);
        break;
    default:
        break;
    }
    return 0;
}
