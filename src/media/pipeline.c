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
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define SC_LOG_MODULE "media"
#include "config.h"

#include "media/media.h"
#include "media/rtp-view.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/rtp/gstrtpdefs.h>
#include <stdio.h>
#include <string.h>

#define MEDIA_MAGIC 0x4d454449u
#define RTP_MTU 1100                 /* room for SRTP tag + UDP/IP/TURN */
#define RTPBIN_LATENCY_MS 100
#define RTCP_MIN_INTERVAL_NS (1 * GST_SECOND)
#define FLOW_STOP_US (2 * G_USEC_PER_SEC)
#define FLOW_TIMER_MS 500
#define STOP_WAIT_US (5 * G_USEC_PER_SEC)
#define OUT_QUEUE_MAX 4000           /* packets waiting for the owner thread */
#define VIDEO_WIDTH 320
#define VIDEO_HEIGHT 240
#define VIDEO_FPS 15
#define VIDEO_BITRATE 500000
#define VIDEO_KEYFRAME_DIST 300
#define AUDIO_BITRATE 48000

typedef struct {
    ScMediaSession *s;
    guint idx;          /* track index == rtpbin session id */
    gboolean is_rtcp;
} SinkCtx;

typedef struct {
    gboolean flowing;
    gboolean notify;    /* a flowing=TRUE notification is pending */
    gint64 last_us;
    guint64 packets, bytes;
} Flow;

typedef struct {
    ScMediaTrack cfg;   /* cfg.source is NULL here; see source_desc */
    char *source_desc;
    GstElement *src_bin;       /* send chain head (kept until start) */
    GstElement *rtp_appsrc;    /* receive RTP (recv only) */
    GstElement *rtcp_appsrc;   /* receive RTCP (always) */
    GstElement *funnel;        /* rtpbin recv_rtp_src_* pads -> depay */
    GstElement *depay;
    SinkCtx rtp_ctx, rtcp_ctx;
    Flow tx, rx;
    guint32 remote_ssrc;
    guint64 frames_decoded;    /* under s->lock (streaming threads) */
} Track;

typedef struct {
    guint idx;
    gboolean is_rtcp;
    GstBuffer *buf;
} OutPacket;

struct ScMediaSession {
    guint32 magic;
    GMainContext *ctx;
    char *log_id;
    char *cname;
    ScMediaCallbacks cb;
    gpointer user_data;

    GstElement *pipeline;
    GstElement *rtpbin;
    Track tracks[SC_MEDIA_N_KINDS];
    gboolean have[SC_MEDIA_N_KINDS];
    guint n_tracks;

    char *record_path;
    gboolean play_audio;
    GstElement *filesink;

    gboolean started, stopped;
    guint64 dropped;

    GAsyncQueue *outq;          /* OutPacket*, from streaming threads */
    GSource *wake;              /* ready_time 0 when outq or flow changes */
    GSource *timer;
    GSource *bus_watch;

    int cb_depth;               /* > 0 while a caller callback runs */
    gboolean free_pending;

    GMutex lock;                /* frames_decoded, file_eos */
    GCond cond;
    gboolean file_eos;
};

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

/* ---- small helpers ---- */

static GstElement *
make(const char *factory, const char *name, GError **error)
{
    GstElement *e = gst_element_factory_make(factory, name);

    if (!e)
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                    "GStreamer element '%s' is missing (install "
                    "gstreamer1.0-plugins-base/good/bad)",
                    factory);
    return e;
}

static GstPad *
request_pad(GstElement *e, const char *name)
{
#if GST_CHECK_VERSION(1, 20, 0)
    return gst_element_request_pad_simple(e, name);
#else
    return gst_element_get_request_pad(e, name);
#endif
}

