/* src/sctp/sctp.c - the SCTP association over DTLS: RFC 8261 (SCTP over
 * DTLS, via a usrsctp AF_CONN socket), RFC 8831 section 5 (initial MTU
 * 1200, no ICMP-based PMTUD) and RFC 8841 section 10 (both ends connect
 * from the same port). Owns the process-global usrsctp setup, the id
 * registry and the timer pump (usrsctp runs without threads: its timers
 * are pumped from a 10 ms GLib timeout on the associations' context), the
 * socket options, connect and shutdown, the CRC32c check of what arrives
 * (crc32c.c computes it), reading the socket, the association's
 * notifications, the state machine and the event queue that is the only
 * way to the user's callbacks. Streams, channels and DCEP are in
 * datachannel.c; what both files share is in sctp-priv.h.
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
#include "sctp/sctp-priv.h"
#define SCTP_MTU 1200            /* RFC 8831 section 5: initial PMTU */
/* Streams negotiated at INIT. usrsctp allocates per-stream state for every
 * negotiated stream, each way (about 10 MB for 65535, and milliseconds of
 * zeroing on the setup path; about 100 bytes a stream a direction: 256
 * cost 23 KB of RSS per idle endpoint more than 32, bench/idle-calls), so
 * offer 32 outgoing streams (16 channels a side) and add streams
 * (RFC 6525) when a higher stream id is needed, up to N_STREAMS. */
#define INIT_STREAMS 32
#define TICK_MS 10
#define RBUF_SIZE (64 * 1024)
/* One receive buffer per thread, not per association (memory per idle
 * call); every association is served by its owner thread and reads are
 * not re-entered. */
static __thread guint8 rbuf[RBUF_SIZE];

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
    usrsctp_sysctl_set_sctp_rto_max_default(SC_SCTP_RTO_MAX_MS);
    usrsctp_sysctl_set_sctp_assoc_rtx_max_default(SC_SCTP_ASSOC_MAX_RTX);
    usrsctp_sysctl_set_sctp_path_rtx_max_default(SC_SCTP_ASSOC_MAX_RTX);
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

/* See SC_SCTP_PROBE_SRTT_MS: a heartbeat now and then while usrsctp's
 * round-trip estimate is far above the path's. */
static void
probe_rtt(ScSctpAssoc *a, gint64 now)
{
    struct sctp_status st;
    struct sctp_paddrparams pp;
    struct sockaddr_conn *sconn;
    socklen_t len = (socklen_t)sizeof st;

    if (a->state != SC_SCTP_STATE_CONNECTED || a->sock == NULL ||
        a->free_requested || now < a->probe_next_us)
        return;
    a->probe_next_us = now + (gint64)SC_SCTP_PROBE_INTERVAL_MS * 1000;
    memset(&st, 0, sizeof st);
    if (usrsctp_getsockopt(a->sock, IPPROTO_SCTP, SCTP_STATUS, &st, &len) !=
        0)
        return;
    if (st.sstat_primary.spinfo_srtt <= SC_SCTP_PROBE_SRTT_MS) {
        a->n_probes = 0;
        return;
    }
    if (a->n_probes >= SC_SCTP_PROBES_MAX)
        return;
    if (a->n_probes == 0)
        SC_LOG_DEBUG(a->log_id, "round-trip estimate %u ms: heartbeats to "
                                "measure the path again",
                     st.sstat_primary.spinfo_srtt);
    memset(&pp, 0, sizeof pp);
    sconn = (struct sockaddr_conn *)&pp.spp_address;
    sconn->sconn_family = AF_CONN;
    sconn->sconn_port = htons(a->remote_port);
    sconn->sconn_addr = (void *)a->id;
    pp.spp_assoc_id = st.sstat_assoc_id;
    pp.spp_flags = SPP_HB_DEMAND;
    if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
                           (socklen_t)sizeof pp) == 0)
        a->n_probes++;
}

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
            probe_rtt(a, now);
        /* processing may free it */
        a = lookup(g_array_index(ids, guintptr, i));
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

void
sc_sctp_schedule(ScSctpAssoc *a)
{
    if (a->idle != NULL || a->depth > 0 || a->free_requested)
        return;
    a->idle = g_idle_source_new();
    g_source_set_callback(a->idle, on_idle, a, NULL);
    g_source_set_name(a->idle, "sc-sctp-dispatch");
    g_source_attach(a->idle, a->ctx);
}

Event *
sc_sctp_push_event(ScSctpAssoc *a, EvType type, guint16 sid)
{
    Event *ev = g_new0(Event, 1);

    ev->type = type;
    ev->sid = sid;
    g_queue_push_tail(&a->events, ev);
    sc_sctp_schedule(a);
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
    ev = sc_sctp_push_event(a, EV_STATE, 0);
    ev->state = next;
    ev->error = error;
}

static void
assoc_end(ScSctpAssoc *a, ScSctpState state, GError *error)
{
    if (a->state == SC_SCTP_STATE_CLOSED || a->state == SC_SCTP_STATE_FAILED) {
        if (error != NULL)
            g_error_free(error);
        return;
    }
    sc_sctp_teardown_channels(a);
    set_state(a, state, error);
}

/* ---- receiving ---- */

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
            sc_sctp_handle_stream_reset(a, &n->sn_strreset_event, len);
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
        sc_sctp_handle_data(a, &info, rbuf, (gsize)n,
                            (flags & MSG_EOR) != 0);
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

void
sc_sctp_emit_pending_events(ScSctpAssoc *a)
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
        progress |= sc_sctp_flush(a);
        progress |= sc_sctp_reap(a);
        if (!g_queue_is_empty(&a->events)) {
            sc_sctp_emit_pending_events(a);
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
                                        sc_sctp_channel_free);
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
    sc_sctp_schedule(a);
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
            sc_sctp_pending_drop_all(value);
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
    sc_sctp_schedule(a); /* from the loop: no callback inside this call */
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
