/* src/ice/consent-turn.h - consent responses on a relayed pair: what
 * consent-watch.c needs to see them inside TURN (RFC 8656) before libnice
 * does. Used by src/ice/ only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_ICE_CONSENT_TURN_H
#define SC_ICE_CONSENT_TURN_H

#include "core/core.h"

#include <gio/gio.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/* How the selected pair's datagrams reach the watched socket. */
typedef enum {
    SC_CONSENT_PATH_DIRECT,   /* UDP from the remote candidate itself */
    SC_CONSENT_PATH_TURN_UDP, /* TURN over UDP: ChannelData or Data
                               * indications from the TURN server */
    SC_CONSENT_PATH_TURN_TCP, /* TURN over TCP (and turns:, in the clear
                               * between libnice and turn-tls.c): the same,
                               * framed in a byte stream (RFC 8656 §12.5) */
} ScConsentPath;

/* TRUE if @a and @b (of length @b_len) are the same IP address and port. */
gboolean sc_consent_same_address(const struct sockaddr_storage *a,
                                 const struct sockaddr *b, socklen_t b_len);

/* One message from a TURN server (@buf, @len: a whole datagram, or one
 * frame of the stream): a ChannelData message (any channel: which peer a
 * channel is bound to is libnice's secret) or a Data indication whose
 * XOR-PEER-ADDRESS is @peer. Sets @inner/@inner_len to what the peer
 * sent (pointing into @buf) and returns TRUE; FALSE for anything else. */
gboolean sc_consent_turn_unwrap(const guint8 *buf, gsize len,
                                const struct sockaddr_storage *peer,
                                const guint8 **inner, gsize *inner_len);

/* The length of the frame at the start of @buf in a TURN-over-TCP
 * stream (STUN: 20 + its length; ChannelData: 4 + its length, padded to
 * 4 bytes), 0 if @len is too short to tell, -1 if @buf does not start
 * with a frame (the stream is not where we think it is). */
gssize sc_consent_turn_frame_len(const guint8 *buf, gsize len);

/* TRUE if the STUN message @buf carries an XOR-MAPPED-ADDRESS equal to
 * @addr: a Binding response to a check sent from @addr. */
gboolean sc_consent_stun_mapped_is(const guint8 *buf, gsize len,
                                   const struct sockaddr_storage *addr);

/* libnice's socket under a relay candidate whose base address is @base
 * (nice_agent_get_selected_socket() gives none for relayed pairs), found
 * among our own descriptors (/proc/self/fd): the UDP socket bound to
 * @base (libnice's TURN-over-UDP socket is the host candidate's), else
 * the TCP connection to one of @tcp_servers (@n_tcp of them; libnice
 * gives a TCP relay the base address of its host candidate, port 0):
 * the only one, or the only one from @base's IP address. A new GSocket
 * on a duplicate of the descriptor (the same socket: it stays open, even
 * if libnice closes its descriptor, until the result is freed), @path
 * set; NULL if none or more than one fits. */
GSocket *sc_consent_turn_find_socket(const struct sockaddr_storage *base,
                                     const struct sockaddr_storage *tcp_servers,
                                     guint n_tcp, ScConsentPath *path);

G_END_DECLS

#endif