/* Links @src's static "src" pad to a new request pad @name of @dst. */
static gboolean
link_to_request(GstElement *src, GstElement *dst, const char *name)
{
    GstPad *sinkpad = request_pad(dst, name);
    GstPad *srcpad;
    gboolean ok;

    if (!sinkpad)
        return FALSE;
    srcpad = gst_element_get_static_pad(src, "src");
    ok = srcpad && gst_pad_link(srcpad, sinkpad) == GST_PAD_LINK_OK;
    if (srcpad)
        gst_object_unref(srcpad);
    gst_object_unref(sinkpad);
    return ok;
}

/* Links a new request pad @name of @src to @dst's "sink" pad. */
static gboolean
link_from_request(GstElement *src, const char *name, GstElement *dst)
{
    GstPad *srcpad = request_pad(src, name);
    GstPad *sinkpad;
    gboolean ok;

    if (!srcpad)
        return FALSE;
    sinkpad = gst_element_get_static_pad(dst, "sink");
    ok = sinkpad && gst_pad_link(srcpad, sinkpad) == GST_PAD_LINK_OK;
    if (sinkpad)
        gst_object_unref(sinkpad);
    gst_object_unref(srcpad);
    return ok;
}

/* Checks that every factory of the NULL-terminated list is installed, so
 * that building the pipeline later cannot fail half-way for that reason. */
static gboolean
have_factories(GError **error, const char *first, ...)
{
    va_list ap;
    const char *name = first;
    gboolean ok = TRUE;

    va_start(ap, first);
    while (ok && name) {
        GstElementFactory *f = gst_element_factory_find(name);
        if (!f) {
            g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                        "GStreamer element '%s' is missing (install "
                        "gstreamer1.0-plugins-base/good/bad)",
                        name);
            ok = FALSE;
        } else {
            gst_object_unref(f);
        }
        name = va_arg(ap, const char *);
    }
    va_end(ap);
    return ok;
}

/* Releases an element that was never added to a bin. NULL-safe. */
static void
drop_floating(GstElement *e)
{
    if (e)
        gst_object_unref(gst_object_ref_sink(e));
}

static gboolean
add_and_link(GstElement *bin, GError **error, GstElement *first, ...)
{
    va_list ap;
    GstElement *prev = first, *e;
    gboolean ok = TRUE;

    gst_bin_add(GST_BIN(bin), first);
    va_start(ap, first);
    while ((e = va_arg(ap, GstElement *)) != NULL) {
        gst_bin_add(GST_BIN(bin), e);
        if (ok && !gst_element_link(prev, e)) {
            g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                        "cannot link %s to %s", GST_ELEMENT_NAME(prev),
                        GST_ELEMENT_NAME(e));
            ok = FALSE;
        }
        prev = e;
    }
    va_end(ap);
    return ok;
}

static GstCaps *
rtp_caps(const Track *t)
{
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;
    GstCaps *caps = gst_caps_new_simple(
        "application/x-rtp", "media", G_TYPE_STRING, audio ? "audio" : "video",
        "clock-rate", G_TYPE_INT, (int)t->cfg.clock_rate, "encoding-name",
        G_TYPE_STRING, audio ? "OPUS" : "VP8", "payload", G_TYPE_INT,
        (int)t->cfg.payload_type, NULL);

    /* rtpsession turns the depayloader's upstream GstForceKeyUnit into an
     * RTCP PLI (RFC 4585 §6.3.1) only when the payload type's caps allow it
     * (a=rtcp-fb:PT nack pli, which browsers offer for VP8). */
    if (!audio)
        gst_caps_set_simple(caps, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                            NULL);
    return caps;
}

/* ---- streaming threads -> owner context ---- */

static void
wake_owner(ScMediaSession *s)
{
    if (s->wake)
        g_source_set_ready_time(s->wake, 0);
}

