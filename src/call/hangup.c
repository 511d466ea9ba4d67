/* src/call/hangup.c - a local hangup lets the data channels finish.
 *
 * Hanging up with an established association closes the layers in order,
 * so that nothing the app handed to sc_channel_send() is lost and the
 * peer's app sees every message before its `ended` (issue 11):
 *   1. SCTP graceful shutdown (sctp/ sc_sctp_assoc_shutdown()): messages
 *      still queued are handed to SCTP, then SHUTDOWN; it completes once
 *      the peer acknowledged everything, i.e. its usrsctp delivered it;
 *   2. DTLS close_notify, 3. `bye` on signaling, 4. ICE close, `ended`
 *   (call.c, sc_call_end_with()).
 * Step 1 is bounded by SC_HANGUP_GRACE_MS: a peer that stops acknowledging
 * (gone, or hostile) cannot hold the call open; past it, what is still
 * unacknowledged is dropped and the call ends as before. The signaling
 * `bye` goes last because it travels another path (the relay) and would
 * otherwise overtake data still in flight on the ICE path.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "call"
#include "call/call-priv.h"
#include "sctp/sctp.h"

gboolean
sc_hangup_start(ScHangup *h, GMainContext *ctx, ScSctpAssoc *sctp,
                GSourceFunc on_grace_over, gpointer data)
{
    g_return_val_if_fail(h != NULL && on_grace_over != NULL, FALSE);
    if (h->grace != NULL)
        return TRUE; /* already under way */
    if (sctp == NULL ||
        sc_sctp_assoc_get_state(sctp) != SC_SCTP_STATE_CONNECTED)
        return FALSE; /* nothing to finish: end at once */
    h->grace = g_timeout_source_new(SC_HANGUP_GRACE_MS);
    g_source_set_callback(h->grace, on_grace_over, data, NULL);
    g_source_set_name(h->grace, "sc-hangup-grace");
    g_source_attach(h->grace, ctx);
    sc_sctp_assoc_shutdown(sctp);
    return TRUE;
}

gboolean
sc_hangup_in_progress(const ScHangup *h)
{
    return h->grace != NULL;
}

void
sc_hangup_clear(ScHangup *h)
{
    sc_source_clear(&h->grace);
}
