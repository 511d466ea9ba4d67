/* src/sctp/sctp.c - SCTP association over DTLS and WebRTC data channels.
 * Implements RFC 8261 (SCTP over DTLS, via usrsctp AF_CONN), RFC 8831
 * sections 5-6 (SCTP profile: PR-SCTP, stream reset for close, PPIDs,
 * empty messages, initial MTU 1200), RFC 8832 (DCEP: OPEN/ACK, sid
 * parity, ordered-until-ACK) and RFC 8841 section 10 (both ends connect
 * from the same port). usrsctp runs without threads: its timers are
 * pumped from a 10 ms GLib timeout on the associations' context.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sctp"
#include "core/core.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <usrsctp.h>

#include "sctp/sctp.h"

#define LOCAL_MAX_MESSAGE_SIZE 262144
#define SCTP_MTU 1200            /* RFC 8831 section 5: initial PMTU */
#define SOCK_BUF_SIZE (2 * 1024 * 1024)
#define N_STREAMS 65535          /* RFC 8831 section 6.2 SHOULD */
/* Streams negotiated at INIT. usrsctp allocates per-stream state for every
 * negotiated stream, each way (about 10 MB for 65535, and milliseconds of
 * zeroing on the setup path; about 100 bytes a stream a direction: 256
 * cost 23 KB of RSS per idle endpoint more than 32, bench/idle-calls), so
 * offer 32 outgoing streams (16 channels a side) and add streams
 * (RFC 6525) when a higher stream id is needed, up to N_STREAMS. */
#define INIT_STREAMS 32
#define MAX_SID 65534            /* 65535 is reserved (W3C id range) */
#define TICK_MS 10
#define RBUF_SIZE (64 * 1024)
/* One receive buffer per thread, not per association (memory per idle
 * call); every association is served by its owner thread and reads are
 * not re-entered. */
static __thread guint8 rbuf[RBUF_SIZE];
#define MAX_RESET_RETRIES 5

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
    gboolean finished;       /* to be removed by reap() */
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
    ScSctpCallbacks cb;
    gpointer user_data;
    ScSctpState state;
    GHashTable *channels; /* GUINT_TO_POINTER(sid) -> Channel */
    guint n_remote;       /* records of peer-opened streams */
    guint n_finished;     /* records waiting for reap() */
    /* Channels with queued messages or a reset to request: what flush()
     * walks, so a packet costs nothing per idle channel. */
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

/* ---- process-global: usrsctp init, id registry, timer pump ---- */

static GHashTable *registry; /* GSIZE_TO_POINTER(id) -> ScSctpAssoc */
static GSource *pump;
static gint64 pump_last_us;
static guint global_refs;

static const char *const state_names[SC_SCTP_N_STATES] = {
    [SC_SCTP_STATE_NEW] = "new",
    [SC_SCTP_STATE_CONNECTING] = "connecting",
    [SC_SCTP_STATE_CONNECTED] = "connected",
    [SC_SCTP_STATE_CLOSED] = "closed",
    [SC_SCTP_STATE_FAILED] = "failed",
};

const char *
sc_sctp_state_to_string(ScSctpState state)
{
    if ((guint)state >= SC_SCTP_N_STATES)
        return "invalid";
    return state_names[state];
}

guint64
sc_sctp_assoc_get_local_max_message_size(void)
{
    return LOCAL_MAX_MESSAGE_SIZE;
}

static ScSctpAssoc *
lookup(guintptr id)
{
    if (registry == NULL || id == 0)
        return NULL;
    return g_hash_table_lookup(registry, GSIZE_TO_POINTER(id));
}

static void debug_printf(const char *format, ...) G_GNUC_PRINTF(1, 2);

static void
debug_printf(const char *format, ...)
{
    va_list ap;
    char *msg;
    gsize n;

    if (!sc_log_enabled(SC_LOG_LEVEL_TRACE, SC_LOG_MODULE))
        return;
    va_start(ap, format);
    msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    n = strlen(msg);
    if (n > 0 && msg[n - 1] == '\n')
        msg[n - 1] = '\0';
    SC_LOG_TRACE("usrsctp", "%s", msg);
    g_free(msg);
}

/* usrsctp's conn output: one SCTP packet for the association registered
 * under @addr (an opaque id, never a pointer). Unknown ids (freed
 * associations whose usrsctp state lingers) are dropped silently. */
static int
conn_output(void *addr, void *buffer, size_t length, uint8_t tos,
            uint8_t set_df)
{
    ScSctpAssoc *a = lookup((guintptr)addr);

    (void)tos;
    (void)set_df;
    if (a == NULL || a->free_requested || a->cb.send == NULL)
        return 0;
    /* checksums are ours (offloaded, see crc32c.c); @buffer is usrsctp's
     * copy of the packet for this call */
    sc_sctp_checksum_fill(buffer, length);
    a->cb.send(a->user_data, buffer, length);
    return 0;
}

void
sc_sctp_global_init(void)
{
    static gsize once;

    if (!g_once_init_enter(&once))
        return;
    /* Process-wide and never undone: usrsctp cannot be re-initialised
     * reliably after usrsctp_finish(), and lingering closed sockets may
     * still need timers. Its allocations stay reachable from globals. */
    usrsctp_init_nothreads(0, conn_output, debug_printf);
    /* we compute and check the CRC32c (crc32c.c), far faster */
    usrsctp_enable_crc32c_offload();
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_sysctl_set_sctp_pr_enable(1);        /* RFC 3758, RFC 7496 */
    usrsctp_sysctl_set_sctp_reconfig_enable(1);  /* RFC 6525 */
    usrsctp_sysctl_set_sctp_asconf_enable(0);    /* single-homed over DTLS */
    usrsctp_sysctl_set_sctp_max_chunks_on_queue(32 * 1024);
    usrsctp_sysctl_set_sctp_sendspace(SOCK_BUF_SIZE);
    usrsctp_sysctl_set_sctp_recvspace(SOCK_BUF_SIZE);
    usrsctp_sysctl_set_sctp_rto_initial_default(1000);
    usrsctp_sysctl_set_sctp_rto_min_default(400);
    usrsctp_sysctl_set_sctp_rto_max_default(10000);
    usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
    usrsctp_sysctl_set_sctp_initial_cwnd(10);
    usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
#ifdef SCTP_DEBUG
    if (sc_log_enabled(SC_LOG_LEVEL_TRACE, SC_LOG_MODULE))
        usrsctp_sysctl_set_sctp_debug_on(SCTP_DEBUG_ALL);
#endif
    g_once_init_leave(&once, 1);
}

static void process(ScSctpAssoc *a);

static gboolean
pump_tick(gpointer user_data)
{
    gint64 now = g_get_monotonic_time();
    gint64 ms = (now - pump_last_us) / 1000;
    GArray *ids;
    GHashTableIter it;
    gpointer key;

    (void)user_data;
    if (ms > 0) {
        usrsctp_handle_timers((uint32_t)MIN(ms, (gint64)G_MAXUINT32));
        pump_last_us += ms * 1000;
    }
    if (registry == NULL)
        return G_SOURCE_CONTINUE;
    /* Snapshot the ids: processing may free associations. */
    ids = g_array_new(FALSE, FALSE, sizeof(guintptr));
    g_hash_table_iter_init(&it, registry);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        guintptr id = GPOINTER_TO_SIZE(key);
        g_array_append_val(ids, id);
    }
    for (guint i = 0; i < ids->len; i++) {
        ScSctpAssoc *a = lookup(g_array_index(ids, guintptr, i));
        if (a != NULL)
            process(a);
    }
    g_array_free(ids, TRUE);
    return G_SOURCE_CONTINUE;
}

