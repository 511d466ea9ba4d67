/* src/sctp/datachannel.c - WebRTC data channels on the association's
 * streams: RFC 8831 section 6 (PR-SCTP, PPIDs, empty messages, closing by
 * stream reset) and RFC 8832 (DCEP: OPEN/ACK, stream id parity,
 * ordered-until-ACK). Owns the per-stream channel records, the opening
 * and refusal of the peer's channels and their limits, the send queues,
 * their flush into usrsctp and the buffered amounts, the stream resets
 * (and adding streams beyond the ones negotiated at INIT), the
 * reassembly of a message delivered in pieces, and the channel half of
 * the sc_sctp_assoc_*() API. The association itself is in sctp.c; the
 * DCEP frame codec is dcep.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "sctp"
#include "core/core.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <usrsctp.h>

#include "sctp/sctp.h"
#include "sctp/sctp-priv.h"
#define MAX_SID 65534            /* 65535 is reserved (W3C id range) */
#define MAX_RESET_RETRIES 5

/* ---- channels ---- */

static void
pending_free(gpointer p)
{
    g_free(p);
}

void
sc_sctp_channel_free(gpointer data)
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

/* @ch has something for sc_sctp_flush(): queued messages or a reset
 * wanted. */
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
        sc_sctp_push_event(a, EV_BUF_LOW, ch->sid);
}

void
sc_sctp_pending_drop_all(Channel *ch)
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
        sc_sctp_pending_drop_all(ch);
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
gboolean
sc_sctp_reap(ScSctpAssoc *a)
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
            sc_sctp_push_event(a, EV_CH_CLOSED, ch->sid);
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
void
sc_sctp_teardown_channels(ScSctpAssoc *a)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, a->channels);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Channel *ch = value;
        sc_sctp_pending_drop_all(ch);
        set_finished(a, ch);
    }
    sc_sctp_reap(a);
    a->reasm_active = FALSE;
    g_byte_array_set_size(a->reasm, 0);
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
    ev = sc_sctp_push_event(a, EV_CH_OPEN, ch->sid);
    ev->label = g_steal_pointer(&ch->label);
    ev->protocol = g_steal_pointer(&ch->protocol);
}

/* Hands queued messages to usrsctp until its buffer is full. */
gboolean
sc_sctp_flush(ScSctpAssoc *a)
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
        ev = sc_sctp_push_event(a, EV_CH_REFUSED, sid);
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
        ev = sc_sctp_push_event(a, EV_CH_OPEN, sid);
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
    sc_sctp_emit_pending_events(a); /* open before its first message */
    if (a->free_requested)
        return;
    if (a->cb.on_message != NULL)
        a->cb.on_message(a->user_data, sid, binary, len > 0 ? data : NULL,
                         len);
}

void
sc_sctp_handle_stream_reset(ScSctpAssoc *a,
                            const struct sctp_stream_reset_event *ev,
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

/* One piece of a user message. */
void
sc_sctp_handle_data(ScSctpAssoc *a, const struct sctp_rcvinfo *info,
                    const guint8 *buf, gsize n, gboolean eor)
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
    sc_sctp_flush(a);
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
    sc_sctp_flush(a);
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
    sc_sctp_flush(a);
    sc_sctp_schedule(a); /* reap/report from the idle source */
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

