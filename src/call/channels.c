/* src/call/channels.c - ScChannel objects and the call's table of them.
 * The table is the call's only record of its channels: a closed channel
 * leaves it at once (its sid may be reused by the next OPEN), so what a
 * call holds is bounded by the channels open, not by the call's history.
 * The app's functions on a channel (message, open/close, buffered amount
 * low) and on the call (each channel's open) run from sctp/'s callbacks
 * here; a channel's are dropped when the call drops the channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "core/core.h"

#include "call/call-priv.h"

#include <string.h>

ScChannel *
sc_channel_new(ScCall *call, const char *label, gboolean ordered,
               int max_retransmits, int max_lifetime_ms)
{
    ScChannel *c = g_new0(ScChannel, 1);

    g_ref_count_init(&c->ref);
    c->call = call;
    c->label = g_strdup(label);
    c->sid = -1;
    c->ordered = ordered;
    c->max_retransmits = max_retransmits;
    c->max_lifetime_ms = max_lifetime_ms;
    g_queue_init(&c->queue);
    c->link.data = c;
    return c;
}

void
sc_queued_msg_free(gpointer msg)
{
    g_bytes_unref(((ScQueuedMsg *)msg)->data);
    g_free(msg);
}

ScChannel *
sc_channel_ref(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, NULL);
    g_ref_count_inc(&channel->ref);
    return channel;
}

/* Replaces @slot's function. The old data is freed after the swap (its
 * destroy notify may run app code, even set another function); a NULL
 * @func empties the slot, and @data given with it is freed at once. */
static void
func_slot_set(ScFuncSlot *slot, GCallback func, gpointer data,
                 GDestroyNotify destroy)
{
    ScFuncSlot old = *slot;

    slot->func = func;
    slot->data = func != NULL ? data : NULL;
    slot->destroy = func != NULL ? destroy : NULL;
    if (old.destroy != NULL)
        old.destroy(old.data);
    if (func == NULL && destroy != NULL)
        destroy(data);
}

/* Drops the app's functions of @c. */
static void
channel_drop_funcs(ScChannel *c)
{
    func_slot_set(&c->on_message, NULL, NULL, NULL);
    func_slot_set(&c->on_state, NULL, NULL, NULL);
    func_slot_set(&c->on_low, NULL, NULL, NULL);
}

void
sc_channel_unref(ScChannel *channel)
{
    if (channel == NULL || !g_ref_count_dec(&channel->ref))
        return;
    channel_drop_funcs(channel);
    g_queue_clear_full(&channel->queue, sc_queued_msg_free);
    g_free(channel->label);
    g_free(channel);
}

const char *
sc_channel_get_label(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, NULL);
    return channel->label;
}

int
sc_channel_get_id(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, -1);
    return channel->sid;
}

gboolean
sc_channel_is_open(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, FALSE);
    return channel->open && !channel->closed;
}

/* ---- the table ---- */

void
sc_channel_table_init(ScChannelTable *t)
{
    g_queue_init(&t->all);
    t->by_sid = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->by_label = g_hash_table_new(g_str_hash, g_str_equal);
}

void
sc_channel_table_clear(ScChannelTable *t)
{
    GList *l;

    g_hash_table_destroy(t->by_sid);
    g_hash_table_destroy(t->by_label);
    while ((l = g_queue_pop_head_link(&t->all)) != NULL) {
        ScChannel *c = l->data;
        c->call = NULL;
        c->label_next = NULL;
        channel_drop_funcs(c);
        sc_channel_unref(c);
    }
}

static gboolean
in_table(ScChannelTable *t, ScChannel *c)
{
    return c->link.prev != NULL || c->link.next != NULL ||
           t->all.head == &c->link;
}