static void
global_ref(ScSctpAssoc *a)
{
    sc_sctp_global_init();
    if (global_refs++ == 0) {
        registry = g_hash_table_new(g_direct_hash, g_direct_equal);
        pump_last_us = g_get_monotonic_time();
        pump = g_timeout_source_new(TICK_MS);
        g_source_set_callback(pump, pump_tick, NULL, NULL);
        g_source_set_name(pump, "sc-sctp-timers");
        g_source_attach(pump, a->ctx);
    } else if (g_source_get_context(pump) != a->ctx) {
        SC_LOG_WARN(a->log_id, "association on a second main context: "
                    "usrsctp timers run on the first one");
    }
    /* a unique, non-zero random id (never a pointer) */
    do {
        a->id = (guintptr)sc_random_u64();
    } while (a->id == 0 || lookup(a->id) != NULL);
    g_hash_table_insert(registry, GSIZE_TO_POINTER(a->id), a);
}

static void
global_unref(ScSctpAssoc *a)
{
    g_hash_table_remove(registry, GSIZE_TO_POINTER(a->id));
    if (--global_refs == 0) {
        sc_source_clear(&pump);
        g_hash_table_destroy(registry);
        registry = NULL;
    }
}

/* ---- events (dispatched only from process()) ---- */

static gboolean
on_idle(gpointer user_data)
{
    ScSctpAssoc *a = user_data;

    g_source_unref(a->idle);
    a->idle = NULL;
    process(a);
    return G_SOURCE_REMOVE;
}

static void
schedule(ScSctpAssoc *a)
{
    if (a->idle != NULL || a->depth > 0 || a->free_requested)
        return;
    a->idle = g_idle_source_new();
    g_source_set_callback(a->idle, on_idle, a, NULL);
    g_source_set_name(a->idle, "sc-sctp-dispatch");
    g_source_attach(a->idle, a->ctx);
}

static Event *
push_event(ScSctpAssoc *a, EvType type, guint16 sid)
{
    Event *ev = g_new0(Event, 1);

    ev->type = type;
    ev->sid = sid;
    g_queue_push_tail(&a->events, ev);
    schedule(a);
    return ev;
}

static void
event_free(Event *ev)
{
    if (ev->error != NULL)
        g_error_free(ev->error);
    g_free(ev->label);
    g_free(ev->protocol);
    g_free(ev);
}

#define S(x) (1u << SC_SCTP_STATE_##x)
static const guint state_next[SC_SCTP_N_STATES] = {
    [SC_SCTP_STATE_NEW] = S(CONNECTING) | S(CLOSED) | S(FAILED),
    [SC_SCTP_STATE_CONNECTING] = S(CONNECTED) | S(CLOSED) | S(FAILED),
    [SC_SCTP_STATE_CONNECTED] = S(CLOSED) | S(FAILED),
    [SC_SCTP_STATE_CLOSED] = 0,
    [SC_SCTP_STATE_FAILED] = 0,
};
#undef S

/* The only writer of a->state. Takes @error. */
static void
set_state(ScSctpAssoc *a, ScSctpState next, GError *error)
{
    ScSctpState prev = a->state;
    Event *ev;

    if (prev == next || (state_next[prev] & (1u << next)) == 0) {
        if (prev != next)
            SC_LOG_DEBUG(a->log_id, "ignored transition %s -> %s",
                         sc_sctp_state_to_string(prev),
                         sc_sctp_state_to_string(next));
        if (error != NULL)
            g_error_free(error);
        return;
    }
    a->state = next;
    SC_LOG_DEBUG(a->log_id, "%s -> %s%s%s", sc_sctp_state_to_string(prev),
                 sc_sctp_state_to_string(next), error ? ": " : "",
                 error ? error->message : "");
    ev = push_event(a, EV_STATE, 0);
    ev->state = next;
    ev->error = error;
}

/* ---- channels ---- */

static void
pending_free(gpointer p)
{
    g_free(p);
}

static void
channel_free(gpointer data)
{
    Channel *ch = data;

    g_queue_clear_full(&ch->pending, pending_free);
    g_free(ch->label);
    g_free(ch->protocol);
    g_free(ch);
}

static Channel *
channel_get(ScSctpAssoc *a, guint16 sid)
{
    return g_hash_table_lookup(a->channels, GUINT_TO_POINTER(sid));
}

static Channel *
channel_add(ScSctpAssoc *a, guint16 sid, gboolean remote)
{
    Channel *ch = g_new0(Channel, 1);

    ch->sid = sid;
    ch->remote = remote;
    if (remote)
        a->n_remote++;
    ch->max_rexmit = -1;
    ch->max_lifetime = -1;
    g_queue_init(&ch->pending);
    g_hash_table_insert(a->channels, GUINT_TO_POINTER(sid), ch);
    return ch;
}

/* @ch has something for flush(): queued messages or a reset wanted. */
static void
want_flush(ScSctpAssoc *a, Channel *ch)
{
    if (ch->in_work)
        return;
    ch->work_link.data = ch;
    g_queue_push_tail_link(&a->work, &ch->work_link);
    ch->in_work = TRUE;
}

static void
work_remove(ScSctpAssoc *a, Channel *ch)
{
    if (!ch->in_work)
        return;
    g_queue_unlink(&a->work, &ch->work_link);
    ch->in_work = FALSE;
}

static Pending *
pending_new(guint32 ppid, const guint8 *data, gsize len, gboolean control)
{
    gsize wire_len = len == 0 ? 1 : len;
    Pending *p = g_malloc(sizeof(Pending) + wire_len);

    p->ppid = ppid;
    p->control = control;
    p->counted = !control;
    p->len = len;
    p->wire_len = wire_len;
    if (len == 0)
        p->data[0] = 0; /* RFC 8831 section 6.6: one zero byte */
    else
        memcpy(p->data, data, len);
    return p;
}

static void
buffered_decrease(ScSctpAssoc *a, Channel *ch, Pending *p)
{
    gsize before = ch->buffered;

    if (!p->counted)
        return;
    ch->buffered -= MIN(ch->buffered, p->len);
    if (before > ch->threshold && ch->buffered <= ch->threshold &&
        ch->state != CH_CLOSING)
        push_event(a, EV_BUF_LOW, ch->sid);
}

static void
pending_drop_all(Channel *ch)
{
    g_queue_clear_full(&ch->pending, pending_free);
    g_queue_init(&ch->pending);
    ch->buffered = 0;
}

static void
set_finished(ScSctpAssoc *a, Channel *ch)
{
    if (ch->finished)
        return;
    ch->finished = TRUE;
    a->n_finished++;
}

/* Begins RFC 8831 section 6.7 closing: flush our queue, then reset our
 * outgoing stream. A stream never used on the wire closes at once. */
static void
channel_start_close(ScSctpAssoc *a, Channel *ch, gboolean drop_pending)
{
    if (drop_pending)
        pending_drop_all(ch);
    if (ch->state == CH_CLOSING)
        return;
    ch->state = CH_CLOSING;
    if (!ch->used && !ch->remote && a->state != SC_SCTP_STATE_CONNECTED) {
        set_finished(a, ch);
        return;
    }
    ch->reset_wanted = !ch->out_reset;
    want_flush(a, ch);
}

static void
channel_check_finished(ScSctpAssoc *a, Channel *ch)
{
    if (ch->in_reset && ch->out_reset)
        set_finished(a, ch);
}

