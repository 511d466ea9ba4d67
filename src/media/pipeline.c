/* src/media/pipeline.c - Opus audio and VP8 video through GStreamer around
 * our own transport (no webrtcbin).
 *
 * RTP (RFC 3550) with one rtpbin session per media kind; rtpbin generates
 * RTCP SR/RR (RFC 3550 §6.4) with our CNAME (RFC 7022) and the AVPF early
 * feedback (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR). Opus RTP payload
 * (RFC 7587) and VP8 RTP payload (RFC 7741). BUNDLE + rtcp-mux: the caller
 * gives us RTP and RTCP already separated (RFC 5761 §4) and decrypted.
 *
 * Place in the stack: below call/, above nothing but core/. The caller's
 * SRTP layer calls sc_media_session_receive() with clear packets; we hand
 * clear packets to cb->send() for protection.
 *
 * Threading (STYLE C7): this is the only module with other threads.
 * GStreamer's streaming threads run the appsink callbacks, pad probes,
 * rtpbin signals; they touch only the pipeline, the thread-safe packet
 * queue and counters under s->lock. Everything reaching the caller is
 * dispatched on the owner GMainContext.
 *
 * This file owns the session: its record's life (new, add_track, start,
 * stop, free), the process-global GStreamer init, the rtpbin and the RTP
 * session of each track with its RTCP in and out, the owner-context side
 * (the packet queue drained to cb->send(), flow notifications, the flow
 * timer, the bus watch), sc_media_session_receive() and the stats. The
 * send chains are in media-send.c, the receive chains in media-recv.c, the
 * recording in media-record.c, the GStreamer helpers in media-gst.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media-priv.h"
#include "media/rtp-view.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/rtp/gstrtpdefs.h>
#include <string.h>
#include <unistd.h>

#define RTPBIN_LATENCY_MS 100
#define RTCP_MIN_INTERVAL_NS (1 * GST_SECOND)
#define FLOW_STOP_US (2 * G_USEC_PER_SEC)
#define FLOW_TIMER_MS 500
#define STOP_WAIT_US (5 * G_USEC_PER_SEC)

static void session_really_free(ScMediaSession *s);

const char *
sc_media_kind_to_string(ScMediaKind kind)
{
    switch (kind) {
    case SC_MEDIA_AUDIO:
        return "audio";
    case SC_MEDIA_VIDEO:
        return "video";
    default:
        return "?";
    }
}

/* ---- process-global GStreamer init ---- */

static gpointer
gst_init_once(gpointer data)
{
    GError **out = data;
    GError *err = NULL;

    if (!gst_init_check(NULL, NULL, &err))
        *out = err;
    return GINT_TO_POINTER(1);
}

static gboolean
media_global_init(GError **error)
{
    static GOnce once = G_ONCE_INIT;
    static GError *init_error = NULL;

    g_once(&once, gst_init_once, &init_error);
    if (init_error) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "GStreamer init failed: %s", init_error->message);
        return FALSE;
    }
    return TRUE;
}

/* ---- streaming threads -> owner context ---- */

void
sc_media_wake_owner(ScMediaSession *s)
{
    if (s->wake)
        g_source_set_ready_time(s->wake, 0);
}

/* ---- owner context: callbacks to the caller ---- */

static gboolean
cb_enter(ScMediaSession *s)
{
    if (s->stopped || s->free_pending)
        return FALSE;
    s->cb_depth++;
    return TRUE;
}

/* Returns FALSE if the session must not be touched any more (freed) or
 * must stop calling back. */
static gboolean
cb_leave(ScMediaSession *s)
{
    s->cb_depth--;
    if (s->cb_depth == 0 && s->free_pending) {
        session_really_free(s);
        return FALSE;
    }
    return !s->stopped && !s->free_pending;
}

static gboolean
emit_flow(ScMediaSession *s, Track *t, gboolean send, gboolean flowing)
{
    Flow *f = send ? &t->tx : &t->rx;

    SC_LOG_INFO(s->log_id, "%s %s %s (%" G_GUINT64_FORMAT " packets)",
                sc_media_kind_to_string(t->cfg.kind), send ? "send" : "recv",
                flowing ? "flowing" : "stopped", f->packets);
    if (!s->cb.on_flow)
        return TRUE;
    if (!cb_enter(s))
        return FALSE;
    s->cb.on_flow(s->user_data, t->cfg.kind, send, flowing, f->packets);
    return cb_leave(s);
}