/* appsink callback, streaming thread */
static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer data)
{
    SinkCtx *sc = data;
    ScMediaSession *s = sc->s;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    OutPacket *p;

    if (!sample)
        return GST_FLOW_EOS;
    if (g_async_queue_length(s->outq) >= OUT_QUEUE_MAX) {
        gst_sample_unref(sample);
        return GST_FLOW_OK; /* owner thread stalled: drop, like a full NIC */
    }
    p = g_new0(OutPacket, 1);
    p->idx = sc->idx;
    p->is_rtcp = sc->is_rtcp;
    p->buf = gst_buffer_ref(gst_sample_get_buffer(sample));
    gst_sample_unref(sample);
    g_async_queue_push(s->outq, p);
    wake_owner(s);
    return GST_FLOW_OK;
}

static void
out_packet_free(gpointer data)
{
    OutPacket *p = data;

    gst_buffer_unref(p->buf);
    g_free(p);
}

/* pad probe on a decoder's src pad, streaming thread */
static GstPadProbeReturn
on_decoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    SinkCtx *sc = data;
    ScMediaSession *s = sc->s;
    guint n = 1;

    (void)pad;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
        n = gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    g_mutex_lock(&s->lock);
    s->tracks[sc->idx].frames_decoded += n;
    g_mutex_unlock(&s->lock);
    return GST_PAD_PROBE_OK;
}

/* pad probe on the file sink, streaming thread: the muxer has finalized */
static GstPadProbeReturn
on_file_event(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    ScMediaSession *s = data;

    (void)pad;
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
        g_mutex_lock(&s->lock);
        s->file_eos = TRUE;
        g_cond_broadcast(&s->cond);
        g_mutex_unlock(&s->lock);
    }
    return GST_PAD_PROBE_OK;
}

/* rtpbin "request-pt-map", streaming thread; the tracks are immutable once
 * started. */
static GstCaps *
on_request_pt_map(GstElement *rtpbin, guint session, guint pt, gpointer data)
{
    ScMediaSession *s = data;

    (void)rtpbin;
    if (session < SC_MEDIA_N_KINDS && s->have[session] &&
        s->tracks[session].cfg.payload_type == pt)
        return rtp_caps(&s->tracks[session]);
    return NULL;
}

/* rtpbin "pad-added", streaming thread: a new remote SSRC/PT stream. */
static void
on_pad_added(GstElement *rtpbin, GstPad *pad, gpointer data)
{
    ScMediaSession *s = data;
    g_autofree char *name = gst_pad_get_name(pad);
    guint session = 0, ssrc = 0, pt = 0;
    GstPad *sinkpad;
    Track *t;

    if (!g_str_has_prefix(name, "recv_rtp_src_") ||
        sscanf(name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
        return;
    if (session >= SC_MEDIA_N_KINDS || !s->have[session] ||
        !s->tracks[session].funnel)
        return;
    t = &s->tracks[session];
    sinkpad = request_pad(t->funnel, "sink_%u");
    if (!sinkpad)
        return;
    /* no logging here: a log handler is caller state. The bus carries the
     * news to the owner thread (on_bus_message). */
    if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK) {
        GError *err = g_error_new(GST_STREAM_ERROR,
                                  GST_STREAM_ERROR_FAILED,
                                  "cannot link %s (ssrc %08x pt %u)", name,
                                  ssrc, pt);
        gst_element_post_message(
            rtpbin, gst_message_new_warning(GST_OBJECT(rtpbin), err, NULL));
        g_error_free(err);
    } else {
        gst_element_post_message(
            rtpbin,
            gst_message_new_element(
                GST_OBJECT(rtpbin),
                gst_structure_new("sc-media-stream", "session", G_TYPE_UINT,
                                  session, "ssrc", G_TYPE_UINT, ssrc, "pt",
                                  G_TYPE_UINT, pt, NULL)));
    }
    gst_object_unref(sinkpad);
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

        if (gst_buffer_map(p->buf, &map, GST_MAP_READ)) {
            if (!p->is_rtcp)
                flow_packet(&t->tx, map.size);
            if (s->cb.send && cb_enter(s)) {
                s->cb.send(s->user_data, map.data, map.size, p->is_rtcp);
                alive = cb_leave(s);
            }
            gst_buffer_unmap(p->buf, &map);
        }
        out_packet_free(p);
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
    s->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    s->log_id = g_strdup(log_id ? log_id : "media");
    s->cname = g_strdup(cname && *cname ? cname : "sealcall");
    s->cb = *cb;
    s->user_data = user_data;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->outq = g_async_queue_new_full(out_packet_free);

    s->pipeline = gst_pipeline_new(NULL);
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
                     G_CALLBACK(on_request_pt_map), s);
    g_signal_connect(s->rtpbin, "pad-added", G_CALLBACK(on_pad_added), s);
    gst_bin_add(GST_BIN(s->pipeline), s->rtpbin);
    return s;
}

