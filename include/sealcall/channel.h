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

/**
 * ScChannelFunc:
 * @channel: (transfer none): the channel
 * @user_data: as given with the function
 *
 * A channel's notification (sc_channel_set_state_func(),
 * sc_channel_set_buffered_amount_low_func()). Invoked from the endpoint's
 * main context, never from inside a sc_*() function, and never once the
 * call has ended. It may call the sc_channel_*() and sc_call_*() functions
 * (send, close, hang up) but must not drop the last reference to the call.
 * Since: 0.2
 */
typedef void (*ScChannelFunc)(ScChannel *channel, gpointer user_data);

/**
 * ScChannelMessageFunc:
 * @channel: (transfer none): the channel
 * @binary: %FALSE for a text message (valid UTF-8), %TRUE for a binary
 *   one; a text message that is not valid UTF-8 comes as binary
 * @data: (array length=len) (transfer none) (nullable): the message, valid
 *   only during the call; %NULL when @len is 0
 * @len: its length, at most what we advertise as a=max-message-size
 *   (262144 bytes)
 * @user_data: as given to sc_channel_set_message_func()
 *
 * Receives one whole message, as soon as it is reassembled (not queued as
 * an event). Same rules as #ScChannelFunc.
 * Since: 0.2
 */
typedef void (*ScChannelMessageFunc)(ScChannel *channel, gboolean binary,
                                     const guint8 *data, gsize len,
                                     gpointer user_data);

/**
 * sc_channel_set_message_func:
 * @func: (nullable): receives the channel's messages; %NULL: they become
 *   `message` events again
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): frees @user_data when the function is replaced,
 *   when the channel closes or when the call is freed (at once when @func
 *   is %NULL)
 *
 * While set, the channel's messages go to @func instead of becoming
 * `message` events (a W3C RTCDataChannel's onmessage). The call keeps the
 * function until the channel closes (its `closed` event) and then drops
 * it, as it does its reference to the channel.
 * Since: 0.2
 */
SC_API void sc_channel_set_message_func(ScChannel *channel,
                                        ScChannelMessageFunc func,
                                        gpointer user_data,
                                        GDestroyNotify destroy);

/**
 * sc_channel_get_message_func:
 * @user_data: (out) (optional) (transfer none): the function's user data
 *
 * Returns: (nullable): the function sc_channel_set_message_func() set, or
 *   %NULL (none, or dropped since the channel closed).
 * Since: 0.2
 */
SC_API ScChannelMessageFunc sc_channel_get_message_func(ScChannel *channel,
                                                        gpointer *user_data);

/**
 * sc_channel_set_state_func:
 * @func: (nullable): called when the channel opens and when it closes;
 *   sc_channel_is_open() tells which
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): frees @user_data as for
 *   sc_channel_set_message_func()
 *
 * The W3C onopen and onclose, run as the call learns of them (the
 * `channel` event follows, from the event queue): the open after the
 * messages sent before it are handed to SCTP and before any message of
 * the channel arrives. Not called when the call ends: its channels then
 * close without notice, as without `channel` events.
 * Since: 0.2
 */
SC_API void sc_channel_set_state_func(ScChannel *channel, ScChannelFunc func,
                                      gpointer user_data,
                                      GDestroyNotify destroy);

/**
 * sc_channel_set_buffered_amount_low_threshold:
 * @threshold: bytes; the default is 0
 *
 * Sets the level at which sc_channel_get_buffered_amount() is "low" (the
 * W3C bufferedAmountLowThreshold): the buffered-amount-low function runs
 * each time the amount falls from above @threshold to @threshold or below.
 * May be set before the channel opens (it applies from the open) and
 * changed at any time (a later fall is reported by the new value).
 * Since: 0.2
 */
SC_API void sc_channel_set_buffered_amount_low_threshold(ScChannel *channel,
                                                         gsize threshold);

/**
 * sc_channel_get_buffered_amount_low_threshold:
 * Returns: the threshold of sc_channel_set_buffered_amount_low_threshold().
 * Since: 0.2
 */
SC_API gsize sc_channel_get_buffered_amount_low_threshold(ScChannel *channel);

/**
 * sc_channel_set_buffered_amount_low_func:
 * @func: (nullable): called when the buffered amount falls to the
 *   threshold or below (onbufferedamountlow)
 * @user_data: (transfer full): passed to @func
 * @destroy: (nullable): frees @user_data as for
 *   sc_channel_set_message_func()
 *
 * Lets a sender keep the channel's queue full without polling: send while
 * sc_channel_get_buffered_amount() is below a high mark of its own, then
 * wait for this function. Not called once sc_call_hangup() has begun (the
 * channel accepts no more messages then).
 * Since: 0.2
 */
SC_API void sc_channel_set_buffered_amount_low_func(ScChannel *channel,
                                                    ScChannelFunc func,
                                                    gpointer user_data,
                                                    GDestroyNotify destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScChannel, sc_channel_unref)

G_END_DECLS

#endif /* SC_CHANNEL_H */