/* Removes finished channels, reporting the announced ones. */
static gboolean
reap(ScSctpAssoc *a)
{
    GHashTableIter it;
    gpointer value;
    gboolean any = FALSE;

    if (a->n_finished == 0)
        return FALSE; /* the common case: no walk per packet */
    g_hash_table_iter_init(&it, a->channels);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Channel *ch = value;
        if (!ch->finished)
            continue;
        SC_LOG_DEBUG(a->log_id, "channel %u closed", ch->sid);
        if (ch->announced)
            push_event(a, EV_CH_CLOSED, ch->sid);
        if (ch->remote)
            a->n_remote--;
        a->n_finished--;
        work_remove(a, ch);
        g_hash_table_iter_remove(&it);
        any = TRUE;
    }
    return any;
}

/* The association is over: every channel is closed. */
static void
teardown_channels(ScSctpAssoc *a)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, a->channels);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Channel *ch = value;
        pending_drop_all(ch);
        set_finished(a, ch);
    }
    reap(a);
    a->reasm_active = FALSE;
    g_byte_array_set_size(a->reasm, 0);
}

static void
assoc_end(ScSctpAssoc *a, ScSctpState state, GError *error)
{
    if (a->state == SC_SCTP_STATE_CLOSED || a->state == SC_SCTP_STATE_FAILED) {
        if (error != NULL)
            g_error_free(error);
        return;
    }
    teardown_channels(a);
    set_state(a, state, error);
}

/* ---- sending ---- */

typedef enum { SEND_OK, SEND_BLOCKED, SEND_ERROR } SendResult;

static SendResult
send_one(ScSctpAssoc *a, Channel *ch, const Pending *p)
{
    struct sctp_sendv_spa spa;
    ssize_t n;

    memset(&spa, 0, sizeof(spa));
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = ch->sid;
    spa.sendv_sndinfo.snd_ppid = htonl(p->ppid);
    if (!p->control) {
        /* RFC 8832 section 6: ordered until the ACK or a message arrived */
        if (!ch->ordered && ch->acked)
            spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
        if (ch->max_rexmit >= 0) {
            spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
            spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
            spa.sendv_prinfo.pr_value = (uint32_t)ch->max_rexmit;
        } else if (ch->max_lifetime >= 0) {
            spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
            spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
            spa.sendv_prinfo.pr_value = (uint32_t)ch->max_lifetime;
        }
    }
    n = usrsctp_sendv(a->sock, p->data, p->wire_len, NULL, 0, &spa,
                      (socklen_t)sizeof(spa), SCTP_SENDV_SPA, 0);
    if (n >= 0)
        return SEND_OK;
    if (errno == EWOULDBLOCK || errno == EAGAIN)
        return SEND_BLOCKED;
    SC_LOG_WARN(a->log_id, "send on stream %u (%" G_GSIZE_FORMAT
                " bytes) failed: %s", ch->sid, p->wire_len,
                g_strerror(errno));
    return SEND_ERROR;
}

static void
request_streams(ScSctpAssoc *a, guint16 sid)
{
    struct sctp_add_streams sas;
    guint want;

    if (a->add_streams_pending)
        return;
    want = MIN((guint)sid + 1 + 16, (guint)N_STREAMS) - a->n_out_streams;
    memset(&sas, 0, sizeof(sas));
    sas.sas_assoc_id = SCTP_ALL_ASSOC;
    sas.sas_outstrms = (uint16_t)want;
    if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_ADD_STREAMS, &sas,
                           (socklen_t)sizeof(sas)) == 0) {
        SC_LOG_DEBUG(a->log_id, "asked for %u more outgoing streams", want);
        a->add_streams_pending = TRUE;
    } else {
        SC_LOG_DEBUG(a->log_id, "adding streams failed: %s",
                     g_strerror(errno));
    }
}

static gboolean
do_reset(ScSctpAssoc *a, Channel *ch)
{
    gsize size = sizeof(struct sctp_reset_streams) + sizeof(uint16_t);
    struct sctp_reset_streams *srs = g_malloc0(size);
    int rc;

    srs->srs_assoc_id = SCTP_ALL_ASSOC;
    srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    srs->srs_number_streams = 1;
    srs->srs_stream_list[0] = ch->sid;
    rc = usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs,
                            (socklen_t)size);
    g_free(srs);
    if (rc == 0) {
        SC_LOG_DEBUG(a->log_id, "reset of outgoing stream %u requested",
                     ch->sid);
        ch->reset_wanted = FALSE;
        ch->reset_inflight = TRUE;
        return TRUE;
    }
    if (errno == EALREADY || errno == EBUSY || errno == EAGAIN ||
        errno == EINPROGRESS)
        return FALSE; /* another request is outstanding: retry later */
    SC_LOG_WARN(a->log_id, "reset of stream %u failed: %s", ch->sid,
                g_strerror(errno));
    ch->reset_wanted = FALSE;
    ch->out_reset = TRUE; /* give up on a clean reset */
    ch->in_reset = TRUE;
    channel_check_finished(a, ch);
    return TRUE;
}

/* Our channel is open once its DATA_CHANNEL_OPEN has gone to SCTP: RFC
 * 8832 §6 lets the opener send from then on (ordered until the peer's
 * ACK or first message), and Chrome and Firefox report their channels
 * open at that point too. */
static void
channel_opened(ScSctpAssoc *a, Channel *ch)
{
    Event *ev;

    ch->state = CH_OPEN;
    ev = push_event(a, EV_CH_OPEN, ch->sid);
    ev->label = g_steal_pointer(&ch->label);
    ev->protocol = g_steal_pointer(&ch->protocol);
}

/* Hands queued messages to usrsctp until its buffer is full. */
static gboolean
flush(ScSctpAssoc *a)
{
    GList *l, *next;
    gboolean progress = FALSE;

    if (a->state != SC_SCTP_STATE_CONNECTED || a->sock == NULL ||
        a->close_requested)
        return FALSE;
    for (l = a->work.head; l != NULL; l = next) {
        Channel *ch = l->data;
        Pending *p;

        next = l->next; /* nothing below unlinks another channel */
        if (ch->finished) {
            work_remove(a, ch);
            continue;
        }
        if (ch->sid >= a->n_out_streams) {
            if (!g_queue_is_empty(&ch->pending) || ch->reset_wanted)
                request_streams(a, ch->sid);
            else
                work_remove(a, ch);
            continue;
        }
        while ((p = g_queue_peek_head(&ch->pending)) != NULL) {
            SendResult r = send_one(a, ch, p);
            if (r == SEND_BLOCKED)
                return progress;
            g_queue_pop_head(&ch->pending);
            if (r == SEND_OK)
                ch->used = TRUE;
            if (r == SEND_OK && p->control && !ch->remote &&
                ch->state == CH_OPENING)
                channel_opened(a, ch); /* our DATA_CHANNEL_OPEN is out */
            buffered_decrease(a, ch, p);
            g_free(p);
            progress = TRUE;
        }
        if (ch->reset_wanted && do_reset(a, ch))
            progress = TRUE;
        if (!ch->reset_wanted)
            work_remove(a, ch); /* queue empty, no reset to ask for */
    }
    return progress;
}

/* ---- receiving ---- */

static void
emit_pending_events(ScSctpAssoc *a);

/* RFC 8832 section 6: a DATA_CHANNEL_OPEN we do not accept gets no ACK
 * and its stream is reset, which the opener sees as its channel closing.
 * The refusal keeps a label-less record until the reset completes; with
 * twice SC_SCTP_MAX_REMOTE_CHANNELS peer records already (a peer opening
 * faster than resets complete) the OPEN is dropped without one (its
 * stream stays unusable: what arrives on it is dropped). Logged and reported once per
 * association, counted always. */