static GstElement *
appsink_new(ScMediaSession *s, SinkCtx *ctx, guint idx, gboolean is_rtcp)
{
    GstElement *sink = gst_element_factory_make("appsink", NULL);
    GstAppSinkCallbacks cbs = { .new_sample = on_new_sample };

    if (!sink)
        return NULL;
    ctx->s = s;
    ctx->idx = idx;
    ctx->is_rtcp = is_rtcp;
    g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample",
                 FALSE, NULL);
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, ctx, NULL);
    return sink;
}

static GstElement *
appsrc_new(GstCaps *caps)
{
    GstElement *src = gst_element_factory_make("appsrc", NULL);

    if (!src) {
        gst_caps_unref(caps);
        return NULL;
    }
    g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME,
                 "do-timestamp", TRUE, "caps", caps, "max-bytes",
                 (guint64)(2 * 1024 * 1024), NULL);
    /* GStreamer >= 1.20: drop the oldest packets rather than grow */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(src), "leaky-type"))
        gst_util_set_object_arg(G_OBJECT(src), "leaky-type", "downstream");
    gst_caps_unref(caps);
    return src;
}

static GstElement *
source_new(ScMediaSession *s, const Track *t, GError **error)
{
    GError *err = NULL;
    GstElement *e;

    if (t->source_desc) {
        e = gst_parse_bin_from_description(t->source_desc, TRUE, &err);
        if (!e) {
            g_set_error(error, SC_ERROR, SC_ERROR_INVALID_ARGUMENT,
                        "bad %s source '%s': %s",
                        sc_media_kind_to_string(t->cfg.kind), t->source_desc,
                        err ? err->message : "?");
            g_clear_error(&err);
            return NULL;
        }
        if (err) { /* a missing optional element: usable but noteworthy */
            SC_LOG_WARN(s->log_id, "source '%s': %s", t->source_desc,
                        err->message);
            g_clear_error(&err);
        }
        return e;
    }
    if (t->cfg.kind == SC_MEDIA_AUDIO) {
        e = make("audiotestsrc", NULL, error);
        if (e)
            g_object_set(e, "is-live", TRUE, "freq", 440.0, "volume", 0.5,
                         "samplesperbuffer", 960, NULL);
    } else {
        e = make("videotestsrc", NULL, error);
        if (e)
            gst_util_set_object_arg(G_OBJECT(e), "pattern", "ball");
        if (e)
            g_object_set(e, "is-live", TRUE, NULL);
    }
    return e;
}

