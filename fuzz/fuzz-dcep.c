/* fuzz/fuzz-dcep.c - DCEP frames (RFC 8832). Property: every frame that
 * parses serialises back to the same bytes, up to the declared lengths
 * (trailing bytes are ignored by the parser), with the lengths that
 * sc_dcep_open_text_lengths() reads from the header; ACK detection never
 * crashes.
 * Links the pure codec (src/sctp/dcep.c) and core only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>

#include "sctp/dcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ScDcepOpen o;
    guint8 *built;
    gsize built_len = 0;
    gsize label_len = 0, protocol_len = 0;
    gboolean has_header;

    (void)sc_dcep_is_ack(data, size);
    has_header = sc_dcep_open_text_lengths(data, size, &label_len,
                                           &protocol_len);
    if (sc_dcep_parse_open(data, size, &o) != SC_OK) {
        g_assert(o.label == NULL && o.protocol == NULL);
        return 0;
    }
    g_assert(o.label != NULL && o.protocol != NULL);
    g_assert(has_header && label_len == o.label_len &&
             protocol_len == o.protocol_len);
    g_assert(strlen(o.label) == o.label_len);
    g_assert(strlen(o.protocol) == o.protocol_len);
    g_assert(sc_dcep_channel_type_is_valid(o.channel_type));
    built = sc_dcep_build_open(&o, &built_len);
    g_assert(built != NULL);
    g_assert(built_len == SC_DCEP_OPEN_HEADER_LEN + o.label_len + o.protocol_len);
    g_assert(built_len <= size);
    g_assert(memcmp(built, data, built_len) == 0);
    g_free(built);
    sc_dcep_open_clear(&o);
    return 0;
}