static gboolean
flow_pending(ScMediaSession *s)
{
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        if (!s->have[i])
            continue;
        for (int d = 0; d < 2; d++) {
            Flow *f = d ? &s->tracks[i].tx : &s->tracks[i].rx;
            if (f->notify) {
                f->notify = FALSE;
                if (!emit_flow(s, &s->tracks[i], d == 1, TRUE))
                    return FALSE;
            }
        }
    }
    return TRUE;
}

static void
flow_packet(Flow *f, gsize len)
{
    f->packets++;
    f->bytes += len;
    f->last_us = sc_clock_now_us();
    if (!f->flowing) {
        f->flowing = TRUE;
        f->notify = TRUE;
    }
}

static gboolean
wake_dispatch(GSource *source, GSourceFunc func, gpointer data)
{
    ScMediaSession *s = data;
    OutPacket *p;

    (void)func;
    g_source_set_ready_time(source, -1);
    while (!s->stopped && (p = g_async_queue_try_pop(s->outq)) != NULL) {
        Track *t = &s->tracks[p->idx];
        GstMapInfo map;
        gboolean alive = TRUE;

        if (!p->is_rtcp && sc_media_track_muted(t)) {
            /* queued before sending stopped: it must not leave either */
            sc_media_out_packet_free(p);
            continue;
        }
        if (gst_buffer_map(p->buf, &map, GST_MAP_READ)) {
            if (!p->is_rtcp)
                flow_packet(&t->tx, map.size);
            else
                sc_media_rtcp_sent(t, map.data, map.size);
            if (s->cb.send && cb_enter(s)) {
                s->cb.send(s->user_data, map.data, map.size, p->is_rtcp);
                alive = cb_leave(s);
            }
            gst_buffer_unmap(p->buf, &map);
        }
        sc_media_out_packet_free(p);
        if (!alive)
            return G_SOURCE_CONTINUE; /* freed or stopped */
    }
    if (s->stopped)
        return G_SOURCE_CONTINUE;
    flow_pending(s);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs wake_funcs = {
    .dispatch = wake_dispatch,
};

static gboolean
on_flow_timer(gpointer data)
{
    ScMediaSession *s = data;
    gint64 now = sc_clock_now_us();

    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        if (!s->have[i])
            continue;
        for (int d = 0; d < 2; d++) {
            Flow *f = d ? &s->tracks[i].tx : &s->tracks[i].rx;
            sc_media_flow_rate(f, now);
            if (f->flowing && now - f->last_us > FLOW_STOP_US) {
                f->flowing = FALSE;
                f->notify = FALSE;
                if (!emit_flow(s, &s->tracks[i], d == 1, FALSE))
                    return G_SOURCE_CONTINUE;
            }
        }
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
    ScMediaSession *s = data;
    GError *err = NULL;
    char *dbg = NULL;

    (void)bus;
    switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_ERROR:
        gst_message_parse_error(msg, &err, &dbg);
        SC_LOG_WARN(s->log_id, "pipeline error from %s: %s (%s)",
                    GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
                    dbg ? dbg : "");
        for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
            if (!s->have[i])
                continue;
            for (int d = 0; d < 2; d++) {
                Flow *f = d ? &s->tracks[i].tx : &s->tracks[i].rx;
                if (f->flowing) {
                    f->flowing = FALSE;
                    f->notify = FALSE;
                    if (!emit_flow(s, &s->tracks[i], d == 1, FALSE))
                        goto out;
                }
            }
        }
        break;
    case GST_MESSAGE_WARNING:
        gst_message_parse_warning(msg, &err, &dbg);
        SC_LOG_DEBUG(s->log_id, "pipeline warning from %s: %s",
                     GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message);
        break;
    case GST_MESSAGE_ELEMENT: {
        const GstStructure *st = gst_message_get_structure(msg);
        guint session = 0, ssrc = 0, pt = 0;
        if (gst_structure_has_name(st, "sc-media-stream") &&
            gst_structure_get_uint(st, "session", &session) &&
            gst_structure_get_uint(st, "ssrc", &ssrc) &&
            gst_structure_get_uint(st, "pt", &pt))
            SC_LOG_DEBUG(s->log_id, "%s: receiving ssrc %08x pt %u",
                         sc_media_kind_to_string((ScMediaKind)session), ssrc,
                         pt);
        break;
    }
    default:
        break;
    }