/* source -> encode -> pay -> rtpbin send_rtp_sink_N; send_rtp_src_N -> appsink */
static gboolean
build_send_chain(ScMediaSession *s, Track *t, guint idx, GError **error)
{
    GstElement *src, *conv = NULL, *scale = NULL, *rate = NULL, *filter = NULL,
                     *enc = NULL, *pay = NULL, *sink = NULL;
    GstCaps *caps;
    char pad_name[32];
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;

    src = source_new(s, t, error);
    if (!src)
        return FALSE;
    if (audio) {
        if (!(conv = make("audioconvert", NULL, error)) ||
            !(scale = make("audioresample", NULL, error)) ||
            !(filter = make("capsfilter", NULL, error)) ||
            !(enc = make("opusenc", NULL, error)) ||
            !(pay = make("rtpopuspay", NULL, error)))
            goto fail;
        caps = gst_caps_from_string("audio/x-raw,rate=48000,channels=[1,2]");
        g_object_set(enc, "bitrate", AUDIO_BITRATE, "inband-fec", TRUE,
                     "packet-loss-percentage", 5, NULL);
    } else {
        if (!(conv = make("videoconvert", NULL, error)) ||
            !(scale = make("videoscale", NULL, error)) ||
            !(rate = make("videorate", NULL, error)) ||
            !(filter = make("capsfilter", NULL, error)) ||
            !(enc = make("vp8enc", NULL, error)) ||
            !(pay = make("rtpvp8pay", NULL, error)))
            goto fail;
        caps = gst_caps_new_simple(
            "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
            VIDEO_WIDTH, "height", G_TYPE_INT, VIDEO_HEIGHT, "framerate",
            GST_TYPE_FRACTION, VIDEO_FPS, 1, NULL);
        g_object_set(rate, "drop-only", TRUE, NULL);
        /* cheap realtime VP8: one thread, no lag, CBR; keyframes on PLI */
        g_object_set(enc, "deadline", (gint64)1, "cpu-used", 16,
                     "keyframe-max-dist",
                     (int)(t->cfg.keyframe_max_dist ? t->cfg.keyframe_max_dist
                                                    : VIDEO_KEYFRAME_DIST),
                     "target-bitrate", VIDEO_BITRATE, "lag-in-frames", 0,
                     "threads", 1, NULL);
        gst_util_set_object_arg(G_OBJECT(enc), "end-usage", "cbr");
        gst_util_set_object_arg(G_OBJECT(enc), "error-resilient", "default");
        gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
    }
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    g_object_set(pay, "pt", (guint)t->cfg.payload_type, "ssrc",
                 (guint)t->cfg.ssrc, "mtu", (guint)RTP_MTU, NULL);

    sink = appsink_new(s, &t->rtp_ctx, idx, FALSE);
    if (!sink) {
        g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED, "no appsink");
        goto fail;
    }
    if (audio) {
        if (!add_and_link(s->pipeline, error, src, conv, scale, filter, enc,
                          pay, NULL))
            return FALSE; /* elements belong to the pipeline now */
    } else if (!add_and_link(s->pipeline, error, src, conv, scale, rate,
                             filter, enc, pay, NULL)) {
        return FALSE;
    }
    gst_bin_add(GST_BIN(s->pipeline), sink);
    g_snprintf(pad_name, sizeof pad_name, "send_rtp_sink_%u", idx);
    if (!link_to_request(pay, s->rtpbin, pad_name)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                    pad_name);
        return FALSE;
    }
    g_snprintf(pad_name, sizeof pad_name, "send_rtp_src_%u", idx);
    if (!gst_element_link_pads(s->rtpbin, pad_name, sink, "sink")) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link %s",
                    pad_name);
        return FALSE;
    }
    return TRUE;

fail:
    drop_floating(src);
    drop_floating(conv);
    drop_floating(scale);
    drop_floating(rate);
    drop_floating(filter);
    drop_floating(enc);
    drop_floating(pay);
    drop_floating(sink);
    return FALSE;
}

/* RTCP in (always) and out (always): appsrc -> recv_rtcp_sink_N,
 * send_rtcp_src_N -> appsink. */