void
sc_channel_table_add(ScChannelTable *t, ScChannel *c)
{
    ScChannel *head;

    g_return_if_fail(!in_table(t, c));
    g_queue_push_tail_link(&t->all, &c->link);
    sc_channel_ref(c);
    /* same-label channels chain from the oldest (sc_call_get_channel()
     * returns it): at most the open channels with one label to walk */
    head = g_hash_table_lookup(t->by_label, c->label);
    if (head == NULL) {
        g_hash_table_insert(t->by_label, c->label, c);
    } else {
        while (head->label_next != NULL)
            head = head->label_next;
        head->label_next = c;
    }
    if (c->sid >= 0)
        g_hash_table_insert(t->by_sid, GINT_TO_POINTER(c->sid), c);
}

void
sc_channel_table_set_sid(ScChannelTable *t, ScChannel *c, int sid)
{
    g_return_if_fail(c->sid < 0 && sid >= 0);
    c->sid = sid;
    if (in_table(t, c))
        g_hash_table_insert(t->by_sid, GINT_TO_POINTER(sid), c);
}

ScChannel *
sc_channel_table_by_sid(ScChannelTable *t, int sid)
{
    return g_hash_table_lookup(t->by_sid, GINT_TO_POINTER(sid));
}

ScChannel *
sc_channel_table_by_label(ScChannelTable *t, const char *label)
{
    return g_hash_table_lookup(t->by_label, label);
}

void
sc_channel_table_remove(ScChannelTable *t, ScChannel *c)
{
    ScChannel *head;

    if (!in_table(t, c))
        return;
    c->open = FALSE;
    c->closed = TRUE;
    if (c->sid >= 0 &&
        g_hash_table_lookup(t->by_sid, GINT_TO_POINTER(c->sid)) == c)
        g_hash_table_remove(t->by_sid, GINT_TO_POINTER(c->sid));
    head = g_hash_table_lookup(t->by_label, c->label);
    if (head == c) {
        /* the key is c's label: re-insert under the next one's copy */
        g_hash_table_remove(t->by_label, c->label);
        if (c->label_next != NULL)
            g_hash_table_insert(t->by_label, c->label_next->label,
                                c->label_next);
    } else {
        while (head != NULL && head->label_next != c)
            head = head->label_next;
        if (head != NULL)
            head->label_next = c->label_next;
    }
    c->label_next = NULL;
    g_queue_unlink(&t->all, &c->link);
    c->call = NULL;
    channel_drop_funcs(c);
    sc_channel_unref(c);
}

guint
sc_channel_table_size(ScChannelTable *t)
{
    return t->all.length;
}

/* ------------------------------------------------------------------ */
/* channels                                                             */

gboolean
sc_channel_send(ScChannel *channel, gboolean binary, const guint8 *data,
                gsize len, GError **error)
{
    ScCall *call;

    g_return_val_if_fail(channel != NULL, FALSE);
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    call = channel->call;
    if (call == NULL || channel->closed || call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "channel '%s' is closed", channel->label);
        return FALSE;
    }
    if (sc_hangup_in_progress(&call->hangup)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call is hanging up");
        return FALSE;
    }
    if (!binary && !g_utf8_validate((const char *)data, (gssize)len, NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "text message is not valid UTF-8");
        return FALSE;
    }
    if (!channel->open) {
        /* Queued until the channel opens (bounded). */
        if (channel->queued_bytes + len > CHANNEL_QUEUE_MAX) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                        "channel '%s' is not open yet and its queue is "
                        "full", channel->label);
            return FALSE;
        }
        ScQueuedMsg *m = g_new0(ScQueuedMsg, 1);
        m->binary = binary;
        m->data = g_bytes_new(data, len);
        g_queue_push_tail(&channel->queue, m);
        channel->queued_bytes += len;
        return TRUE;
    }
    return sc_sctp_assoc_send(call->sctp, (guint16)channel->sid, binary, data,
                              len, error);
}

gsize
sc_channel_get_buffered_amount(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, 0);
    if (!channel->open || channel->call == NULL ||
        channel->call->sctp == NULL)
        return channel->queued_bytes;
    return sc_sctp_assoc_get_buffered_amount(channel->call->sctp,
                                             (guint16)channel->sid);
}