out:
    g_clear_error(&err);
    g_free(dbg);
    return G_SOURCE_CONTINUE;
}

/* ---- construction ---- */

ScMediaSession *
sc_media_session_new(GMainContext *ctx, const char *log_id, const char *cname,
                     const ScMediaCallbacks *cb, gpointer user_data,
                     GError **error)
{
    ScMediaSession *s;
    GstStructure *sdes;

    g_return_val_if_fail(cb != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (!media_global_init(error))
        return NULL;

    s = g_new0(ScMediaSession, 1);
    s->magic = MEDIA_MAGIC;
    s->record_fd = -1;
    s->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    s->log_id = g_strdup(log_id ? log_id : "media");
    s->cname = g_strdup(cname && *cname ? cname : "sealcall");
    s->cb = *cb;
    s->user_data = user_data;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->outq = g_async_queue_new_full(sc_media_out_packet_free);

    s->pipeline = gst_pipeline_new(NULL);
    /* RTP timestamps follow wall time, and a capture device's clock
     * (pulsesrc provides one) would stop when sending stops and the
     * device is released (media-mute.c) */
    {
        GstClock *clock = gst_system_clock_obtain();
        gst_pipeline_use_clock(GST_PIPELINE(s->pipeline), clock);
        gst_object_unref(clock);
    }
    s->rtpbin = gst_element_factory_make("rtpbin", NULL);
    if (!s->rtpbin) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "GStreamer element 'rtpbin' is missing "
                    "(gstreamer1.0-plugins-good)");
        sc_media_session_free(s);
        return NULL;
    }
    sdes = gst_structure_new("application/x-rtp-source-sdes", "cname",
                             G_TYPE_STRING, s->cname, NULL);
    g_object_set(s->rtpbin, "latency", (guint)RTPBIN_LATENCY_MS, "do-lost",
                 TRUE, "rtp-profile", GST_RTP_PROFILE_SAVPF, "sdes", sdes,
                 NULL);
    gst_structure_free(sdes);
    g_signal_connect(s->rtpbin, "request-pt-map",
                     G_CALLBACK(sc_media_on_request_pt_map), s);
    g_signal_connect(s->rtpbin, "pad-added", G_CALLBACK(sc_media_on_pad_added),
                     s);
    gst_bin_add(GST_BIN(s->pipeline), s->rtpbin);
    return s;
}

/* RTCP in (always) and out (always): appsrc -> recv_rtcp_sink_N,
 * send_rtcp_src_N -> appsink. */
static gboolean
build_rtcp(ScMediaSession *s, Track *t, guint idx, GError **error)
{
    char pad_name[32];
    GstElement *sink;

    t->rtcp_appsrc =
        sc_media_appsrc_new(gst_caps_new_empty_simple("application/x-rtcp"));
    sink = sc_media_appsink_new(s, &t->rtcp_ctx, idx, TRUE);
    if (!t->rtcp_appsrc || !sink) {
        if (sink)
            gst_object_unref(gst_object_ref_sink(sink));
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "appsrc/appsink missing");
        return FALSE;
    }
    gst_object_ref(t->rtcp_appsrc);
    gst_bin_add_many(GST_BIN(s->pipeline), t->rtcp_appsrc, sink, NULL);
    g_snprintf(pad_name, sizeof pad_name, "recv_rtcp_sink_%u", idx);
    if (!sc_media_link_to_request(t->rtcp_appsrc, s->rtpbin, pad_name))
        goto fail;
    g_snprintf(pad_name, sizeof pad_name, "send_rtcp_src_%u", idx);
    if (!sc_media_link_from_request(s->rtpbin, pad_name, sink))
        goto fail;
    return TRUE;
fail:
    g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                pad_name);
    return FALSE;
}