static gboolean
build_rtcp(ScMediaSession *s, Track *t, guint idx, GError **error)
{
    char pad_name[32];
    GstElement *sink;

    t->rtcp_appsrc = appsrc_new(gst_caps_new_empty_simple("application/x-rtcp"));
    sink = appsink_new(s, &t->rtcp_ctx, idx, TRUE);
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
    if (!link_to_request(t->rtcp_appsrc, s->rtpbin, pad_name))
        goto fail;
    g_snprintf(pad_name, sizeof pad_name, "send_rtcp_src_%u", idx);
    if (!link_from_request(s->rtpbin, pad_name, sink))
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
        !have_factories(error, "appsrc", "funnel", "tee", "queue", "fakesink",
                        t->kind == SC_MEDIA_AUDIO ? "rtpopusdepay" : "rtpvp8depay",
                        t->kind == SC_MEDIA_AUDIO ? "opusdec" : "vp8dec",
                        t->kind == SC_MEDIA_AUDIO ? "opusparse" : "vp8dec",
                        NULL))
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
    if (t->send && !build_send_chain(s, tr, idx, error))
        goto fail;
    if (!build_rtcp(s, tr, idx, error))
        goto fail;
    if (t->recv) {
        char pad_name[32];
        tr->rtp_appsrc = appsrc_new(rtp_caps(tr));
        if (!tr->rtp_appsrc) {
            g_set_error(error, SC_ERROR, SC_ERROR_NOT_SUPPORTED,
                        "appsrc missing");
            goto fail;
        }
        gst_object_ref(tr->rtp_appsrc);
        gst_bin_add(GST_BIN(s->pipeline), tr->rtp_appsrc);
        g_snprintf(pad_name, sizeof pad_name, "recv_rtp_sink_%u", idx);
        if (!link_to_request(tr->rtp_appsrc, s->rtpbin, pad_name)) {
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

void
sc_media_session_set_record(ScMediaSession *s, const char *record_path,
                            gboolean play_audio)
{
    g_return_if_fail(s != NULL && s->magic == MEDIA_MAGIC);
    if (s->started) {
        SC_LOG_WARN(s->log_id, "set_record after start ignored");
        return;
    }
    g_free(s->record_path);
    s->record_path = g_strdup(record_path);
    s->play_audio = play_audio;
}

static GstElement *
queue_new(gboolean leaky)
{
    GstElement *q = gst_element_factory_make("queue", NULL);

    /* The muxer interleaves by time: it holds one stream until every other
     * one has data or EOS. A negotiated stream the peer never sends (video
     * off) therefore parks the other one here until stop; bound that by
     * size (~1.5 h of Opus, ~8 min of 500 kbit/s VP8), dropping the oldest. */
    if (q && leaky) {
        g_object_set(q, "max-size-buffers", 0u, "max-size-bytes",
                     (guint)(32 * 1024 * 1024), "max-size-time", (guint64)0,
                     NULL);
        gst_util_set_object_arg(G_OBJECT(q), "leaky", "downstream");
    }
    return q;
}

/* funnel -> depay -> [tee ->] decoder -> sink, and tee -> queue -> mux */
static gboolean
build_recv_chain(ScMediaSession *s, Track *t, guint idx, GstElement *mux,
                 gboolean webm, GError **error)
{
    gboolean audio = t->cfg.kind == SC_MEDIA_AUDIO;
    GstElement *dec, *sink, *tee = NULL, *head;
    GstPad *pad;

    if (!(t->funnel = make("funnel", NULL, error)) ||
        !(t->depay = make(audio ? "rtpopusdepay" : "rtpvp8depay", NULL, error)) ||
        !(dec = make(audio ? "opusdec" : "vp8dec", NULL, error)))
        return FALSE; /* not reached: add_track/start checked the factories */
    if (!audio)
        g_object_set(t->depay, "request-keyframe", TRUE, "wait-for-keyframe",
                     TRUE, NULL);
    else
        g_object_set(dec, "plc", TRUE, "use-inband-fec", TRUE, NULL);
    /* garbage from the network must never stop the pipeline */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(dec), "max-errors"))
        g_object_set(dec, "max-errors", -1, NULL);

    if (audio && s->play_audio) {
        GstElement *conv = make("audioconvert", NULL, error);
        GstElement *res = make("audioresample", NULL, error);
        GstElement *out = make("autoaudiosink", NULL, error);
        if (!conv || !res || !out)
            return FALSE;
        sink = gst_bin_new(NULL);
        gst_bin_add_many(GST_BIN(sink), conv, res, out, NULL);
        gst_element_link_many(conv, res, out, NULL);
        pad = gst_element_get_static_pad(conv, "sink");
        gst_element_add_pad(sink, gst_ghost_pad_new("sink", pad));
        gst_object_unref(pad);
    } else {
        sink = make("fakesink", NULL, error);
        if (!sink)
            return FALSE;
        g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    }

    gst_bin_add_many(GST_BIN(s->pipeline), t->funnel, t->depay, NULL);
    if (!gst_element_link(t->funnel, t->depay))
        goto link_fail;
    head = t->depay;
    if (mux) {
        GstElement *q1 = queue_new(FALSE), *q2 = queue_new(TRUE);
        GstElement *parse = audio ? make("opusparse", NULL, error) : NULL;
        if (!q1 || !q2 || (audio && !parse))
            return FALSE;
        tee = gst_element_factory_make("tee", NULL);
        gst_bin_add_many(GST_BIN(s->pipeline), tee, q1, q2, NULL);
        if (!gst_element_link(t->depay, tee) || !gst_element_link(tee, q1) ||
            !gst_element_link(tee, q2))
            goto link_fail;
        head = q1;
        if (parse) {
            gst_bin_add(GST_BIN(s->pipeline), parse);
            if (!gst_element_link(q2, parse))
                goto link_fail;
            q2 = parse;
        }
        if (webm ? !link_to_request(q2, mux, audio ? "audio_%u" : "video_%u")
                 : !gst_element_link(q2, mux))
            goto link_fail;
    }
    gst_bin_add_many(GST_BIN(s->pipeline), dec, sink, NULL);
    if (!gst_element_link(head, dec) || !gst_element_link(dec, sink))
        goto link_fail;

    pad = gst_element_get_static_pad(dec, "src");
    t->rtp_ctx.s = s;
    t->rtp_ctx.idx = idx;
    gst_pad_add_probe(pad,
                      GST_PAD_PROBE_TYPE_BUFFER |
                          GST_PAD_PROBE_TYPE_BUFFER_LIST,
                      on_decoded, &t->rtp_ctx, NULL);
    gst_object_unref(pad);
    return TRUE;

link_fail:
    g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL,
                "cannot build the %s receive chain",
                sc_media_kind_to_string(t->cfg.kind));
    return FALSE;
}