static void
refuse_open(ScSctpAssoc *a, Channel *ch, guint16 sid, const char *why)
{
    Event *ev;

    if (a->refused++ == 0) {
        SC_LOG_WARN(a->log_id, "refusing DATA_CHANNEL_OPEN on stream %u "
                    "(%s); further refusals are only counted", sid, why);
        ev = push_event(a, EV_CH_REFUSED, sid);
        ev->why = why;
    } else {
        SC_LOG_DEBUG(a->log_id, "refusing DATA_CHANNEL_OPEN on stream %u "
                     "(%s): %" G_GUINT64_FORMAT " so far", sid, why,
                     a->refused);
    }
    if (ch == NULL) {
        if (a->n_remote >= 2 * SC_SCTP_MAX_REMOTE_CHANNELS)
            return;
        ch = channel_add(a, sid, TRUE);
        ch->used = TRUE;
    }
    channel_start_close(a, ch, TRUE);
}

static void
handle_dcep(ScSctpAssoc *a, guint16 sid, const guint8 *data, gsize len)
{
    Channel *ch = channel_get(a, sid);

    if (sc_dcep_is_open(data, len)) {
        ScDcepOpen o;
        gboolean parity_ok = ((sid % 2) == 0) != a->dtls_client;
        static const guint8 ack = SC_DCEP_MSG_ACK;
        gsize label_len = 0, protocol_len = 0;
        Event *ev;
        guint kind;

        /* checked before anything is copied */
        if (ch != NULL) {
            refuse_open(a, ch, sid, "stream in use");
            return;
        }
        if (!parity_ok) {
            refuse_open(a, NULL, sid, "wrong stream id parity");
            return;
        }
        if (sc_dcep_open_text_lengths(data, len, &label_len, &protocol_len) &&
            (label_len > SC_SCTP_MAX_LABEL_LEN ||
             protocol_len > SC_SCTP_MAX_LABEL_LEN)) {
            refuse_open(a, NULL, sid, "label or protocol longer than "
                        G_STRINGIFY(SC_SCTP_MAX_LABEL_LEN) " bytes");
            return;
        }
        if (a->n_remote >= SC_SCTP_MAX_REMOTE_CHANNELS) {
            refuse_open(a, NULL, sid, "more than "
                        G_STRINGIFY(SC_SCTP_MAX_REMOTE_CHANNELS)
                        " channels opened by the peer");
            return;
        }
        if (sc_dcep_parse_open(data, len, &o) != SC_OK) {
            refuse_open(a, NULL, sid, "malformed");
            return;
        }
        ch = channel_add(a, sid, TRUE);
        ch->announced = TRUE;
        ch->state = CH_OPEN;
        ch->acked = TRUE;
        ch->ordered = (o.channel_type & SC_DCEP_UNORDERED_BIT) == 0;
        kind = o.channel_type & ~(guint)SC_DCEP_UNORDERED_BIT;
        if (kind == SC_DCEP_PARTIAL_RELIABLE_REXMIT)
            ch->max_rexmit = (int)MIN(o.reliability, (guint32)G_MAXINT);
        else if (kind == SC_DCEP_PARTIAL_RELIABLE_TIMED)
            ch->max_lifetime = (int)MIN(o.reliability, (guint32)G_MAXINT);
        g_queue_push_tail(&ch->pending,
                          pending_new(SC_PPID_DCEP, &ack, 1, TRUE));
        want_flush(a, ch);
        /* the label is the peer's text: at most 64 bytes of it, and log
         * sinks that reach a terminal escape it (the CLI does) */
        SC_LOG_DEBUG(a->log_id, "remote channel %u opened: '%.*s' (label of %"
                     G_GSIZE_FORMAT " bytes)", sid,
                     (int)MIN(o.label_len, (gsize)64),
                     o.label != NULL ? o.label : "", o.label_len);
        ev = push_event(a, EV_CH_OPEN, sid);
        ev->remote = TRUE;
        ev->label = g_steal_pointer(&o.label);
        ev->protocol = g_steal_pointer(&o.protocol);
        sc_dcep_open_clear(&o);
    } else if (sc_dcep_is_ack(data, len)) {
        if (ch == NULL || ch->remote) {
            SC_LOG_DEBUG(a->log_id, "stray DATA_CHANNEL_ACK on stream %u", sid);
            return;
        }
        ch->acked = TRUE;
        if (ch->state == CH_OPENING)
            channel_opened(a, ch);
    } else {
        SC_LOG_DEBUG(a->log_id, "unknown DCEP message type %u on stream %u",
                     len > 0 ? data[0] : 0, sid);
    }
}

static void
handle_message(ScSctpAssoc *a, guint16 sid, guint32 ppid,
               const guint8 *data, gsize len)
{
    Channel *ch;
    gboolean binary;

    if (ppid == SC_PPID_DCEP) {
        handle_dcep(a, sid, data, len);
        return;
    }
    ch = channel_get(a, sid);
    if (ch == NULL || ch->finished) {
        SC_LOG_DEBUG(a->log_id, "message on unknown stream %u dropped", sid);
        return;
    }
    switch (ppid) {
    case SC_PPID_STRING:
    case SC_PPID_STRING_PARTIAL:
        binary = FALSE;
        break;
    case SC_PPID_BINARY:
    case SC_PPID_BINARY_PARTIAL:
        binary = TRUE;
        break;
    case SC_PPID_STRING_EMPTY:
        binary = FALSE;
        len = 0;
        break;
    case SC_PPID_BINARY_EMPTY:
        binary = TRUE;
        len = 0;
        break;
    default:
        /* RFC 8831 section 6.6: SHOULD close the channel */
        SC_LOG_WARN(a->log_id, "unsupported PPID %u on stream %u: closing",
                    ppid, sid);
        channel_start_close(a, ch, TRUE);
        return;
    }
    if (!ch->acked && !ch->remote) {
        /* RFC 8832 section 6: any message counts as an ACK */
        ch->acked = TRUE;
        if (ch->state == CH_OPENING)
            channel_opened(a, ch);
    }
    if (ch->in_reset)
        return;
    emit_pending_events(a); /* open before its first message */
    if (a->free_requested)
        return;
    if (a->cb.on_message != NULL)
        a->cb.on_message(a->user_data, sid, binary, len > 0 ? data : NULL,
                         len);
}

static void
handle_assoc_change(ScSctpAssoc *a, const struct sctp_assoc_change *sac)
{
    switch (sac->sac_state) {
    case SCTP_COMM_UP: {
        struct sctp_status st;
        socklen_t sl = (socklen_t)sizeof(st);

        memset(&st, 0, sizeof(st));
        a->n_out_streams = sac->sac_outbound_streams;
        if (usrsctp_getsockopt(a->sock, IPPROTO_SCTP, SCTP_STATUS, &st,
                               &sl) == 0)
            a->n_out_streams = st.sstat_outstrms;
        SC_LOG_INFO(a->log_id, "association up: %u out / %u in streams, "
                    "path MTU %u", a->n_out_streams, sac->sac_inbound_streams,
                    st.sstat_primary.spinfo_mtu);
        set_state(a, SC_SCTP_STATE_CONNECTED, NULL);
        break;
    }
    case SCTP_COMM_LOST:
    case SCTP_CANT_STR_ASSOC:
        if (a->close_requested)
            assoc_end(a, SC_SCTP_STATE_CLOSED, NULL);
        else
            assoc_end(a, SC_SCTP_STATE_FAILED,
                      g_error_new(SC_ERROR, SC_ERROR_SCTP_FAILED,
                                  sac->sac_state == SCTP_COMM_LOST
                                      ? "SCTP association lost"
                                      : "SCTP association could not start"));
        break;
    case SCTP_SHUTDOWN_COMP:
        assoc_end(a, SC_SCTP_STATE_CLOSED, NULL);
        break;
    case SCTP_RESTART:
        SC_LOG_WARN(a->log_id, "peer restarted the association");
        break;
    default:
        break;
    }
}