gboolean
sc_media_session_add_track(ScMediaSession *s, const ScMediaTrack *t,
                           GError **error)
{
    Track *tr;
    guint idx;
    GObject *session = NULL;

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, FALSE);
    g_return_val_if_fail(t != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (s->started || s->stopped) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    "tracks are added before start");
        return FALSE;
    }
    if (t->kind != SC_MEDIA_AUDIO && t->kind != SC_MEDIA_VIDEO) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "bad kind");
        return FALSE;
    }
    idx = t->kind;
    if (s->have[idx]) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "one %s track only", sc_media_kind_to_string(t->kind));
        return FALSE;
    }
    if (t->payload_type > 127 || (t->payload_type >= 64 && t->payload_type < 96) ||
        (t->kind == SC_MEDIA_AUDIO && t->payload_type < 96)) {
        /* RFC 5761 §4: 64-95 would collide with RTCP; Opus is dynamic */
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bad payload type %u", t->payload_type);
        return FALSE;
    }
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        if (s->have[i] && s->tracks[i].cfg.payload_type == t->payload_type) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "payload type %u used twice", t->payload_type);
            return FALSE;
        }
    }
    if (t->ssrc == 0xffffffffu) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT, "bad SSRC");
        return FALSE;
    }
    if (!t->send && !t->recv) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "inactive track");
        return FALSE;
    }

    if (t->recv &&
        !sc_media_have_factories(
            error, "appsrc", "funnel", "tee", "queue", "fakesink",
            t->kind == SC_MEDIA_AUDIO ? "rtpopusdepay" : "rtpvp8depay",
            t->kind == SC_MEDIA_AUDIO ? "opusdec" : "vp8dec",
            t->kind == SC_MEDIA_AUDIO ? "opusparse" : "vp8dec", NULL))
        return FALSE;

    tr = &s->tracks[idx];
    memset(tr, 0, sizeof *tr);
    tr->cfg = *t;
    tr->cfg.source = NULL;
    tr->source_desc = g_strdup(t->source);
    if (!tr->cfg.clock_rate)
        tr->cfg.clock_rate = t->kind == SC_MEDIA_AUDIO ? 48000 : 90000;
    if (tr->cfg.clock_rate != (t->kind == SC_MEDIA_AUDIO ? 48000u : 90000u)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                    "bad clock rate %u", tr->cfg.clock_rate);
        g_clear_pointer(&tr->source_desc, g_free);
        return FALSE;
    }
    if (t->send && !sc_media_build_send_chain(s, tr, idx, error))
        goto fail;
    if (!build_rtcp(s, tr, idx, error))
        goto fail;
    if (t->recv) {
        char pad_name[32];
        tr->rtp_appsrc = sc_media_appsrc_new(sc_media_rtp_caps(tr));
        if (!tr->rtp_appsrc) {
            g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                        "appsrc missing");
            goto fail;
        }
        gst_object_ref(tr->rtp_appsrc);
        gst_bin_add(GST_BIN(s->pipeline), tr->rtp_appsrc);
        g_snprintf(pad_name, sizeof pad_name, "recv_rtp_sink_%u", idx);
        if (!sc_media_link_to_request(tr->rtp_appsrc, s->rtpbin, pad_name)) {
            g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                        pad_name);
            goto fail;
        }
    }

    /* the RTP session exists now: our SSRC for RR-only sessions, and a
     * shorter regular RTCP interval (AVPF early feedback stays allowed) */
    g_signal_emit_by_name(s->rtpbin, "get-internal-session", idx, &session);
    if (session) {
        GObjectClass *klass = G_OBJECT_GET_CLASS(session);
        if (g_object_class_find_property(klass, "internal-ssrc"))
            g_object_set(session, "internal-ssrc", (guint)t->ssrc, NULL);
        if (g_object_class_find_property(klass, "rtcp-min-interval"))
            g_object_set(session, "rtcp-min-interval",
                         (guint64)RTCP_MIN_INTERVAL_NS, NULL);
        g_object_unref(session);
    }
    s->guards[idx].have = TRUE;
    s->guards[idx].local = t->ssrc;
    sc_ssrc_guard_set_signalled(&s->guards[idx], t->remote_ssrcs,
                                t->remote_ssrcs ? t->n_remote_ssrcs : 0);
    s->have[idx] = TRUE;
    s->n_tracks++;
    SC_LOG_DEBUG(s->log_id, "%s track: pt %u ssrc %08x%s%s",
                 sc_media_kind_to_string(t->kind), t->payload_type, t->ssrc,
                 t->send ? " send" : "", t->recv ? " recv" : "");
    return TRUE;

fail:
    /* Elements already in the pipeline stay there (unlinked, harmless until
     * free); the session is unusable for this kind only. */
    g_clear_pointer(&tr->source_desc, g_free);
    g_clear_object(&tr->rtp_appsrc);
    g_clear_object(&tr->rtcp_appsrc);
    return FALSE;
}