void
sc_channel_close(ScChannel *channel)
{
    g_return_if_fail(channel != NULL);
    if (channel->closed)
        return;
    if (channel->open && channel->call != NULL && channel->call->sctp != NULL)
        sc_sctp_assoc_close_channel(channel->call->sctp,
                                    (guint16)channel->sid);
    else if (channel->call != NULL)
        sc_channel_table_remove(&channel->call->channels, channel);
    else
        channel->closed = TRUE;
}

/* ---- the app's functions ---- */

/* sets the app's function in the slot at @offset of @c */
static void
channel_set_func(ScChannel *c, glong offset, GCallback func, gpointer data,
                 GDestroyNotify destroy)
{
    g_return_if_fail(c != NULL);
    func_slot_set(&G_STRUCT_MEMBER(ScFuncSlot, c, offset), func, data,
                     destroy);
}

void
sc_channel_set_message_func(ScChannel *channel, ScChannelMessageFunc func,
                            gpointer user_data, GDestroyNotify destroy)
{
    channel_set_func(channel, G_STRUCT_OFFSET(ScChannel, on_message),
                     G_CALLBACK(func), user_data, destroy);
}

void
sc_channel_set_state_func(ScChannel *channel, ScChannelFunc func,
                          gpointer user_data, GDestroyNotify destroy)
{
    channel_set_func(channel, G_STRUCT_OFFSET(ScChannel, on_state),
                     G_CALLBACK(func), user_data, destroy);
}

void
sc_channel_set_buffered_amount_low_func(ScChannel *channel, ScChannelFunc func,
                                        gpointer user_data,
                                        GDestroyNotify destroy)
{
    channel_set_func(channel, G_STRUCT_OFFSET(ScChannel, on_low),
                     G_CALLBACK(func), user_data, destroy);
}

ScChannelMessageFunc
sc_channel_get_message_func(ScChannel *channel, gpointer *user_data)
{
    g_return_val_if_fail(channel != NULL, NULL);
    if (user_data != NULL)
        *user_data = channel->on_message.data;
    return (ScChannelMessageFunc)channel->on_message.func;
}

void
sc_channel_set_buffered_amount_low_threshold(ScChannel *channel,
                                             gsize threshold)
{
    ScCall *call;

    g_return_if_fail(channel != NULL);
    channel->low_threshold = threshold;
    call = channel->call;
    if (channel->open && !channel->closed && call != NULL &&
        call->sctp != NULL)
        sc_sctp_assoc_set_buffered_amount_low_threshold(
            call->sctp, (guint16)channel->sid, threshold);
}

gsize
sc_channel_get_buffered_amount_low_threshold(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, 0);
    return channel->low_threshold;
}

void
sc_call_set_channel_func(ScCall *call, ScCallChannelFunc func,
                         gpointer user_data, GDestroyNotify destroy)
{
    g_return_if_fail(call != NULL);
    func_slot_set(&call->on_channel, G_CALLBACK(func), user_data,
                     destroy);
}

void
sc_call_channels_free(ScCall *call)
{
    func_slot_set(&call->on_channel, NULL, NULL, NULL);
}

/* @c's function of @slot (an ScChannelFunc), with @c kept alive through
 * it */
static void
channel_notify(ScChannel *c, ScFuncSlot *slot)
{
    if (slot->func == NULL)
        return;
    sc_channel_ref(c);
    ((ScChannelFunc)slot->func)(c, slot->data);
    sc_channel_unref(c);
}

/* ------------------------------------------------------------------ */

static void
channel_request_open(ScCall *call, ScChannel *c)
{
    g_autoptr(GError) error = NULL;
    guint16 sid = 0;

    if (c->requested || c->closed || call->sctp == NULL)
        return;
    c->requested = TRUE;
    if (!sc_sctp_assoc_open_channel(call->sctp, c->label, "", c->ordered,
                                    c->max_retransmits, c->max_lifetime_ms,
                                    &sid, &error)) {
        SC_LOG_WARN(call->id, "cannot open channel '%s': %s", c->label,
                    error->message);
        sc_call_emit_error(call, error->message);
        sc_channel_table_remove(&call->channels, c);
        return;
    }
    sc_channel_table_set_sid(&call->channels, c, sid);
}

