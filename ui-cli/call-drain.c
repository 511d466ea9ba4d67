/* ui-cli/call-drain.c - end of input for `sealcall call|answer`: what was asked
 * is carried out, then the call is hung up; what could not be is told.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "call-cli.h"

#include <json-glib/json-glib.h>
#include <sealcall/sealcall.h>
#include <stdio.h>
#include <string.h>

void
cli_remember_channel(Cli *cli, ScChannel *chan)
{
    for (guint i = 0; i < cli->used->len; i++)
        if (cli->used->pdata[i] == chan)
            return;
    g_ptr_array_add(cli->used, sc_channel_ref(chan));
    /* it may have opened before we first sent on it (the peer's channel,
     * or ours from an earlier command) */
    if (sc_channel_is_open(chan))
        g_hash_table_insert(cli->seen, g_strdup(sc_channel_get_label(chan)),
                            GINT_TO_POINTER(SEEN_OPEN));
}

gboolean
cli_sent_on_label(Cli *cli, const char *label)
{
    for (guint i = 0; i < cli->used->len; i++)
        if (g_strcmp0(sc_channel_get_label(cli->used->pdata[i]), label) == 0)
            return TRUE;
    return FALSE;
}

static int
seen(Cli *cli, ScChannel *chan)
{
    return GPOINTER_TO_INT(
        g_hash_table_lookup(cli->seen, sc_channel_get_label(chan)));
}

/* A channel we sent on still holds messages: not open yet (they wait in
 * its queue) or not all handed to the network. */
static gboolean
channel_pending(ScChannel *chan)
{
    return !sc_channel_is_open(chan) ||
           sc_channel_get_buffered_amount(chan) > 0;
}

static gboolean
on_recheck(gpointer data)
{
    Cli *cli = data;
    cli->recheck_id = 0;
    cli_finish_then_hang_up(cli);
    return G_SOURCE_REMOVE;
}

/* After end of input: hang up once every message we sent has been handed
 * to the network and a bench we started has finished, or stay until the
 * call ends (then each undelivered channel gets an error event). A channel
 * that closed holds nothing more to wait for. */
void
cli_finish_then_hang_up(Cli *cli)
{
    gboolean pending = cli->bench_running;
    gboolean draining = FALSE;

    if (!cli->input_done || cli->ended)
        return;
    for (guint i = 0; i < cli->used->len; i++) {
        ScChannel *chan = cli->used->pdata[i];
        if (!channel_pending(chan) || seen(cli, chan) == SEEN_CLOSED)
            continue;
        pending = TRUE;
        if (sc_channel_is_open(chan))
            draining = TRUE;
    }
    if (!pending) {
        cli->all_done = TRUE;
        sc_call_hangup(cli->call);
        return;
    }
    /* Events (a channel opening, the bench's end, the call's end) wake us
     * as the call progresses; SCTP drains an open channel's buffer without
     * one, so then look again shortly. */
    if (draining && cli->recheck_id == 0)
        cli->recheck_id = g_timeout_add(20, on_recheck, cli);
}

/* The call ended before what was asked could be done: say so. */
void
cli_report_undelivered(Cli *cli)
{
    if (cli->all_done)
        return;
    for (guint i = 0; i < cli->used->len; i++) {
        ScChannel *chan = cli->used->pdata[i];
        /* by now the call has closed its channels: what is still counted
         * was never handed to SCTP */
        if (seen(cli, chan) == SEEN_CLOSED)
            continue;
        if (sc_channel_get_buffered_amount(chan) > 0 ||
            seen(cli, chan) != SEEN_OPEN) {
            g_autofree char *d = g_strdup_printf(
                "the call ended before the messages on channel '%s' were "
                "sent",
                sc_channel_get_label(chan));
            cli_report_error(cli, d);
        }
    }
}