static void
handle_stream_reset(ScSctpAssoc *a, const struct sctp_stream_reset_event *ev,
                    gsize len)
{
    gsize n = 0;
    guint16 flags = ev->strreset_flags;
    GPtrArray *list = g_ptr_array_new();

    if (len > sizeof(*ev))
        n = (len - sizeof(*ev)) / sizeof(uint16_t);
    if (n == 0) {
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, a->channels);
        while (g_hash_table_iter_next(&it, NULL, &value))
            g_ptr_array_add(list, value);
    } else {
        for (gsize i = 0; i < n; i++) {
            Channel *ch = channel_get(a, ev->strreset_stream_list[i]);
            if (ch != NULL)
                g_ptr_array_add(list, ch);
        }
    }
    for (guint i = 0; i < list->len; i++) {
        Channel *ch = list->pdata[i];
        if (flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) {
            if ((flags & SCTP_STREAM_RESET_OUTGOING_SSN) && ch->reset_inflight) {
                ch->reset_inflight = FALSE;
                if (++ch->reset_retries > MAX_RESET_RETRIES) {
                    SC_LOG_WARN(a->log_id, "peer refuses to reset stream %u",
                                ch->sid);
                    ch->out_reset = ch->in_reset = TRUE;
                    channel_check_finished(a, ch);
                } else {
                    ch->reset_wanted = TRUE;
                    want_flush(a, ch);
                }
            }
            continue;
        }
        if (flags & SCTP_STREAM_RESET_INCOMING_SSN) {
            ch->in_reset = TRUE;
            if (!ch->out_reset && !ch->reset_inflight && !ch->reset_wanted) {
                /* RFC 8831 section 6.7: reset ours in turn */
                SC_LOG_DEBUG(a->log_id, "peer closed stream %u", ch->sid);
                channel_start_close(a, ch, TRUE);
                ch->reset_wanted = !ch->out_reset && !ch->reset_inflight;
                want_flush(a, ch);
            }
        }
        if (flags & SCTP_STREAM_RESET_OUTGOING_SSN) {
            ch->out_reset = TRUE;
            ch->reset_inflight = FALSE;
            ch->reset_wanted = FALSE;
        }
        channel_check_finished(a, ch);
    }
    g_ptr_array_free(list, TRUE);
}

static void
handle_notification(ScSctpAssoc *a, const guint8 *buf, gsize len)
{
    const union sctp_notification *n = (const void *)buf;

    if (len < sizeof(n->sn_header))
        return;
    switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
        if (len >= sizeof(struct sctp_assoc_change))
            handle_assoc_change(a, &n->sn_assoc_change);
        break;
    case SCTP_STREAM_RESET_EVENT:
        if (len >= sizeof(struct sctp_stream_reset_event))
            handle_stream_reset(a, &n->sn_strreset_event, len);
        break;
    case SCTP_STREAM_CHANGE_EVENT:
        if (len >= sizeof(struct sctp_stream_change_event)) {
            const struct sctp_stream_change_event *sc = &n->sn_strchange_event;
            a->add_streams_pending = FALSE;
            if (sc->strchange_flags &
                (SCTP_STREAM_CHANGE_DENIED | SCTP_STREAM_CHANGE_FAILED))
                SC_LOG_WARN(a->log_id, "peer refused more streams");
            else
                a->n_out_streams = sc->strchange_outstrms;
        }
        break;
    case SCTP_SEND_FAILED_EVENT:
        SC_LOG_TRACE(a->log_id, "message on stream %u abandoned (%s)",
                     n->sn_send_failed_event.ssfe_info.snd_sid,
                     (n->sn_send_failed_event.ssfe_flags & SCTP_DATA_SENT)
                         ? "sent" : "unsent");
        break;
    case SCTP_SHUTDOWN_EVENT:
        SC_LOG_DEBUG(a->log_id, "peer shut the association down");
        break;
    case SCTP_PARTIAL_DELIVERY_EVENT:
        SC_LOG_DEBUG(a->log_id, "partial delivery aborted");
        a->reasm_active = FALSE;
        g_byte_array_set_size(a->reasm, 0);
        break;
    case SCTP_SENDER_DRY_EVENT:
    default:
        break;
    }
}

/* One piece of a user message. */
static void
handle_data(ScSctpAssoc *a, const struct sctp_rcvinfo *info, const guint8 *buf,
            gsize n, gboolean eor)
{
    guint16 sid = info->rcv_sid;
    guint32 ppid = ntohl(info->rcv_ppid);

    if (a->reasm_active && (a->reasm_sid != sid || a->reasm_ppid != ppid)) {
        SC_LOG_WARN(a->log_id, "interleaved partial message on stream %u "
                    "dropped", a->reasm_sid);
        a->reasm_active = FALSE;
        g_byte_array_set_size(a->reasm, 0);
    }
    if (!a->reasm_active && eor) {
        handle_message(a, sid, ppid, buf, n); /* common case: no copy */
        return;
    }
    if (!a->reasm_active) {
        a->reasm_active = TRUE;
        a->reasm_drop = FALSE;
        a->reasm_sid = sid;
        a->reasm_ppid = ppid;
    }
    if (!a->reasm_drop && a->reasm->len + n > LOCAL_MAX_MESSAGE_SIZE) {
        Channel *ch = channel_get(a, sid);
        SC_LOG_WARN(a->log_id, "message on stream %u exceeds %u bytes: "
                    "dropped, closing the channel", sid,
                    LOCAL_MAX_MESSAGE_SIZE);
        a->reasm_drop = TRUE;
        g_byte_array_set_size(a->reasm, 0);
        if (ch != NULL)
            channel_start_close(a, ch, TRUE);
    }
    if (!a->reasm_drop)
        g_byte_array_append(a->reasm, buf, (guint)n);
    if (eor) {
        a->reasm_active = FALSE;
        if (!a->reasm_drop)
            handle_message(a, sid, ppid, a->reasm->data, a->reasm->len);
        g_byte_array_set_size(a->reasm, 0);
    }
}

static gboolean
read_socket(ScSctpAssoc *a)
{
    gboolean progress = FALSE;

    while (a->sock != NULL && !a->free_requested) {
        struct sctp_rcvinfo info;
        socklen_t infolen = (socklen_t)sizeof(info);
        unsigned int infotype = 0;
        struct sockaddr_conn from;
        socklen_t fromlen = (socklen_t)sizeof(from);
        int flags = 0;
        ssize_t n;

        memset(&info, 0, sizeof(info));
        n = usrsctp_recvv(a->sock, rbuf, RBUF_SIZE, (struct sockaddr *)&from,
                          &fromlen, &info, &infolen, &infotype, &flags);
        if (n < 0) {
            if (errno != EWOULDBLOCK && errno != EAGAIN && errno != ENOTCONN)
                SC_LOG_DEBUG(a->log_id, "recv: %s", g_strerror(errno));
            break;
        }
        if (n == 0 && !(flags & MSG_NOTIFICATION))
            break; /* EOF after SHUTDOWN */
        progress = TRUE;
        if (flags & MSG_NOTIFICATION) {
            if (!(flags & MSG_EOR) || a->notif->len > 0) {
                g_byte_array_append(a->notif, rbuf, (guint)n);
                if (!(flags & MSG_EOR))
                    continue;
                handle_notification(a, a->notif->data, a->notif->len);
                g_byte_array_set_size(a->notif, 0);
            } else {
                handle_notification(a, rbuf, (gsize)n);
            }
            continue;
        }
        if (infotype != SCTP_RECVV_RCVINFO) {
            SC_LOG_DEBUG(a->log_id, "data without rcvinfo dropped");
            continue;
        }
        handle_data(a, &info, rbuf, (gsize)n, (flags & MSG_EOR) != 0);
    }
    return progress;
}

