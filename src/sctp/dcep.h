/* src/sctp/dcep.h - Data Channel Establishment Protocol codec (RFC 8832).
 * Pure: GLib + core only, no I/O, no globals; fuzzed by fuzz/fuzz-dcep.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SCTP_DCEP_H
#define SC_SCTP_DCEP_H

#include "core/core.h"

G_BEGIN_DECLS

/* SCTP payload protocol identifiers (RFC 8831 section 8, RFC 8832). */
#define SC_PPID_DCEP 50
#define SC_PPID_STRING 51
#define SC_PPID_BINARY_PARTIAL 52 /* deprecated */
#define SC_PPID_BINARY 53
#define SC_PPID_STRING_PARTIAL 54 /* deprecated */
#define SC_PPID_STRING_EMPTY 56
#define SC_PPID_BINARY_EMPTY 57

/* DCEP message types (RFC 8832 section 8.2.1). */
#define SC_DCEP_MSG_ACK 0x02
#define SC_DCEP_MSG_OPEN 0x03

/* Fixed part of DATA_CHANNEL_OPEN, before label and protocol. */
#define SC_DCEP_OPEN_HEADER_LEN 12

/* RFC 8832 section 5.1; the high bit means unordered. */
typedef enum {
    SC_DCEP_RELIABLE = 0x00,
    SC_DCEP_RELIABLE_UNORDERED = 0x80,
    SC_DCEP_PARTIAL_RELIABLE_REXMIT = 0x01,
    SC_DCEP_PARTIAL_RELIABLE_REXMIT_UNORDERED = 0x81,
    SC_DCEP_PARTIAL_RELIABLE_TIMED = 0x02,
    SC_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED = 0x82
} ScDcepChannelType;

#define SC_DCEP_UNORDERED_BIT 0x80

/* A parsed DATA_CHANNEL_OPEN. @label and @protocol are owned, always
 * NUL-terminated copies (never NULL after a successful parse); the
 * lengths are the wire lengths. */
typedef struct {
    ScDcepChannelType channel_type;
    guint16 priority;
    guint32 reliability;
    char *label;
    gsize label_len;
    char *protocol;
    gsize protocol_len;
} ScDcepOpen;

/* Parses a DATA_CHANNEL_OPEN (the whole SCTP user message with PPID 50).
 * Returns SC_OK and fills @out (release with sc_dcep_open_clear()), or
 * SC_DROP_MALFORMED (then @out is zeroed and owns nothing) when the buffer
 * is truncated, the message type is not OPEN, the channel type is reserved
 * or unknown, the declared lengths run past the buffer, or the label or
 * protocol is not UTF-8 or contains a NUL byte. Bytes after the declared
 * protocol are ignored. Labels and protocols up to 65535 bytes are
 * accepted (RFC 8832 section 6.2). */
ScStatus sc_dcep_parse_open(const guint8 *buf, gsize len, ScDcepOpen *out)
    G_GNUC_WARN_UNUSED_RESULT;

/* The label and protocol lengths a DATA_CHANNEL_OPEN declares, read from
 * its fixed header without copying anything, so a receiver can refuse an
 * oversized one before sc_dcep_parse_open() allocates. FALSE when @buf is
 * not an OPEN or is shorter than the header (the lengths are then 0). */
gboolean sc_dcep_open_text_lengths(const guint8 *buf, gsize len,
                                   gsize *label_len, gsize *protocol_len);

/* Frees the strings of @o and zeroes it. Safe on a zeroed struct. */
void sc_dcep_open_clear(ScDcepOpen *o);

/* Serialises @o (label_len/protocol_len bytes of label/protocol; NULL
 * strings are allowed with length 0). Returns a g_malloc'd buffer and its
 * length, or NULL if a length exceeds 65535. */
guint8 *sc_dcep_build_open(const ScDcepOpen *o, gsize *len_out)
    G_GNUC_WARN_UNUSED_RESULT;

/* TRUE if @buf is a DATA_CHANNEL_ACK (first byte 0x02). */
gboolean sc_dcep_is_ack(const guint8 *buf, gsize len);

/* TRUE if the first byte is DATA_CHANNEL_OPEN (the frame may still be
 * malformed). */
gboolean sc_dcep_is_open(const guint8 *buf, gsize len);

/* TRUE for the six channel types of RFC 8832 section 5.1. */
gboolean sc_dcep_channel_type_is_valid(guint type);

G_END_DECLS

#endif /* SC_SCTP_DCEP_H */