gboolean
sc_media_session_start(ScMediaSession *s, GError **error)
{
    GstElement *mux = NULL;
    GstBus *bus;

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
    if (s->started || s->stopped || s->n_tracks == 0) {
        g_set_error(error, SC_ERROR, SC_ERROR_INVALID_STATE,
                    s->n_tracks ? "already started" : "no media track");
        return FALSE;
    }
    if ((s->play_audio &&
         !sc_media_have_factories(error, "audioconvert", "audioresample",
                                  "autoaudiosink", NULL)) ||
        (s->record_path &&
         !sc_media_have_factories(error, "fdsink", "webmmux", "oggmux",
                                  NULL)) ||
        !sc_media_build_recording(s, &mux, error))
        return FALSE;
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        if (s->have[i] && s->tracks[i].cfg.recv &&
            !sc_media_build_recv_chain(s, &s->tracks[i], i, mux,
                                       s->have[SC_MEDIA_VIDEO] &&
                                           s->tracks[SC_MEDIA_VIDEO].cfg.recv,
                                       error))
            return FALSE;
    }

    s->wake = g_source_new(&wake_funcs, sizeof(GSource));
    g_source_set_callback(s->wake, NULL, s, NULL);
    g_source_set_priority(s->wake, G_PRIORITY_DEFAULT);
    g_source_attach(s->wake, s->ctx);

    s->timer = g_timeout_source_new(FLOW_TIMER_MS);
    g_source_set_callback(s->timer, on_flow_timer, s, NULL);
    g_source_attach(s->timer, s->ctx);

    bus = gst_pipeline_get_bus(GST_PIPELINE(s->pipeline));
    s->bus_watch = gst_bus_create_watch(bus);
    g_source_set_callback(s->bus_watch, (GSourceFunc)(void (*)(void))on_bus_message,
                          s, NULL);
    g_source_attach(s->bus_watch, s->ctx);
    gst_object_unref(bus);

    s->started = TRUE;
    if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                    "the media pipeline does not start (see the log)");
        sc_media_session_stop(s);
        return FALSE;
    }
    SC_LOG_INFO(s->log_id, "media started (%u tracks, cname %s)", s->n_tracks,
                s->cname);
    return TRUE;
}

/* ---- data plane ---- */

static ScStatus
drop(ScMediaSession *s, ScStatus why)
{
    s->dropped++;
    SC_LOG_TRACE(s->log_id, "incoming packet dropped: %s",
                 sc_status_to_string(why));
    return why;
}

/* What rtp-view needs to route a packet to one of our RTP sessions. */
static void
get_routes(ScMediaSession *s, ScRtpRoute routes[SC_MEDIA_N_KINDS])
{
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        routes[i] = (ScRtpRoute){
            .have = s->have[i],
            .recv = s->tracks[i].cfg.recv,
            .payload_type = s->tracks[i].cfg.payload_type,
            .local_ssrc = s->tracks[i].cfg.ssrc,
            .remote_ssrc = s->tracks[i].remote_ssrc,
        };
    }
}

/* A debug line at most once a second about what the SSRC guard refused. */
static void
log_refused(ScMediaSession *s, const char *what, guint32 ssrc)
{
    gint64 now = sc_clock_now_us();

    if (now - s->refused_log_us < G_USEC_PER_SEC)
        return;
    s->refused_log_us = now;
    SC_LOG_DEBUG(s->log_id,
                 "%s naming SSRC %08x refused (totals: RTP %" G_GUINT64_FORMAT
                 "/%" G_GUINT64_FORMAT ", RTCP parts %" G_GUINT64_FORMAT ")",
                 what, ssrc, s->tracks[SC_MEDIA_AUDIO].ssrc_refused,
                 s->tracks[SC_MEDIA_VIDEO].ssrc_refused, s->rtcp_refused);
}