/* ---- dispatch ---- */

static void
dispatch(ScSctpAssoc *a, Event *ev)
{
    switch (ev->type) {
    case EV_STATE:
        if (a->cb.on_state != NULL)
            a->cb.on_state(a->user_data, ev->state, ev->error);
        break;
    case EV_CH_OPEN:
        if (a->cb.on_channel_open != NULL)
            a->cb.on_channel_open(a->user_data, ev->sid, ev->label,
                                  ev->protocol, ev->remote);
        break;
    case EV_CH_CLOSED:
        if (a->cb.on_channel_closed != NULL)
            a->cb.on_channel_closed(a->user_data, ev->sid);
        break;
    case EV_BUF_LOW:
        if (a->cb.on_buffered_amount_low != NULL)
            a->cb.on_buffered_amount_low(a->user_data, ev->sid);
        break;
    case EV_CH_REFUSED:
        if (a->cb.on_channel_refused != NULL)
            a->cb.on_channel_refused(a->user_data, ev->sid, ev->why);
        break;
    }
}

static void
emit_pending_events(ScSctpAssoc *a)
{
    Event *ev;

    while (!a->free_requested && (ev = g_queue_pop_head(&a->events)) != NULL) {
        dispatch(a, ev);
        event_free(ev);
    }
}

static void real_free(ScSctpAssoc *a);

/* sc_sctp_assoc_shutdown(): once no channel holds a message we have not
 * handed to usrsctp (nor an event that would queue more, such as a local
 * channel reported open whose user flushes its own queue then), SHUTDOWN.
 * usrsctp sends what it holds first; SHUTDOWN_COMPLETE (RFC 9260 §9.2)
 * means the peer acknowledged all of it. */
static void
shutdown_if_drained(ScSctpAssoc *a)
{
    if (!a->drain_requested || a->close_requested)
        return;
    if (a->state != SC_SCTP_STATE_CONNECTED || a->sock == NULL)
        return; /* CLOSED or FAILED is reported on its own */
    if (!g_queue_is_empty(&a->events))
        return;
    for (GList *l = a->work.head; l != NULL; l = l->next) {
        Channel *ch = l->data;
        if (!ch->finished && !g_queue_is_empty(&ch->pending))
            return;
    }
    a->close_requested = TRUE;
    SC_LOG_DEBUG(a->log_id, "everything queued is handed over: shutting "
                 "down");
    if (usrsctp_shutdown(a->sock, SHUT_WR) == 0)
        return; /* CLOSED when SHUTDOWN_COMPLETE arrives */
    SC_LOG_DEBUG(a->log_id, "shutdown: %s", g_strerror(errno));
    usrsctp_close(a->sock); /* linger 0: ABORT */
    a->sock = NULL;
    assoc_end(a, SC_SCTP_STATE_CLOSED, NULL);
}

/* Runs usrsctp's output through our handlers and callbacks until
 * nothing moves. The only place user callbacks (except send) run. */
static void
process(ScSctpAssoc *a)
{
    if (a->depth > 0)
        return; /* the outer loop picks the work up */
    a->depth++;
    for (guint round = 0; round < 10000 && !a->free_requested; round++) {
        gboolean progress = FALSE;

        progress |= read_socket(a);
        progress |= flush(a);
        progress |= reap(a);
        if (!g_queue_is_empty(&a->events)) {
            emit_pending_events(a);
            progress = TRUE;
        }
        if (!progress)
            break;
    }
    if (!a->free_requested)
        shutdown_if_drained(a);
    a->depth--;
    if (a->free_requested)
        real_free(a);
}

/* ---- public entry points ---- */

static gboolean
set_opt(ScSctpAssoc *a, int level, int name, const void *val, gsize len,
        const char *what, GError **error)
{
    if (usrsctp_setsockopt(a->sock, level, name, val, (socklen_t)len) == 0)
        return TRUE;
    g_set_error(error, SC_ERROR, SC_ERROR_SCTP_FAILED, "usrsctp %s: %s", what,
                g_strerror(errno));
    return FALSE;
}

static gboolean
configure_socket(ScSctpAssoc *a, GError **error)
{
    static const uint16_t events[] = {
        SCTP_ASSOC_CHANGE,     SCTP_STREAM_RESET_EVENT,
        SCTP_SENDER_DRY_EVENT, SCTP_STREAM_CHANGE_EVENT,
        SCTP_SEND_FAILED_EVENT, SCTP_SHUTDOWN_EVENT,
        SCTP_PARTIAL_DELIVERY_EVENT,
    };
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    struct sctp_assoc_value av;
    struct sctp_initmsg init;
    struct sctp_paddrparams pp;
    struct sockaddr_conn sconn;
    int one = 1;
    int bufsize = SOCK_BUF_SIZE;

    if (usrsctp_set_non_blocking(a->sock, 1) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_SCTP_FAILED,
                    "usrsctp non-blocking: %s", g_strerror(errno));
        return FALSE;
    }
    if (!set_opt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg), "SO_LINGER",
                 error) ||
        !set_opt(a, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize),
                 "SO_SNDBUF", error) ||
        !set_opt(a, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize),
                 "SO_RCVBUF", error) ||
        !set_opt(a, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one),
                 "SCTP_NODELAY", error) ||
        !set_opt(a, IPPROTO_SCTP, SCTP_RECVRCVINFO, &one, sizeof(one),
                 "SCTP_RECVRCVINFO", error))
        return FALSE;

    memset(&av, 0, sizeof(av));
    av.assoc_id = SCTP_FUTURE_ASSOC;
    av.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ | SCTP_ENABLE_CHANGE_ASSOC_REQ;
    if (!set_opt(a, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av),
                 "SCTP_ENABLE_STREAM_RESET", error))
        return FALSE;

    for (gsize i = 0; i < G_N_ELEMENTS(events); i++) {
        struct sctp_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.se_assoc_id = SCTP_FUTURE_ASSOC;
        ev.se_type = events[i];
        ev.se_on = 1;
        if (!set_opt(a, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev),
                     "SCTP_EVENT", error))
            return FALSE;
    }

    memset(&init, 0, sizeof(init));
    init.sinit_num_ostreams = INIT_STREAMS;
    init.sinit_max_instreams = N_STREAMS;
    if (!set_opt(a, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init),
                 "SCTP_INITMSG", error))
        return FALSE;

    /* RFC 8831 section 5: no ICMP-based PMTUD, start at 1200 (the layer
     * above lowers it by the DTLS record overhead, see set_path_mtu) */
    (void)pp;
    sc_sctp_assoc_set_path_mtu(a, SCTP_MTU);

    memset(&sconn, 0, sizeof(sconn));
    sconn.sconn_family = AF_CONN;
    sconn.sconn_port = htons(a->local_port);
    sconn.sconn_addr = (void *)a->id;
    if (usrsctp_bind(a->sock, (struct sockaddr *)&sconn,
                     (socklen_t)sizeof(sconn)) != 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_SCTP_FAILED,
                    "usrsctp bind to port %u: %s", a->local_port,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

ScSctpAssoc *
sc_sctp_assoc_new(GMainContext *ctx, const char *log_id, gboolean dtls_client,
                  guint16 local_port, guint16 remote_port,
                  guint64 remote_max_message_size, const ScSctpCallbacks *cb,
                  gpointer user_data, GError **error)
{
    ScSctpAssoc *a;

    g_return_val_if_fail(cb != NULL && cb->send != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    a = g_new0(ScSctpAssoc, 1);
    a->log_id = g_strdup(log_id != NULL ? log_id : "sctp");
    a->ctx = ctx != NULL ? g_main_context_ref(ctx)
                         : g_main_context_ref_thread_default();
    a->dtls_client = dtls_client;
    a->local_port = local_port;
    a->remote_port = remote_port;
    a->remote_max = remote_max_message_size;
    a->cb = *cb;
    a->user_data = user_data;
    a->state = SC_SCTP_STATE_NEW;
    a->channels = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                        channel_free);
    g_queue_init(&a->events);
    g_queue_init(&a->work);
    a->reasm = g_byte_array_new();
    a->notif = g_byte_array_new();
    global_ref(a);
    usrsctp_register_address((void *)a->id);
    a->sock = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL,
                             0, NULL);
    if (a->sock == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_SCTP_FAILED,
                    "usrsctp socket: %s", g_strerror(errno));
        real_free(a);
        return NULL;
    }
    if (!configure_socket(a, error)) {
        real_free(a);
        return NULL;
    }
    SC_LOG_DEBUG(a->log_id, "association created (DTLS %s, port %u -> %u)",
                 dtls_client ? "client" : "server", local_port, remote_port);
    return a;
}