void
sc_call_channels_open_pending(ScCall *call)
{
    GList *l = call->channels.all.head;

    while (l != NULL) {
        ScChannel *c = l->data;
        l = l->next; /* c may leave the table */
        channel_request_open(call, c);
    }
}

ScChannel *
sc_call_get_channel(ScCall *call, const char *label, gboolean ordered,
                    int max_retransmits, int max_lifetime_ms, GError **error)
{
    ScChannel *c;

    g_return_val_if_fail(call != NULL && label != NULL, NULL);
    if (call->state == CALL_ENDED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "the call has ended");
        return NULL;
    }
    if (max_retransmits >= 0 && max_lifetime_ms >= 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "a channel has max_retransmits or max_lifetime, not both");
        return NULL;
    }
    if (strlen(label) > 65535) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "channel label longer than 65535 bytes");
        return NULL;
    }
    c = sc_channel_table_by_label(&call->channels, label);
    if (c != NULL)
        return c;
    c = sc_channel_new(call, label, ordered, max_retransmits,
                       max_lifetime_ms);
    sc_channel_table_add(&call->channels, c);
    sc_channel_unref(c); /* the table's reference is the call's */
    if (call->transport.sctp_connected)
        channel_request_open(call, c);
    return c;
}

static void
channel_flush_queue(ScCall *call, ScChannel *c)
{
    ScQueuedMsg *m;

    while ((m = g_queue_pop_head(&c->queue)) != NULL) {
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        const guint8 *data = g_bytes_get_data(m->data, &len);
        c->queued_bytes -= len;
        if (!sc_sctp_assoc_send(call->sctp, (guint16)c->sid, m->binary, data,
                                len, &error)) {
            SC_LOG_WARN(call->id, "queued message on '%s' not sent: %s",
                        c->label, error->message);
            sc_call_emit_error(call, error->message);
        }
        sc_queued_msg_free(m);
    }
}

void
sc_call_on_channel_open(gpointer data, guint16 sid, const char *label,
                        const char *protocol, gboolean remote)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    (void)protocol;
    (void)remote;
    if (call->state == CALL_ENDED)
        return;
    if (c == NULL) {
        c = sc_channel_new(call, label, TRUE, -1, -1);
        c->sid = sid;
        c->requested = TRUE;
        sc_channel_table_add(&call->channels, c);
        sc_channel_unref(c); /* the table's reference is the call's */
    }
    c->open = TRUE;
    if (c->low_threshold > 0)
        sc_sctp_assoc_set_buffered_amount_low_threshold(call->sctp, sid,
                                                        c->low_threshold);
    if (call->transport.t_first_open_us == 0)
        call->transport.t_first_open_us = sc_clock_now_us();
    ev = sc_call_event_new(SC_CALL_EVENT_CHANNEL);
    sc_call_event_set_str(ev, "state", "open");
    sc_call_event_set_str(ev, "label", c->label);
    sc_call_event_set_int(ev, "id", sid);
    if (call->transport.t_offer_us != 0 &&
        call->transport.t_first_open_us != 0) {
        /* offerer: when each step was done, in ms after the offer */
        static const struct {
            const char *name;
            gsize offset;
        } steps[] = {
            {"setup_answer_ms",
             G_STRUCT_OFFSET(ScCall, transport.t_answer_us)},
            {"setup_ice_ms", G_STRUCT_OFFSET(ScCall, transport.t_ice_us)},
            {"setup_dtls_ms", G_STRUCT_OFFSET(ScCall, transport.t_dtls_us)},
            {"setup_sctp_ms", G_STRUCT_OFFSET(ScCall, transport.t_sctp_us)},
            {"setup_ms", G_STRUCT_OFFSET(ScCall, transport.t_first_open_us)},
        };
        for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
            gint64 at = G_STRUCT_MEMBER(gint64, call, steps[i].offset);
            if (at != 0)
                sc_call_event_set_double(
                    ev, steps[i].name,
                    (double)(at - call->transport.t_offer_us) / 1000.0);
        }
    }
    sc_call_emit(call, ev);
    channel_flush_queue(call, c);
    /* the app's: the call's function first (it may set the channel's) */
    sc_channel_ref(c);
    if (call->on_channel.func != NULL)
        ((ScCallChannelFunc)call->on_channel.func)(call, c,
                                                   call->on_channel.data);
    if (sc_channel_is_open(c) && call->state != CALL_ENDED)
        channel_notify(c, &c->on_state);
    sc_channel_unref(c);
}