/* RTCP: each session gets only what concerns the SSRCs it accepts. */
static ScStatus
receive_rtcp(ScMediaSession *s, const guint8 *buf, gsize len)
{
    guint8 out[SC_RTP_VIEW_MAX_LEN];
    gint64 now = sc_clock_now_us();
    guint refused;

    /* RFC 3550 §6.1 compound, or RFC 5506 reduced size */
    if (!sc_rtcp_view_check(buf, len))
        return drop(s, SC_DROP_MALFORMED);
    refused = sc_ssrc_guard_rtcp_learn(s->guards, SC_MEDIA_N_KINDS, buf, len,
                                       now);
    if (refused > 0) {
        s->rtcp_refused += refused;
        log_refused(s, "RTCP", len >= 8 ? ((guint32)buf[4] << 24 |
                                           (guint32)buf[5] << 16 |
                                           (guint32)buf[6] << 8 | buf[7])
                                        : 0);
    }
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        gsize n;

        if (!s->have[i] || !s->tracks[i].rtcp_appsrc)
            continue;
        n = sc_ssrc_guard_rtcp_filter(s->guards, SC_MEDIA_N_KINDS, i, buf, len,
                                      now, out);
        if (n > 0)
            gst_app_src_push_buffer(GST_APP_SRC(s->tracks[i].rtcp_appsrc),
                                    gst_buffer_new_memdup(out, n));
    }
    return SC_OK;
}

/* RTP as rtpbin will read it (gst_rtp_buffer_map(): padding included; what
 * it refuses as RTP it would parse as RTCP), without the CSRC list (each
 * CSRC would be one more source in rtpbin: no mixer talks to us). */
static GstBuffer *
rtp_buffer(const guint8 *buf, gsize len, const ScRtpView *v)
{
    GstBuffer *b;
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

    if (v->csrc_count == 0) {
        b = gst_buffer_new_memdup(buf, len);
    } else {
        gsize skip = 4u * v->csrc_count;
        guint8 *d = g_malloc(len - skip);

        memcpy(d, buf, 12);
        d[0] &= 0xf0;
        memcpy(d + 12, buf + 12 + skip, len - 12 - skip);
        b = gst_buffer_new_wrapped(d, len - skip);
    }
    if (!gst_rtp_buffer_map(b, GST_MAP_READ, &rtp)) {
        gst_buffer_unref(b);
        return NULL;
    }
    gst_rtp_buffer_unmap(&rtp);
    return b;
}

ScStatus
sc_media_session_receive(ScMediaSession *s, const guint8 *buf, gsize len,
                         gboolean is_rtcp)
{
    ScRtpRoute routes[SC_MEDIA_N_KINDS];
    ScRtpView v;
    GstBuffer *b;
    gint idx;
    Track *t;

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, SC_DROP_STATE);

    if (!s->started || s->stopped)
        return drop(s, SC_DROP_STATE);
    if (is_rtcp)
        return receive_rtcp(s, buf, len);
    get_routes(s, routes);
    if (sc_rtp_view_parse(buf, len, &v) != SC_OK)
        return drop(s, SC_DROP_MALFORMED);
    idx = sc_rtp_route(v.payload_type, routes, SC_MEDIA_N_KINDS);
    if (idx < 0)
        return drop(s, SC_DROP_UNKNOWN);
    t = &s->tracks[idx];
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        /* our own SSRC back: a loop or a collision (RFC 3550 §8.2) */
        if (s->have[i] && s->tracks[i].cfg.ssrc == v.ssrc)
            goto refused;
    }
    /* a peer that signalled its SSRCs sends media from those only */
    if (!sc_ssrc_guard_accept(&s->guards[idx], v.ssrc,
                              s->guards[idx].n_signalled == 0,
                              sc_clock_now_us()))
        goto refused;
    if ((b = rtp_buffer(buf, len, &v)) == NULL)
        return drop(s, SC_DROP_MALFORMED);
    t->remote_ssrc = v.ssrc;
    flow_packet(&t->rx, len);
    if (t->rx.notify)
        sc_media_wake_owner(s);
    gst_app_src_push_buffer(GST_APP_SRC(t->rtp_appsrc), b);
    return SC_OK;

refused:
    t->ssrc_refused++;
    log_refused(s, "RTP", v.ssrc);
    return drop(s, SC_DROP_NO_ROUTE);
}

gboolean
sc_media_session_accepts_ssrc(ScMediaSession *s, guint32 ssrc)
{
    gint64 now = sc_clock_now_us();

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, FALSE);
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++)
        if (sc_ssrc_guard_knows(&s->guards[i], ssrc, now))
            return TRUE;
    return FALSE;
}

/* ---- teardown ---- */