static gboolean
build_recording(ScMediaSession *s, GstElement **mux_out, GError **error)
{
    gboolean video = s->have[SC_MEDIA_VIDEO] && s->tracks[SC_MEDIA_VIDEO].cfg.recv;
    gboolean audio = s->have[SC_MEDIA_AUDIO] && s->tracks[SC_MEDIA_AUDIO].cfg.recv;
    GstElement *mux;
    GstPad *pad;

    *mux_out = NULL;
    if (!s->record_path)
        return TRUE;
    if (!video && !audio) {
        SC_LOG_WARN(s->log_id, "nothing received: no recording");
        return TRUE;
    }
    mux = make(video ? "webmmux" : "oggmux", NULL, error);
    if (!mux)
        return FALSE;
    s->filesink = make("filesink", NULL, error);
    if (!s->filesink) {
        gst_object_unref(gst_object_ref_sink(mux));
        return FALSE;
    }
    gst_object_ref(s->filesink);
    g_object_set(s->filesink, "location", s->record_path, "async", FALSE,
                 "sync", FALSE, NULL);
    gst_bin_add_many(GST_BIN(s->pipeline), mux, s->filesink, NULL);
    if (!gst_element_link(mux, s->filesink)) {
        g_set_error(error, SC_ERROR, SC_ERROR_INTERNAL, "cannot link muxer");
        return FALSE;
    }
    pad = gst_element_get_static_pad(s->filesink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_file_event,
                      s, NULL);
    gst_object_unref(pad);
    SC_LOG_INFO(s->log_id, "recording %s to %s", video ? "WebM" : "Ogg/Opus",
                s->record_path);
    *mux_out = mux;
    return TRUE;
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
         !have_factories(error, "audioconvert", "audioresample",
                         "autoaudiosink", NULL)) ||
        (s->record_path &&
         !have_factories(error, "filesink", "webmmux", "oggmux", NULL)) ||
        !build_recording(s, &mux, error))
        return FALSE;
    for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
        if (s->have[i] && s->tracks[i].cfg.recv &&
            !build_recv_chain(s, &s->tracks[i], i, mux,
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

ScStatus
sc_media_session_receive(ScMediaSession *s, const guint8 *buf, gsize len,
                         gboolean is_rtcp)
{
    ScRtpRoute routes[SC_MEDIA_N_KINDS];

    g_return_val_if_fail(s != NULL && s->magic == MEDIA_MAGIC, SC_DROP_STATE);

    if (!s->started || s->stopped)
        return drop(s, SC_DROP_STATE);
    get_routes(s, routes);
    if (is_rtcp) {
        /* RFC 3550 §6.1 compound, or RFC 5506 reduced size: checked by
         * rtpsession; here only that it parses as RTCP at all. */
        if (!sc_rtcp_view_check(buf, len))
            return drop(s, SC_DROP_MALFORMED);
        guint mask = sc_rtcp_route(buf, len, routes, SC_MEDIA_N_KINDS);

        for (guint i = 0; i < SC_MEDIA_N_KINDS; i++) {
            if (s->have[i] && s->tracks[i].rtcp_appsrc && (mask & (1u << i)))
                gst_app_src_push_buffer(GST_APP_SRC(s->tracks[i].rtcp_appsrc),
                                        gst_buffer_new_memdup(buf, len));
        }
        return SC_OK;
    } else {
        ScRtpView v;
        gint idx;
        Track *t;

        if (sc_rtp_view_parse(buf, len, &v) != SC_OK)
            return drop(s, SC_DROP_MALFORMED);
        idx = sc_rtp_route(v.payload_type, routes, SC_MEDIA_N_KINDS);
        if (idx < 0)
            return drop(s, SC_DROP_UNKNOWN);
        t = &s->tracks[idx];
        t->remote_ssrc = v.ssrc;
        flow_packet(&t->rx, len);
        if (t->rx.notify)
            wake_owner(s);
        gst_app_src_push_buffer(GST_APP_SRC(t->rtp_appsrc),
                                gst_buffer_new_memdup(buf, len));
        return SC_OK;
    }
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
    /* streaming threads are gone: nothing calls wake_owner() any more */
    sc_source_clear(&s->wake);
    sc_source_clear(&s->timer);
    sc_source_clear(&s->bus_watch);
    if (s->outq) {
        OutPacket *p;
        while ((p = g_async_queue_try_pop(s->outq)) != NULL)
            out_packet_free(p);
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

void
sc_media_session_get_stats(ScMediaSession *s, ScMediaKind kind,
                           ScMediaStats *out)
{
    Track *t;

    g_return_if_fail(out != NULL);
    memset(out, 0, sizeof *out);
    g_return_if_fail(s != NULL && s->magic == MEDIA_MAGIC);
    if ((guint)kind >= SC_MEDIA_N_KINDS || !s->have[kind])
        return;
    t = &s->tracks[kind];
    out->packets_sent = t->tx.packets;
    out->bytes_sent = t->tx.bytes;
    out->packets_received = t->rx.packets;
    out->bytes_received = t->rx.bytes;
    out->remote_ssrc = t->remote_ssrc;
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