void
sc_call_on_channel_closed(gpointer data, guint16 sid)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    if (c == NULL || call->state == CALL_ENDED)
        return;
    ev = sc_call_event_new(SC_CALL_EVENT_CHANNEL);
    sc_call_event_set_str(ev, "state", "closed");
    sc_call_event_set_str(ev, "label", c->label);
    sc_call_event_set_int(ev, "id", sid);
    sc_call_emit(call, ev);
    c->open = FALSE;
    c->closed = TRUE;
    channel_notify(c, &c->on_state);
    /* the call forgets it; references the app holds keep the object */
    sc_channel_table_remove(&call->channels, c);
    SC_LOG_DEBUG(call->id, "channel %u closed; %u channel records held", sid,
                 sc_channel_table_size(&call->channels));
}

/* sctp/ reports only its first refusal of a peer's DATA_CHANNEL_OPEN: one
 * error event per call, however many the peer sends. */
void
sc_call_on_channel_refused(gpointer data, guint16 sid, const char *why)
{
    ScCall *call = data;
    g_autofree char *detail = NULL;

    if (call->state == CALL_ENDED)
        return;
    detail = g_strdup_printf("refused a data channel the peer opened on "
                             "stream %u (%s); further refusals are not "
                             "reported", sid, why);
    sc_call_emit_error(call, detail);
}

void
sc_call_on_message(gpointer data, guint16 sid, gboolean binary,
                   const guint8 *buf, gsize len)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);
    ScCallEvent *ev;

    if (c == NULL || call->state == CALL_ENDED)
        return;
    if (c->on_message.func != NULL) {
        /* text is UTF-8 for the app's function too */
        if (!binary && len > 0 &&
            !g_utf8_validate((const char *)buf, (gssize)len, NULL))
            binary = TRUE;
        sc_channel_ref(c);
        ((ScChannelMessageFunc)c->on_message.func)(
            c, binary, len > 0 ? buf : NULL, len, c->on_message.data);
        sc_channel_unref(c);
        return;
    }
    ev = sc_call_event_new(SC_CALL_EVENT_MESSAGE);
    sc_call_event_set_str(ev, "label", c->label);
    if (!binary && len > 0 &&
        (!g_utf8_validate((const char *)buf, (gssize)len, NULL) ||
         memchr(buf, 0, len) != NULL)) {
        /* A text message that is not UTF-8 (or holds a NUL) cannot be a
         * JSON or C string: it is reported as its bytes, flagged. */
        binary = TRUE;
        sc_call_event_set_bool(ev, "invalid_text", TRUE);
    }
    if (binary) {
        g_autofree char *b64 = len > 0 ? g_base64_encode(buf, len)
                                       : g_strdup("");
        sc_call_event_set_str(ev, "binary", b64);
    } else {
        g_autofree char *text = len > 0 ? g_strndup((const char *)buf, len)
                                        : g_strdup("");
        sc_call_event_set_str(ev, "text", text);
    }
    sc_call_emit(call, ev);
}

void
sc_call_on_buffered_amount_low(gpointer data, guint16 sid)
{
    ScCall *call = data;
    ScChannel *c = sc_channel_table_by_sid(&call->channels, sid);

    /* nothing more can be sent once a hangup has begun */
    if (c == NULL || call->state == CALL_ENDED ||
        sc_hangup_in_progress(&call->hangup))
        return;
    channel_notify(c, &c->on_low);
}