void
sc_media_session_stop(ScMediaSession *s)
{
    g_return_if_fail(s != NULL && s->magic == MEDIA_MAGIC);
    if (s->stopped)
        return;
    s->stopped = TRUE;
    if (s->started) {
        if (s->filesink) {
            gint64 deadline = g_get_monotonic_time() + STOP_WAIT_US;
            gboolean done;

            /* EOS straight into each depayloader (rtpbin may never have
             * created a pad for a stream that did not arrive), so the muxer
             * sees EOS on all of its inputs and finalizes the file. */
            for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
                if (s->have[i] && s->tracks[i].depay) {
                    GstPad *pad =
                        gst_element_get_static_pad(s->tracks[i].depay, "sink");
                    gst_pad_send_event(pad, gst_event_new_eos());
                    gst_object_unref(pad);
                }
            }
            g_mutex_lock(&s->lock);
            while (!s->file_eos &&
                   g_cond_wait_until(&s->cond, &s->lock, deadline))
                ;
            done = s->file_eos;
            g_mutex_unlock(&s->lock);
            if (!done)
                SC_LOG_WARN(s->log_id, "recording not finalized in time");
            else
                SC_LOG_INFO(s->log_id, "recording finalized");
        }
        gst_element_set_state(s->pipeline, GST_STATE_NULL);
        SC_LOG_INFO(s->log_id, "media stopped");
    }
    if (s->record_fd >= 0) {
        close(s->record_fd);
        s->record_fd = -1;
    }
    /* streaming threads are gone: nothing calls wake_owner() any more */
    sc_source_clear(&s->wake);
    sc_source_clear(&s->timer);
    sc_source_clear(&s->bus_watch);
    if (s->outq) {
        OutPacket *p;
        while ((p = g_async_queue_try_pop(s->outq)) != NULL)
            sc_media_out_packet_free(p);
    }
}

static void
session_really_free(ScMediaSession *s)
{
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        g_free(s->tracks[i].source_desc);
        g_clear_object(&s->tracks[i].rtp_appsrc);
        g_clear_object(&s->tracks[i].rtcp_appsrc);
    }
    g_clear_object(&s->filesink);
    if (s->pipeline) {
        gst_element_set_state(s->pipeline, GST_STATE_NULL);
        gst_object_unref(s->pipeline);
    }
    if (s->record_fd >= 0)
        close(s->record_fd);
    g_clear_pointer(&s->outq, g_async_queue_unref);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    g_main_context_unref(s->ctx);
    g_free(s->record_path);
    g_free(s->log_id);
    g_free(s->cname);
    s->magic = 0;
    g_free(s);
}

void
sc_media_session_free(ScMediaSession *s)
{
    if (!s)
        return;
    g_return_if_fail(s->magic == MEDIA_MAGIC);
    sc_media_session_stop(s);
    if (s->cb_depth > 0) {
        s->free_pending = TRUE; /* freed when the callback returns */
        return;
    }
    session_really_free(s);
}

/* ---- stats ---- */

Track *
sc_media_track(ScMediaSession *s, ScMediaKind kind)
{
    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, NULL);
    if ((guint)kind >= SC_MEDIA_N_KINDS || !s->have[kind])
        return NULL;
    return &s->tracks[kind];
}

void
sc_media_session_get_stats(ScMediaSession *s, ScMediaKind kind,
                           ScMediaStats *out)
{
    Track *t;

    g_return_if_fail(out != NULL);
    memset(out, 0, sizeof *out);
    if ((t = sc_media_track(s, kind)) == NULL)
        return;
    out->packets_sent = t->tx.packets;
    out->bytes_sent = t->tx.bytes;
    out->packets_received = t->rx.packets;
    out->bytes_received = t->rx.bytes;
    out->remote_ssrc = t->remote_ssrc;
    out->ssrc_refused = t->ssrc_refused;
    g_mutex_lock(&s->lock);
    out->frames_decoded = t->frames_decoded;
    g_mutex_unlock(&s->lock);
}

guint64
sc_media_session_get_dropped(ScMediaSession *s)
{
    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, 0);
    return s->dropped;
}


guint64
sc_media_session_get_rtcp_refused(ScMediaSession *s)
{
    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, 0);
    return s->rtcp_refused;
}

guint
sc_media_session_get_source_count(ScMediaSession *s, ScMediaKind kind)
{
    GObject *session = NULL;
    guint n = 0;

    if (sc_media_track(s, kind) == NULL || !s->started || s->stopped)
        return 0;
    g_signal_emit_by_name(s->rtpbin, "get-internal-session", (guint)kind,
                          &session);
    if (session == NULL)
        return 0;
    g_object_get(session, "num-sources", &n, NULL);
    g_object_unref(session);
    return n;
}
