/* src/call/channels.c - ScChannel objects and the call's table of them.
 * The table is the call's only record of its channels: a closed channel
 * leaves it at once (its sid may be reused by the next OPEN), so what a
 * call holds is bounded by the channels open, not by the call's history.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "core/core.h"

#include "call/call-priv.h"

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
    ScQueuedMsg *m = msg;

    g_bytes_unref(m->data);
    g_free(m);
}

ScChannel *
sc_channel_ref(ScChannel *channel)
{
    g_return_val_if_fail(channel != NULL, NULL);
    g_ref_count_inc(&channel->ref);
    return channel;
}

void
sc_channel_unref(ScChannel *channel)
{
    if (channel == NULL || !g_ref_count_dec(&channel->ref))
        return;
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
    sc_channel_unref(c);
}

guint
sc_channel_table_size(ScChannelTable *t)
{
    return t->all.length;
}