void
sc_sctp_assoc_set_path_mtu(ScSctpAssoc *a, guint mtu)
{
    struct sctp_paddrparams pp;

    memset(&pp, 0, sizeof(pp));
    pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
    pp.spp_flags = SPP_PMTUD_DISABLE;
    pp.spp_pathmtu = mtu;
    if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
                           (socklen_t)sizeof(pp)) != 0)
        SC_LOG_WARN(a->log_id, "path MTU %u not set: %s", mtu,
                    g_strerror(errno));
    else
        SC_LOG_DEBUG(a->log_id, "path MTU %u", mtu);
}

gboolean
sc_sctp_assoc_start(ScSctpAssoc *a, GError **error)
{
    struct sockaddr_conn sconn;

    g_return_val_if_fail(a != NULL, FALSE);
    if (a->state != SC_SCTP_STATE_NEW || a->sock == NULL) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "SCTP association already started (%s)",
                    sc_sctp_state_to_string(a->state));
        return FALSE;
    }
    memset(&sconn, 0, sizeof(sconn));
    sconn.sconn_family = AF_CONN;
    sconn.sconn_port = htons(a->remote_port);
    sconn.sconn_addr = (void *)a->id;
    set_state(a, SC_SCTP_STATE_CONNECTING, NULL);
    if (usrsctp_connect(a->sock, (struct sockaddr *)&sconn,
                        (socklen_t)sizeof(sconn)) != 0 &&
        errno != EINPROGRESS) {
        int e = errno;
        g_set_error(error, SC_ERROR, SC_ERROR_SCTP_FAILED,
                    "usrsctp connect: %s", g_strerror(e));
        set_state(a, SC_SCTP_STATE_FAILED,
                  g_error_new(SC_ERROR, SC_ERROR_SCTP_FAILED,
                              "usrsctp connect: %s", g_strerror(e)));
        return FALSE;
    }
    schedule(a);
    return TRUE;
}

void
sc_sctp_assoc_receive(ScSctpAssoc *a, const guint8 *buf, gsize len)
{
    g_return_if_fail(a != NULL);
    if (buf == NULL || len == 0 || a->sock == NULL || a->free_requested)
        return;
    if (a->state != SC_SCTP_STATE_CONNECTING &&
        a->state != SC_SCTP_STATE_CONNECTED) {
        /* before start() an INIT would be answered with an ABORT */
        SC_LOG_DEBUG(a->log_id, "packet dropped in state %s",
                     sc_sctp_state_to_string(a->state));
        return;
    }
    /* RFC 9260 §6.8: a packet with a wrong checksum is discarded
     * silently (usrsctp leaves the check to us: offload) */
    if (!sc_sctp_checksum_ok(buf, len)) {
        if (a->bad_checksums++ % 1000 == 0)
            SC_LOG_DEBUG(a->log_id,
                         "packet of %" G_GSIZE_FORMAT " bytes with a wrong "
                         "checksum dropped (%" G_GUINT64_FORMAT " so far)",
                         len, a->bad_checksums);
        return;
    }
    usrsctp_conninput((void *)a->id, buf, len, 0);
    process(a);
}

guint64
sc_sctp_assoc_get_bad_checksums(ScSctpAssoc *a)
{
    g_return_val_if_fail(a != NULL, 0);
    return a->bad_checksums;
}

static gboolean
check_open_state(ScSctpAssoc *a, GError **error)
{
    if (a->close_requested || a->state == SC_SCTP_STATE_CLOSED ||
        a->state == SC_SCTP_STATE_FAILED) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "SCTP association is %s",
                    a->close_requested ? "closing"
                                       : sc_sctp_state_to_string(a->state));
        return FALSE;
    }
    return TRUE;
}

gboolean
sc_sctp_assoc_open_channel(ScSctpAssoc *a, const char *label,
                           const char *protocol, gboolean ordered,
                           int max_retransmits, int max_lifetime_ms,
                           guint16 *sid_out, GError **error)
{
    ScDcepOpen o;
    Channel *ch;
    guint8 *frame;
    gsize frame_len = 0;
    guint sid;

    g_return_val_if_fail(a != NULL, FALSE);
    if (!check_open_state(a, error))
        return FALSE;
    if (label == NULL)
        label = "";
    if (protocol == NULL)
        protocol = "";
    if (max_retransmits >= 0 && max_lifetime_ms >= 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "max_retransmits and max_lifetime are exclusive");
        return FALSE;
    }
    if (strlen(label) > G_MAXUINT16 || strlen(protocol) > G_MAXUINT16 ||
        !g_utf8_validate(label, -1, NULL) ||
        !g_utf8_validate(protocol, -1, NULL)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "label and protocol must be UTF-8 of at most 65535 bytes");
        return FALSE;
    }
    for (sid = a->dtls_client ? 0 : 1; sid <= MAX_SID; sid += 2)
        if (channel_get(a, (guint16)sid) == NULL)
            break;
    if (sid > MAX_SID) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "no free SCTP stream");
        return FALSE;
    }

    ch = channel_add(a, (guint16)sid, FALSE);
    ch->announced = TRUE;
    ch->state = CH_OPENING;
    ch->ordered = ordered;
    ch->max_rexmit = max_retransmits < 0 ? -1 : max_retransmits;
    ch->max_lifetime = max_lifetime_ms < 0 ? -1 : max_lifetime_ms;
    ch->label = g_strdup(label);
    ch->protocol = g_strdup(protocol);

    memset(&o, 0, sizeof(o));
    if (ch->max_rexmit >= 0) {
        o.channel_type = SC_DCEP_PARTIAL_RELIABLE_REXMIT;
        o.reliability = (guint32)ch->max_rexmit;
    } else if (ch->max_lifetime >= 0) {
        o.channel_type = SC_DCEP_PARTIAL_RELIABLE_TIMED;
        o.reliability = (guint32)ch->max_lifetime;
    } else {
        o.channel_type = SC_DCEP_RELIABLE;
    }
    if (!ordered)
        o.channel_type |= SC_DCEP_UNORDERED_BIT;
    o.priority = 256; /* "normal" */
    o.label = ch->label;
    o.label_len = strlen(label);
    o.protocol = ch->protocol;
    o.protocol_len = strlen(protocol);
    frame = sc_dcep_build_open(&o, &frame_len);
    g_queue_push_tail(&ch->pending,
                      pending_new(SC_PPID_DCEP, frame, frame_len, TRUE));
    want_flush(a, ch);
    g_free(frame);
    SC_LOG_DEBUG(a->log_id, "opening channel %u '%s'", sid, label);
    if (sid_out != NULL)
        *sid_out = (guint16)sid;
    flush(a);
    return TRUE;
}

