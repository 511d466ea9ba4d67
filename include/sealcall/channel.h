/* sealcall - data channels (RFC 8831, DCEP RFC 8832).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CHANNEL_H
#define SC_CHANNEL_H

#include <sealcall/types.h>

G_BEGIN_DECLS

/**
 * sc_channel_ref:
 * Returns: (transfer full): @channel with one more reference.
 * Since: 0.1
 */
SC_API ScChannel *sc_channel_ref(ScChannel *channel);

/**
 * sc_channel_unref:
 * Drops a reference. The channel stays open while its call holds it; the
 * call holds it until it closes (peer-opened channels included), then
 * only the references taken with sc_channel_ref() keep the object.
 * Since: 0.1
 */
SC_API void sc_channel_unref(ScChannel *channel);

/**
 * sc_channel_get_label:
 * Returns: (transfer none): the channel's label, valid while @channel lives.
 * Since: 0.1
 */
SC_API const char *sc_channel_get_label(ScChannel *channel);

/**
 * sc_channel_get_id:
 * Returns: the SCTP stream id, or -1 before it is assigned.
 * Since: 0.1
 */
SC_API int sc_channel_get_id(ScChannel *channel);

/**
 * sc_channel_is_open:
 * Returns: %TRUE once the channel is open and until it closes.
 * Since: 0.1
 */
SC_API gboolean sc_channel_is_open(ScChannel *channel);

/**
 * sc_channel_send:
 * @channel: an open channel
 * @binary: %TRUE for a binary message, %FALSE for UTF-8 text
 * @data: (array length=len) (transfer none) (nullable): the message; may be
 *   empty
 * @len: its length, at most the peer's max-message-size
 * @error: return location for a #GError, or %NULL
 *
 * Queues one message. Queued bytes count in sc_channel_get_buffered_amount()
 * until SCTP hands them to DTLS; senders that care about memory wait for
 * the buffered-amount-low event before sending more.
 *
 * Errors: %SC_ERROR_INVALID_STATE when the channel is not open,
 * %SC_ERROR_INVALID_ARGUMENT for text that is not UTF-8 or a message larger
 * than the peer accepts, %SC_ERROR_SCTP_FAILED when SCTP refuses it.
 *
 * Returns: %TRUE when queued.
 * Since: 0.1
 */
SC_API gboolean sc_channel_send(ScChannel *channel, gboolean binary,
                                const guint8 *data, gsize len,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * sc_channel_get_buffered_amount:
 * Returns: bytes queued on this channel and not yet handed to the network.
 * Since: 0.1
 */
SC_API gsize sc_channel_get_buffered_amount(ScChannel *channel);

/**
 * sc_channel_close:
 * Closes the channel by resetting its outgoing stream (RFC 8831 §6.7).
 * The call drops its reference when the channel's `closed` event comes,
 * or before this returns for a channel that was not open yet: a caller
 * that keeps using @channel must hold its own reference (sc_channel_ref()).
 * Since: 0.1
 */
SC_API void sc_channel_close(ScChannel *channel);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScChannel, sc_channel_unref)

G_END_DECLS

#endif /* SC_CHANNEL_H */
