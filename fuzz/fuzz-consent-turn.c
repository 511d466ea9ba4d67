/* fuzz/fuzz-consent-turn.c - what the consent watch makes of the bytes a
 * TURN server relays (src/ice/consent-turn.c, consent-watch.c): one
 * datagram (ChannelData, a Data indication, anything) and the same bytes
 * walked as a TURN-over-TCP stream.
 * Properties: what sc_consent_turn_unwrap() returns lies inside the input
 * (ChannelData: right after its 4-byte header, no longer than it says);
 * a frame length is -1, 0 or at least 4 (ChannelData: a multiple of 4;
 * STUN: 20 + its length field); a response authenticates only with the
 * password it was made with (none here but RFC 5769's vector), and the
 * checks never read outside the input (ASan). Links ice and core.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ice/consent-turn.h"
#include "ice/consent-watch.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
look(const guint8 *buf, gsize len, const struct sockaddr_storage *peer)
{
    const guint8 *inner = NULL;
    gsize inner_len = 0;

    if (sc_consent_turn_unwrap(buf, len, peer, &inner, &inner_len)) {
        g_assert_true(inner >= buf && inner_len <= len &&
                      (gsize)(inner - buf) <= len - inner_len);
        if (buf[0] >= 0x40 && buf[0] <= 0x4f) {
            g_assert_true(inner == buf + 4);
            g_assert_cmpuint(inner_len, ==, ((gsize)buf[2] << 8) | buf[3]);
        }
        (void)sc_stun_is_authentic_binding_success(inner, inner_len,
                                                   "fuzz-password");
        (void)sc_consent_stun_mapped_is(inner, inner_len, peer);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exactly @size bytes on the heap: ASan sees any read past them */
    guint8 *buf = g_memdup2(data, size);
    struct sockaddr_storage peer;
    struct sockaddr_in *in = (struct sockaddr_in *)&peer;
    gsize off = 0;

    memset(&peer, 0, sizeof peer);
    in->sin_family = AF_INET;
    in->sin_port = g_htons(40000);
    in->sin_addr.s_addr = g_htonl(0x7f000001);
    look(buf, size, &peer);
    while (off < size) {
        gssize f = sc_consent_turn_frame_len(buf + off, size - off);

        g_assert_true(f == -1 || f == 0 || f >= 4);
        if (f > 0 && buf[off] >= 0x40 && buf[off] <= 0x4f)
            g_assert_cmpint(f % 4, ==, 0);
        else if (f > 0)
            g_assert_cmpint(f, ==,
                            20 + (((gssize)buf[off + 2] << 8) | buf[off + 3]));
        if (f <= 0 || (gsize)f > size - off)
            break;
        look(buf + off, (gsize)f, &peer);
        off += (gsize)f;
    }
    g_free(buf);
    return 0;
}
