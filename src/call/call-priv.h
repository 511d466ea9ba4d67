/* src/call/call-priv.h - shared between the files of call/.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_CALL_PRIV_H
#define SC_CALL_PRIV_H

#include "core/core.h"
#include <json-glib/json-glib.h>
#include <sealcall/call.h>
#include <sealcall/channel.h>
#include <sealcall/endpoint.h>

G_BEGIN_DECLS

struct ScEndpoint {
    grefcount ref;
    GMainContext *ctx;
};

struct ScCallEvent {
    ScCallEventKind kind;
    ScEndReason reason;
    JsonObject *obj;      /* {"event": ..., fields} */
    GHashTable *strings;  /* field -> text form of non-string fields */
};

/* event.c */
ScCallEvent *sc_call_event_new(ScCallEventKind kind);
void sc_call_event_free(ScCallEvent *ev);
const char *sc_call_event_kind_name(ScCallEventKind kind);
void sc_call_event_set_str(ScCallEvent *ev, const char *name,
                           const char *value);
void sc_call_event_set_int(ScCallEvent *ev, const char *name, gint64 value);
void sc_call_event_set_double(ScCallEvent *ev, const char *name, double v);
void sc_call_event_set_bool(ScCallEvent *ev, const char *name, gboolean v);
/* takes ownership of @node */
void sc_call_event_set_node(ScCallEvent *ev, const char *name, JsonNode *node);

/* ---- channels.c: the call's one record of its data channels ---- */

typedef struct {
    gboolean binary;
    GBytes *data;
} ScQueuedMsg;

struct ScChannel {
    grefcount ref;
    ScCall *call;          /* weak: cleared when the call drops the channel */
    char *label;
    int sid;               /* -1 until opened */
    gboolean ordered;
    int max_retransmits;
    int max_lifetime_ms;
    gboolean open;
    gboolean closed;
    gboolean requested;    /* OPEN sent (local) */
    GQueue queue;          /* ScQueuedMsg before the channel opens */
    gsize queued_bytes;
    /* table links (see ScChannelTable) */
    GList link;            /* in ScChannelTable.all */
    ScChannel *label_next; /* next live channel with the same label */
};

/* The channels a call holds, one entry each: from creation (local) or the
 * peer's OPEN (remote) until it closes; then the call drops its reference
 * (the app's references keep the object). Peer-opened channels are
 * bounded by SC_SCTP_MAX_REMOTE_CHANNELS (sctp/), local ones by the app.
 * Lookup by stream id (every inbound message) and by label (every send
 * from the CLI) is constant time. Per-stream transport state (queues,
 * resets, reliability) lives in sctp/, which forgets the label once the
 * channel is reported open: the label lives here only. */
typedef struct {
    GQueue all;           /* ScChannel, strong (through .link), by age */
    GHashTable *by_sid;   /* GINT_TO_POINTER(sid) -> ScChannel */
    GHashTable *by_label; /* label (the channel's) -> oldest with it */
} ScChannelTable;

ScChannel *sc_channel_new(ScCall *call, const char *label, gboolean ordered,
                          int max_retransmits, int max_lifetime_ms);
void sc_queued_msg_free(gpointer msg);

void sc_channel_table_init(ScChannelTable *t);
/* Detaches every channel from the call and drops the table's refs. */
void sc_channel_table_clear(ScChannelTable *t);
/* Adds @c (takes a reference), indexed by label, and by sid if set. */
void sc_channel_table_add(ScChannelTable *t, ScChannel *c);
/* Sets @c's sid (it had none) and indexes it. */
void sc_channel_table_set_sid(ScChannelTable *t, ScChannel *c, int sid);
ScChannel *sc_channel_table_by_sid(ScChannelTable *t, int sid);
/* The oldest live channel with @label, or NULL. */
ScChannel *sc_channel_table_by_label(ScChannelTable *t, const char *label);
/* Marks @c closed, detaches it from the call and drops the table's
 * reference (@c may be freed). No-op if @c is not in the table. */
void sc_channel_table_remove(ScChannelTable *t, ScChannel *c);
/* Channels held (for tests and the inspector). */
guint sc_channel_table_size(ScChannelTable *t);

/* ---- hangup.c: a local hangup lets the data channels finish ---- */

/* How long a local hangup waits for the SCTP shutdown (every message
 * acknowledged) before it ends the call regardless. */
#define SC_HANGUP_GRACE_MS 5000

typedef struct {
    GSource *grace; /* set while the shutdown is under way */
} ScHangup;

typedef struct ScSctpAssoc ScSctpAssoc;

/* Starts a graceful hangup when @sctp is connected: its queued messages go
 * out and a SHUTDOWN follows (the association reports CLOSED when every
 * message is acknowledged); @on_grace_over(@data) runs if that takes more
 * than SC_HANGUP_GRACE_MS. Returns FALSE (nothing started) when there is
 * no association to finish: the caller ends the call at once. */
gboolean sc_hangup_start(ScHangup *h, GMainContext *ctx, ScSctpAssoc *sctp,
                         GSourceFunc on_grace_over, gpointer data);
gboolean sc_hangup_in_progress(const ScHangup *h);
/* Stops the grace timer (the call ends, or is freed). */
void sc_hangup_clear(ScHangup *h);

G_END_DECLS

#endif
