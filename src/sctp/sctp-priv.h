/* src/sctp/sctp-priv.h - what sctp.c (the association) and datachannel.c
 * (streams, channels and DCEP) share: the association's and a channel's
 * records, the event queue's entries, and the functions one file calls in
 * the other. Not for use outside src/sctp/: sctp.h is the module's API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_SCTP_PRIV_H
#define SC_SCTP_PRIV_H

#include "core/core.h"

#include <usrsctp.h>

#include "sctp/sctp.h"

#define LOCAL_MAX_MESSAGE_SIZE 262144
#define SOCK_BUF_SIZE (2 * 1024 * 1024)
#define N_STREAMS 65535          /* RFC 8831 section 6.2 SHOULD */

/* Retransmission timeout cap and the retransmissions after which the
 * association (and its only path) fails. While ICE has no pair (consent lost, an ICE restart:
 * up to RFC 7675's 30 s) every retransmission is lost, and each doubles
 * the timeout: with a 10 s cap, once the path is back the next one could
 * be 10 s away, and under 30 % loss each way (half the retransmissions or
 * their SACKs lost) a burst of chat stalled for over a minute. 3 s keeps
 * a retransmission within 3 s of the path's return. The association then
 * fails after 30 timeouts in a row (about 85 s; usrsctp's default 10
 * would give up after about 25 s with this cap, before consent expires;
 * 10 with the 10 s cap took about 60 s). */
#define SC_SCTP_RTO_MAX_MS 3000
#define SC_SCTP_ASSOC_MAX_RTX 30
/* usrsctp 0.9.5 retransmits on a timeout only the chunks sent longer ago
 * than srtt + 4 rttvar, a bound SC_SCTP_RTO_MAX_MS does not cap
 * (sctp_mark_all_for_resend()), and its first round-trip sample, from
 * the INIT-ACK, is timed from the association's creation, every lost
 * INIT included: after a 13 s setup under 30 % loss a lost chat message
 * waited over 40 s for its first retransmission (the timer fired every
 * 3 s and marked nothing). Heartbeats (RFC 9260 §8.3) give samples of
 * the path as it is: while srtt is over SC_SCTP_PROBE_SRTT_MS, one is
 * asked for every SC_SCTP_PROBE_INTERVAL_MS, at most SC_SCTP_PROBES_MAX
 * in a row (a path really that long costs that many, once; srtt under
 * the bound again allows as many more). */
#define SC_SCTP_PROBE_SRTT_MS 300
#define SC_SCTP_PROBE_INTERVAL_MS 100
#define SC_SCTP_PROBES_MAX 64
/* The path's failure threshold is the association's: usrsctp puts no new
 * data on a path it has marked unreachable (sctp_med_chunk_output()) and
 * marks it reachable again only when a heartbeat (every 30 s) or a SACK
 * of earlier data gets through. With its default, 5 timeouts in a row
 * (a few seconds without an ICE pair), our one path went unreachable and
 * a burst of chat sent with nothing else in flight stayed unsent for a
 * minute or more under loss. Single-homed (over DTLS), a path failure is
 * the association's failure anyway (RFC 9260 §8.2, §8.3). */

typedef enum { CH_OPENING, CH_OPEN, CH_CLOSING } ChState;

typedef struct {
    guint32 ppid;
    gboolean counted;  /* user message: counts in the buffered amount */
    gboolean control;  /* DCEP: always ordered and reliable */
    gsize len;         /* user-visible length (0 for empty messages) */
    gsize wire_len;
    guint8 data[];
} Pending;

typedef struct {
    guint16 sid;
    ChState state;
    gboolean remote;
    gboolean announced; /* the user knows this channel (reports closed) */
    gboolean ordered;
    int max_rexmit;
    int max_lifetime;
    gboolean acked;     /* ACK or any message received: may go unordered */
    gboolean used;      /* something was sent on the stream */
    /* Local channels only, until the open is reported: the user's record
     * (call/) keeps the label; a peer's label is never stored here. */
    char *label;
    char *protocol;
    GQueue pending;
    gsize buffered;
    gsize threshold;
    gboolean reset_wanted;   /* our outgoing reset still to request */
    gboolean reset_inflight; /* requested, waiting for the event */
    guint reset_retries;
    gboolean out_reset;
    gboolean in_reset;
    gboolean finished;       /* to be removed by sc_sctp_reap() */
    GList work_link;         /* in ScSctpAssoc.work while in_work */
    gboolean in_work;
} Channel;

typedef enum {
    EV_STATE,
    EV_CH_OPEN,
    EV_CH_CLOSED,
    EV_BUF_LOW,
    EV_CH_REFUSED
} EvType;

typedef struct {
    EvType type;
    guint16 sid;
    gboolean remote;
    ScSctpState state;
    GError *error;
    char *label;
    char *protocol;
    const char *why; /* EV_CH_REFUSED: static text */
} Event;

struct ScSctpAssoc {
    char *log_id;
    GMainContext *ctx;
    guintptr id;
    struct socket *sock;
    gboolean dtls_client;
    guint16 local_port;
    guint16 remote_port;
    guint64 remote_max;
    guint64 bad_checksums;  /* packets dropped: wrong CRC32c */
    gint64 probe_next_us;   /* see SC_SCTP_PROBE_SRTT_MS */
    guint n_probes;         /* heartbeats asked for in a row */
    ScSctpCallbacks cb;
    gpointer user_data;
    ScSctpState state;
    GHashTable *channels; /* GUINT_TO_POINTER(sid) -> Channel */
    guint n_remote;       /* records of peer-opened streams */
    guint n_finished;     /* records waiting for sc_sctp_reap() */
    /* Channels with queued messages or a reset to request: what
     * sc_sctp_flush() walks, so a packet costs nothing per idle channel. */
    GQueue work;
    guint64 refused;      /* DATA_CHANNEL_OPENs refused */
    GQueue events;
    GSource *idle;
    guint depth;
    gboolean free_requested;
    gboolean close_requested;
    gboolean drain_requested; /* sc_sctp_assoc_shutdown(): SHUTDOWN once
                               * every queued message is handed over */
    guint16 n_out_streams;
    gboolean add_streams_pending;
    GByteArray *reasm;
    guint16 reasm_sid;
    guint32 reasm_ppid;
    gboolean reasm_active;
    gboolean reasm_drop;
    GByteArray *notif;
};

/* sctp.c: the event queue (dispatched only from process()) */
Event *sc_sctp_push_event(ScSctpAssoc *a, EvType type, guint16 sid);
void sc_sctp_schedule(ScSctpAssoc *a);
void sc_sctp_emit_pending_events(ScSctpAssoc *a);

/* datachannel.c: channel records, sending, receiving */
void sc_sctp_channel_free(gpointer data);
void sc_sctp_pending_drop_all(Channel *ch);
gboolean sc_sctp_reap(ScSctpAssoc *a);
void sc_sctp_teardown_channels(ScSctpAssoc *a);
gboolean sc_sctp_flush(ScSctpAssoc *a);
void sc_sctp_handle_stream_reset(ScSctpAssoc *a,
                                 const struct sctp_stream_reset_event *ev,
                                 gsize len);
void sc_sctp_handle_data(ScSctpAssoc *a, const struct sctp_rcvinfo *info,
                         const guint8 *buf, gsize n, gboolean eor);

#endif /* SC_SCTP_PRIV_H */