gboolean
sc_sctp_assoc_get_channel_params(ScSctpAssoc *a, guint16 sid,
                                 gboolean *ordered, int *max_retransmits,
                                 int *max_lifetime_ms)
{
    Channel *ch;

    g_return_val_if_fail(a != NULL, FALSE);
    ch = channel_get(a, sid);
    if (ch == NULL || ch->finished)
        return FALSE;
    if (ordered != NULL)
        *ordered = ch->ordered;
    if (max_retransmits != NULL)
        *max_retransmits = ch->max_rexmit;
    if (max_lifetime_ms != NULL)
        *max_lifetime_ms = ch->max_lifetime;
    return TRUE;
}

/* UTF-8 that may contain U+0000 (g_utf8_validate_len refuses NUL). */
static gboolean
utf8_ok(const guint8 *data, gsize len)
{
    gsize i = 0;

    while (i < len) {
        const guint8 *nul = memchr(data + i, 0, len - i);
        gsize seg = nul != NULL ? (gsize)(nul - (data + i)) : len - i;
        if (seg > 0 &&
            !g_utf8_validate_len((const char *)data + i, seg, NULL))
            return FALSE;
        i += seg + 1;
    }
    return TRUE;
}

gboolean
sc_sctp_assoc_send(ScSctpAssoc *a, guint16 sid, gboolean binary,
                   const guint8 *data, gsize len, GError **error)
{
    Channel *ch;
    guint32 ppid;

    g_return_val_if_fail(a != NULL, FALSE);
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    if (!check_open_state(a, error))
        return FALSE;
    ch = channel_get(a, sid);
    if (ch == NULL || ch->state == CH_CLOSING || ch->finished) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "data channel %u is not open", sid);
        return FALSE;
    }
    if (a->remote_max != 0 && len > a->remote_max) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "message of %" G_GSIZE_FORMAT " bytes exceeds the peer's "
                    "max-message-size %" G_GUINT64_FORMAT, len, a->remote_max);
        return FALSE;
    }
    if (len > SOCK_BUF_SIZE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "message of %" G_GSIZE_FORMAT " bytes exceeds the SCTP "
                    "send buffer (%d)", len, SOCK_BUF_SIZE);
        return FALSE;
    }
    if (!binary && !utf8_ok(data, len)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "text message is not valid UTF-8");
        return FALSE;
    }
    if (binary)
        ppid = len == 0 ? SC_PPID_BINARY_EMPTY : SC_PPID_BINARY;
    else
        ppid = len == 0 ? SC_PPID_STRING_EMPTY : SC_PPID_STRING;
    g_queue_push_tail(&ch->pending, pending_new(ppid, data, len, FALSE));
    want_flush(a, ch);
    ch->buffered += len;
    flush(a);
    return TRUE;
}

gsize
sc_sctp_assoc_get_buffered_amount(ScSctpAssoc *a, guint16 sid)
{
    Channel *ch;

    g_return_val_if_fail(a != NULL, 0);
    ch = channel_get(a, sid);
    return ch != NULL ? ch->buffered : 0;
}

void
sc_sctp_assoc_set_buffered_amount_low_threshold(ScSctpAssoc *a, guint16 sid,
                                                gsize threshold)
{
    Channel *ch;

    g_return_if_fail(a != NULL);
    ch = channel_get(a, sid);
    if (ch != NULL)
        ch->threshold = threshold;
}

void
sc_sctp_assoc_close_channel(ScSctpAssoc *a, guint16 sid)
{
    Channel *ch;

    g_return_if_fail(a != NULL);
    ch = channel_get(a, sid);
    if (ch == NULL || ch->state == CH_CLOSING || ch->finished)
        return;
    SC_LOG_DEBUG(a->log_id, "closing channel %u", sid);
    channel_start_close(a, ch, FALSE);
    flush(a);
    schedule(a); /* reap/report from the idle source */
}

void
sc_sctp_assoc_close(ScSctpAssoc *a)
{
    g_return_if_fail(a != NULL);
    if (a->close_requested || a->state == SC_SCTP_STATE_CLOSED ||
        a->state == SC_SCTP_STATE_FAILED)
        return;
    a->close_requested = TRUE;
    if (a->state == SC_SCTP_STATE_CONNECTED && a->sock != NULL) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, a->channels);
        while (g_hash_table_iter_next(&it, NULL, &value))
            pending_drop_all(value);
        SC_LOG_DEBUG(a->log_id, "shutting down");
        if (usrsctp_shutdown(a->sock, SHUT_WR) == 0)
            return; /* CLOSED when SHUTDOWN_COMPLETE arrives */
        SC_LOG_DEBUG(a->log_id, "shutdown: %s", g_strerror(errno));
    }
    if (a->sock != NULL && a->state != SC_SCTP_STATE_NEW) {
        usrsctp_close(a->sock); /* linger 0: ABORT */
        a->sock = NULL;
    }
    assoc_end(a, SC_SCTP_STATE_CLOSED, NULL);
}

void
sc_sctp_assoc_shutdown(ScSctpAssoc *a)
{
    g_return_if_fail(a != NULL);
    if (a->state != SC_SCTP_STATE_CONNECTED || a->sock == NULL) {
        sc_sctp_assoc_close(a);
        return;
    }
    if (a->drain_requested || a->close_requested)
        return;
    SC_LOG_DEBUG(a->log_id, "graceful shutdown requested");
    a->drain_requested = TRUE;
    schedule(a); /* from the loop: no callback inside this call */
}

guint64
sc_sctp_assoc_get_refused_channels(ScSctpAssoc *a)
{
    g_return_val_if_fail(a != NULL, 0);
    return a->refused;
}

guint
sc_sctp_assoc_get_n_channels(ScSctpAssoc *a)
{
    g_return_val_if_fail(a != NULL, 0);
    return g_hash_table_size(a->channels);
}

static void
real_free(ScSctpAssoc *a)
{
    sc_source_clear(&a->idle);
    /* Unregister first: whatever usrsctp emits from now on is dropped. */
    a->free_requested = TRUE;
    global_unref(a);
    if (a->sock != NULL) {
        usrsctp_close(a->sock);
        a->sock = NULL;
    }
    usrsctp_deregister_address((void *)a->id);
    if (a->refused > 1)
        SC_LOG_INFO(a->log_id, "%" G_GUINT64_FORMAT " DATA_CHANNEL_OPENs "
                    "refused in all", a->refused);
    g_queue_clear_full(&a->events, (GDestroyNotify)event_free);
    g_hash_table_destroy(a->channels);
    g_byte_array_unref(a->reasm);
    g_byte_array_unref(a->notif);
    g_main_context_unref(a->ctx);
    g_free(a->log_id);
    g_free(a);
}

void
sc_sctp_assoc_free(ScSctpAssoc *a)
{
    if (a == NULL)
        return;
    if (a->depth > 0) {
        a->free_requested = TRUE; /* inside a callback: process() frees */
        return;
    }
    real_free(a);
}

ScSctpState
sc_sctp_assoc_get_state(ScSctpAssoc *a)
{
    g_return_val_if_fail(a != NULL, SC_SCTP_STATE_CLOSED);
    return a->state;
}
